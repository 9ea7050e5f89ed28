#!/usr/bin/env bash
# Builds every libFuzzer target with clang (ASan+UBSan) into build/fuzz and runs each
# for the given number of seconds (default 20) from an empty corpus. Any crash, leak
# or sanitizer report fails the script. Usage: scripts/fuzz.sh [seconds] [target...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
shift || true
cmake -S . -B build/fuzz -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVERDICT_FUZZ=ON \
  -DVERDICT_TESTS=OFF -DVERDICT_BENCH=OFF >/dev/null
cmake --build build/fuzz -j"$(nproc)"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(find build/fuzz/fuzzers -maxdepth 1 -type f -name 'fuzz_*' -printf '%f\n' | sort)
fi
mkdir -p build/fuzz/corpus
for t in "${targets[@]}"; do
  corpus=build/fuzz/corpus/$t
  mkdir -p "$corpus"
  echo "-- $t (${seconds}s)"
  build/fuzz/fuzzers/$t -max_total_time="$seconds" -print_final_stats=0 "$corpus" 2>&1 | tail -n 2
done
