// Stored runs and exports: deterministic bytes, atomic and refusing saves, CSV and DSR rows.
#include "royalties/statement.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace accord::royalties {
namespace {

namespace fs = std::filesystem;

RunResult SampleRun() {
  const Currency eur = *Currency::FromCode("EUR");
  RunResult run;
  run.period = *ParsePeriod("2026-07");
  run.checkpoint.checkpoint.tree_size = 9;
  run.first_sequence = 2;
  run.last_sequence = 9;
  run.events = 5;
  run.pools.push_back({"p", Money(1000, eur), "pro_rata", 5, 2, 5000000});
  Statement label;
  label.party = "label:x";
  label.party_name = "X, \"the\" label";
  StatementLine line;
  line.kind = LineKind::kPool;
  line.source = "p";
  line.isrc = LineIsrc("QZTST2600001");
  line.scope = rights::Scope::kDj;
  line.territory = *Territory::Parse("DE");
  line.role = HolderRole::kMasterOwner;
  line.share_ppm = 1000000;
  line.uses = 5;
  line.weight = 5000000;
  line.pool_weight = 5000000;
  line.amount = Money(1000, eur);
  label.lines.push_back(line);
  label.totals_minor["EUR"] = 1000;
  run.statements.push_back(label);
  run.totals["EUR"] = {1000, 0, 0, 1000};
  return run;
}

class StatementTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (fs::temp_directory_path() / ("accord-statement-test-" + std::to_string(::getpid())))
               .string();
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_;
};

TEST_F(StatementTest, SameRunGivesTheSameBytes) {
  EXPECT_EQ(RunToJson(SampleRun()), RunToJson(SampleRun()));
  RunResult other = SampleRun();
  other.statements[0].lines[0].amount = Money(999, *Currency::FromCode("EUR"));
  EXPECT_NE(RunToJson(SampleRun()), RunToJson(other));
}

// RunToJson writes statements itself rather than through a JSON value (a month has a million
// lines); the oracle is the library: parsing the document and writing it again with
// ordered_json::dump(1) must give the same bytes.
TEST_F(StatementTest, DocumentIsExactlyWhatTheJsonLibraryWrites) {
  const Currency eur = *Currency::FromCode("EUR");
  RunResult run = SampleRun();
  // Escapes and UTF-8 in names, every kind of line, a statement with no lines or totals.
  run.statements[0].party_name = "Tab\there \\ \"quoted\" \x01 Sigur R\xc3\xb3s \xe2\x82\xac";
  StatementLine fee = run.statements[0].lines[0];
  fee.kind = LineKind::kFee;
  fee.source = "AG-1";
  fee.role = HolderRole::kLicensor;
  fee.rate_micros = 2500;
  fee.amount = Money(-3, eur);
  run.statements[0].lines.push_back(fee);
  StatementLine top_up;
  top_up.kind = LineKind::kGuarantee;
  top_up.source = "AG-1";
  top_up.role = HolderRole::kLicensor;
  top_up.share_ppm = 1000000;
  top_up.weight = 997;
  top_up.pool_weight = 5000;
  top_up.amount = Money(4003, eur);
  run.statements[0].lines.push_back(top_up);
  run.statements[0].totals_minor["USD"] = 0;
  Statement empty;
  empty.party = "writer:\xc3\xa9";
  run.statements.push_back(empty);
  for (const RunResult& each : {run, SampleRun(), RunResult()}) {
    const std::string document = RunToJson(each);
    EXPECT_EQ(nlohmann::ordered_json::parse(document).dump(1) + "\n", document);
  }
}

