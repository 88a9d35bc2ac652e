// Small, dense random registries for testing the policy engines against each other.
//
// Unlike world/ (realistic, large), these worlds are tiny and adversarial: few parties with
// many roles, "acts for" chains and cycles, list-based and blanket agreements, windows that
// start or end exactly at the query times, consents and takedowns flipping back and forth,
// recordings without works, fully AI-generated recordings, policies in every mode. Every
// registry they produce passes ValidateRegistry's rules, so both engines see valid input.
#ifndef ACCORD_RIGHTS_RANDOM_WORLD_TEST_UTIL_H_
#define ACCORD_RIGHTS_RANDOM_WORLD_TEST_UTIL_H_

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/territory.h"
#include "core/time.h"
#include "rights/registry.h"

namespace accord::rights::testing {

// A handful of instants that records in a random world start, end and flip at, so that
// queries at exactly these moments exercise every boundary.
std::vector<Timestamp> InterestingTimes();
// The territories random worlds use (a few, so that coverage both hits and misses).
std::vector<Territory> TestTerritories();

Registry RandomWorld(std::mt19937_64& rng);

}  // namespace accord::rights::testing

#endif  // ACCORD_RIGHTS_RANDOM_WORLD_TEST_UTIL_H_
