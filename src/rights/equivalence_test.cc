// The compiled snapshot must give exactly the reference evaluator's answers, reasons and basis
// included, on thousands of random worlds; Allowed() and Filter() must agree with Decide().
#include <gtest/gtest.h>

#include <array>
#include <map>
#include <random>

#include "rights/random_world_test_util.h"
#include "rights/reference.h"
#include "rights/registry.h"
#include "rights/snapshot.h"

namespace accord::rights {
namespace {

constexpr int kWorlds = 3000;

std::string Describe(const Decision& d) {
  std::string text = d.allowed ? "allowed" : "denied";
  text += " agreements=[";
  for (const auto& a : d.agreements) text += a + " ";
  text += "] consents=[";
  for (const auto& c : d.consents) text += c + " ";
  text += "] reasons=[";
  for (const auto& r : d.reasons) {
    text += std::string(RuleName(r.rule)) + ":" + r.party + ":" + r.record + " ";
  }
  return text + "]";
}

TEST(EquivalenceTest, SnapshotMatchesReferenceOnRandomWorlds) {
  std::mt19937_64 rng(20261124);
  const std::vector<Timestamp> times = testing::InterestingTimes();
  const std::vector<Territory> territories = testing::TestTerritories();
  int64_t decisions = 0;
  int64_t allowed = 0;
  std::map<Rule, int64_t> rule_seen;

  for (int world = 0; world < kWorlds; ++world) {
    const Registry registry = testing::RandomWorld(rng);
    ASSERT_TRUE(ValidateRegistry(registry).ok())
        << "world " << world << ": " << ValidateRegistry(registry).ToString();
    Result<std::shared_ptr<const Snapshot>> built = Snapshot::Build(registry);
    ASSERT_TRUE(built.ok()) << built.status().ToString();
    const Snapshot& snapshot = **built;

    for (Scope scope : kAllScopes) {
      // Each world is queried at one random territory and two random moments (one of them a
      // millisecond before an interesting time) per scope; across 3,000 worlds that covers
      // every combination many times over.
      const Territory territory = territories[rng() % territories.size()];
      for (int q = 0; q < 2; ++q) {
        Timestamp at = times[rng() % times.size()];
        if (q == 1) at = Timestamp::FromUnixMillis(at.unix_millis() - 1);
        RecordingBitmap bitmap;
        snapshot.Filter(scope, territory, at, &bitmap);
        ASSERT_EQ(bitmap.size(), registry.recordings.size());
        for (const catalog::Recording& recording : registry.recordings) {
          Result<Decision> expected =
              ReferenceDecide(registry, scope, recording.isrc, territory, at);
          ASSERT_TRUE(expected.ok());
          std::optional<uint32_t> index = snapshot.FindRecording(recording.isrc);
          ASSERT_TRUE(index.has_value());
          const Decision actual = snapshot.Decide(scope, *index, territory, at);
          ASSERT_EQ(actual, *expected)
              << "world " << world << " scope " << ScopeName(scope) << " territory "
              << territory.code() << " at " << at.ToString() << " recording "
              << recording.isrc.str() << "\n  reference: " << Describe(*expected)
              << "\n  snapshot:  " << Describe(actual);
          ASSERT_EQ(snapshot.Allowed(scope, *index, territory, at), expected->allowed);
          ASSERT_EQ(bitmap.Test(*index), expected->allowed);
          ++decisions;
          allowed += expected->allowed ? 1 : 0;
          for (const Reason& reason : expected->reasons) ++rule_seen[reason.rule];
        }
      }
    }
  }
  // The comparison means something only if both outcomes and every rule actually occurred.
  EXPECT_GT(decisions, 100000);
  EXPECT_GT(allowed, decisions / 50);
  EXPECT_LT(allowed, decisions - decisions / 50);
  for (Rule rule :
       {Rule::kNoMasterAgreement, Rule::kNoWork, Rule::kNoPublisherAgreement, Rule::kConsentMissing,
        Rule::kConsentOptedOut, Rule::kTakedown, Rule::kPlatformPolicy}) {
    EXPECT_GT(rule_seen[rule], 50) << RuleName(rule);
  }
}

}  // namespace
}  // namespace accord::rights
