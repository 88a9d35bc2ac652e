// TasteService: the taste features (recommend, similar, playlist, prompt) over one data
// directory's listening data and model, for the command line and the server.
//
// It owns what `accord taste import` and `accord taste train` wrote (DATA/taste/listening.bin
// and model.bin) and, when asked, the tag space that prompts need. A taste::Discovery also
// depends on the registry (which catalog recordings each item stands for, catalog_map.h), so
// DiscoveryFor builds the catalog map for a policy snapshot and keeps the result until the
// snapshot changes; the item indexes are built once and shared (Discovery::WithCatalog), so a
// consent flip costs a catalog map, not an index build.
//
//   ACCORD_ASSIGN_OR_RETURN(auto taste, TasteService::Open(data_dir, {.with_tags = true}));
//   ACCORD_ASSIGN_OR_RETURN(auto discovery, taste->DiscoveryFor(registry, snapshot));
//   rights::RecordingBitmap allowed;
//   snapshot->Filter(rights::Scope::kRecommend, territory, at, &allowed);
//   taste::Taste listener = taste->TasteOf(*discovery, "l-7f3a");   // cold start if unknown
//   ACCORD_ASSIGN_OR_RETURN(auto picks, discovery->Recommend(listener, allowed, 10));
//   nlohmann::json items = PicksJson(taste->data(), *snapshot, picks);
//
// Errors: FailedPrecondition naming the command to run when the listening data or the model is
// missing; the loaders' DataLoss or InvalidArgument for a damaged file or a model trained on
// other listening data. Thread safety: after Open every method may be called from many threads
// at once; the Discovery objects handed out are immutable and stay valid while the service
// lives.
#ifndef ACCORD_SERVICE_TASTE_SERVICE_H_
#define ACCORD_SERVICE_TASTE_SERVICE_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "rights/registry.h"
#include "rights/snapshot.h"
#include "taste/als.h"
#include "taste/discovery.h"
#include "taste/listening.h"
#include "taste/tag_space.h"

namespace accord::service {

std::string TasteListeningPath(const std::string& data_dir);  // DATA/taste/listening.bin
std::string TasteModelPath(const std::string& data_dir);      // DATA/taste/model.bin

// The imported listening data; FailedPrecondition ("run `accord taste import` first") when
// there is none.
Result<taste::ListeningData> LoadListening(const std::string& data_dir);

struct TasteServiceOptions {
  bool with_tags = true;  // build the tag space (prompts need it; ~the import's tag count)
  taste::IndexOptions index = {};
};

class TasteService {
 public:
  static Result<std::unique_ptr<TasteService>> Open(const std::string& data_dir,
                                                    const TasteServiceOptions& options);
  TasteService(const TasteService&) = delete;
  TasteService& operator=(const TasteService&) = delete;

  const taste::ListeningData& data() const { return data_; }
  const taste::AlsModel& model() const { return model_; }

  // The discovery over `snapshot`'s catalog (`registry` is the registry the snapshot was
  // compiled from; the caller keeps it unchanged during the call). The last one is cached.
  Result<std::shared_ptr<const taste::Discovery>> DiscoveryFor(
      const rights::Registry& registry, const std::shared_ptr<const rights::Snapshot>& snapshot);

  // An item by key (an artist party id, an ISRC) or by display name (case-insensitive).
  // NotFound naming `field`.
  Result<uint32_t> ResolveItem(std::string_view text, std::string_view field) const;

  // A listener's taste: from their history when the listening data knows them, else a cold
  // start (no history: popularity decides). `known` says which.
  taste::Taste TasteOf(const taste::Discovery& discovery, std::string_view listener,
                       bool* known = nullptr) const;

 private:
  TasteService() = default;

  taste::ListeningData data_;
  taste::AlsModel model_;
  taste::TagSpace tags_;
  bool with_tags_ = false;
  taste::IndexOptions index_options_;

  std::mutex mu_;  // guards the cache below
  std::shared_ptr<const rights::Snapshot> cached_snapshot_;
  std::shared_ptr<const taste::Discovery> cached_;
};

// Picks as JSON: [{"item","name","recording","score","reason"}]; `recording` is the allowed
// catalog recording's ISRC.
nlohmann::json PicksJson(const taste::ListeningData& data, const rights::Snapshot& snapshot,
                         const std::vector<taste::Pick>& picks);
// How a prompt was read: [{"text","role","detail"}], and the tags it reaches:
// [{"tag","cosine"}].
nlohmann::json PromptTermsJson(const taste::PromptResult& result);
nlohmann::json ReachedTagsJson(const taste::PromptResult& result);

}  // namespace accord::service

#endif  // ACCORD_SERVICE_TASTE_SERVICE_H_