// A run of `statements` statements of `lines_each` lines each (the first has `first_lines`).
RunResult RunOfLines(int statements, size_t lines_each, size_t first_lines) {
  RunResult run = SampleRun();
  const Statement sample = run.statements[0];
  run.statements.clear();
  for (int n = 0; n < statements; ++n) {
    Statement statement = sample;
    statement.party = "label:" + std::to_string(100'000 + n);
    statement.lines.resize(n == 0 ? first_lines : lines_each, sample.lines[0]);
    for (size_t k = 0; k < statement.lines.size(); ++k) statement.lines[k].uses = 1 + n + k;
    run.statements.push_back(statement);
  }
  return run;
}

TEST_F(StatementTest, MonthSizedDocumentIsWrittenInOrderFromBothThreads) {
  // From 100,000 lines the statements are formatted in blocks of about 8,192 lines, every other
  // one on a helper thread: the pieces must still come in order and make exactly the document
  // the JSON library writes, with a statement bigger than a block among them.
  const RunResult run = RunOfLines(2'000, 55, 30'000);
  const std::string document = RunToJson(run);
  EXPECT_EQ(nlohmann::ordered_json::parse(document).dump(1) + "\n", document);
  std::vector<std::string> pieces;
  ASSERT_TRUE(WriteRunJson(run, [&](std::string_view piece) {
                pieces.emplace_back(piece);
                return OkStatus();
              }).ok());
  EXPECT_GT(pieces.size(), size_t{10});
  std::string joined;
  for (const std::string& piece : pieces) joined += piece;
  EXPECT_EQ(joined, document);
  // A sink that fails stops the writing: nothing is handed over after its error, which is
  // returned (and the helper thread is not left waiting).
  for (size_t fail_at : {size_t{0}, size_t{1}, size_t{2}, size_t{5}}) {
    size_t calls = 0;
    const Status status = WriteRunJson(run, [&](std::string_view) {
      return calls++ == fail_at ? DataLossError("disk gone") : OkStatus();
    });
    EXPECT_EQ(status.code(), StatusCode::kDataLoss);
    EXPECT_EQ(calls, fail_at + 1);
  }
}

TEST_F(StatementTest, SavingARunComparesWithTheStoredOneAsItWrites) {
  // SaveRun of a run writes the document as it is made, comparing it with the stored run:
  // identical is unchanged and leaves the file as it was; different is refused without
  // --replace, the stored run intact, and replaces it whole with it, whatever part differs.
  const RunResult first = RunOfLines(2'000, 55, 30'000);
  const std::string path = RunPath(dir_, "2026-07");
  ASSERT_EQ(*SaveRun(dir_, first, false), SaveOutcome::kWritten);
  std::string stored;
  std::getline(std::ifstream(path), stored, '\0');
  ASSERT_EQ(stored, RunToJson(first));
  const auto written_at = fs::last_write_time(path);
  EXPECT_EQ(*SaveRun(dir_, first, false), SaveOutcome::kUnchanged);
  EXPECT_EQ(fs::last_write_time(path), written_at) << "an identical run is not written again";

  RunResult late = first;  // differs in the last statement only
  late.statements.back().lines.back().uses += 1;
  RunResult early = first;  // differs in the head
  early.events += 1;
  RunResult shorter = first;  // the stored run with its last statement cut off
  shorter.statements.pop_back();
  RunResult longer = first;
  longer.statements.push_back(first.statements.back());
  longer.statements.back().party = "label:zz";
  for (const RunResult* other : {&late, &early, &shorter, &longer}) {
    Result<SaveOutcome> refused = SaveRun(dir_, *other, false);
    EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
    std::string after;
    std::getline(std::ifstream(path), after, '\0');
    EXPECT_EQ(after, stored) << "the refused save changed nothing";
    EXPECT_FALSE(fs::exists(path + ".tmp"));
    ASSERT_EQ(*SaveRun(dir_, *other, true), SaveOutcome::kWritten);
    std::getline(std::ifstream(path), after, '\0');
    EXPECT_EQ(after, RunToJson(*other));
    EXPECT_FALSE(fs::exists(path + ".tmp"));
    ASSERT_EQ(*SaveRun(dir_, first, true), SaveOutcome::kWritten);  // back to the first
  }
  // The string form behaves alike.
  EXPECT_EQ(*SaveRun(dir_, "2026-07", stored, false), SaveOutcome::kUnchanged);
}

TEST_F(StatementTest, TotalsAloneAreTheDocumentsTotals) {
  // `accord royalties run` answers with the totals without parsing the document it stored; they
  // must be the document's, with "retained" exactly when a pool is gross.
  RunResult net = SampleRun();
  net.totals["USD"] = {.pools = 250, .fees = 40, .guarantees = 10, .paid = 300};
  RunResult gross = net;
  gross.pools[0].revenue = PoolRevenue::kGross;
  gross.totals["EUR"].retained = 120;
  for (const RunResult& each : {net, gross, RunResult()}) {
    EXPECT_EQ(RunTotalsToJson(each), nlohmann::json::parse(RunToJson(each))["totals"]);
  }
  EXPECT_FALSE(RunTotalsToJson(net)["EUR"].contains("retained"));
  EXPECT_EQ(RunTotalsToJson(gross)["EUR"]["retained"], "1.20");
  EXPECT_EQ(RunTotalsToJson(gross)["USD"]["paid"], "3.00");
}

TEST_F(StatementTest, SaveIsIdempotentAndRefusesToReplaceSilently) {
  const std::string first = RunToJson(SampleRun());
  RunResult changed = SampleRun();
  changed.events = 6;
  const std::string second = RunToJson(changed);
  ASSERT_EQ(*SaveRun(dir_, "2026-07", first, false), SaveOutcome::kWritten);
  EXPECT_EQ(*SaveRun(dir_, "2026-07", first, false), SaveOutcome::kUnchanged);
  Result<SaveOutcome> refused = SaveRun(dir_, "2026-07", second, false);
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("--replace"), std::string::npos);
  Result<nlohmann::json> stored = LoadRun(dir_, "2026-07");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ((*stored)["ledger_range"]["events"], 5) << "the refused save changed nothing";
  EXPECT_EQ(*SaveRun(dir_, "2026-07", second, true), SaveOutcome::kWritten);
  EXPECT_EQ((*LoadRun(dir_, "2026-07"))["ledger_range"]["events"], 6);
  EXPECT_FALSE(fs::exists(RunPath(dir_, "2026-07") + ".tmp"));
}

