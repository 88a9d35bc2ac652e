// Bulk intake from a JSON Lines file (`accord ledger append`): one usage event per line, read a
// batch at a time, so that a file of any size is recorded in bounded memory.
//
//   ACCORD_ASSIGN_OR_RETURN(uint64_t count, CheckUsageEventsFile("july.jsonl"));
//   ACCORD_RETURN_IF_ERROR(RecordUsageEventsFile(
//       ledger.get(), "july.jsonl", *snapshot, kDefaultFileBatchEvents,
//       [&](const std::vector<UsageEvent>& events, const std::vector<IntakeResult>& results) {
//         ...  // each batch once it is durable
//       }));
//
// A file is read twice. CheckUsageEventsFile parses every line first, so that one bad line
// refuses the whole file with nothing recorded, as before, without holding the file's events in
// memory (holding them took about 1.7 KB an event, 1.7 GB for a million, and files were capped
// at 1 GiB). RecordUsageEventsFile then reads it again, each batch one Ledger::Append (one group
// commit). Should a line fail the second time (the file was changed in between), the batches
// before it stay recorded, since they were acknowledged, and the error says how many events that
// was: recording the same file again is safe, because the ids already recorded are answered as
// duplicates.
//
// Thread safety: a reader is one caller's; the functions share nothing.
#ifndef ACCORD_LEDGER_EVENTS_FILE_H_
#define ACCORD_LEDGER_EVENTS_FILE_H_

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "ledger/event.h"
#include "ledger/ledger.h"
#include "rights/snapshot.h"

namespace accord::ledger {

// Reads the events of a JSON Lines file in order, a batch at a time. Blank lines (spaces and
// tabs) are skipped; a line may end in "\r\n".
class UsageEventsFileReader {
 public:
  // NotFound when `path` cannot be opened.
  static Result<UsageEventsFileReader> Open(const std::string& path);

  // Replaces `events` with the next events, at most `max_events` (at least 1); empty at the end
  // of the file. InvalidArgument "PATH:LINE: <field>: <what>" for a line that is not a valid
  // event (ParseUsageEvent); Internal when the read fails.
  Status ReadBatch(size_t max_events, std::vector<UsageEvent>* events);

  // The number of the last line read (1-based; 0 before the first).
  int64_t line_number() const { return line_number_; }

 private:
  UsageEventsFileReader(std::string path, std::ifstream in)
      : path_(std::move(path)), in_(std::move(in)) {}

  std::string path_;
  std::ifstream in_;
  std::string line_;
  int64_t line_number_ = 0;
};

// Parses every line of `path`: the number of events, or the first bad line's error, as
// ReadBatch gives it.
Result<uint64_t> CheckUsageEventsFile(const std::string& path);

// Events per Ledger::Append of a file: tens of megabytes of events and their encodings a batch,
// and one fsync per batch.
inline constexpr size_t kDefaultFileBatchEvents = 100'000;

// Called once a batch is durable, with its events and their results (index-aligned).
using RecordedBatchVisitor = std::function<void(const std::vector<UsageEvent>& events,
                                                const std::vector<IntakeResult>& results)>;

// Records the events of `path`, which CheckUsageEventsFile accepted, in batches of
// `batch_events` (at least 1), calling `recorded` after each. The next batch is read and
// parsed on a second thread while one is appended, so two batches are in memory at most. A line
// that no longer parses: FailedPrecondition naming it and N, where the file's first N events
// were answered (whole batches: the failing line's batch is not appended). A failed append: its
// status, with N added. Either way, nothing is recorded after the error.
Status RecordUsageEventsFile(Ledger* ledger, const std::string& path,
                             const rights::Snapshot& policy, size_t batch_events,
                             const RecordedBatchVisitor& recorded);

}  // namespace accord::ledger

#endif  // ACCORD_LEDGER_EVENTS_FILE_H_
