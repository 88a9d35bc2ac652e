#!/usr/bin/env bash
# Installs the Debian 12 packages accord needs to build, test and benchmark. Idempotent: a
# package already installed is left alone; apt-get runs only when something is missing. Uses
# sudo when not root.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  libcli11-dev nlohmann-json3-dev libsqlite3-dev libssl-dev libsodium-dev
  clang-format
  libeigen3-dev libfaiss-dev
  libsndfile1-dev libmpg123-dev libqm-dsp-dev libaubio-dev libebur128-dev libchromaprint-dev
  librubberband-dev libsamplerate0-dev unzip
  rubberband-cli  # bench/audio_bench times the `rubberband` program beside our stretch
  libboost-dev wrk libcpp-httplib-dev  # Beast for accord_http; wrk, cpp-httplib: bench/http
  chromium curl  # the portal's end-to-end tests; curl: tests/serve_test.sh
  fretsonfire-songs-muldjord nexuiz-music wesnoth-1.16-music
)

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  "$(dirname "$0")/install_music.sh"  # idempotent; runs on every setup
  exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
"$(dirname "$0")/install_music.sh"
