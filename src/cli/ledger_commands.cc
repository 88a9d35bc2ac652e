// Verbs over the usage ledger (ledger append|stats|checkpoint|prove|verify) and the
// standalone proof checker (verify-proof), which needs no data directory.
#include <algorithm>
#include <future>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cli/common.h"
#include "core/ids.h"
#include "core/text.h"
#include "ledger/events_file.h"
#include "ledger/ledger.h"
#include "rights/registry.h"

namespace accord::cli {
namespace {

using nlohmann::json;

std::unique_ptr<ledger::Ledger> OpenLedger(const Globals& g) {
  return Check(ledger::Ledger::Open(DataDir(g)));
}

// `accord ledger append --save-state auto` saves once this many events, and a quarter of the
// ledger, are not in the state file (Ledger::StateFileIsBehind); below it, recovering them from
// the log at the next open takes a tenth of a second or less.
constexpr uint64_t kAppendStateTailEvents = 100'000;

json CheckpointJson(const ledger::SignedCheckpoint& head) {
  return ledger::SignedCheckpointToJsonValue(head);
}

// `text` with two more spaces after each newline: an element as it stands inside an array.
// (JSON text has no newline inside a string, which it writes as \n.)
std::string IndentedTwoMore(const std::string& text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (const char c : text) {
    out += c;
    if (c == '\n') out += "  ";
  }
  return out;
}

// `accord ledger append`'s answers, printed as each batch is durable: under --json one element
// of an array per event (laid out as json::dump(2) lays out the whole array), else a line per
// refused or conflicting event and the counts at the end.
class AppendReport {
 public:
  explicit AppendReport(bool json) : json_(json) {}

  void Add(const std::vector<ledger::UsageEvent>& events,
           const std::vector<ledger::IntakeResult>& results) {
    for (size_t i = 0; i < results.size(); ++i) {
      const ledger::IntakeResult& r = results[i];
      const std::string_view outcome = ledger::IntakeOutcomeName(r.outcome);
      ++counts_[static_cast<size_t>(r.outcome)];
      if (json_) {
        const json element = {{"id", events[i].id},
                              {"outcome", outcome},
                              {"sequence", r.sequence},
                              {"details", r.details}};
        std::cout << (answered_ == 0 ? "[\n  " : ",\n  ") << IndentedTwoMore(element.dump(2));
      } else if (r.outcome == ledger::IntakeOutcome::kRefused ||
                 r.outcome == ledger::IntakeOutcome::kConflict) {
        std::cout << outcome << " " << events[i].id << ":";
        for (const std::string& d : r.details) std::cout << "\n  " << d;
        std::cout << "\n";
      }
      ++answered_;
    }
    std::cout.flush();
  }

  // Closes the JSON array, or prints the counts, the ledger's size and `more`.
  void Finish(uint64_t ledger_events, const std::string& more) {
    if (json_) {
      std::cout << (answered_ == 0 ? "[]\n" : "\n]\n");
    } else {
      auto count = [&](ledger::IntakeOutcome outcome) {
        return std::to_string(counts_[static_cast<size_t>(outcome)]);
      };
      std::cout << answered_ << " events: " << count(ledger::IntakeOutcome::kRecorded)
                << " recorded, " << count(ledger::IntakeOutcome::kDuplicate) << " duplicate, "
                << count(ledger::IntakeOutcome::kConflict) << " conflict, "
                << count(ledger::IntakeOutcome::kRefused) << " refused; ledger holds "
                << ledger_events << " events\n"
                << more;
    }
    std::cout.flush();
  }

