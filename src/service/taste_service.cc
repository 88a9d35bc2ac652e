#include "service/taste_service.h"

#include "core/text.h"
#include "taste/catalog_map.h"

namespace accord::service {

std::string TasteListeningPath(const std::string& data_dir) {
  return data_dir + "/taste/listening.bin";
}
std::string TasteModelPath(const std::string& data_dir) { return data_dir + "/taste/model.bin"; }

Result<taste::ListeningData> LoadListening(const std::string& data_dir) {
  Result<taste::ListeningData> data = taste::ListeningData::Load(TasteListeningPath(data_dir));
  if (!data.ok() && data.status().code() == StatusCode::kNotFound) {
    return FailedPreconditionError(data.status().message() + "; run `accord taste import` first");
  }
  return data;
}

Result<std::unique_ptr<TasteService>> TasteService::Open(const std::string& data_dir,
                                                         const TasteServiceOptions& options) {
  std::unique_ptr<TasteService> service(new TasteService());
  ACCORD_ASSIGN_OR_RETURN(service->data_, LoadListening(data_dir));
  Result<taste::AlsModel> model = taste::AlsModel::Load(
      TasteModelPath(data_dir), taste::ListeningFingerprint(service->data_.plays()));
  if (!model.ok() && model.status().code() == StatusCode::kNotFound) {
    return FailedPreconditionError(model.status().message() + "; run `accord taste train` first");
  }
  ACCORD_ASSIGN_OR_RETURN(service->model_, std::move(model));
  if (options.with_tags) {
    ACCORD_ASSIGN_OR_RETURN(service->tags_, taste::TagSpace::Build(service->data_, {}));
  }
  service->with_tags_ = options.with_tags;
  service->index_options_ = options.index;
  return service;
}

Result<std::shared_ptr<const taste::Discovery>> TasteService::DiscoveryFor(
    const rights::Registry& registry, const std::shared_ptr<const rights::Snapshot>& snapshot) {
  std::lock_guard lock(mu_);
  if (cached_ != nullptr && cached_snapshot_ == snapshot) return cached_;
  taste::CatalogMap map = taste::CatalogMap::Build(data_, registry, *snapshot);
  std::unique_ptr<taste::Discovery> discovery;
  if (cached_ == nullptr) {
    // The first one builds the item indexes; every later one shares them.
    ACCORD_ASSIGN_OR_RETURN(discovery,
                            taste::Discovery::Create(data_, model_, with_tags_ ? &tags_ : nullptr,
                                                     std::move(map), index_options_));
  } else {
    ACCORD_ASSIGN_OR_RETURN(discovery, cached_->WithCatalog(std::move(map)));
  }
  // Holding the snapshot keeps its address from being reused by a later one.
  cached_snapshot_ = snapshot;
  cached_ = std::move(discovery);
  return cached_;
}

Result<uint32_t> TasteService::ResolveItem(std::string_view text, std::string_view field) const {
  if (auto item = data_.FindItem(taste::ItemKind::kArtist, text)) return *item;
  if (Result<Isrc> isrc = Isrc::Parse(text); isrc.ok()) {
    if (auto item = data_.FindItem(taste::ItemKind::kRecording, isrc->str())) return *item;
  }
  if (auto item = data_.FindItemByName(text)) return *item;
  return NotFoundError(std::string(field) + ": no item with key or name " + QuoteForError(text));
}

taste::Taste TasteService::TasteOf(const taste::Discovery& discovery, std::string_view listener,
                                   bool* known) const {
  const std::optional<uint32_t> index = data_.FindListener(listener);
  if (known != nullptr) *known = index.has_value();
  if (!index) return discovery.TasteFromHistory({});
  return discovery.TasteOf(*index);
}

nlohmann::json PicksJson(const taste::ListeningData& data, const rights::Snapshot& snapshot,
                         const std::vector<taste::Pick>& picks) {
  nlohmann::json out = nlohmann::json::array();
  for (const taste::Pick& p : picks) {
    out.push_back({{"item", data.item_key(p.item)},
                   {"name", data.item_name(p.item)},
                   {"recording", snapshot.recording_isrc(p.recording).str()},
                   {"score", p.score},
                   {"reason", p.reason}});
  }
  return out;
}

nlohmann::json PromptTermsJson(const taste::PromptResult& result) {
  nlohmann::json terms = nlohmann::json::array();
  for (const taste::PromptTerm& t : result.terms) {
    terms.push_back({{"text", t.text}, {"role", t.role}, {"detail", t.detail}});
  }
  return terms;
}

nlohmann::json ReachedTagsJson(const taste::PromptResult& result) {
  nlohmann::json reached = nlohmann::json::array();
  for (const auto& [tag, similarity] : result.reached_tags) {
    reached.push_back({{"tag", tag}, {"cosine", similarity}});
  }
  return reached;
}

}  // namespace accord::service
