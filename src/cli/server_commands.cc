// Verbs of the server layer: `serve` runs the HTTP JSON API and the portal over the data
// directory; `token create|list|revoke` manage API tokens without a running server (the way
// the first admin token is made). The work happens in server/ and auth/.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "cli/common.h"
#include "server/api.h"
#include "server/http_server.h"
#include "store/sqlite_token_store.h"

namespace accord::cli {
namespace {

using nlohmann::json;

// The portal's built files: --web, else $ACCORD_WEB, else web/dist under the working directory
// or beside the build folder the binary lives in. "" when none is found (API only).
std::string FindPortal(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("ACCORD_WEB"); env != nullptr && *env != '\0') return env;
  std::error_code error;
  if (std::filesystem::is_regular_file("web/dist/index.html", error)) return "web/dist";
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", error);
  if (!error) {
    const std::filesystem::path beside = exe.parent_path().parent_path() / "web" / "dist";
    if (std::filesystem::is_regular_file(beside / "index.html", error)) return beside.string();
  }
  return "";
}

void AddServe(CLI::App& app, Globals& g) {
  auto* serve = app.add_subcommand(
      "serve", "Run the HTTP JSON API (docs/api) and the portal until SIGTERM or Ctrl-C");
  static server::HttpServerOptions options;
  static std::string web;
  static uint64_t state_every = server::ApiOptions{}.state_every_events;
  serve->add_option("--host", options.host, "Address to listen on (default 127.0.0.1)");
  serve->add_option("--port", options.port, "Port (default 8080; 0: any free port)");
  serve->add_option("--threads", options.threads, "I/O threads (default: one per core)");
  serve->add_option("--web", web, "The portal's built files (default: $ACCORD_WEB, else web/dist)");
  serve->add_option("--state-every", state_every,
                    "Save the ledger's state file in the background after this many new events, "
                    "at most once every 5 minutes (default 2000000; 0: only at a stop), so that "
                    "a restart after a crash rebuilds fewer events from the log");
  serve->callback([&g] {
    std::unique_ptr<server::Api> api =
        Check(server::Api::Open({.data_dir = DataDir(g), .state_every_events = state_every}));
    if (Status taste = api->TasteStatus(); !taste.ok()) {
      std::cerr << "accord: taste routes off: " << taste.message() << std::endl;
    }
    options.static_dir = FindPortal(web);
    server::Api* handler = api.get();
    std::unique_ptr<server::HttpServer> http =
        Check(server::HttpServer::Start(options, [handler](const server::HttpRequest& request) {
          return handler->Handle(request);
        }));
    // Scripts wait for this line (and read the port from it when --port 0).
    std::cout << "accord: listening on http://" << options.host << ":" << http->port()
              << " (data: " << DataDir(g) << ", portal: "
              << (options.static_dir.empty() ? "none, build it with scripts/build_web.sh"
                                             : options.static_dir)
              << ")" << std::endl;
    server::RunUntilSignal(*http);
    // Stop() has let every request in flight finish; intake answered only after its fsync,
    // so nothing acknowledged can be lost. Closing the API closes the store and the ledger.
    http.reset();
    // The ledger's indexes and tree, so that the next start reads them instead of rebuilding
    // them from every record (docs/decisions/0013-ledger-state-file.md).
    if (Status saved = api->SaveLedgerState(); !saved.ok()) {
      std::cerr << "accord: warning: the ledger's state file was not written (the next start "
                   "rebuilds from the log): "
                << saved.ToString() << std::endl;
    }
    api.reset();
    std::cout << "accord: stopped" << std::endl;
  });
}

void AddToken(CLI::App& app, Globals& g) {
  auto* token = app.add_subcommand("token", "API tokens: create (shown once), list, revoke");
  token->require_subcommand(1);
  static std::string role, party, id;
  auto* create = token->add_subcommand("create", "Issue a token; its secret is printed once");
  create->add_option("--role", role, "admin, rights_holder, artist, listener or auditor")
      ->required();
  create->add_option("--party", party,
                     "The party it acts for (a listener id for listener; none for admin)");
  create->callback([&g] {
    const auth::Role parsed = ParseArg(auth::ParseRole(role), "--role");
    auto registry = OpenService(g);
    Check(server::ValidateTokenBinding(registry->registry(), parsed, party).WithPrefix("--party"));
    auto store = Check(store::SqliteTokenStore::Open(DataDir(g)));
    const auth::IssuedToken issued = Check(auth::IssueToken(parsed, party, Timestamp::Now()));
    Check(store->Add(issued.record));
    json out = server::TokenJson(issued.record);
    out["token"] = issued.text;
    Print(g, out,
          issued.text + "\n(token " + issued.record.id + ", " + role +
              (party.empty() ? "" : " for " + party) + "; shown once: only its hash is stored)\n");
  });
  auto* list = token->add_subcommand("list", "Every token: id, role, party, created, revoked");
  list->callback([&g] {
    auto store = Check(store::SqliteTokenStore::Open(DataDir(g)));
    json out = json::array();
    std::string text;
    for (const auth::TokenRecord& record : Check(store->List())) {
      out.push_back(server::TokenJson(record));
      text += record.id + "  " + std::string(auth::RoleName(record.role)) + "  " +
              (record.party.empty() ? "-" : record.party) + "  " + record.created.ToString() +
              (record.revoked ? "  revoked " + record.revoked->ToString() : "") + "\n";
    }
    Print(g, out, text.empty() ? "no tokens\n" : text);
  });
  auto* revoke =
      token->add_subcommand("revoke", "Revoke a token (a running server notices within 5 seconds)");
  revoke->add_option("id", id, "Token id (the 12 hex digits after acc_)")->required();
  revoke->callback([&g] {
    auto store = Check(store::SqliteTokenStore::Open(DataDir(g)));
    Check(store->Revoke(id, Timestamp::Now()));
    Print(g, json{{"id", id}, {"revoked", true}}, "revoked " + id + "\n");
  });
}

}  // namespace

void AddServerCommands(CLI::App& app, Globals& g) {
  AddServe(app, g);
  AddToken(app, g);
}

}  // namespace accord::cli
