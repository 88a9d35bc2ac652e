// The API's frame: opening the state, authentication, routing, errors, request helpers, and the
// routes of the API itself (health, description, the caller, tokens). The resource routes live
// in registry_routes.cc, ledger_routes.cc and royalty_routes.cc.
#include "server/api.h"

#include <sodium.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <exception>

#include "core/json_cursor.h"
#include "server/api_internal.h"
#include "store/sqlite_token_store.h"

namespace accord::server {

// ---------------------------------------------------------------------------------------------
// Errors and responses.

void Fail(int http_status, std::string code, std::string message, std::string field) {
  throw ApiFailure{http_status, std::move(code), std::move(message), std::move(field)};
}

void Fail(const Status& status, std::string field) {
  std::string message = status.message();
  if (!field.empty() && !message.starts_with(field)) message = field + ": " + message;
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
      Fail(400, "invalid_argument", message, field);
    case StatusCode::kNotFound:
      Fail(404, "not_found", message, field);
    case StatusCode::kPermissionDenied:
      Fail(403, "permission_denied", message, field);
    case StatusCode::kAlreadyExists:
      Fail(409, "already_exists", message, field);
    case StatusCode::kFailedPrecondition:
      Fail(409, "failed_precondition", message, field);
    case StatusCode::kDataLoss:
      Fail(500, "data_loss", message, field);
    default:
      Fail(500, "internal", message, field);
  }
}

HttpResponse JsonResponse(int status, const json& body) {
  HttpResponse response;
  response.status = status;
  response.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return response;
}

void AppendJsonString(std::string* out, std::string_view text) {
  const bool plain = std::all_of(text.begin(), text.end(), [](char c) {
    return c >= 0x20 && c <= 0x7e && c != '"' && c != '\\';
  });
  if (!plain) {
    *out += json(std::string(text)).dump(-1, ' ', false, json::error_handler_t::replace);
    return;
  }
  *out += '"';
  *out += text;
  *out += '"';
}

namespace {

void AppendJsonStrings(std::string* out, const std::vector<std::string>& items) {
  *out += '[';
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) *out += ',';
    AppendJsonString(out, items[i]);
  }
  *out += ']';
}

}  // namespace

std::string DecisionAnswerJson(const service::DecisionQuery& query,
                               const rights::Decision& decision) {
  // DecisionJson's members in the order the JSON library writes them (sorted by key).
  std::string out;
  out.reserve(256);
  out += "{\"agreements\":";
  AppendJsonStrings(&out, decision.agreements);
  out += decision.allowed ? ",\"allowed\":true,\"at\":" : ",\"allowed\":false,\"at\":";
  AppendJsonString(&out, query.at.ToString());
  out += ",\"consents\":";
  AppendJsonStrings(&out, decision.consents);
  out += ",\"reasons\":[";
  for (size_t i = 0; i < decision.reasons.size(); ++i) {
    const rights::Reason& reason = decision.reasons[i];
    if (i > 0) out += ',';
    out += "{\"message\":";
    AppendJsonString(&out, rights::DescribeReason(reason, query.scope, query.territory, query.at));
    out += ",\"party\":";
    AppendJsonString(&out, reason.party);
    out += ",\"record\":";
    AppendJsonString(&out, reason.record);
    out += ",\"rule\":";
    AppendJsonString(&out, rights::RuleName(reason.rule));
    out += '}';
  }
  out += "],\"recording\":";
  AppendJsonString(&out, query.recording.str());
  out += ",\"scope\":";
  AppendJsonString(&out, rights::ScopeName(query.scope));
  out += ",\"territory\":";
  AppendJsonString(&out, query.territory.code());
  out += '}';
  return out;
}

HttpResponse TextResponse(int status, std::string content_type, std::string body) {
  HttpResponse response;
  response.status = status;
  response.content_type = std::move(content_type);
  response.body = std::move(body);
  return response;
}

