// ScanUsageEvent: the fast path of ParseUsageEvent for event lines of the usual shape.
//
// Bulk intake (the server's /api/usage/bulk, `accord ledger append`) parses every line. Through
// the JSON library each line becomes a document of maps and strings, which took about a sixth
// of the server's time per bulk event, most of it allocation. Lines from real clients are
// nearly always a flat object of plain ASCII strings, integers and booleans: this reads that
// shape directly into a UsageEvent.
//
// It decides only what it is sure of: it returns true when `text` is a valid event (by the
// same checks: Timestamp::Parse, Territory::Parse, ParseScope, Isrc::Parse, the weight range,
// ValidateUsageEvent) and ParseUsageEvent would return exactly `*event`. For anything else
// (an escape, a byte above 0x7f, a duplicate or unknown key, a float, a missing field, any
// invalid value) it returns false without a message, and the caller parses with the JSON
// library, which accepts or words the error as before. event_test checks that the two agree
// on hand-made variants and on many randomly damaged lines.
//
// ScanStoredUse: the fields a royalty run reads of a stored event, as views into its payload.
//
// A run reads a month of the ledger's records, every one in the canonical encoding the ledger
// wrote (AppendCanonicalEncoding). Parsing each into a UsageEvent copied four strings and
// parsed every ISRC, and with the validation was half of a run's reading. This reads that one
// shape and nothing else, keeping views: the members in the canonical order, no whitespace,
// no escapes. Whatever else it meets it declines, and the caller parses the record with
// ParseUsageEvent, which accepts it or words the error (and ViewOfEvent gives its view).
//
// Thread safety: pure functions.
#ifndef ACCORD_LEDGER_EVENT_SCAN_H_
#define ACCORD_LEDGER_EVENT_SCAN_H_

#include <span>
#include <string_view>
#include <vector>

#include "ledger/event.h"

namespace accord::ledger {

// True: `*event` is what ParseUsageEvent(text, ...) returns. False: not decided here (`*event`
// is then unspecified).
bool ScanUsageEvent(std::string_view text, UsageEvent* event);

// One used recording, viewed: its ISRC in Isrc::Parse's normal form (12 characters, as
// Isrc::str() gives it) and its weight.
struct RecordingView {
  std::string_view isrc;
  int32_t weight_ppm = 0;
};

// The fields of a usage event a royalty run reads, as views into what they were read from (a
// payload, or a UsageEvent): valid while that lives, and `recordings` while the vector it
// views into is neither changed nor freed (UseBatch keeps both together).
struct UseView {
  uint64_t sequence = 0;  // its position in the ledger; 0 for an event not read from one
  std::string_view id;
  Timestamp time;
  std::string_view listener;
  Territory territory = Territory::FromIndex(0);
  rights::Scope scope = rights::Scope::kRecommend;
  bool requested = false;
  std::span<const RecordingView> recordings;
};

// True when `text` is a usage event in the canonical encoding that ParseUsageEvent accepts:
// `*use` then holds the fields of ParseUsageEvent(text) (each ISRC as its str(); `sequence`
// untouched), with its recordings appended to `*recordings`; `use->recordings` is left empty,
// since `*recordings` may still grow (UseBatch points it at them). False: not decided here;
// `*recordings` is as it was, `*use` unspecified.
bool ScanStoredUse(std::string_view text, UseView* use, std::vector<RecordingView>* recordings);

// The views of a batch of events, with their recordings in one vector that the batch owns:
//
//   UseBatch batch;
//   for (const LogWriter::Record& record : records) {
//     if (!batch.AddStored(record.sequence, record.payload)) { ...parse...; batch.Add(event); }
//   }
//   visit(batch.views());
//
// Thread safety: a value; one thread at a time.
class UseBatch {
 public:
  void clear();
  // ScanStoredUse of a stored payload, which must outlive the views: false, adding nothing,
  // when it declines.
  bool AddStored(uint64_t sequence, std::string_view payload);
  // A parsed event, which must outlive the views.
  void Add(uint64_t sequence, const UsageEvent& event);
  // The views in the order added, each pointed at its recordings: valid until the next Add,
  // AddStored or clear.
  std::span<const UseView> views();

 private:
  std::vector<UseView> views_;
  std::vector<uint32_t> recording_counts_;  // of each view
  std::vector<RecordingView> recordings_;   // every view's, in order
};

}  // namespace accord::ledger

#endif  // ACCORD_LEDGER_EVENT_SCAN_H_
