// Verbs over the rights registry: import, decide, filter, consents, agreements, takedowns,
// policy, the generated world and status. The work happens in service/ and rights/.
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "cli/common.h"
#include "rights/import.h"
#include "service/views.h"
#include "world/world.h"

namespace accord::cli {
namespace {

using nlohmann::json;
using service::RegistryService;

std::string SummaryText(const service::ImportSummary& s) {
  return "imported " + std::to_string(s.added()) + " records (" + std::to_string(s.parties) +
         " parties, " + std::to_string(s.works) + " works, " + std::to_string(s.recordings) +
         " recordings, " + std::to_string(s.agreements) + " agreements, " +
         std::to_string(s.consents) + " consents, " + std::to_string(s.takedowns) +
         " takedowns); " + std::to_string(s.unchanged) + " unchanged" +
         (s.policy_changed ? "; policy updated" : "") + "\n";
}

// Imports one record built from flags through the same validation as a file.
service::ImportSummary ImportOne(RegistryService& registry, rights::ImportBatch batch) {
  return Check(registry.ImportBatch(batch));
}

void AddImport(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand("import", "Import JSON or CSV files, all or nothing");
  static std::vector<std::string> files;
  cmd->add_option("files", files, "Files to import (*.json, *.csv)")->required();
  cmd->callback([&g] {
    auto registry = OpenService(g);
    service::ImportSummary summary = Check(registry->ImportFiles(files));
    Print(g, service::ImportSummaryJson(summary), SummaryText(summary));
  });
}

void AddDecide(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand("decide", "May a scope use a recording in a territory at a time?");
  static std::string scope, recording, territory, at;
  static bool explain = false;
  cmd->add_option("--scope", scope, "AI use: recommend, dj, dj_voice, remix, ...")->required();
  cmd->add_option("--recording", recording, "ISRC")->required();
  cmd->add_option("--territory", territory, "ISO 3166-1 alpha-2 code")->required();
  cmd->add_option("--at", at, "ISO 8601 time (default: now)");
  cmd->add_flag("--explain", explain, "Show the basis and every reason");
  cmd->callback([&g] {
    service::DecisionQuery query;
    query.scope = ParseArg(rights::ParseScope(scope), "--scope");
    query.recording = ParseArg(Isrc::Parse(recording), "--recording");
    query.territory = ParseArg(Territory::Parse(territory), "--territory");
    query.at = ParseTime(at, "--at");
    auto registry = OpenService(g);
    rights::Decision decision = Check(registry->Decide(query));
    Print(g, service::DecisionJson(query, decision),
          service::DecisionText(query, decision, explain));
  });
}

void AddFilter(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand(
      "filter", "Batch decision: every recording a scope may use in a territory at a time");
  static std::string scope, territory, at;
  static int64_t limit = 20;
  cmd->add_option("--scope", scope, "AI use")->required();
  cmd->add_option("--territory", territory, "ISO 3166-1 alpha-2 code")->required();
  cmd->add_option("--at", at, "ISO 8601 time (default: now)");
  cmd->add_option("--limit", limit, "How many allowed ISRCs to list (default 20)")
      ->check(CLI::NonNegativeNumber);
  cmd->callback([&g] {
    rights::Scope s = ParseArg(rights::ParseScope(scope), "--scope");
    Territory t = ParseArg(Territory::Parse(territory), "--territory");
    Timestamp when = ParseTime(at, "--at");
    auto registry = OpenService(g);
    auto snapshot = Check(registry->snapshot());
    rights::RecordingBitmap allowed;
    snapshot->Filter(s, t, when, &allowed);
    json list = json::array();
    std::string text = std::to_string(allowed.Count()) + " of " + std::to_string(allowed.size()) +
                       " recordings allowed for " + std::string(rights::ScopeName(s)) + " in " +
                       std::string(t.code()) + " at " + when.ToString() + "\n";
    for (uint32_t r = 0; r < allowed.size() && static_cast<int64_t>(list.size()) < limit; ++r) {
      if (!allowed.Test(r)) continue;
      list.push_back(snapshot->recording_isrc(r).str());
      text += "  " + snapshot->recording_isrc(r).str() + "\n";
    }
    Print(g,
          {{"scope", rights::ScopeName(s)},
           {"territory", t.code()},
           {"at", when.ToString()},
           {"allowed", allowed.Count()},
           {"total", allowed.size()},
           {"recordings", list}},
          text);
  });
}

void AddConsent(CLI::App& app, Globals& g) {
  auto* consent = app.add_subcommand("consent", "Record or show artists' consents");
  consent->require_subcommand(1);

  auto* set = consent->add_subcommand("set", "Record a new consent (history is never rewritten)");
  static std::string party, scope, choice, at, by, method = "cli", id;
  set->add_option("--party", party, "The artist's party id")->required();
  set->add_option("--scope", scope, "AI use")->required();
  set->add_option("--choice", choice, "opt_in or opt_out")->required();
  set->add_option("--at", at, "Effective time (default: now)");
  set->add_option("--by", by, "Who recorded it (default: the party)");
  set->add_option("--method", method, "How it was given (default: cli)");
  set->add_option("--id", id, "Record id (default: derived from party, scope and time)");
  set->callback([&g] {
    rights::Consent c;
    c.party = party;
    c.scope = ParseArg(rights::ParseScope(scope), "--scope");
    c.choice = ParseArg(rights::ParseConsentChoice(choice), "--choice");
    c.effective = ParseTime(at, "--at");
    c.recorded_by = by.empty() ? party : by;
    c.method = method;
    c.id = id.empty()
               ? "consent:" + party + ":" + scope + ":" + std::to_string(c.effective.unix_millis())
               : id;
    rights::ImportBatch batch;
    batch.records.consents.push_back(c);
    batch.consent_origins.push_back("command line");
    auto registry = OpenService(g);
    service::ImportSummary summary = ImportOne(*registry, std::move(batch));
    Print(g, service::ConsentJson(c),
          summary.consents == 1 ? "recorded " + c.id + ": " + party + " " + choice + " " + scope +
                                      " from " + c.effective.ToString() + "\n"
                                : "already recorded: " + c.id + "\n");
  });

  auto* history = consent->add_subcommand("history", "Every consent record of a party");
  static std::string history_party, history_scope;
  history->add_option("--party", history_party, "Party id")->required();
  history->add_option("--scope", history_scope, "Only this AI use");
  history->callback([&g] {
    std::optional<rights::Scope> only;
    if (!history_scope.empty()) only = ParseArg(rights::ParseScope(history_scope), "--scope");
    auto registry = OpenService(g);
    std::vector<const rights::Consent*> rows;
    for (const rights::Consent& c : registry->registry().consents) {
      if (c.party == history_party && (!only || c.scope == *only)) rows.push_back(&c);
    }
    std::stable_sort(rows.begin(), rows.end(),
                     [](const auto* a, const auto* b) { return a->effective < b->effective; });
    json list = json::array();
    std::string text = rows.empty() ? "no consent records for " + history_party + "\n" : "";
    for (const rights::Consent* c : rows) {
      list.push_back(service::ConsentJson(*c));
      text += c->effective.ToString() + "  " + std::string(rights::ScopeName(c->scope)) + "  " +
              std::string(rights::ConsentChoiceName(c->choice)) + "  by " + c->recorded_by +
              " via " + c->method + "  (" + c->id + ")\n";
    }
    Print(g, list, text);
  });
}

void AddAgreements(CLI::App& app, Globals& g) {
  auto* agreements = app.add_subcommand("agreements", "Show licensing agreements");
  agreements->require_subcommand(1);
  auto* list = agreements->add_subcommand("list", "List agreements");
  static std::string licensor;
  list->add_option("--licensor", licensor, "Only this licensor's");
  list->callback([&g] {
    auto registry = OpenService(g);
    json out = json::array();
    std::string text;
    for (const rights::Agreement& a : registry->registry().agreements) {
      if (!licensor.empty() && a.licensor != licensor) continue;
      json view = service::AgreementJson(a);
      out.push_back(view);
      std::string scopes;
      for (const auto& s : view["scopes"])
        scopes += (scopes.empty() ? "" : ",") + s.get<std::string>();
      text += a.id + "  " + a.licensor + "  " + scopes + "  " + a.territories.ToString() + "  " +
              a.start.DateString() + ".." + (a.end ? a.end->DateString() : "") + "  " +
              (a.all_controlled ? "all controlled"
                                : std::to_string(a.recordings.size()) + " recordings") +
              "\n";
    }
    if (out.empty()) text = "no agreements\n";
    Print(g, out, text);
  });
}

void AddTakedown(CLI::App& app, Globals& g) {
  auto* takedown = app.add_subcommand("takedown", "Block a recording, lift a block, or list them");
  takedown->require_subcommand(1);
  static std::string recording, at, reason, id;
  for (const char* action : {"block", "lift"}) {
    auto* cmd = takedown->add_subcommand(action, std::string(action) + " a recording from a time");
    cmd->add_option("--recording", recording, "ISRC")->required();
    cmd->add_option("--at", at, "Effective time (default: now)");
    cmd->add_option("--reason", reason, "Why (dispute, impersonation report, ...)");
    cmd->add_option("--id", id, "Record id (default: derived from recording, action and time)");
    cmd->callback([&g, action] {
      rights::Takedown t;
      t.recording = ParseArg(Isrc::Parse(recording), "--recording");
      t.action = Check(rights::ParseTakedownAction(action));
      t.effective = ParseTime(at, "--at");
      t.reason = reason;
      t.id = id.empty() ? "takedown:" + t.recording.str() + ":" + action + ":" +
                              std::to_string(t.effective.unix_millis())
                        : id;
      rights::ImportBatch batch;
      batch.records.takedowns.push_back(t);
      batch.takedown_origins.push_back("command line");
      auto registry = OpenService(g);
      ImportOne(*registry, std::move(batch));
      Print(g, service::TakedownJson(t),
            "recorded " + t.id + ": " + action + " " + t.recording.str() + " from " +
                t.effective.ToString() + "\n");
    });
  }
  auto* list = takedown->add_subcommand("list", "List takedown records");
  list->callback([&g] {
    auto registry = OpenService(g);
    json out = json::array();
    std::string text;
    for (const rights::Takedown& t : registry->registry().takedowns) {
      out.push_back(service::TakedownJson(t));
      text += t.effective.ToString() + "  " + std::string(rights::TakedownActionName(t.action)) +
              "  " + t.recording.str() + "  " + t.reason + "  (" + t.id + ")\n";
    }
    if (out.empty()) text = "no takedowns\n";
    Print(g, out, text);
  });
}

void AddPolicy(CLI::App& app, Globals& g) {
  auto* policy = app.add_subcommand("policy", "Show or change the platform policy");
  policy->require_subcommand(1);
  auto* show = policy->add_subcommand("show", "Show consent modes per scope");
  show->callback([&g] {
    auto registry = OpenService(g);
    const rights::PlatformPolicy& p = registry->registry().policy;
    std::string text;
    for (rights::Scope s : rights::kAllScopes) {
      text += std::string(rights::ScopeName(s)) + ": " +
              std::string(rights::ConsentModeName(p.mode(s))) + "\n";
    }
    text += std::string("recommend_fully_ai: ") + (p.recommend_fully_ai ? "true" : "false") + "\n";
    Print(g, service::PolicyJson(p), text);
  });
  auto* set = policy->add_subcommand("set", "Change one setting");
  static std::string scope, mode, fully_ai;
  set->add_option("--scope", scope, "AI use whose consent mode to set");
  set->add_option("--mode", mode, "opt_in or opt_out");
  set->add_option("--recommend-fully-ai", fully_ai, "true or false");
  set->callback([&g] {
    auto registry = OpenService(g);
    rights::PlatformPolicy p = registry->registry().policy;
    if (scope.empty() != mode.empty()) {
      throw Failure{InvalidArgumentError("--scope and --mode go together")};
    }
    if (!scope.empty()) {
      p.consent_mode[static_cast<size_t>(ParseArg(rights::ParseScope(scope), "--scope"))] =
          ParseArg(rights::ParseConsentMode(mode), "--mode");
    }
    if (!fully_ai.empty()) {
      if (fully_ai != "true" && fully_ai != "false") {
        throw Failure{InvalidArgumentError("--recommend-fully-ai: expected true or false, got '" +
                                           fully_ai + "'")};
      }
      p.recommend_fully_ai = fully_ai == "true";
    }
    Check(registry->SetPolicy(p));
    Print(g, service::PolicyJson(p), "policy updated\n");
  });
}

void AddWorld(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand(
      "world", "Generate a synthetic world (labels, artists, recordings, agreements, consents)");
  static world::WorldOptions options;
  static std::string out;
  cmd->add_option("--seed", options.seed, "Random seed (same seed, same world)");
  cmd->add_option("--artists", options.artists, "Number of artists")->required();
  cmd->add_option("--recordings", options.recordings, "Recordings in total (default ~10/artist)");
  cmd->add_option("--labels", options.labels, "Labels (default derived from artists)");
  cmd->add_option("--publishers", options.publishers, "Publishers (default derived)");
  cmd->add_option("--out", out, "Write an import JSON file instead of importing into --data");
  cmd->callback([&g] {
    rights::Registry registry = Check(world::GenerateWorld(options));
    if (!out.empty()) {
      std::string text = rights::RegistryToJson(registry);
      FILE* file = std::fopen(out.c_str(), "wb");
      if (file == nullptr)
        throw Failure{FailedPreconditionError(out + ": cannot open for writing")};
      const bool written = std::fwrite(text.data(), 1, text.size(), file) == text.size();
      if (std::fclose(file) != 0 || !written) {
        std::remove(out.c_str());
        throw Failure{FailedPreconditionError(out + ": write failed")};
      }
      Print(g, {{"file", out}, {"recordings", registry.recordings.size()}},
            "wrote " + out + " (" + std::to_string(registry.recordings.size()) + " recordings)\n");
      return;
    }
    rights::ImportBatch batch;
    batch.records = std::move(registry);
    auto origins = [](std::vector<std::string>& v, size_t n, const char* kind) {
      v.reserve(n);
      for (size_t i = 0; i < n; ++i)
        v.push_back(std::string("world/") + kind + "/" + std::to_string(i));
    };
    origins(batch.party_origins, batch.records.parties.size(), "parties");
    origins(batch.work_origins, batch.records.works.size(), "works");
    origins(batch.recording_origins, batch.records.recordings.size(), "recordings");
    origins(batch.agreement_origins, batch.records.agreements.size(), "agreements");
    origins(batch.consent_origins, batch.records.consents.size(), "consents");
    origins(batch.takedown_origins, batch.records.takedowns.size(), "takedowns");
    auto registry_service = OpenService(g);
    service::ImportSummary summary = ImportOne(*registry_service, std::move(batch));
    Print(g, service::ImportSummaryJson(summary), SummaryText(summary));
  });
}

void AddStatus(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand("status", "Counts of what the data directory holds");
  cmd->callback([&g] {
    auto registry = OpenService(g);
    const rights::Registry& r = registry->registry();
    json counts = {{"data", DataDir(g)},
                   {"parties", r.parties.size()},
                   {"works", r.works.size()},
                   {"recordings", r.recordings.size()},
                   {"agreements", r.agreements.size()},
                   {"consents", r.consents.size()},
                   {"takedowns", r.takedowns.size()}};
    std::string text = "data directory: " + DataDir(g) + "\n";
    for (const char* key :
         {"parties", "works", "recordings", "agreements", "consents", "takedowns"}) {
      text += std::string(key) + ": " + counts[key].dump() + "\n";
    }
    Print(g, counts, text);
  });
}

}  // namespace

void AddRegistryCommands(CLI::App& app, Globals& g) {
  AddImport(app, g);
  AddDecide(app, g);
  AddFilter(app, g);
  AddConsent(app, g);
  AddAgreements(app, g);
  AddTakedown(app, g);
  AddPolicy(app, g);
  AddWorld(app, g);
  AddStatus(app, g);
}

}  // namespace accord::cli
