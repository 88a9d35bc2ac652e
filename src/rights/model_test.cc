#include "rights/model.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace accord::rights {
namespace {

bool Mentions(const Status& status, std::string_view part) {
  return status.message().find(part) != std::string::npos;
}

TEST(ScopeTest, Names) {
  EXPECT_EQ(ScopeName(Scope::kRecommend), "recommend");
  EXPECT_EQ(ScopeName(Scope::kDj), "dj");
  EXPECT_EQ(ScopeName(Scope::kDjVoice), "dj_voice");
  EXPECT_EQ(ScopeName(Scope::kRemix), "remix");
  EXPECT_EQ(ScopeName(Scope::kMashup), "mashup");
  EXPECT_EQ(ScopeName(Scope::kTraining), "training");
  EXPECT_EQ(ScopeName(Scope::kVoiceModel), "voice_model");
  EXPECT_EQ(ScopeName(Scope::kGeneration), "generation");
}

TEST(ScopeTest, AllScopesAreDistinctAndInEnumOrder) {
  for (int index = 0; index < kScopeCount; ++index) {
    EXPECT_EQ(static_cast<int>(kAllScopes[index]), index);
  }
}

TEST(ScopeTest, NamesRoundTrip) {
  for (Scope scope : kAllScopes) {
    Result<Scope> parsed = ParseScope(ScopeName(scope));
    ASSERT_TRUE(parsed.ok()) << ScopeName(scope);
    EXPECT_EQ(*parsed, scope);
  }
}

TEST(ScopeTest, RejectsUnknownNameAndListsTheValidOnes) {
  Result<Scope> parsed = ParseScope("karaoke");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Mentions(parsed.status(), "\"karaoke\""));
  EXPECT_TRUE(Mentions(parsed.status(),
                       "recommend, dj, dj_voice, remix, mashup, training, "
                       "voice_model, generation"));
}

TEST(ScopeTest, ParseIsExact) {
  EXPECT_FALSE(ParseScope("").ok());
  EXPECT_FALSE(ParseScope("DJ").ok());
  EXPECT_FALSE(ParseScope("dj-voice").ok());
  EXPECT_FALSE(ParseScope(" dj").ok());
}

TEST(UsesCompositionTest, ReworkingScopesNeedThePublisher) {
  EXPECT_TRUE(UsesComposition(Scope::kRemix));
  EXPECT_TRUE(UsesComposition(Scope::kMashup));
  EXPECT_TRUE(UsesComposition(Scope::kTraining));
  EXPECT_TRUE(UsesComposition(Scope::kGeneration));
}

TEST(UsesCompositionTest, MasterOnlyScopes) {
  EXPECT_FALSE(UsesComposition(Scope::kRecommend));
  EXPECT_FALSE(UsesComposition(Scope::kDj));
  EXPECT_FALSE(UsesComposition(Scope::kDjVoice));
  EXPECT_FALSE(UsesComposition(Scope::kVoiceModel));
}

TEST(ScopeSetTest, DefaultIsEmpty) {
  ScopeSet set;
  EXPECT_TRUE(set.empty());
  EXPECT_TRUE(set.ToVector().empty());
  EXPECT_EQ(set.bits(), 0);
}

TEST(ScopeSetTest, AllHoldsEveryScopeInEnumOrder) {
  std::vector<Scope> expected(kAllScopes.begin(), kAllScopes.end());
  EXPECT_EQ(ScopeSet::All().ToVector(), expected);
}

TEST(ScopeSetTest, ToVectorIsInEnumOrderWhateverTheInsertionOrder) {
  ScopeSet set;
  set.Insert(Scope::kGeneration);
  set.Insert(Scope::kRecommend);
  set.Insert(Scope::kRemix);
  set.Insert(Scope::kRemix);
  EXPECT_EQ(set.ToVector(),
            (std::vector<Scope>{Scope::kRecommend, Scope::kRemix, Scope::kGeneration}));
}