 private:
  bool json_;
  uint64_t answered_ = 0;
  uint64_t counts_[4] = {};  // by IntakeOutcome
};

void AddLedger(CLI::App& app, Globals& g) {
  auto* ledger_cmd = app.add_subcommand("ledger", "The usage ledger: record, checkpoint, prove");
  ledger_cmd->require_subcommand(1);
  ledger_cmd->footer(
      "One process at a time opens the ledger (DATA/ledger/LOCK): while accord serve runs on the "
      "data directory, these verbs are refused; use the server's /api/ledger routes instead.");

  auto* append = ledger_cmd->add_subcommand(
      "append", "Record usage events from a JSON Lines file (each checked against the policy)");
  static std::string events_file;
  append->add_option("file", events_file, "Events, one JSON object per line")->required();
  static std::string save_state_when = "auto";
  append
      ->add_option("--save-state", save_state_when,
                   "Save the ledger's state file after recording: auto (when at least " +
                       std::to_string(kAppendStateTailEvents) +
                       " events, and a quarter of the ledger, are not in it yet), always, or "
                       "never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  static size_t batch_events = ledger::kDefaultFileBatchEvents;
  append
      ->add_option("--batch", batch_events,
                   "Events per group commit: each batch is durable before the next is "
                   "appended, and at most two (one appended, the next being read) are in memory")
      ->check(CLI::Range(size_t{1}, size_t{10'000'000}))
      ->capture_default_str();
  append->callback([&g] {
    auto opening = StartOpeningLedger(g);
    // Every line is parsed before anything is recorded, so that a bad line refuses the whole
    // file; on a thread of its own while the registry loads.
    auto checking =
        std::async(std::launch::async, [] { return ledger::CheckUsageEventsFile(events_file); });
    auto registry = OpenService(g);
    auto snapshot = Check(registry->snapshot());
    Check(checking.get());
    auto book = Check(opening.get());
    AppendReport report(g.json);
    const Status recorded = ledger::RecordUsageEventsFile(
        book.get(), events_file, *snapshot, batch_events,
        [&](const std::vector<ledger::UsageEvent>& events,
            const std::vector<ledger::IntakeResult>& results) { report.Add(events, results); });
    std::string more;
    // Without a state file the next command recovers these events from the log (a second at
    // about 800,000), so a large append saves one. The events are recorded either way: a
    // failed save costs only that recovery time, so it warns and does not fail the command.
    if (recorded.ok() &&
        (save_state_when == "always" ||
         (save_state_when == "auto" && book->StateFileIsBehind(kAppendStateTailEvents)))) {
      if (Status saved = book->SaveState(); saved.ok()) {
        more = "state file: " + std::to_string(book->stats().state_events) + " events\n";
      } else {
        std::cerr << "accord: warning: the events are recorded, but the state file was not "
                     "saved: "
                  << saved.ToString() << std::endl;
      }
    }
    // What was answered is printed even when a later batch failed: those answers stand.
    report.Finish(book->stats().events, more);
    Check(recorded);
  });

  auto* stats = ledger_cmd->add_subcommand(
      "stats", "Size, root, latest checkpoint, and whether it opened from a state file");
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
    out["state_file_events"] = s.state_events;
    if (!s.state_unused.empty()) out["state_file_unused"] = s.state_unused;
    if (!s.recovery.truncated_segment.empty()) {
      out["recovered_torn_tail"] = {{"segment", s.recovery.truncated_segment},
                                    {"offset", s.recovery.truncated_at_offset},
                                    {"bytes", s.recovery.truncated_bytes}};
    }
    std::string text =
        "events: " + std::to_string(s.events) + "\nsegments: " + std::to_string(s.segments) +
        "\nroot: " + ledger::HashToHex(s.root) + "\npublic key: " + book->public_key_hex() +
        "\ncheckpoints: " + std::to_string(book->checkpoints().size()) + "\n" +
        (s.state_events > 0 ? "opened from: a state file of " + std::to_string(s.state_events) +
                                  " events and the log after it\n"
                            : "opened from: the log alone (no state file; accord ledger "
                              "save-state writes one)\n");
    if (!s.state_unused.empty()) text += "state file not used: " + s.state_unused + "\n";
    if (s.latest_checkpoint) {
      text += "latest checkpoint: " + std::to_string(s.latest_checkpoint->checkpoint.tree_size) +
              " events at " + s.latest_checkpoint->checkpoint.time.ToString() + "\n";
    }
    Print(g, out, text);
  });

