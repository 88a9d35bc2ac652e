#include "catalog/model.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace accord::catalog {
namespace {

bool Mentions(const Status& status, std::string_view part) {
  return status.message().find(part) != std::string::npos;
}

TEST(PartyKindTest, NamesRoundTrip) {
  for (PartyKind kind : {PartyKind::kArtist, PartyKind::kLabel, PartyKind::kDistributor,
                         PartyKind::kPublisher, PartyKind::kWriter}) {
    Result<PartyKind> parsed = ParsePartyKind(PartyKindName(kind));
    ASSERT_TRUE(parsed.ok()) << PartyKindName(kind);
    EXPECT_EQ(*parsed, kind);
  }
}

TEST(PartyKindTest, Names) {
  EXPECT_EQ(PartyKindName(PartyKind::kArtist), "artist");
  EXPECT_EQ(PartyKindName(PartyKind::kLabel), "label");
  EXPECT_EQ(PartyKindName(PartyKind::kDistributor), "distributor");
  EXPECT_EQ(PartyKindName(PartyKind::kPublisher), "publisher");
  EXPECT_EQ(PartyKindName(PartyKind::kWriter), "writer");
}

TEST(PartyKindTest, RejectsUnknownNameAndListsTheValidOnes) {
  Result<PartyKind> parsed = ParsePartyKind("manager");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Mentions(parsed.status(), "\"manager\""));
  EXPECT_TRUE(Mentions(parsed.status(), "artist, label, distributor, publisher or writer"));
}

TEST(PartyKindTest, RejectsOtherCaseAndEmpty) {
  EXPECT_FALSE(ParsePartyKind("Artist").ok());
  EXPECT_FALSE(ParsePartyKind("").ok());
  EXPECT_FALSE(ParsePartyKind("artist ").ok());
}

TEST(ContainsAiTest, NamesFollowDdex) {
  EXPECT_EQ(ContainsAiName(ContainsAi::kNone), "None");
  EXPECT_EQ(ContainsAiName(ContainsAi::kPartly), "Partly");
  EXPECT_EQ(ContainsAiName(ContainsAi::kAll), "All");
}

TEST(ContainsAiTest, ParseIgnoresCase) {
  EXPECT_EQ(*ParseContainsAi("Partly"), ContainsAi::kPartly);
  EXPECT_EQ(*ParseContainsAi("partly"), ContainsAi::kPartly);
  EXPECT_EQ(*ParseContainsAi("PARTLY"), ContainsAi::kPartly);
  EXPECT_EQ(*ParseContainsAi("none"), ContainsAi::kNone);
  EXPECT_EQ(*ParseContainsAi("aLL"), ContainsAi::kAll);
}

TEST(ContainsAiTest, RejectsUnknownValue) {
  Result<ContainsAi> parsed = ParseContainsAi("some");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Mentions(parsed.status(), "\"some\""));
  EXPECT_TRUE(Mentions(parsed.status(), "None, Partly or All"));
}

TEST(ContainsAiTest, RejectsEmptyAndPadded) {
  EXPECT_FALSE(ParseContainsAi("").ok());
  EXPECT_FALSE(ParseContainsAi(" All").ok());
  EXPECT_FALSE(ParseContainsAi("Al").ok());
}

TEST(ValidatePartyIdTest, AcceptsPlatformKeys) {
  EXPECT_TRUE(ValidatePartyId("label:nordic-noise").ok());
  EXPECT_TRUE(ValidatePartyId("artist:muldjord").ok());
  EXPECT_TRUE(ValidatePartyId("x").ok());
}

TEST(ValidatePartyIdTest, AcceptsExactly128Characters) {
  EXPECT_TRUE(ValidatePartyId(std::string(128, 'a')).ok());
}

TEST(ValidatePartyIdTest, RejectsEmpty) {
  Status status = ValidatePartyId("");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Mentions(status, "empty"));
}

TEST(ValidatePartyIdTest, Rejects129Characters) {
  Status status = ValidatePartyId(std::string(129, 'a'));
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Mentions(status, "129"));
}

TEST(ValidatePartyIdTest, RejectsWhitespace) {
  EXPECT_FALSE(ValidatePartyId("artist:the band").ok());
  EXPECT_FALSE(ValidatePartyId("artist:x\t").ok());
  EXPECT_FALSE(ValidatePartyId(" artist:x").ok());
  EXPECT_FALSE(ValidatePartyId("artist:x\n").ok());
}

