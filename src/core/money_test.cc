#include "core/money.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace accord {
namespace {

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();

Currency Cur(std::string_view code) {
  Result<Currency> currency = Currency::FromCode(code);
  EXPECT_TRUE(currency.ok()) << currency.status().ToString();
  return currency.ok() ? *currency : Currency();
}

class MoneyTest : public ::testing::Test {
 protected:
  // Parses `text` in `code`, failing the test on error; for tests about valid input.
  static Money MustParse(std::string_view text, std::string_view code) {
    Result<Money> money = Money::Parse(text, Cur(code));
    EXPECT_TRUE(money.ok()) << text << ": " << money.status().ToString();
    return money.ok() ? *money : Money(0, Currency());
  }
  // The error message for input that must be refused as InvalidArgument; the test fails when
  // it was accepted or refused with another code. Unused results are fine: the check is here.
  static std::string ParseError(std::string_view text, std::string_view code = "EUR") {
    Result<Money> money = Money::Parse(text, Cur(code));
    EXPECT_FALSE(money.ok()) << text << " was accepted as " << money->ToString();
    EXPECT_EQ(money.status().code(), StatusCode::kInvalidArgument) << text;
    return money.status().message();
  }
};

TEST(CurrencyTest, DefaultIsXxxWithNoDecimals) {
  Currency none;
  EXPECT_EQ(none.code(), "XXX");
  EXPECT_EQ(none.exponent(), 0);
}

TEST(CurrencyTest, KnownExponents) {
  struct Case {
    const char* code;
    int exponent;
  };
  for (const Case& c :
       {Case{"EUR", 2}, Case{"USD", 2}, Case{"GBP", 2}, Case{"JPY", 0}, Case{"CHF", 2},
        Case{"SEK", 2}, Case{"NOK", 2}, Case{"DKK", 2}, Case{"PLN", 2}, Case{"CZK", 2},
        Case{"HUF", 2}, Case{"CAD", 2}, Case{"AUD", 2}, Case{"NZD", 2}, Case{"BRL", 2},
        Case{"MXN", 2}, Case{"ARS", 2}, Case{"CLP", 0}, Case{"COP", 2}, Case{"INR", 2},
        Case{"CNY", 2}, Case{"HKD", 2}, Case{"SGD", 2}, Case{"KRW", 0}, Case{"TWD", 2},
        Case{"THB", 2}, Case{"IDR", 2}, Case{"MYR", 2}, Case{"PHP", 2}, Case{"VND", 0},
        Case{"ZAR", 2}, Case{"NGN", 2}, Case{"KES", 2}, Case{"EGP", 2}, Case{"MAD", 2},
        Case{"TRY", 2}, Case{"RUB", 2}, Case{"UAH", 2}, Case{"ILS", 2}, Case{"AED", 2},
        Case{"SAR", 2}, Case{"QAR", 2}, Case{"KWD", 3}, Case{"BHD", 3}, Case{"OMR", 3},
        Case{"JOD", 3}, Case{"TND", 3}, Case{"IQD", 3}, Case{"LYD", 3}, Case{"ISK", 0},
        Case{"CLF", 4}, Case{"UYW", 4}, Case{"XOF", 0}, Case{"XAF", 0}, Case{"XPF", 0},
        Case{"UGX", 0}}) {
    Result<Currency> currency = Currency::FromCode(c.code);
    ASSERT_TRUE(currency.ok()) << c.code;
    EXPECT_EQ(currency->code(), c.code);
    EXPECT_EQ(currency->exponent(), c.exponent) << c.code;
  }
}

TEST(CurrencyTest, LowerCaseIsUpperCased) {
  Result<Currency> currency = Currency::FromCode("usd");
  ASSERT_TRUE(currency.ok());
  EXPECT_EQ(currency->code(), "USD");
  EXPECT_EQ(*currency, Cur("USD"));
}

TEST(CurrencyTest, UnknownCodeIsRejectedByName) {
  Result<Currency> currency = Currency::FromCode("ABC");
  ASSERT_FALSE(currency.ok());
  EXPECT_EQ(currency.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(currency.status().message().find("\"ABC\""), std::string::npos);
}

TEST(CurrencyTest, WithdrawnCodesAreRejected) {
  EXPECT_FALSE(Currency::FromCode("DEM").ok());
  EXPECT_FALSE(Currency::FromCode("HRK").ok());
  EXPECT_FALSE(Currency::FromCode("SLL").ok());
}

TEST(CurrencyTest, NoCurrencyCodeIsRejected) { EXPECT_FALSE(Currency::FromCode("XXX").ok()); }

TEST(CurrencyTest, WrongLengthIsRejected) {
  EXPECT_FALSE(Currency::FromCode("").ok());
  EXPECT_FALSE(Currency::FromCode("EU").ok());
  EXPECT_FALSE(Currency::FromCode("EURO").ok());
  EXPECT_FALSE(Currency::FromCode(" EUR").ok());
}

TEST(CurrencyTest, EqualityIsByCode) {
  EXPECT_EQ(Cur("EUR"), Cur("eur"));
  EXPECT_FALSE(Cur("EUR") == Cur("USD"));
}

TEST_F(MoneyTest, ParsesWholeAndFractionalAmounts) {
  EXPECT_EQ(MustParse("1234567.89", "EUR").minor_units(), 123456789);
  EXPECT_EQ(MustParse("12", "EUR").minor_units(), 1200);
  EXPECT_EQ(MustParse("0.05", "EUR").minor_units(), 5);
  EXPECT_EQ(MustParse("0", "EUR").minor_units(), 0);
}

TEST_F(MoneyTest, FewerDecimalsThanTheExponentAreScaled) {
  EXPECT_EQ(MustParse("1.5", "EUR").minor_units(), 150);
  EXPECT_EQ(MustParse("1.5", "KWD").minor_units(), 1500);
}

TEST_F(MoneyTest, ParsesNegativeAmounts) {
  EXPECT_EQ(MustParse("-0.5", "EUR").minor_units(), -50);
  EXPECT_EQ(MustParse("-12", "EUR").minor_units(), -1200);
}

TEST_F(MoneyTest, NegativeZeroIsZero) { EXPECT_EQ(MustParse("-0", "EUR").minor_units(), 0); }

TEST_F(MoneyTest, LeadingZerosAreAccepted) {
  EXPECT_EQ(MustParse("007.10", "EUR").minor_units(), 710);
}

TEST_F(MoneyTest, ParsesInZeroAndThreeDecimalCurrencies) {
  EXPECT_EQ(MustParse("100", "JPY").minor_units(), 100);
  EXPECT_EQ(MustParse("1.234", "KWD").minor_units(), 1234);
}

TEST_F(MoneyTest, KeepsTheCurrency) { EXPECT_EQ(MustParse("1", "SEK").currency(), Cur("SEK")); }

TEST_F(MoneyTest, ParsesInt64Extremes) {
  EXPECT_EQ(MustParse("92233720368547758.07", "EUR").minor_units(), kInt64Max);
  EXPECT_EQ(MustParse("-92233720368547758.08", "EUR").minor_units(), kInt64Min);
  EXPECT_EQ(MustParse("9223372036854775807", "JPY").minor_units(), kInt64Max);
}

TEST_F(MoneyTest, RejectsMoreDecimalsThanTheCurrencyHas) {
  std::string message = ParseError("0.002", "EUR");
  EXPECT_NE(message.find("\"0.002\""), std::string::npos);
  EXPECT_NE(message.find("decimal"), std::string::npos);
}

TEST_F(MoneyTest, RejectsAnyDecimalsInJpy) {
  ParseError("100.5", "JPY");
  ParseError("100.0", "JPY");
}

TEST_F(MoneyTest, RejectsAFourthDecimalInKwd) { ParseError("1.2345", "KWD"); }

TEST_F(MoneyTest, RejectsEmpty) { ParseError(""); }

TEST_F(MoneyTest, RejectsGroupingSeparators) {
  ParseError("1,000");
  ParseError("1 000");
  ParseError("1'000");
  ParseError("1_000");
}

TEST_F(MoneyTest, RejectsExponents) {
  ParseError("1e5");
  ParseError("1E5");
  ParseError("1.5e2");
}

TEST_F(MoneyTest, RejectsSignsInOddPlaces) {
  ParseError("+");
  ParseError("+1");
  ParseError("-");
  ParseError("--1");
  ParseError("1-");
  ParseError("1.-5");
  ParseError("- 1");
}

TEST_F(MoneyTest, RejectsSurroundingWhitespace) {
  ParseError(" 1");
  ParseError("1 ");
  ParseError("1\n");
}

TEST_F(MoneyTest, RejectsBareOrDoubledPoints) {
  ParseError(".5");
  ParseError("5.");
  ParseError("1.2.3");
  ParseError(".");
}

TEST_F(MoneyTest, RejectsNonNumbers) {
  ParseError("abc");
  ParseError("nan");
  ParseError("inf");
  ParseError("0x10");
  ParseError("12EUR");
}

TEST_F(MoneyTest, RejectsEmbeddedNul) {
  ParseError(
      std::string_view("1\0"
                       "2",
                       3));
}

TEST_F(MoneyTest, RejectsOverflow) {
  ParseError("92233720368547758.08", "EUR");
  ParseError("-92233720368547758.09", "EUR");
  ParseError("9223372036854775808", "JPY");
  ParseError("99999999999999999999999999", "JPY");
  // The integer part fits, but scaling by the exponent does not.
  EXPECT_NE(ParseError("92233720368547759", "EUR").find("out of range"), std::string::npos);
}

TEST_F(MoneyTest, ErrorNamesTheCurrency) {
  EXPECT_NE(ParseError("1.5", "JPY").find("JPY"), std::string::npos);
}

TEST_F(MoneyTest, ToStringFormats) {
  EXPECT_EQ(Money(123456789, Cur("EUR")).ToString(), "1234567.89 EUR");
  EXPECT_EQ(Money(-50, Cur("EUR")).ToString(), "-0.50 EUR");
  EXPECT_EQ(Money(100, Cur("JPY")).ToString(), "100 JPY");
  EXPECT_EQ(Money(5, Cur("EUR")).ToString(), "0.05 EUR");
  EXPECT_EQ(Money(0, Cur("EUR")).ToString(), "0.00 EUR");
  EXPECT_EQ(Money(-1, Cur("KWD")).ToString(), "-0.001 KWD");
  EXPECT_EQ(Money(0, Currency()).ToString(), "0 XXX");
}

TEST_F(MoneyTest, ToDecimalStringHasNoCode) {
  EXPECT_EQ(Money(123456789, Cur("EUR")).ToDecimalString(), "1234567.89");
}

TEST_F(MoneyTest, ToStringOfInt64Extremes) {
  EXPECT_EQ(Money(kInt64Max, Cur("EUR")).ToDecimalString(), "92233720368547758.07");
  EXPECT_EQ(Money(kInt64Min, Cur("EUR")).ToDecimalString(), "-92233720368547758.08");
}

TEST_F(MoneyTest, ParseRoundTripsToDecimalString) {
  for (const char* text : {"0.00", "0.01", "-0.01", "1234567.89", "-92233720368547758.08"}) {
    EXPECT_EQ(MustParse(text, "EUR").ToDecimalString(), text);
  }
  for (const char* text : {"0", "-1", "100"}) {
    EXPECT_EQ(MustParse(text, "JPY").ToDecimalString(), text);
  }
}

TEST_F(MoneyTest, AddSameCurrency) {
  Result<Money> sum = Money(150, Cur("EUR")).Add(Money(-200, Cur("EUR")));
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(*sum, Money(-50, Cur("EUR")));
}

TEST_F(MoneyTest, SubtractSameCurrency) {
  Result<Money> difference = Money(150, Cur("EUR")).Subtract(Money(200, Cur("EUR")));
  ASSERT_TRUE(difference.ok());
  EXPECT_EQ(*difference, Money(-50, Cur("EUR")));
}

TEST_F(MoneyTest, AddRejectsMixedCurrencies) {
  Result<Money> sum = Money(1, Cur("EUR")).Add(Money(1, Cur("USD")));
  ASSERT_FALSE(sum.ok());
  EXPECT_EQ(sum.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(sum.status().message().find("USD"), std::string::npos);
}

TEST_F(MoneyTest, SubtractRejectsMixedCurrencies) {
  EXPECT_FALSE(Money(1, Cur("EUR")).Subtract(Money(1, Cur("USD"))).ok());
}

TEST_F(MoneyTest, AddRejectsOverflow) {
  EXPECT_FALSE(Money(kInt64Max, Cur("EUR")).Add(Money(1, Cur("EUR"))).ok());
  EXPECT_FALSE(Money(kInt64Min, Cur("EUR")).Add(Money(-1, Cur("EUR"))).ok());
}

TEST_F(MoneyTest, AddReachesTheLimitExactly) {
  Result<Money> sum = Money(kInt64Max - 1, Cur("EUR")).Add(Money(1, Cur("EUR")));
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->minor_units(), kInt64Max);
}

TEST_F(MoneyTest, SubtractRejectsOverflow) {
  EXPECT_FALSE(Money(kInt64Min, Cur("EUR")).Subtract(Money(1, Cur("EUR"))).ok());
  EXPECT_FALSE(Money(0, Cur("EUR")).Subtract(Money(kInt64Min, Cur("EUR"))).ok());
}

TEST_F(MoneyTest, EqualityNeedsSameAmountAndCurrency) {
  EXPECT_EQ(Money(1, Cur("EUR")), Money(1, Cur("EUR")));
  EXPECT_FALSE(Money(1, Cur("EUR")) == Money(1, Cur("USD")));
  EXPECT_FALSE(Money(1, Cur("EUR")) == Money(2, Cur("EUR")));
}

class RateTest : public ::testing::Test {
 protected:
  static Rate MustParse(std::string_view text, std::string_view code = "EUR") {
    Result<Rate> rate = Rate::Parse(text, Cur(code));
    EXPECT_TRUE(rate.ok()) << text << ": " << rate.status().ToString();
    return rate.ok() ? *rate : Rate(0, Currency());
  }
  static std::string ParseError(std::string_view text) {
    Result<Rate> rate = Rate::Parse(text, Cur("EUR"));
    EXPECT_FALSE(rate.ok()) << text << " was accepted as " << rate->ToString();
    EXPECT_EQ(rate.status().code(), StatusCode::kInvalidArgument) << text;
    return rate.status().message();
  }
};

TEST_F(RateTest, ParsesSubMinorUnitRates) {
  EXPECT_EQ(MustParse("0.002").micros(), 2000);
  EXPECT_EQ(MustParse("0.000001").micros(), 1);
  EXPECT_EQ(MustParse("1").micros(), 1000000);
  EXPECT_EQ(MustParse("12.5").micros(), 12500000);
}

TEST_F(RateTest, DecimalsDoNotDependOnTheCurrency) {
  EXPECT_EQ(MustParse("0.5", "JPY").micros(), 500000);
  EXPECT_EQ(MustParse("0.5", "JPY").currency(), Cur("JPY"));
}

TEST_F(RateTest, ParsesTheLargestRate) {
  EXPECT_EQ(MustParse("9223372036854.775807").micros(), kInt64Max);
}

TEST_F(RateTest, RejectsMoreThanSixDecimals) {
  EXPECT_NE(ParseError("0.0000001").find("6 decimal"), std::string::npos);
}

TEST_F(RateTest, RejectsNegative) {
  EXPECT_NE(ParseError("-0.002").find("negative"), std::string::npos);
  ParseError("-0");
}

TEST_F(RateTest, RejectsMalformed) {
  ParseError("");
  ParseError("+0.1");
  ParseError("1e-3");
  ParseError(" 0.1");
  ParseError("0,1");
  ParseError(".1");
}

TEST_F(RateTest, RejectsOverflow) { ParseError("9223372036854.775808"); }

TEST_F(RateTest, ToDecimalStringDropsTrailingZeros) {
  EXPECT_EQ(Rate(2000, Cur("EUR")).ToDecimalString(), "0.002");
  EXPECT_EQ(Rate(1000000, Cur("EUR")).ToDecimalString(), "1");
  EXPECT_EQ(Rate(500000, Cur("EUR")).ToDecimalString(), "0.5");
  EXPECT_EQ(Rate(0, Cur("EUR")).ToDecimalString(), "0");
  EXPECT_EQ(Rate(10000000, Cur("EUR")).ToDecimalString(), "10");
  EXPECT_EQ(Rate(1, Cur("EUR")).ToDecimalString(), "0.000001");
  EXPECT_EQ(Rate(1234567, Cur("EUR")).ToDecimalString(), "1.234567");
}

TEST_F(RateTest, ToStringAppendsTheCode) {
  EXPECT_EQ(Rate(2000, Cur("EUR")).ToString(), "0.002 EUR");
}

TEST_F(RateTest, ParseRoundTripsToDecimalString) {
  for (const char* text : {"0.002", "1", "0.5", "0", "123.456789", "9223372036854.775807"}) {
    EXPECT_EQ(MustParse(text).ToDecimalString(), text);
  }
}

}  // namespace
}  // namespace accord
