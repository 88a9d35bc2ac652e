#include "ledger/event_scan.h"

#include <cstdint>
#include <cstring>
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

// Reads the canonical encoding's pieces in order; every method returns false, consuming
// nothing it can be trusted with, at the first byte outside the shape.
class CanonicalCursor {
 public:
  explicit CanonicalCursor(std::string_view text)
      : at_(text.data()), end_(text.data() + text.size()) {}

  // A literal of the encoding; its size known when compiled, the comparison is a few loads
  // rather than a call.
  template <size_t N>
  bool Literal(const char (&literal)[N]) {
    constexpr size_t kSize = N - 1;  // without the terminating NUL
    if (static_cast<size_t>(end_ - at_) < kSize || std::memcmp(at_, literal, kSize) != 0) {
      return false;
    }
    at_ += kSize;
    return true;
  }
  // A quoted value that CheckToken accepts (event.cc): 0..max_bytes bytes of printable ASCII
  // without spaces, quotes or backslashes, none only when may_be_empty. Without escapes, its
  // bytes are its value, as the JSON library reads it.
  bool Token(size_t max_bytes, bool may_be_empty, std::string_view* value) {
    if (at_ == end_ || *at_ != '"') return false;
    const char* start = ++at_;
    while (at_ != end_ && *at_ != '"') {
      const char c = *at_;
      if (c <= ' ' || c > '~' || c == '\\') return false;  // (char may be signed: c <= ' ')
      ++at_;
    }
    const size_t size = static_cast<size_t>(at_ - start);
    if (at_ == end_ || size > max_bytes || (size == 0 && !may_be_empty)) return false;
    ++at_;
    *value = {start, size};
    return true;
  }
  // The bytes up to the next '"', not consumed (a value its own parser checks).
  bool UntilQuote(std::string_view* value) {
    const void* quote = std::memchr(at_, '"', static_cast<size_t>(end_ - at_));
    if (quote == nullptr) return false;
    *value = {at_, static_cast<size_t>(static_cast<const char*>(quote) - at_)};
    at_ = static_cast<const char*>(quote);
    return true;
  }
  // A JSON integer without sign: '0' or up to 18 digits without a leading zero, at most `most`.
  bool Natural(int64_t most, int64_t* value) {
    const char* start = at_;
    int64_t read = 0;
    while (at_ != end_ && *at_ >= '0' && *at_ <= '9') {
      if (at_ - start == 18) return false;
      read = read * 10 + (*at_ - '0');
      ++at_;
    }
    if (at_ == start || (*start == '0' && at_ - start > 1) || read > most) return false;
    *value = read;
    return true;
  }
  bool AtEnd() const { return at_ == end_; }

 private:
  const char* at_;
  const char* end_;
};

// Isrc::Parse's normal form, which it returns unchanged: 2 capital letters, 3 capital letters
// or digits, 7 digits.
bool IsNormalIsrc(std::string_view text) {
  if (text.size() != 12) return false;
  for (size_t i = 0; i < 12; ++i) {
    const char c = text[i];
    const bool upper = c >= 'A' && c <= 'Z';
    const bool digit = c >= '0' && c <= '9';
    if (!(i < 2 ? upper : i < 5 ? upper || digit : digit)) return false;
  }
  return true;
}

// The checks of ValidateUsageEvent on one event's `recordings`: 1 to
// kMaxRecordingsPerEvent, no ISRC twice, weights adding to exactly a million (each is >= 1).
bool ValidRecordings(std::span<const RecordingView> recordings) {
  if (recordings.empty() || recordings.size() > kMaxRecordingsPerEvent) return false;
  int64_t total = 0;
  for (size_t i = 0; i < recordings.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (recordings[j].isrc == recordings[i].isrc) return false;
    }
    total += recordings[i].weight_ppm;
  }
  return total == catalog::kWholePpm;
}

