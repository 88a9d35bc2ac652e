#include "ledger/event.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>

#include "catalog/model.h"
#include "ledger/event_scan.h"

namespace accord::ledger {
namespace {

using nlohmann::json;

constexpr int64_t kMillisPerDay = 86'400'000;
const Timestamp kEarliestTime = Timestamp::FromUnixMillis(DaysFromCivil(1, 1, 1) * kMillisPerDay);
const Timestamp kLatestTime =
    Timestamp::FromUnixMillis(DaysFromCivil(10000, 1, 1) * kMillisPerDay - 1);

// Writes `value` as `width` decimal digits, zero-padded; `value` < 10^width.
char* PutDigits(char* out, int64_t value, int width) {
  for (int digit = width - 1; digit >= 0; --digit) {
    out[digit] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return out + width;
}

// The most bytes PutTime writes: "YYYY-MM-DDTHH:MM:SS.mmmZ".
constexpr size_t kMaxPutTimeBytes = 24;

bool TimeHasCivilForm(Timestamp time) { return time >= kEarliestTime && time <= kLatestTime; }

// Timestamp::ToString() for times in years 0001..9999 (TimeHasCivilForm), without its snprintf
// calls and temporary strings (the encoding runs once per event at intake). The date is Howard
// Hinnant's civil_from_days; event_test checks the output against ToString(). Returns the end.
char* PutTime(Timestamp time, char* at) {
  const int64_t ms_total = time.unix_millis();
  const int64_t days =
      ms_total >= 0 ? ms_total / kMillisPerDay : -((-ms_total + kMillisPerDay - 1) / kMillisPerDay);
  const int64_t in_day = ms_total - days * kMillisPerDay;
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  at = PutDigits(at, year, 4);
  *at++ = '-';
  at = PutDigits(at, month, 2);
  *at++ = '-';
  at = PutDigits(at, day, 2);
  *at++ = 'T';
  at = PutDigits(at, in_day / 3'600'000, 2);
  *at++ = ':';
  at = PutDigits(at, in_day / 60'000 % 60, 2);
  *at++ = ':';
  at = PutDigits(at, in_day / 1000 % 60, 2);
  if (in_day % 1000 != 0) {
    *at++ = '.';
    at = PutDigits(at, in_day % 1000, 3);
  }
  *at++ = 'Z';
  return at;
}

Status CheckToken(std::string_view value, std::string_view field, size_t max_bytes,
                  bool may_be_empty) {
  if (value.empty() && !may_be_empty) return InvalidArgumentError(std::string(field) + ": empty");
  if (value.size() > max_bytes) {
    return InvalidArgumentError(std::string(field) + ": longer than " + std::to_string(max_bytes) +
                                " bytes");
  }
  for (char c : value) {
    // Quotes and backslashes are excluded too, so an id never needs escaping in the stored
    // JSON and recovery can read it without a JSON parser.
    if (c <= ' ' || c > '~' || c == '"' || c == '\\') {
      return InvalidArgumentError(std::string(field) +
                                  ": only printable ASCII without spaces, quotes or backslashes "
                                  "is allowed");
    }
  }
  return OkStatus();
}

// Reads a required member of the expected JSON type; every miss names the field.
Result<const json*> Member(const json& object, const char* field, json::value_t type) {
  auto it = object.find(field);
  if (it == object.end()) return InvalidArgumentError(std::string(field) + ": missing");
  const bool type_ok = it->type() == type || (type == json::value_t::number_unsigned &&
                                              it->type() == json::value_t::number_integer);
  if (!type_ok) {
    return InvalidArgumentError(std::string(field) + ": expected " + json(type).type_name() +
                                ", got " + it->type_name());
  }
  return &*it;
}

Result<UsageEvent> FromJson(const json& object) {
  static const std::set<std::string> kFields = {"id",      "time",     "listener",   "territory",
                                                "scope",   "feature",  "recordings", "duration_ms",
                                                "session", "requested"};
  if (!object.is_object()) return InvalidArgumentError("expected a JSON object");
  for (const auto& [key, value] : object.items()) {
    if (!kFields.count(key)) return InvalidArgumentError(key + ": unknown field");
  }
  UsageEvent event;
  ACCORD_ASSIGN_OR_RETURN(const json* id, Member(object, "id", json::value_t::string));
  event.id = id->get<std::string>();
  ACCORD_ASSIGN_OR_RETURN(const json* time, Member(object, "time", json::value_t::string));
  ACCORD_ASSIGN_OR_RETURN(event.time, Timestamp::Parse(time->get<std::string>()));
  ACCORD_ASSIGN_OR_RETURN(const json* listener, Member(object, "listener", json::value_t::string));
  event.listener = listener->get<std::string>();
  ACCORD_ASSIGN_OR_RETURN(const json* territory,
                          Member(object, "territory", json::value_t::string));
  Result<Territory> parsed_territory = Territory::Parse(territory->get<std::string>());
  if (!parsed_territory.ok()) return parsed_territory.status().WithPrefix("territory");
  event.territory = *parsed_territory;
  ACCORD_ASSIGN_OR_RETURN(const json* scope, Member(object, "scope", json::value_t::string));
  Result<rights::Scope> parsed_scope = rights::ParseScope(scope->get<std::string>());
  if (!parsed_scope.ok()) return parsed_scope.status().WithPrefix("scope");
  event.scope = *parsed_scope;
  ACCORD_ASSIGN_OR_RETURN(const json* feature, Member(object, "feature", json::value_t::string));
  event.feature = feature->get<std::string>();
  ACCORD_ASSIGN_OR_RETURN(const json* recordings,
                          Member(object, "recordings", json::value_t::array));
  if (recordings->size() > kMaxRecordingsPerEvent) {
    return InvalidArgumentError("recordings: more than " + std::to_string(kMaxRecordingsPerEvent));
  }
  for (size_t i = 0; i < recordings->size(); ++i) {
    const json& used = (*recordings)[i];
    const std::string where = "recordings/" + std::to_string(i);
    if (!used.is_object()) return InvalidArgumentError(where + ": expected an object");
    for (const auto& [key, value] : used.items()) {
      if (key != "isrc" && key != "weight_ppm") {
        return InvalidArgumentError(where + "/" + key + ": unknown field");
      }
    }
    Result<const json*> isrc = Member(used, "isrc", json::value_t::string);
    if (!isrc.ok()) return isrc.status().WithPrefix(where);
    Result<Isrc> parsed = Isrc::Parse((*isrc)->get<std::string>());
    if (!parsed.ok()) return parsed.status().WithPrefix(where + "/isrc");
    Result<const json*> weight = Member(used, "weight_ppm", json::value_t::number_unsigned);
    if (!weight.ok()) return weight.status().WithPrefix(where);
    const int64_t ppm = (*weight)->get<int64_t>();
    if (ppm <= 0 || ppm > catalog::kWholePpm) {
      return InvalidArgumentError(where + "/weight_ppm: " + std::to_string(ppm) +
                                  " is not in 1..1000000");
    }
    event.recordings.push_back(UsedRecording{*parsed, static_cast<int32_t>(ppm)});
  }
  if (auto it = object.find("duration_ms"); it != object.end()) {
    if (!it->is_number_integer()) return InvalidArgumentError("duration_ms: expected an integer");
    event.duration_ms = it->get<int64_t>();
  }
  if (auto it = object.find("session"); it != object.end()) {
    if (!it->is_string()) return InvalidArgumentError("session: expected a string");
    event.session = it->get<std::string>();
  }
  if (auto it = object.find("requested"); it != object.end()) {
    if (!it->is_boolean()) return InvalidArgumentError("requested: expected true or false");
    event.requested = it->get<bool>();
  }
  ACCORD_RETURN_IF_ERROR(ValidateUsageEvent(event));
  return event;
}

}  // namespace

Status ValidateUsageEvent(const UsageEvent& event) {
  ACCORD_RETURN_IF_ERROR(CheckToken(event.id, "id", kMaxTokenBytes, false));
  ACCORD_RETURN_IF_ERROR(CheckToken(event.listener, "listener", kMaxTokenBytes, false));
  ACCORD_RETURN_IF_ERROR(CheckToken(event.feature, "feature", kMaxFeatureBytes, false));
  ACCORD_RETURN_IF_ERROR(CheckToken(event.session, "session", kMaxTokenBytes, true));
  if (event.recordings.empty()) return InvalidArgumentError("recordings: at least one required");
  if (event.recordings.size() > kMaxRecordingsPerEvent) {
    return InvalidArgumentError("recordings: more than " + std::to_string(kMaxRecordingsPerEvent));
  }
  int64_t total = 0;
  for (size_t i = 0; i < event.recordings.size(); ++i) {
    const UsedRecording& used = event.recordings[i];
    if (used.isrc.empty()) {
      return InvalidArgumentError("recordings/" + std::to_string(i) + "/isrc: missing");
    }
    // At most kMaxRecordingsPerEvent, almost always one: comparing with each earlier one is
    // cheaper than building a set, which allocated per recording on the intake path.
    const auto earlier = event.recordings.begin() + static_cast<std::ptrdiff_t>(i);
    if (std::any_of(event.recordings.begin(), earlier,
                    [&](const UsedRecording& other) { return other.isrc == used.isrc; })) {
      return InvalidArgumentError("recordings/" + std::to_string(i) + "/isrc: " + used.isrc.str() +
                                  " listed twice");
    }
    if (used.weight_ppm <= 0) {
      return InvalidArgumentError("recordings/" + std::to_string(i) + "/weight_ppm: must be > 0");
    }
    total += used.weight_ppm;
  }
  if (total != catalog::kWholePpm) {
    return InvalidArgumentError("recordings: weights add to " + std::to_string(total) +
                                " ppm, not 1000000");
  }
  if (event.duration_ms < 0) return InvalidArgumentError("duration_ms: negative");
  // The stored time must read back: Timestamp::Parse takes four-digit years only, and an event
  // outside them would be recorded but make the ledger fail to reopen.
  if (event.time < kEarliestTime || event.time > kLatestTime) {
    return InvalidArgumentError("time: " + std::to_string(event.time.unix_millis()) +
                                " ms since the epoch is outside years 0001..9999");
  }
  return OkStatus();
}

Result<UsageEvent> ParseUsageEvent(std::string_view text, std::string_view where) {
  // The usual shape is read without building a JSON document (event_scan.h); the library
  // parses everything else and words every error.
  if (UsageEvent event; ScanUsageEvent(text, &event)) return event;
  return ParseUsageEventWithLibrary(text, where);
}

Result<UsageEvent> ParseUsageEventWithLibrary(std::string_view text, std::string_view where) {
  if (text.size() > kMaxEventLineBytes) {
    return InvalidArgumentError(std::string(where) + ": event longer than " +
                                std::to_string(kMaxEventLineBytes) + " bytes");
  }
  // Depth is bounded by the line length limit above; nlohmann parses without recursion limits
  // but 64 KiB cannot nest deep enough to matter.
  json object = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded()) return InvalidArgumentError(std::string(where) + ": not valid JSON");
  Result<UsageEvent> event = FromJson(object);
  if (!event.ok()) return event.status().WithPrefix(where);
  return event;
}

std::string CanonicalEncoding(const UsageEvent& event) {
  std::string out;
  AppendCanonicalEncoding(event, &out);
  return out;
}

namespace {

// Writes an event's encoding into memory sized for it beforehand, so that each piece is a copy
// without the size check and call of std::string::append: with appends the encoding was most
// of Ledger::Prepare's time (docs/decisions/0010-ledger-intake-rate.md).
class EncodingCursor {
 public:
  // The most bytes String(text) writes: every byte escaped as \u00XX, and the quotes.
  static constexpr size_t MaxStringBytes(std::string_view text) { return 6 * text.size() + 2; }
  // The most bytes Integer writes: a sign and 19 digits.
  static constexpr size_t kMaxIntegerBytes = 20;

