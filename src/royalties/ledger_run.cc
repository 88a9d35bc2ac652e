#include "royalties/ledger_run.h"

#include <algorithm>
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

// Parses a stored event into `event`. A stored event is in canonical form, which the scanner
// reads; only one it declines (never, unless the log holds something else) goes to
// ParseUsageEvent, and only then is the record named for its error: a string per event is an
// allocation per event, a tenth of a run's reading.
Status ParseStored(uint64_t sequence, std::string_view payload, ledger::UsageEvent& event) {
  if (ledger::ScanUsageEvent(payload, &event)) return OkStatus();
  ACCORD_ASSIGN_OR_RETURN(
      event, ledger::ParseUsageEvent(payload, "ledger record " + std::to_string(sequence)));
  return OkStatus();
}

// Reads and parses the events at `sequences`, one at a time: `event` lives for the call only.
Status ForEachEvent(const ledger::Ledger& ledger, const std::vector<uint64_t>& sequences,
                    const RunInputs::EventVisitor& visit) {
  ledger::UsageEvent event;  // one for the whole read: its strings keep their capacity
  return ledger.ReadEvents(sequences, [&](uint64_t sequence, std::string_view payload) -> Status {
    ACCORD_RETURN_IF_ERROR(ParseStored(sequence, payload, event));
    return visit(sequence, event);
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
  // The events are streamed into the engine, which keeps a few dozen bytes of each: holding
  // the month as UsageEvents first cost hundreds of bytes an event, all of it fresh memory.
  inputs.stream_size = sequences.size();
  // Each slice is read on a thread of its own: reading the log is safe from several threads
  // (LogWriter::ReadRecords), and parsing is half of a run's reading.
  inputs.stream = [&](size_t part, size_t parts, const RunInputs::EventVisitor& visit) {
    const size_t count = sequences.size();
    const std::vector<uint64_t> slice(
        sequences.begin() + static_cast<std::ptrdiff_t>(count * part / parts),
        sequences.begin() + static_cast<std::ptrdiff_t>(count * (part + 1) / parts));
    return ForEachEvent(ledger, slice, visit);
  };
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
                                      [&](uint64_t sequence, const ledger::UsageEvent& event) {
                                        if (event.scope != scope || event.territory != territory)
                                          return OkStatus();
                                        ++found.count;
                                        if (found.shown.size() < limit)
                                          found.shown.emplace_back(sequence, event.id);
                                        return OkStatus();
                                      }));
  return found;
}

}  // namespace accord::royalties
