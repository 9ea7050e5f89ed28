#!/usr/bin/env bash
# Proves the same ONNX model (the peer fixture simple_cnn: Conv-Relu-Conv-Relu-Gemm-Relu-Gemm,
# 3047 parameters, 28x28 input) with EZKL and with verdict, and prints the prove-time ratio.
#
#   bench/nn_vs_ezkl.sh
#
# Environment:
#   VERDICT_BUILD     build dir with bin/verdict (default build-all; relative to the repo root)
#   RUNS              proofs per side (default 1); the median prove time is reported
#   EZKL_PEER_DIR     the EZKL peer benchmark (default <repo>/../shared/peers/ezkl)
#   EZKL_ENGINE_DIR   an installed @ezkljs/engine package dir (default: npm-install
#                     @ezkljs/engine@$EZKL_ENGINE_VERSION into a temp dir, as the peer's run.sh does)
#   EZKL_ENGINE_VERSION  default 21.0.0
#   EZKL_TIMEOUT      seconds per EZKL run (default 900)
#   TARGET            the ratio to beat (default 20)
#   BREAKDOWN=1       also run bin/nn_prove_bench once for verdict's prover phase breakdown
#
# EZKL side: the peer's bench.js (WebAssembly engine, single-threaded, under node) on the
# fixture's precompiled circuit (logrows 15, fixed-point scale 2^13, input private, weights
# baked into fixed columns, output public); prove_s is its prove() call alone (no witness or
# key generation).
# verdict side: import (calibration on seeded random images), setup with an insecure dev SRS
# (input hidden behind a Poseidon commitment, weights hidden in committed columns), prove on
# EZKL's input.json converted to bytes (round(x*255), clamped), verify. The prove time is the
# "proved in X s" that verdict prints (proving alone, without loading the key and the SRS).
#
# Exit status: 0 both sides ran and both proofs verified; 1 EZKL could not run or failed
# (verdict's side is still reported); 2 verdict's side failed.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${VERDICT_BUILD:-build-all}"
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
VERDICT="$BUILD/bin/verdict"
RUNS="${RUNS:-1}"
TARGET="${TARGET:-20}"
PEER="${EZKL_PEER_DIR:-$ROOT/../shared/peers/ezkl}"
ENGINE_VERSION="${EZKL_ENGINE_VERSION:-21.0.0}"
EZKL_TIMEOUT="${EZKL_TIMEOUT:-900}"
[ -d "$PEER" ] && PEER="$(cd "$PEER" && pwd)"
FX="$PEER/fixtures/simple_cnn"
ONNX="$FX/network.onnx"

die() { echo "nn_vs_ezkl: $*" >&2; exit 2; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) exit 1;
  if (NR % 2) printf "%.3f\n", v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer (got '$RUNS')"
[ -x "$VERDICT" ] || die "no $VERDICT (build it: cmake --build $(basename "$BUILD") --target verdict nn_prove_bench)"
[ -f "$ONNX" ] || die "no model $ONNX (set EZKL_PEER_DIR)"

TMP="$(mktemp -d "${TMPDIR:-/tmp}/nn_vs_ezkl.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

echo "== model: $ONNX"
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ *//'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== runs per side: $RUNS"
echo

# ---------------------------------------------------------------------------------------------
# verdict
# ---------------------------------------------------------------------------------------------
echo "== verdict ($("$VERDICT" version 2>/dev/null), $VERDICT)"
"$VERDICT" import --onnx "$ONNX" --calibration-random 64 --out "$TMP/simple.vnnm" > "$TMP/import.log" 2>&1 \
  || { cat "$TMP/import.log" >&2; die "verdict import failed"; }
grep -E '^(imported|calibrated)' "$TMP/import.log" | sed 's/^/  /'
"$VERDICT" inspect --model "$TMP/simple.vnnm" > "$TMP/inspect.log" 2>&1 \
  || { cat "$TMP/inspect.log" >&2; die "verdict inspect failed"; }
K="$(sed -n 's/.*-> domain 2^\([0-9][0-9]*\).*/\1/p' "$TMP/inspect.log" | head -1)"
[ -n "$K" ] || { cat "$TMP/inspect.log" >&2; die "no '-> domain 2^K' in verdict inspect's output"; }
grep -E '^(rows|columns|lookups):' "$TMP/inspect.log" | sed 's/^/  /'

"$VERDICT" srs dev --k $((K + 1)) --seed 1 --out "$TMP/dev.ptau" > "$TMP/srs.log" 2>&1 \
  || { cat "$TMP/srs.log" >&2; die "verdict srs dev failed"; }
SETUP_T0=$(date +%s.%N)
"$VERDICT" setup --model "$TMP/simple.vnnm" --srs "$TMP/dev.ptau" --insecure-dev-srs \
  --pk "$TMP/pk" --vk "$TMP/vk" > "$TMP/setup.log" 2>&1 \
  || { cat "$TMP/setup.log" >&2; die "verdict setup failed"; }
