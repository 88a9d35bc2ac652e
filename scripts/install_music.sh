#!/usr/bin/env bash
# Extracts the freely licensed music that scripts/setup.sh installs from Debian into one place
# the audio layer and its benchmark read (docs/audio.md, "Real music"):
#
#   /usr/local/share/accord-music/nexuiz/*.ogg   from nexuiz-music's music.pk3 (a zip)
#
# wesnoth-1.16-music and fretsonfire-songs-muldjord ship plain Ogg files and are read where
# Debian puts them. Idempotent: a file already extracted is left alone; a missing package is
# reported and skipped, never an error. Uses sudo when not root. ACCORD_MUSIC_DIR overrides
# the destination.
set -euo pipefail

dest="${ACCORD_MUSIC_DIR:-/usr/local/share/accord-music}"
pk3=/usr/share/games/nexuiz/data/music.pk3

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

if [ ! -f "$pk3" ]; then
  echo "install_music: $pk3 not found (package nexuiz-music); skipping"
  exit 0
fi
if ! command -v unzip > /dev/null; then
  echo "install_music: unzip not installed; skipping the nexuiz extraction"
  exit 0
fi
"${sudo_cmd[@]}" mkdir -p "$dest/nexuiz"
# -n: never overwrite; -j: drop sound/cdtracks/ from the paths.
"${sudo_cmd[@]}" unzip -q -n -j "$pk3" 'sound/cdtracks/*.ogg' -d "$dest/nexuiz"
echo "install_music: $(ls "$dest/nexuiz" | wc -l) nexuiz tracks in $dest/nexuiz"
