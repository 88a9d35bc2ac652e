#include "royalties/ledger_run.h"

#include <algorithm>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "ledger/event_scan.h"

namespace accord::royalties {
namespace {

// The positions of the events of [from, to) within the first `tree_size` ledger positions,
// optionally only those using `isrc`, ascending.
std::vector<uint64_t> PeriodSequences(const ledger::Ledger& ledger, Timestamp from, Timestamp to,
                                      uint64_t tree_size, const std::string& isrc) {
  ledger::EventQuery query{.from = from, .to = to};
  if (!isrc.empty()) query.isrcs = {isrc};
  std::vector<uint64_t> sequences = ledger.FindEvents(query);
  sequences.erase(std::upper_bound(sequences.begin(), sequences.end(), tree_size), sequences.end());
  return sequences;
}

// Reads the events at `sequences` (ascending) and gives `visit` their views, a ledger read's
// batch at a time (Ledger::ReadEventBatches). A stored event is in canonical form, which
// ScanStoredUse views where it lies; only one it declines (never, unless the log holds
// something else) is parsed with ParseUsageEvent, and only then is the record named for its
// error: a string per event is an allocation per event, a tenth of a run's reading.
Status ForEachEvent(const ledger::Ledger& ledger, std::span<const uint64_t> sequences,
                    const RunInputs::EventVisitor& visit) {
  ledger::UseBatch batch;
  std::deque<ledger::UsageEvent> parsed;  // the declined ones of a batch, viewed by it
  return ledger.ReadEventBatches(
      sequences, [&](std::span<const ledger::LogWriter::Record> records) -> Status {
        batch.clear();
        parsed.clear();
        for (const ledger::LogWriter::Record& record : records) {
          if (batch.AddStored(record.sequence, record.payload)) continue;
          ACCORD_ASSIGN_OR_RETURN(
              parsed.emplace_back(),
              ledger::ParseUsageEvent(record.payload,
                                      "ledger record " + std::to_string(record.sequence)));
          batch.Add(record.sequence, parsed.back());
        }
        return visit(batch.views());
      });
}

}  // namespace

Result<RunResult> RunFromLedger(const ledger::Ledger& ledger, const rights::Registry& registry,
                                const rights::Snapshot& policy, const Period& period,
                                const RunSettings& settings) {
  if (ledger.checkpoints().empty()) {
    return FailedPreconditionError(
        "the ledger has no signed checkpoint; a royalty run is anchored to one: run `accord "
        "ledger checkpoint` first");
  }
  RunInputs inputs;
  inputs.period = period;
  inputs.settings = settings;
  inputs.registry = &registry;
  inputs.policy = &policy;
  inputs.checkpoint = ledger.checkpoints().back();
  const std::vector<uint64_t> sequences =
      PeriodSequences(ledger, period.start, period.end, inputs.checkpoint.checkpoint.tree_size, "");
  // What the run reads of each event comes from the event index, which keeps it as numbers
  // (decision 0019): reading and parsing the records was the largest part of a run.
  inputs.index = &ledger.index();
  inputs.indexed_sequences = sequences;
  return RunRoyalties(inputs);
}

Result<LineEvents> EventsBehindLine(const ledger::Ledger& ledger, const nlohmann::json& run,
                                    const nlohmann::json& line, size_t limit) {
  LineEvents found;
  if (line.value("kind", "") == "guarantee") return found;
  const std::string isrc = line.value("isrc", "");
  const std::string scope_name = line.value("scope", "");
  const std::string territory_code = line.value("territory", "");
  ACCORD_ASSIGN_OR_RETURN(rights::Scope scope, rights::ParseScope(scope_name));
  ACCORD_ASSIGN_OR_RETURN(Territory territory, Territory::Parse(territory_code));
  ACCORD_ASSIGN_OR_RETURN(Timestamp from, Timestamp::Parse(run["period"].value("start", "")));
  ACCORD_ASSIGN_OR_RETURN(Timestamp to, Timestamp::Parse(run["period"].value("end", "")));
  const uint64_t tree_size = run["checkpoint"].value("tree_size", uint64_t{0});
  if (tree_size > ledger.stats().events) {
    return FailedPreconditionError("the run's checkpoint covers " + std::to_string(tree_size) +
                                   " events, but this ledger holds " +
                                   std::to_string(ledger.stats().events));
  }
  ACCORD_RETURN_IF_ERROR(ForEachEvent(ledger, PeriodSequences(ledger, from, to, tree_size, isrc),
                                      [&](std::span<const ledger::UseView> events) {
                                        for (const ledger::UseView& event : events) {
                                          if (event.scope != scope || event.territory != territory)
                                            continue;
                                          ++found.count;
                                          if (found.shown.size() < limit) {
                                            found.shown.emplace_back(event.sequence,
                                                                     std::string(event.id));
                                          }
                                        }
                                        return OkStatus();
                                      }));
  return found;
}

}  // namespace accord::royalties
