#!/usr/bin/env bash
# Configures and builds accord into build/ (Release-like, warnings as errors), and the portal
# into web/dist (scripts/build_web.sh). The command-line tool lands at build/accord.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DACCORD_WERROR=ON >/dev/null
cmake --build build
./scripts/build_web.sh