TEST(ScopeSetTest, FromBitsMatchesInsert) {
  ScopeSet inserted;
  inserted.Insert(Scope::kDj);
  inserted.Insert(Scope::kTraining);
  EXPECT_EQ(ScopeSet::FromBits(0b0010'0010), inserted);
  EXPECT_TRUE(inserted.Contains(Scope::kDj));
  EXPECT_FALSE(inserted.Contains(Scope::kDjVoice));
}

TEST(ConsentChoiceTest, NamesRoundTrip) {
  EXPECT_EQ(ConsentChoiceName(ConsentChoice::kOptIn), "opt_in");
  EXPECT_EQ(ConsentChoiceName(ConsentChoice::kOptOut), "opt_out");
  EXPECT_EQ(*ParseConsentChoice("opt_in"), ConsentChoice::kOptIn);
  EXPECT_EQ(*ParseConsentChoice("opt_out"), ConsentChoice::kOptOut);
}

TEST(ConsentChoiceTest, RejectsUnknownName) {
  Result<ConsentChoice> parsed = ParseConsentChoice("maybe");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Mentions(parsed.status(), "\"maybe\""));
  EXPECT_TRUE(Mentions(parsed.status(), "opt_in or opt_out"));
  EXPECT_FALSE(ParseConsentChoice("opt-in").ok());
  EXPECT_FALSE(ParseConsentChoice("").ok());
}

TEST(TakedownActionTest, NamesRoundTrip) {
  EXPECT_EQ(TakedownActionName(TakedownAction::kBlock), "block");
  EXPECT_EQ(TakedownActionName(TakedownAction::kLift), "lift");
  EXPECT_EQ(*ParseTakedownAction("block"), TakedownAction::kBlock);
  EXPECT_EQ(*ParseTakedownAction("lift"), TakedownAction::kLift);
}

TEST(TakedownActionTest, RejectsUnknownName) {
  Result<TakedownAction> parsed = ParseTakedownAction("remove");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Mentions(parsed.status(), "\"remove\""));
  EXPECT_TRUE(Mentions(parsed.status(), "block or lift"));
}

TEST(ConsentModeTest, NamesRoundTrip) {
  EXPECT_EQ(ConsentModeName(ConsentMode::kOptIn), "opt_in");
  EXPECT_EQ(ConsentModeName(ConsentMode::kOptOut), "opt_out");
  EXPECT_EQ(*ParseConsentMode("opt_in"), ConsentMode::kOptIn);
  EXPECT_EQ(*ParseConsentMode("opt_out"), ConsentMode::kOptOut);
}

TEST(ConsentModeTest, RejectsUnknownName) {
  Result<ConsentMode> parsed = ParseConsentMode("OPT_IN");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Mentions(parsed.status(), "\"OPT_IN\""));
}

TEST(PlatformPolicyTest, DefaultsAreOptOutOnlyForRecommendAndDj) {
  PlatformPolicy policy;
  for (Scope scope : kAllScopes) {
    bool opt_out = scope == Scope::kRecommend || scope == Scope::kDj;
    EXPECT_EQ(policy.mode(scope), opt_out ? ConsentMode::kOptOut : ConsentMode::kOptIn)
        << ScopeName(scope);
  }
  EXPECT_FALSE(policy.recommend_fully_ai);
}

TEST(AgreementTest, InForceFromStartInclusiveToEndExclusive) {
  Agreement agreement;
  agreement.start = Timestamp::FromUnixMillis(1000);
  agreement.end = Timestamp::FromUnixMillis(2000);
  EXPECT_FALSE(agreement.InForce(Timestamp::FromUnixMillis(999)));
  EXPECT_TRUE(agreement.InForce(Timestamp::FromUnixMillis(1000)));
  EXPECT_TRUE(agreement.InForce(Timestamp::FromUnixMillis(1999)));
  EXPECT_FALSE(agreement.InForce(Timestamp::FromUnixMillis(2000)));
}

TEST(AgreementTest, OpenEndedAgreementNeverLapses) {
  Agreement agreement;
  agreement.start = Timestamp::FromUnixMillis(1000);
  EXPECT_TRUE(agreement.InForce(Timestamp::Max()));
  EXPECT_FALSE(agreement.InForce(Timestamp::Min()));
}

}  // namespace
}  // namespace accord::rights
