// Synthetic listening data with known structure, shared by the taste tests.
#ifndef ACCORD_TASTE_TASTE_TEST_UTIL_H_
#define ACCORD_TASTE_TASTE_TEST_UTIL_H_

#include <cstdint>
#include <random>
#include <vector>

#include "taste/listening.h"

namespace accord::taste {

// `groups` taste groups; listener u belongs to group u % groups and item i to group
// i % groups. Each listener plays `plays_per_listener` distinct items of their own group
// (seeded), with counts 1..50. Item 0..groups-1 are each group's most played item.
inline SparseMatrix BlockMatrix(uint32_t listeners, uint32_t items, uint32_t groups,
                                uint32_t plays_per_listener, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<SparseMatrix::Entry> entries;
  const uint32_t per_group = items / groups;
  for (uint32_t u = 0; u < listeners; ++u) {
    const uint32_t g = u % groups;
    std::vector<bool> taken(per_group, false);
    // Everyone plays their group's head item; the rest at random within the group.
    entries.push_back({u, g, static_cast<float>(1 + rng() % 50)});
    taken[0] = true;
    for (uint32_t k = 1; k < plays_per_listener && k < per_group; ++k) {
      uint32_t slot;
      do {
        slot = static_cast<uint32_t>(rng() % per_group);
      } while (taken[slot]);
      taken[slot] = true;
      entries.push_back({u, slot * groups + g, static_cast<float>(1 + rng() % 50)});
    }
  }
  return SparseMatrix::FromEntries(listeners, items, std::move(entries));
}

inline uint32_t GroupOf(uint32_t id, uint32_t groups) { return id % groups; }

}  // namespace accord::taste

#endif  // ACCORD_TASTE_TASTE_TEST_UTIL_H_
