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
  std::vector<Run>& runs = by_day_[DayOf(ms)];
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
    by_recording_[std::string(keys.isrcs[i])].push_back(sequence);
  }
  by_listener_[std::string(keys.listener)].push_back(sequence);
  return OkStatus();
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
      auto it = by_recording_.find(isrc);
      if (it == by_recording_.end()) continue;
      std::copy_if(it->second.begin(), it->second.end(), std::back_inserter(found), keep);
    }
    std::sort(found.begin(), found.end());
    found.erase(std::unique(found.begin(), found.end()), found.end());
    if (query.listener) {
      auto it = by_listener_.find(*query.listener);
      std::vector<uint64_t> both;
      if (it != by_listener_.end()) {
        std::set_intersection(found.begin(), found.end(), it->second.begin(), it->second.end(),
                              std::back_inserter(both));
      }
      found = std::move(both);
    }
    return found;
  }
  auto it = by_listener_.find(*query.listener);
  if (it != by_listener_.end()) {
    std::copy_if(it->second.begin(), it->second.end(), std::back_inserter(found), keep);
  }
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
