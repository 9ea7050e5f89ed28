#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run calls exactly this script):
#   1. installs missing Debian packages (scripts/install-deps.sh),
#   2. Release build, every CTest test (unit, vector, multi-process),
#   3. one clang build with ASan+UBSan (and libFuzzer instrumentation): the snark core's
#      tests under the sanitizers,
#   4. a short libFuzzer run (10 s each; VERDICT_FUZZ_SECONDS) of every decoder's fuzz
#      target, from the same build.
# Set VERDICT_SKIP_SANITIZE=1 or VERDICT_SKIP_FUZZ=1 to leave out steps 3 or 4 locally.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

scripts/install-deps.sh

echo "== release build and tests"
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release -j"$jobs"
ctest --test-dir build/release --output-on-failure -j"$jobs"

# One clang build serves both the sanitizer tests and the fuzzers: every library is built
# with ASan+UBSan and libFuzzer's coverage instrumentation (harmless for the tests).
if [ "${VERDICT_SKIP_SANITIZE:-0}" != 1 ] || [ "${VERDICT_SKIP_FUZZ:-0}" != 1 ]; then
  echo "== ASan+UBSan build (clang, with libFuzzer instrumentation)"
  cmake -S . -B build/sanitize -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Release -DVERDICT_SANITIZE=ON \
    -DVERDICT_FUZZ=ON -DVERDICT_BENCH=OFF >/dev/null
fi

if [ "${VERDICT_SKIP_SANITIZE:-0}" != 1 ]; then
  echo "== the snark core's tests under ASan+UBSan"
  # The snark core's tests (labels of its modules); the slow exhaustive ones run in the
  # Release job above.
  mapfile -t core_tests < <(grep -rhoE 'verdict_test\(NAME [a-z0-9_]+' base snark | awk '{print $2}' | sort)
  cmake --build build/sanitize -j"$jobs" --target "${core_tests[@]}"
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build/sanitize --output-on-failure -j"$jobs" -L 'base|field|curve|poly|hash|commit|plonk|nn_circuit' -LE slow
fi

if [ "${VERDICT_SKIP_FUZZ:-0}" != 1 ]; then
  echo "== libFuzzer smoke (each target ${VERDICT_FUZZ_SECONDS:-10} s)"
  VERDICT_FUZZ_BUILD=build/sanitize scripts/fuzz.sh "${VERDICT_FUZZ_SECONDS:-10}"
fi
echo "== all tests passed"
