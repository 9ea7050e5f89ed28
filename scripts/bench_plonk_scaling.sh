#!/usr/bin/env bash
# The prover's scaling table (docs/benchmarks.md): runs bench/plonk_bench for each k in
# [from, to] as a separate process (so peak RSS is per size) and prints a markdown table.
# Usage: scripts/bench_plonk_scaling.sh [build dir] [from] [to]
set -euo pipefail
build=${1:-build/release}
from=${2:-12}
to=${3:-21}
echo "| rows | keygen | prove | verify | proof | peak RSS | MSM | quotient NTT | quotient eval | opening |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for k in $(seq "$from" "$to"); do
  line=$("$build"/bin/plonk_bench --k "$k" --verify-runs 10 | grep '^{')
  python3 - "$line" <<'PY'
import json, sys
d = json.loads(sys.argv[1])
print(f"| 2^{d['k']} | {d['keygen_s']:.2f} s | {d['prove_s']:.2f} s | {d['verify_ms']:.2f} ms | {d['proof_bytes']} B | "
      f"{d['peak_rss_mib']} MiB | {d['msm_s']:.2f} s | {d['quotient_ntt_s']:.2f} s | {d['quotient_eval_s']:.2f} s | {d['opening_s']:.2f} s |")
PY
done
