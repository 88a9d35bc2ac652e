#include "ledger/event_scan.h"

#include <cstdint>
#include <string_view>

#include "catalog/model.h"
#include "core/json_cursor.h"

namespace accord::ledger {
namespace {

// One bit per member, to refuse a repeated key (the library would keep the last one).
enum Field : uint32_t {
  kId = 1u << 0,
  kTime = 1u << 1,
  kListener = 1u << 2,
  kTerritory = 1u << 3,
  kScope = 1u << 4,
  kFeature = 1u << 5,
  kRecordings = 1u << 6,
  kDuration = 1u << 7,
  kSession = 1u << 8,
  kRequested = 1u << 9,
};
constexpr uint32_t kRequired =
    kId | kTime | kListener | kTerritory | kScope | kFeature | kRecordings;

bool ReadRecordings(JsonCursor& in, std::vector<UsedRecording>* recordings) {
  recordings->clear();
  if (!in.Take('[')) return false;
  if (in.Take(']')) return true;  // empty: ValidateUsageEvent refuses it below
  do {
    if (recordings->size() == kMaxRecordingsPerEvent || !in.Take('{')) return false;
    std::string_view isrc;
    int64_t weight = -1;
    bool have_isrc = false;
    do {
      std::string_view key;
      if (!in.String(&key) || !in.Take(':')) return false;
      if (key == "isrc" && !have_isrc) {
        if (!in.String(&isrc)) return false;
        have_isrc = true;
      } else if (key == "weight_ppm" && weight < 0) {
        if (!in.Integer(&weight, /*allow_negative=*/false)) return false;
      } else {
        return false;
      }
    } while (in.Take(','));
    if (!in.Take('}') || !have_isrc || weight < 1 || weight > catalog::kWholePpm) return false;
    Result<Isrc> parsed = Isrc::Parse(isrc);
    if (!parsed.ok()) return false;
    recordings->push_back(UsedRecording{*parsed, static_cast<int32_t>(weight)});
  } while (in.Take(','));
  return in.Take(']');
}

}  // namespace

bool ScanUsageEvent(std::string_view text, UsageEvent* event) {
  if (text.size() > kMaxEventLineBytes) return false;
  JsonCursor in(text);
  if (!in.Take('{')) return false;
  uint32_t seen = 0;
  std::string_view time, territory, scope;
  event->duration_ms = 0;
  event->session.clear();
  event->requested = false;
  if (!in.Peek('}')) {
    do {
      std::string_view key;
      if (!in.String(&key) || !in.Take(':')) return false;
      uint32_t field = 0;
      bool ok = false;
      std::string_view value;
      if (key == "id") {
        field = kId;
        ok = in.String(&value) && (event->id.assign(value), true);
      } else if (key == "time") {
        field = kTime;
        ok = in.String(&time);
      } else if (key == "listener") {
        field = kListener;
        ok = in.String(&value) && (event->listener.assign(value), true);
      } else if (key == "territory") {
        field = kTerritory;
        ok = in.String(&territory);
      } else if (key == "scope") {
        field = kScope;
        ok = in.String(&scope);
      } else if (key == "feature") {
        field = kFeature;
        ok = in.String(&value) && (event->feature.assign(value), true);
      } else if (key == "recordings") {
        field = kRecordings;
        ok = ReadRecordings(in, &event->recordings);
      } else if (key == "duration_ms") {
        field = kDuration;
        ok = in.Integer(&event->duration_ms, /*allow_negative=*/true);
      } else if (key == "session") {
        field = kSession;
        ok = in.String(&value) && (event->session.assign(value), true);
      } else if (key == "requested") {
        field = kRequested;
        ok = in.Bool(&event->requested);
      }
      if (!ok || (seen & field) != 0) return false;
      seen |= field;
    } while (in.Take(','));
  }
  if (!in.Take('}') || !in.AtEnd() || (seen & kRequired) != kRequired) return false;

  Result<Timestamp> parsed_time = Timestamp::Parse(time);
  Result<Territory> parsed_territory = Territory::Parse(territory);
  Result<rights::Scope> parsed_scope = rights::ParseScope(scope);
  if (!parsed_time.ok() || !parsed_territory.ok() || !parsed_scope.ok()) return false;
  event->time = *parsed_time;
  event->territory = *parsed_territory;
  event->scope = *parsed_scope;
  return ValidateUsageEvent(*event).ok();
}

}  // namespace accord::ledger
