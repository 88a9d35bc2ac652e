// Discovery: the taste features fans meet (recommend, similar, playlist, prompt), each
// returning only what the policy allows and saying why each item is there.
//
// Every call takes the policy's answer for the listener's territory and moment as a bitmap of
// allowed catalog recordings (rights::Snapshot::Filter with Scope::kRecommend); the CatalogMap
// turns it into allowed items, and the item index searches under that filter (vector_index.h).
// A returned Pick always carries an allowed recording.
//
//   ACCORD_ASSIGN_OR_RETURN(auto discovery, Discovery::Create(data, model, &tags, map, {}));
//   rights::RecordingBitmap allowed;
//   snapshot->Filter(rights::Scope::kRecommend, territory, now, &allowed);
//   Taste taste = discovery->TasteOf(listener);
//   ACCORD_ASSIGN_OR_RETURN(std::vector<Pick> picks, discovery->Recommend(taste, allowed, 10));
//
// The prompt grammar is in docs/taste.md. Errors: InvalidArgument for bad knobs or a bad
// prompt; NotFound when nothing allowed matches (the message says what was looked for).
// Thread safety: const methods; safe to share after Create. The referenced ListeningData,
// AlsModel and TagSpace must outlive the Discovery.
#ifndef ACCORD_TASTE_DISCOVERY_H_
#define ACCORD_TASTE_DISCOVERY_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "rights/snapshot.h"
#include "taste/als.h"
#include "taste/catalog_map.h"
#include "taste/listening.h"
#include "taste/tag_space.h"
#include "taste/vector_index.h"

namespace accord::taste {

// A listener's taste: a vector in the ALS space and the history it came from.
struct Taste {
  Eigen::VectorXf vector;                           // zero when cold
  std::vector<std::pair<uint32_t, float>> history;  // (item, plays)
  bool cold = true;                                 // no history: popularity decides
};

struct Pick {
  uint32_t item = 0;
  uint32_t recording = 0;  // the allowed catalog recording (snapshot index)
  float score = 0;
  std::string reason;
};

struct PlaylistOptions {
  int length = 20;
  int max_per_artist = 2;
  // Maximal marginal relevance: 0 ranks by score alone, 1 by dissimilarity to what is picked.
  double diversity = 0.3;
  // 0 = comfort (the listener's core taste and the popular head); 1 = explore (less played
  // items further from the core).
  double explore = 0.2;
  std::vector<uint32_t> recent_items;  // never repeated
  int candidate_pool = 300;
};
Status ValidatePlaylistOptions(const PlaylistOptions& options);

struct PromptTerm {
  std::string text;    // as written
  std::string role;    // "tag", "artist", "like", "knob", "ignored", "unmatched"
  std::string detail;  // what it matched ("tag \"metal\" (exact)", ...)
};

struct PromptResult {
  std::vector<PromptTerm> terms;
  std::vector<std::pair<std::string, float>> reached_tags;  // nearest tags of the query
  std::vector<Pick> playlist;
};

class Discovery {
 public:
  // InvalidArgument when the pieces disagree in size (model trained on other data).
  static Result<std::unique_ptr<Discovery>> Create(const ListeningData& data, const AlsModel& model,
                                                   const TagSpace* tags, CatalogMap catalog,
                                                   const IndexOptions& index_options);

  Taste TasteOf(uint32_t listener) const;
  // Fold-in: a listener the model has not seen, from (item, plays).
  Taste TasteFromHistory(std::vector<std::pair<uint32_t, float>> history) const;

  // Top n allowed items the listener has not played, best first.
  Result<std::vector<Pick>> Recommend(const Taste& taste,
                                      const rights::RecordingBitmap& allowed_recordings,
                                      int n) const;
  // The n allowed items closest (cosine in the ALS space) to `item`, itself excluded.
  Result<std::vector<Pick>> Similar(uint32_t item,
                                    const rights::RecordingBitmap& allowed_recordings, int n) const;
  Result<std::vector<Pick>> Playlist(const Taste& taste,
                                     const rights::RecordingBitmap& allowed_recordings,
                                     const PlaylistOptions& options) const;
  // `taste` may be null (no listener). Knob words in the prompt override options.explore.
  Result<PromptResult> Prompt(std::string_view prompt, const Taste* taste,
                              const rights::RecordingBitmap& allowed_recordings,
                              PlaylistOptions options) const;

  // The same discovery over another catalog map (the registry changed): shares the item
  // indexes and every other part that depends only on the data and the model, so it costs one
  // pointer copy, not an index build. InvalidArgument when the map covers other items.
  Result<std::unique_ptr<Discovery>> WithCatalog(CatalogMap catalog) const;

  const CatalogMap& catalog() const { return catalog_; }
  const std::vector<float>& popularity() const { return parts_->popularity; }

 private:
  Discovery(const ListeningData& data, const AlsModel& model, const TagSpace* tags,
            CatalogMap catalog)
      : data_(data), model_(model), tags_(tags), catalog_(std::move(catalog)) {}
  // The history item closest (cosine) to `item`, or nullopt for an empty history.
  std::optional<uint32_t> NearestInHistory(uint32_t item, const Taste& taste) const;
  std::string BecauseReason(uint32_t item, const Taste& taste) const;
  // Greedy MMR selection over scored candidates under the playlist rules.
  std::vector<Pick> SelectPlaylist(std::vector<std::pair<uint32_t, float>> candidates,
                                   const Taste* taste,
                                   const rights::RecordingBitmap& allowed_recordings,
                                   const PlaylistOptions& options,
                                   const std::vector<uint32_t>& seeds) const;

  // What depends only on the listening data and the model, built once by Create and shared
  // (immutable) by every WithCatalog copy.
  struct ModelParts {
    FactorMatrix unit_items;              // item factors scaled to unit length
    std::vector<float> popularity;        // listeners per item
    std::vector<uint32_t> popular_order;  // items by popularity, most first
    std::unique_ptr<ItemIndex> index;     // raw factors: inner product = predicted preference
    std::unique_ptr<ItemIndex> cosine;    // unit factors: cosine similarity
  };

  const ListeningData& data_;
  const AlsModel& model_;
  const TagSpace* tags_;
  CatalogMap catalog_;
  std::shared_ptr<const ModelParts> parts_;
};

}  // namespace accord::taste

#endif  // ACCORD_TASTE_DISCOVERY_H_
