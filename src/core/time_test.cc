#include "core/time.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>

namespace accord {
namespace {

// Epoch millisecond values below were computed independently with Python's datetime
// (timezone.utc), not with the code under test.
constexpr int64_t k20260131Noon = 1769860800000;
constexpr int64_t k20260131Midnight = 1769817600000;
constexpr int64_t k00010101 = -62135596800000;
constexpr int64_t k99991231LastMs = 253402300799999;

int64_t MillisOf(std::string_view text) {
  Result<Timestamp> timestamp = Timestamp::Parse(text);
  EXPECT_TRUE(timestamp.ok()) << timestamp.status().ToString();
  return timestamp.ok() ? timestamp->unix_millis() : 0;
}

// The error message for `text`, which must be refused as InvalidArgument; the test fails when it
// was accepted or refused with another code.
std::string ParseError(std::string_view text) {
  Result<Timestamp> timestamp = Timestamp::Parse(text);
  EXPECT_FALSE(timestamp.ok()) << text << " was accepted as " << timestamp->ToString();
  EXPECT_EQ(timestamp.status().code(), StatusCode::kInvalidArgument) << text;
  return timestamp.status().message();
}

bool Mentions(std::string_view message, std::string_view part) {
  return message.find(part) != std::string_view::npos;
}

TEST(DaysFromCivilTest, KnownDates) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(1970, 1, 2), 1);
  EXPECT_EQ(DaysFromCivil(1969, 12, 31), -1);
  EXPECT_EQ(DaysFromCivil(2026, 1, 31), 20484);
  EXPECT_EQ(DaysFromCivil(1, 1, 1), -719162);
  EXPECT_EQ(DaysFromCivil(9999, 12, 31), 2932896);
}

TEST(DaysFromCivilTest, LeapDayFollowsGregorianRules) {
  EXPECT_EQ(DaysFromCivil(2024, 3, 1) - DaysFromCivil(2024, 2, 28), 2);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1) - DaysFromCivil(2000, 2, 28), 2);
  EXPECT_EQ(DaysFromCivil(1900, 3, 1) - DaysFromCivil(1900, 2, 28), 1);
}

TEST(TimestampTest, DefaultIsTheEpoch) {
  EXPECT_EQ(Timestamp().unix_millis(), 0);
  EXPECT_EQ(Timestamp().ToString(), "1970-01-01T00:00:00Z");
}

TEST(TimestampTest, ParsesDateAsMidnightUtc) {
  EXPECT_EQ(MillisOf("2026-01-31"), k20260131Midnight);
}

TEST(TimestampTest, ParsesDateTimeWithZ) {
  EXPECT_EQ(MillisOf("2026-01-31T12:00:00Z"), k20260131Noon);
}

TEST(TimestampTest, ParsesLowerCaseSeparators) {
  EXPECT_EQ(MillisOf("2026-01-31t12:00:00z"), k20260131Noon);
}

TEST(TimestampTest, ParsesFractionsOfOneToThreeDigits) {
  EXPECT_EQ(MillisOf("2026-01-31T12:00:00.5Z"), k20260131Noon + 500);
  EXPECT_EQ(MillisOf("2026-01-31T12:00:00.12Z"), k20260131Noon + 120);
  EXPECT_EQ(MillisOf("2026-01-31T12:00:00.123Z"), k20260131Noon + 123);
  EXPECT_EQ(MillisOf("2026-01-31T12:00:00.007Z"), k20260131Noon + 7);
}

TEST(TimestampTest, PositiveOffsetIsAheadOfUtc) {
  EXPECT_EQ(MillisOf("2026-01-31T13:00:00+01:00"), k20260131Noon);
  EXPECT_EQ(MillisOf("2026-01-31T12:00:00.5+01:00"), k20260131Noon - 3600000 + 500);
}

TEST(TimestampTest, NegativeOffsetIsBehindUtc) {
  EXPECT_EQ(MillisOf("2026-01-31T06:30:00-05:30"), k20260131Noon);
}

TEST(TimestampTest, OffsetMayCrossMidnight) {
  EXPECT_EQ(MillisOf("2026-02-01T01:00:00+13:00"), k20260131Noon);
}

TEST(TimestampTest, ZeroOffsetEqualsZ) {
  EXPECT_EQ(MillisOf("2026-01-31T12:00:00+00:00"), k20260131Noon);
  EXPECT_EQ(MillisOf("2026-01-31T12:00:00-00:00"), k20260131Noon);
}

