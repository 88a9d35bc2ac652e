#include "core/territory.h"

#include <gtest/gtest.h>

#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace accord {
namespace {

Territory T(std::string_view code) {
  Result<Territory> territory = Territory::Parse(code);
  EXPECT_TRUE(territory.ok()) << territory.status().ToString();
  return territory.ok() ? *territory : Territory::FromIndex(0);
}

TerritorySet MustParse(std::string_view text) {
  Result<TerritorySet> set = TerritorySet::Parse(text);
  EXPECT_TRUE(set.ok()) << text << ": " << set.status().ToString();
  return set.ok() ? *set : TerritorySet();
}

// The error message for `text`, which must be refused as InvalidArgument; the test fails when it
// was accepted or refused with another code.
std::string ParseError(std::string_view text) {
  Result<TerritorySet> set = TerritorySet::Parse(text);
  EXPECT_FALSE(set.ok()) << text << " was accepted as " << set->ToString();
  EXPECT_EQ(set.status().code(), StatusCode::kInvalidArgument) << text;
  return set.status().message();
}

bool Mentions(std::string_view message, std::string_view part) {
  return message.find(part) != std::string_view::npos;
}

TEST(TerritoryTest, IndicesCoverEveryCodeInSortedOrder) {
  std::set<std::string> seen;
  std::string previous;
  for (int index = 0; index < kTerritoryCount; ++index) {
    Territory territory = Territory::FromIndex(index);
    std::string code(territory.code());
    ASSERT_EQ(code.size(), 2u);
    EXPECT_LT(previous, code);
    previous = code;
    EXPECT_TRUE(seen.insert(code).second);
    EXPECT_EQ(T(code).index(), index) << code;
  }
  EXPECT_EQ(seen.size(), 249u);
  EXPECT_EQ(Territory::FromIndex(0).code(), "AD");
  EXPECT_EQ(Territory::FromIndex(kTerritoryCount - 1).code(), "ZW");
}

TEST(TerritoryTest, ParsesUpperAndLowerCase) {
  EXPECT_EQ(T("DE").code(), "DE");
  EXPECT_EQ(T("de"), T("DE"));
  EXPECT_EQ(T("dE"), T("DE"));
}

TEST(TerritoryTest, IncludesRecentlyAssignedCodes) {
  for (const char* code : {"SS", "CW", "SX", "BQ", "BL", "MF", "ME", "RS", "AX", "TL"}) {
    EXPECT_TRUE(Territory::Parse(code).ok()) << code;
  }
}

TEST(TerritoryTest, RejectsCodesThatAreNotOfficiallyAssigned) {
  // XK (Kosovo) is user-assigned; EU, UK and UN are reserved; AN, CS, YU were withdrawn.
  for (const char* code : {"XK", "EU", "UK", "UN", "AN", "CS", "YU", "ZZ", "AA"}) {
    Result<Territory> territory = Territory::Parse(code);
    ASSERT_FALSE(territory.ok()) << code;
    EXPECT_EQ(territory.status().code(), StatusCode::kInvalidArgument);
    EXPECT_TRUE(Mentions(territory.status().message(), std::string("\"") + code + "\""));
  }
}

TEST(TerritoryTest, RejectsWrongLengthAndNonLetters) {
  for (const char* code : {"", "D", "DEU", " DE", "D1", "12", "-D"}) {
    EXPECT_FALSE(Territory::Parse(code).ok()) << code;
  }
}

TEST(TerritoryTest, FromIndexOutOfRangeThrows) {
  EXPECT_THROW(Territory::FromIndex(-1), std::out_of_range);
  EXPECT_THROW(Territory::FromIndex(kTerritoryCount), std::out_of_range);
}

TEST(TerritoryTest, OrderFollowsCodes) { EXPECT_LT(T("AT"), T("DE")); }

TEST(TerritorySetTest, DefaultIsEmpty) {
  TerritorySet set;
  EXPECT_TRUE(set.empty());
  EXPECT_FALSE(set.is_worldwide_form());
  EXPECT_FALSE(set.Contains(T("DE")));
  EXPECT_TRUE(set.listed().empty());
}

TEST(TerritorySetTest, WorldwideContainsEveryCountry) {
  TerritorySet set = TerritorySet::Worldwide();
  for (int index = 0; index < kTerritoryCount; ++index) {
    EXPECT_TRUE(set.Contains(Territory::FromIndex(index)));
  }
  EXPECT_TRUE(set.is_worldwide_form());
  EXPECT_TRUE(set.listed().empty());
}

TEST(TerritorySetTest, WorldwideExceptLeavesOutTheExclusions) {
  TerritorySet set = TerritorySet::WorldwideExcept({T("US"), T("CA")});
  EXPECT_FALSE(set.Contains(T("US")));
  EXPECT_FALSE(set.Contains(T("CA")));
  EXPECT_TRUE(set.Contains(T("DE")));
  EXPECT_EQ(set.listed(), (std::vector<Territory>{T("CA"), T("US")}));
}

TEST(TerritorySetTest, OnlyHoldsExactlyTheInclusions) {
  TerritorySet set = TerritorySet::Only({T("DE"), T("AT")});
  EXPECT_TRUE(set.Contains(T("DE")));
  EXPECT_TRUE(set.Contains(T("AT")));
  EXPECT_FALSE(set.Contains(T("CH")));
  EXPECT_FALSE(set.is_worldwide_form());
  EXPECT_EQ(set.listed(), (std::vector<Territory>{T("AT"), T("DE")}));
}

TEST(TerritorySetTest, ParsesWorldwide) {
  EXPECT_EQ(MustParse("worldwide"), TerritorySet::Worldwide());
  EXPECT_EQ(MustParse("WorldWide"), TerritorySet::Worldwide());
}

TEST(TerritorySetTest, ParsesWorldwideMinusAList) {
  EXPECT_EQ(MustParse("worldwide -US -CA"), TerritorySet::WorldwideExcept({T("US"), T("CA")}));
  EXPECT_EQ(MustParse("worldwide, -us, -ca"), TerritorySet::WorldwideExcept({T("US"), T("CA")}));
}

TEST(TerritorySetTest, ParsesSpaceSeparatedList) {
  EXPECT_EQ(MustParse("DE AT CH"), TerritorySet::Only({T("DE"), T("AT"), T("CH")}));
}

TEST(TerritorySetTest, ParsesCommaSeparatedList) {
  EXPECT_EQ(MustParse("DE,AT,CH"), TerritorySet::Only({T("DE"), T("AT"), T("CH")}));
  EXPECT_EQ(MustParse(" de , at,,ch "), TerritorySet::Only({T("DE"), T("AT"), T("CH")}));
}

TEST(TerritorySetTest, DuplicatesAreHarmless) {
  EXPECT_EQ(MustParse("DE DE AT"), TerritorySet::Only({T("DE"), T("AT")}));
  EXPECT_EQ(MustParse("worldwide -US -US"), TerritorySet::WorldwideExcept({T("US")}));
}

TEST(TerritorySetTest, RejectsEmpty) {
  EXPECT_TRUE(Mentions(ParseError(""), "empty"));
  EXPECT_TRUE(Mentions(ParseError("  , "), "empty"));
}

TEST(TerritorySetTest, RejectsUnknownCodeByName) {
  EXPECT_TRUE(Mentions(ParseError("DE XK AT"), "\"XK\""));
}

TEST(TerritorySetTest, RejectsUnknownExclusionByName) {
  EXPECT_TRUE(Mentions(ParseError("worldwide -EU"), "\"EU\""));
}

TEST(TerritorySetTest, RejectsExclusionWithoutWorldwide) {
  EXPECT_TRUE(Mentions(ParseError("-US"), "worldwide"));
  ParseError("DE -US");
}

TEST(TerritorySetTest, RejectsInclusionAfterWorldwide) { ParseError("worldwide DE"); }

TEST(TerritorySetTest, RejectsWorldwideAfterCodes) { ParseError("DE worldwide"); }

TEST(TerritorySetTest, RejectsLoneHyphen) { ParseError("worldwide -"); }

TEST(TerritorySetTest, RejectsGluedExclusion) { ParseError("worldwide-US"); }

TEST(TerritorySetTest, ToStringOfEachForm) {
  EXPECT_EQ(TerritorySet::Worldwide().ToString(), "worldwide");
  EXPECT_EQ(TerritorySet::WorldwideExcept({T("US"), T("CA")}).ToString(), "worldwide -CA -US");
  EXPECT_EQ(TerritorySet::Only({T("DE"), T("AT"), T("CH")}).ToString(), "AT CH DE");
  EXPECT_EQ(TerritorySet().ToString(), "");
}

TEST(TerritorySetTest, KeepsTheFormItWasWrittenIn) {
  // Every country listed is the same set of countries as "worldwide", but a licence that listed
  // them did not grant countries created later, so the forms stay distinct.
  std::vector<Territory> all;
  for (int index = 0; index < kTerritoryCount; ++index) all.push_back(Territory::FromIndex(index));
  TerritorySet listed = TerritorySet::Only(all);
  EXPECT_FALSE(listed.is_worldwide_form());
  EXPECT_NE(listed, TerritorySet::Worldwide());
  EXPECT_EQ(listed.listed().size(), 249u);
}

TEST(TerritorySetTest, WorldwideExceptEverythingIsEmptyButKeepsItsForm) {
  std::vector<Territory> all;
  for (int index = 0; index < kTerritoryCount; ++index) all.push_back(Territory::FromIndex(index));
  TerritorySet set = TerritorySet::WorldwideExcept(all);
  EXPECT_TRUE(set.empty());
  EXPECT_TRUE(set.is_worldwide_form());
  EXPECT_EQ(MustParse(set.ToString()), set);
}

TEST(TerritorySetTest, ParseOfToStringRoundTrips) {
  std::vector<Territory> all;
  for (int index = 0; index < kTerritoryCount; ++index) all.push_back(Territory::FromIndex(index));
  for (const TerritorySet& set :
       {TerritorySet::Worldwide(), TerritorySet::WorldwideExcept({T("US"), T("CA")}),
        TerritorySet::WorldwideExcept({T("ZW"), T("AD")}), TerritorySet::Only({T("DE")}),
        TerritorySet::Only({T("DE"), T("AT"), T("CH")}), TerritorySet::Only(all)}) {
    EXPECT_EQ(MustParse(set.ToString()), set) << set.ToString();
  }
}

TEST(TerritorySetTest, ToStringOfParseIsCanonical) {
  EXPECT_EQ(MustParse("worldwide,-us,-ca").ToString(), "worldwide -CA -US");
  EXPECT_EQ(MustParse("ch,de,at,de").ToString(), "AT CH DE");
}

}  // namespace
}  // namespace accord
