// CatalogMap: which catalog recordings each taste item stands for, so that every feature can
// apply the policy's batch filter (rights::Snapshot::Filter) to taste items.
//
// Taste items use the registry's own keys (docs/decisions/0005-taste-model-and-index.md):
//   - a recording item (key = ISRC) stands for that recording;
//   - an artist item (key = party id) stands for every recording that lists the party as a
//     main artist.
// An item with no recording in the catalog stands for nothing and is never allowed: the
// platform holds no licence for it, and the default is "no".
//
//   CatalogMap map = CatalogMap::Build(data, service.registry(), *snapshot);
//   rights::RecordingBitmap recordings;
//   snapshot->Filter(rights::Scope::kRecommend, territory, now, &recordings);
//   rights::RecordingBitmap items = map.AllowedItems(recordings);   // one bit per item
//
// Thread safety: immutable after Build.
#ifndef ACCORD_TASTE_CATALOG_MAP_H_
#define ACCORD_TASTE_CATALOG_MAP_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "rights/registry.h"
#include "rights/snapshot.h"
#include "taste/listening.h"

namespace accord::taste {

class CatalogMap {
 public:
  CatalogMap() = default;
  static CatalogMap Build(const ListeningData& data, const rights::Registry& registry,
                          const rights::Snapshot& snapshot);
  // Every item stands for recording index == item id (for catalogs generated in the same
  // order, and for benchmarks).
  static CatalogMap Identity(uint32_t items);

  uint32_t item_count() const { return static_cast<uint32_t>(offsets_.size() - 1); }
  // Items that stand for at least one catalog recording.
  uint32_t mapped_item_count() const;
  // One bit per item: set when at least one of its recordings is set in
  // `allowed_recordings` (a snapshot Filter result).
  rights::RecordingBitmap AllowedItems(const rights::RecordingBitmap& allowed_recordings) const;
  // The first of the item's recordings that `allowed_recordings` allows (recording index).
  std::optional<uint32_t> AllowedRecording(uint32_t item,
                                           const rights::RecordingBitmap& allowed) const;
  // Up to `limit` of the item's allowed recordings, in catalog order.
  std::vector<uint32_t> AllowedRecordings(uint32_t item, const rights::RecordingBitmap& allowed,
                                          size_t limit) const;
  // The artist an item counts against in "at most k per artist": the artist item itself, or a
  // recording's first main artist. Items sharing an artist share the group id.
  uint32_t artist_group(uint32_t item) const { return groups_[item]; }

 private:
  std::vector<uint64_t> offsets_{0};
  std::vector<uint32_t> recordings_;
  std::vector<uint32_t> groups_;
};

struct DemoCatalogOptions {
  // Every Nth artist opts out of AI recommendations (0: nobody), so the filter is visible.
  uint32_t opt_out_every = 10;
};
// A registry import file (docs/formats/import.md) that puts the artist items of `data` into
// the catalog for a demonstration: one artist party per item (its key, e.g.
// "artist:hetrec-51"), one recording each (ISRC QZTST26NNNNN, N = item id), two labels whose
// agreements license `recommend` and `dj` worldwide and worldwide except the US, and the
// opt-outs above. See docs/decisions/0005-taste-model-and-index.md. InvalidArgument when the
// data has recording items or more than 99,999 items.
Result<std::string> DemoCatalogJson(const ListeningData& data, const DemoCatalogOptions& options);

}  // namespace accord::taste

#endif  // ACCORD_TASTE_CATALOG_MAP_H_