TEST(TimestampTest, ParsesTheRangeEnds) {
  EXPECT_EQ(MillisOf("0001-01-01"), k00010101);
  EXPECT_EQ(MillisOf("9999-12-31T23:59:59.999Z"), k99991231LastMs);
}

TEST(TimestampTest, ParsesBeforeTheEpoch) {
  EXPECT_EQ(MillisOf("1969-12-31T23:59:59.999Z"), -1);
  EXPECT_EQ(MillisOf("1900-03-01"), -2203891200000);
}

TEST(TimestampTest, ParsesLeapDays) {
  EXPECT_EQ(MillisOf("2024-02-29"), 1709164800000);
  EXPECT_EQ(MillisOf("2000-02-29"), 951782400000);
}

TEST(TimestampTest, RejectsFebruary29InCommonYears) {
  EXPECT_TRUE(Mentions(ParseError("2025-02-29"), "day 29"));
  EXPECT_TRUE(Mentions(ParseError("1900-02-29"), "day 29"));
}

TEST(TimestampTest, RejectsDay31InApril) {
  std::string message = ParseError("2026-04-31");
  EXPECT_TRUE(Mentions(message, "\"2026-04-31\""));
  EXPECT_TRUE(Mentions(message, "day 31"));
}

TEST(TimestampTest, RejectsDayZero) { EXPECT_TRUE(Mentions(ParseError("2026-01-00"), "day 0")); }

TEST(TimestampTest, RejectsMonth13AndMonthZero) {
  EXPECT_TRUE(Mentions(ParseError("2026-13-01"), "month 13"));
  EXPECT_TRUE(Mentions(ParseError("2026-00-01"), "month 0"));
}

TEST(TimestampTest, RejectsYearZero) { EXPECT_TRUE(Mentions(ParseError("0000-01-01"), "year")); }

TEST(TimestampTest, RejectsHour24) {
  EXPECT_TRUE(Mentions(ParseError("2026-01-31T24:00:00Z"), "hour 24"));
}

TEST(TimestampTest, RejectsMinute60) {
  EXPECT_TRUE(Mentions(ParseError("2026-01-31T12:60:00Z"), "minute 60"));
}

TEST(TimestampTest, RejectsLeapSecond) {
  EXPECT_TRUE(Mentions(ParseError("2016-12-31T23:59:60Z"), "second 60"));
}

TEST(TimestampTest, RejectsMissingZone) {
  EXPECT_TRUE(Mentions(ParseError("2026-01-31T12:00:00"), "missing time zone"));
  EXPECT_TRUE(Mentions(ParseError("2026-01-31T12:00:00.123"), "missing time zone"));
}

TEST(TimestampTest, RejectsMoreThanThreeFractionDigits) {
  EXPECT_TRUE(Mentions(ParseError("2026-01-31T12:00:00.1234Z"), "fraction"));
}

TEST(TimestampTest, RejectsEmptyFraction) {
  EXPECT_TRUE(Mentions(ParseError("2026-01-31T12:00:00.Z"), "fraction"));
}

TEST(TimestampTest, RejectsMalformedOffsets) {
  ParseError("2026-01-31T12:00:00+0100");
  ParseError("2026-01-31T12:00:00+01");
  ParseError("2026-01-31T12:00:00+1:00");
  ParseError("2026-01-31T12:00:00+01:00Z");
  EXPECT_TRUE(Mentions(ParseError("2026-01-31T12:00:00+24:00"), "offset hour 24"));
  EXPECT_TRUE(Mentions(ParseError("2026-01-31T12:00:00+01:60"), "offset minute 60"));
}

TEST(TimestampTest, RejectsTextAfterZ) { ParseError("2026-01-31T12:00:00Zjunk"); }

TEST(TimestampTest, RejectsShortFields) {
  ParseError("2026-1-31");
  ParseError("26-01-31");
  ParseError("2026-01-3");
  ParseError("2026-01-31T1:00:00Z");
  ParseError("2026-01-31T12:00Z");
}

TEST(TimestampTest, RejectsOtherSeparators) {
  ParseError("2026/01/31");
  ParseError("2026-01-31 12:00:00Z");
  ParseError("20260131");
}

