// Routes over royalty runs and statements: start a run for a period, list and read runs, a
// party's statement, its CSV and DSR exports, the events behind a line with their inclusion
// proofs (what the portal's "verify" checks in the browser), and a party's earnings by period.
//
// Runs are the documents `accord royalties run` writes (DATA/royalties/<period>.json,
// docs/formats/royalty_statements.md); the API reads and writes the same files.
#include <algorithm>
#include <charconv>
#include <filesystem>
#include <mutex>

#include "royalties/ledger_run.h"
#include "royalties/statement.h"
#include "server/api_internal.h"

namespace accord::server {
namespace {

bool SeesAllStatements(const Principal& principal) {
  return principal.admin() || principal.role() == auth::Role::kAuditor;
}

// Stored periods, ascending.
std::vector<std::string> Periods(const Api::State& state) {
  std::vector<std::string> periods;
  std::error_code error;
  for (const auto& entry :
       std::filesystem::directory_iterator(state.options.data_dir + "/royalties", error)) {
    const std::string name = entry.path().filename().string();
    if (name.size() == 12 && name.ends_with(".json") &&
        royalties::ParsePeriod(name.substr(0, 7)).ok()) {
      periods.push_back(name.substr(0, 7));
    }
  }
  std::sort(periods.begin(), periods.end());
  return periods;
}

// The run with each statement's lines counted, not read (royalties::LoadRunOutline): what
// listings show. A month's whole document is hundreds of megabytes.
json LoadRunOutline(const Api::State& state, const std::string& period) {
  Check(royalties::ParsePeriod(period).status(), "period");
  return Check(royalties::LoadRunOutline(state.options.data_dir, period), "period");
}

// The run with only `party`'s statement.
json LoadRunFor(const Api::State& state, const std::string& period, const std::string& party) {
  Check(royalties::ParsePeriod(period).status(), "period");
  return Check(royalties::LoadRunFor(state.options.data_dir, period, party), "period");
}

// Of a run's outline (or whole document).
json RunSummary(const json& run) {
  return {{"period", run["period"]["name"]},
          {"start", run["period"]["start"]},
          {"end", run["period"]["end"]},
          {"checkpoint", run["checkpoint"]},
          {"ledger_range", run["ledger_range"]},
          {"events", run["ledger_range"]["events"]},
          {"pools", run["pools"]},
          {"totals", run["totals"]},
          {"statements", run["statements"].size()}};
}

// The statement of `party` in `run`, if the caller may read it.
json RequireStatement(const Api::State& state, const Call& call, const json& run,
                      const std::string& party) {
  if (!SeesAllStatements(call.principal)) RequirePartyInReach(call, party, "party");
  (void)state;
  return Check(royalties::FindStatement(run, party), "party");
}

HttpResponse ListRuns(Api::State& state, Call& call) {
  const Page page = ParsePage(state, call);
  const std::vector<std::string> periods = Periods(state);
  return JsonResponse(200, PageOf(periods, page, [&](const std::string& period) {
                        return RunSummary(LoadRunOutline(state, period));
                      }));
}

HttpResponse CreateRun(Api::State& state, Call& call) {
  const json body = ParseBody(state, call);
  RejectUnknownFields(body, {"period", "pools", "replace"});
  const royalties::Period period =
      Check(royalties::ParsePeriod(RequireString(body, "period")), "period");
  auto pools = body.find("pools");
  if (pools == body.end() || !pools->is_object()) {
    Fail(400, "invalid_argument",
         "pools: expected the pools document (docs/formats/royalty_pools.md)", "pools");
  }
  const royalties::RunSettings settings =
      Check(royalties::ParseRunSettings(pools->dump(), "pools"), "pools");
  bool replace = false;
  if (auto it = body.find("replace"); it != body.end()) {
    if (!it->is_boolean())
      Fail(400, "invalid_argument", "replace: expected true or false", "replace");
    replace = it->get<bool>();
  }
  std::lock_guard runs_lock(state.runs_mu);
  std::optional<royalties::RunResult> result;
  {
    std::shared_lock registry_lock(state.registry_mu);
    std::shared_lock ledger_lock(state.ledger_mu);
    result = Check(royalties::RunFromLedger(*state.ledger, state.registry->registry(),
                                            *state.snapshot, period, settings));
  }
  const royalties::SaveOutcome outcome =
      Check(royalties::SaveRun(state.options.data_dir, *result, replace), "period");
  json summary = RunSummary(royalties::RunOutline(*result));
  summary["unchanged"] = outcome == royalties::SaveOutcome::kUnchanged;
  return JsonResponse(outcome == royalties::SaveOutcome::kUnchanged ? 200 : 201, summary);
}

HttpResponse GetRun(Api::State& state, Call& call) {
  return JsonResponse(200, RunSummary(LoadRunOutline(state, call.param(0))));
}

HttpResponse ListStatements(Api::State& state, Call& call) {
  const Page page = ParsePage(state, call);
  const json run = LoadRunOutline(state, call.param(0));
  std::vector<const json*> visible;
  for (const json& statement : run["statements"]) {
    const std::string party = statement.value("party", "");
    if (SeesAllStatements(call.principal) || call.principal.reach.contains(party)) {
      visible.push_back(&statement);
    }
  }
  return JsonResponse(200, PageOf(visible, page, [](const json* statement) {
                        return json{{"party", (*statement)["party"]},
                                    {"party_name", (*statement)["party_name"]},
                                    {"totals", (*statement)["totals"]},
                                    {"lines", (*statement)["line_count"]}};
                      }));
}

HttpResponse GetStatement(Api::State& state, Call& call) {
  const json run = LoadRunFor(state, call.param(0), call.param(1));
  json statement = RequireStatement(state, call, run, call.param(1));
  statement["period"] = run["period"];
  statement["checkpoint"] = run["checkpoint"];
  statement["ledger_range"] = run["ledger_range"];
  return JsonResponse(200, statement);
}

HttpResponse ExportStatement(Api::State& state, Call& call) {
  const std::string& party = call.param(1);
  const json run = LoadRunFor(state, call.param(0), party);
  (void)RequireStatement(state, call, run, party);
  const std::string* format = call.request.Param("format");
  if (format == nullptr || (*format != "csv" && *format != "dsr")) {
    Fail(400, "invalid_argument", "format: csv or dsr", "format");
  }
  const bool csv = *format == "csv";
  HttpResponse response = TextResponse(
      200, csv ? "text/csv; charset=utf-8" : "text/tab-separated-values; charset=utf-8",
      Check(csv ? royalties::ExportCsv(run, party) : royalties::ExportDsr(run, party)));
  std::string file = party + "-" + call.param(0) + (csv ? ".csv" : ".dsr.tsv");
  std::replace(file.begin(), file.end(), ':', '_');
  response.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + file + "\"");
  return response;
}

HttpResponse LineEvents(Api::State& state, Call& call) {
  const Page page = ParsePage(state, call);
  const json run = LoadRunFor(state, call.param(0), call.param(1));
  const json statement = RequireStatement(state, call, run, call.param(1));
  const uint64_t number = ParseUnsigned(call.param(2), "line", "a line number");
  const json& lines = statement["lines"];
  if (number < 1 || number > lines.size()) {
    Fail(400, "invalid_argument",
         "line: the statement has lines 1.." + std::to_string(lines.size()), "line");
  }
  const json& line = lines[number - 1];
  json items = json::array();
  uint64_t count = 0;
  if (line.value("kind", "") != "guarantee") {
    const uint64_t anchor_size = run["checkpoint"].value("tree_size", uint64_t{0});
    std::shared_lock lock(state.ledger_mu);
    const royalties::LineEvents events =
        Check(royalties::EventsBehindLine(*state.ledger, run, line, page.offset + page.limit));
    count = events.count;
    for (size_t i = page.offset; i < events.shown.size(); ++i) {
      const auto& [sequence, id] = events.shown[i];
      // Against the run's own checkpoint, so the browser checks each path against the very
      // root the statement was computed from, without a consistency proof to a later head.
      const ledger::ProofBundle proof = Check(state.ledger->Prove(id, anchor_size));
      items.push_back({{"sequence", sequence},
                       {"event_id", id},
                       {"proof", json::parse(ledger::ProofBundleToJson(proof))}});
    }
  }
  json out = PagedJson(std::move(items), page, count);
  out["line"] = line;
  out["count"] = count;
  out["checkpoint"] = run["checkpoint"];
  return JsonResponse(200, out);
}

// "12.34" in a currency with 2 decimals → 1234. The run document writes amounts as decimal
// strings with the currency's exponent, so removing the point gives the minor units exactly.
std::optional<int64_t> MinorUnits(const std::string& amount) {
  std::string digits;
  for (char c : amount) {
    if (c != '.') digits.push_back(c);
  }
  int64_t value = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return value;
}

HttpResponse Earnings(Api::State& state, Call& call) {
  const std::string& party = call.param(0);
  {
    std::shared_lock lock(state.registry_mu);
    if (!state.index.parties.contains(party)) Fail(404, "not_found", "no party " + party, "id");
  }
  if (!SeesAllStatements(call.principal)) RequirePartyInReach(call, party, "id");
  json items = json::array();
  for (const std::string& period : Periods(state)) {
    const json run = LoadRunFor(state, period, party);
    Result<json> statement = royalties::FindStatement(run, party);
    if (!statement.ok()) continue;  // nothing earned that period
    for (const auto& [currency, amount] : (*statement)["totals"].items()) {
      const std::string text = amount.get<std::string>();
      const std::optional<int64_t> minor = MinorUnits(text);
      items.push_back({{"period", period},
                       {"currency", currency},
                       {"amount", text},
                       {"amount_minor", minor ? json(*minor) : json(nullptr)}});
    }
  }
  return JsonResponse(200, {{"party", party}, {"items", items}});
}

}  // namespace

void AddRoyaltyRoutes(std::vector<Route>& routes) {
  const uint8_t readers = kAdmin | kAuditor | kRightsHolder | kArtist;
  routes.insert(
      routes.end(),
      {
          {{"GET", "/api/royalties/runs", "listRoyaltyRuns"}, readers, ListRuns},
          {{"POST", "/api/royalties/runs", "createRoyaltyRun"}, kAdmin, CreateRun},
          {{"GET", "/api/royalties/runs/{period}", "getRoyaltyRun"}, readers, GetRun},
          {{"GET", "/api/royalties/runs/{period}/statements", "listStatements"},
           readers,
           ListStatements},
          {{"GET", "/api/royalties/runs/{period}/statements/{party}", "getStatement"},
           readers,
           GetStatement},
          {{"GET", "/api/royalties/runs/{period}/statements/{party}/export", "exportStatement"},
           readers,
           ExportStatement},
          {{"GET", "/api/royalties/runs/{period}/statements/{party}/lines/{line}/events",
            "listStatementLineEvents"},
           readers,
           LineEvents},
          {{"GET", "/api/parties/{id}/earnings", "getPartyEarnings"}, readers, Earnings},
      });
}

}  // namespace accord::server
