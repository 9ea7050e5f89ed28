#!/usr/bin/env bash
# Installs, with apt-get, the Debian 12 packages verdict needs that are missing.
# Safe to run again: it installs only what is absent.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  clang libclang-rt-14-dev                 # libFuzzer targets and the fuzz smoke in CI
  libboost-program-options-dev             # the CLI
  libboost-math-dev                        # beta quantiles (header-only use): protocols/sizing
  libgtest-dev libgmock-dev libbenchmark-dev
  libgmp-dev                               # big-integer oracle in the field tests
  nlohmann-json3-dev                       # test vectors, reports
  libssl-dev                               # Ed25519, SHA-256, AES-GCM
  libsqlite3-dev                           # the escrow ledger
  libzmq3-dev cppzmq-dev                   # transport between parties
  libonnx-dev libprotobuf-dev zlib1g-dev   # ONNX import (snark/nn), gzip datasets
  dataset-fashion-mnist                    # calibration and accuracy tests (30 MB)
)
# Only the model scripts (models/*/train.py, export.py) need PyTorch; CI does not train:
#   apt-get install python3-torch python3-torchvision

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing: ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
