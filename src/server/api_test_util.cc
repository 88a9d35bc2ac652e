#include "server/api_test_util.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "service/registry_service.h"
#include "service/taste_service.h"
#include "store/sqlite_token_store.h"

namespace accord::server {
namespace {

[[noreturn]] void Abort(const std::string& what) {
  std::fprintf(stderr, "DemoServer: %s\n", what.c_str());
  std::abort();
}

void Expect(const HttpResponse& response, int status, const std::string& what) {
  if (response.status != status) {
    Abort(what + ": HTTP " + std::to_string(response.status) + " " + response.body);
  }
}

// "/api/x?a=b&c=d" into path and query (the tests write targets unencoded).
HttpRequest Parse(const std::string& method, const std::string& target) {
  HttpRequest request;
  request.method = method;
  const size_t question = target.find('?');
  request.path = target.substr(0, question);
  if (question != std::string::npos) {
    std::stringstream query(target.substr(question + 1));
    std::string pair;
    while (std::getline(query, pair, '&')) {
      const size_t eq = pair.find('=');
      request.query.emplace_back(pair.substr(0, eq),
                                 eq == std::string::npos ? "" : pair.substr(eq + 1));
    }
  }
  return request;
}

}  // namespace

std::string ReadSourceFile(const std::string& relative_path) {
  const std::string path = std::string(ACCORD_SOURCE_DIR) + "/" + relative_path;
  std::ifstream in(path, std::ios::binary);
  if (!in) Abort("cannot read " + path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

DemoServer::DemoServer() {
  dir_ = (std::filesystem::temp_directory_path() /
          ("accord-api-test-" + std::to_string(::getpid()) + "-" +
           std::to_string(reinterpret_cast<uintptr_t>(this))))
             .string();
  std::filesystem::remove_all(dir_);
  {
    auto service = service::RegistryService::Open(dir_);
    if (!service.ok()) Abort(service.status().ToString());
    auto imported = (*service)->ImportFiles({std::string(ACCORD_SOURCE_DIR) + "/demo/demo.json"});
    if (!imported.ok()) Abort(imported.status().ToString());
  }
  {
    // The demo's listening history and a small model, so the taste routes have one to serve.
    taste::ListeningBuilder builder;
    taste::ImportReport report;
    Status added =
        builder.AddGenericFile(std::string(ACCORD_SOURCE_DIR) + "/demo/listening.csv", {}, &report);
    if (!added.ok()) Abort(added.ToString());
    auto listening = std::move(builder).Build();
    if (!listening.ok()) Abort(listening.status().ToString());
    Status saved = listening->Save(service::TasteListeningPath(dir_));
    if (!saved.ok()) Abort(saved.ToString());
    taste::AlsOptions options;
    options.factors = 8;
    options.iterations = 10;
    options.regularization = 0.1f;
    auto model = taste::TrainAls(listening->plays(), options);
    if (!model.ok()) Abort(model.status().ToString());
    saved =
        model->Save(service::TasteModelPath(dir_), taste::ListeningFingerprint(listening->plays()));
    if (!saved.ok()) Abort(saved.ToString());
  }
  tokens_[auth::Role::kAdmin] = IssueToken(auth::Role::kAdmin, "");
  tokens_[auth::Role::kRightsHolder] = IssueToken(auth::Role::kRightsHolder, kRightsHolderParty);
  tokens_[auth::Role::kArtist] = IssueToken(auth::Role::kArtist, kArtistParty);
  tokens_[auth::Role::kListener] = IssueToken(auth::Role::kListener, kListenerParty);
  tokens_[auth::Role::kAuditor] = IssueToken(auth::Role::kAuditor, kAuditorParty);
  auto api = Api::Open({.data_dir = dir_});
  if (!api.ok()) Abort(api.status().ToString());
  api_ = std::move(api).value();

  using nlohmann::json;
  const auth::Role admin = auth::Role::kAdmin;
  // Kofi's remix opt-in, as the demo makes it, so the July remix event is allowed.
  Expect(As(admin, "POST", "/api/parties/artist:kofi-mensah/consents",
            {{"scope", "remix"}, {"choice", "opt_in"}, {"effective", "2026-06-15T12:00:00Z"}}),
         201, "kofi's consent");
  // A future takedown on each side, so both an own and a foreign takedown exist.
  for (const auto& [id, isrc] :
       {std::pair{"TD-OWN", "QZDMO2600001"}, {"TD-FOREIGN", "QZDMO2600004"}}) {
    Expect(As(admin, "POST", "/api/takedowns",
              {{"id", id},
               {"recording", isrc},
               {"action", "block"},
               {"effective", "2030-01-01T00:00:00Z"},
               {"reason", "test"}}),
           201, "takedown");
  }
  // The demo's events, and one use of a recording outside every test token's reach.
  std::string events = ReadSourceFile("demo/events.jsonl");
  events += R"({"id":"foreign-dj-0001","time":"2026-07-10T20:00:00Z","listener":"l-foreign",)"
            R"("territory":"DE","scope":"dj","feature":"dj","recordings":[{"isrc":"QZDMO2600004",)"
            R"("weight_ppm":1000000}],"duration_ms":185000,"session":"s-f"})"
            "\n";
  Expect(Call("POST", "/api/usage/bulk", events, token(admin)), 200, "usage");
  Expect(As(admin, "POST", "/api/ledger/checkpoints"), 201, "checkpoint");
  Expect(As(admin, "POST", "/api/royalties/runs",
            {{"period", "2026-07"}, {"pools", json::parse(ReadSourceFile("demo/pools.json"))}}),
         201, "royalty run");
}

DemoServer::~DemoServer() {
  api_.reset();
  std::filesystem::remove_all(dir_);
}

std::string DemoServer::IssueToken(auth::Role role, const std::string& party) {
  auto store = store::SqliteTokenStore::Open(dir_);
  if (!store.ok()) Abort(store.status().ToString());
  auto issued = auth::IssueToken(role, party, Timestamp::Now());
  if (!issued.ok()) Abort(issued.status().ToString());
  Status added = (*store)->Add(issued->record);
  if (!added.ok()) Abort(added.ToString());
  return issued->text;
}

HttpResponse DemoServer::Call(const std::string& method, const std::string& target,
                              const std::string& body, const std::string& token) {
  HttpRequest request = Parse(method, target);
  request.body = body;
  if (!token.empty()) request.authorization = "Bearer " + token;
  return api_->Handle(request);
}

HttpResponse DemoServer::As(auth::Role role, const std::string& method, const std::string& target,
                            const nlohmann::json& body) {
  const std::string text = body.is_null()     ? ""
                           : body.is_string() ? body.get<std::string>()
                                              : body.dump();
  return Call(method, target, text, token(role));
}

}  // namespace accord::server
