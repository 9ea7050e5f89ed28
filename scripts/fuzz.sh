#!/usr/bin/env bash
# Builds every libFuzzer target with clang (ASan+UBSan) into build/fuzz and runs each
# for the given number of seconds (default 15) from an empty corpus. Any crash, leak
# or sanitizer report fails the script. Usage: scripts/fuzz.sh [seconds] [target...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-15}
shift || true
# The build directory: $VERDICT_FUZZ_BUILD if set (scripts/test.sh shares its sanitizer
# build), else build/fuzz, configured here.
build=${VERDICT_FUZZ_BUILD:-build/fuzz}
if [ -z "${VERDICT_FUZZ_BUILD:-}" ]; then
  cmake -S . -B "$build" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVERDICT_FUZZ=ON \
    -DVERDICT_TESTS=OFF -DVERDICT_BENCH=OFF >/dev/null
fi
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  # Every target declared in fuzz/CMakeLists.txt (and only those: not the CLI or tools).
  mapfile -t targets < <(sed -n 's/^verdict_fuzzer(NAME \([a-z0-9_]*\).*/\1/p' fuzz/CMakeLists.txt | sort)
fi
cmake --build "$build" -j"$(nproc)" --target "${targets[@]}"
mkdir -p "$build"/corpus "$build"/artifacts
status=0
for t in "${targets[@]}"; do
  corpus="$build"/corpus/$t
  mkdir -p "$corpus"
  echo "-- $t (${seconds}s)"
  seeds=()
  [ -d "fuzz/seeds/$t" ] && seeds=("fuzz/seeds/$t")
  # -timeout: any single input taking over 10 s is reported as a hang.
  log="$build"/$t.log
  if "$build"/fuzzers/$t -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
      -artifact_prefix="$build"/artifacts/"$t"- "$corpus" "${seeds[@]}" >"$log" 2>&1; then
    grep -E 'stat::number_of_executed_units|Done [0-9]+ runs' "$log" | tail -n 1
  else
    echo "FAILED: $t (log $log, reproducer in "$build"/artifacts/)"
    tail -n 40 "$log"
    status=1
  fi
done
exit $status
