// Random AI uses for the benchmarks: (scope, recording, territory, moment) drawn uniformly over
// a snapshot's recordings, the 8 scopes, 10 territories of every continent and 2024-2027, the
// same way in every benchmark so that their figures describe the same workload.
#ifndef ACCORD_BENCH_RANDOM_USES_H_
#define ACCORD_BENCH_RANDOM_USES_H_

#include <cstdint>
#include <random>
#include <vector>

#include "core/territory.h"
#include "core/time.h"
#include "rights/snapshot.h"

namespace accord::bench {

struct Use {
  rights::Scope scope;
  uint32_t recording;
  Territory territory;
  Timestamp at;
};

class UseSampler {
 public:
  UseSampler(const rights::Snapshot& snapshot, uint64_t seed)
      : recording_count_(snapshot.recording_count()), rng_(seed) {
    for (const char* code : {"US", "DE", "GB", "FR", "JP", "BR", "SE", "IN", "CN", "NG"}) {
      territories_.push_back(*Territory::Parse(code));
    }
  }

  Use Next() {
    // Draw order is part of the workload: keep it, so that a seed gives the same uses.
    const rights::Scope scope = rights::kAllScopes[rng_() % rights::kScopeCount];
    const auto recording = static_cast<uint32_t>(rng_() % recording_count_);
    const Territory territory = territories_[rng_() % territories_.size()];
    const Timestamp at = Timestamp::FromUnixMillis(
        from_ms_ + static_cast<int64_t>(rng_() % static_cast<uint64_t>(to_ms_ - from_ms_)));
    return Use{scope, recording, territory, at};
  }

 private:
  const uint32_t recording_count_;
  std::mt19937_64 rng_;
  std::vector<Territory> territories_;
  const int64_t from_ms_ = Timestamp::Parse("2024-01-01")->unix_millis();
  const int64_t to_ms_ = Timestamp::Parse("2027-12-31")->unix_millis();
};

}  // namespace accord::bench

#endif  // ACCORD_BENCH_RANDOM_USES_H_
