// EventIndex: finds ledger events by period, recording and listener without scanning the log.
//
// The ledger feeds it every record it holds, in sequence order (during recovery and after each
// acknowledged append); queries return the matching sequence numbers in ascending order, which
// the caller reads by position (LogWriter::ReadRecord / ReadRecords). Kept in memory and
// rebuilt on open from the recovery scan, so it can never disagree with the log.
//
//   EventIndex index;
//   ACCORD_ASSIGN_OR_RETURN(EventKeys keys, ExtractEventKeys(payload, "record 1"));
//   ACCORD_RETURN_IF_ERROR(index.Add(1, keys));
//   std::vector<uint64_t> january = index.Find({.from = jan1, .to = feb1});
//
// Memory: 8 bytes per event for its time, 8 per (event, recording), 8 per event for the chain
// of its listener's events, each distinct listener and recording once (FlatStringMap), plus one
// run per day of events appended in time order; for royalty runs (IndexedUse) 16 bytes per
// event and 8 per (event, recording), and 8 per distinct listener and recording.
//
// Thread safety: a movable value (not copyable); const methods may run concurrently, Add needs
// exclusive access, except that AddTimeAndRecordings and AddListener may run at the same time
// as each other, the first beside PrefetchListener and the second beside PrefetchRecording.
// ListenerHash and RecordingHash read only the seeds fixed when the index was made, so they may
// run beside anything but a move or a LoadFrom (Ledger::Prepare calls them during an append).
#ifndef ACCORD_LEDGER_EVENT_INDEX_H_
#define ACCORD_LEDGER_EVENT_INDEX_H_

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "ledger/chunked_column.h"
#include "ledger/event.h"
#include "ledger/flat_string_map.h"
#include "ledger/state_file.h"

namespace accord::ledger {

// What to find; every set criterion must hold. An empty query finds every event.
struct EventQuery {
  // Every member has an initializer so that designated initializers may name only some.
  std::optional<Timestamp> from = std::nullopt;  // inclusive
  std::optional<Timestamp> to = std::nullopt;    // exclusive
  std::vector<std::string> isrcs = {};           // events that used any of these recordings
  std::optional<std::string> listener = std::nullopt;
};

// One recording of an indexed use: the index's number of the recording (first-seen order over
// the ledger, RecordingIsrc names it) and its weight.
struct IndexedRecording {
  uint32_t recording = 0;
  int32_t weight_ppm = 0;
};

// What a royalty run reads of one event, kept by the index in columns so that a run reads
// a few dozen bytes an event instead of its record (about 290 bytes, parsed): the listener and
// recordings as the index numbers them (ListenerName, RecordingIsrc). `recordings` views into
// the batch VisitIndexedUses gives, valid for the call.
struct IndexedUse {
  uint64_t sequence = 0;
  int64_t time_ms = 0;
  uint32_t listener = 0;
  Territory territory = Territory::FromIndex(0);
  rights::Scope scope = rights::Scope::kRecommend;
  bool requested = false;
  std::span<const IndexedRecording> recordings;
};

class EventIndex {
 public:
  // Indexes record `sequence`, which must be size() + 1, from the keys of its canonical
  // payload (ExtractEventKeys). InvalidArgument for a sequence out of order (nothing is added).
  // The same as AddTimeAndRecordings and AddListener in a row.
  Status Add(uint64_t sequence, const EventKeys& keys);

