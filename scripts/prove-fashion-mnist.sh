#!/usr/bin/env bash
# The best end-to-end run until `verdict demo` exists: the shipped Fashion-MNIST CNN
# (models/fashion_mnist/model.onnx) imported and quantized, its circuit inspected, keys
# made (weights hidden behind the model commitment), a Fashion-MNIST test image proved
# with the input hidden behind a Poseidon commitment, the proof verified, and the input
# commitment recomputed the way a judge holding the image and the salt would.
#
#   scripts/prove-fashion-mnist.sh [BUILD_DIR] [TEST_IMAGE]
#
# The SRS is a development one (`verdict srs dev`, tau from OS randomness, discarded):
# fine for a demonstration, not for production (use a ceremony's .ptau with --srs).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
image=${2:-0}
v="$build/bin/verdict"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== import: ONNX -> quantized model (calibrated on 1000 training images)"
"$v" import --onnx models/fashion_mnist/model.onnx --out "$work/fm.model"
echo
echo "== inspect: the circuit, layer by layer"
"$v" inspect --model "$work/fm.model" | tee "$work/inspect.txt"
k=$(sed -n 's/.*-> domain 2^\([0-9]*\).*/\1/p' "$work/inspect.txt")
echo
echo "== srs: a development SRS of 2^$((k + 1)) powers (INSECURE: for demonstrations)"
"$v" srs dev --k $((k + 1)) --out "$work/dev.ptau"
echo
echo "== setup: proving key, verifying key, model commitment"
"$v" setup --model "$work/fm.model" --srs "$work/dev.ptau" --insecure-dev-srs --pk "$work/fm.pk" --vk "$work/fm.vk"
echo
echo "== prove: test image $image, input hidden"
"$v" prove --model "$work/fm.model" --pk "$work/fm.pk" --srs "$work/dev.ptau" --insecure-dev-srs \
  --test-image "$image" --out "$work/proof" --salt-out "$work/salt"
echo
echo "== verify (the verifier sees the verifying key and the proof only)"
"$v" verify --vk "$work/fm.vk" --proof "$work/proof"
echo
echo "== commit: the judge recomputes the input commitment from the image and the salt"
"$v" commit --test-image "$image" --salt "$(cat "$work/salt")"
"$v" run --model "$work/fm.model" --test-image "$image" | tail -1