TEST(TimestampTest, RejectsSurroundingWhitespaceAndEmpty) {
  ParseError("");
  ParseError(" 2026-01-31");
  ParseError("2026-01-31 ");
  ParseError("2026-01-31T");
}

TEST(TimestampTest, RejectsSignedOrExtendedYears) {
  ParseError("+2026-01-31");
  ParseError("-001-01-01");
  ParseError("10000-01-01");
}

TEST(TimestampTest, ToStringOmitsZeroMilliseconds) {
  EXPECT_EQ(Timestamp::FromUnixMillis(k20260131Noon).ToString(), "2026-01-31T12:00:00Z");
}

TEST(TimestampTest, ToStringShowsMilliseconds) {
  EXPECT_EQ(Timestamp::FromUnixMillis(k20260131Noon + 123).ToString(), "2026-01-31T12:00:00.123Z");
  EXPECT_EQ(Timestamp::FromUnixMillis(k20260131Noon + 5).ToString(), "2026-01-31T12:00:00.005Z");
}

TEST(TimestampTest, ToStringBeforeTheEpochFloors) {
  EXPECT_EQ(Timestamp::FromUnixMillis(-1).ToString(), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(Timestamp::FromUnixMillis(-86400000).ToString(), "1969-12-31T00:00:00Z");
  EXPECT_EQ(Timestamp::FromUnixMillis(k00010101).ToString(), "0001-01-01T00:00:00Z");
}

TEST(TimestampTest, ToStringOfTheExtremesDoesNotCrash) {
  // Far outside 0001..9999 the text is not ISO 8601, but it must not overflow or crash: these
  // values are used as sentinels and end up in logs.
  EXPECT_FALSE(Timestamp::Min().ToString().empty());
  EXPECT_FALSE(Timestamp::Max().ToString().empty());
  EXPECT_FALSE(Timestamp::Min().DateString().empty());
}

TEST(TimestampTest, DateStringIsTheUtcDate) {
  EXPECT_EQ(Timestamp::FromUnixMillis(k20260131Noon).DateString(), "2026-01-31");
  EXPECT_EQ(Timestamp::FromUnixMillis(-1).DateString(), "1969-12-31");
  EXPECT_EQ(MillisOf("2026-02-01T00:30:00+01:00"), MillisOf("2026-01-31T23:30:00Z"));
  EXPECT_EQ(Timestamp::Parse("2026-02-01T00:30:00+01:00")->DateString(), "2026-01-31");
}

TEST(TimestampTest, ParseRoundTripsToString) {
  for (const char* text :
       {"2026-01-31T12:00:00Z", "2026-01-31T12:00:00.123Z", "1969-12-31T23:59:59.999Z",
        "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z", "2024-02-29T00:00:00.001Z"}) {
    Result<Timestamp> timestamp = Timestamp::Parse(text);
    ASSERT_TRUE(timestamp.ok()) << text;
    EXPECT_EQ(timestamp->ToString(), text);
  }
}

TEST(TimestampTest, EveryDayOfFourHundredYearsRoundTrips) {
  // One Gregorian cycle, day by day: DaysFromCivil and the formatter must agree everywhere,
  // including every leap day and century rule.
  int64_t start = DaysFromCivil(1900, 1, 1);
  for (int64_t day = start; day < start + 146097; ++day) {
    Timestamp timestamp = Timestamp::FromUnixMillis(day * 86400000);
    Result<Timestamp> parsed = Timestamp::Parse(timestamp.DateString());
    ASSERT_TRUE(parsed.ok()) << timestamp.DateString();
    ASSERT_EQ(*parsed, timestamp) << timestamp.DateString();
  }
}

TEST(TimestampTest, OrdersByInstant) {
  EXPECT_LT(Timestamp::FromUnixMillis(-1), Timestamp());
  EXPECT_LT(Timestamp::Min(), Timestamp::Max());
  EXPECT_EQ(Timestamp::Parse("2026-01-31T13:00:00+01:00")->unix_millis(),
            Timestamp::Parse("2026-01-31T12:00:00Z")->unix_millis());
}

TEST(TimestampTest, NowIsTheSystemClock) {
  auto millis = [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  int64_t before = millis();
  int64_t now = Timestamp::Now().unix_millis();
  int64_t after = millis();
  EXPECT_LE(before, now);
  EXPECT_LE(now, after);
}

}  // namespace
}  // namespace accord