  // The two halves of Add. They touch disjoint members, so intake runs them on two threads at
  // once over the same batch (Ledger::Append): the listener half is as costly as the rest, and
  // the batch waits for the slower thread. Each half must be given every sequence in order;
  // InvalidArgument (nothing added) for one out of order. size() counts what the first half
  // added, so the index is whole again only once both have seen the same sequences.
  // `isrc_hashes` holds RecordingHash of each of keys.isrcs, which intake computes ahead, or is
  // empty and they are computed here.
  Status AddTimeAndRecordings(uint64_t sequence, const EventKeys& keys,
                              std::span<const uint64_t> isrc_hashes = {});
  uint64_t RecordingHash(std::string_view isrc) const { return recording_index_.Hash(isrc); }
  // Starts fetching the recording's slot, as PrefetchListener does the listener's.
  void PrefetchRecording(uint64_t isrc_hash) const { recording_index_.Prefetch(isrc_hash); }
  // Starts fetching where AddTimeAndRecordings will append for an event at `time_ms` whose
  // first recording is `isrc` (hash `isrc_hash`; empty for none): the end of its day's runs
  // and of the recording's list. Reads the recording's slot, so it pays to call it a few events
  // after PrefetchRecording and a few before the Add. Only on the thread that adds.
  void PrefetchAddTargets(int64_t time_ms, std::string_view isrc, uint64_t isrc_hash) const;
  // `listener_hash` is ListenerHash(listener), which intake computes ahead, off this path.
  Status AddListener(uint64_t sequence, std::string_view listener, uint64_t listener_hash);
  uint64_t ListenerHash(std::string_view listener) const { return listener_latest_.Hash(listener); }

  // Starts fetching what AddListener will touch in memory (the listener's slot), so that a loop
  // over millions of events does not wait for each in turn.
  void PrefetchListener(uint64_t listener_hash) const { listener_latest_.Prefetch(listener_hash); }
  void Prefetch(const EventKeys& keys) const { PrefetchListener(ListenerHash(keys.listener)); }

  // Matching sequences, ascending, without duplicates.
  std::vector<uint64_t> Find(const EventQuery& query) const;

  // Gives `visit` the IndexedUse of each of `sequences` (ascending or not, each in 1..size()),
  // in order, in batches of up to kIndexedBatch; stops at and returns the first error `visit`
  // returns. InvalidArgument for a sequence outside the index (nothing of it is visited).
  static constexpr size_t kIndexedBatch = 4096;
  using IndexedVisitor = std::function<Status(std::span<const IndexedUse>)>;
  Status VisitIndexedUses(std::span<const uint64_t> sequences, const IndexedVisitor& visit) const;
  // The number of uses (recordings) of the events at `sequences`, as VisitIndexedUses gives
  // them; a sequence outside the index counts none (VisitIndexedUses refuses it).
  uint64_t UseCount(std::span<const uint64_t> sequences) const;

  // "" when what the index holds of event `sequence` (1..size()) is what `keys`, read from its
  // record, say; else the first field that differs ("time", "listener", "territory", "scope",
  // "requested", "recordings"). Ledger::Verify asks it of every record, so that an index loaded
  // from a state file cannot disagree with the log unnoticed.
  std::string_view Differs(uint64_t sequence, const EventKeys& keys) const;

  // "" when each listener and recording number names a different key of its map (so that a
  // run counting listeners by number counts each once); else which number does not. Together
  // with Differs for every event, what runs read is the log's. Ledger::Verify asks it.
  std::string NumberingProblem() const;

  // Distinct listeners and recordings so far; IndexedUse numbers them 0..count-1 in the order
  // they first occurred.
  uint32_t listener_count() const { return static_cast<uint32_t>(listener_keys_.size()); }
  uint32_t recording_count() const { return static_cast<uint32_t>(recording_keys_.size()); }
  // Precondition: number < listener_count() (recording_count()). Valid until the next Add.
  std::string_view ListenerName(uint32_t number) const {
    return listener_latest_.KeyAt(listener_keys_[number]);
  }
  std::string_view RecordingIsrc(uint32_t number) const {
    return recording_index_.KeyAt(recording_keys_[number]);
  }

  // The event time of `sequence` (1..size()).
  Timestamp TimeOf(uint64_t sequence) const {
    return Timestamp::FromUnixMillis(time_ms_[sequence - 1]);
  }

  uint64_t size() const { return time_ms_.size(); }