namespace {

HttpResponse ErrorResponse(const ApiFailure& failure, const std::string& request_id) {
  json error = {{"code", failure.code}, {"message", failure.message}};
  if (!failure.field.empty()) error["field"] = failure.field;
  error["request_id"] = request_id;
  HttpResponse response = JsonResponse(failure.http_status, {{"error", error}});
  if (failure.http_status == 401) response.headers.emplace_back("WWW-Authenticate", "Bearer");
  return response;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Request helpers.

int JsonDepth(std::string_view text) {
  int depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

json ParseBody(const Api::State& state, const Call& call) {
  const std::string& body = call.request.body;
  if (body.empty()) Fail(400, "invalid_argument", "request body: expected a JSON object");
  if (JsonDepth(body) > state.options.limits.max_json_depth) {
    Fail(400, "invalid_argument",
         "request body: JSON nested deeper than " +
             std::to_string(state.options.limits.max_json_depth) + " levels");
  }
  json parsed;
  try {
    parsed = json::parse(body);
  } catch (const json::parse_error& e) {
    Fail(400, "invalid_argument",
         "request body: not valid JSON (at byte " + std::to_string(e.byte) + ")");
  }
  if (!parsed.is_object()) Fail(400, "invalid_argument", "request body: expected a JSON object");
  return parsed;
}

bool ScanFlatBody(const Api::State& state, std::string_view body,
                  std::initializer_list<std::string_view> string_keys, std::string_view list_key,
                  FlatBody* out) {
  if (string_keys.size() > FlatBody::kMaxKeys) return false;
  // The document's depth is 1, or 2 with the array; the limit is a setting and may be lower.
  const int depth = list_key.empty() ? 1 : 2;
  if (state.options.limits.max_json_depth < depth) return false;
  out->strings.fill(std::nullopt);
  out->has_list = false;
  out->list.clear();
  JsonCursor scan(body);
  if (!scan.Take('{') || scan.Peek('}')) return false;  // {} has no required field anyway
  do {
    std::string_view key;
    if (!scan.String(&key) || !scan.Take(':')) return false;
    if (!list_key.empty() && key == list_key) {
      if (out->has_list || !scan.Take('[')) return false;
      out->has_list = true;
      if (scan.Take(']')) continue;
      do {
        std::string_view item;
        if (!scan.String(&item)) return false;
        out->list.push_back(item);
      } while (scan.Take(','));
      if (!scan.Take(']')) return false;
      continue;
    }
    size_t slot = 0;
    for (std::string_view name : string_keys) {
      if (name == key) break;
      ++slot;
    }
    if (slot == string_keys.size() || out->strings[slot]) return false;  // unknown or repeated
    std::string_view value;
    if (!scan.String(&value)) return false;
    out->strings[slot] = value;
  } while (scan.Take(','));
  return scan.Take('}') && scan.AtEnd();
}

std::string RequireString(const json& body, const char* key) {
  auto it = body.find(key);
  if (it == body.end()) Fail(400, "invalid_argument", std::string(key) + ": required", key);
  if (!it->is_string())
    Fail(400, "invalid_argument", std::string(key) + ": expected a string", key);
  return it->get<std::string>();
}

std::optional<std::string> OptionalString(const json& body, const char* key) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return std::nullopt;
  if (!it->is_string())
    Fail(400, "invalid_argument", std::string(key) + ": expected a string", key);
  return it->get<std::string>();
}

void RejectUnknownFields(const json& body, std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, value] : body.items()) {
    bool known = false;
    for (std::string_view name : allowed) known = known || name == key;
    if (!known) {
      std::string list;
      for (std::string_view name : allowed) list += (list.empty() ? "" : ", ") + std::string(name);
      Fail(400, "invalid_argument", key + ": not a field of this request (fields: " + list + ")",
           key);
    }
  }
}

std::optional<Timestamp> TimeParam(const Call& call, const char* name) {
  const std::string* text = call.request.Param(name);
  if (text == nullptr || text->empty()) return std::nullopt;
  if (*text == "now") return Timestamp::Now();
  return Check(Timestamp::Parse(*text), name);
}

uint64_t ParseUnsigned(std::string_view text, const char* field, const char* what) {
  uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    Fail(400, "invalid_argument", std::string(field) + ": expected " + what, field);
  }
  return value;
}