bool ScanStoredUseInto(std::string_view text, UseView* use,
                       std::vector<RecordingView>* recordings) {
  if (text.size() > kMaxEventLineBytes) return false;
  CanonicalCursor in(text);
  std::string_view time, territory, scope, feature, session;
  int64_t number = 0;
  if (!in.Literal("{\"id\":") || !in.Token(kMaxTokenBytes, false, &use->id) ||
      !in.Literal(",\"time\":\"") || !in.UntilQuote(&time) || time.empty() || time.back() != 'Z' ||
      !in.Literal("\",\"listener\":") || !in.Token(kMaxTokenBytes, false, &use->listener) ||
      !in.Literal(",\"territory\":\"") || !in.UntilQuote(&territory) ||
      !in.Literal("\",\"scope\":\"") || !in.UntilQuote(&scope) || !in.Literal("\",\"feature\":") ||
      !in.Token(kMaxFeatureBytes, false, &feature) || !in.Literal(",\"recordings\":[")) {
    return false;
  }
  do {
    RecordingView recording;
    if (!in.Literal("{\"isrc\":\"") || !in.UntilQuote(&recording.isrc) ||
        !IsNormalIsrc(recording.isrc) || !in.Literal("\",\"weight_ppm\":") ||
        !in.Natural(catalog::kWholePpm, &number) || number == 0 || !in.Literal("}")) {
      return false;
    }
    recording.weight_ppm = static_cast<int32_t>(number);
    recordings->push_back(recording);
  } while (in.Literal(","));
  if (!in.Literal("],\"duration_ms\":") || !in.Natural(INT64_MAX, &number) ||
      !in.Literal(",\"session\":") || !in.Token(kMaxTokenBytes, true, &session) ||
      !in.Literal(",\"requested\":")) {
    return false;
  }
  if (in.Literal("true}")) {
    use->requested = true;
  } else if (in.Literal("false}")) {
    use->requested = false;
  } else {
    return false;
  }
  if (!in.AtEnd()) return false;
  // A time ending in 'Z' that parses is in years 0001..9999, as ValidateUsageEvent demands.
  Result<Timestamp> parsed_time = Timestamp::Parse(time);
  Result<Territory> parsed_territory = Territory::Parse(territory);
  Result<rights::Scope> parsed_scope = rights::ParseScope(scope);
  if (!parsed_time.ok() || !parsed_territory.ok() || !parsed_scope.ok()) return false;
  // Parse accepts lower case and other forms, and ParseUsageEvent would store the normal one.
  if (parsed_territory->code() != territory || rights::ScopeName(*parsed_scope) != scope) {
    return false;
  }
  use->time = *parsed_time;
  use->territory = *parsed_territory;
  use->scope = *parsed_scope;
  use->recordings = {};
  return true;
}

}  // namespace

bool ScanStoredUse(std::string_view text, UseView* use, std::vector<RecordingView>* recordings) {
  const size_t before = recordings->size();
  if (ScanStoredUseInto(text, use, recordings) &&
      ValidRecordings(std::span<const RecordingView>(*recordings).subspan(before))) {
    return true;
  }
  recordings->resize(before);
  return false;
}

void UseBatch::clear() {
  views_.clear();
  recording_counts_.clear();
  recordings_.clear();
}

bool UseBatch::AddStored(uint64_t sequence, std::string_view payload) {
  const size_t before = recordings_.size();
  UseView use;
  if (!ScanStoredUse(payload, &use, &recordings_)) return false;
  use.sequence = sequence;
  views_.push_back(use);
  recording_counts_.push_back(static_cast<uint32_t>(recordings_.size() - before));
  return true;
}

void UseBatch::Add(uint64_t sequence, const UsageEvent& event) {
  for (const UsedRecording& used : event.recordings) {
    recordings_.push_back({used.isrc.str(), used.weight_ppm});
  }
  views_.push_back({.sequence = sequence,
                    .id = event.id,
                    .time = event.time,
                    .listener = event.listener,
                    .territory = event.territory,
                    .scope = event.scope,
                    .requested = event.requested,
                    .recordings = {}});
  recording_counts_.push_back(static_cast<uint32_t>(event.recordings.size()));
}

std::span<const UseView> UseBatch::views() {
  // `recordings_` has stopped growing: each view may point into it now.
  size_t at = 0;
  for (size_t k = 0; k < views_.size(); ++k) {
    views_[k].recordings =
        std::span<const RecordingView>(recordings_).subspan(at, recording_counts_[k]);
    at += recording_counts_[k];
  }
  return views_;
}

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