TEST_F(StatementTest, OnePartysStatementReadsAsTheWholeDocumentFilteredDoes) {
  // LoadRunFor reads only the head and one statement of a document in RunToJson's layout, and
  // parses any other layout whole: both must give LoadRun's run with only that party's
  // statement, for ids that are prefixes of one another, need escaping or are not there.
  RunResult run = SampleRun();
  const std::vector<std::string> parties = {"label:x", "label:xy", "artist:\"q\" \\ b",
                                            "writer:\xc3\xa9", "label:empty"};
  run.statements.clear();
  for (const std::string& party : parties) {
    Statement statement = SampleRun().statements[0];
    statement.party = party;
    statement.party_name = "name of " + party + "\n  }";
    if (party == "label:empty") statement.lines.clear();
    run.statements.push_back(statement);
  }
  const std::string document = RunToJson(run);
  auto filtered = [](nlohmann::json whole, const std::string& party) {
    nlohmann::json kept = nlohmann::json::array();
    for (const nlohmann::json& statement : whole["statements"]) {
      if (statement["party"] == party) kept.push_back(statement);
    }
    whole["statements"] = kept;
    return whole;
  };
  const nlohmann::json whole = nlohmann::json::parse(document);
  // The same document in RunToJson's layout, and reindented (the fallback).
  for (const std::string& text : {document, whole.dump(2)}) {
    fs::create_directories(dir_ + "/royalties");
    std::ofstream(RunPath(dir_, "2026-07"), std::ios::trunc) << text;
    for (const std::string& party :
         {parties[0], parties[1], parties[2], parties[3], parties[4], std::string("label:"),
          std::string("nobody"), std::string("bad \xff utf-8")}) {
      Result<nlohmann::json> one = LoadRunFor(dir_, "2026-07", party);
      ASSERT_TRUE(one.ok()) << party << ": " << one.status().ToString();
      EXPECT_EQ(*one, filtered(whole, party)) << party;
    }
  }
  // Cut inside a statement: neither reading may pass it off as a run.
  std::ofstream(RunPath(dir_, "2026-07"), std::ios::trunc)
      << document.substr(0, document.find("label:xy") + 40);
  EXPECT_EQ(LoadRunFor(dir_, "2026-07", "label:xy").status().code(), StatusCode::kDataLoss);
  // Cut after that party's statement: still not a whole run.
  std::ofstream(RunPath(dir_, "2026-07"), std::ios::trunc)
      << document.substr(0, document.find("label:empty"));
  EXPECT_EQ(LoadRunFor(dir_, "2026-07", "label:xy").status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(LoadRunFor(dir_, "2026-08", "label:xy").status().code(), StatusCode::kNotFound);
}

TEST_F(StatementTest, OnePartysStatementIsFoundAcrossTheReadersPieces) {
  // The document is searched 4 MiB at a time: a statement whose opening straddles the end of a
  // piece must be found as any other. 40,000 statements make a document of about 16 MiB.
  RunResult run = SampleRun();
  const Statement sample = run.statements[0];
  run.statements.clear();
  for (int n = 0; n < 40'000; ++n) {
    Statement statement = sample;
    statement.party = "label:" + std::to_string(n);
    run.statements.push_back(statement);
  }
  const std::string document = RunToJson(run);
  ASSERT_GT(document.size(), size_t{12} << 20);
  fs::create_directories(dir_ + "/royalties");
  std::ofstream(RunPath(dir_, "2026-07")) << document;
  const nlohmann::json whole = nlohmann::json::parse(document);
  std::vector<int> chosen = {0, 1, 20'000, 39'999};
  // Every statement opening within 8 KiB of where a piece ends (the search starts at the
  // statements, and pieces overlap by a few dozen bytes). The statements are in the order
  // made, so one pass finds where each opens.
  const size_t start = document.find("\"statements\": [");
  size_t at = 0;
  for (int n = 0; n < 40'000; ++n) {
    at = document.find("\"party\": \"label:", at + 1);
    ASSERT_NE(at, std::string::npos);
    for (size_t end = start + (size_t{4} << 20); end < document.size(); end += size_t{4} << 20) {
      if (at + 8192 > end && at < end + 8192) chosen.push_back(n);
    }
  }
  ASSERT_GT(chosen.size(), size_t{40});
  for (int n : chosen) {
    const std::string party = "label:" + std::to_string(n);
    Result<nlohmann::json> one = LoadRunFor(dir_, "2026-07", party);
    ASSERT_TRUE(one.ok()) << party;
    ASSERT_EQ((*one)["statements"].size(), 1u) << party;
    EXPECT_EQ((*one)["statements"][0], whole["statements"][n]) << party;
    EXPECT_EQ((*one)["totals"], whole["totals"]);
  }
}

// What LoadRunOutline must give for `document`: its statements with a count of lines in place of
// the lines.
nlohmann::json OutlineOfWhole(nlohmann::json run) {
  for (nlohmann::json& statement : run["statements"]) {
    statement["line_count"] = statement["lines"].size();
    statement.erase("lines");
  }
  return run;
}

TEST_F(StatementTest, OutlineReadsAsTheWholeDocumentWithLinesCounted) {
  // LoadRunOutline counts the lines of a document in RunToJson's layout without parsing them,
  // and parses any other layout whole; both, and RunOutline of the run in memory (what the
  // server answers a new run with), must agree with the whole document, whatever the names
  // hold: escapes, a newline and brace that look like the layout's, UTF-8.
  const Currency usd = *Currency::FromCode("USD");
  RunResult run = SampleRun();
  run.statements.clear();
  for (int n = 0; n < 6; ++n) {
    Statement statement = SampleRun().statements[0];
    statement.party = "label:" + std::to_string(n) + (n == 3 ? "\"q\" \\ \xc3\xa9" : "");
    statement.party_name = "name\n  }\n  {\n     \"line\": 9,";
    // 0, 1, 2, ... 10 lines (the 11th is past line 9, so "line": 10 is two digits).
    statement.lines.resize(n == 5 ? 11 : static_cast<size_t>(n), statement.lines[0]);
    if (n == 2) statement.totals_minor.clear();
    if (n == 4) statement.totals_minor["USD"] = 7;
    run.statements.push_back(statement);
  }
  run.totals["USD"] = {.pools = 7, .paid = 7};
  run.pools.push_back({"q", Money(7, usd), "user_centric", 1, 1, 1});
  for (const RunResult& each : {run, SampleRun(), RunResult()}) {
    const std::string document = RunToJson(each);
    const nlohmann::json whole = nlohmann::json::parse(document);
    const nlohmann::json expected = OutlineOfWhole(whole);
    EXPECT_EQ(RunOutline(each), expected);
    for (const std::string& text : {document, whole.dump(2), whole.dump()}) {
      fs::create_directories(dir_ + "/royalties");
      std::ofstream(RunPath(dir_, "2026-07"), std::ios::trunc) << text;
      bool parsed_whole = false;
      Result<nlohmann::json> outline = LoadRunOutline(dir_, "2026-07", &parsed_whole);
      ASSERT_TRUE(outline.ok()) << outline.status().ToString();
      EXPECT_EQ(*outline, expected);
      EXPECT_EQ(parsed_whole, text != document) << "RunToJson's layout is read line by line";
      // The exports of a stored run read it a statement at a time: the same bytes as the
      // exports of the whole document, for every party and for each.
      for (const std::string& party :
           {std::string(), std::string("label:1"), std::string("label:3\"q\" \\ \xc3\xa9")}) {
        if (!party.empty() && each.statements.size() < 6) continue;
        EXPECT_EQ(*ExportStoredRun(dir_, "2026-07", ExportFormat::kCsv, party),
                  *ExportCsv(whole, party))
            << party;
        EXPECT_EQ(*ExportStoredRun(dir_, "2026-07", ExportFormat::kDsr, party),
                  *ExportDsr(whole, party))
            << party;
      }
      EXPECT_EQ(ExportStoredRun(dir_, "2026-07", ExportFormat::kCsv, "nobody").status().code(),
                StatusCode::kNotFound);
    }
  }
  EXPECT_EQ(RunOutline(run)["statements"][5]["line_count"], 11);
  EXPECT_EQ(RunOutline(run)["statements"][0]["line_count"], 0);

  // A document in the layout but cut short anywhere is not a run, however it is read (cut
  // after the last brace, it is still the whole run).
  const std::string document = RunToJson(run);
  for (size_t cut : {document.find("\"lines\""), document.find("label:4"), document.size() - 3}) {
    std::ofstream(RunPath(dir_, "2026-07"), std::ios::trunc) << document.substr(0, cut);
    EXPECT_EQ(LoadRunOutline(dir_, "2026-07").status().code(), StatusCode::kDataLoss) << cut;
    EXPECT_EQ(ExportStoredRun(dir_, "2026-07", ExportFormat::kDsr, "").status().code(),
              StatusCode::kDataLoss)
        << cut;
  }
  // The second of a statement's three lines taken out by hand, leaving a gap in the numbers:
  // the lines that are there are counted.
  std::string gap = document;
  const size_t second = gap.find("     \"line\": 2,", gap.find("label:3"));
  const size_t from = gap.rfind("\n    {", second);
  gap.erase(from, gap.find("\n    },", second) + 7 - from);
  std::ofstream(RunPath(dir_, "2026-07"), std::ios::trunc) << gap;
  Result<nlohmann::json> outline = LoadRunOutline(dir_, "2026-07");
  ASSERT_TRUE(outline.ok()) << outline.status().ToString();
  EXPECT_EQ(*outline, OutlineOfWhole(nlohmann::json::parse(gap)));
  EXPECT_EQ((*outline)["statements"][3]["line_count"], 2);
  EXPECT_EQ(LoadRunOutline(dir_, "2026-08").status().code(), StatusCode::kNotFound);
}

TEST_F(StatementTest, OutlineCountsLinesAcrossTheReadersPieces) {
  // The lines are read 4 MiB at a time: statements and lines that straddle a piece's end must
  // be counted as any other. 30 statements of 2,000 lines make a document of about 24 MiB.
  RunResult run = SampleRun();
  const Statement sample = run.statements[0];
  run.statements.clear();
  for (int n = 0; n < 30; ++n) {
    Statement statement = sample;
    statement.party = "label:" + std::to_string(n);
    statement.lines.resize(static_cast<size_t>(1'990 + n), sample.lines[0]);
    run.statements.push_back(statement);
  }
  const std::string document = RunToJson(run);
  ASSERT_GT(document.size(), size_t{16} << 20);
  fs::create_directories(dir_ + "/royalties");
  std::ofstream(RunPath(dir_, "2026-07")) << document;
  bool parsed_whole = true;
  Result<nlohmann::json> outline = LoadRunOutline(dir_, "2026-07", &parsed_whole);
  ASSERT_TRUE(outline.ok()) << outline.status().ToString();
  EXPECT_FALSE(parsed_whole);
  EXPECT_EQ(*outline, OutlineOfWhole(nlohmann::json::parse(document)));
  EXPECT_EQ((*outline)["statements"][29]["line_count"], 2'019);
  const nlohmann::json whole = nlohmann::json::parse(document);
  EXPECT_EQ(*ExportStoredRun(dir_, "2026-07", ExportFormat::kCsv, ""), *ExportCsv(whole, ""));
}

TEST_F(StatementTest, LoadNamesWhatIsMissingOrBroken) {
  EXPECT_EQ(LoadRun(dir_, "2026-01").status().code(), StatusCode::kNotFound);
  fs::create_directories(dir_ + "/royalties");
  std::ofstream(RunPath(dir_, "2026-02")) << "{\"format\": \"something else\"}";
  Result<nlohmann::json> broken = LoadRun(dir_, "2026-02");
  EXPECT_EQ(broken.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(broken.status().message().find("2026-02.json"), std::string::npos);
}

TEST_F(StatementTest, CsvQuotesWhereNeededAndDsrHasHeadSummaryUsageFoot) {
  const nlohmann::json run = nlohmann::json::parse(RunToJson(SampleRun()));
  Result<std::string> csv = ExportCsv(run, "");
  ASSERT_TRUE(csv.ok());
  EXPECT_NE(csv->find("2026-07,label:x,1,pool,p,QZTST2600001,dj,DE,master_owner,1000000,5,"
                      "5000000/5000000,10.00,EUR\r\n"),
            std::string::npos)
      << *csv;
  Result<std::string> dsr = ExportDsr(run, "label:x");
  ASSERT_TRUE(dsr.ok());
  EXPECT_EQ(dsr->rfind("HEAD\t", 0), 0u);
  EXPECT_NE(dsr->find("\nSY01\tSY1\tAI usage\tlabel:x\tX, \"the\" label\t5\t10.00\tEUR\n"),
            std::string::npos)
      << *dsr;
  EXPECT_NE(dsr->find("\nSU01\tSU1\tSY1\tQZTST2600001\tdj\tDE\tpool\tp\tmaster_owner\t1000000\t5\t"
                      "10.00\tEUR\n"),
            std::string::npos);
  EXPECT_NE(dsr->find("\nFOOT\t1\t1\n"), std::string::npos);
  EXPECT_EQ(ExportCsv(run, "nobody").status().code(), StatusCode::kNotFound);
}

// The exports read each statement through nlohmann's SAX parser into a flat form, by the
// members' JSON types, for whatever a document may hold beyond RunToJson's own output: a string
// member is its text, an integer member its digits, anything else "" or 0 (a "uses" of 1.5
// counts no uses; json's value() truncated it, and threw on a string).
TEST_F(StatementTest, ExportsReadMembersByTheirJsonTypes) {
  nlohmann::json run = nlohmann::json::parse(RunToJson(SampleRun()));
  const std::string text = R"({
    "party": "label:\u00e9", "party_name": "\"Caf\u00e9\", Ltd", "extra": {"a": [1, {"b": 2}]},
    "totals": {"USD": "1.00", "EUR": "2.50", "GBP": 3},
    "lines": [
      {"line": 1, "kind": "pool", "isrc": "QZTST2600001", "currency": "EUR", "uses": 4,
       "amount": "2.50", "scope": "dj", "territory": "DE", "role": "master_owner",
       "share_ppm": 1000000, "weight": "4", "pool_weight": "8", "source": "p", "kind": "fee",
       "nested": {"uses": 99}, "rate": [1]},
      {"line": 2, "currency": "USD", "uses": 1.5, "amount": "1.00", "isrc": "QZTST2600002",
       "share_ppm": "7", "guarantee": "5.00"}
    ]})";
  run["statements"].push_back(nlohmann::json::parse(text));
  Result<std::string> csv = ExportCsv(run, "label:\u00e9");
  ASSERT_TRUE(csv.ok()) << csv.status().ToString();
  // Escapes decoded, the later "kind" wins, a float "uses" and a string "share_ppm" read as 0,
  // and "weight" chosen before the array-valued "rate".
  EXPECT_EQ(
      *csv,
      "period,party,line,kind,source,isrc,scope,territory,role,share_ppm,uses,basis,amount,"
      "currency\r\n"
      "2026-07,label:\u00e9,1,fee,p,QZTST2600001,dj,DE,master_owner,1000000,4,4/8,2.50,EUR\r\n"
      "2026-07,label:\u00e9,2,,,QZTST2600002,,,,0,0,guarantee 5.00,1.00,USD\r\n");
  Result<std::string> dsr = ExportDsr(run, "label:\u00e9");
  ASSERT_TRUE(dsr.ok()) << dsr.status().ToString();
  // Currencies in code order, as a json object iterates them; a total that is not a string is
  // an empty cell.
  EXPECT_NE(dsr->find("\nSY01\tSY1\tAI usage\tlabel:\u00e9\t\"Caf\u00e9\", Ltd\t4\t2.50\tEUR\n"
                      "SU01\tSU1\tSY1\tQZTST2600001\tdj\tDE\tfee\tp\tmaster_owner\t1000000\t4\t"
                      "2.50\tEUR\n"
                      "SY01\tSY2\tAI usage\tlabel:\u00e9\t\"Caf\u00e9\", Ltd\t0\t\tGBP\n"
                      "SY01\tSY3\tAI usage\tlabel:\u00e9\t\"Caf\u00e9\", Ltd\t0\t1.00\tUSD\n"
                      "SU01\tSU2\tSY3\tQZTST2600002\t\t\t\t\t\t0\t0\t1.00\tUSD\n"),
            std::string::npos)
      << *dsr;

  // A statement whose lines are not an array of objects is refused, naming it.
  run["statements"].back()["lines"] = {{"line", 1}};
  Result<std::string> refused = ExportCsv(run, "");
  EXPECT_EQ(refused.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(refused.status().message().find("label:\u00e9"), std::string::npos)
      << refused.status().message();
}

}  // namespace
}  // namespace accord::royalties
