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
// Thread safety: a pure function.
#ifndef ACCORD_LEDGER_EVENT_SCAN_H_
#define ACCORD_LEDGER_EVENT_SCAN_H_

#include <string_view>

#include "ledger/event.h"

namespace accord::ledger {

// True: `*event` is what ParseUsageEvent(text, ...) returns. False: not decided here (`*event`
// is then unspecified).
bool ScanUsageEvent(std::string_view text, UsageEvent* event);

}  // namespace accord::ledger

#endif  // ACCORD_LEDGER_EVENT_SCAN_H_
