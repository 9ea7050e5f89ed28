#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run calls exactly this script):
#   1. installs missing Debian packages (scripts/install-deps.sh),
#   2. Release build, every CTest test (unit, vector, multi-process),
#   3. ASan+UBSan build of the snark core and its tests,
#   4. a short libFuzzer run of every decoder's fuzz target (clang).
# Set VERDICT_SKIP_SANITIZE=1 or VERDICT_SKIP_FUZZ=1 to leave out steps 3 or 4 locally.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

scripts/install-deps.sh

echo "== release build and tests"
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release -j"$jobs"
ctest --test-dir build/release --output-on-failure -j"$jobs"

if [ "${VERDICT_SKIP_SANITIZE:-0}" != 1 ]; then
  echo "== ASan+UBSan build of the snark core"
  cmake -S . -B build/asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVERDICT_SANITIZE=ON -DVERDICT_LAYERS=snark \
    -DVERDICT_BENCH=OFF >/dev/null
  cmake --build build/asan -j"$jobs"
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build/asan --output-on-failure -j"$jobs" -LE slow
fi

if [ "${VERDICT_SKIP_FUZZ:-0}" != 1 ]; then
  echo "== libFuzzer smoke (each target ${VERDICT_FUZZ_SECONDS:-15} s)"
  scripts/fuzz.sh "${VERDICT_FUZZ_SECONDS:-15}"
fi
echo "== all tests passed"
