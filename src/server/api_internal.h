// Internals of the API shared by its route files (api.cc, registry_routes.cc, ledger_routes.cc,
// royalty_routes.cc, taste_routes.cc). Not for use outside src/server.
//
// A handler receives the server State and the Call (request, path parameters, the caller's
// token) and returns a response, or throws ApiFailure through the Fail/Check helpers; Handle
// turns a failure into the JSON error body once, with the request id.
#ifndef ACCORD_SERVER_API_INTERNAL_H_
#define ACCORD_SERVER_API_INTERNAL_H_

#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "auth/token.h"
#include "ledger/ledger.h"
#include "rights/registry.h"
#include "rights/snapshot.h"
#include "server/api.h"
#include "service/registry_service.h"
#include "service/taste_service.h"
#include "service/views.h"

namespace accord::server {

using nlohmann::json;

// Lookups by id over the registry, rebuilt after every registry write.
struct RegistryIndex {
  std::unordered_map<std::string, size_t> parties;     // id → position in registry.parties
  std::unordered_map<std::string, size_t> works;       // ISWC text → position
  std::unordered_map<std::string, size_t> recordings;  // ISRC text → position
  std::unordered_map<std::string, size_t> agreements;  // id → position
  void Build(const rights::Registry& registry);
};

// Who is calling: the token's record (role, party) and the parties it may act for.
struct Principal {
  auth::TokenRecord token;
  // The bound party and every party it acts for, directly or through others (Party::acts_for).
  // Empty for admin, whose reach is everything.
  std::unordered_set<std::string> reach;
  bool admin() const { return token.role == auth::Role::kAdmin; }
  auth::Role role() const { return token.role; }
  const std::string& party() const { return token.party; }
};

struct Call {
  const HttpRequest& request;
  std::vector<std::string> params;  // the {placeholders} of the route's pattern, in order
  Principal principal;
  std::string request_id;
  const std::string& param(size_t i) const { return params[i]; }
};

// An error on its way to the client.
struct ApiFailure {
  int http_status;
  std::string code;
  std::string message;
  std::string field;
};

[[noreturn]] void Fail(int http_status, std::string code, std::string message,
                       std::string field = "");
// Maps a Status code to its HTTP status and error code (api.h lists them).
[[noreturn]] void Fail(const Status& status, std::string field = "");
inline void Check(const Status& status, std::string field = "") {
  if (!status.ok()) Fail(status, std::move(field));
}
template <typename T>
T Check(Result<T> result, std::string field = "") {
  if (!result.ok()) Fail(result.status(), std::move(field));
  return std::move(result).value();
}

class Api::State {
 public:
  ApiOptions options;

  // The registry and its compiled policy. Readers take registry_mu shared; a write takes it
  // exclusively, commits through the service, then rebuilds the index and the snapshot.
  std::shared_mutex registry_mu;
  std::unique_ptr<service::RegistryService> registry;
  std::shared_ptr<const rights::Snapshot> snapshot;
  RegistryIndex index;

  // The ledger is single-threaded (ledger.h): intake and checkpoints take ledger_mu
  // exclusively, reads take it shared (its const methods only read memory and pread).
  std::shared_mutex ledger_mu;
  std::unique_ptr<ledger::Ledger> ledger;
  // The ledger's size when its last state file was started (under ledger_mu): see
  // ApiOptions::state_every_events.
  uint64_t state_started_at = 0;
  std::optional<std::chrono::steady_clock::time_point> state_started_time;

  std::mutex runs_mu;  // one royalty run written at a time

  // The taste features (taste_routes.cc), loaded once at Open; null when the data directory
  // has no listening data or model, and taste_status then says why (naming what to run).
  std::unique_ptr<service::TasteService> taste;
  Status taste_status;

  std::unique_ptr<auth::TokenRepository> tokens;
  // Recently seen tokens, so that a request costs no database read. An entry is trusted for
  // kTokenCacheTtl, then read again, so a revocation made by another process (the CLI) takes
  // effect within that time; one made through the API takes effect at once.
  struct CachedToken {
    auth::TokenRecord record;
    std::chrono::steady_clock::time_point loaded;
  };
  static constexpr std::chrono::seconds kTokenCacheTtl{5};
  std::shared_mutex token_cache_mu;
  std::unordered_map<std::string, CachedToken> token_cache;

  std::string request_prefix;  // random per process, so ids from two runs never collide
  std::atomic<uint64_t> next_request{1};