TEST(ValidatePartyIdTest, RejectsControlCharacters) {
  EXPECT_FALSE(ValidatePartyId("artist:\x01x").ok());
  EXPECT_FALSE(ValidatePartyId("artist:\x7fx").ok());
  EXPECT_FALSE(ValidatePartyId(std::string_view("artist:\0x", 9)).ok());
}

TEST(ValidatePartyIdTest, RejectsNonAsciiBytes) {
  EXPECT_FALSE(ValidatePartyId("artist:bj\xc3\xb6rk").ok());  // UTF-8 for "björk"
  EXPECT_FALSE(ValidatePartyId("artist:a\xc2\xa0"
                               "b")
                   .ok());  // no-break space
}

TEST(ValidatePartyIdTest, ErrorNamesTheId) {
  EXPECT_TRUE(Mentions(ValidatePartyId("artist:the band"), "\"artist:the band\""));
}

class ValidateSplitsTest : public ::testing::Test {
 protected:
  static std::vector<Share> Shares(std::initializer_list<std::pair<const char*, int32_t>> parts) {
    std::vector<Share> shares;
    for (const auto& [party, ppm] : parts) shares.push_back(Share{party, ppm});
    return shares;
  }
};

TEST_F(ValidateSplitsTest, AcceptsOneWholeShare) {
  EXPECT_TRUE(ValidateSplits(Shares({{"label:a", 1'000'000}}), "master_owners").ok());
}

TEST_F(ValidateSplitsTest, AcceptsSharesThatAddToAWhole) {
  EXPECT_TRUE(ValidateSplits(
                  Shares({{"writer:a", 333'334}, {"writer:b", 333'333}, {"publisher:c", 333'333}}),
                  "writers")
                  .ok());
}

TEST_F(ValidateSplitsTest, RejectsShortSumWithExactMessage) {
  Status status =
      ValidateSplits(Shares({{"label:a", 500'000}, {"label:b", 499'999}}), "master_owners");
  EXPECT_EQ(status, InvalidArgumentError("master_owners: shares add to 999999 ppm, not 1000000"));
}

TEST_F(ValidateSplitsTest, RejectsExcessSum) {
  EXPECT_EQ(ValidateSplits(Shares({{"label:a", 600'000}, {"label:b", 400'001}}), "publishers"),
            InvalidArgumentError("publishers: shares add to 1000001 ppm, not 1000000"));
}

TEST_F(ValidateSplitsTest, RejectsEmptyList) {
  EXPECT_EQ(ValidateSplits({}, "master_owners"),
            InvalidArgumentError("master_owners: shares add to 0 ppm, not 1000000"));
}

TEST_F(ValidateSplitsTest, RejectsZeroShare) {
  Status status = ValidateSplits(Shares({{"label:a", 1'000'000}, {"label:b", 0}}), "master_owners");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Mentions(status, "master_owners"));
  EXPECT_TRUE(Mentions(status, "\"label:b\""));
  EXPECT_TRUE(Mentions(status, "positive"));
}

TEST_F(ValidateSplitsTest, RejectsNegativeShareEvenWhenTheSumIsWhole) {
  Status status =
      ValidateSplits(Shares({{"label:a", 1'100'000}, {"label:b", -100'000}}), "master_owners");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Mentions(status, "-100000"));
}

TEST_F(ValidateSplitsTest, RejectsPartyListedTwice) {
  Status status =
      ValidateSplits(Shares({{"label:a", 500'000}, {"label:a", 500'000}}), "master_owners");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Mentions(status, "\"label:a\" appears twice"));
}

TEST_F(ValidateSplitsTest, SumDoesNotWrapAroundInt32) {
  // 2 * 2147483647 + 1000002 = 2^32 + 1000000: a sum kept in 32 bits would wrap round to
  // exactly a whole and let this split through.
  constexpr int32_t kMax = std::numeric_limits<int32_t>::max();
  EXPECT_EQ(ValidateSplits(Shares({{"a", kMax}, {"b", kMax}, {"c", 1'000'002}}), "master_owners"),
            InvalidArgumentError("master_owners: shares add to 4295967296 ppm, not 1000000"));
}

}  // namespace
}  // namespace accord::catalog
