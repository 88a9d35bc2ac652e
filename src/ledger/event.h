// UsageEvent: one AI use of one or more recordings, as the ledger records it.
//
// A platform reports each use (a DJ play, an AI-playlist play, a remix made, a remix played)
// with a client-chosen id. The id is the idempotency key: the same id with the same content is
// the same event, however often it is retried; the same id with other content is a conflict.
//
// The JSON Lines form (one event per line; docs/formats/usage_events.md):
//   {"id":"evt-1","time":"2026-01-31T20:15:00Z","listener":"l-8f3a","territory":"DE",
//    "scope":"dj","feature":"dj","recordings":[{"isrc":"QZDMO2600001","weight_ppm":1000000}],
//    "duration_ms":181000,"session":"s-77","requested":false}
// Unknown fields are errors; weights are parts per million and add to exactly 1,000,000.
//
// CanonicalEncoding() is the byte string the ledger stores and hashes: fields in a fixed
// order, no optional whitespace, so equal events always encode to equal bytes.
//
// Thread safety: values and pure functions.
#ifndef ACCORD_LEDGER_EVENT_H_
#define ACCORD_LEDGER_EVENT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/ids.h"
#include "core/status.h"
#include "core/territory.h"
#include "core/time.h"
#include "rights/model.h"

namespace accord::ledger {

inline constexpr size_t kMaxRecordingsPerEvent = 64;
inline constexpr size_t kMaxEventLineBytes = 64 * 1024;
// The longest id, listener and session (kMaxTokenBytes) and feature, in bytes.
inline constexpr size_t kMaxTokenBytes = 128;
inline constexpr size_t kMaxFeatureBytes = 64;

struct UsedRecording {
  Isrc isrc;
  int32_t weight_ppm = 0;

  friend bool operator==(const UsedRecording&, const UsedRecording&) = default;
};

struct UsageEvent {
  std::string id;        // idempotency key: 1..128 printable ASCII, no spaces
  Timestamp time;        // when the use happened
  std::string listener;  // pseudonymous listener id, 1..128 printable ASCII
  Territory territory = Territory::FromIndex(0);
  rights::Scope scope = rights::Scope::kRecommend;
  std::string feature;  // what caused it: dj, ai_playlist, discovery, remix, ... (1..64)
  std::vector<UsedRecording> recordings;  // 1..kMaxRecordingsPerEvent, weights add to 1e6
  int64_t duration_ms = 0;                // play duration; 0 for uses that are not plays
  std::string session;                    // may be empty
  bool requested = false;                 // the listener actively asked (searched, requested)

  friend bool operator==(const UsageEvent&, const UsageEvent&) = default;
};

// Parses one JSON object. InvalidArgument names `where` ("events.jsonl:12") and the field.
Result<UsageEvent> ParseUsageEvent(std::string_view json, std::string_view where);
// The same through the JSON library alone, without the fast path (event_scan.h) that
// ParseUsageEvent tries first: for the tests that hold the two to the same answers.
Result<UsageEvent> ParseUsageEventWithLibrary(std::string_view json, std::string_view where);

// Checks the rules a parsed or hand-built event must meet (ids, weights, limits, a time in
// years 0001..9999, the range Timestamp::Parse reads back).
Status ValidateUsageEvent(const UsageEvent& event);

// The stored form; ParseUsageEvent(CanonicalEncoding(e)) == e for a valid event.
std::string CanonicalEncoding(const UsageEvent& event);
// Appends CanonicalEncoding(event) to `out`: the intake encodes a whole batch into one buffer.
void AppendCanonicalEncoding(const UsageEvent& event, std::string* out);

// The fields the ledger indexes, read straight out of a canonical encoding without a JSON
// parser (recovery does this for every record). The views point into the payload. Besides the
// keys it finds events by, the event index keeps what a royalty run reads of each event
// (territory, scope, requested, the recordings' weights: EventIndex::VisitIndexedUses).
struct EventKeys {
  std::string_view id;
  Timestamp time;
  std::string_view listener;
  std::vector<std::string_view> isrcs;
  std::vector<int32_t> weights_ppm;  // of isrcs[i]
  Territory territory = Territory::FromIndex(0);
  rights::Scope scope = rights::Scope::kRecommend;
  bool requested = false;
};
// DataLoss when `payload` is not a canonical encoding (names `where`).
Result<EventKeys> ExtractEventKeys(std::string_view payload, std::string_view where);
// The same into `keys`, reusing the memory of keys->isrcs, for a loop over every record
// (recovery): nothing is allocated for a good payload, and the place is named, as
// "<where_prefix><where_number>", only for a bad one.
Status ExtractEventKeys(std::string_view payload, std::string_view where_prefix,
                        uint64_t where_number, EventKeys* keys);

// Names of the fields in which two events differ, in declaration order ("time", "recordings").
std::vector<std::string> DifferingFields(const UsageEvent& a, const UsageEvent& b);

}  // namespace accord::ledger

#endif  // ACCORD_LEDGER_EVENT_H_
