// The freely licensed music in Debian's archive as catalog recordings: the songs of
// fretsonfire-songs-muldjord, nexuiz-music (extracted by scripts/install_music.sh) and
// wesnoth-1.16-music, with artists and titles from each file's tags (song.ini for the
// Muldjord songs) and the license read from the package's /usr/share/doc/<pkg>/copyright.
//
//   ACCORD_ASSIGN_OR_RETURN(std::vector<DebianTrack> tracks, FindDebianMusic({}));
//   ACCORD_ASSIGN_OR_RETURN(auto summary, service->ImportBatch(DebianMusicBatch(tracks)));
//
// ISRCs: these recordings have none registered, so each gets a stable, locally assigned code
// in the ISO 3166 user-assigned country space, ZZ-DEB-YY-PPNNN (PP the package, NNN the track
// in name order); it never collides with a real ISRC. Tracks whose files carry no artist tag
// (two nexuiz tracks and wesnoth's silence.ogg) are skipped rather than given an invented
// artist; each skip is reported.
//
// Thread safety: reentrant.
#ifndef ACCORD_AUDIO_DEBIAN_MUSIC_H_
#define ACCORD_AUDIO_DEBIAN_MUSIC_H_

#include <string>
#include <vector>

#include "core/ids.h"
#include "core/status.h"
#include "rights/import.h"

namespace accord::audio {

struct DebianMusicPaths {
  std::string muldjord_dir = "/usr/share/games/fretsonfire/data/songs/muldjord";
  std::string nexuiz_dir = "/usr/local/share/accord-music/nexuiz";
  std::string wesnoth_dir = "/usr/share/games/wesnoth/1.16/data/core/music";
  std::string doc_dir = "/usr/share/doc";  // holds <package>/copyright
};

struct DebianTrack {
  std::string package;
  std::string path;
  std::string title;
  std::string artist;
  std::string license;  // SPDX id, e.g. "CC-BY-SA-3.0", "GPL-2.0-or-later"
  Isrc isrc;
  int64_t duration_ms = 0;
};

struct DebianMusic {
  std::vector<DebianTrack> tracks;
  std::vector<std::string> skipped;  // "path: reason"
};

// The SPDX id of the license a Debian copyright file states, or "" when none is recognised.
std::string LicenseFromCopyright(const std::string& text);

// Finds the packages' tracks. A package that is not installed contributes nothing (and a
// line in `skipped`); FailedPrecondition when none of the three is present.
Result<DebianMusic> FindDebianMusic(const DebianMusicPaths& paths);

// Parties (one artist per distinct name, also the master owner: these are self-released
// works) and recordings, ready for RegistryService::ImportBatch.
rights::ImportBatch DebianMusicBatch(const std::vector<DebianTrack>& tracks);

// "artist:el-senator": the party id for an artist name.
std::string ArtistPartyId(const std::string& name);

}  // namespace accord::audio

#endif  // ACCORD_AUDIO_DEBIAN_MUSIC_H_
