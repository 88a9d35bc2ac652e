// The decision rules on the hand-built world of docs/policy.md, one behaviour per test. Each
// test runs against both engines (reference and snapshot), so a hand-computed answer pins both.
#include "rights/reference.h"

#include <gtest/gtest.h>

#include "rights/policy_test_world.h"
#include "rights/snapshot.h"

namespace accord::rights {
namespace {

using testing::PolicyExampleWorld;
using testing::R;
using testing::T;
using testing::Where;

class DecisionTest : public ::testing::Test {
 protected:
  // Decides with both engines, checks they agree, and returns the answer.
  Decision Decide(Scope scope, const std::string& isrc, const std::string& territory,
                  const std::string& at) {
    Result<Decision> reference = ReferenceDecide(world_, scope, R(isrc), Where(territory), T(at));
    EXPECT_TRUE(reference.ok()) << reference.status().ToString();
    auto snapshot = Snapshot::Build(world_);
    EXPECT_TRUE(snapshot.ok()) << snapshot.status().ToString();
    const uint32_t index = *(*snapshot)->FindRecording(R(isrc));
    Decision fast = (*snapshot)->Decide(scope, index, Where(territory), T(at));
    EXPECT_EQ(fast, *reference);
    EXPECT_EQ((*snapshot)->Allowed(scope, index, Where(territory), T(at)), reference->allowed);
    return *reference;
  }

  void AddConsent(const std::string& id, const std::string& party, Scope scope,
                  ConsentChoice choice, const std::string& at) {
    world_.consents.push_back(Consent{id, party, scope, choice, T(at), party, "test"});
  }

  Registry world_ = PolicyExampleWorld();
};

TEST_F(DecisionTest, DjAllowedThroughDistributorActingForLabel) {
  Decision d = Decide(Scope::kDj, "QZDEM2600001", "DE", "2026-06-01");
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.agreements, std::vector<std::string>{"A1"});
  EXPECT_TRUE(d.consents.empty());  // dj is opt_out: no record needed
  EXPECT_TRUE(d.reasons.empty());
}

TEST_F(DecisionTest, ExcludedTerritoryHasNoMasterAgreement) {
  Decision d = Decide(Scope::kDj, "QZDEM2600001", "US", "2026-06-01");
  EXPECT_FALSE(d.allowed);
  ASSERT_EQ(d.reasons.size(), 1u);
  EXPECT_EQ(d.reasons[0], (Reason{Rule::kNoMasterAgreement, "label:north", ""}));
}

TEST_F(DecisionTest, AgreementWindowIsStartInclusiveEndExclusive) {
  EXPECT_FALSE(Decide(Scope::kDj, "QZDEM2600001", "DE", "2025-12-31T23:59:59.999Z").allowed);
  EXPECT_TRUE(Decide(Scope::kDj, "QZDEM2600001", "DE", "2026-01-01T00:00:00Z").allowed);
  EXPECT_TRUE(Decide(Scope::kDj, "QZDEM2600001", "DE", "2026-12-31T23:59:59.999Z").allowed);
  EXPECT_FALSE(Decide(Scope::kDj, "QZDEM2600001", "DE", "2027-01-01T00:00:00Z").allowed);
}

TEST_F(DecisionTest, ScopeNotInAgreementIsDenied) {
  Decision d = Decide(Scope::kTraining, "QZDEM2600001", "DE", "2026-06-01");
  EXPECT_FALSE(d.allowed);
  EXPECT_TRUE(std::find(d.reasons.begin(), d.reasons.end(),
                        Reason{Rule::kNoMasterAgreement, "label:north", ""}) != d.reasons.end());
}

TEST_F(DecisionTest, OptInScopeWithoutConsentListsEveryArtist) {
  Decision d = Decide(Scope::kRemix, "QZDEM2600001", "DE", "2026-06-01");
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.reasons, (std::vector<Reason>{{Rule::kConsentMissing, "artist:ada", ""},
                                            {Rule::kConsentMissing, "artist:ben", ""}}));
  // The agreements that did cover the use are still reported.
  EXPECT_EQ(d.agreements, (std::vector<std::string>{"A1", "A2"}));
}

