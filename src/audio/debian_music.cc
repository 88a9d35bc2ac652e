#include "audio/debian_music.h"

#include <sndfile.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

namespace accord::audio {
namespace {

namespace fs = std::filesystem;

struct SndfileCloser {
  void operator()(SNDFILE* file) const { sf_close(file); }
};

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Trim(std::string text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

// Lower-cases and collapses whitespace, so phrases match across line breaks.
std::string Normalize(const std::string& text) {
  std::string out;
  bool space = false;
  for (unsigned char c : text) {
    if (std::isspace(c)) {
      space = true;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    out.push_back(static_cast<char>(std::tolower(c)));
  }
  return out;
}

struct Tags {
  std::string title;
  std::string artist;
  int64_t duration_ms = 0;
};

Result<Tags> ReadTags(const std::string& path) {
  SF_INFO info{};
  std::unique_ptr<SNDFILE, SndfileCloser> file(sf_open(path.c_str(), SFM_READ, &info));
  if (!file) return InvalidArgumentError(path + ": " + sf_strerror(nullptr));
  Tags tags;
  if (const char* title = sf_get_string(file.get(), SF_STR_TITLE)) tags.title = Trim(title);
  if (const char* artist = sf_get_string(file.get(), SF_STR_ARTIST)) tags.artist = Trim(artist);
  if (info.samplerate > 0) tags.duration_ms = info.frames * 1000 / info.samplerate;
  return tags;
}

// song.ini: "name = Armygeddon", "artist = Muldjord - www.muldjord.com".
Tags ReadSongIni(const std::string& path) {
  Tags tags;
  std::istringstream in(ReadText(path));
  std::string line;
  while (std::getline(in, line)) {
    const auto equals = line.find('=');
    if (equals == std::string::npos) continue;
    const std::string key = Trim(line.substr(0, equals));
    const std::string value = Trim(line.substr(equals + 1));
    if (key == "name") tags.title = value;
    if (key == "artist") tags.artist = Trim(value.substr(0, value.find(" - ")));
  }
  return tags;
}

std::vector<std::string> SortedFiles(const std::string& dir, const std::string& extension) {
  std::vector<std::string> files;
  std::error_code error;
  for (fs::directory_iterator it(dir, error), end; !error && it != end; it.increment(error)) {
    if (it->is_regular_file() && it->path().extension() == extension) {
      files.push_back(it->path().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// ZZ-DEB-00-PPNNN; InvalidArgument past 99 packages or 999 tracks a package.
Result<Isrc> LocalIsrc(int package_index, int track_index) {
  if (package_index < 1 || package_index > 99 || track_index < 1 || track_index > 999) {
    return InvalidArgumentError("no local ISRC for package " + std::to_string(package_index) +
                                ", track " + std::to_string(track_index));
  }
  std::string package = std::to_string(package_index);
  std::string track = std::to_string(track_index);
  package.insert(0, 2 - package.size(), '0');
  track.insert(0, 3 - track.size(), '0');
  return Isrc::Parse("ZZDEB00" + package + track);
}

}  // namespace

std::string LicenseFromCopyright(const std::string& text) {
  const std::string normal = Normalize(text);
  if (normal.find("attribution sharealike licence 3.0") != std::string::npos ||
      normal.find("attribution-sharealike 3.0") != std::string::npos) {
    return "CC-BY-SA-3.0";
  }
  const auto gpl = normal.find("gnu general public license");
  if (gpl != std::string::npos) {
    // The first GPL statement is the package's; look at the sentence or two after it.
    const std::string statement = normal.substr(gpl, 400);
    const bool version2 = statement.find("version 2") != std::string::npos;
    const bool later = statement.find("any later version") != std::string::npos;
    if (version2) return later ? "GPL-2.0-or-later" : "GPL-2.0-only";
  }
  return "";
}

std::string ArtistPartyId(const std::string& name) {
  std::string slug;
  for (unsigned char c : name) {
    if (std::isalnum(c)) {
      slug.push_back(static_cast<char>(std::tolower(c)));
    } else if (!slug.empty() && slug.back() != '-') {
      slug.push_back('-');
    }
  }
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  return "artist:" + (slug.empty() ? std::string("unknown") : slug);
}

Result<DebianMusic> FindDebianMusic(const DebianMusicPaths& paths) {
  DebianMusic music;
  struct Source {
    const char* package;
    std::vector<std::string> files;
    bool song_ini;
  };
  std::vector<Source> sources;
  {
    std::vector<std::string> songs;
    std::error_code error;
    for (fs::directory_iterator it(paths.muldjord_dir, error), end; !error && it != end;
         it.increment(error)) {
      if (it->is_directory() && fs::exists(it->path() / "song.ogg")) {
        songs.push_back((it->path() / "song.ogg").string());
      }
    }
    std::sort(songs.begin(), songs.end());
    sources.push_back({"fretsonfire-songs-muldjord", songs, true});
  }
  sources.push_back({"nexuiz-music", SortedFiles(paths.nexuiz_dir, ".ogg"), false});
  sources.push_back({"wesnoth-1.16-music", SortedFiles(paths.wesnoth_dir, ".ogg"), false});

  int present = 0;
  for (size_t package_index = 0; package_index < sources.size(); ++package_index) {
    const Source& source = sources[package_index];
    const std::string copyright_path = paths.doc_dir + "/" + source.package + "/copyright";
    if (source.files.empty() || !fs::exists(copyright_path)) {
      music.skipped.push_back(std::string(source.package) +
                              ": not installed (or, for "
                              "nexuiz-music, not extracted: scripts/install_music.sh)");
      continue;
    }
    ++present;
    const std::string license = LicenseFromCopyright(ReadText(copyright_path));
    if (license.empty()) {
      music.skipped.push_back(copyright_path + ": no license recognised; package skipped");
      continue;
    }
    for (size_t track_index = 0; track_index < source.files.size(); ++track_index) {
      const std::string& path = source.files[track_index];
      Result<Tags> tags = ReadTags(path);
      if (!tags.ok()) {
        music.skipped.push_back(tags.status().message());
        continue;
      }
      if (source.song_ini) {
        const Tags ini = ReadSongIni(fs::path(path).parent_path().string() + "/song.ini");
        tags->title = ini.title;
        tags->artist = ini.artist;
      }
      if (tags->artist.empty() || tags->title.empty()) {
        music.skipped.push_back(path + ": no artist or title tag");
        continue;
      }
      ACCORD_ASSIGN_OR_RETURN(Isrc isrc, LocalIsrc(static_cast<int>(package_index) + 1,
                                                   static_cast<int>(track_index) + 1));
      music.tracks.push_back(DebianTrack{source.package, path, tags->title, tags->artist, license,
                                         isrc, tags->duration_ms});
    }
  }
  if (present == 0) {
    return FailedPreconditionError(
        "none of fretsonfire-songs-muldjord, nexuiz-music, wesnoth-1.16-music is installed; "
        "run scripts/setup.sh");
  }
  return music;
}

rights::ImportBatch DebianMusicBatch(const std::vector<DebianTrack>& tracks) {
  rights::ImportBatch batch;
  std::map<std::string, std::string> artists;  // party id → name (first spelling seen)
  for (const DebianTrack& track : tracks) {
    artists.emplace(ArtistPartyId(track.artist), track.artist);
  }
  for (const auto& [id, name] : artists) {
    catalog::Party party;
    party.id = id;
    party.kind = catalog::PartyKind::kArtist;
    party.name = name;
    batch.records.parties.push_back(party);
    batch.party_origins.push_back("debian-music: " + name);
  }
  for (const DebianTrack& track : tracks) {
    catalog::Recording recording;
    recording.isrc = track.isrc;
    recording.title = track.title;
    recording.main_artists = {ArtistPartyId(track.artist)};
    recording.duration_ms = track.duration_ms;
    recording.master_owners = {{ArtistPartyId(track.artist), catalog::kWholePpm}};
    batch.records.recordings.push_back(recording);
    batch.recording_origins.push_back(track.path);
  }
  return batch;
}

}  // namespace accord::audio