SETUP_S=$(awk -v a="$SETUP_T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
echo "  setup: ${SETUP_S} s wall (insecure dev SRS 2^$((K + 1)), input hidden, weights hidden); pk $(stat -c %s "$TMP/pk") B, vk $(stat -c %s "$TMP/vk") B"

# The same input as EZKL's: input.json holds floats pixel/255; verdict takes the pixel bytes.
INPUT_NOTE="EZKL's input.json as bytes round(x*255)"
if command -v python3 > /dev/null 2>&1; then
  python3 - "$FX/input.json" "$TMP/input.bin" <<'EOF' || INPUT_NOTE=""
import json, sys
d = json.load(open(sys.argv[1]))["input_data"][0]
open(sys.argv[2], "wb").write(bytes(max(0, min(255, round(x * 255))) for x in d))
EOF
elif command -v node > /dev/null 2>&1; then
  node -e 'const fs = require("fs"); const d = JSON.parse(fs.readFileSync(process.argv[1]))["input_data"][0];
    fs.writeFileSync(process.argv[2], Buffer.from(d.map((x) => Math.max(0, Math.min(255, Math.round(x * 255))))));' \
    "$FX/input.json" "$TMP/input.bin" || INPUT_NOTE=""
else
  INPUT_NOTE=""
fi
if [ -z "$INPUT_NOTE" ] || [ "$(stat -c %s "$TMP/input.bin" 2>/dev/null)" != 784 ]; then
  head -c 784 /dev/zero > "$TMP/input.bin"
  INPUT_NOTE="an all-zero image (could not convert EZKL's input.json)"
fi
echo "  input: $INPUT_NOTE"

OUR_PROVE=()
OUR_VERIFY_MS=()
for r in $(seq 1 "$RUNS"); do
  "$VERDICT" prove --model "$TMP/simple.vnnm" --pk "$TMP/pk" --srs "$TMP/dev.ptau" --insecure-dev-srs \
    --input "$TMP/input.bin" --out "$TMP/proof" > "$TMP/prove.log" 2> "$TMP/prove.err" \
    || { cat "$TMP/prove.log" "$TMP/prove.err" >&2; die "verdict prove failed (run $r)"; }
  s="$(sed -n 's/.*proved in \([0-9.eE+-]*\) s.*/\1/p' "$TMP/prove.log" | head -1)"
  [ -n "$s" ] || { cat "$TMP/prove.log" >&2; die "no 'proved in X s' in verdict prove's output"; }
  OUR_PROVE+=("$s")
  "$VERDICT" verify --vk "$TMP/vk" --proof "$TMP/proof" > "$TMP/verify.log" 2>&1 \
    || { cat "$TMP/verify.log" >&2; die "verdict verify rejected the proof (run $r)"; }
  v="$(sed -n 's/^VALID (\([0-9.eE+-]*\) ms).*/\1/p' "$TMP/verify.log" | head -1)"
  OUR_VERIFY_MS+=("${v:-nan}")
  echo "  run $r: prove ${s} s, verify ${v:-?} ms (VALID)"
done
grep -E '^(output|argmax)' "$TMP/prove.log" | sed 's/^/  /'
OUR_MED="$(printf '%s\n' "${OUR_PROVE[@]}" | median)"
OUR_VERIFY_MED="$(printf '%s\n' "${OUR_VERIFY_MS[@]}" | grep -v nan | median || echo '?')"
OUR_PROOF_BYTES="$(stat -c %s "$TMP/proof")"

if [ "${BREAKDOWN:-0}" = 1 ]; then
  if [ -x "$BUILD/bin/nn_prove_bench" ]; then
    echo "  nn_prove_bench (in-memory SRS, phase breakdown):"
    "$BUILD/bin/nn_prove_bench" "$TMP/simple.vnnm" --runs 1 2>&1 | grep -E '^(srs|setup|prove|verify)' | sed 's/^/    /'
  else
    echo "  (no $BUILD/bin/nn_prove_bench; skipping the breakdown)"
  fi
fi
echo

# ---------------------------------------------------------------------------------------------
# EZKL
# ---------------------------------------------------------------------------------------------
EZKL_ERR=""
NODE_VER="(none)"
ENGINE_VER="(none)"
EZKL_PROVE=()
EZKL_VERIFY=()
EZKL_BYTES="?"
EZKL_LOGROWS="?"
if ! command -v node > /dev/null 2>&1; then
  EZKL_ERR="node is not installed"
else
  NODE_VER="$(node --version 2>/dev/null)"
  for f in bench.js fixtures/simple_cnn/network.compiled fixtures/simple_cnn/kzg.srs \
           fixtures/simple_cnn/input.json fixtures/simple_cnn/settings.json; do
    [ -f "$PEER/$f" ] || { EZKL_ERR="missing $PEER/$f (see $PEER/run.sh, which makes it)"; break; }
  done
fi
if [ -z "$EZKL_ERR" ]; then
  if [ -n "${EZKL_ENGINE_DIR:-}" ]; then
    ENGINE="$EZKL_ENGINE_DIR"
  elif ! command -v npm > /dev/null 2>&1; then
    EZKL_ERR="npm is not installed (or set EZKL_ENGINE_DIR to an installed @ezkljs/engine)"
  else
    mkdir -p "$TMP/ezkl"
    if (cd "$TMP/ezkl" && npm init -y > /dev/null 2>&1 &&
        npm install --no-audit --no-fund --loglevel=error "@ezkljs/engine@${ENGINE_VERSION}") > "$TMP/npm.log" 2>&1; then
      ENGINE="$TMP/ezkl/node_modules/@ezkljs/engine"
    else
      EZKL_ERR="npm install @ezkljs/engine@${ENGINE_VERSION} failed: $(grep -v 'Unknown user config' "$TMP/npm.log" | tail -3 | tr '\n' ' ')"
    fi
  fi
fi
if [ -z "$EZKL_ERR" ] && [ ! -f "$ENGINE/nodejs/ezkl.js" ]; then
  EZKL_ERR="no node module at $ENGINE/nodejs/ezkl.js"
fi
if [ -z "$EZKL_ERR" ]; then
  ENGINE_VER="$(node -e 'console.log(require(process.argv[1]).version)' "$ENGINE/package.json" 2>/dev/null || echo '?')"
  echo "== EZKL (@ezkljs/engine $ENGINE_VER, WebAssembly, single-threaded, node $NODE_VER)"
  for r in $(seq 1 "$RUNS"); do
    timeout "$EZKL_TIMEOUT" node "$PEER/bench.js" --engine "$ENGINE" --fixture "$FX" --name simple_cnn \
      > "$TMP/ezkl.out" 2> "$TMP/ezkl.err"
    rc=$?
    if [ "$r" = 1 ]; then
      grep -E '^(settings|visibility|vk:|pk:|proof:|verify:|public outputs)' "$TMP/ezkl.err" | sed 's/^/  /'
    fi
    line="$(grep '^ezkl-simple_cnn ' "$TMP/ezkl.out" | head -1)"
    if [ "$rc" != 0 ] || [ -z "$line" ]; then
      sed 's/^/  | /' "$TMP/ezkl.err" | tail -15
      if [ "$rc" = 124 ]; then EZKL_ERR="bench.js timed out after ${EZKL_TIMEOUT} s (run $r)"
      else EZKL_ERR="bench.js failed with status $rc (run $r; 1 = proof rejected, 3 = tampered proof accepted, 2 = error)"; fi
      break
    fi
    get() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<< "$line"; }
    EZKL_PROVE+=("$(get prove_s)")
    EZKL_VERIFY+=("$(get verify_s)")
    EZKL_BYTES="$(get proof_bytes)"
    EZKL_LOGROWS="$(sed -n 's/.* logrows=\([0-9]*\).*/\1/p' <<< "$line")"
    echo "  run $r: $line"
  done
