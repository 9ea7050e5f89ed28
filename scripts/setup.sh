#!/usr/bin/env bash
# From a fresh Debian 12 clone to the main job: installs what is missing (apt-get),
# builds verdict (Release) and runs the best end-to-end run that exists today:
# scripts/prove-fashion-mnist.sh (a Fashion-MNIST CNN imported from ONNX, proved with
# hidden weights and a hidden input, verified; a few seconds).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release -j"$(nproc)" --target verdict
scripts/prove-fashion-mnist.sh build/release 0