  explicit EncodingCursor(char* at) : at_(at) {}
  char* at() const { return at_; }

  void Raw(std::string_view text) {
    std::memcpy(at_, text.data(), text.size());
    at_ += text.size();
  }
  template <size_t N>
  void Literal(const char (&text)[N]) {  // a string literal, copied without its NUL
    std::memcpy(at_, text, N - 1);
    at_ += N - 1;
  }
  // A JSON string. Validated ids and names need no escaping; this still escapes, so that an
  // unvalidated event cannot produce broken JSON.
  void String(std::string_view text) {
    *at_++ = '"';
    size_t plain = 0;  // a run of bytes that need no escaping is copied at once
    for (size_t index = 0; index < text.size(); ++index) {
      const char c = text[index];
      const unsigned char u = static_cast<unsigned char>(c);
      if (c != '"' && c != '\\' && u >= 0x20) continue;
      Raw(text.substr(plain, index - plain));
      plain = index + 1;
      if (u >= 0x20) {
        *at_++ = '\\';
        *at_++ = c;
      } else {
        static constexpr char kHex[] = "0123456789abcdef";
        Literal("\\u00");
        *at_++ = kHex[u >> 4];
        *at_++ = kHex[u & 0xf];
      }
    }
    Raw(text.substr(plain));
    *at_++ = '"';
  }
  void Integer(int64_t value) { at_ = std::to_chars(at_, at_ + kMaxIntegerBytes, value).ptr; }
  // A time in years 0001..9999 (TimeHasCivilForm), as ToString() writes it.
  void CivilTime(Timestamp time) { at_ = PutTime(time, at_); }

