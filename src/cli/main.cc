// accord: the command-line tool. Parses flags and wires the libraries; the work happens in
// service/, rights/, store/ and world/. Errors go to stderr with exit status 1 (2 for usage).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "ledger/ledger.h"
#include "rights/import.h"
#include "service/registry_service.h"
#include "service/views.h"
#include "world/world.h"

namespace accord {
namespace {

using nlohmann::json;
using service::RegistryService;

struct Globals {
  std::string data_dir;
  bool json = false;
};

// Thrown inside a verb to end it with a message; caught once in main.
struct Failure {
  Status status;
};

template <typename T>
T Check(Result<T> result) {
  if (!result.ok()) throw Failure{result.status()};
  return std::move(result).value();
}
void Check(Status status) {
  if (!status.ok()) throw Failure{std::move(status)};
}
template <typename T>
T ParseArg(Result<T> result, const std::string& flag) {
  if (!result.ok()) throw Failure{result.status().WithPrefix(flag)};
  return std::move(result).value();
}

std::unique_ptr<RegistryService> OpenService(const Globals& g) {
  return Check(RegistryService::Open(service::ResolveDataDir(g.data_dir)));
}

Timestamp ParseTime(const std::string& text, const std::string& flag) {
  if (text.empty() || text == "now") return Timestamp::Now();
  return ParseArg(Timestamp::Parse(text), flag);
}

void Print(const Globals& g, const json& value, const std::string& text) {
  if (g.json) {
    std::cout << value.dump(2) << "\n";
  } else {
    std::cout << text;
  }
}

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
    json counts = {{"data", service::ResolveDataDir(g.data_dir)},
                   {"parties", r.parties.size()},
                   {"works", r.works.size()},
                   {"recordings", r.recordings.size()},
                   {"agreements", r.agreements.size()},
                   {"consents", r.consents.size()},
                   {"takedowns", r.takedowns.size()}};
    std::string text = "data directory: " + service::ResolveDataDir(g.data_dir) + "\n";
    for (const char* key :
         {"parties", "works", "recordings", "agreements", "consents", "takedowns"}) {
      text += std::string(key) + ": " + counts[key].dump() + "\n";
    }
    Print(g, counts, text);
  });
}

std::unique_ptr<ledger::Ledger> OpenLedger(const Globals& g) {
  return Check(ledger::Ledger::Open(service::ResolveDataDir(g.data_dir)));
}

json CheckpointJson(const ledger::SignedCheckpoint& head) {
  return ledger::SignedCheckpointToJsonValue(head);
}

