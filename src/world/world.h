// World: a realistic synthetic music world, for demos, tests and benchmarks.
//
// Generates labels (a few majors with huge catalogs, many independents), distributors acting
// for independents, publishers administering for writers, artists with power-law catalog sizes
// (a few stars, a long tail), recordings with master splits and works with publishing splits,
// agreements of varied scope, territory and time window, consents at realistic opt-in rates per
// scope, and a few takedowns. The same options and seed always give the same registry.
//
// Thread safety: free function over values.
#ifndef ACCORD_WORLD_WORLD_H_
#define ACCORD_WORLD_WORLD_H_

#include <cstdint>

#include "core/status.h"
#include "rights/registry.h"

namespace accord::world {

struct WorldOptions {
  uint64_t seed = 1;
  int64_t artists = 1'000;
  // Recordings in total; 0 means about 10 per artist (power-law distributed).
  int64_t recordings = 0;
  int64_t labels = 0;      // 0: derived from artists (about one per 50 artists, at least 4)
  int64_t publishers = 0;  // 0: derived (about one per 100 artists, at least 3)
};

// InvalidArgument when a count is negative, zero artists, or the world would exceed
// 100,000,000 recordings.
Result<rights::Registry> GenerateWorld(const WorldOptions& options);

}  // namespace accord::world

#endif  // ACCORD_WORLD_WORLD_H_
