#include "ledger/event_index.h"

#include <algorithm>

namespace accord::ledger {
namespace {

constexpr int64_t kMillisPerDay = 86'400'000;

int64_t DayOf(int64_t unix_millis) {
  return unix_millis >= 0 ? unix_millis / kMillisPerDay
                          : -((-unix_millis + kMillisPerDay - 1) / kMillisPerDay);
}

}  // namespace

Status EventIndex::Add(uint64_t sequence, const EventKeys& keys) {
  if (sequence != time_ms_.size() + 1) {
    return InvalidArgumentError("event index: record " + std::to_string(sequence) +
                                " added after " + std::to_string(time_ms_.size()));
  }
  const int64_t ms = keys.time.unix_millis();
  time_ms_.push_back(ms);
  const int64_t day = DayOf(ms);
  // An empty map (a new index, or one moved from) has no node the cache could point to.
  if (by_day_.empty() || day != last_day_) {
    last_day_ = day;
    last_day_runs_ = &by_day_[day];
  }
  std::vector<Run>& runs = *last_day_runs_;
  if (!runs.empty() && runs.back().last + 1 == sequence) {
    runs.back().last = sequence;
  } else {
    runs.push_back({sequence, sequence});
  }
  // An event may name a recording twice only if intake allowed it; index it once.
  for (size_t i = 0; i < keys.isrcs.size(); ++i) {
    if (std::find(keys.isrcs.begin(), keys.isrcs.begin() + i, keys.isrcs[i]) !=
        keys.isrcs.begin() + i) {
      continue;
    }
    const auto [index, inserted] = recording_index_.Insert(keys.isrcs[i], recording_events_.size());
    if (inserted) recording_events_.emplace_back();
    recording_events_[index].push_back(sequence);
  }
  previous_of_listener_.push_back(listener_latest_.Put(keys.listener, sequence).value_or(0));
  return OkStatus();
}

void EventIndex::Reserve(size_t events) {
  time_ms_.reserve(events);
  previous_of_listener_.reserve(events);
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
  for (; day != by_day_.end() && (!last_day || day->first <= *last_day); ++day) {
    for (const Run& run : day->second) {
      for (uint64_t sequence = run.first; sequence <= run.last; ++sequence) {
        if (InPeriod(sequence, query)) found.push_back(sequence);
      }
    }
  }
  // Events recorded out of time order put one day's runs between another's.
  std::sort(found.begin(), found.end());
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

std::vector<std::pair<uint64_t, uint64_t>> ConsecutiveRuns(const std::vector<uint64_t>& sequences) {
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