TEST_F(DecisionTest, RemixAllowedWhenAllArtistsOptInAndPublisherLicensed) {
  AddConsent("c-ada", "artist:ada", Scope::kRemix, ConsentChoice::kOptIn, "2026-02-01");
  AddConsent("c-ben", "artist:ben", Scope::kRemix, ConsentChoice::kOptIn, "2026-03-01");
  Decision d = Decide(Scope::kRemix, "QZDEM2600001", "DE", "2026-06-01");
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.agreements, (std::vector<std::string>{"A1", "A2"}));
  EXPECT_EQ(d.consents, (std::vector<std::string>{"c-ada", "c-ben"}));
  // Between the two opt-ins only Ben is missing.
  Decision between = Decide(Scope::kRemix, "QZDEM2600001", "DE", "2026-02-15");
  EXPECT_EQ(between.reasons, (std::vector<Reason>{{Rule::kConsentMissing, "artist:ben", ""}}));
}

TEST_F(DecisionTest, PublisherWithoutAgreementInTerritoryBlocksCompositionScopes) {
  AddConsent("c-ada", "artist:ada", Scope::kRemix, ConsentChoice::kOptIn, "2026-02-01");
  AddConsent("c-ben", "artist:ben", Scope::kRemix, ConsentChoice::kOptIn, "2026-02-01");
  Decision d = Decide(Scope::kRemix, "QZDEM2600001", "FR", "2026-06-01");
  EXPECT_EQ(d.reasons, (std::vector<Reason>{{Rule::kNoPublisherAgreement, "pub:song", ""}}));
}

TEST_F(DecisionTest, CompositionScopeWithoutWorkIsDenied) {
  AddConsent("c-ben", "artist:ben", Scope::kRemix, ConsentChoice::kOptIn, "2026-02-01");
  Decision d = Decide(Scope::kRemix, "QZDEM2600002", "DE", "2026-06-01");
  EXPECT_EQ(d.reasons, (std::vector<Reason>{{Rule::kNoWork, "", ""}}));
}

TEST_F(DecisionTest, OptOutTakesEffectAtItsTimeAndNamesTheRecord) {
  AddConsent("c-no", "artist:ben", Scope::kRecommend, ConsentChoice::kOptOut, "2026-05-01");
  EXPECT_TRUE(Decide(Scope::kRecommend, "QZDEM2600002", "DE", "2026-04-30").allowed);
  Decision d = Decide(Scope::kRecommend, "QZDEM2600002", "DE", "2026-05-01");
  EXPECT_EQ(d.reasons, (std::vector<Reason>{{Rule::kConsentOptedOut, "artist:ben", "c-no"}}));
  EXPECT_EQ(d.consents, std::vector<std::string>{"c-no"});
}

TEST_F(DecisionTest, LatestConsentWinsAfterAChangeOfMind) {
  AddConsent("c1", "artist:ben", Scope::kRecommend, ConsentChoice::kOptOut, "2026-05-01");
  AddConsent("c2", "artist:ben", Scope::kRecommend, ConsentChoice::kOptIn, "2026-07-01");
  EXPECT_FALSE(Decide(Scope::kRecommend, "QZDEM2600002", "DE", "2026-06-01").allowed);
  Decision d = Decide(Scope::kRecommend, "QZDEM2600002", "DE", "2026-07-01");
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.consents, std::vector<std::string>{"c2"});
}

TEST_F(DecisionTest, TakedownBlocksUntilLifted) {
  world_.takedowns.push_back(
      Takedown{"td1", R("QZDEM2600002"), TakedownAction::kBlock, T("2026-03-01"), "dispute"});
  world_.takedowns.push_back(
      Takedown{"td2", R("QZDEM2600002"), TakedownAction::kLift, T("2026-04-01"), "resolved"});
  EXPECT_TRUE(Decide(Scope::kDj, "QZDEM2600002", "DE", "2026-02-28").allowed);
  Decision blocked = Decide(Scope::kDj, "QZDEM2600002", "DE", "2026-03-15");
  EXPECT_EQ(blocked.reasons, (std::vector<Reason>{{Rule::kTakedown, "", "td1"}}));
  EXPECT_TRUE(Decide(Scope::kDj, "QZDEM2600002", "DE", "2026-04-01").allowed);
}

TEST_F(DecisionTest, FullyAiRecordingsAreNotRecommendedByDefault) {
  world_.recordings[1].contains_ai = catalog::ContainsAi::kAll;
  Decision d = Decide(Scope::kRecommend, "QZDEM2600002", "DE", "2026-06-01");
  EXPECT_EQ(d.reasons, (std::vector<Reason>{{Rule::kPlatformPolicy, "", ""}}));
  EXPECT_TRUE(Decide(Scope::kDj, "QZDEM2600002", "DE", "2026-06-01").allowed);
  world_.policy.recommend_fully_ai = true;
  EXPECT_TRUE(Decide(Scope::kRecommend, "QZDEM2600002", "DE", "2026-06-01").allowed);
}

