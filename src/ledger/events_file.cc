#include "ledger/events_file.h"

#include <future>
#include <utility>

namespace accord::ledger {

Result<UsageEventsFileReader> UsageEventsFileReader::Open(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError(path + ": cannot open");
  return UsageEventsFileReader(path, std::move(in));
}

Status UsageEventsFileReader::ReadBatch(size_t max_events, std::vector<UsageEvent>* events) {
  events->clear();
  while (events->size() < max_events && std::getline(in_, line_)) {
    ++line_number_;
    if (!line_.empty() && line_.back() == '\r') line_.pop_back();
    if (line_.find_first_not_of(" \t") == std::string::npos) continue;
    ACCORD_ASSIGN_OR_RETURN(UsageEvent event,
                            ParseUsageEvent(line_, path_ + ":" + std::to_string(line_number_)));
    events->push_back(std::move(event));
  }
  if (in_.bad())
    return InternalError(path_ + ": read failed after line " + std::to_string(line_number_));
  return OkStatus();
}

Result<uint64_t> CheckUsageEventsFile(const std::string& path) {
  ACCORD_ASSIGN_OR_RETURN(UsageEventsFileReader reader, UsageEventsFileReader::Open(path));
  constexpr size_t kCheckBatchEvents = 4096;  // events are parsed and dropped
  std::vector<UsageEvent> events;
  uint64_t count = 0;
  do {
    ACCORD_RETURN_IF_ERROR(reader.ReadBatch(kCheckBatchEvents, &events));
    count += events.size();
  } while (!events.empty());
  return count;
}

Status RecordUsageEventsFile(Ledger* ledger, const std::string& path,
                             const rights::Snapshot& policy, size_t batch_events,
                             const RecordedBatchVisitor& recorded) {
  if (batch_events == 0) return InvalidArgumentError("a batch holds at least one event");
  ACCORD_ASSIGN_OR_RETURN(UsageEventsFileReader reader, UsageEventsFileReader::Open(path));
  std::vector<UsageEvent> events;
  std::vector<UsageEvent> next;
  uint64_t done = 0;  // events of the file answered so far
  // (Events of the failing batch that come before the failing line are not answered.)
  auto answered = [&] {
    return "; the file's first " + std::to_string(done) +
           " events are answered, and those recorded are durable (recording the file again "
           "answers them as duplicates)";
  };
  Status read = reader.ReadBatch(batch_events, &events);
  for (;;) {
    if (!read.ok()) {
      if (read.code() != StatusCode::kInvalidArgument) {
        return Status(read.code(), read.message() + answered());
      }
      return FailedPreconditionError(path + " changed after it was checked: " + read.message() +
                                     answered());
    }
    if (events.empty()) return OkStatus();
    const int64_t batch_end = reader.line_number();
    // The next batch is parsed while this one is appended (the parse is a tenth of the
    // append's time, and the append leaves a core idle while its fsync runs).
    std::future<Status> reading =
        std::async(std::launch::async, [&] { return reader.ReadBatch(batch_events, &next); });
    Result<std::vector<IntakeResult>> results = ledger->Append(events, policy);
    read = reading.get();
    if (!results.ok()) {
      return Status(results.status().code(), results.status().message() + " (the batch ending at " +
                                                 path + ":" + std::to_string(batch_end) + ")" +
                                                 answered());
    }
    recorded(events, *results);
    done += events.size();
    events.swap(next);
  }
}

}  // namespace accord::ledger