  // After a registry write (caller holds registry_mu exclusively).
  void Refresh();
  // The parties `party` may act for, itself included (caller holds registry_mu).
  std::unordered_set<std::string> Reach(const std::string& party) const;
  // Whether `recording` belongs to any party of `reach`: as an artist, master owner, or writer
  // or publisher of its work (caller holds registry_mu).
  bool RecordingInReach(const catalog::Recording& recording,
                        const std::unordered_set<std::string>& reach) const;
};

// Handlers and the route table.
using Handler = HttpResponse (*)(Api::State& state, Call& call);
inline constexpr uint8_t RoleBit(auth::Role role) {
  return static_cast<uint8_t>(1u << static_cast<int>(role));
}
inline constexpr uint8_t kPublic = 0;  // no token needed
inline constexpr uint8_t kAdmin = RoleBit(auth::Role::kAdmin);
inline constexpr uint8_t kRightsHolder = RoleBit(auth::Role::kRightsHolder);
inline constexpr uint8_t kArtist = RoleBit(auth::Role::kArtist);
inline constexpr uint8_t kListener = RoleBit(auth::Role::kListener);
inline constexpr uint8_t kAuditor = RoleBit(auth::Role::kAuditor);
inline constexpr uint8_t kAnyRole = kAdmin | kRightsHolder | kArtist | kListener | kAuditor;

struct Route {
  RouteInfo info;
  uint8_t roles;  // who may call it at all; each handler then checks the object
  Handler handler;
};
void AddRegistryRoutes(std::vector<Route>& routes);  // registry_routes.cc
void AddLedgerRoutes(std::vector<Route>& routes);    // ledger_routes.cc
void AddRoyaltyRoutes(std::vector<Route>& routes);   // royalty_routes.cc
void AddTasteRoutes(std::vector<Route>& routes);     // taste_routes.cc

// Request helpers.
// The body as a JSON object: 400 naming the problem for an empty body, malformed JSON, nesting
// deeper than the limit, or a value that is not an object.
json ParseBody(const Api::State& state, const Call& call);
// Depth of the deepest array/object nesting in `text` (strings skipped), without parsing.
int JsonDepth(std::string_view text);
// A fast path for small request bodies of one fixed, flat shape, read without building a JSON
// document: an object whose members are all among `string_keys`, each with a string value,
// plus at most the member `list_key` (when not empty) with an array of strings. Strings must be
// printable ASCII without escapes, keys may not repeat, and the body may hold nothing else but
// JSON whitespace. Such a body means the same to ParseBody, so a handler that reads it here and
// applies the same checks in the same order answers exactly as it would from the document.
// Returns false (leaving `out` unspecified) for any other body (malformed, escaped or
// non-ASCII strings, other value types, unknown or repeated keys, nesting over the limit): the
// handler then takes its ParseBody path, which finds and names the problem.
struct FlatBody {
  static constexpr size_t kMaxKeys = 8;
  // The value of string_keys[k], when present; views into the request body.
  std::array<std::optional<std::string_view>, kMaxKeys> strings;
  bool has_list = false;
  std::vector<std::string_view> list;  // the strings of list_key's array, in order
};
bool ScanFlatBody(const Api::State& state, std::string_view body,
                  std::initializer_list<std::string_view> string_keys, std::string_view list_key,
                  FlatBody* out);
// A string member; 400 naming `key` when it is missing or not a string.
std::string RequireString(const json& body, const char* key);
std::optional<std::string> OptionalString(const json& body, const char* key);
// Refuses members outside `allowed` (a field a role may not set is refused, not ignored).
void RejectUnknownFields(const json& body, std::initializer_list<std::string_view> allowed);
// A non-negative decimal integer; 400 naming `field` ("expected <what>") otherwise.
uint64_t ParseUnsigned(std::string_view text, const char* field, const char* what);
// A query parameter parsed as time ("now" or ISO 8601); nullopt when absent.
std::optional<Timestamp> TimeParam(const Call& call, const char* name);

// Paging: ?limit=N (1..max_page, default default_page) & ?cursor=<offset>.
struct Page {
  size_t offset = 0;
  size_t limit = 0;
};
Page ParsePage(const Api::State& state, const Call& call);
// {"items":[...page...],"next_cursor":"<offset>"|null} for `total` items of which `items` are
// those from page.offset.
json PagedJson(json items, const Page& page, size_t total);
template <typename T, typename ToJson>
json PageOf(const std::vector<T>& all, const Page& page, ToJson to_json) {
  json items = json::array();
  for (size_t i = page.offset; i < all.size() && i < page.offset + page.limit; ++i) {
    items.push_back(to_json(all[i]));
  }
  return PagedJson(std::move(items), page, all.size());
}

HttpResponse JsonResponse(int status, const json& body);
// `text` as a JSON string, in the bytes JsonResponse would write for it.
void AppendJsonString(std::string* out, std::string_view text);
// service::DecisionJson(query, decision) in the bytes JsonResponse would write for it, without
// building the document (a single decision's answer is most of its route's allocations).
std::string DecisionAnswerJson(const service::DecisionQuery& query,
                               const rights::Decision& decision);
HttpResponse TextResponse(int status, std::string content_type, std::string body);

// Access helpers (caller holds registry_mu shared).
void RequireRole(const Call& call, uint8_t roles, std::string_view what);
// 403 unless the caller is admin or `party` is in its reach.
void RequirePartyInReach(const Call& call, const std::string& party, std::string_view field);
// Whether the caller may see the recording `isrc` names: it exists and the caller is admin or it
// is in its reach. RequireRecordingAccess says why not.
bool RecordingAccessible(const Api::State& state, const Call& call, const std::string& isrc);
// 404 for an unknown recording; 403 unless admin or in the caller's reach.
const catalog::Recording& RequireRecordingAccess(const Api::State& state, const Call& call,
                                                 const std::string& isrc, std::string_view field);

}  // namespace accord::server

#endif  // ACCORD_SERVER_API_INTERNAL_H_
