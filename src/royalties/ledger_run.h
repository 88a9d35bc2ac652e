// Royalty runs over the ledger: which events a run uses, and which events stand behind a line.
//
// A run is anchored to the ledger's latest signed checkpoint: it uses exactly the events of the
// period whose position is within that checkpoint's tree, so an artist can prove each of them
// against the signed root (`accord ledger prove --event ID`), and rerunning with the same
// checkpoint, pools and registry gives the same statements byte for byte. Events recorded after
// the checkpoint wait for the next one.
//
// Thread safety: reads the ledger through its const interface, a run from two threads at once
// (Ledger::ReadEventBatches reads the log, whose reads are thread-safe); not for use while
// another thread appends to the same Ledger (Ledger is single-threaded).
#ifndef ACCORD_ROYALTIES_LEDGER_RUN_H_
#define ACCORD_ROYALTIES_LEDGER_RUN_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ledger/ledger.h"
#include "royalties/engine.h"

namespace accord::royalties {

// Runs the engine over the period's events up to the latest checkpoint, as the ledger's event
// index keeps them (RunInputs::index; no record is read).
// FailedPrecondition when the ledger has no signed checkpoint yet; the engine's errors
// otherwise.
Result<RunResult> RunFromLedger(const ledger::Ledger& ledger, const rights::Registry& registry,
                                const rights::Snapshot& policy, const Period& period,
                                const RunSettings& settings);

struct LineEvents {
  uint64_t count = 0;
  // (sequence, event id) of the first `limit` events, in ledger order.
  std::vector<std::pair<uint64_t, std::string>> shown;
};

// The events behind a stored statement line (`line` as stored in the run document): the
// period's events within the run's checkpoint that used the line's recording with its scope
// and territory. A guarantee line has none. InvalidArgument for a line without those fields.
Result<LineEvents> EventsBehindLine(const ledger::Ledger& ledger, const nlohmann::json& run,
                                    const nlohmann::json& line, size_t limit);

}  // namespace accord::royalties

#endif  // ACCORD_ROYALTIES_LEDGER_RUN_H_