  auto* save_state = ledger_cmd->add_subcommand(
      "save-state",
      "Save the indexes and Merkle tree so that the next open reads them instead of rebuilding "
      "them from every record (accord serve does it on shutdown)");
  save_state->callback([&g] {
    auto book = OpenLedger(g);
    Check(book->SaveState());
    const uint64_t events = book->stats().state_events;
    Print(g, json{{"state_file_events", events}},
          "state file: " + std::to_string(events) + " events\n");
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
  static uint64_t old_size = 0, new_size = 0, at_size = 0;
  prove->add_option("--event", event_id, "Event id");
  prove->add_option("--checkpoint", at_size,
                    "With --event: prove against the checkpoint of this tree size (a royalty "
                    "run's own) instead of the latest that covers the event");
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
             : ledger::ProofBundleToJson(Check(book->Prove(
                   event_id, at_size == 0 ? std::nullopt : std::optional<uint64_t>(at_size))))) +
        "\n";
    WriteOutput(proof_out, text);
  });

  auto* events = ledger_cmd->add_subcommand(
      "events", "Recorded events by period, recording, party or listener (from the indexes)");
  static std::string from_text, to_text, party, listener;
  static std::vector<std::string> isrcs;
  static size_t limit = 100;
  events->add_option("--from", from_text, "Events at or after this time (ISO 8601)");
  events->add_option("--to", to_text, "Events before this time (ISO 8601)");
  events->add_option("--recording", isrcs, "Events that used this ISRC (repeatable)");
  events->add_option("--party", party,
                     "Events that used a recording of this party (artist, owner, writer or "
                     "publisher)");
  events->add_option("--listener", listener, "Events of this pseudonymous listener");
  events->add_option("--limit", limit, "Print at most this many (default 100; 0: count only)");
  events->callback([&g] {
    ledger::EventQuery query;
    if (!from_text.empty()) query.from = ParseArg(Timestamp::Parse(from_text), "--from");
    if (!to_text.empty()) query.to = ParseArg(Timestamp::Parse(to_text), "--to");
    for (const std::string& text : isrcs) {
      query.isrcs.push_back(ParseArg(Isrc::Parse(text), "--recording").str());
    }
    if (!party.empty()) {
      auto registry = OpenService(g);
      const auto& parties = registry->registry().parties;
      if (std::none_of(parties.begin(), parties.end(),
                       [](const catalog::Party& p) { return p.id == party; })) {
        throw Failure{NotFoundError("--party: no party " + QuoteForError(party))};
      }
      for (const Isrc& isrc : rights::RecordingsOfParty(registry->registry(), party)) {
        query.isrcs.push_back(isrc.str());
      }
      // A party without recordings has no events; an empty list would mean "any recording".
      if (query.isrcs.empty()) query.isrcs.push_back("");
    }
    if (!listener.empty()) query.listener = listener;
    auto book = OpenLedger(g);
    const std::vector<uint64_t> found = book->FindEvents(query);
    const std::vector<uint64_t> shown(found.begin(), found.begin() + std::min(limit, found.size()));
    json out = {{"count", found.size()}, {"events", json::array()}};
    std::string text;
    Check(book->ReadEvents(shown, [&](uint64_t sequence, std::string_view payload) -> Status {
      out["events"].push_back({{"sequence", sequence},
                               {"event", json::parse(payload.begin(), payload.end(), nullptr,
                                                     /*allow_exceptions=*/false)}});
      text += std::to_string(sequence) + " " + std::string(payload) + "\n";
      return OkStatus();
    }));
    text += std::to_string(found.size()) + " events" +
            (shown.size() < found.size() ? " (" + std::to_string(shown.size()) + " shown)" : "") +
            "\n";
    Print(g, out, text);
  });

  auto* verify = ledger_cmd->add_subcommand(
      "verify",
      "Recompute every chain hash and root from the segments; check every checkpoint and that "
      "the event index holds what each record says");
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
    const std::string contents = Check(ledger::PosixFileSystem()->ReadFile(file));
    const std::string note = public_key.empty()
                                 ? " (key taken from the file; pass --public-key to check it "
                                   "against the platform's)\n"
                                 : "\n";
    if (Check(ledger::ProofFileKind(contents, file)) == "consistency") {
      ledger::ConsistencyBundle bundle = Check(ledger::ConsistencyBundleFromJson(contents, file));
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
    ledger::ProofBundle bundle = Check(ledger::ProofBundleFromJson(contents, file));
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

}  // namespace

void AddLedgerCommands(CLI::App& app, Globals& g) {
  AddLedger(app, g);
  AddVerifyProof(app, g);
}

}  // namespace accord::cli