void AddLedger(CLI::App& app, Globals& g) {
  auto* ledger_cmd = app.add_subcommand("ledger", "The usage ledger: record, checkpoint, prove");
  ledger_cmd->require_subcommand(1);

  auto* append = ledger_cmd->add_subcommand(
      "append", "Record usage events from a JSON Lines file (each checked against the policy)");
  static std::string events_file;
  append->add_option("file", events_file, "Events, one JSON object per line")->required();
  append->callback([&g] {
    std::vector<ledger::UsageEvent> events = Check(ledger::ReadUsageEventsFile(events_file));
    auto registry = OpenService(g);
    auto snapshot = Check(registry->snapshot());
    auto book = OpenLedger(g);
    std::vector<ledger::IntakeResult> results = Check(book->Append(events, *snapshot));
    json out = json::array();
    std::map<std::string, int64_t> counts;
    std::string text;
    for (const ledger::IntakeResult& r : results) {
      const std::string outcome(ledger::IntakeOutcomeName(r.outcome));
      ++counts[outcome];
      out.push_back({{"id", r.event_id},
                     {"outcome", outcome},
                     {"sequence", r.sequence},
                     {"details", r.details}});
      if (r.outcome == ledger::IntakeOutcome::kRefused ||
          r.outcome == ledger::IntakeOutcome::kConflict) {
        text += outcome + " " + r.event_id + ":";
        for (const std::string& d : r.details) text += "\n  " + d;
        text += "\n";
      }
    }
    text += std::to_string(results.size()) + " events: " + std::to_string(counts["recorded"]) +
            " recorded, " + std::to_string(counts["duplicate"]) + " duplicate, " +
            std::to_string(counts["conflict"]) + " conflict, " + std::to_string(counts["refused"]) +
            " refused; ledger holds " + std::to_string(book->stats().events) + " events\n";
    Print(g, out, text);
  });

  auto* stats = ledger_cmd->add_subcommand("stats", "Size, root and latest checkpoint");
  stats->callback([&g] {
    auto book = OpenLedger(g);
    ledger::LedgerStats s = book->stats();
    json out = {{"events", s.events},
                {"segments", s.segments},
                {"root", ledger::HashToHex(s.root)},
                {"chain_head", ledger::ChainHashToHex(s.last_chain_hash)},
                {"public_key", book->public_key_hex()},
                {"checkpoints", book->checkpoints().size()}};
    if (s.latest_checkpoint) out["latest_checkpoint"] = CheckpointJson(*s.latest_checkpoint);
    if (!s.recovery.truncated_segment.empty()) {
      out["recovered_torn_tail"] = {{"segment", s.recovery.truncated_segment},
                                    {"offset", s.recovery.truncated_at_offset},
                                    {"bytes", s.recovery.truncated_bytes}};
    }
    std::string text =
        "events: " + std::to_string(s.events) + "\nsegments: " + std::to_string(s.segments) +
        "\nroot: " + ledger::HashToHex(s.root) + "\npublic key: " + book->public_key_hex() +
        "\ncheckpoints: " + std::to_string(book->checkpoints().size()) + "\n";
    if (s.latest_checkpoint) {
      text += "latest checkpoint: " + std::to_string(s.latest_checkpoint->checkpoint.tree_size) +
              " events at " + s.latest_checkpoint->checkpoint.time.ToString() + "\n";
    }
    Print(g, out, text);
  });

  auto* checkpoint = ledger_cmd->add_subcommand("checkpoint", "Sign the current tree head");
  checkpoint->callback([&g] {
    auto book = OpenLedger(g);
    ledger::SignedCheckpoint head = Check(book->Checkpoint(Timestamp::Now()));
    Print(g, CheckpointJson(head),
          "checkpoint: " + std::to_string(head.checkpoint.tree_size) + " events, root " +
              ledger::HashToHex(head.checkpoint.root) + ", signed at " +
              head.checkpoint.time.ToString() + "\n");
  });

  auto* prove = ledger_cmd->add_subcommand(
      "prove",
      "An inclusion proof for an event, or a consistency proof between two checkpoints' sizes");
  static std::string event_id, proof_out;
  static uint64_t old_size = 0, new_size = 0;
  prove->add_option("--event", event_id, "Event id");
  prove->add_option("--out", proof_out, "Write the proof file here (default: stdout)");
  prove->add_option("--from-size", old_size, "Consistency proof: the older tree size");
  prove->add_option("--to-size", new_size, "Consistency proof: the newer tree size");
  prove->callback([&g] {
    auto book = OpenLedger(g);
    if (event_id.empty() && (old_size == 0 || new_size == 0)) {
      throw Failure{InvalidArgumentError("give --event ID, or --from-size and --to-size")};
    }
    const std::string text =
        (event_id.empty()
             ? ledger::ConsistencyBundleToJson(Check(book->ProveConsistency(old_size, new_size)))
             : ledger::ProofBundleToJson(Check(book->Prove(event_id)))) +
        "\n";
    if (proof_out.empty()) {
      std::cout << text;
      return;
    }
    std::ofstream out(proof_out, std::ios::binary);
    out << text;
    if (!out.flush()) throw Failure{FailedPreconditionError(proof_out + ": write failed")};
    std::cout << "wrote " << proof_out << "\n";
  });

  auto* verify = ledger_cmd->add_subcommand(
      "verify", "Recompute every chain hash and root from the segments; check every checkpoint");
  verify->callback([&g] {
    auto book = OpenLedger(g);
    ledger::VerifyReport report = Check(book->Verify());
    Print(g,
          {{"ok", true},
           {"events", report.events},
           {"root", ledger::HashToHex(report.root)},
           {"checkpoints_checked", report.checkpoints_checked}},
          "ok: " + std::to_string(report.events) + " events, root " +
              ledger::HashToHex(report.root) + ", " + std::to_string(report.checkpoints_checked) +
              " signed checkpoints match\n");
  });
}