Page ParsePage(const Api::State& state, const Call& call) {
  const ApiLimits& limits = state.options.limits;
  Page page{0, limits.default_page};
  if (const std::string* limit = call.request.Param("limit")) {
    page.limit = ParseUnsigned(*limit, "limit", "a page size");
    if (page.limit < 1 || page.limit > limits.max_page) {
      Fail(400, "invalid_argument",
           "limit: must be 1.." + std::to_string(limits.max_page) + " (page size)", "limit");
    }
  }
  if (const std::string* cursor = call.request.Param("cursor")) {
    page.offset = ParseUnsigned(*cursor, "cursor", "a cursor from next_cursor");
  }
  return page;
}

json PagedJson(json items, const Page& page, size_t total) {
  json out = {{"items", std::move(items)}, {"total", total}};
  const size_t next = page.offset + page.limit;
  out["next_cursor"] = next < total ? json(std::to_string(next)) : json(nullptr);
  return out;
}

void RequireRole(const Call& call, uint8_t roles, std::string_view what) {
  if ((RoleBit(call.principal.role()) & roles) == 0) {
    Fail(403, "permission_denied",
         "a " + std::string(auth::RoleName(call.principal.role())) + " token may not " +
             std::string(what));
  }
}

void RequirePartyInReach(const Call& call, const std::string& party, std::string_view field) {
  if (call.principal.admin() || call.principal.reach.contains(party)) return;
  Fail(403, "permission_denied",
       std::string(field) + ": " + party + " is not a party this token (" +
           std::string(auth::RoleName(call.principal.role())) + " for " + call.principal.party() +
           ") acts for",
       std::string(field));
}

bool RecordingAccessible(const Api::State& state, const Call& call, const std::string& isrc) {
  auto it = state.index.recordings.find(isrc);
  return it != state.index.recordings.end() &&
         (call.principal.admin() ||
          state.RecordingInReach(state.registry->registry().recordings[it->second],
                                 call.principal.reach));
}

const catalog::Recording& RequireRecordingAccess(const Api::State& state, const Call& call,
                                                 const std::string& isrc, std::string_view field) {
  auto it = state.index.recordings.find(isrc);
  if (it == state.index.recordings.end()) {
    Fail(404, "not_found", std::string(field) + ": no recording " + isrc, std::string(field));
  }
  const catalog::Recording& recording = state.registry->registry().recordings[it->second];
  if (!call.principal.admin() && !state.RecordingInReach(recording, call.principal.reach)) {
    Fail(403, "permission_denied",
         std::string(field) + ": recording " + isrc + " is not in the catalog of " +
             call.principal.party(),
         std::string(field));
  }
  return recording;
}

// ---------------------------------------------------------------------------------------------
// State.

void RegistryIndex::Build(const rights::Registry& registry) {
  parties.clear();
  works.clear();
  recordings.clear();
  agreements.clear();
  for (size_t i = 0; i < registry.parties.size(); ++i) parties[registry.parties[i].id] = i;
  for (size_t i = 0; i < registry.works.size(); ++i) works[registry.works[i].iswc.str()] = i;
  for (size_t i = 0; i < registry.recordings.size(); ++i) {
    recordings[registry.recordings[i].isrc.str()] = i;
  }
  for (size_t i = 0; i < registry.agreements.size(); ++i) agreements[registry.agreements[i].id] = i;
}

void Api::State::Refresh() {
  index.Build(registry->registry());
  snapshot = Check(registry->snapshot());
}

std::unordered_set<std::string> Api::State::Reach(const std::string& party) const {
  std::unordered_set<std::string> reach = {party};
  std::vector<std::string> pending = {party};
  const auto& parties = registry->registry().parties;
  while (!pending.empty()) {
    const std::string current = std::move(pending.back());
    pending.pop_back();
    auto it = index.parties.find(current);
    if (it == index.parties.end()) continue;
    for (const std::string& other : parties[it->second].acts_for) {
      if (reach.insert(other).second) pending.push_back(other);
    }
  }
  return reach;
}

