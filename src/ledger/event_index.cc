#include "ledger/event_index.h"

#include <algorithm>
#include <bit>
#include <type_traits>

namespace accord::ledger {
namespace {

constexpr int64_t kMillisPerDay = 86'400'000;

int64_t DayOf(int64_t unix_millis) {
  return unix_millis >= 0 ? unix_millis / kMillisPerDay
                          : -((-unix_millis + kMillisPerDay - 1) / kMillisPerDay);
}

// use_fields_'s packing of an event's territory, scope and requested flag into 32 bits.
uint32_t PackUseFields(Territory territory, rights::Scope scope, bool requested) {
  return static_cast<uint32_t>(territory.index()) << 16 | static_cast<uint32_t>(scope) << 8 |
         (requested ? 1u : 0u);
}
// Whether `fields` is a packing PackUseFields gives (LoadFrom checks before unpacking).
bool ValidUseFields(uint32_t fields) {
  return (fields >> 16) < static_cast<uint32_t>(kTerritoryCount) &&
         ((fields >> 8) & 0xff) < static_cast<uint32_t>(rights::kScopeCount) &&
         (fields & 0xfe) == 0;
}
Territory TerritoryOf(uint32_t fields) {
  return Territory::FromIndex(static_cast<int>(fields >> 16));
}
rights::Scope ScopeOf(uint32_t fields) { return static_cast<rights::Scope>((fields >> 8) & 0xff); }
bool RequestedOf(uint32_t fields) { return (fields & 1) != 0; }

// The day table's widest span: 2^17 days (about 359 years) of 8-byte pointers, 1 MiB. Events
// further out than that from the first day tabled are found in the map instead.
constexpr int64_t kMaxTabledDays = int64_t{1} << 17;

}  // namespace

Status EventIndex::Add(uint64_t sequence, const EventKeys& keys) {
  ACCORD_RETURN_IF_ERROR(AddTimeAndRecordings(sequence, keys));
  return AddListener(sequence, keys.listener, ListenerHash(keys.listener));
}

Status EventIndex::AddTimeAndRecordings(uint64_t sequence, const EventKeys& keys,
                                        std::span<const uint64_t> isrc_hashes) {
  if (keys.weights_ppm.size() != keys.isrcs.size()) {
    return InvalidArgumentError("event index: record " + std::to_string(sequence) + " has " +
                                std::to_string(keys.isrcs.size()) + " recordings but " +
                                std::to_string(keys.weights_ppm.size()) + " weights");
  }
  if (!isrc_hashes.empty() && isrc_hashes.size() != keys.isrcs.size()) {
    return InvalidArgumentError("event index: record " + std::to_string(sequence) + " has " +
                                std::to_string(keys.isrcs.size()) + " recordings but " +
                                std::to_string(isrc_hashes.size()) + " hashes");
  }
  if (sequence != time_ms_.size() + 1) {
    return InvalidArgumentError("event index: record " + std::to_string(sequence) +
                                " added after " + std::to_string(time_ms_.size()));
  }
  const int64_t ms = keys.time.unix_millis();
  time_ms_.push_back(ms);
  std::vector<Run>& runs = RunsOf(DayOf(ms));
  if (!runs.empty() && runs.back().last + 1 == sequence) {
    runs.back().last = sequence;
  } else {
    runs.push_back({sequence, sequence});
  }
  use_fields_.push_back(PackUseFields(keys.territory, keys.scope, keys.requested));
  for (size_t i = 0; i < keys.isrcs.size(); ++i) {
    const uint64_t hash =
        isrc_hashes.empty() ? recording_index_.Hash(keys.isrcs[i]) : isrc_hashes[i];
    const auto [index, inserted] =
        recording_index_.Insert(keys.isrcs[i], hash, recording_events_.size());
    if (inserted) {
      recording_events_.emplace_back();
      recording_keys_.push_back(recording_index_.KeyRef(keys.isrcs[i], hash));
    }
    uses_.push_back({static_cast<uint32_t>(index), keys.weights_ppm[i]});
    // An event may name a recording twice only if intake allowed it; list the event once.
    std::vector<uint64_t>& events = recording_events_[index];
    if (events.empty() || events.back() != sequence) events.push_back(sequence);
  }
  uses_end_.push_back(uses_.size());
  return OkStatus();
}

std::vector<EventIndex::Run>& EventIndex::RunsOf(int64_t day) {
  // An empty map (a new index, or one moved from) has no node the cache could point to.
  if (!by_day_.empty() && day == last_day_) return *last_day_runs_;
  last_day_ = day;
  if (day_table_.empty()) day_table_first_ = day;
  const int64_t first = std::min(day_table_first_, day);
  const int64_t end = std::max(day_table_first_ + static_cast<int64_t>(day_table_.size()), day + 1);
  if (end - first > kMaxTabledDays) {
    last_day_runs_ = &by_day_[day];
    return *last_day_runs_;
  }
  if (first < day_table_first_) {
    day_table_.insert(day_table_.begin(), static_cast<size_t>(day_table_first_ - first), nullptr);
    day_table_first_ = first;
  }
  day_table_.resize(static_cast<size_t>(end - first), nullptr);
  std::vector<Run>*& tabled = day_table_[static_cast<size_t>(day - first)];
  if (tabled == nullptr) tabled = &by_day_[day];
  last_day_runs_ = tabled;
  return *last_day_runs_;
}

const std::vector<EventIndex::Run>* EventIndex::TabledRunsOf(int64_t day) const {
  const uint64_t at = static_cast<uint64_t>(day - day_table_first_);
  return at < day_table_.size() ? day_table_[at] : nullptr;
}

void EventIndex::PrefetchAddTargets(int64_t time_ms, std::string_view isrc,
                                    uint64_t isrc_hash) const {
  if (const std::vector<Run>* runs = TabledRunsOf(DayOf(time_ms)); runs && !runs->empty()) {
    __builtin_prefetch(&runs->back(), 1);
  }
  if (isrc.empty()) return;
  if (const std::optional<uint64_t> index = recording_index_.Find(isrc, isrc_hash)) {
    const std::vector<uint64_t>& events = recording_events_[*index];
    __builtin_prefetch(events.data() + events.size(), 1);
  }
}

Status EventIndex::AddListener(uint64_t sequence, std::string_view listener,
                               uint64_t listener_hash) {
  if (sequence != previous_of_listener_.size() + 1) {
    return InvalidArgumentError("event index: the listener of record " + std::to_string(sequence) +
                                " added after " + std::to_string(previous_of_listener_.size()));
  }
  const std::optional<uint64_t> previous = listener_latest_.Put(listener, listener_hash, sequence);
  if (previous) {
    // The listener's number is its latest event's: one more random access, but into 4 bytes
    // an event, where a table of numbers would be another of the listener's size.
    listener_of_.push_back(listener_of_[*previous - 1]);
  } else {
    listener_of_.push_back(static_cast<uint32_t>(listener_keys_.size()));
    listener_keys_.push_back(listener_latest_.KeyRef(listener, listener_hash));
  }
  previous_of_listener_.push_back(previous.value_or(0));
  return OkStatus();
}

uint64_t EventIndex::UseCount(std::span<const uint64_t> sequences) const {
  const uint64_t events = IndexedSize();
  uint64_t uses = 0;
  for (const uint64_t sequence : sequences) {
    if (sequence == 0 || sequence > events) continue;
    uses += uses_end_[sequence - 1] - UsesBegin(sequence - 1);
  }
  return uses;
}

std::string EventIndex::NumberingProblem() const {
  // A key has one reference, so a number whose name leads back to another reference shares
  // its name with another number.
  for (uint32_t number = 0; number < listener_count(); ++number) {
    const std::string_view name = ListenerName(number);
    if (listener_latest_.KeyRef(name, listener_latest_.Hash(name)) != listener_keys_[number]) {
      return "listener number " + std::to_string(number) + " names a listener another has";
    }
  }
  for (uint32_t number = 0; number < recording_count(); ++number) {
    const std::string_view isrc = RecordingIsrc(number);
    if (recording_index_.KeyRef(isrc, recording_index_.Hash(isrc)) != recording_keys_[number]) {
      return "recording number " + std::to_string(number) + " names a recording another has";
    }
  }
  return "";
}

std::string_view EventIndex::Differs(uint64_t sequence, const EventKeys& keys) const {
  const uint64_t at = sequence - 1;
  if (time_ms_[at] != keys.time.unix_millis()) return "time";
  if (ListenerName(listener_of_[at]) != keys.listener) return "listener";
  const uint32_t fields = use_fields_[at];
  if (TerritoryOf(fields) != keys.territory) return "territory";
  if (ScopeOf(fields) != keys.scope) return "scope";
  if (RequestedOf(fields) != keys.requested) return "requested";
  const uint64_t begin = UsesBegin(at);
  if (uses_end_[at] - begin != keys.isrcs.size()) return "recordings";
  for (size_t i = 0; i < keys.isrcs.size(); ++i) {
    const IndexedRecording& use = uses_[begin + i];
    if (RecordingIsrc(use.recording) != keys.isrcs[i] || use.weight_ppm != keys.weights_ppm[i]) {
      return "recordings";
    }
  }
  return "";
}

Status EventIndex::VisitIndexedUses(std::span<const uint64_t> sequences,
                                    const IndexedVisitor& visit) const {
  const uint64_t events = IndexedSize();
  for (const uint64_t sequence : sequences) {
    if (sequence == 0 || sequence > events) {
      return InvalidArgumentError("event index: no event " + std::to_string(sequence) + " among " +
                                  std::to_string(events));
    }
  }
  std::vector<IndexedUse> batch;
  std::vector<IndexedRecording> recordings;
  for (size_t begin = 0; begin < sequences.size(); begin += kIndexedBatch) {
    const std::span<const uint64_t> part =
        sequences.subspan(begin, std::min(kIndexedBatch, sequences.size() - begin));
    batch.clear();
    recordings.clear();
    for (const uint64_t sequence : part) {
      const uint64_t at = sequence - 1;
      const uint32_t fields = use_fields_[at];
      batch.push_back({.sequence = sequence,
                       .time_ms = time_ms_[at],
                       .listener = listener_of_[at],
                       .territory = TerritoryOf(fields),
                       .scope = ScopeOf(fields),
                       .requested = RequestedOf(fields),
                       .recordings = {}});
      for (uint64_t use = UsesBegin(at); use < uses_end_[at]; ++use) {
        recordings.push_back(uses_[use]);
      }
    }
    // Pointed at their recordings only now: the vector may have moved as it grew.
    size_t next = 0;
    for (IndexedUse& use : batch) {
      const uint64_t at = use.sequence - 1;
      const auto count = static_cast<size_t>(uses_end_[at] - UsesBegin(at));
      use.recordings = std::span<const IndexedRecording>(recordings).subspan(next, count);
      next += count;
    }
    ACCORD_RETURN_IF_ERROR(visit(batch));
  }
  return OkStatus();
}

std::vector<uint64_t> EventIndex::ListenerEvents(std::string_view listener) const {
  std::vector<uint64_t> events;
  std::optional<uint64_t> latest = listener_latest_.Find(listener);
  for (uint64_t sequence = latest.value_or(0); sequence != 0;
       sequence = previous_of_listener_[sequence - 1]) {
    events.push_back(sequence);
  }
  std::reverse(events.begin(), events.end());
  return events;
}

bool EventIndex::InPeriod(uint64_t sequence, const EventQuery& query) const {
  const int64_t ms = time_ms_[sequence - 1];
  return (!query.from || ms >= query.from->unix_millis()) &&
         (!query.to || ms < query.to->unix_millis());
}

std::vector<uint64_t> EventIndex::FindByPeriod(const EventQuery& query) const {
  std::vector<uint64_t> found;
  auto day = query.from ? by_day_.lower_bound(DayOf(query.from->unix_millis())) : by_day_.begin();
  const std::optional<int64_t> last_day =
      query.to ? std::optional<int64_t>(DayOf(query.to->unix_millis() - 1)) : std::nullopt;
  bool ascending = true;
  for (; day != by_day_.end() && (!last_day || day->first <= *last_day); ++day) {
    // Only a day the period cuts needs each event's time read: every event of a day inside it
    // is in the period.
    const bool whole_day =
        (!query.from || day->first * kMillisPerDay >= query.from->unix_millis()) &&
        (!query.to || (day->first + 1) * kMillisPerDay <= query.to->unix_millis());
    for (const Run& run : day->second) {
      if (!found.empty() && run.first < found.back()) ascending = false;
      for (uint64_t sequence = run.first; sequence <= run.last; ++sequence) {
        if (whole_day || InPeriod(sequence, query)) found.push_back(sequence);
      }
    }
  }
  if (ascending) return found;
  // Events recorded out of time order put one day's runs between another's. Each sequence is
  // found once (a run belongs to one day), so when the found ones are dense in their span, a
  // bitmap of the span orders them in two passes: sorting a month of millions took a tenth of
  // a royalty run that reads them.
  const auto [low, high] = std::minmax_element(found.begin(), found.end());
  const uint64_t first = *low;
  const uint64_t span = *high - first + 1;
  if (span / 64 > found.size()) {
    std::sort(found.begin(), found.end());
    return found;
  }
  std::vector<uint64_t> bits(span / 64 + 1, 0);
  for (const uint64_t sequence : found) {
    bits[(sequence - first) / 64] |= uint64_t{1} << ((sequence - first) % 64);
  }
  size_t at = 0;
  for (size_t word = 0; word < bits.size(); ++word) {
    for (uint64_t rest = bits[word]; rest != 0; rest &= rest - 1) {
      found[at++] = first + word * 64 + static_cast<uint64_t>(std::countr_zero(rest));
    }
  }
  return found;
}

std::vector<uint64_t> EventIndex::Find(const EventQuery& query) const {
  // Start from the most selective posting list the query names; the period filters it.
  std::vector<uint64_t> found;
  const bool by_postings = !query.isrcs.empty() || query.listener.has_value();
  if (!by_postings) return FindByPeriod(query);
  auto keep = [&](uint64_t sequence) { return InPeriod(sequence, query); };
  if (!query.isrcs.empty()) {
    for (const std::string& isrc : query.isrcs) {
      std::optional<uint64_t> index = recording_index_.Find(isrc);
      if (!index) continue;
      const std::vector<uint64_t>& events = recording_events_[*index];
      std::copy_if(events.begin(), events.end(), std::back_inserter(found), keep);
    }
    std::sort(found.begin(), found.end());
    found.erase(std::unique(found.begin(), found.end()), found.end());
    if (query.listener) {
      const std::vector<uint64_t> listener_events = ListenerEvents(*query.listener);
      std::vector<uint64_t> both;
      std::set_intersection(found.begin(), found.end(), listener_events.begin(),
                            listener_events.end(), std::back_inserter(both));
      found = std::move(both);
    }
    return found;
  }
  const std::vector<uint64_t> listener_events = ListenerEvents(*query.listener);
  std::copy_if(listener_events.begin(), listener_events.end(), std::back_inserter(found), keep);
  return found;
}

namespace {

// Reads `count` numbers into `values` (resized).
template <typename T>
Status GetArray(StateReader* in, std::string_view what, std::vector<T>* values) {
  ACCORD_ASSIGN_OR_RETURN(const uint64_t count, in->GetCount(sizeof(T), what));
  values->resize(count);
  return in->GetBytes(values->data(), count * sizeof(T));
}

template <typename T>
void PutArray(StateWriter* out, const std::vector<T>& values) {
  out->Put64(values.size());
  out->PutBytes(values.data(), values.size() * sizeof(T));
}

}  // namespace

void EventIndex::SaveTo(StateWriter* out) const {
  time_ms_.SaveTo(out);
  out->Put64(by_day_.size());
  for (const auto& [day, runs] : by_day_) {
    out->Put64(static_cast<uint64_t>(day));
    PutArray(out, runs);
  }
  recording_index_.SaveTo(out);
  out->Put64(recording_events_.size());
  for (const std::vector<uint64_t>& events : recording_events_) PutArray(out, events);
  listener_latest_.SaveTo(out);
  previous_of_listener_.SaveTo(out);
  recording_keys_.SaveTo(out);
  use_fields_.SaveTo(out);
  uses_end_.SaveTo(out);
  uses_.SaveTo(out);
  listener_of_.SaveTo(out);
  listener_keys_.SaveTo(out);
}

Result<EventIndex> EventIndex::LoadFrom(StateReader* in) {
  EventIndex index;
  ACCORD_ASSIGN_OR_RETURN(const uint64_t times, in->GetCount(sizeof(int64_t), "event times"));
  ACCORD_RETURN_IF_ERROR(index.time_ms_.LoadFrom(in, times));
  const uint64_t events = index.time_ms_.size();
  auto damaged = [&](const std::string& problem) {
    return in->Damaged("event index of " + std::to_string(events) + " events: " + problem);
  };
  ACCORD_ASSIGN_OR_RETURN(const uint64_t days, in->GetCount(2 * sizeof(uint64_t), "days"));
  uint64_t in_runs = 0;
  for (uint64_t at = 0; at < days; ++at) {
    ACCORD_ASSIGN_OR_RETURN(const uint64_t day, in->Get64());
    std::vector<Run> runs;
    ACCORD_RETURN_IF_ERROR(GetArray(in, "day runs", &runs));
    for (const Run& run : runs) {
      if (run.first == 0 || run.first > run.last || run.last > events) {
        return damaged("a run " + std::to_string(run.first) + ".." + std::to_string(run.last));
      }
      in_runs += run.last - run.first + 1;
    }
    index.by_day_.emplace(static_cast<int64_t>(day), std::move(runs));
  }
  if (in_runs != events || index.by_day_.size() != days) {
    return damaged("the days' runs hold " + std::to_string(in_runs) + " events");
  }
  ACCORD_ASSIGN_OR_RETURN(index.recording_index_, FlatStringMap::LoadFrom(in, "recordings"));
  ACCORD_ASSIGN_OR_RETURN(const uint64_t recordings,
                          in->GetCount(sizeof(uint64_t), "recording lists"));
  if (recordings != index.recording_index_.size() ||
      (recordings > 0 && !index.recording_index_.ValuesWithin(0, recordings - 1))) {
    return damaged(std::to_string(recordings) + " recording lists for " +
                   std::to_string(index.recording_index_.size()) + " recordings");
  }
  index.recording_events_.resize(recordings);
  for (std::vector<uint64_t>& list : index.recording_events_) {
    ACCORD_RETURN_IF_ERROR(GetArray(in, "recording events", &list));
    for (size_t at = 0; at < list.size(); ++at) {
      if (list[at] == 0 || list[at] > events || (at > 0 && list[at] <= list[at - 1])) {
        return damaged("a recording's events are not ascending sequences");
      }
    }
  }
  ACCORD_ASSIGN_OR_RETURN(index.listener_latest_, FlatStringMap::LoadFrom(in, "listeners"));
  if (!index.listener_latest_.ValuesWithin(1, events)) {
    return damaged("a listener's latest event is not one of them");
  }
  ACCORD_ASSIGN_OR_RETURN(const uint64_t links, in->GetCount(sizeof(uint64_t), "listener chains"));
  ACCORD_RETURN_IF_ERROR(index.previous_of_listener_.LoadFrom(in, links));
  if (index.previous_of_listener_.size() != events) {
    return damaged(std::to_string(index.previous_of_listener_.size()) + " listener links");
  }
  for (uint64_t at = 0; at < events; ++at) {
    // Each link goes back, so a listener's chain always ends.
    if (index.previous_of_listener_[at] > at) return damaged("a listener link goes forward");
  }
  ACCORD_RETURN_IF_ERROR(index.LoadRunColumns(in, damaged));
  if (!index.by_day_.empty()) {
    // Add's caches: the day of the last event, whose runs are where the next event may extend,
    // and the table of days (over the span of the saved days, where it fits).
    const int64_t last_day = DayOf(index.time_ms_.back());
    if (!index.by_day_.contains(last_day)) return damaged("the last event's day has no runs");
    // (A span wider than the table leaves it empty; RunsOf then starts it at the next day.)
    const int64_t first_day = index.by_day_.begin()->first;
    if (index.by_day_.rbegin()->first - first_day < kMaxTabledDays) {
      index.day_table_first_ = first_day;
      index.day_table_.assign(static_cast<size_t>(index.by_day_.rbegin()->first - first_day + 1),
                              nullptr);
      for (auto& [day, runs] : index.by_day_) {
        index.day_table_[static_cast<size_t>(day - first_day)] = &runs;
      }
    }
    index.last_day_ = last_day;
    index.last_day_runs_ = &index.by_day_.find(last_day)->second;
  }
  return index;
}

Status EventIndex::LoadRunColumns(StateReader* in,
                                  const std::function<Status(const std::string&)>& damaged) {
  const uint64_t events = time_ms_.size();
  // Each column is as long as it must be, and every value is checked, so that a damaged file
  // cannot make a run read out of bounds or name a listener or recording that is not there.
  auto load = [&](auto& column, std::string_view what, uint64_t expected) -> Status {
    using Value = typename std::remove_reference_t<decltype(column)>::value_type;
    ACCORD_ASSIGN_OR_RETURN(const uint64_t count, in->GetCount(sizeof(Value), what));
    if (count != expected) {
      return damaged(std::to_string(count) + " " + std::string(what) + " where " +
                     std::to_string(expected) + " belong");
    }
    return column.LoadFrom(in, count);
  };
  ACCORD_RETURN_IF_ERROR(load(recording_keys_, "recording names", recording_events_.size()));
  for (uint64_t at = 0; at < recording_keys_.size(); ++at) {
    if (!recording_index_.ValidKeyRef(recording_keys_[at])) {
      return damaged("recording " + std::to_string(at) + "'s name is outside the key bytes");
    }
  }
  ACCORD_RETURN_IF_ERROR(load(use_fields_, "use fields", events));
  ACCORD_RETURN_IF_ERROR(load(uses_end_, "use ends", events));
  ACCORD_ASSIGN_OR_RETURN(const uint64_t uses, in->GetCount(sizeof(IndexedRecording), "uses"));
  ACCORD_RETURN_IF_ERROR(uses_.LoadFrom(in, uses));
  for (uint64_t at = 0; at < events; ++at) {
    const uint32_t fields = use_fields_[at];
    if (!ValidUseFields(fields)) {
      return damaged("event " + std::to_string(at + 1) + "'s use fields");
    }
    const uint64_t begin = UsesBegin(at);
    if (uses_end_[at] <= begin || uses_end_[at] - begin > kMaxRecordingsPerEvent ||
        uses_end_[at] > uses) {
      return damaged("event " + std::to_string(at + 1) + "'s uses end at " +
                     std::to_string(uses_end_[at]));
    }
  }
  if ((events == 0 ? 0 : uses_end_[events - 1]) != uses) {
    return damaged(std::to_string(uses) + " uses, not what the events' ends say");
  }
  for (uint64_t at = 0; at < uses; ++at) {
    if (uses_[at].recording >= recording_keys_.size() || uses_[at].weight_ppm < 0 ||
        uses_[at].weight_ppm > 1'000'000) {
      return damaged("use " + std::to_string(at) + " names no recording or weight");
    }
  }
  ACCORD_RETURN_IF_ERROR(load(listener_of_, "listener numbers", events));
  ACCORD_ASSIGN_OR_RETURN(const uint64_t listeners,
                          in->GetCount(sizeof(uint64_t), "listener names"));
  if (listeners != listener_latest_.size()) {
    return damaged(std::to_string(listeners) + " listener names for " +
                   std::to_string(listener_latest_.size()) + " listeners");
  }
  ACCORD_RETURN_IF_ERROR(listener_keys_.LoadFrom(in, listeners));
  for (uint64_t at = 0; at < listeners; ++at) {
    if (!listener_latest_.ValidKeyRef(listener_keys_[at])) {
      return damaged("listener " + std::to_string(at) + "'s name is outside the key bytes");
    }
  }
  for (uint64_t at = 0; at < events; ++at) {
    if (listener_of_[at] >= listeners) {
      return damaged("event " + std::to_string(at + 1) + "'s listener number");
    }
  }
  return OkStatus();
}

std::vector<std::pair<uint64_t, uint64_t>> ConsecutiveRuns(std::span<const uint64_t> sequences) {
  std::vector<std::pair<uint64_t, uint64_t>> runs;
  for (uint64_t sequence : sequences) {
    if (!runs.empty() && runs.back().second + 1 == sequence) {
      runs.back().second = sequence;
    } else {
      runs.emplace_back(sequence, sequence);
    }
  }
  return runs;
}

}  // namespace accord::ledger
