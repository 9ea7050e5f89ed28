#!/usr/bin/env bash
# Trustless retrieval over a corpus of Fashion-MNIST test images (issue 7's figure): runs
# `verdict retrieval-demo` (escrow, requester, responder and judge as processes, real
# proofs) and reports the responder's proving time, the requester's verification time,
# and the offline judge's audit time over the three transcripts.
#
#   bench/retrieval_bench.sh [M]          (default M = 1000; N from Clopper-Pearson, 5% / 95%)
#
# Environment: VERDICT_BUILD (default build-all), WORKDIR (default a temp dir, kept and
# printed), MODEL (a quantized model file; default: import models/fashion_mnist/model.onnx).
set -euo pipefail
cd "$(dirname "$0")/.."
m=${1:-1000}
bin=${VERDICT_BUILD:-build-all}/bin/verdict
work=${WORKDIR:-$(mktemp -d /tmp/verdict-retrieval-bench-XXXXXX)}
args=(retrieval-demo --corpus-size "$m" --workdir "$work" --response-timeout-s 300 --judge-timeout-s 600)
[ -n "${MODEL:-}" ] && args+=(--model "$MODEL")
log="$work/demo.log"
mkdir -p "$work"
start=$(date +%s.%N)
"$bin" "${args[@]}" >"$log" 2>&1 || { tail -n 30 "$log"; exit 1; }
end=$(date +%s.%N)
prove=$(grep -o 'proved [0-9]*/[0-9]* documents ([0-9.]* s)' "$log" | tail -n 1)
verify=$(grep -o 'verified [0-9]* proofs in [0-9.]* s' "$log" | head -n 1)
judge_line=$(grep 'judge (offline' "$log")
# The offline judge again, timed on its own (the demo's figure includes nothing else either).
t0=$(date +%s.%N)
"$bin" judge audit "$work"/{requester,responder,judge}.transcript --party-key "$work/requester.pub" \
  --party-key "$work/responder.pub" --party-key "$work/judge.pub" --escrow-key "$work/escrow.pub" \
  --vk "$work/model.vk" >"$work/judge.out" || true
t1=$(date +%s.%N)
echo "retrieval over M = $m Fashion-MNIST images ($(nproc) cores); files in $work"
grep -E '== outcome|retrieved [0-9]+ documents; |balances agree|money conserved|audit sample N' "$log" | sed 's/^/  /'
echo "  responder: $prove"
echo "  requester: $verify"
echo "  $judge_line" | sed 's/^ *//;s/^/  /'
printf '  verdict judge audit (the whole command, 3 transcripts): %.1f s; %s\n' "$(echo "$t1 - $t0" | bc)" \
  "$(grep '^verdict:' "$work/judge.out")"
printf '  wall clock of the demo: %.0f s; transcripts: %s\n' "$(echo "$end - $start" | bc)" \
  "$(du -ch "$work"/*.transcript | tail -n 1 | cut -f1)"