bool Api::State::RecordingInReach(const catalog::Recording& recording,
                                  const std::unordered_set<std::string>& reach) const {
  for (const std::string& artist : recording.main_artists) {
    if (reach.contains(artist)) return true;
  }
  for (const std::string& artist : recording.featured_artists) {
    if (reach.contains(artist)) return true;
  }
  for (const catalog::Share& owner : recording.master_owners) {
    if (reach.contains(owner.party)) return true;
  }
  if (recording.work) {
    auto it = index.works.find(recording.work->str());
    if (it != index.works.end()) {
      const catalog::Work& work = registry->registry().works[it->second];
      for (const catalog::Share& share : work.writers) {
        if (reach.contains(share.party)) return true;
      }
      for (const catalog::Share& share : work.publishers) {
        if (reach.contains(share.party)) return true;
      }
    }
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// The API's own routes: health, description, the caller, tokens.

namespace {

HttpResponse Health(Api::State&, Call&) { return JsonResponse(200, {{"status", "ok"}}); }

HttpResponse OpenApi(Api::State&, Call&) {
  return TextResponse(200, "application/json", std::string(Api::OpenApiDocument()));
}

HttpResponse Me(Api::State& state, Call& call) {
  json out = TokenJson(call.principal.token);
  out["token_id"] = call.principal.token.id;
  std::shared_lock lock(state.registry_mu);
  auto it = state.index.parties.find(call.principal.party());
  out["party_name"] = it == state.index.parties.end()
                          ? json(nullptr)
                          : json(state.registry->registry().parties[it->second].name);
  return JsonResponse(200, out);
}

HttpResponse ListTokens(Api::State& state, Call& call) {
  const Page page = ParsePage(state, call);
  const std::vector<auth::TokenRecord> all = Check(state.tokens->List());
  return JsonResponse(200, PageOf(all, page, TokenJson));
}

HttpResponse CreateToken(Api::State& state, Call& call) {
  const json body = ParseBody(state, call);
  RejectUnknownFields(body, {"role", "party"});
  const auth::Role role = Check(auth::ParseRole(RequireString(body, "role")), "role");
  std::string party = OptionalString(body, "party").value_or("");
  {
    std::shared_lock lock(state.registry_mu);
    Check(ValidateTokenBinding(state.registry->registry(), role, party), "party");
  }
  auth::IssuedToken issued = Check(auth::IssueToken(role, std::move(party), Timestamp::Now()));
  Check(state.tokens->Add(issued.record));
  json out = TokenJson(issued.record);
  out["token"] = issued.text;  // shown once; only its hash is stored
  return JsonResponse(201, out);
}

HttpResponse RevokeToken(Api::State& state, Call& call) {
  const std::string& id = call.param(0);
  Check(state.tokens->Revoke(id, Timestamp::Now()), "id");
  {
    std::unique_lock lock(state.token_cache_mu);
    state.token_cache.erase(id);
  }
  return JsonResponse(200, TokenJson(*Check(state.tokens->Find(id))));
}

std::vector<Route> BuildRoutes() {
  std::vector<Route> routes = {
      {{"GET", "/api/health", "getHealth"}, kPublic, Health},
      {{"GET", "/api/openapi.json", "getOpenApi"}, kPublic, OpenApi},
      {{"GET", "/api/me", "getMe"}, kAnyRole, Me},
      {{"GET", "/api/tokens", "listTokens"}, kAdmin, ListTokens},
      {{"POST", "/api/tokens", "createToken"}, kAdmin, CreateToken},
      {{"DELETE", "/api/tokens/{id}", "revokeToken"}, kAdmin, RevokeToken},
  };
  AddRegistryRoutes(routes);
  AddLedgerRoutes(routes);
  AddRoyaltyRoutes(routes);
  AddTasteRoutes(routes);
  return routes;
}

const std::vector<Route>& AllRoutes() {
  static const std::vector<Route> routes = BuildRoutes();
  return routes;
}

// Splits "/api/a/b" into its segments; empty segments (a doubled or trailing slash) are kept
// so that "/api/parties/" never matches "/api/parties/{id}" with an empty id.
std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 1;  // paths begin with '/'
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    out.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

// Each route's pattern split once (AllRoutes order), rather than on every request.
const std::vector<std::vector<std::string_view>>& RouteSegments() {
  static const std::vector<std::vector<std::string_view>> segments = [] {
    std::vector<std::vector<std::string_view>> out;
    for (const Route& route : AllRoutes()) out.push_back(Segments(route.info.pattern));
    return out;
  }();
  return segments;
}

bool MatchPattern(const std::vector<std::string_view>& parts,
                  const std::vector<std::string_view>& segments, std::vector<std::string>* params) {
  if (parts.size() != segments.size()) return false;
  params->clear();
  for (size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].starts_with('{')) {
      if (segments[i].empty()) return false;
      params->emplace_back(segments[i]);
    } else if (parts[i] != segments[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

Status ValidateTokenBinding(const rights::Registry& registry, auth::Role role,
                            const std::string& party) {
  if (role == auth::Role::kAdmin) {
    if (!party.empty()) return InvalidArgumentError("an admin token is bound to no party");
    return OkStatus();
  }
  if (party.empty()) {
    return InvalidArgumentError("a " + std::string(auth::RoleName(role)) +
                                " token must be bound to a party");
  }
  if (role == auth::Role::kListener) {
    if (party.size() > 128) return InvalidArgumentError("a listener id has at most 128 characters");
    return OkStatus();  // pseudonymous listener ids are not registry parties
  }
  const catalog::Party* found = nullptr;
  for (const catalog::Party& p : registry.parties) {
    if (p.id == party) found = &p;
  }
  if (found == nullptr) return NotFoundError("no party " + party);
  using catalog::PartyKind;
  if (role == auth::Role::kArtist && found->kind != PartyKind::kArtist) {
    return InvalidArgumentError(
        party + " is a " + std::string(catalog::PartyKindName(found->kind)) + ", not an artist");
  }
  if (role == auth::Role::kRightsHolder && found->kind != PartyKind::kLabel &&
      found->kind != PartyKind::kDistributor && found->kind != PartyKind::kPublisher) {
    return InvalidArgumentError(party + " is a " +
                                std::string(catalog::PartyKindName(found->kind)) +
                                "; a rights holder is a label, distributor or publisher");
  }
  return OkStatus();
}

json TokenJson(const auth::TokenRecord& record) {
  return {{"id", record.id},
          {"role", auth::RoleName(record.role)},
          {"party", record.party},
          {"created", record.created.ToString()},
          {"revoked", record.revoked ? json(record.revoked->ToString()) : json(nullptr)}};
}

const std::vector<RouteInfo>& Api::Routes() {
  static const std::vector<RouteInfo> infos = [] {
    std::vector<RouteInfo> out;
    for (const Route& route : AllRoutes()) out.push_back(route.info);
    return out;
  }();
  return infos;
}

// ---------------------------------------------------------------------------------------------
// Api.

Api::Api(std::unique_ptr<State> state) : state_(std::move(state)) {}
Api::~Api() = default;

Status Api::SaveLedgerState() {
  std::unique_lock lock(state_->ledger_mu);
  return state_->ledger->SaveState();
}

Result<std::unique_ptr<Api>> Api::Open(const ApiOptions& options) {
  if (sodium_init() < 0) return InternalError("libsodium failed to initialise");
  auto state = std::make_unique<State>();
  state->options = options;
  ACCORD_ASSIGN_OR_RETURN(state->registry, service::RegistryService::Open(options.data_dir));
  ACCORD_ASSIGN_OR_RETURN(state->snapshot, state->registry->snapshot());
  state->index.Build(state->registry->registry());
  ACCORD_ASSIGN_OR_RETURN(state->ledger, ledger::Ledger::Open(options.data_dir));
  state->state_started_at = state->ledger->stats().state_events;
  ACCORD_ASSIGN_OR_RETURN(state->tokens, store::SqliteTokenStore::Open(options.data_dir));
  // The taste features are optional: a data directory without listening data serves
  // everything else, and the taste routes answer with the reason. The item indexes are built
  // here, not on the first request.
  Result<std::unique_ptr<service::TasteService>> taste =
      service::TasteService::Open(options.data_dir, {});
  if (taste.ok()) {
    Result<std::shared_ptr<const taste::Discovery>> discovery =
        (*taste)->DiscoveryFor(state->registry->registry(), state->snapshot);
    if (discovery.ok()) {
      state->taste = std::move(taste).value();
    } else {
      state->taste_status = discovery.status();
    }
  } else {
    state->taste_status = taste.status();
  }
  unsigned char prefix[3];
  randombytes_buf(prefix, sizeof(prefix));
  char hex[8];
  std::snprintf(hex, sizeof(hex), "%02x%02x%02x", prefix[0], prefix[1], prefix[2]);
  state->request_prefix = std::string("r-") + hex + "-";
  return std::unique_ptr<Api>(new Api(std::move(state)));
}

namespace {

// The token of the Authorization header, checked against the store (through the cache).
auth::TokenRecord Authenticate(Api::State& state, const HttpRequest& request) {
  const std::string& header = request.authorization;
  if (header.empty()) {
    Fail(401, "unauthenticated", "missing Authorization header (Bearer <token>)", "Authorization");
  }
  if (!header.starts_with("Bearer ")) {
    Fail(401, "unauthenticated", "Authorization: expected \"Bearer <token>\"", "Authorization");
  }
  Result<auth::ParsedToken> parsed = auth::ParseToken(std::string_view(header).substr(7));
  if (!parsed.ok()) Fail(401, "unauthenticated", parsed.status().message(), "Authorization");

  std::optional<auth::TokenRecord> record;
  const auto now = std::chrono::steady_clock::now();
  {
    std::shared_lock lock(state.token_cache_mu);
    auto it = state.token_cache.find(parsed->id);
    if (it != state.token_cache.end() && now - it->second.loaded < Api::State::kTokenCacheTtl) {
      record = it->second.record;
    }
  }
  if (!record) {
    record = Check(state.tokens->Find(parsed->id));
    if (record) {
      std::unique_lock lock(state.token_cache_mu);
      state.token_cache[parsed->id] = {*record, now};
    }
  }
  // One message for an unknown id and a wrong secret: the answer does not reveal which ids
  // exist.
  if (!record || !auth::Matches(*record, *parsed)) {
    Fail(401, "unauthenticated", "unknown token", "Authorization");
  }
  if (record->revoked) {
    Fail(401, "unauthenticated",
         "token " + record->id + " was revoked at " + record->revoked->ToString(), "Authorization");
  }
  return *record;
}

}  // namespace

Status Api::TasteStatus() const { return state_->taste_status; }

HttpResponse Api::Handle(const HttpRequest& request) {
  State& state = *state_;
  const std::string request_id =
      state.request_prefix + std::to_string(state.next_request.fetch_add(1));
  HttpResponse response;
  try {
    if (request.body.size() > state.options.limits.max_body_bytes) {
      Fail(413, "payload_too_large",
           "request body: " + std::to_string(request.body.size()) + " bytes, more than the " +
               std::to_string(state.options.limits.max_body_bytes) + " allowed");
    }
    const std::vector<std::string_view> segments = Segments(request.path);
    const Route* matched = nullptr;
    bool path_known = false;
    std::vector<std::string> params;
    const std::vector<Route>& routes = AllRoutes();
    const std::vector<std::vector<std::string_view>>& route_segments = RouteSegments();
    for (size_t r = 0; r < routes.size(); ++r) {
      const Route& route = routes[r];
      if (!MatchPattern(route_segments[r], segments, &params)) continue;
      path_known = true;
      if (route.info.method == request.method) {
        matched = &route;
        break;
      }
    }
    if (matched == nullptr) {
      if (path_known) {
        Fail(405, "method_not_allowed", request.method + " is not allowed on " + request.path);
      }
      Fail(404, "not_found", "no route " + request.method + " " + request.path);
    }
    Call call{request, std::move(params), {}, request_id};
    if (matched->roles != kPublic) {
      call.principal.token = Authenticate(state, request);
      if ((RoleBit(call.principal.role()) & matched->roles) == 0) {
        RequireRole(
            call, matched->roles,
            "call " + std::string(matched->info.method) + " " + std::string(matched->info.pattern));
      }
      if (!call.principal.admin()) {
        std::shared_lock lock(state.registry_mu);
        call.principal.reach = state.Reach(call.principal.party());
      }
    }
    response = matched->handler(state, call);
  } catch (const ApiFailure& failure) {
    response = ErrorResponse(failure, request_id);
  } catch (const std::exception& e) {
    response = ErrorResponse({500, "internal", std::string("internal error: ") + e.what(), ""},
                             request_id);
  } catch (...) {
    response = ErrorResponse({500, "internal", "internal error", ""}, request_id);
  }
  response.headers.emplace_back("X-Request-Id", request_id);
  return response;
}

}  // namespace accord::server
