#!/usr/bin/env bash
# The simulator's throughput (issue 8: >= 100,000 simulated protocol runs in <= 60 s on
# the 2-vCPU machine). Runs sim/scenarios/throughput.json (8 cases x 12,500 runs of the
# accuracy protocol, N = 8) on all hardware threads and prints the time, then the shipped
# serving and retrieval scenarios at 2,000 runs per case for their per-protocol rates.
# Usage: bench/sim_throughput.sh   (env VERDICT_BUILD, default build/release)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${VERDICT_BUILD:-build/release}/bin/verdict
[ -x "$bin" ] || { echo "build first: cmake --build ${VERDICT_BUILD:-build/release} --target verdict" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "== accuracy, 100,000 runs (sim/scenarios/throughput.json)"
"$bin" sim --scenario sim/scenarios/throughput.json >"$out/throughput.txt"
for s in serving retrieval accuracy; do
  echo "== $s (sim/scenarios/$s.json, 2,000 runs per case, no sweep)"
  "$bin" sim --scenario "sim/scenarios/$s.json" --runs 2000 --no-sweep >"$out/$s.txt"
done