fi
echo

# ---------------------------------------------------------------------------------------------
# summary
# ---------------------------------------------------------------------------------------------
echo "== summary (median of $RUNS run(s) per side; prove step only, single machine, $(nproc) cores)"
echo "versions: verdict $("$VERDICT" version 2>/dev/null | awk '{ print $NF }'); EZKL @ezkljs/engine $ENGINE_VER (WebAssembly, single-threaded); node $NODE_VER"
echo "verdict: domain 2^$K, proof $OUR_PROOF_BYTES bytes, verify $OUR_VERIFY_MED ms; input hidden (Poseidon commitment), weights hidden (committed columns)"
if [ -n "$EZKL_ERR" ]; then
  echo "EZKL COULD NOT RUN: $EZKL_ERR"
  echo "verdict prove: $OUR_MED s   EZKL prove: n/a   ratio: n/a (target >= ${TARGET}x)"
  exit 1
fi
EZKL_MED="$(printf '%s\n' "${EZKL_PROVE[@]}" | median)"
EZKL_VERIFY_MED="$(printf '%s\n' "${EZKL_VERIFY[@]}" | median)"
echo "EZKL:    logrows $EZKL_LOGROWS, proof $EZKL_BYTES bytes (raw transcript), verify $(awk -v s="$EZKL_VERIFY_MED" 'BEGIN { printf "%.1f", s * 1000 }') ms; input private, weights fixed columns"
RATIO="$(awk -v e="$EZKL_MED" -v v="$OUR_MED" 'BEGIN { printf "%.1f", e / v }')"
VERDICT_STR="$(awk -v r="$RATIO" -v t="$TARGET" 'BEGIN { print (r + 0 >= t + 0) ? "meets" : "BELOW" }')"
printf 'EZKL prove: %.1f s   verdict prove: %.2f s   ratio: %sx (target >= %sx: %s)\n' \
  "$EZKL_MED" "$OUR_MED" "$RATIO" "$TARGET" "$VERDICT_STR"
exit 0
