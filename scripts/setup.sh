#!/usr/bin/env bash
# From a fresh Debian 12 clone to the main job: installs what is missing (apt-get),
# builds verdict (Release) and runs the best end-to-end run that exists today,
# `verdict kzg demo` (KZG commit/open/verify, single and batched, on BN254).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release -j"$(nproc)" --target verdict
build/release/bin/verdict kzg demo --k 16