TEST_F(DecisionTest, PlatformCanMakeAScopeOptIn) {
  world_.policy.consent_mode[static_cast<size_t>(Scope::kDj)] = ConsentMode::kOptIn;
  Decision d = Decide(Scope::kDj, "QZDEM2600002", "DE", "2026-06-01");
  EXPECT_EQ(d.reasons, (std::vector<Reason>{{Rule::kConsentMissing, "artist:ben", ""}}));
}

TEST_F(DecisionTest, EveryFailedRuleIsReportedNotJustTheFirst) {
  world_.recordings[1].contains_ai = catalog::ContainsAi::kAll;
  AddConsent("c-no", "artist:ben", Scope::kRecommend, ConsentChoice::kOptOut, "2026-01-01");
  world_.takedowns.push_back(
      Takedown{"td1", R("QZDEM2600002"), TakedownAction::kBlock, T("2026-01-01"), "dispute"});
  Decision d = Decide(Scope::kRecommend, "QZDEM2600002", "US", "2026-06-01");
  EXPECT_EQ(d.reasons, (std::vector<Reason>{{Rule::kNoMasterAgreement, "label:north", ""},
                                            {Rule::kConsentOptedOut, "artist:ben", "c-no"},
                                            {Rule::kTakedown, "", "td1"},
                                            {Rule::kPlatformPolicy, "", ""}}));
}

TEST_F(DecisionTest, EveryCoOwnerMustBeLicensed) {
  world_.parties.push_back(
      catalog::Party{"label:east", catalog::PartyKind::kLabel, "East", std::nullopt, {}});
  world_.recordings[1].master_owners = {{"label:north", 600000}, {"label:east", 400000}};
  Decision d = Decide(Scope::kDj, "QZDEM2600002", "DE", "2026-06-01");
  EXPECT_EQ(d.reasons, (std::vector<Reason>{{Rule::kNoMasterAgreement, "label:east", ""}}));
  EXPECT_EQ(d.agreements, std::vector<std::string>{"A1"});
}

TEST_F(DecisionTest, ListAgreementCoversOnlyListedRecordings) {
  // A2 lists only QZDEM2600001; make it a master licence by giving it to the label.
  world_.agreements[1].licensor = "label:north";
  world_.agreements[1].scopes.Insert(Scope::kTraining);
  AddConsent("c-ada", "artist:ada", Scope::kTraining, ConsentChoice::kOptIn, "2026-01-01");
  AddConsent("c-ben", "artist:ben", Scope::kTraining, ConsentChoice::kOptIn, "2026-01-01");
  Decision listed = Decide(Scope::kTraining, "QZDEM2600001", "DE", "2026-06-01");
  EXPECT_EQ(listed.reasons, (std::vector<Reason>{{Rule::kNoPublisherAgreement, "pub:song", ""}}));
  Decision unlisted = Decide(Scope::kTraining, "QZDEM2600002", "DE", "2026-06-01");
  EXPECT_EQ(unlisted.reasons, (std::vector<Reason>{{Rule::kNoMasterAgreement, "label:north", ""},
                                                   {Rule::kNoWork, "", ""}}));
}

TEST_F(DecisionTest, UnknownRecordingIsNotFound) {
  Result<Decision> d =
      ReferenceDecide(world_, Scope::kDj, R("QZDEM2699999"), Where("DE"), T("2026-06-01"));
  EXPECT_EQ(d.status().code(), StatusCode::kNotFound);
  auto snapshot = Snapshot::Build(world_);
  ASSERT_TRUE(snapshot.ok());
  EXPECT_FALSE((*snapshot)->FindRecording(R("QZDEM2699999")).has_value());
}

TEST_F(DecisionTest, ReasonsDescribeThemselvesInPlainWords) {
  const std::string text = DescribeReason(Reason{Rule::kNoMasterAgreement, "label:north", ""},
                                          Scope::kDj, Where("US"), T("2026-06-01"));
  EXPECT_EQ(text,
            "master owner label:north has no agreement in force covering dj in US at "
            "2026-06-01T00:00:00Z");
}

}  // namespace
}  // namespace accord::rights