 private:
  char* at_;
};

}  // namespace

void AppendCanonicalEncoding(const UsageEvent& e, std::string* out_ptr) {
  // Written by hand rather than through a JSON library: this runs once per event on the intake
  // path, and the library's DOM cost half the intake time (docs/benchmarks.md).
  std::string& out = *out_ptr;
  // A time outside years 0001..9999 fails validation; only such an event pays for ToString().
  const bool civil_time = TimeHasCivilForm(e.time);
  const std::string other_time = civil_time ? std::string() : e.time.ToString();
  const std::string_view territory = e.territory.code();
  const std::string_view scope = rights::ScopeName(e.scope);
  // Every byte the encoding can take: the literals (under 160 bytes) and the most each value
  // can take.
  size_t most = 160 + (civil_time ? kMaxPutTimeBytes : other_time.size()) + territory.size() +
                scope.size() + EncodingCursor::kMaxIntegerBytes +
                EncodingCursor::MaxStringBytes(e.id) + EncodingCursor::MaxStringBytes(e.listener) +
                EncodingCursor::MaxStringBytes(e.feature) +
                EncodingCursor::MaxStringBytes(e.session);
  for (const UsedRecording& used : e.recordings) {
    most += 32 + used.isrc.str().size() + EncodingCursor::kMaxIntegerBytes;
  }
  const size_t start = out.size();
  out.resize(start + most);
  EncodingCursor put(out.data() + start);
  put.Literal("{\"id\":");
  put.String(e.id);
  put.Literal(",\"time\":\"");
  if (civil_time) {
    put.CivilTime(e.time);
  } else {
    put.Raw(other_time);
  }
  put.Literal("\",\"listener\":");
  put.String(e.listener);
  put.Literal(",\"territory\":\"");
  put.Raw(territory);
  put.Literal("\",\"scope\":\"");
  put.Raw(scope);
  put.Literal("\",\"feature\":");
  put.String(e.feature);
  put.Literal(",\"recordings\":[");
  for (size_t i = 0; i < e.recordings.size(); ++i) {
    if (i > 0) put.Literal(",");
    put.Literal("{\"isrc\":\"");
    put.Raw(e.recordings[i].isrc.str());
    put.Literal("\",\"weight_ppm\":");
    put.Integer(e.recordings[i].weight_ppm);
    put.Literal("}");
  }
  put.Literal("],\"duration_ms\":");
  put.Integer(e.duration_ms);
  put.Literal(",\"session\":");
  put.String(e.session);
  put.Literal(",\"requested\":");
  if (e.requested) {
    put.Literal("true}");
  } else {
    put.Literal("false}");
  }
  out.resize(static_cast<size_t>(put.at() - out.data()));
}

std::vector<std::string> DifferingFields(const UsageEvent& a, const UsageEvent& b) {
  std::vector<std::string> fields;
  if (a.id != b.id) fields.push_back("id");
  if (a.time != b.time) fields.push_back("time");
  if (a.listener != b.listener) fields.push_back("listener");
  if (a.territory != b.territory) fields.push_back("territory");
  if (a.scope != b.scope) fields.push_back("scope");
  if (a.feature != b.feature) fields.push_back("feature");
  if (a.recordings != b.recordings) fields.push_back("recordings");
  if (a.duration_ms != b.duration_ms) fields.push_back("duration_ms");
  if (a.session != b.session) fields.push_back("session");
  if (a.requested != b.requested) fields.push_back("requested");
  return fields;
}

namespace {

// The string value that starts right after `key` (e.g. "\"id\":\"") at or after `from`; its
// end is the next unescaped quote. Validated ids hold no quotes or backslashes, but a
// listener or feature may, so escapes are skipped rather than assumed absent. Inside a JSON
// string every quote is escaped, so `key`, which contains unescaped quotes, can only match
// the structure of the encoding, never text inside a value.
std::optional<std::pair<std::string_view, size_t>> StringAfter(std::string_view payload,
                                                               std::string_view key, size_t from) {
  const size_t start = payload.find(key, from);
  if (start == std::string_view::npos) return std::nullopt;
  const size_t begin = start + key.size();
  for (size_t at = begin; at < payload.size(); ++at) {
    if (payload[at] == '\\') {
      ++at;
    } else if (payload[at] == '"') {
      return std::make_pair(payload.substr(begin, at - begin), at + 1);
    }
  }
  return std::nullopt;
}

}  // namespace

namespace {

// Fills `keys` from a canonical encoding (appending to keys->isrcs); returns what is wrong with
// `payload` instead when it is not one. Allocates nothing when it is.
std::optional<std::string> ReadEventKeys(std::string_view payload, EventKeys* keys) {
  if (!payload.starts_with("{\"id\":\"")) return "does not start with the id";
  auto id = StringAfter(payload, "{\"id\":\"", 0);
  if (!id) return "id";
  keys->id = id->first;
  size_t at = id->second;
  // The string value after `key` (the member's name, `name`), found after `at` and parsed into
  // `*out`; `at` then points past it.
  auto parsed = [&](std::string_view key, std::string_view name, auto parse,
                    auto* out) -> std::optional<std::string> {
    auto value = StringAfter(payload, key, at);
    if (!value) return std::string(name);
    auto result = parse(value->first);
    if (!result.ok()) return std::string(name) + ": " + result.status().message();
    *out = *result;
    at = value->second;
    return std::nullopt;
  };
  if (auto problem = parsed(",\"time\":\"", "time", Timestamp::Parse, &keys->time)) {
    return problem;
  }
  auto listener = StringAfter(payload, ",\"listener\":\"", at);
  if (!listener) return "listener";
  keys->listener = listener->first;
  at = listener->second;
  if (auto problem = parsed(",\"territory\":\"", "territory", Territory::Parse, &keys->territory)) {
    return problem;
  }
  if (auto problem = parsed(",\"scope\":\"", "scope", rights::ParseScope, &keys->scope)) {
    return problem;
  }
  const size_t recordings = payload.find(",\"recordings\":[", at);
  if (recordings == std::string_view::npos) return "recordings";
  const size_t recordings_end = payload.find(']', recordings);
  if (recordings_end == std::string_view::npos) return "recordings";
  at = recordings;
  while (true) {
    auto isrc = StringAfter(payload, "{\"isrc\":\"", at);
    if (!isrc || isrc->second > recordings_end) break;
    keys->isrcs.push_back(isrc->first);
    // The canonical encoding writes the weight right after the ISRC, as a plain integer.
    constexpr std::string_view kWeight = ",\"weight_ppm\":";
    if (payload.substr(isrc->second, kWeight.size()) != kWeight) return "weight_ppm";
    at = isrc->second + kWeight.size();
    int64_t weight = 0;
    const size_t digits_begin = at;
    while (at < payload.size() && payload[at] >= '0' && payload[at] <= '9' &&
           at - digits_begin < 8) {
      weight = weight * 10 + (payload[at++] - '0');
    }
    if (at == digits_begin || weight > 1'000'000 || at >= payload.size() || payload[at] != '}') {
      return "weight_ppm";
    }
    keys->weights_ppm.push_back(static_cast<int32_t>(weight));
  }
  if (keys->isrcs.empty()) return "no recordings";
  // Strings before it (session, feature) have their quotes escaped, so only the member matches.
  constexpr std::string_view kRequested = ",\"requested\":";
  const size_t requested = payload.find(kRequested, recordings_end);
  if (requested == std::string_view::npos) return "requested";
  const std::string_view value = payload.substr(requested + kRequested.size());
  if (value == "true}") {
    keys->requested = true;
  } else if (value == "false}") {
    keys->requested = false;
  } else {
    return "requested";
  }
  return std::nullopt;
}

Status NotCanonicalError(std::string where, std::string_view what) {
  return DataLossError(std::move(where) + ": not a canonical usage event (" + std::string(what) +
                       ")");
}

}  // namespace

Result<EventKeys> ExtractEventKeys(std::string_view payload, std::string_view where) {
  EventKeys keys;
  if (std::optional<std::string> problem = ReadEventKeys(payload, &keys)) {
    return NotCanonicalError(std::string(where), *problem);
  }
  return keys;
}

Status ExtractEventKeys(std::string_view payload, std::string_view where_prefix,
                        uint64_t where_number, EventKeys* keys) {
  keys->isrcs.clear();
  keys->weights_ppm.clear();
  if (std::optional<std::string> problem = ReadEventKeys(payload, keys)) {
    return NotCanonicalError(std::string(where_prefix) + std::to_string(where_number), *problem);
  }
  return OkStatus();
}

}  // namespace accord::ledger