  // Writes the index as it is in memory, for LoadFrom (the ledger's state file, state_file.h).
  void SaveTo(StateWriter* out) const;
  // Reads an index SaveTo wrote. DataLoss when it does not hold together: every sequence it
  // holds is checked to be in 1..size() (ascending where it must be), so that a damaged file
  // cannot make a query read out of bounds or loop.
  static Result<EventIndex> LoadFrom(StateReader* in);

 private:
  // Consecutive sequences first..last, all on one UTC day.
  struct Run {
    uint64_t first;
    uint64_t last;
  };

  // Where the uses of the event at `at` (its sequence - 1) begin in uses_; they end at
  // uses_end_[at].
  uint64_t UsesBegin(uint64_t at) const { return at == 0 ? 0 : uses_end_[at - 1]; }
  // Events both halves of Add have seen, whose IndexedUse is whole.
  uint64_t IndexedSize() const { return std::min(size(), listener_of_.size()); }

  // LoadFrom's part for the columns of IndexedUse, after the rest.
  Status LoadRunColumns(StateReader* in, const std::function<Status(const std::string&)>& damaged);

  bool InPeriod(uint64_t sequence, const EventQuery& query) const;
  std::vector<uint64_t> FindByPeriod(const EventQuery& query) const;

  // The sequences of one listener's events, ascending.
  std::vector<uint64_t> ListenerEvents(std::string_view listener) const;

  // The runs of `day`, made empty if it has none yet.
  std::vector<Run>& RunsOf(int64_t day);
  // The runs of `day` if it has any in day_table_, else nullptr; no map search.
  const std::vector<Run>* TabledRunsOf(int64_t day) const;

  ChunkedColumn<int64_t> time_ms_;              // by sequence - 1
  std::map<int64_t, std::vector<Run>> by_day_;  // days since the epoch → runs
  // The day of the last Add and its runs in by_day_ (map nodes never move): consecutive events
  // are mostly on one day, so Add rarely looks further.
  int64_t last_day_ = 0;
  std::vector<Run>* last_day_runs_ = nullptr;
  // by_day_'s runs by day - day_table_first_, nullptr for a day without events, over the span
  // of days seen (up to kMaxTabledDays; days outside it are found in the map). Intake out of
  // time order (late reports, back-fills) changes day nearly every event, and a map search is
  // a chain of cache misses where this is one read. Rebuilt by LoadFrom; never saved.
  int64_t day_table_first_ = 0;
  std::vector<std::vector<Run>*> day_table_;
  // ISRC → index into recording_events_, which holds each recording's sequences ascending.
  FlatStringMap recording_index_;
  std::vector<std::vector<uint64_t>> recording_events_;
  ChunkedColumn<uint64_t> recording_keys_;  // by number: recording_index_'s key reference
  // The run's columns (IndexedUse), by sequence - 1: territory index << 16 | scope << 8 |
  // requested; the end of the event's uses in uses_ (they start where the one before ends);
  // each use. Written by AddTimeAndRecordings.
  ChunkedColumn<uint32_t> use_fields_;
  ChunkedColumn<uint64_t> uses_end_;
  ChunkedColumn<IndexedRecording> uses_;
  // Most listeners have few events, so rather than a list per listener (an allocation for
  // nearly every event) each event points to its listener's previous one: listener → its
  // latest sequence, and previous_of_listener_[sequence - 1] → the one before (0: none).
  FlatStringMap listener_latest_;
  ChunkedColumn<uint64_t> previous_of_listener_;
  // Written by AddListener: each event's listener number (a new listener takes the next; a
  // known one's is its latest event's), and each number's key reference in listener_latest_.
  ChunkedColumn<uint32_t> listener_of_;
  ChunkedColumn<uint64_t> listener_keys_;
};

// Splits ascending sequences into maximal runs of consecutive numbers, for range reads.
std::vector<std::pair<uint64_t, uint64_t>> ConsecutiveRuns(std::span<const uint64_t> sequences);

}  // namespace accord::ledger

#endif  // ACCORD_LEDGER_EVENT_INDEX_H_
