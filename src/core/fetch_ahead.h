// VisitFetchingAhead: the loop of a pass that makes one random access into a large table per
// item, with the memory of the items a few places on requested while this one is worked on.
//
// On the development VM a random access into a table of millions costs 130-180 ns
// (docs/decisions/0010-ledger-intake-rate.md); one item at a time waits for each in turn, while
// fetching ahead keeps several in flight. The ledger's intake and a royalty run's reading use it.
//
//   VisitFetchingAhead(0, n, [&](size_t k) { table.Prefetch(hash[k]); },
//                      [&](size_t k) { table.Insert(key[k], hash[k]); });
//
// Thread safety: pure functions of their arguments.
#ifndef ACCORD_CORE_FETCH_AHEAD_H_
#define ACCORD_CORE_FETCH_AHEAD_H_

#include <algorithm>
#include <cstddef>

namespace accord {

// How many items ahead a pass fetches a table slot from memory: far enough for the fetch to
// arrive before the item is reached, near enough for the slot to be still in the cache.
inline constexpr size_t kPrefetchDistance = 8;

// Calls visit(k) for k in [first, last) in order, each after fetch(k + kPrefetchDistance) (and
// fetch of the first kPrefetchDistance before any). fetch(k) may store what visit(k) needs in a
// ring of 2 × kPrefetchDistance: fetch(k + kPrefetchDistance) runs before visit(k).
template <typename Fetch, typename Visit>
void VisitFetchingAhead(size_t first, size_t last, const Fetch& fetch, const Visit& visit) {
  for (size_t k = first; k < std::min(last, first + kPrefetchDistance); ++k) fetch(k);
  for (size_t k = first; k < last; ++k) {
    if (k + kPrefetchDistance < last) fetch(k + kPrefetchDistance);
    visit(k);
  }
}

// The same in two stages, for a pass whose random access needs another to find it: each k gets
// fetch_far(k) 2 × kPrefetchDistance items before its visit, and fetch_near(k), which may read
// what fetch_far fetched, kPrefetchDistance before it.
template <typename FetchFar, typename FetchNear, typename Visit>
void VisitFetchingAhead(size_t first, size_t last, const FetchFar& fetch_far,
                        const FetchNear& fetch_near, const Visit& visit) {
  constexpr size_t kFar = 2 * kPrefetchDistance;
  for (size_t k = first; k < std::min(last, first + kFar); ++k) fetch_far(k);
  for (size_t k = first; k < std::min(last, first + kPrefetchDistance); ++k) fetch_near(k);
  for (size_t k = first; k < last; ++k) {
    if (k + kFar < last) fetch_far(k + kFar);
    if (k + kPrefetchDistance < last) fetch_near(k + kPrefetchDistance);
    visit(k);
  }
}

}  // namespace accord

#endif  // ACCORD_CORE_FETCH_AHEAD_H_
