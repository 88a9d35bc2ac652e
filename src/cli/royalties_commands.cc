// Verbs over the royalty engine: `royalties run` computes and stores a period's statements;
// `statements list|show|explain|export` read them back. The work happens in royalties/.
#include <algorithm>
#include <filesystem>
#include <string>

#include "cli/common.h"
#include "ledger/ledger.h"
#include "royalties/ledger_run.h"
#include "royalties/statement.h"

namespace accord::cli {
namespace {

using nlohmann::json;

// The period a statements verb reads: --period, else the latest stored run.
std::string ResolvePeriod(const Globals& g, const std::string& period) {
  if (!period.empty()) {
    Check(royalties::ParsePeriod(period).status().WithPrefix("--period"));
    return period;
  }
  std::vector<std::string> periods;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(DataDir(g) + "/royalties", error)) {
    const std::string name = entry.path().filename().string();
    if (name.size() == 12 && name.ends_with(".json")) periods.push_back(name.substr(0, 7));
  }
  if (periods.empty()) {
    throw Failure{
        NotFoundError("no royalty runs in " + DataDir(g) +
                      "; run `accord royalties run --period YYYY-MM --pools FILE` first")};
  }
  return *std::max_element(periods.begin(), periods.end());
}

void AddRoyalties(CLI::App& app, Globals& g) {
  auto* royalties_cmd = app.add_subcommand("royalties", "Compute royalty statements");
  royalties_cmd->require_subcommand(1);
  auto* run = royalties_cmd->add_subcommand(
      "run", "Split a period's revenue pools, fees and guarantees into statements per party");
  static std::string period, pools_file;
  static bool replace = false;
  run->add_option("--period", period, "Calendar month, e.g. 2026-01")->required();
  run->add_option("--pools", pools_file, "Revenue pools and settings (JSON)")->required();
  run->add_flag("--replace", replace, "Supersede a different stored run of the same period");
  run->callback([&g] {
    const royalties::Period parsed = ParseArg(royalties::ParsePeriod(period), "--period");
    const royalties::RunSettings settings = Check(royalties::ReadRunSettingsFile(pools_file));
    auto opening = StartOpeningLedger(g);
    auto registry = OpenService(g);
    auto snapshot = Check(registry->snapshot());
    auto book = Check(opening.get());
    const royalties::RunResult result =
        Check(royalties::RunFromLedger(*book, registry->registry(), *snapshot, parsed, settings));
    const royalties::SaveOutcome outcome = Check(royalties::SaveRun(DataDir(g), result, replace));
    json out = {{"period", parsed.name},
                {"file", royalties::RunPath(DataDir(g), parsed.name)},
                {"unchanged", outcome == royalties::SaveOutcome::kUnchanged},
                {"events", result.events},
                {"statements", result.statements.size()},
                {"checkpoint_tree_size", result.checkpoint.checkpoint.tree_size},
                {"totals", royalties::RunTotalsToJson(result)}};
    std::string text = "royalty run " + parsed.name + ": " + std::to_string(result.events) +
                       " events up to the checkpoint of " +
                       std::to_string(result.checkpoint.checkpoint.tree_size) + ", " +
                       std::to_string(result.statements.size()) + " statements";
    for (const auto& [currency, totals] : out["totals"].items()) {
      text += "; " + currency + ": pools " + totals["pools"].get<std::string>() + " + fees " +
              totals["fees"].get<std::string>() + " + guarantees " +
              totals["guarantees"].get<std::string>() + " = paid " +
              totals["paid"].get<std::string>();
      if (totals.contains("retained")) {
        text += " (of which retained by " + settings.platform + " from gross pools " +
                totals["retained"].get<std::string>() + ")";
      }
    }
    text += outcome == royalties::SaveOutcome::kUnchanged
                ? " (identical to the stored run)\n"
                : "\nwrote " + out["file"].get<std::string>() + "\n";
    Print(g, out, text);
  });
}

void AddStatements(CLI::App& app, Globals& g) {
  auto* statements = app.add_subcommand("statements", "List, show, explain and export statements");
  statements->require_subcommand(1);
  static std::string period, party, format, out_file;
  static int line_number = 0;
  static size_t limit = 20;

  auto* list = statements->add_subcommand(
      "list", "Every party's statement for a period: its totals and how many lines it has");
  list->add_option("--period", period, "Calendar month (default: the latest run)");
  list->callback([&g] {
    // The outline counts each statement's lines without parsing them: a month of millions of
    // events is a document of hundreds of megabytes.
    const json run = Check(royalties::LoadRunOutline(DataDir(g), ResolvePeriod(g, period)));
    json out = {{"period", run["period"]["name"]}, {"statements", json::array()}};
    std::string text = "statements of " + run["period"].value("name", "") + " (" +
                       std::to_string(run["statements"].size()) + "):\n";
    for (const json& statement : run["statements"]) {
      out["statements"].push_back({{"party", statement["party"]},
                                   {"party_name", statement["party_name"]},
                                   {"totals", statement["totals"]},
                                   {"lines", statement["line_count"]}});
      text += "  " + statement.value("party", "");
      if (!statement.value("party_name", "").empty()) {
        text += " (" + statement.value("party_name", "") + ")";
      }
      text += ":";
      for (const auto& [currency, amount] : statement["totals"].items()) {
        text += " " + amount.get<std::string>() + " " + currency;
      }
      text += ", " + std::to_string(statement.value("line_count", uint64_t{0})) + " lines\n";
    }
    Print(g, out, text);
  });

  auto* show = statements->add_subcommand("show", "A party's statement for a period");
  show->add_option("--party", party, "Party id")->required();
  show->add_option("--period", period, "Calendar month (default: the latest run)");
  show->callback([&g] {
    const json run = Check(royalties::LoadRunFor(DataDir(g), ResolvePeriod(g, period), party));
    const json statement = Check(royalties::FindStatement(run, party));
    Print(g, statement, royalties::StatementText(run, statement));
  });

  auto* explain = statements->add_subcommand(
      "explain", "The ledger events behind one statement line, each provable");
  explain->add_option("--party", party, "Party id")->required();
  explain->add_option("--line", line_number, "Line number, as `statements show` numbers them")
      ->required();
  explain->add_option("--period", period, "Calendar month (default: the latest run)");
  explain->add_option("--limit", limit, "List at most this many events (default 20)");
  explain->callback([&g] {
    const json run = Check(royalties::LoadRunFor(DataDir(g), ResolvePeriod(g, period), party));
    const json statement = Check(royalties::FindStatement(run, party));
    const json& lines = statement["lines"];
    if (line_number < 1 || static_cast<size_t>(line_number) > lines.size()) {
      throw Failure{InvalidArgumentError("--line: the statement has lines 1.." +
                                         std::to_string(lines.size()))};
    }
    const json& line = lines[static_cast<size_t>(line_number - 1)];
    auto book = Check(ledger::Ledger::Open(DataDir(g)));
    const royalties::LineEvents events =
        Check(royalties::EventsBehindLine(*book, run, line, limit));
    json out = {{"line", line}, {"events", events.count}, {"shown", json::array()}};
    std::string text = "line " + std::to_string(line_number) + ": " + line.value("kind", "") + " " +
                       line.value("source", "") + " " + line.value("isrc", "") + " " +
                       line.value("scope", "") + " " + line.value("territory", "") + ", " +
                       line.value("amount", "") + " " + line.value("currency", "") + "\n";
    if (line.value("kind", "") == "guarantee") {
      text += "a minimum-guarantee top-up: no events; the licensor earned " +
              line.value("earned", "") + " of " + line.value("guarantee", "") + "\n";
    } else {
      text += std::to_string(events.count) + " events of " + run["period"].value("name", "") +
              " within the signed checkpoint of " +
              std::to_string(run["checkpoint"].value("tree_size", uint64_t{0})) + " events:\n";
      for (const auto& [sequence, id] : events.shown) {
        out["shown"].push_back({{"sequence", sequence}, {"id", id}});
        text += "  " + std::to_string(sequence) + " " + id + "\n";
      }
      if (events.shown.size() < events.count) {
        text += "  ... (" + std::to_string(events.count - events.shown.size()) +
                " more; --limit shows more)\n";
      }
      text +=
          "prove any of them against the run's checkpoint: accord ledger prove --event ID "
          "--checkpoint " +
          std::to_string(run["checkpoint"].value("tree_size", uint64_t{0})) + "\n";
    }
    Print(g, out, text);
  });

  auto* exporter = statements->add_subcommand("export", "Statements as CSV or a DSR flat file");
  exporter->add_option("--format", format, "csv or dsr")
      ->required()
      ->check(CLI::IsMember({"csv", "dsr"}));
  exporter->add_option("--party", party, "Only this party (default: every party)");
  exporter->add_option("--period", period, "Calendar month (default: the latest run)");
  exporter->add_option("--out", out_file, "Write here (default: stdout)");
  exporter->callback([&g] {
    WriteOutput(out_file,
                Check(royalties::ExportStoredRun(
                    DataDir(g), ResolvePeriod(g, period),
                    format == "csv" ? royalties::ExportFormat::kCsv : royalties::ExportFormat::kDsr,
                    party)));
  });
}

}  // namespace

void AddRoyaltiesCommands(CLI::App& app, Globals& g) {
  AddRoyalties(app, g);
  AddStatements(app, g);
}

}  // namespace accord::cli
