#include "ledger/event_scan.h"

#include <cstdint>
#include <string_view>

#include "catalog/model.h"

namespace accord::ledger {
namespace {

// A cursor over the line. Every Read* returns false at the first thing outside the narrow
// grammar below, which sends the line to the JSON library; none of them reports an error.
//   object  := ws '{' ws (member (ws ',' ws member)*)? ws '}' ws
//   string  := '"' (byte 0x20..0x7e except '"' and '\\')* '"'
//   integer := '-'? ('0' | [1-9][0-9]{0,17})      (never "-0"; 18 digits cannot overflow)
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  void SkipSpace() {
    while (at_ < text_.size() &&
           (text_[at_] == ' ' || text_[at_] == '\t' || text_[at_] == '\n' || text_[at_] == '\r')) {
      ++at_;
    }
  }
  bool Consume(char c) {
    SkipSpace();
    if (at_ >= text_.size() || text_[at_] != c) return false;
    ++at_;
    return true;
  }
  bool Peek(char c) {
    SkipSpace();
    return at_ < text_.size() && text_[at_] == c;
  }
  bool AtEnd() {
    SkipSpace();
    return at_ == text_.size();
  }

  bool ReadString(std::string_view* out) {
    if (!Consume('"')) return false;
    const size_t start = at_;
    for (; at_ < text_.size(); ++at_) {
      const auto c = static_cast<unsigned char>(text_[at_]);
      if (c == '"') {
        *out = text_.substr(start, at_ - start);
        ++at_;
        return true;
      }
      // An escape, a control character or a byte of a multi-byte sequence: the library
      // decodes and validates those.
      if (c == '\\' || c < 0x20 || c > 0x7e) return false;
    }
    return false;
  }

  bool ReadInteger(int64_t* out, bool allow_negative) {
    SkipSpace();
    bool negative = false;
    if (at_ < text_.size() && text_[at_] == '-') {
      if (!allow_negative) return false;
      negative = true;
      ++at_;
    }
    const size_t start = at_;
    int64_t value = 0;
    while (at_ < text_.size() && text_[at_] >= '0' && text_[at_] <= '9') {
      value = value * 10 + (text_[at_] - '0');
      ++at_;
      if (at_ - start > 18) return false;
    }
    const size_t digits = at_ - start;
    if (digits == 0 || (digits > 1 && text_[start] == '0')) return false;
    if (negative && value == 0) return false;
    // A fraction or an exponent makes it a float to the library.
    if (at_ < text_.size() && (text_[at_] == '.' || text_[at_] == 'e' || text_[at_] == 'E')) {
      return false;
    }
    *out = negative ? -value : value;
    return true;
  }

  bool ReadBool(bool* out) {
    SkipSpace();
    const std::string_view rest = text_.substr(at_);
    if (rest.starts_with("true")) {
      at_ += 4;
      *out = true;
    } else if (rest.starts_with("false")) {
      at_ += 5;
      *out = false;
    } else {
      return false;
    }
    // "truex" is not JSON; a delimiter must follow.
    return at_ == text_.size() || text_[at_] == ',' || text_[at_] == '}' || text_[at_] == ' ' ||
           text_[at_] == '\t' || text_[at_] == '\n' || text_[at_] == '\r';
  }

 private:
  std::string_view text_;
  size_t at_ = 0;
};

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

bool ReadRecordings(Scanner& in, std::vector<UsedRecording>* recordings) {
  recordings->clear();
  if (!in.Consume('[')) return false;
  if (in.Consume(']')) return true;  // empty: ValidateUsageEvent refuses it below
  do {
    if (recordings->size() == kMaxRecordingsPerEvent || !in.Consume('{')) return false;
    std::string_view isrc;
    int64_t weight = -1;
    bool have_isrc = false;
    do {
      std::string_view key;
      if (!in.ReadString(&key) || !in.Consume(':')) return false;
      if (key == "isrc" && !have_isrc) {
        if (!in.ReadString(&isrc)) return false;
        have_isrc = true;
      } else if (key == "weight_ppm" && weight < 0) {
        if (!in.ReadInteger(&weight, /*allow_negative=*/false)) return false;
      } else {
        return false;
      }
    } while (in.Consume(','));
    if (!in.Consume('}') || !have_isrc || weight < 1 || weight > catalog::kWholePpm) return false;
    Result<Isrc> parsed = Isrc::Parse(isrc);
    if (!parsed.ok()) return false;
    recordings->push_back(UsedRecording{*parsed, static_cast<int32_t>(weight)});
  } while (in.Consume(','));
  return in.Consume(']');
}

}  // namespace

bool ScanUsageEvent(std::string_view text, UsageEvent* event) {
  if (text.size() > kMaxEventLineBytes) return false;
  Scanner in(text);
  if (!in.Consume('{')) return false;
  uint32_t seen = 0;
  std::string_view time, territory, scope;
  event->duration_ms = 0;
  event->session.clear();
  event->requested = false;
  if (!in.Peek('}')) {
    do {
      std::string_view key;
      if (!in.ReadString(&key) || !in.Consume(':')) return false;
      uint32_t field = 0;
      bool ok = false;
      std::string_view value;
      if (key == "id") {
        field = kId;
        ok = in.ReadString(&value) && (event->id.assign(value), true);
      } else if (key == "time") {
        field = kTime;
        ok = in.ReadString(&time);
      } else if (key == "listener") {
        field = kListener;
        ok = in.ReadString(&value) && (event->listener.assign(value), true);
      } else if (key == "territory") {
        field = kTerritory;
        ok = in.ReadString(&territory);
      } else if (key == "scope") {
        field = kScope;
        ok = in.ReadString(&scope);
      } else if (key == "feature") {
        field = kFeature;
        ok = in.ReadString(&value) && (event->feature.assign(value), true);
      } else if (key == "recordings") {
        field = kRecordings;
        ok = ReadRecordings(in, &event->recordings);
      } else if (key == "duration_ms") {
        field = kDuration;
        ok = in.ReadInteger(&event->duration_ms, /*allow_negative=*/true);
      } else if (key == "session") {
        field = kSession;
        ok = in.ReadString(&value) && (event->session.assign(value), true);
      } else if (key == "requested") {
        field = kRequested;
        ok = in.ReadBool(&event->requested);
      }
      if (!ok || (seen & field) != 0) return false;
      seen |= field;
    } while (in.Consume(','));
  }
  if (!in.Consume('}') || !in.AtEnd() || (seen & kRequired) != kRequired) return false;

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
