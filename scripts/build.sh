#!/usr/bin/env bash
# Configures and builds accord into build/ (warnings as errors), and the portal into web/dist
# (scripts/build_web.sh). The command-line tool lands at build/accord.
#
# Release at -O2 without debug information: the code the benchmarks in docs/ were measured
# with (RelWithDebInfo's -O2 -g generates the same code), in about 30% less compile time, which
# is most of CI's. To profile with line numbers, configure a directory of your own with
# -DCMAKE_BUILD_TYPE=RelWithDebInfo.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" \
  -DACCORD_WERROR=ON >/dev/null
cmake --build build -j "$(nproc)"
./scripts/build_web.sh
