// Routes over the taste features: a listener's recommendations and playlists, items similar to
// an item, and playlists from a text prompt. Every answer contains only recordings the policy
// allows for the scope `recommend` in the request's territory at its moment (now by default),
// each with the reason it is there (service/taste_service.h, taste/discovery.h).
//
// A listener token reads only its own recommendations and playlists; admin reads anyone's.
// Similar items and prompt playlists without a listener reveal nobody's listening, so every
// role may ask for them. Nothing here writes: a playlist is computed, returned and forgotten.
#include <mutex>

#include "server/api_internal.h"
#include "service/recent_plays.h"
#include "service/taste_service.h"

namespace accord::server {
namespace {

// What a taste request works on: the discovery over the current snapshot, the snapshot (for
// ISRCs), and the allowed recordings for the request's territory and moment.
struct TasteContext {
  service::TasteService* taste = nullptr;
  std::shared_ptr<const rights::Snapshot> snapshot;
  std::shared_ptr<const taste::Discovery> discovery;
  rights::RecordingBitmap allowed;
  Territory territory = Territory::FromIndex(0);
  Timestamp at;
};

TasteContext OpenTaste(Api::State& state, Territory territory, Timestamp at) {
  if (state.taste == nullptr) Fail(state.taste_status);
  TasteContext context;
  context.taste = state.taste.get();
  context.territory = territory;
  context.at = at;
  {
    // The catalog map reads the registry; the discovery and snapshot outlive the lock.
    std::shared_lock lock(state.registry_mu);
    context.snapshot = state.snapshot;
    context.discovery =
        Check(state.taste->DiscoveryFor(state.registry->registry(), state.snapshot));
  }
  context.snapshot->Filter(rights::Scope::kRecommend, territory, at, &context.allowed);
  return context;
}

// ?territory=XX&at=... for GET routes.
TasteContext OpenTasteFromQuery(Api::State& state, const Call& call) {
  const std::string* territory = call.request.Param("territory");
  if (territory == nullptr || territory->empty()) {
    Fail(400, "invalid_argument", "territory: required (the listener's country, e.g. DE)",
         "territory");
  }
  return OpenTaste(state, Check(Territory::Parse(*territory), "territory"),
                   TimeParam(call, "at").value_or(Timestamp::Now()));
}

TasteContext OpenTasteFromBody(Api::State& state, const json& body) {
  Timestamp at = Timestamp::Now();
  if (std::optional<std::string> text = OptionalString(body, "at")) {
    at = *text == "now" ? Timestamp::Now() : Check(Timestamp::Parse(*text), "at");
  }
  return OpenTaste(state, Check(Territory::Parse(RequireString(body, "territory")), "territory"),
                   at);
}

// 403 unless the caller is admin or the listener itself.
void RequireListenerAccess(const Call& call, const std::string& listener, std::string_view field) {
  if (call.principal.admin()) return;
  if (call.principal.role() == auth::Role::kListener && call.principal.party() == listener) {
    return;
  }
  Fail(403, "permission_denied",
       std::string(field) + ": only the listener " + listener + " (or admin) reads its taste",
       std::string(field));
}

// The listener's taste and what the answer says about it.
taste::Taste ListenerTaste(const TasteContext& context, const std::string& listener, json* out) {
  bool known = false;
  taste::Taste taste = context.taste->TasteOf(*context.discovery, listener, &known);
  (*out)["listener"] = listener;
  (*out)["taste"] = known ? "history" : "cold_start";
  (*out)["played_items"] = taste.history.size();
  return taste;
}

json PolicyJson(const TasteContext& context) {
  return {{"scope", "recommend"},
          {"territory", std::string(context.territory.code())},
          {"at", context.at.ToString()},
          {"allowed_items", context.discovery->catalog().AllowedItems(context.allowed).Count()},
          {"items_total", context.taste->data().item_count()}};
}

// Recommend and Similar rank the best n; a page of them is offset..offset+limit, and asking
// for one more than the page tells whether another page exists. Deep pages are refused: a
// ranking is not a listing of everything.
constexpr size_t kMaxRanked = 10'000;
Page RankedPage(const Api::State& state, const Call& call) {
  Page page = ParsePage(state, call);
  if (call.request.Param("limit") == nullptr) page.limit = 10;
  if (page.offset + page.limit > kMaxRanked) {
    Fail(400, "invalid_argument",
         "cursor: rankings page through the best " + std::to_string(kMaxRanked) + " items only",
         "cursor");
  }
  return page;
}

json RankedJson(const TasteContext& context, const std::vector<taste::Pick>& picks,
                const Page& page) {
  std::vector<taste::Pick> slice;
  for (size_t i = page.offset; i < picks.size() && i < page.offset + page.limit; ++i) {
    slice.push_back(picks[i]);
  }
  json out = PagedJson(service::PicksJson(context.taste->data(), *context.snapshot, slice), page,
                       picks.size());
  out.erase("total");  // only what was ranked, not how many items there are
  return out;
}

HttpResponse GetRecommendations(Api::State& state, Call& call) {
  const std::string& listener = call.param(0);
  RequireListenerAccess(call, listener, "listener");
  const Page page = RankedPage(state, call);
  TasteContext context = OpenTasteFromQuery(state, call);
  json out;
  const taste::Taste taste = ListenerTaste(context, listener, &out);
  const std::vector<taste::Pick> picks = Check(context.discovery->Recommend(
      taste, context.allowed, static_cast<int>(page.offset + page.limit + 1)));
  out["policy"] = PolicyJson(context);
  out.update(RankedJson(context, picks, page));
  return JsonResponse(200, out);
}

HttpResponse GetSimilar(Api::State& state, Call& call) {
  const Page page = RankedPage(state, call);
  TasteContext context = OpenTasteFromQuery(state, call);
  const uint32_t item = Check(context.taste->ResolveItem(call.param(0), "item"), "item");
  const std::vector<taste::Pick> picks = Check(context.discovery->Similar(
      item, context.allowed, static_cast<int>(page.offset + page.limit + 1)));
  const taste::ListeningData& data = context.taste->data();
  json out = {{"like", {{"item", data.item_key(item)}, {"name", data.item_name(item)}}},
              {"policy", PolicyJson(context)}};
  out.update(RankedJson(context, picks, page));
  return JsonResponse(200, out);
}

// The playlist rules of a request body (taste::PlaylistOptions), each field checked by name.
taste::PlaylistOptions ReadPlaylistOptions(const TasteContext& context, const json& body) {
  taste::PlaylistOptions options;
  auto integer = [&body](const char* key, int min, int max, int* value) {
    auto it = body.find(key);
    if (it == body.end() || it->is_null()) return;
    if (!it->is_number_integer() || *it < min || *it > max) {
      Fail(400, "invalid_argument",
           std::string(key) + ": expected an integer " + std::to_string(min) + ".." +
               std::to_string(max),
           key);
    }
    *value = it->get<int>();
  };
  auto fraction = [&body](const char* key, double* value) {
    auto it = body.find(key);
    if (it == body.end() || it->is_null()) return;
    if (!it->is_number() || !(*it >= 0.0 && *it <= 1.0)) {
      Fail(400, "invalid_argument", std::string(key) + ": expected a number from 0 to 1", key);
    }
    *value = it->get<double>();
  };
  integer("length", 1, 1000, &options.length);
  integer("max_per_artist", 1, 1000, &options.max_per_artist);
  fraction("diversity", &options.diversity);
  fraction("explore", &options.explore);
  if (auto it = body.find("recent"); it != body.end() && !it->is_null()) {
    if (!it->is_array() || it->size() > 1000) {
      Fail(400, "invalid_argument", "recent: expected an array of at most 1000 item keys",
           "recent");
    }
    for (size_t i = 0; i < it->size(); ++i) {
      const std::string field = "recent/" + std::to_string(i);
      if (!(*it)[i].is_string())
        Fail(400, "invalid_argument", field + ": expected a string", field);
      options.recent_items.push_back(
          Check(context.taste->ResolveItem((*it)[i].get<std::string>(), field), field));
    }
  }
  Check(taste::ValidatePlaylistOptions(options));
  return options;
}

json OptionsJson(const taste::PlaylistOptions& options) {
  return {{"length", options.length},
          {"max_per_artist", options.max_per_artist},
          {"diversity", options.diversity},
          {"explore", options.explore},
          {"recent", options.recent_items.size()}};
}

// Adds to options->recent_items what the ledger recorded the listener hearing through AI
// features in the body's "recent_hours" (default 24, 0 = off) before the context's moment
// (service/recent_plays.h), so the playlist does not repeat it without the app sending it.
// Returns how many items that added (an item in the list already is not added again).
size_t AddRecentFromLedger(Api::State& state, const TasteContext& context,
                           const std::string& listener, const json& body,
                           taste::PlaylistOptions* options) {
  constexpr int kDefaultRecentHours = 24;
  int hours = kDefaultRecentHours;
  if (auto it = body.find("recent_hours"); it != body.end() && !it->is_null()) {
    if (!it->is_number_integer() || *it < 0 || *it > service::kMaxRecentHours) {
      Fail(400, "invalid_argument",
           "recent_hours: expected an integer 0.." + std::to_string(service::kMaxRecentHours),
           "recent_hours");
    }
    hours = it->get<int>();
  }
  if (hours == 0 || state.ledger == nullptr) return 0;
  std::shared_lock lock(state.ledger_mu);
  return Check(service::AddRecentlyHeardItems(*state.ledger, context.taste->data(), listener,
                                              context.at, hours, &options->recent_items));
}

HttpResponse CreatePlaylist(Api::State& state, Call& call) {
  const std::string& listener = call.param(0);
  RequireListenerAccess(call, listener, "listener");
  const json body = ParseBody(state, call);
  RejectUnknownFields(body, {"territory", "at", "length", "max_per_artist", "diversity", "explore",
                             "recent", "recent_hours"});
  TasteContext context = OpenTasteFromBody(state, body);
  taste::PlaylistOptions options = ReadPlaylistOptions(context, body);
  const size_t from_ledger = AddRecentFromLedger(state, context, listener, body, &options);
  json out;
  const taste::Taste taste = ListenerTaste(context, listener, &out);
  const std::vector<taste::Pick> picks =
      Check(context.discovery->Playlist(taste, context.allowed, options));
  out["policy"] = PolicyJson(context);
  out["options"] = OptionsJson(options);
  out["options"]["recent_from_ledger"] = from_ledger;
  out["items"] = service::PicksJson(context.taste->data(), *context.snapshot, picks);
  return JsonResponse(200, out);
}

HttpResponse CreatePromptPlaylist(Api::State& state, Call& call) {
  const json body = ParseBody(state, call);
  RejectUnknownFields(body, {"prompt", "listener", "territory", "at", "length", "max_per_artist",
                             "diversity", "explore", "recent"});
  const std::string prompt = RequireString(body, "prompt");
  const std::optional<std::string> listener = OptionalString(body, "listener");
  if (listener) RequireListenerAccess(call, *listener, "listener");
  TasteContext context = OpenTasteFromBody(state, body);
  const taste::PlaylistOptions options = ReadPlaylistOptions(context, body);
  json out = {{"prompt", prompt}};
  std::optional<taste::Taste> taste;
  if (listener) taste = ListenerTaste(context, *listener, &out);
  const taste::PromptResult result =
      Check(context.discovery->Prompt(prompt, taste ? &*taste : nullptr, context.allowed, options),
            "prompt");
  out["interpretation"] = service::PromptTermsJson(result);
  out["reached_tags"] = service::ReachedTagsJson(result);
  out["policy"] = PolicyJson(context);
  out["items"] = service::PicksJson(context.taste->data(), *context.snapshot, result.playlist);
  return JsonResponse(200, out);
}

}  // namespace

void AddTasteRoutes(std::vector<Route>& routes) {
  routes.insert(routes.end(),
                {
                    {{"GET", "/api/listeners/{listener}/recommendations", "getRecommendations"},
                     kAdmin | kListener,
                     GetRecommendations},
                    {{"POST", "/api/listeners/{listener}/playlists", "createPlaylist"},
                     kAdmin | kListener,
                     CreatePlaylist},
                    {{"GET", "/api/items/{item}/similar", "getSimilarItems"}, kAnyRole, GetSimilar},
                    {{"POST", "/api/prompt-playlists", "createPromptPlaylist"},
                     kAnyRole,
                     CreatePromptPlaylist},
                });
}

}  // namespace accord::server
