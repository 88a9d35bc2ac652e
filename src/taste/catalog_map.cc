#include "taste/catalog_map.h"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <unordered_map>

namespace accord::taste {

CatalogMap CatalogMap::Build(const ListeningData& data, const rights::Registry& registry,
                             const rights::Snapshot& snapshot) {
  std::unordered_map<std::string, std::vector<uint32_t>> by_artist;
  std::unordered_map<std::string, std::string> first_artist;  // ISRC -> first main artist
  for (const catalog::Recording& recording : registry.recordings) {
    const std::optional<uint32_t> index = snapshot.FindRecording(recording.isrc);
    if (!index) continue;
    for (const std::string& artist : recording.main_artists) by_artist[artist].push_back(*index);
    if (!recording.main_artists.empty()) {
      first_artist[recording.isrc.str()] = recording.main_artists.front();
    }
  }
  CatalogMap map;
  map.offsets_.assign(1, 0);
  std::unordered_map<std::string, uint32_t> group_ids;
  auto group_of = [&group_ids](const std::string& key) {
    return group_ids.try_emplace(key, static_cast<uint32_t>(group_ids.size())).first->second;
  };
  for (uint32_t item = 0; item < data.item_count(); ++item) {
    if (data.item_kind(item) == ItemKind::kRecording) {
      Result<Isrc> isrc = Isrc::Parse(data.item_key(item));
      if (isrc.ok()) {
        if (std::optional<uint32_t> index = snapshot.FindRecording(*isrc)) {
          map.recordings_.push_back(*index);
        }
      }
      auto artist = first_artist.find(data.item_key(item));
      // A recording outside the catalog is its own group (it is never allowed anyway).
      map.groups_.push_back(
          group_of(artist != first_artist.end() ? artist->second : "isrc:" + data.item_key(item)));
    } else {
      if (auto it = by_artist.find(data.item_key(item)); it != by_artist.end()) {
        map.recordings_.insert(map.recordings_.end(), it->second.begin(), it->second.end());
      }
      map.groups_.push_back(group_of(data.item_key(item)));
    }
    map.offsets_.push_back(map.recordings_.size());
  }
  return map;
}

CatalogMap CatalogMap::Identity(uint32_t items) {
  CatalogMap map;
  map.offsets_.resize(size_t{items} + 1);
  map.recordings_.resize(items);
  for (uint32_t i = 0; i < items; ++i) {
    map.recordings_[i] = i;
    map.offsets_[i + 1] = i + 1;
  }
  map.groups_.resize(items);
  for (uint32_t i = 0; i < items; ++i) map.groups_[i] = i;
  return map;
}

uint32_t CatalogMap::mapped_item_count() const {
  uint32_t count = 0;
  for (uint32_t item = 0; item < item_count(); ++item) count += offsets_[item + 1] > offsets_[item];
  return count;
}

rights::RecordingBitmap CatalogMap::AllowedItems(
    const rights::RecordingBitmap& allowed_recordings) const {
  rights::RecordingBitmap items(item_count());
  std::vector<uint64_t>& words = items.mutable_words();
  for (uint32_t item = 0; item < item_count(); ++item) {
    for (uint64_t k = offsets_[item]; k < offsets_[item + 1]; ++k) {
      const uint32_t recording = recordings_[k];
      if (recording < allowed_recordings.size() && allowed_recordings.Test(recording)) {
        words[item >> 6] |= uint64_t{1} << (item & 63);
        break;
      }
    }
  }
  return items;
}

std::optional<uint32_t> CatalogMap::AllowedRecording(uint32_t item,
                                                     const rights::RecordingBitmap& allowed) const {
  if (item >= item_count()) return std::nullopt;
  for (uint64_t k = offsets_[item]; k < offsets_[item + 1]; ++k) {
    if (recordings_[k] < allowed.size() && allowed.Test(recordings_[k])) return recordings_[k];
  }
  return std::nullopt;
}

std::vector<uint32_t> CatalogMap::AllowedRecordings(uint32_t item,
                                                    const rights::RecordingBitmap& allowed,
                                                    size_t limit) const {
  std::vector<uint32_t> out;
  if (item >= item_count()) return out;
  for (uint64_t k = offsets_[item]; k < offsets_[item + 1] && out.size() < limit; ++k) {
    if (recordings_[k] < allowed.size() && allowed.Test(recordings_[k])) {
      out.push_back(recordings_[k]);
    }
  }
  return out;
}

Result<std::string> DemoCatalogJson(const ListeningData& data, const DemoCatalogOptions& options) {
  using nlohmann::json;
  if (data.item_count() > 99999) {
    return InvalidArgumentError("demo catalog: more than 99,999 items (ISRC designation space)");
  }
  json parties = json::array(), recordings = json::array(), consents = json::array();
  const char* kLabels[2] = {"label:taste-demo-world", "label:taste-demo-no-us"};
  parties.push_back({{"id", kLabels[0]}, {"kind", "label"}, {"name", "Taste Demo Worldwide"}});
  parties.push_back({{"id", kLabels[1]}, {"kind", "label"}, {"name", "Taste Demo (not US)"}});
  for (uint32_t item = 0; item < data.item_count(); ++item) {
    if (data.item_kind(item) != ItemKind::kArtist) {
      return InvalidArgumentError("demo catalog: item " + data.item_key(item) +
                                  " is a recording; the demo catalog is for artist items");
    }
    const std::string& artist = data.item_key(item);
    parties.push_back({{"id", artist}, {"kind", "artist"}, {"name", data.item_name(item)}});
    char isrc[24];
    std::snprintf(isrc, sizeof(isrc), "QZTST26%05u", static_cast<unsigned>(item));
    // Every third artist is with the label whose agreement excludes the US.
    const char* label = kLabels[item % 3 == 2 ? 1 : 0];
    recordings.push_back({{"isrc", isrc},
                          {"title", data.item_name(item)},
                          {"main_artists", {artist}},
                          {"duration_ms", 200000},
                          {"master_owners", {{{"party", label}, {"ppm", 1000000}}}}});
    if (options.opt_out_every > 0 && item % options.opt_out_every == options.opt_out_every - 1) {
      consents.push_back({{"id", "taste-demo-optout-" + std::to_string(item)},
                          {"party", artist},
                          {"scope", "recommend"},
                          {"choice", "opt_out"},
                          {"effective", "2024-01-01"},
                          {"recorded_by", artist},
                          {"method", "portal"}});
    }
  }
  json agreements = json::array();
  agreements.push_back({{"id", "taste-demo-world"},
                        {"licensor", kLabels[0]},
                        {"recordings", "all_controlled"},
                        {"scopes", {"recommend", "dj"}},
                        {"territories", "worldwide"},
                        {"start", "2020-01-01"}});
  agreements.push_back({{"id", "taste-demo-no-us"},
                        {"licensor", kLabels[1]},
                        {"recordings", "all_controlled"},
                        {"scopes", {"recommend", "dj"}},
                        {"territories", "worldwide -US"},
                        {"start", "2020-01-01"}});
  json out = {{"policy", {{"consent_mode", {{"recommend", "opt_out"}}}}},
              {"parties", parties},
              {"recordings", recordings},
              {"agreements", agreements},
              {"consents", consents}};
  return out.dump(1) + "\n";
}

}  // namespace accord::taste
