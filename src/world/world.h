// World: a realistic synthetic music world, for demos, tests and benchmarks.
//
// Generates labels (three majors with sub-labels, holding about two thirds of recordings, and
// many independents), distributors acting for independents and self-released artists,
// publishers administering for writers, artists with power-law catalog sizes (a few stars with
// hundreds of recordings, a long tail with 1-3), recordings with master splits and works with
// publishing splits, agreements of varied scope, territory and time window (about one
// independent label in twenty has none, so denials happen), consents at realistic opt-in rates
// per scope with some changes of mind, and about one takedown per thousand recordings.
//
// Ids are readable and stable: "label:major-1".."label:major-3", "label:sub-N",
// "label:indie-N", "distributor:N", "publisher:major-N", "publisher:indie-N", "writer:N",
// "artist:N", "agreement:...", "consent:N" and "takedown:N" (in effective-time order).
//
// The same options and seed always give the same registry (operator== equal), on any standard
// library: randomness is std::mt19937_64 with hand-written distributions. Memory is about
// 700 bytes per recording (the registry's own records); generation is linear in the counts.
//
//   ACCORD_ASSIGN_OR_RETURN(rights::Registry registry,
//                           world::GenerateWorld({.seed = 7, .artists = 5'000}));
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
  int64_t artists = 1'000;  // 1..10,000,000
  // Recordings in total; 0 means 10 per artist (power-law distributed). With fewer recordings
  // than artists, the tail of artists has none.
  int64_t recordings = 0;
  // 0: derived from artists (about one per 50 artists, at least 4). Otherwise 4..100,000: three
  // majors, up to twelve sub-labels (one per five labels beyond the majors), the rest
  // independent.
  int64_t labels = 0;
  // 0: derived (about one per 100 artists, at least 3). Otherwise 1..100,000: up to three
  // majors, the rest independent.
  int64_t publishers = 0;
};

// InvalidArgument when a count is negative, artists is zero or above 10,000,000, the world
// would exceed 100,000,000 recordings, labels is 1..3 or above 100,000, or publishers is above
// 100,000. Internal only on a bug (a minted identifier that does not parse).
Result<rights::Registry> GenerateWorld(const WorldOptions& options);

}  // namespace accord::world

#endif  // ACCORD_WORLD_WORLD_H_
