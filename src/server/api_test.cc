// The API's behaviour: the description matches the routes, errors have their
// shape, limits hold, paging works, and each resource does what its route says
// (the access rules are in api_access_test.cc).
#include "server/api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "ledger/ledger.h"
#include "server/api_internal.h"
#include "server/api_test_util.h"
#include "store/sqlite_token_store.h"

namespace accord::server {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
const auth::Role kAdmin = auth::Role::kAdmin;
const auth::Role kArtist = auth::Role::kArtist;

class ApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new DemoServer(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static json Body(const HttpResponse& response) { return json::parse(response.body); }
  static DemoServer* server_;
};
DemoServer* ApiTest::server_ = nullptr;

TEST(ApiRoutesTest, OpenApiDescriptionListsExactlyTheServedRoutes) {
  const json doc = json::parse(Api::OpenApiDocument());
  EXPECT_EQ(doc["openapi"].get<std::string>().substr(0, 2), "3.");
  std::set<std::string> described, served, operations;
  for (const auto& [path, methods] : doc["paths"].items()) {
    for (const auto& [method, operation] : methods.items()) {
      std::string upper = method;
      for (char& c : upper) c = static_cast<char>(std::toupper(c));
      described.insert(upper + " " + path + " " + operation["operationId"].get<std::string>());
    }
  }
  for (const RouteInfo& route : Api::Routes()) {
    const std::string key = std::string(route.method) + " " + std::string(route.pattern) + " " +
                            std::string(route.operation);
    EXPECT_TRUE(served.insert(key).second) << "route listed twice: " << key;
    EXPECT_TRUE(operations.insert(std::string(route.operation)).second)
        << "operationId used twice: " << route.operation;
  }
  EXPECT_EQ(described, served);
}

// The batch route looks recordings up by their text with the snapshot's FindRecordingCode,
// parsing only what it declines: it must find every recording at its index, find nothing for
// codes the snapshot does not hold, and decline text Isrc::Parse would change or refuse.
TEST(RecordingLookupTest, FindsExactlyTheSnapshotsRecordings) {
  rights::Registry registry;
  registry.parties.push_back({"artist:a", catalog::PartyKind::kArtist, "A", std::nullopt, {}});
  registry.parties.push_back({"label:l", catalog::PartyKind::kLabel, "L", std::nullopt, {}});
  std::mt19937_64 rng(7);
  const std::string letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  const std::string alnum = letters + "0123456789";
  auto random_code = [&] {
    std::string code;
    for (int i = 0; i < 12; ++i) {
      const std::string& from = i < 2 ? letters : i < 5 ? alnum : std::string("0123456789");
      code += from[rng() % from.size()];
    }
    return code;
  };
  std::set<std::string> used;
  while (registry.recordings.size() < 20'000) {
    std::string code = random_code();
    if (registry.recordings.size() % 100 == 0) code = "ZZ9" + code.substr(3);  // near the top
    if (!used.insert(code).second) continue;
    catalog::Recording recording;
    recording.isrc = *Isrc::Parse(code);
    recording.title = "R";
    recording.main_artists = {"artist:a"};
    recording.master_owners = {{"label:l", 1'000'000}};
    registry.recordings.push_back(std::move(recording));
  }
  const std::shared_ptr<const rights::Snapshot> snapshot = *rights::Snapshot::Build(registry);
  // Where the snapshot holds `code`: its recording must carry that code; else nothing found.
  auto expect_found_as_held = [&](const std::string& code, std::optional<uint32_t> found) {
    if (used.contains(code)) {
      ASSERT_TRUE(found.has_value()) << code;
      EXPECT_EQ(snapshot->recording_isrc(*found).str(), code);
    } else {
      EXPECT_EQ(found, std::nullopt) << code;
    }
  };
  for (uint32_t i = 0; i < snapshot->recording_count(); ++i) {
    const Isrc& isrc = snapshot->recording_isrc(i);
    EXPECT_EQ(snapshot->FindRecording(isrc), std::optional<uint32_t>(i)) << isrc.str();
    std::optional<uint32_t> by_code;
    ASSERT_TRUE(snapshot->FindRecordingCode(isrc.str(), &by_code)) << isrc.str();
    EXPECT_EQ(by_code, std::optional<uint32_t>(i)) << isrc.str();
    std::string neighbour = isrc.str();
    neighbour.back() = neighbour.back() == '9' ? '0' : static_cast<char>(neighbour.back() + 1);
    const Isrc other = *Isrc::Parse(neighbour);
    expect_found_as_held(neighbour, snapshot->FindRecording(other));
    ASSERT_TRUE(snapshot->FindRecordingCode(neighbour, &by_code)) << neighbour;
    EXPECT_EQ(by_code, snapshot->FindRecording(other)) << neighbour;
    // Text Isrc::Parse would change (or refuse) is left to the caller to parse.
    std::string lower = isrc.str();
    lower[0] = static_cast<char>(lower[0] - 'A' + 'a');
    for (const std::string& text : {lower, isrc.str().substr(0, 2) + "-" + isrc.str().substr(2),
                                    isrc.str().substr(1), "ISRC " + isrc.str()}) {
      EXPECT_FALSE(snapshot->FindRecordingCode(text, &by_code)) << text;
    }
  }
  for (int i = 0; i < 20'000; ++i) {
    const Isrc absent = *Isrc::Parse(random_code());
    expect_found_as_held(absent.str(), snapshot->FindRecording(absent));
    std::optional<uint32_t> by_code;
    ASSERT_TRUE(snapshot->FindRecordingCode(absent.str(), &by_code)) << absent.str();
    EXPECT_EQ(by_code, snapshot->FindRecording(absent)) << absent.str();
  }
}

TEST(JsonWritingTest, StringsAreWrittenAsTheJsonLibraryWritesThem) {
  for (const std::string& text :
       {std::string(""), std::string("plain"), std::string("say \"hi\""),
        std::string("back\\slash"), std::string("tab\tnew\nline"), std::string("nul\0in", 6),
        std::string("del\x7f"), std::string("Bj\xc3\xb6rk"), std::string("bad \xff utf-8"),
        std::string("\xe2\x82")}) {
    std::string written;
    AppendJsonString(&written, text);
    EXPECT_EQ(written, json(text).dump(-1, ' ', false, json::error_handler_t::replace)) << text;
  }
}

// The single decision's answer is written directly: byte for byte what DecisionJson gives, for
// every recording of the demo world in scopes, territories and moments that allow and refuse.
TEST_F(ApiTest, DecisionAnswersAreTheBytesOfDecisionJson) {
  std::unique_ptr<service::RegistryService> registry =
      *service::RegistryService::Open(server_->data_dir());
  const std::shared_ptr<const rights::Snapshot> snapshot = *registry->snapshot();
  size_t allowed = 0, refused = 0;
  for (const rights::Scope scope : rights::kAllScopes) {
    for (const char* code : {"US", "DE", "SE", "JP"}) {
      const Territory territory = *Territory::Parse(code);
      for (const char* when : {"2025-01-01T00:00:00Z", "2026-06-01T00:00:00Z"}) {
        const Timestamp at = *Timestamp::Parse(when);
        for (uint32_t i = 0; i < snapshot->recording_count(); ++i) {
          const service::DecisionQuery query{scope, snapshot->recording_isrc(i), territory, at};
          const rights::Decision decision = snapshot->Decide(scope, i, territory, at);
          (decision.allowed ? allowed : refused) += 1;
          EXPECT_EQ(DecisionAnswerJson(query, decision),
                    service::DecisionJson(query, decision)
                        .dump(-1, ' ', false, json::error_handler_t::replace));
        }
      }
    }
  }
  EXPECT_GT(allowed, 0u);
  EXPECT_GT(refused, 0u);
}

TEST_F(ApiTest, ServesItsDescription) {
  const HttpResponse response = server_->Call("GET", "/api/openapi.json", "", "");
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(response.body, Api::OpenApiDocument());
}

TEST_F(ApiTest, ErrorsCarryCodeMessageFieldAndRequestId) {
  const HttpResponse response =
      server_->As(kAdmin, "POST", "/api/decisions",
                  json{{"scope", "karaoke"}, {"recording", "QZDMO2600001"}, {"territory", "DE"}});
  ASSERT_EQ(response.status, 400);
  const json error = Body(response)["error"];
  EXPECT_EQ(error["code"], "invalid_argument");
  EXPECT_EQ(error["field"], "scope");
  EXPECT_THAT(error["message"].get<std::string>(), HasSubstr("karaoke"));
  const std::string id = error["request_id"];
  EXPECT_THAT(id, ::testing::StartsWith("r-"));
  bool header = false;
  for (const auto& [name, value] : response.headers)
    header = header || (name == "X-Request-Id" && value == id);
  EXPECT_TRUE(header);

  // Request ids are unique.
  const HttpResponse again = server_->Call("GET", "/api/nowhere", "", "");
  EXPECT_EQ(again.status, 404);
  EXPECT_NE(Body(again)["error"]["request_id"], id);
}

TEST_F(ApiTest, UnknownRouteAndWrongMethod) {
  EXPECT_EQ(server_->As(kAdmin, "GET", "/api/parties/").status, 404);
  const HttpResponse wrong = server_->As(kAdmin, "PUT", "/api/parties");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(Body(wrong)["error"]["code"], "method_not_allowed");
}

TEST_F(ApiTest, BadTokensAreUnauthenticated) {
  for (const std::string& header :
       {std::string("Basic abc"), std::string("Bearer nope"),
        std::string("Bearer acc_000000000000_") + std::string(64, '0')}) {
    HttpRequest request;
    request.method = "GET";
    request.path = "/api/me";
    request.authorization = header;
    const HttpResponse response = server_->api().Handle(request);
    EXPECT_EQ(response.status, 401) << header;
    EXPECT_EQ(Body(response)["error"]["code"], "unauthenticated");
    EXPECT_EQ(Body(response)["error"]["field"], "Authorization");
  }
}

TEST_F(ApiTest, TokenSecretShownOnceAndRevocationTakesEffect) {
  const HttpResponse created = server_->As(
      kAdmin, "POST", "/api/tokens", json{{"role", "artist"}, {"party", "artist:kofi-mensah"}});
  ASSERT_EQ(created.status, 201) << created.body;
  const json token = Body(created);
  const std::string secret = token["token"];
  EXPECT_EQ(server_->Call("GET", "/api/me", "", secret).status, 200);
  EXPECT_EQ(Body(server_->Call("GET", "/api/me", "", secret))["party_name"], "Kofi Mensah");

  const HttpResponse listed = server_->As(kAdmin, "GET", "/api/tokens?limit=1000");
  EXPECT_THAT(listed.body, HasSubstr(token["id"].get<std::string>()));
  EXPECT_THAT(listed.body, ::testing::Not(HasSubstr(secret.substr(17))));

  ASSERT_EQ(server_->As(kAdmin, "DELETE", "/api/tokens/" + token["id"].get<std::string>()).status,
            200);
  const HttpResponse refused = server_->Call("GET", "/api/me", "", secret);
  EXPECT_EQ(refused.status, 401);
  EXPECT_THAT(refused.body, HasSubstr("revoked"));
}

TEST_F(ApiTest, TokenBindingMustFitTheRole) {
  auto create = [](json body) { return server_->As(kAdmin, "POST", "/api/tokens", body); };
  EXPECT_EQ(create({{"role", "artist"}, {"party", "label:atlas"}}).status, 400);
  EXPECT_EQ(create({{"role", "rights_holder"}, {"party", "artist:muldjord"}}).status, 400);
  EXPECT_EQ(create({{"role", "artist"}, {"party", "artist:nobody"}}).status, 404);
  EXPECT_EQ(create({{"role", "admin"}, {"party", "label:atlas"}}).status, 400);
  EXPECT_EQ(create({{"role", "root"}}).status, 400);
  // A field a caller may not set is refused, not ignored.
  const HttpResponse extra = create({{"role", "admin"}, {"hash", "00"}});
  EXPECT_EQ(extra.status, 400);
  EXPECT_EQ(Body(extra)["error"]["field"], "hash");
}

TEST_F(ApiTest, BodyLimitsAndMalformedJson) {
  auto post = [](const std::string& body) {
    return server_->Call("POST", "/api/decisions", body, server_->token(kAdmin));
  };
  const HttpResponse deep = post(std::string(100, '[') + std::string(100, ']'));
  EXPECT_EQ(deep.status, 400);
  EXPECT_THAT(deep.body, HasSubstr("nested deeper"));
  const HttpResponse broken = post("{\"scope\":");
  EXPECT_EQ(broken.status, 400);
  EXPECT_THAT(broken.body, HasSubstr("not valid JSON"));
  EXPECT_EQ(post("[1,2]").status, 400);
  EXPECT_EQ(post("").status, 400);
  const HttpResponse big = post(std::string((64 << 20) + 1, ' '));
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(Body(big)["error"]["code"], "payload_too_large");
}

TEST_F(ApiTest, ListsPage) {
  const json first = Body(server_->As(kAdmin, "GET", "/api/parties?limit=4"));
  ASSERT_EQ(first["items"].size(), 4u);
  ASSERT_TRUE(first["next_cursor"].is_string());
  const json second = Body(server_->As(
      kAdmin, "GET", "/api/parties?limit=4&cursor=" + first["next_cursor"].get<std::string>()));
  EXPECT_NE(first["items"][0]["id"], second["items"][0]["id"]);
  EXPECT_EQ(first["total"], second["total"]);
  const json all = Body(server_->As(kAdmin, "GET", "/api/parties?limit=1000"));
  EXPECT_TRUE(all["next_cursor"].is_null());
  EXPECT_EQ(all["items"].size(), all["total"].get<size_t>());
  EXPECT_EQ(server_->As(kAdmin, "GET", "/api/parties?limit=1001").status, 400);
  EXPECT_EQ(server_->As(kAdmin, "GET", "/api/parties?limit=0").status, 400);
  EXPECT_EQ(server_->As(kAdmin, "GET", "/api/parties?cursor=x").status, 400);
}

TEST_F(ApiTest, ConsentFlipChangesTheDecision) {
  // Muldjord opted in to remixes in January; the openwave agreement covers
  // remix worldwide but CN and RU, and the harbor publisher deal covers the
  // composition outside the US.
  auto decide = [] {
    return Body(
        server_->As(kArtist, "POST", "/api/decisions",
                    json{{"scope", "remix"}, {"recording", "QZDMO2600001"}, {"territory", "SE"}}));
  };
  const bool before = decide()["allowed"];
  const std::string flipped = before ? "opt_out" : "opt_in";
  const HttpResponse set = server_->As(kArtist, "POST", "/api/parties/artist:muldjord/consents",
                                       json{{"scope", "remix"}, {"choice", flipped}});
  ASSERT_EQ(set.status, 201) << set.body;
  EXPECT_EQ(Body(set)["recorded_by"], "artist:muldjord");
  EXPECT_EQ(Body(set)["method"], "api");
  const json after = decide();
  EXPECT_NE(after["allowed"].get<bool>(), before) << after.dump();

  const json consents = Body(server_->As(kArtist, "GET", "/api/parties/artist:muldjord/consents"));
  const json& remix = consents["scopes"][3];
  EXPECT_EQ(remix["scope"], "remix");
  EXPECT_EQ(remix["choice"], flipped);
  EXPECT_EQ(remix["source"], "consent");
  EXPECT_FALSE(remix["description"].get<std::string>().empty());
  EXPECT_EQ(consents["history"][0]["choice"], flipped);  // newest first

  // A field the artist may not set is refused.
  const HttpResponse forged =
      server_->As(kArtist, "POST", "/api/parties/artist:muldjord/consents",
                  json{{"scope", "dj"}, {"choice", "opt_in"}, {"recorded_by", "label:atlas"}});
  EXPECT_EQ(forged.status, 400);
  EXPECT_EQ(Body(forged)["error"]["field"], "recorded_by");
}

TEST_F(ApiTest, RegistryWritesValidateLikeImports) {
  const HttpResponse bad =
      server_->As(kAdmin, "POST", "/api/recordings",
                  json{{"isrc", "QZACC2699999"},
                       {"title", "X"},
                       {"main_artists", {"artist:muldjord"}},
                       {"master_owners", {{{"party", "artist:muldjord"}, {"ppm", 999999}}}}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_THAT(bad.body, HasSubstr("master_owners"));
  const json party = {{"id", "label:api-test"}, {"kind", "label"}, {"name", "API Test"}};
  EXPECT_EQ(server_->As(kAdmin, "POST", "/api/parties", party).status, 201);
  EXPECT_EQ(server_->As(kAdmin, "POST", "/api/parties", party).status,
            200);  // a retry
  json other = party;
  other["name"] = "Changed";
  EXPECT_EQ(server_->As(kAdmin, "POST", "/api/parties", other).status / 100, 4);
  EXPECT_EQ(Body(server_->As(kAdmin, "GET", "/api/parties/label:api-test"))["name"], "API Test");
}

TEST_F(ApiTest, BatchDecisionsAndTheirLimit) {
  const json batch =
      Body(server_->As(kAdmin, "POST", "/api/decisions/batch",
                       json{{"scope", "recommend"},
                            {"territory", "US"},
                            {"at", "2026-06-01T00:00:00Z"},
                            {"recordings", {"QZDMO2600001", "QZDMO2600004", "QZDMO2600005"}}}));
  // Armygeddon is recommended; the fully AI single is not (policy); Quiet
  // Engine is taken down.
  EXPECT_EQ(batch["allowed"], json({true, false, false}));
  EXPECT_EQ(batch["allowed_count"], 1);
  json many = json::array();
  for (int i = 0; i < 10'001; ++i) many.push_back("QZDMO2600001");
  const HttpResponse too_many =
      server_->As(kAdmin, "POST", "/api/decisions/batch",
                  json{{"scope", "dj"}, {"territory", "DE"}, {"recordings", many}});
  EXPECT_EQ(too_many.status, 400);
  EXPECT_EQ(Body(too_many)["error"]["field"], "recordings");
}

// Decision bodies of the usual shape are read by a scanner (ScanFlatBody),
// others as a JSON document. Each body here is sent as written and again with
// the key "scope" spelled with an escape ("sc\u006fpe": the same key, but a
// body the scanner leaves to the document path); the two answers must be the
// same, error messages and fields included.
std::string ThroughDocument(std::string body) {
  const size_t at = body.find("\"scope\"");
  EXPECT_NE(at, std::string::npos) << body;
  if (at != std::string::npos) body.replace(at, 7, "\"sc\\u006fpe\"");
  return body;
}

// Does this request body ask about the present (no "at", or "at": null)? Then two requests
// are answered at two moments a few milliseconds apart.
bool AsksAboutNow(const std::string& request_body) {
  const json doc = json::parse(request_body, nullptr, false);
  return doc.is_discarded() || !doc.is_object() || !doc.contains("at") || doc["at"].is_null();
}

// Status and body, without the request id (which differs per request) and, when `now`, without
// the answer's moment (checked to be a time, then left out: it is the clock's).
std::string Answer(const HttpResponse& response, bool now) {
  json body = json::parse(response.body);
  if (body.contains("error")) body["error"].erase("request_id");
  if (now && body.contains("at")) {
    EXPECT_TRUE(Timestamp::Parse(body["at"].get<std::string>()).ok()) << response.body;
    body.erase("at");
  }
  return std::to_string(response.status) + " " + body.dump();
}

void ExpectSameAnswers(DemoServer& server, auth::Role role, const std::string& target,
                       const std::string& body, int expected_status) {
  const HttpResponse scanned = server.As(role, "POST", target, json(body));
  const HttpResponse parsed = server.As(role, "POST", target, json(ThroughDocument(body)));
  EXPECT_EQ(scanned.status, expected_status) << body << "\n" << scanned.body;
  EXPECT_EQ(Answer(scanned, AsksAboutNow(body)), Answer(parsed, AsksAboutNow(body))) << body;
  // The batch answer is written directly: it must be the bytes the JSON library
  // would write.
  EXPECT_EQ(scanned.body, json::parse(scanned.body).dump()) << body;
}

TEST_F(ApiTest, DecisionBatchBodiesAnswerAlikeOnBothPaths) {
  const std::string at = R"("at":"2026-06-01T00:00:00Z")";
  const std::vector<std::pair<std::string, int>> cases = {
      {R"({"scope":"recommend","territory":"US",)" + at +
           R"(,"recordings":["QZDMO2600001","QZDMO2600004","QZDMO2600005"]})",
       200},
      {" {\n \"scope\" : \"dj\" ,\t\"territory\":\"DE\", \"recordings\" : [ "
       "\"QZDMO2600001\" , "
       "\"QZ-DMO-26-00004\" ] }\r\n",
       200},
      {R"({"scope":"dj","territory":"DE","recordings":[]})", 200},
      {R"({"recordings":["QZDMO2600001"],"territory":"DE","scope":"training"})", 200},
      {R"({"scope":"dj","territory":"DE","recordings":["QZDMO2600001","bad","QZDMO2600004"]})",
       400},
      {R"({"scope":"dj","territory":"DE","recordings":["QZDMO2600001","QZDMO2699999"]})", 404},
      {R"({"scope":"dj","territory":"DE","recordings":["QZDMO2600001",5]})", 400},
      {R"({"scope":"nonsense","territory":"DE","recordings":["QZDMO2600001"]})", 400},
      {R"({"scope":"dj","territory":"XX1","recordings":["QZDMO2600001"]})", 400},
      {R"({"scope":"dj","territory":"DE","at":"yesterday","recordings":["QZDMO2600001"]})", 400},
      {R"({"scope":"nonsense","recordings":["QZDMO2600001"]})", 400},
      {R"({"scope":"dj","territory":"DE"})", 400},
      {R"({"scope":"dj","territory":"DE","recordings":"QZDMO2600001"})", 400},
      {R"({"scope":"dj","territory":"XX","territory":"DE","recordings":["QZDMO2600001"]})", 200},
      {R"({"scope":"dj","territory":"DE","at":null,"recordings":["QZDMO2600001"]})", 200},
      {R"({"scope":"dj","territory":"DE","extra":"x","recordings":["QZDMO2600001"]})", 400},
      {R"({"scope":"dj","territory":"DE","recordings":["QZDMO2600001"],"recordings":[]})", 200},
  };
  for (const auto& [body, status] : cases) {
    ExpectSameAnswers(*server_, kAdmin, "/api/decisions/batch", body, status);
  }
  std::string too_many = R"({"scope":"dj","territory":"DE","recordings":[)";
  for (int i = 0; i < 10'001; ++i) too_many += std::string(i ? "," : "") + "\"QZDMO2600001\"";
  ExpectSameAnswers(*server_, kAdmin, "/api/decisions/batch", too_many + "]}", 400);
}

TEST_F(ApiTest, DecisionBatchAccessChecksAnswerAlikeOnBothPaths) {
  const auth::Role holder = auth::Role::kRightsHolder;
  const std::string head = R"({"scope":"dj","territory":"DE","recordings":)";
  ExpectSameAnswers(*server_, holder, "/api/decisions/batch", head + R"(["QZDMO2600001"]})", 200);
  ExpectSameAnswers(*server_, holder, "/api/decisions/batch",
                    head + R"(["QZDMO2600001","QZDMO2600004"]})", 403);
  ExpectSameAnswers(*server_, holder, "/api/decisions/batch", head + R"(["QZDMO2699999"]})", 404);
  ExpectSameAnswers(*server_, holder, "/api/decisions/batch", head + R"(["bad"]})", 404);
  ExpectSameAnswers(*server_, kArtist, "/api/decisions/batch", head + R"(["QZDMO2600004"]})", 403);
}

TEST_F(ApiTest, DecisionSingleBodiesAnswerAlikeOnBothPaths) {
  const std::vector<std::tuple<auth::Role, std::string, int>> cases = {
      {kAdmin, R"({"scope":"dj","recording":"QZDMO2600001","territory":"DE"})", 200},
      {kAdmin,
       R"( { "territory" : "US", "at":"2026-06-01T00:00:00Z","recording":"QZDMO2600004", )"
       R"("scope":"recommend" } )",
       200},
      {kAdmin, R"({"scope":"dj","recording":"qzdmo2600001","territory":"DE"})", 200},
      {kAdmin, R"({"scope":"dj","recording":"bad","territory":"DE"})", 400},
      {kAdmin, R"({"scope":"dj","recording":"QZDMO2699999","territory":"DE"})", 404},
      {kAdmin, R"({"scope":"dj","territory":"DE"})", 400},
      {kAdmin, R"({"scope":"dj","recording":"QZDMO2600001","territory":"DE","x":"y"})", 400},
      {kAdmin, R"({"scope":"dj","recording":"QZDMO2600001","territory":"DE","at":"soon"})", 400},
      {kArtist, R"({"scope":"dj","recording":"QZDMO2600001","territory":"DE"})", 200},
      {kArtist, R"({"scope":"dj","recording":"QZDMO2600004","territory":"DE"})", 403},
      {kArtist, R"({"scope":"dj","recording":"bad","territory":"DE"})", 404},
  };
  for (const auto& [role, body, status] : cases) {
    const HttpResponse scanned = server_->As(role, "POST", "/api/decisions", json(body));
    const HttpResponse parsed =
        server_->As(role, "POST", "/api/decisions", json(ThroughDocument(body)));
    EXPECT_EQ(scanned.status, status) << body << "\n" << scanned.body;
    EXPECT_EQ(Answer(scanned, AsksAboutNow(body)), Answer(parsed, AsksAboutNow(body))) << body;
  }
}

// A large batch is decided with Snapshot::Filter, a small one recording by recording (below an
// eighth of the catalog): both must give what a single decision says. The catalog is grown
// first so that a batch of one is small; a suite of its own keeps the other tests' demo world as
// it was.
class BatchEngineTest : public ApiTest {};

TEST_F(BatchEngineTest, BatchDecisionsAgreeWithSingleDecisions) {
  for (int i = 0; i < 30; ++i) {
    const std::string digits = std::to_string(10000 + i);
    const json recording = {
        {"isrc", "QZBAT26" + digits.substr(digits.size() - 5)},
        {"title", "Batch " + digits},
        {"main_artists", {i % 2 ? "artist:muldjord" : "artist:kofi-mensah"}},
        {"master_owners",
         {{{"party", i % 3 ? "label:atlas" : "label:northern-lights"}, {"ppm", 1'000'000}}}}};
    const HttpResponse created = server_->As(kAdmin, "POST", "/api/recordings", recording);
    ASSERT_EQ(created.status, 201) << created.body;
  }
  const json recordings = Body(server_->As(kAdmin, "GET", "/api/recordings?limit=1000"))["items"];
  ASSERT_GE(recordings.size(), 30u);
  json isrcs = json::array();
  for (const json& recording : recordings) isrcs.push_back(recording["isrc"]);
  size_t allowed = 0, refused = 0;
  for (const char* scope : {"recommend", "dj", "training", "remix"}) {
    for (const char* territory : {"US", "DE", "SE"}) {
      const json context = {
          {"scope", scope}, {"territory", territory}, {"at", "2026-07-01T00:00:00Z"}};
      json whole = context;
      whole["recordings"] = isrcs;
      const json all = Body(server_->As(kAdmin, "POST", "/api/decisions/batch", whole));
      ASSERT_EQ(all["allowed"].size(), isrcs.size()) << all.dump();
      for (size_t i = 0; i < isrcs.size(); ++i) {
        json one = context;
        one["recordings"] = json::array({isrcs[i]});
        json single = context;
        single["recording"] = isrcs[i];
        const bool expected =
            Body(server_->As(kAdmin, "POST", "/api/decisions", single))["allowed"];
        (expected ? allowed : refused) += 1;
        EXPECT_EQ(all["allowed"][i], expected) << scope << " " << territory << " " << isrcs[i];
        EXPECT_EQ(Body(server_->As(kAdmin, "POST", "/api/decisions/batch", one))["allowed"][0],
                  expected)
            << scope << " " << territory << " " << isrcs[i];
      }
    }
  }
  EXPECT_GT(allowed, 0u);
  EXPECT_GT(refused, 0u);
}

TEST_F(ApiTest, IntakeIsIdempotentAndNamesConflicts) {
  json event = {{"id", "api-idem-1"},
                {"time", "2026-08-01T10:00:00Z"},
                {"listener", "l-api"},
                {"territory", "DE"},
                {"scope", "dj"},
                {"feature", "dj"},
                {"recordings", {{{"isrc", "QZDMO2600001"}, {"weight_ppm", 1000000}}}},
                {"duration_ms", 1000}};
  const HttpResponse first = server_->As(kAdmin, "POST", "/api/usage", event);
  ASSERT_EQ(first.status, 201) << first.body;
  const HttpResponse retry = server_->As(kAdmin, "POST", "/api/usage", event);
  EXPECT_EQ(retry.status, 200);
  EXPECT_EQ(Body(retry)["outcome"], "duplicate");
  EXPECT_EQ(Body(retry)["sequence"], Body(first)["sequence"]);
  event["territory"] = "SE";
  const HttpResponse conflict = server_->As(kAdmin, "POST", "/api/usage", event);
  EXPECT_EQ(conflict.status, 409);
  EXPECT_EQ(Body(conflict)["error"]["field"], "territory");
  // A use the policy refuses: the openwave agreement excludes China.
  event["id"] = "api-refused-1";
  event["territory"] = "CN";
  const HttpResponse refused = server_->As(kAdmin, "POST", "/api/usage", event);
  EXPECT_EQ(refused.status, 422);
  EXPECT_EQ(Body(refused)["error"]["code"], "refused");
}

TEST_F(ApiTest, BulkIntakeFailsWholeOnABadLine) {
  const std::string good =
      R"({"id":"api-bulk-1","time":"2026-08-02T10:00:00Z","listener":"l-api","territory":"DE","scope":"dj","feature":"dj","recordings":[{"isrc":"QZDMO2600001","weight_ppm":1000000}],"duration_ms":1})";
  const std::string bad = R"({"id":"api-bulk-2","time":"yesterday"})";
  const HttpResponse response =
      server_->Call("POST", "/api/usage/bulk", good + "\n" + bad + "\n", server_->token(kAdmin));
  EXPECT_EQ(response.status, 400);
  EXPECT_THAT(response.body, HasSubstr("request body:2"));
  // Nothing of it was recorded.
  const json usage = Body(server_->As(kAdmin, "GET", "/api/usage?listener=l-api&limit=1000"));
  for (const json& item : usage["items"]) EXPECT_NE(item["id"], "api-bulk-1");

  const json ok = Body(
      server_->Call("POST", "/api/usage/bulk", good + "\n" + good + "\n", server_->token(kAdmin)));
  EXPECT_EQ(ok["events"], 2);
  EXPECT_EQ(ok["recorded"], 1);
  EXPECT_EQ(ok["duplicate"], 1);
}

// The route reads each request's events into memory kept from the previous request on the
// same thread (ledger_routes.cc): nothing of an earlier request, whole or failed, may show in
// a later one, whichever parser read its lines.
TEST_F(ApiTest, BulkIntakeStartsEachRequestFromNothing) {
  auto line = [](const std::string& id, const std::string& extra) {
    return R"({"id":")" + id +
           R"(","time":"2026-08-03T10:00:00Z","listener":"l-fresh","territory":"DE","scope":"dj","feature":"dj","recordings":[{"isrc":"QZDMO2600001","weight_ppm":1000000}])" +
           extra + "}\n";
  };
  const std::string full = R"(,"duration_ms":5000,"session":"s-1","requested":true)";
  // The escaped "d" makes the scanner decline the line, so the JSON library reads it.
  const std::string escaped =
      R"(,"duration_ms":7,"session":"s-2","requested":true,"feature":"\u0064j")";
  const json first = Body(server_->Call("POST", "/api/usage/bulk",
                                        line("api-fresh-1", full) + line("api-fresh-2", full) +
                                            line("api-fresh-3", "").substr(0, 20) + "\n",
                                        server_->token(kAdmin)));
  EXPECT_EQ(first["error"]["code"], "invalid_argument") << first.dump();
  const json second = Body(server_->Call(
      "POST", "/api/usage/bulk",
      line("api-fresh-4", full) + line("api-fresh-5", full) + line("api-fresh-6", full),
      server_->token(kAdmin)));
  EXPECT_EQ(second["recorded"], 3) << second.dump();
  const std::string library_line =
      R"({"id":"api-fresh-7","time":"2026-08-03T10:00:00Z","listener":"l-fresh","territory":"DE","scope":"dj","recordings":[{"isrc":"QZDMO2600001","weight_ppm":1000000}])" +
      escaped + "}\n";
  const json third = Body(server_->Call(
      "POST", "/api/usage/bulk", library_line + line("api-fresh-8", ""), server_->token(kAdmin)));
  EXPECT_EQ(third["events"], 2) << third.dump();
  EXPECT_EQ(third["recorded"], 2) << third.dump();
  const json last = Body(
      server_->Call("POST", "/api/usage/bulk", line("api-fresh-9", ""), server_->token(kAdmin)));
  EXPECT_EQ(last["events"], 1) << last.dump();
  EXPECT_EQ(last["recorded"], 1) << last.dump();
  EXPECT_EQ(last["first_sequence"], last["last_sequence"]);

  const json usage = Body(server_->As(kAdmin, "GET", "/api/usage?listener=l-fresh&limit=1000"));
  std::map<std::string, json> by_id;
  for (const json& item : usage["items"]) by_id[item["id"]] = item;
  EXPECT_EQ(by_id.size(), 6u) << usage.dump();  // 4..9; none of the failed request
  for (const std::string id : {"api-fresh-8", "api-fresh-9"}) {
    ASSERT_TRUE(by_id.count(id)) << id;
    EXPECT_EQ(by_id[id].value("session", ""), "") << by_id[id].dump();
    EXPECT_EQ(by_id[id].value("requested", false), false) << by_id[id].dump();
    EXPECT_EQ(by_id[id].value("duration_ms", 0), 0) << by_id[id].dump();
  }
  ASSERT_TRUE(by_id.count("api-fresh-7"));
  EXPECT_EQ(by_id["api-fresh-7"]["session"], "s-2");
  EXPECT_EQ(by_id["api-fresh-7"]["duration_ms"], 7);
  EXPECT_EQ(by_id["api-fresh-7"]["feature"], "dj");
  EXPECT_EQ(by_id["api-fresh-6"]["session"], "s-1");
}

TEST_F(ApiTest, UsageListsAndStatsFollowTheCaller) {
  const json mine = Body(server_->As(kArtist, "GET", "/api/usage?limit=1000"));
  ASSERT_GT(mine["items"].size(), 0u);
  for (const json& event : mine["items"]) {
    bool uses_mine = false;
    for (const json& r : event["recordings"]) uses_mine = uses_mine || r["isrc"] == "QZDMO2600001";
    EXPECT_TRUE(uses_mine) << event.dump();
  }
  const json listener = Body(server_->As(auth::Role::kListener, "GET", "/api/usage?limit=1000"));
  for (const json& event : listener["items"]) EXPECT_EQ(event["listener"], kListenerParty);
  const json stats =
      Body(server_->As(kArtist, "GET", "/api/usage/stats?from=2026-07-01&to=2026-08-01"));
  uint64_t total = 0;
  for (const json& day : stats["days"]) total += day["uses"].get<uint64_t>();
  EXPECT_EQ(total, stats["events"].get<uint64_t>());
  EXPECT_GT(total, 0u);
}

TEST_F(ApiTest, StatementLineEventsCarryProofsThatVerify) {
  const std::string key = Body(server_->As(kArtist, "GET", "/api/ledger/public-key"))["public_key"];
  const json statement =
      Body(server_->As(kArtist, "GET", "/api/royalties/runs/2026-07/statements/artist:muldjord"));
  ASSERT_GT(statement["lines"].size(), 0u);
  EXPECT_EQ(statement["checkpoint"]["tree_size"], statement["ledger_range"]["last_sequence"]);
  size_t proved = 0;
  for (size_t n = 1; n <= statement["lines"].size(); ++n) {
    const json events =
        Body(server_->As(kArtist, "GET",
                         "/api/royalties/runs/2026-07/statements/artist:muldjord/lines/" +
                             std::to_string(n) + "/events"));
    EXPECT_EQ(events["items"].size(), events["count"].get<size_t>());
    for (const json& item : events["items"]) {
      auto bundle = ledger::ProofBundleFromJson(item["proof"].dump(), "test");
      ASSERT_TRUE(bundle.ok()) << bundle.status().ToString();
      EXPECT_TRUE(ledger::VerifyProofBundle(*bundle, key).ok());
      ++proved;
    }
  }
  EXPECT_GT(proved, 0u);
  const HttpResponse csv = server_->As(kArtist, "GET",
                                       "/api/royalties/runs/2026-07/statements/"
                                       "artist:muldjord/export?format=csv");
  EXPECT_EQ(csv.status, 200);
  EXPECT_THAT(csv.content_type, HasSubstr("text/csv"));
  EXPECT_THAT(csv.body, HasSubstr("QZDMO2600001"));
  EXPECT_EQ(server_
                ->As(kArtist, "GET",
                     "/api/royalties/runs/2026-07/statements/artist:muldjord/"
                     "export?format=pdf")
                .status,
            400);
  EXPECT_EQ(server_
                ->As(kArtist, "GET",
                     "/api/royalties/runs/2026-07/statements/artist:muldjord/"
                     "lines/999/events")
                .status,
            400);
}

// After the run, the ledger grows and a newer checkpoint is signed: the events behind a line
// are still proven against the run's own checkpoint, and the inclusion route proves against
// any signed checkpoint asked for by its size.
TEST_F(ApiTest, LineEventsAreProvenAgainstTheRunsOwnCheckpoint) {
  const json statement =
      Body(server_->As(kArtist, "GET", "/api/royalties/runs/2026-07/statements/artist:muldjord"));
  const uint64_t anchor = statement["checkpoint"]["tree_size"].get<uint64_t>();
  const json august = {{"id", "api-test-growth-0801"},
                       {"time", "2026-08-01T10:00:00Z"},
                       {"listener", "l-growth"},
                       {"territory", "DE"},
                       {"scope", "dj"},
                       {"feature", "dj"},
                       {"recordings", {{{"isrc", "QZDMO2600001"}, {"weight_ppm", 1000000}}}},
                       {"duration_ms", 200000}};
  ASSERT_EQ(server_->As(kAdmin, "POST", "/api/usage", august).status, 201);
  const HttpResponse signed_head =
      server_->As(kAdmin, "POST", "/api/ledger/checkpoints", json::object());
  ASSERT_EQ(signed_head.status, 201) << signed_head.body;
  const uint64_t newer = Body(signed_head)["tree_size"].get<uint64_t>();
  ASSERT_GT(newer, anchor);

  const std::string key = Body(server_->As(kArtist, "GET", "/api/ledger/public-key"))["public_key"];
  const json events = Body(server_->As(
      kArtist, "GET", "/api/royalties/runs/2026-07/statements/artist:muldjord/lines/1/events"));
  ASSERT_GT(events["items"].size(), 0u);
  std::string event_id;
  for (const json& item : events["items"]) {
    EXPECT_EQ(item["proof"]["checkpoint"]["tree_size"], anchor) << item.dump();
    auto bundle = ledger::ProofBundleFromJson(item["proof"].dump(), "test");
    ASSERT_TRUE(bundle.ok()) << bundle.status().ToString();
    EXPECT_TRUE(ledger::VerifyProofBundle(*bundle, key).ok());
    event_id = item["event_id"].get<std::string>();
  }

  // The inclusion route: the latest covering checkpoint by default, or the one asked for.
  const std::string route = "/api/ledger/proofs/inclusion?event=" + event_id;
  EXPECT_EQ(Body(server_->As(kArtist, "GET", route))["checkpoint"]["tree_size"], newer);
  EXPECT_EQ(
      Body(server_->As(kArtist, "GET",
                       route + "&checkpoint=" + std::to_string(anchor)))["checkpoint"]["tree_size"],
      anchor);
  const HttpResponse unsigned_size =
      server_->As(kArtist, "GET", route + "&checkpoint=" + std::to_string(newer + 7));
  EXPECT_EQ(unsigned_size.status, 404);
  EXPECT_EQ(Body(unsigned_size)["error"]["field"], "checkpoint");
  const HttpResponse bad_size = server_->As(kArtist, "GET", route + "&checkpoint=ten");
  EXPECT_EQ(bad_size.status, 400);
  EXPECT_EQ(Body(bad_size)["error"]["field"], "checkpoint");
  // The August event came after the run's checkpoint, which therefore cannot prove it.
  const HttpResponse too_early =
      server_->As(kAdmin, "GET",
                  "/api/ledger/proofs/inclusion?event=api-test-growth-0801&checkpoint=" +
                      std::to_string(anchor));
  EXPECT_EQ(too_early.status, 409) << too_early.body;
  EXPECT_THAT(too_early.body, HasSubstr("after the checkpoint"));
}

// Who sees which agreement: the licensor's side in full; a label whose distributor signed, and
// an artist whose music it licenses, see it without its terms; nobody else sees it.
TEST_F(ApiTest, AgreementsShowToThePartiesWhoseMusicTheyLicense) {
  const std::string northern_lights =
      server_->IssueToken(auth::Role::kRightsHolder, "label:northern-lights");
  const std::string kofi = server_->IssueToken(auth::Role::kArtist, "artist:kofi-mensah");
  const std::string echo = server_->IssueToken(auth::Role::kArtist, "artist:echo-unit");
  auto ids = [&](const std::string& token) {
    const HttpResponse listed = server_->Call("GET", "/api/agreements?limit=1000", "", token);
    EXPECT_EQ(listed.status, 200) << listed.body;
    std::map<std::string, json> out;
    const json body = Body(listed);
    for (const json& item : body["items"]) out[item["id"].get<std::string>()] = item;
    return out;
  };
  auto keys = [](const std::map<std::string, json>& items) {
    std::vector<std::string> out;
    for (const auto& [id, item] : items) out.push_back(id);
    return out;
  };

  // OpenWave signed it: in full, terms included.
  const auto openwave = ids(server_->token(auth::Role::kRightsHolder));
  ASSERT_TRUE(openwave.contains("AG-OPENWAVE-2026"));
  EXPECT_EQ(openwave.at("AG-OPENWAVE-2026")["access"], "full");
  EXPECT_TRUE(openwave.at("AG-OPENWAVE-2026").contains("terms"));

  // Northern Lights: OpenWave acts for it. Atlas's agreements license Paper Skies, which it
  // co-owns, but on Atlas Nordic's behalf, not its own: not its business.
  const auto label = ids(northern_lights);
  EXPECT_EQ(keys(label), std::vector<std::string>{"AG-OPENWAVE-2026"});
  EXPECT_EQ(label.at("AG-OPENWAVE-2026")["access"], "covered");
  EXPECT_FALSE(label.at("AG-OPENWAVE-2026").contains("terms"));
  EXPECT_EQ(label.at("AG-OPENWAVE-2026")["recordings"], "all_controlled");

  // Muldjord, through his distributor.
  const auto muldjord = ids(server_->token(kArtist));
  EXPECT_EQ(keys(muldjord), std::vector<std::string>{"AG-OPENWAVE-2026"});
  EXPECT_FALSE(muldjord.at("AG-OPENWAVE-2026").contains("terms"));

  // Kofi Mensah is the artist of Paper Skies: he sees every licence of it, whoever signed and
  // for whichever of its owners or its publisher (Harbor).
  const auto artist = ids(kofi);
  EXPECT_EQ(keys(artist), (std::vector<std::string>{"AG-ATLAS-2025", "AG-ATLAS-REMIX-DACH",
                                                    "AG-HARBOR-2026", "AG-OPENWAVE-2026"}));
  EXPECT_EQ(artist.at("AG-ATLAS-REMIX-DACH")["recordings"], json::array({"QZDMO2600003"}));
  for (const auto& [id, item] : artist) {
    EXPECT_EQ(item["access"], "covered") << id;
    EXPECT_FALSE(item.contains("terms")) << id;
  }

  // One agreement at a time: the same view; a stranger's is refused.
  const HttpResponse one = server_->Call("GET", "/api/agreements/AG-OPENWAVE-2026", "", kofi);
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(Body(one), artist.at("AG-OPENWAVE-2026"));
  EXPECT_EQ(keys(ids(echo)), (std::vector<std::string>{"AG-ATLAS-2025"}));
  const HttpResponse foreign = server_->Call("GET", "/api/agreements/AG-OPENWAVE-2026", "", echo);
  EXPECT_EQ(foreign.status, 403);
  EXPECT_EQ(Body(foreign)["error"]["field"], "id");
  EXPECT_EQ(Body(server_->As(kAdmin, "GET", "/api/agreements/AG-OPENWAVE-2026"))["access"], "full");
}

TEST_F(ApiTest, EarningsAndCoverage) {
  const json earnings = Body(server_->As(kArtist, "GET", "/api/parties/artist:muldjord/earnings"));
  ASSERT_EQ(earnings["items"].size(), 1u);
  EXPECT_EQ(earnings["items"][0]["period"], "2026-07");
  const std::string amount = earnings["items"][0]["amount"];
  std::string digits;
  for (char c : amount)
    if (c != '.') digits += c;
  EXPECT_EQ(earnings["items"][0]["amount_minor"].get<int64_t>(), std::stoll(digits));

  const json coverage =
      Body(server_->As(auth::Role::kRightsHolder, "GET", "/api/parties/dist:openwave/coverage"));
  EXPECT_EQ(coverage["scopes"].size(), 8u);
  // openwave reaches Northern Lights' masters and Muldjord's own.
  EXPECT_GE(coverage["recordings"].get<int>(), 4);
  for (const json& scope : coverage["scopes"]) {
    EXPECT_LE(scope["recordings_allowed"].get<int>(), coverage["recordings"].get<int>());
    EXPECT_LE(scope["artists_opted_in"].get<int>(), coverage["artists"].get<int>());
  }
}

TEST_F(ApiTest, RoyaltyRunIsReproducibleAndNotSilentlyReplaced) {
  const json request = {{"period", "2026-07"},
                        {"pools", json::parse(ReadSourceFile("demo/pools.json"))}};
  const HttpResponse same = server_->As(kAdmin, "POST", "/api/royalties/runs", request);
  // Either identical (200) or, after other tests recorded more events and
  // signed a newer checkpoint, a different run that is refused without replace.
  if (same.status == 200) {
    EXPECT_TRUE(Body(same)["unchanged"].get<bool>());
  } else {
    EXPECT_EQ(same.status, 409) << same.body;
  }
  const HttpResponse bad = server_->As(kAdmin, "POST", "/api/royalties/runs",
                                       json{{"period", "2026-13"}, {"pools", json::object()}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(Body(bad)["error"]["field"], "period");
}

// Listings read the stored run's outline (each statement's lines counted, not parsed), and a
// new run is answered from the run in memory: both must say what the statements hold.
TEST_F(ApiTest, RunListingsCountWhatTheStatementsHold) {
  const json run = Body(server_->As(kAdmin, "GET", "/api/royalties/runs/2026-07"));
  const json listed = Body(server_->As(kAdmin, "GET", "/api/royalties/runs"));
  ASSERT_EQ(listed["items"].size(), 1u) << listed.dump();
  EXPECT_EQ(listed["items"][0], run);
  const json statements =
      Body(server_->As(kAdmin, "GET", "/api/royalties/runs/2026-07/statements?limit=1000"));
  ASSERT_EQ(statements["items"].size(), run["statements"].get<size_t>());
  ASSERT_GT(statements["items"].size(), 3u);
  for (const json& item : statements["items"]) {
    const json statement = Body(
        server_->As(kAdmin, "GET",
                    "/api/royalties/runs/2026-07/statements/" + item["party"].get<std::string>()));
    EXPECT_EQ(item["lines"], statement["lines"].size()) << item.dump();
    EXPECT_EQ(item["totals"], statement["totals"]) << item.dump();
    EXPECT_EQ(item["party_name"], statement["party_name"]) << item.dump();
  }
  // The same period run again and stored over the first: its answer is the stored run's summary.
  const json request = {{"period", "2026-07"},
                        {"pools", json::parse(ReadSourceFile("demo/pools.json"))},
                        {"replace", true}};
  const HttpResponse rerun = server_->As(kAdmin, "POST", "/api/royalties/runs", request);
  ASSERT_TRUE(rerun.status == 200 || rerun.status == 201) << rerun.body;
  json answered = Body(rerun);
  answered.erase("unchanged");
  EXPECT_EQ(answered, Body(server_->As(kAdmin, "GET", "/api/royalties/runs/2026-07")));
}

// The taste routes answer only with what the policy allows: an opt-out takes
// effect in the next recommendation, at its effective moment and not before.
TEST_F(ApiTest, RecommendationsOfferOnlyWhatThePolicyAllows) {
  const auth::Role listener = auth::Role::kListener;
  const std::string route = "/api/listeners/l-7f3a/recommendations?territory=DE";
  const json before = Body(server_->As(listener, "GET", route + "&at=2027-06-01T00:00:00Z"));
  EXPECT_EQ(before["taste"], "history");
  EXPECT_EQ(before["played_items"], 2);
  EXPECT_EQ(before["policy"]["scope"], "recommend");
  EXPECT_EQ(before["policy"]["territory"], "DE");
  // Of the five demo recordings, l-7f3a played Armygeddon and Paper Skies;
  // Synthetic Dawn is AI-generated and Quiet Engine is taken down, so Harbor
  // Lights is the one to offer.
  ASSERT_EQ(before["items"].size(), 1u) << before.dump();
  EXPECT_EQ(before["items"][0]["recording"], "QZDMO2600002");
  EXPECT_THAT(before["items"][0]["reason"].get<std::string>(), HasSubstr("because you played"));

  ASSERT_EQ(server_
                ->As(kAdmin, "POST", "/api/parties/artist:lina-holt/consents",
                     {{"scope", "recommend"},
                      {"choice", "opt_out"},
                      {"effective", "2027-07-01T00:00:00Z"}})
                .status,
            201);
  const json after = Body(server_->As(listener, "GET", route + "&at=2027-08-01T00:00:00Z"));
  EXPECT_TRUE(after["items"].empty()) << after.dump();
  EXPECT_EQ(after["policy"]["allowed_items"].get<int>() + 1,
            before["policy"]["allowed_items"].get<int>());
  // Before the opt-out's moment the answer is unchanged.
  EXPECT_EQ(Body(server_->As(listener, "GET", route + "&at=2027-06-01T00:00:00Z"))["items"],
            before["items"]);

  // A listener the model has never seen starts cold, from what is popular and
  // allowed.
  const json cold = Body(server_->As(kAdmin, "GET",
                                     "/api/listeners/l-new/"
                                     "recommendations?territory=DE&at=2027-06-01T00:00:00Z"));
  EXPECT_EQ(cold["taste"], "cold_start");
  EXPECT_EQ(cold["items"].size(), 3u) << cold.dump();
}

TEST_F(ApiTest, SimilarItemsAndPlaylistsKeepToTheAllowedSet) {
  const std::set<std::string> allowed = {"QZDMO2600001", "QZDMO2600002", "QZDMO2600003"};
  const json similar = Body(server_->As(auth::Role::kAuditor, "GET",
                                        "/api/items/Armygeddon/similar?territory=DE&limit=1"));
  EXPECT_EQ(similar["like"]["item"], "QZDMO2600001");
  ASSERT_EQ(similar["items"].size(), 1u) << similar.dump();
  EXPECT_NE(similar["items"][0]["recording"], "QZDMO2600001");  // never itself
  EXPECT_TRUE(allowed.contains(similar["items"][0]["recording"].get<std::string>()));
  // A page of one with another behind it.
  ASSERT_TRUE(similar["next_cursor"].is_string()) << similar.dump();
  const json second =
      Body(server_->As(auth::Role::kAuditor, "GET",
                       "/api/items/Armygeddon/similar?territory=DE&limit=1&cursor=" +
                           similar["next_cursor"].get<std::string>()));
  ASSERT_EQ(second["items"].size(), 1u) << second.dump();
  EXPECT_NE(second["items"][0]["recording"], similar["items"][0]["recording"]);
  EXPECT_TRUE(second["next_cursor"].is_null());

  const json playlist =
      Body(server_->As(auth::Role::kListener, "POST", "/api/listeners/l-7f3a/playlists",
                       {{"territory", "DE"}, {"length", 2}, {"recent", {"Paper Skies"}}}));
  EXPECT_EQ(playlist["options"]["length"], 2);
  ASSERT_EQ(playlist["items"].size(), 2u) << playlist.dump();
  for (const json& item : playlist["items"]) {
    EXPECT_TRUE(allowed.contains(item["recording"].get<std::string>())) << item.dump();
    EXPECT_NE(item["name"], "Paper Skies");  // recently heard: never repeated
  }

  const json prompt = Body(server_->As(
      auth::Role::kArtist, "POST", "/api/prompt-playlists",
      {{"prompt", "like:(Harbor Lights) explore"}, {"territory", "DE"}, {"length", 3}}));
  ASSERT_EQ(prompt["interpretation"].size(), 2u) << prompt.dump();
  EXPECT_EQ(prompt["interpretation"][0]["role"], "like");
  EXPECT_EQ(prompt["interpretation"][1]["role"], "knob");
  ASSERT_FALSE(prompt["items"].empty());
  for (const json& item : prompt["items"]) {
    EXPECT_TRUE(allowed.contains(item["recording"].get<std::string>())) << item.dump();
  }
}

// A listener's playlist leaves out what the ledger recorded the listener hearing in the hours
// before its moment, without the app sending it: l-7f3a heard QZDMO2600001..3 in a DJ session
// on 2026-07-01 from 20:00 to 20:08 (demo/events.jsonl).
TEST_F(ApiTest, PlaylistsLeaveOutWhatTheLedgerSaysWasJustHeard) {
  const std::string route = "/api/listeners/l-7f3a/playlists";
  const std::set<std::string> heard = {"QZDMO2600001", "QZDMO2600002", "QZDMO2600003"};
  const json base = {{"territory", "DE"}, {"length", 5}, {"at", "2026-07-01T21:00:00Z"}};

  json without = base;
  without["recent_hours"] = 0;
  const json all = Body(server_->As(auth::Role::kListener, "POST", route, without));
  EXPECT_EQ(all["options"]["recent_from_ledger"], 0);
  int repeats = 0;
  for (const json& item : all["items"]) repeats += heard.contains(item["recording"]);
  ASSERT_GT(repeats, 0) << "the test needs a heard recording the playlist would offer: "
                        << all.dump();

  const json fresh = Body(server_->As(auth::Role::kListener, "POST", route, base));
  EXPECT_EQ(fresh["options"]["recent_from_ledger"], 3) << fresh.dump();
  EXPECT_EQ(fresh["options"]["recent"], 3);
  for (const json& item : fresh["items"]) {
    EXPECT_FALSE(heard.contains(item["recording"])) << item.dump();
  }

  // The last of the three was heard 52 minutes before: an hour's memory still holds all three.
  json hour = base;
  hour["recent_hours"] = 1;
  EXPECT_EQ(Body(server_->As(auth::Role::kListener, "POST", route,
                             hour))["options"]["recent_from_ledger"],
            3);
  // Two days later the session is outside the default day.
  json later = base;
  later["at"] = "2026-07-03T12:00:00Z";
  EXPECT_EQ(Body(server_->As(auth::Role::kListener, "POST", route,
                             later))["options"]["recent_from_ledger"],
            0);
  // An event at the very moment asked about counts: at 2026-07-03T17:30:00Z the listener made
  // a remix of QZDMO2600003 and QZDMO2600001.
  later["at"] = "2026-07-03T17:30:00Z";
  EXPECT_EQ(Body(server_->As(auth::Role::kListener, "POST", route,
                             later))["options"]["recent_from_ledger"],
            2);
}

TEST_F(ApiTest, TasteRequestsNameTheFieldThatIsWrong) {
  struct Case {
    std::string method, target;
    json body;
    int status;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"GET", "/api/listeners/l-7f3a/recommendations", nullptr, 400, "territory"},
      {"GET", "/api/listeners/l-7f3a/recommendations?territory=XX1", nullptr, 400, "territory"},
      {"GET", "/api/listeners/l-7f3a/recommendations?territory=DE&at=yesterday", nullptr, 400,
       "at"},
      {"GET", "/api/listeners/l-7f3a/recommendations?territory=DE&limit=0", nullptr, 400, "limit"},
      {"GET", "/api/listeners/l-7f3a/recommendations?territory=DE&cursor=20000", nullptr, 400,
       "cursor"},
      {"GET", "/api/items/Nobody/similar?territory=DE", nullptr, 404, "item"},
      {"POST", "/api/listeners/l-7f3a/playlists", json{{"length", 5}}, 400, "territory"},
      {"POST", "/api/listeners/l-7f3a/playlists", json{{"territory", "DE"}, {"length", 0}}, 400,
       "length"},
      {"POST", "/api/listeners/l-7f3a/playlists", json{{"territory", "DE"}, {"diversity", 2}}, 400,
       "diversity"},
      {"POST", "/api/listeners/l-7f3a/playlists",
       json{{"territory", "DE"}, {"max_per_artist", "two"}}, 400, "max_per_artist"},
      {"POST", "/api/listeners/l-7f3a/playlists", json{{"territory", "DE"}, {"recent", {"?"}}}, 404,
       "recent/0"},
      {"POST", "/api/listeners/l-7f3a/playlists", json{{"territory", "DE"}, {"owner", "me"}}, 400,
       "owner"},
      {"POST", "/api/listeners/l-7f3a/playlists", json{{"territory", "DE"}, {"recent_hours", 721}},
       400, "recent_hours"},
      {"POST", "/api/listeners/l-7f3a/playlists", json{{"territory", "DE"}, {"recent_hours", "1"}},
       400, "recent_hours"},
      {"POST", "/api/prompt-playlists", json{{"territory", "DE"}}, 400, "prompt"},
      {"POST", "/api/prompt-playlists", json{{"territory", "DE"}, {"prompt", "zzzq"}}, 404,
       "prompt"},
      {"POST", "/api/prompt-playlists", json{{"territory", "DE"}, {"prompt", "mood:(happy)"}}, 400,
       "prompt"},
  };
  for (const Case& c : cases) {
    const HttpResponse response = server_->As(kAdmin, c.method, c.target, c.body);
    EXPECT_EQ(response.status, c.status) << c.target << " " << c.body << ": " << response.body;
    EXPECT_EQ(Body(response)["error"]["field"], c.field) << c.target << ": " << response.body;
  }
  // The message says what to try.
  EXPECT_THAT(
      server_
          ->As(kAdmin, "POST", "/api/prompt-playlists", {{"territory", "DE"}, {"prompt", "zzzq"}})
          .body,
      HasSubstr("nothing matches a tag or an artist"));
}

// A data directory without listening data serves everything else, and the taste
// routes say what to run.
TEST(ApiTasteTest, WithoutAModelTheTasteRoutesSayWhatToRun) {
  const std::string dir =
      (std::filesystem::temp_directory_path() / ("accord-api-taste-" + std::to_string(::getpid())))
          .string();
  std::filesystem::remove_all(dir);
  auto api = Api::Open({.data_dir = dir});
  ASSERT_TRUE(api.ok()) << api.status().ToString();
  EXPECT_EQ((*api)->TasteStatus().code(), StatusCode::kFailedPrecondition);
  auto store = store::SqliteTokenStore::Open(dir);
  ASSERT_TRUE(store.ok());
  auto issued = auth::IssueToken(auth::Role::kAdmin, "", Timestamp::Now());
  ASSERT_TRUE(issued.ok());
  ASSERT_TRUE((*store)->Add(issued->record).ok());
  HttpRequest request;
  request.method = "GET";
  request.path = "/api/listeners/l-1/recommendations";
  request.query = {{"territory", "DE"}};
  request.authorization = "Bearer " + issued->text;
  const HttpResponse response = (*api)->Handle(request);
  EXPECT_EQ(response.status, 409) << response.body;
  EXPECT_THAT(response.body, HasSubstr("failed_precondition"));
  EXPECT_THAT(response.body, HasSubstr("run `accord taste import` first"));
  request.path = "/api/health";
  request.authorization.clear();
  EXPECT_EQ((*api)->Handle(request).status, 200);
  api->reset();
  std::filesystem::remove_all(dir);
}
}  // namespace
}  // namespace accord::server
