// Api: accord's HTTP JSON API as a function from request to response.
//
// It owns everything the server serves from one data directory: the registry service (store,
// registry, policy snapshot), the usage ledger, the royalty runs on disk, the API tokens, and
// the taste service (listening data and model) when one has been trained.
// Each request is authenticated (Authorization: Bearer <token>, auth/token.h), routed by
// method and path (the table is routes(); docs/api/openapi.json lists the same routes and a
// test keeps the two equal), checked against what the caller's role may do with that object
// (docs/api/README.md), and answered with JSON.
//
//   ACCORD_ASSIGN_OR_RETURN(std::unique_ptr<Api> api, Api::Open({.data_dir = "./accord-data"}));
//   HttpResponse response = api->Handle(request);   // from any thread
//
// Errors are JSON with a stable code, a message naming the field, and the request id (also in
// the X-Request-Id header):
//   {"error":{"code":"invalid_argument","message":"scope: unknown scope ...","field":"scope",
//             "request_id":"r-5f3a9c-000012"}}
// Codes and statuses: invalid_argument 400, unauthenticated 401, permission_denied 403,
// not_found 404, method_not_allowed 405, already_exists 409, conflict 409,
// failed_precondition 409, payload_too_large 413, refused 422 (a use the policy does not
// allow), data_loss 500, internal 500.
//
// Thread safety: Handle may be called from many threads at once. Reads (decisions, lists,
// proofs, statements) share the state; writes to the registry, the ledger and the runs are
// serialised per component. An acknowledged write (201/200 from a POST) is durable: the
// registry commits in SQLite with synchronous=FULL and the ledger fsyncs before answering.
#ifndef ACCORD_SERVER_API_H_
#define ACCORD_SERVER_API_H_

#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "auth/token.h"
#include "core/status.h"
#include "rights/registry.h"
#include "server/http.h"

namespace accord::server {

struct ApiLimits {
  size_t max_body_bytes = 64 << 20;  // larger bodies: 413 payload_too_large
  int max_json_depth = 32;           // deeper nesting: 400 before parsing
  size_t max_batch_decisions = 10'000;
  size_t max_bulk_events = 100'000;  // lines in one POST /api/usage/bulk
  size_t default_page = 100;
  size_t max_page = 1'000;
};

struct ApiOptions {
  std::string data_dir = "";
  ApiLimits limits = {};
  // After this many events recorded since the last state file, intake starts a background
  // save of the ledger's state (Ledger::StartBackgroundSave), so that a restart after a crash
  // rebuilds fewer events from the log; 0: save only at a stop. Saves start at most once per
  // kMinSecondsBetweenStateSaves: a save writes about 210 bytes per event in the ledger, and
  // back to back under full intake they took a third of its rate (docs/api/README.md).
  uint64_t state_every_events = 2'000'000;
  static constexpr int64_t kMinSecondsBetweenStateSaves = 300;
};

// One route of the table: what the OpenAPI description and the access test enumerate.
struct RouteInfo {
  std::string_view method;     // "GET", "POST", "DELETE"
  std::string_view pattern;    // "/api/parties/{id}/consents"
  std::string_view operation;  // the OpenAPI operationId, "listPartyConsents"
};

// Whether a token of `role` may be bound to `party`: admin to none; listener to a pseudonymous
// listener id (not a registry party); artist to an artist; rights_holder to a label,
// distributor or publisher; auditor to any registry party. NotFound for an unknown party,
// InvalidArgument for a kind that does not fit the role.
Status ValidateTokenBinding(const rights::Registry& registry, auth::Role role,
                            const std::string& party);

// A token as the API and the CLI show it: id, role, party, created, revoked; never the secret.
nlohmann::json TokenJson(const auth::TokenRecord& record);

class Api {
 public:
  // Opens the registry (SQLite), the ledger (recovering it) and the token store in
  // `options.data_dir`, creating them when missing. Errors pass through from the store and the
  // ledger (FailedPrecondition, DataLoss naming file and offset).
  static Result<std::unique_ptr<Api>> Open(const ApiOptions& options);
  ~Api();

  // OK when the taste routes are served; otherwise why not (FailedPrecondition naming the
  // command to run when the data directory has no listening data or model).
  Status TasteStatus() const;

  // Saves the ledger's state file (ledger::Ledger::SaveState), so that the next start reads the
  // ledger's indexes instead of rebuilding them; `accord serve` calls it once the server has
  // stopped. Only a cache: an error loses nothing, the next start rebuilds from the log.
  Status SaveLedgerState();

  // Never throws: a handler's unexpected exception becomes 500 internal with the request id.
  HttpResponse Handle(const HttpRequest& request);

  // Every route, in the order they are matched.
  static const std::vector<RouteInfo>& Routes();

  // The OpenAPI 3 description served at /api/openapi.json (docs/api/openapi.json, compiled in).
  static std::string_view OpenApiDocument();

  class State;  // defined in api_internal.h

 private:
  explicit Api(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace accord::server

#endif  // ACCORD_SERVER_API_H_
