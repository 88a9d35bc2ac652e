// Who may do what: every route × every role × an own and a foreign object.
//
// Each row names a route by its operationId, builds the request for a subject (the objects one
// party controls), and says for each role whether the call on its own subject and on the
// foreign subject is allowed:
//   Y  2xx (for a list: the subject's object is among the items)
//   H  2xx, but the subject's object is hidden from the list
//   N  403 permission_denied
// Roles in order: admin, rights_holder (dist:openwave), artist (artist:muldjord), listener
// (l-7f3a), auditor (for label:atlas). The own subject is what dist:openwave controls (for the
// artist and the listener: Muldjord's music and l-7f3a's listening of it); the foreign subject
// is the Atlas group's, which no test token but admin's reaches.
//
// The test fails when a route has no row, so a new route cannot ship without deciding who may
// call it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <map>

#include "server/api_test_util.h"

namespace accord::server {
namespace {

using nlohmann::json;

struct Subject {
  std::string party;      // a party it is or acts for
  std::string artist;     // an artist whose consents it may read
  std::string recording;  // a recording in its catalog
  std::string work;       // a work in its catalog
  std::string agreement;  // an agreement it signed, or one that licenses its music
  std::string takedown;   // a takedown of one of its recordings
  std::string event;      // an event using its music (or, for a listener, its own)
  std::string listener;
  std::string statement;  // a party with a statement in 2026-07
};

// What dist:openwave (acting for Northern Lights and Muldjord) controls: the own subject of
// the rights holder, and the one admin and auditor tokens are tried on.
const Subject kOpenwave = {"dist:openwave",   "artist:muldjord",  "QZDMO2600001",
                           "T-900.000.001-1", "AG-OPENWAVE-2026", "TD-OWN",
                           "demo-dj-0001",    "l-7f3a",           "artist:muldjord"};
// Muldjord's own: the artist's subject, and the listener's (l-7f3a played his song). He is
// licensor of no agreement, but his distributor's licenses his music, so he may read it.
const Subject kMuldjord = {"artist:muldjord", "artist:muldjord",  "QZDMO2600001",
                           "T-900.000.001-1", "AG-OPENWAVE-2026", "TD-OWN",
                           "demo-dj-0001",    "l-7f3a",           "artist:muldjord"};
const Subject kForeign = {"label:atlas",     "artist:echo-unit", "QZDMO2600004",
                          "T-900.000.002-2", "AG-ATLAS-2025",    "TD-FOREIGN",
                          "foreign-dj-0001", "l-foreign",        "label:atlas"};

struct Request {
  std::string method = "";
  std::string target = "";
  std::string body = "";
  std::string marker = "";  // for lists: what identifies the subject's object in the body
};

// A fresh id per call, so that creating routes never collide.
std::string Fresh(const std::string& prefix) {
  static int counter = 0;
  return prefix + std::to_string(++counter);
}

// A valid ISWC T-901.xxx.xxx-c (the check digit as ISO 15707 computes it).
std::string Iswc() {
  static int counter = 0;
  const std::string digits = "901" + std::to_string(1000000 + ++counter).substr(1);
  int sum = 1;
  for (int i = 0; i < 9; ++i) sum += (digits[i] - '0') * (i + 1);
  const int check = (10 - sum % 10) % 10;
  return "T-" + digits.substr(0, 3) + "." + digits.substr(3, 3) + "." + digits.substr(6, 3) + "-" +
         std::to_string(check);
}

std::string Isrc() {
  static int counter = 0;
  const std::string digits = std::to_string(100000 + ++counter);
  return "QZACC26" + digits.substr(digits.size() - 5);
}

std::string EventLine(const Subject& s) {
  return json{{"id", Fresh("access-evt-")},
              {"time", "2026-07-15T12:00:00Z"},
              {"listener", s.listener},
              {"territory", "DE"},
              {"scope", "dj"},
              {"feature", "dj"},
              {"recordings", {{{"isrc", s.recording}, {"weight_ppm", 1000000}}}},
              {"duration_ms", 1000}}
      .dump();
}

// A distinct moment per call: a consent may not repeat (party, scope, effective).
std::string Minute() {
  static int n = 0;
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "2031-01-01T%02d:%02d:00Z", n / 60, n % 60);
  ++n;
  return buffer;
}

using Builder = std::function<Request(const Subject&)>;

struct Row {
  std::string_view operation;
  const char* expected;  // 5 pairs: admin, rights_holder, artist, listener, auditor
  Builder build;
};

const std::vector<Row>& Rows() {
  static const std::vector<Row> rows = {
      {"getHealth", "YY YY YY YY YY",
       [](const Subject&) {
         return Request{"GET", "/api/health"};
       }},
      {"getOpenApi", "YY YY YY YY YY",
       [](const Subject&) {
         return Request{"GET", "/api/openapi.json"};
       }},
      {"getMe", "YY YY YY YY YY",
       [](const Subject&) {
         return Request{"GET", "/api/me"};
       }},
      {"listTokens", "YY NN NN NN NN",
       [](const Subject&) {
         return Request{"GET", "/api/tokens"};
       }},
      {"createToken", "YY NN NN NN NN",
       [](const Subject& s) {
         return Request{"POST", "/api/tokens",
                        json{{"role", "rights_holder"}, {"party", s.party}}.dump()};
       }},
      {"revokeToken", "YY NN NN NN NN",
       [](const Subject&) {
         // A token that exists, so an allowed call succeeds; created by a separate admin call.
         return Request{"DELETE", "/api/tokens/{fresh}"};
       }},
      {"listParties", "YY YH YH NN NN",
       [](const Subject& s) {
         return Request{"GET", "/api/parties?limit=1000", "", "\"" + s.party + "\""};
       }},
      {"createParty", "YY NN NN NN NN",
       [](const Subject&) {
         return Request{
             "POST", "/api/parties",
             json{{"id", Fresh("label:access-")}, {"kind", "label"}, {"name", "L"}}.dump()};
       }},
      {"getParty", "YY YN YN NN NN",
       [](const Subject& s) {
         return Request{"GET", "/api/parties/" + s.party};
       }},
      {"getPartyConsents", "YY YN YN NN NN",
       [](const Subject& s) {
         return Request{"GET", "/api/parties/" + s.artist + "/consents"};
       }},
      {"setPartyConsent", "YY NN YN NN NN",
       [](const Subject& s) {
         return Request{
             "POST", "/api/parties/" + s.artist + "/consents",
             json{{"scope", "training"}, {"choice", "opt_out"}, {"effective", Minute()}}.dump()};
       }},
      {"getPartyCoverage", "YY YN YN NN NN",
       [](const Subject& s) {
         return Request{"GET", "/api/parties/" + s.party + "/coverage"};
       }},
      {"getPartyEarnings", "YY YN YN NN YY",
       [](const Subject& s) {
         return Request{"GET", "/api/parties/" + s.statement + "/earnings"};
       }},
      {"listRecordings", "YY YH YH NN NN",
       [](const Subject& s) {
         return Request{"GET", "/api/recordings?limit=1000", "", s.recording};
       }},
      {"createRecording", "YY YN NN NN NN",
       [](const Subject& s) {
         return Request{"POST", "/api/recordings",
                        json{{"isrc", Isrc()},
                             {"title", "T"},
                             {"main_artists", {s.artist}},
                             {"master_owners", {{{"party", s.party}, {"ppm", 1000000}}}}}
                            .dump()};
       }},
      {"getRecording", "YY YN YN NN NN",
       [](const Subject& s) {
         return Request{"GET", "/api/recordings/" + s.recording};
       }},
      {"listWorks", "YY YH YH NN NN",
       [](const Subject& s) {
         return Request{"GET", "/api/works?limit=1000", "", s.work};
       }},
      {"createWork", "YY YN NN NN NN",
       [](const Subject& s) {
         return Request{"POST", "/api/works",
                        json{{"iswc", Iswc()},
                             {"title", "W"},
                             {"writers", {{{"party", s.artist}, {"ppm", 500000}}}},
                             {"publishers", {{{"party", s.party}, {"ppm", 500000}}}}}
                            .dump()};
       }},
      {"getWork", "YY YN YN NN NN",
       [](const Subject& s) {
         return Request{"GET", "/api/works/" + s.work};
       }},
      {"listAgreements", "YY YH YH NN NN",
       [](const Subject& s) {
         return Request{"GET", "/api/agreements?limit=1000", "", s.agreement};
       }},
      {"createAgreement", "YY YN NN NN NN",
       [](const Subject& s) {
         return Request{"POST", "/api/agreements",
                        json{{"id", Fresh("AG-ACCESS-")},
                             {"licensor", s.party},
                             {"recordings", "all_controlled"},
                             {"scopes", {"dj"}},
                             {"territories", "SE"},
                             {"start", "2031-01-01"}}
                            .dump()};
       }},
      {"getAgreement", "YY YN YN NN NN",
       [](const Subject& s) {
         return Request{"GET", "/api/agreements/" + s.agreement};
       }},
      {"listTakedowns", "YY YH YH NN NN",
       [](const Subject& s) {
         return Request{"GET", "/api/takedowns?limit=1000", "", s.takedown};
       }},
      {"createTakedown", "YY YN NN NN NN",
       [](const Subject& s) {
         return Request{"POST", "/api/takedowns",
                        json{{"id", Fresh("TD-ACCESS-")},
                             {"recording", s.recording},
                             {"action", "lift"},
                             {"effective", Minute()},
                             {"reason", "test"}}
                            .dump()};
       }},
      {"decide", "YY YN YN NN NN",
       [](const Subject& s) {
         return Request{
             "POST", "/api/decisions",
             json{{"scope", "dj"}, {"recording", s.recording}, {"territory", "DE"}}.dump()};
       }},
      {"decideBatch", "YY YN YN NN NN",
       [](const Subject& s) {
         return Request{
             "POST", "/api/decisions/batch",
             json{{"scope", "dj"}, {"territory", "DE"}, {"recordings", {s.recording}}}.dump()};
       }},
      {"recordUsage", "YY NN NN NN NN",
       [](const Subject& s) {
         return Request{"POST", "/api/usage", EventLine(s)};
       }},
      {"recordUsageBulk", "YY NN NN NN NN",
       [](const Subject& s) {
         return Request{"POST", "/api/usage/bulk", EventLine(s) + "\n"};
       }},
      {"listUsage", "YY YN YN YN YY",
       [](const Subject& s) {
         return Request{"GET", "/api/usage?recording=" + s.recording + "&listener=" + s.listener};
       }},
      {"getUsageStats", "YY YN YN YN YY",
       [](const Subject& s) {
         return Request{"GET",
                        "/api/usage/stats?recording=" + s.recording + "&listener=" + s.listener};
       }},
      {"listCheckpoints", "YY YY YY NN YY",
       [](const Subject&) {
         return Request{"GET", "/api/ledger/checkpoints"};
       }},
      {"createCheckpoint", "YY NN NN NN NN",
       [](const Subject&) {
         return Request{"POST", "/api/ledger/checkpoints"};
       }},
      {"getPublicKey", "YY YY YY YY YY",
       [](const Subject&) {
         return Request{"GET", "/api/ledger/public-key"};
       }},
      {"proveInclusion", "YY YN YN YN YY",
       [](const Subject& s) {
         return Request{"GET", "/api/ledger/proofs/inclusion?event=" + s.event};
       }},
      {"proveConsistency", "YY YY YY NN YY",
       [](const Subject&) {
         return Request{"GET", "/api/ledger/proofs/consistency?old={checkpoint}&new={checkpoint}"};
       }},
      {"listRoyaltyRuns", "YY YY YY NN YY",
       [](const Subject&) {
         return Request{"GET", "/api/royalties/runs"};
       }},
      {"createRoyaltyRun", "YY NN NN NN NN",
       [](const Subject&) {
         return Request{"POST", "/api/royalties/runs",
                        json{{"period", "2026-07"},
                             {"pools", json::parse(ReadSourceFile("demo/pools.json"))},
                             {"replace", true}}
                            .dump()};
       }},
      {"getRoyaltyRun", "YY YY YY NN YY",
       [](const Subject&) {
         return Request{"GET", "/api/royalties/runs/2026-07"};
       }},
      {"listStatements", "YY YH YH NN YY",
       [](const Subject& s) {
         return Request{"GET", "/api/royalties/runs/2026-07/statements?limit=1000", "",
                        "\"" + s.statement + "\""};
       }},
      {"getStatement", "YY YN YN NN YY",
       [](const Subject& s) {
         return Request{"GET", "/api/royalties/runs/2026-07/statements/" + s.statement};
       }},
      {"exportStatement", "YY YN YN NN YY",
       [](const Subject& s) {
         return Request{
             "GET", "/api/royalties/runs/2026-07/statements/" + s.statement + "/export?format=csv"};
       }},
      {"listStatementLineEvents", "YY YN YN NN YY",
       [](const Subject& s) {
         return Request{
             "GET", "/api/royalties/runs/2026-07/statements/" + s.statement + "/lines/1/events"};
       }},
      {"getRecommendations", "YY NN NN YN NN",
       [](const Subject& s) {
         return Request{"GET", "/api/listeners/" + s.listener + "/recommendations?territory=DE", "",
                        "\"listener\":\"" + s.listener + "\""};
       }},
      {"createPlaylist", "YY NN NN YN NN",
       [](const Subject& s) {
         return Request{"POST", "/api/listeners/" + s.listener + "/playlists",
                        json{{"territory", "DE"}, {"length", 3}}.dump(),
                        "\"listener\":\"" + s.listener + "\""};
       }},
      {"getSimilarItems", "YY YY YY YY YY",
       [](const Subject& s) {
         return Request{"GET", "/api/items/" + s.recording + "/similar?territory=DE", "",
                        "\"item\":\"" + s.recording + "\""};
       }},
      // With a listener: that listener's taste is blended in, so only it (or admin) may ask.
      {"createPromptPlaylist", "YY NN NN YN NN",
       [](const Subject& s) {
         return Request{"POST", "/api/prompt-playlists",
                        json{{"prompt", "like:(" + s.recording + ")"},
                             {"listener", s.listener},
                             {"territory", "DE"}}
                            .dump()};
       }},
  };
  return rows;
}

class ApiAccessTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new DemoServer(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static DemoServer* server_;
};
DemoServer* ApiAccessTest::server_ = nullptr;

TEST_F(ApiAccessTest, EveryRouteHasExactlyOneRow) {
  std::map<std::string_view, int> rows;
  for (const Row& row : Rows()) ++rows[row.operation];
  for (const RouteInfo& route : Api::Routes()) {
    EXPECT_EQ(rows[route.operation], 1)
        << route.method << " " << route.pattern << " (" << route.operation
        << ") needs exactly one row in the access table";
  }
  EXPECT_EQ(Rows().size(), Api::Routes().size()) << "a row names a route that does not exist";
}

TEST_F(ApiAccessTest, EveryRoleOnOwnAndForeignObjects) {
  const auth::Role roles[] = {auth::Role::kAdmin, auth::Role::kRightsHolder, auth::Role::kArtist,
                              auth::Role::kListener, auth::Role::kAuditor};
  for (const Row& row : Rows()) {
    ASSERT_EQ(std::string_view(row.expected).size(), 14u) << row.operation;
    for (int r = 0; r < 5; ++r) {
      for (int side = 0; side < 2; ++side) {
        const char expected = row.expected[r * 3 + side];
        const Subject& own = roles[r] == auth::Role::kArtist || roles[r] == auth::Role::kListener
                                 ? kMuldjord
                                 : kOpenwave;
        Request request = row.build(side == 0 ? own : kForeign);
        if (size_t at = request.target.find("{checkpoint}"); at != std::string::npos) {
          const json checkpoints =
              json::parse(server_->As(auth::Role::kAdmin, "GET", "/api/ledger/checkpoints").body);
          const std::string size = std::to_string(checkpoints["items"][0]["tree_size"].get<int>());
          while ((at = request.target.find("{checkpoint}")) != std::string::npos) {
            request.target.replace(at, 12, size);
          }
        }
        if (request.target.find("{fresh}") != std::string::npos) {
          const HttpResponse created =
              server_->As(auth::Role::kAdmin, "POST", "/api/tokens", json{{"role", "admin"}});
          ASSERT_EQ(created.status, 201);
          request.target.replace(request.target.find("{fresh}"), 7,
                                 json::parse(created.body)["id"].get<std::string>());
        }
        const HttpResponse response =
            server_->Call(request.method, request.target, request.body, server_->token(roles[r]));
        const std::string where =
            std::string(row.operation) + " as " + std::string(auth::RoleName(roles[r])) +
            (side == 0 ? " on its own object" : " on a foreign object") + ": HTTP " +
            std::to_string(response.status) + " " + response.body.substr(0, 300);
        switch (expected) {
          case 'Y':
            EXPECT_GE(response.status, 200) << where;
            EXPECT_LT(response.status, 300) << where;
            if (!request.marker.empty()) {
              EXPECT_THAT(response.body, ::testing::HasSubstr(request.marker)) << where;
            }
            break;
          case 'H':
            EXPECT_GE(response.status, 200) << where;
            EXPECT_LT(response.status, 300) << where;
            EXPECT_THAT(response.body, ::testing::Not(::testing::HasSubstr(request.marker)))
                << where;
            break;
          case 'N':
            EXPECT_EQ(response.status, 403) << where;
            EXPECT_THAT(response.body, ::testing::HasSubstr("\"permission_denied\"")) << where;
            break;
          default:
            FAIL() << "bad expectation '" << expected << "' in row " << row.operation;
        }
      }
    }
  }
}

TEST_F(ApiAccessTest, EveryRouteButThePublicOnesNeedsAToken) {
  for (const Row& row : Rows()) {
    Request request = row.build(kOpenwave);
    const HttpResponse response = server_->Call(request.method, request.target, request.body, "");
    if (row.operation == "getHealth" || row.operation == "getOpenApi") {
      EXPECT_EQ(response.status, 200) << row.operation;
    } else {
      EXPECT_EQ(response.status, 401) << row.operation << ": " << response.body;
    }
  }
}

}  // namespace
}  // namespace accord::server
