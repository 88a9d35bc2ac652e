// What a listener heard recently through AI features, as the ledger recorded it, so that a
// playlist does not repeat it without the app having to send it (issue 4: "no repeats of
// recently heard items"). Shared by the server's playlist route and `accord taste playlist`.
//
//   ACCORD_ASSIGN_OR_RETURN(size_t added, AddRecentlyHeardItems(ledger, taste.data(), "l-7f3a",
//                                                               at, 24, &options.recent_items));
//
// Errors: DataLoss when a ledger record cannot be read back (ledger.h). Thread safety: reads the
// ledger through its const methods; the caller holds whatever lock keeps intake out meanwhile.
#ifndef ACCORD_SERVICE_RECENT_PLAYS_H_
#define ACCORD_SERVICE_RECENT_PLAYS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "ledger/ledger.h"
#include "taste/listening.h"

namespace accord::service {

// The most events of a window that are read: the newest ones.
constexpr size_t kMaxRecentEvents = 1000;
// The longest window a caller may ask for.
constexpr int kMaxRecentHours = 24 * 30;

// Appends to `items` the items of `data` whose recordings the listener's ledger events used in
// the `hours` before `at`, `at` itself included (the newest kMaxRecentEvents events of the
// window), in the order the events list them, each once and only when not in `items` already.
// Recordings `data` does not know are not items and are skipped. Returns how many were added.
// hours must be 0..kMaxRecentHours (0: none); InvalidArgument otherwise.
Result<size_t> AddRecentlyHeardItems(const ledger::Ledger& ledger, const taste::ListeningData& data,
                                     const std::string& listener, Timestamp at, int hours,
                                     std::vector<uint32_t>* items);

}  // namespace accord::service

#endif  // ACCORD_SERVICE_RECENT_PLAYS_H_
