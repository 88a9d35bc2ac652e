// Pools files and periods: strict parsing with errors that name the file and the field.
#include "royalties/pools.h"

#include <gtest/gtest.h>

namespace accord::royalties {
namespace {

TEST(ParsePeriodTest, CalendarMonthIsStartInclusiveEndExclusive) {
  Result<Period> january = ParsePeriod("2026-01");
  ASSERT_TRUE(january.ok());
  EXPECT_EQ(january->start.ToString(), "2026-01-01T00:00:00Z");
  EXPECT_EQ(january->end.ToString(), "2026-02-01T00:00:00Z");
  Result<Period> december = ParsePeriod("2026-12");
  ASSERT_TRUE(december.ok());
  EXPECT_EQ(december->end.ToString(), "2027-01-01T00:00:00Z");
  for (const char* bad : {"", "2026", "2026-13", "2026-1", "26-01", "2026/01", "2026-01-01"}) {
    EXPECT_EQ(ParsePeriod(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(ParseRunSettingsTest, ReadsPoolsModelsAndSettings) {
  Result<RunSettings> settings = ParseRunSettings(R"({
    "pools": [
      {"id": "de-ai", "amount": "1234567.89", "currency": "EUR", "territory": "DE",
       "scopes": ["recommend", "dj"], "model": "pro_rata"},
      {"id": "world-remix", "amount": "1000", "currency": "JPY", "territory": "worldwide -US",
       "scopes": ["remix"], "model": "artist_centric",
       "artist_centric": {"min_uses": 10, "listener_cap": 50}, "revenue": "gross"}
    ],
    "composition_share_ppm": 200000,
    "composition_scopes": ["remix"],
    "platform": "platform:accord"
  })",
                                                  "pools.json");
  ASSERT_TRUE(settings.ok()) << settings.status().ToString();
  ASSERT_EQ(settings->pools.size(), 2u);
  EXPECT_EQ(settings->pools[0].amount.minor_units(), 123456789);
  EXPECT_TRUE(settings->pools[0].scopes.Contains(rights::Scope::kDj));
  EXPECT_FALSE(settings->pools[0].scopes.Contains(rights::Scope::kRemix));
  EXPECT_EQ(settings->pools[1].amount.minor_units(), 1000);
  EXPECT_FALSE(settings->pools[1].territories.Contains(*Territory::Parse("US")));
  EXPECT_EQ(settings->pools[1].artist_centric.min_uses, 10);
  EXPECT_EQ(settings->pools[1].artist_centric.min_listeners, 500);  // the default stays
  EXPECT_EQ(settings->pools[1].artist_centric.listener_cap, 50);
  EXPECT_EQ(settings->composition_share_ppm, 200000);
  EXPECT_TRUE(settings->composition_scopes.Contains(rights::Scope::kRemix));
  EXPECT_FALSE(settings->composition_scopes.Contains(rights::Scope::kDj));
  EXPECT_EQ(settings->pools[0].revenue, PoolRevenue::kNet);  // the default
  EXPECT_EQ(settings->pools[1].revenue, PoolRevenue::kGross);
  EXPECT_EQ(settings->platform, "platform:accord");
}

TEST(ParseRunSettingsTest, PlatformDefaultsToThePartyNamedPlatform) {
  Result<RunSettings> settings = ParseRunSettings(R"({"pools": []})", "pools.json");
  ASSERT_TRUE(settings.ok()) << settings.status().ToString();
  EXPECT_EQ(settings->platform, "platform");
}

TEST(ParseRunSettingsTest, ErrorsNameTheFileAndTheField) {
  const std::string pool = R"("id": "p", "currency": "EUR", "territory": "DE", "scopes": ["dj"])";
  struct Case {
    std::string text;
    std::string pointer;
  };
  for (const Case& c : std::vector<Case>{
           {"not json", "not valid JSON"},
           {"{}", "/pools"},
           {R"({"pools": [], "extra": 1})", "/extra: unknown field"},
           {R"({"pools": [{)" + pool + R"(, "amount": "1.234"}]})", "/pools/0/amount"},
           {R"({"pools": [{)" + pool + R"(, "amount": "-1"}]})", "/pools/0/amount"},
           {R"({"pools": [{)" + pool + R"(, "amount": 5}]})", "/pools/0/amount"},
           {R"({"pools": [{)" + pool + R"(, "amount": "1", "model": "fair"}]})", "/pools/0/model"},
           {R"({"pools": [{)" + pool + R"(, "amount": "1", "artist_centric": {}}]})",
            "/pools/0/artist_centric"},
           {R"({"pools": [{"id": "p", "amount": "1", "currency": "EUR", "territory": "XX",
                "scopes": ["dj"]}]})",
            "/pools/0/territory"},
           {R"({"pools": [{"id": "p", "amount": "1", "currency": "EUR", "territory": "DE",
                "scopes": ["karaoke"]}]})",
            "/pools/0/scopes/0"},
           {R"({"pools": [{)" + pool + R"(, "amount": "1"}, {)" + pool + R"(, "amount": "2"}]})",
            "/pools/1/id"},
           {R"({"pools": [], "composition_share_ppm": 1000001})", "/composition_share_ppm"},
           {R"({"pools": [{)" + pool + R"(, "amount": "1", "revenue": "all"}]})",
            "/pools/0/revenue"},
           {R"({"pools": [{)" + pool + R"(, "amount": "1", "revenue": 1}]})", "/pools/0/revenue"},
           {R"({"pools": [], "platform": ""})", "/platform"},
           {R"({"pools": [], "platform": 7})", "/platform"},
       }) {
    Result<RunSettings> settings = ParseRunSettings(c.text, "pools.json");
    ASSERT_EQ(settings.status().code(), StatusCode::kInvalidArgument) << c.text;
    EXPECT_NE(settings.status().message().find("pools.json"), std::string::npos) << c.text;
    EXPECT_NE(settings.status().message().find(c.pointer), std::string::npos)
        << settings.status().message();
  }
}

TEST(ReadRunSettingsFileTest, MissingFileIsNotFound) {
  EXPECT_EQ(ReadRunSettingsFile("/nonexistent/pools.json").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace accord::royalties
