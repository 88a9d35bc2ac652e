#include "service/recent_plays.h"

#include <unordered_set>

#include "ledger/event.h"

namespace accord::service {

Result<size_t> AddRecentlyHeardItems(const ledger::Ledger& ledger, const taste::ListeningData& data,
                                     const std::string& listener, Timestamp at, int hours,
                                     std::vector<uint32_t>* items) {
  if (hours < 0 || hours > kMaxRecentHours) {
    return InvalidArgumentError("recent hours: " + std::to_string(hours) + " is outside 0.." +
                                std::to_string(kMaxRecentHours));
  }
  if (hours == 0) return size_t{0};
  std::vector<uint64_t> sequences = ledger.FindEvents(ledger::EventQuery{
      .from = Timestamp::FromUnixMillis(at.unix_millis() - int64_t{hours} * 3600 * 1000),
      .to = Timestamp::FromUnixMillis(at.unix_millis() + 1),  // `at` itself included
      .listener = listener});
  if (sequences.size() > kMaxRecentEvents) {
    sequences.erase(sequences.begin(), sequences.end() - kMaxRecentEvents);
  }
  std::unordered_set<uint32_t> seen(items->begin(), items->end());
  size_t added = 0;
  ACCORD_RETURN_IF_ERROR(
      ledger.ReadEvents(sequences, [&](uint64_t sequence, std::string_view payload) -> Status {
        ACCORD_ASSIGN_OR_RETURN(
            ledger::EventKeys keys,
            ledger::ExtractEventKeys(payload, "ledger event " + std::to_string(sequence)));
        for (std::string_view isrc : keys.isrcs) {
          const std::optional<uint32_t> item = data.FindItem(taste::ItemKind::kRecording, isrc);
          if (item && seen.insert(*item).second) {
            items->push_back(*item);
            ++added;
          }
        }
        return OkStatus();
      }));
  return added;
}

}  // namespace accord::service