void AddVerifyProof(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand(
      "verify-proof", "Check a proof file with only the ledger's public key (no data needed)");
  static std::string file, public_key;
  cmd->add_option("file", file, "Proof file from `accord ledger prove --out`")->required();
  cmd->add_option("--public-key", public_key,
                  "The ledger's public key, obtained from the platform (default: the key "
                  "written in the file, which proves only that the file is self-consistent)");
  cmd->callback([&g] {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw Failure{NotFoundError(file + ": cannot open")};
    std::stringstream buffer;
    buffer << in.rdbuf();
    const std::string note = public_key.empty()
                                 ? " (key taken from the file; pass --public-key to check it "
                                   "against the platform's)\n"
                                 : "\n";
    if (Check(ledger::ProofFileKind(buffer.str(), file)) == "consistency") {
      ledger::ConsistencyBundle bundle =
          Check(ledger::ConsistencyBundleFromJson(buffer.str(), file));
      Check(ledger::VerifyConsistencyBundle(
          bundle, public_key.empty() ? bundle.public_key_hex : public_key));
      const ledger::Checkpoint& older = bundle.old_checkpoint.checkpoint;
      const ledger::Checkpoint& newer = bundle.new_checkpoint.checkpoint;
      Print(g,
            {{"ok", true},
             {"old_size", older.tree_size},
             {"new_size", newer.tree_size},
             {"key_from_file", public_key.empty()}},
            "ok: the ledger of " + std::to_string(newer.tree_size) + " events signed at " +
                newer.time.ToString() + " extends the one of " + std::to_string(older.tree_size) +
                " events signed at " + older.time.ToString() + " without changing it" + note);
      return;
    }
    ledger::ProofBundle bundle = Check(ledger::ProofBundleFromJson(buffer.str(), file));
    const std::string key = public_key.empty() ? bundle.public_key_hex : public_key;
    Check(ledger::VerifyProofBundle(bundle, key));
    Print(g,
          {{"ok", true},
           {"leaf_index", bundle.leaf_index},
           {"tree_size", bundle.checkpoint.checkpoint.tree_size},
           {"root", ledger::HashToHex(bundle.checkpoint.checkpoint.root)},
           {"key_from_file", public_key.empty()}},
          std::string("ok: event ") + std::to_string(bundle.leaf_index) + " is in the ledger of " +
              std::to_string(bundle.checkpoint.checkpoint.tree_size) + " events signed at " +
              bundle.checkpoint.checkpoint.time.ToString() +
              (public_key.empty() ? " (key taken from the file; pass --public-key to check it "
                                    "against the platform's)\n"
                                  : "\n"));
  });
}

int Run(int argc, char** argv) {
  CLI::App app{
      "accord: the artist-first AI music engine. Rights registry, consents and the policy "
      "that decides which AI uses are allowed."};
  app.require_subcommand(1);
  Globals g;
  app.add_option("--data", g.data_dir,
                 "Data directory (default: $ACCORD_DATA, else ./accord-data)");
  app.add_flag("--json", g.json, "Machine-readable JSON output");
  // --json and --data may also follow the verb.
  app.fallthrough();
  AddImport(app, g);
  AddDecide(app, g);
  AddFilter(app, g);
  AddConsent(app, g);
  AddAgreements(app, g);
  AddTakedown(app, g);
  AddPolicy(app, g);
  AddWorld(app, g);
  AddStatus(app, g);
  AddLedger(app, g);
  AddVerifyProof(app, g);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  } catch (const Failure& failure) {
    std::cerr << "accord: " << failure.status.ToString() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "accord: internal error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace accord

int main(int argc, char** argv) { return accord::Run(argc, argv); }
