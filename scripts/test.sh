#!/usr/bin/env bash
# The test command README gives and CI runs: installs what is needed, checks formatting and
# that no floating point is in the royalty engine,
# builds with -Wall -Wextra -Werror (and the portal) and runs every test, including the portal's
# end-to-end tests in chromium, then builds again with AddressSanitizer and
# UndefinedBehaviorSanitizer and runs every test once more (the end-to-end tests against the
# sanitized server).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

echo "== clang-format check"
./scripts/format.sh --check
echo "== no floating point in the royalty engine"
./scripts/check_no_float.sh

jobs=$(nproc)
echo "== build (warnings as errors) and test"
./scripts/build.sh  # accord into build/ and the portal, for its unit and end-to-end tests
ctest --test-dir build --output-on-failure -j "$jobs" -LE slow

echo "== build with ASan+UBSan and test"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DACCORD_WERROR=ON \
  -DACCORD_SANITIZE=ON -DACCORD_BUILD_BENCH=OFF >/dev/null
cmake --build build-asan -j "$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j "$jobs" -LE slow

echo "== all tests passed"
