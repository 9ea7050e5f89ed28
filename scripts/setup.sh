#!/usr/bin/env bash
# From a fresh Debian 12 clone to the main job: installs what is missing (apt-get),
# builds verdict (Release) and runs the main job: `verdict demo` (the escrow service, a
# model provider, a model consumer and a verifier as separate processes on loopback run
# the accuracy protocol on Fashion-MNIST test images with real proofs, then print the
# outcome and the balances; a few minutes). scripts/prove-fashion-mnist.sh shows one
# proof step by step.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release -j"$(nproc)" --target verdict
build/release/bin/verdict demo
