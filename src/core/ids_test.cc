#include "core/ids.h"

#include <gtest/gtest.h>

#include <string>

namespace accord {
namespace {

// True when `status` is an InvalidArgument whose message contains every one of `parts`.
::testing::AssertionResult IsInvalidMentioning(const Status& status,
                                               std::initializer_list<std::string_view> parts) {
  if (status.code() != StatusCode::kInvalidArgument) {
    return ::testing::AssertionFailure() << "got " << status.ToString();
  }
  for (std::string_view part : parts) {
    if (status.message().find(part) == std::string::npos) {
      return ::testing::AssertionFailure() << status.message() << " does not mention " << part;
    }
  }
  return ::testing::AssertionSuccess();
}

// ---- ISRC ----

std::string IsrcOf(std::string_view text) {
  Result<Isrc> isrc = Isrc::Parse(text);
  EXPECT_TRUE(isrc.ok()) << isrc.status().ToString();
  return isrc.ok() ? isrc->str() : "";
}

TEST(IsrcTest, ParsesCanonicalForm) { EXPECT_EQ(IsrcOf("USRC17607839"), "USRC17607839"); }

TEST(IsrcTest, DropsHyphens) { EXPECT_EQ(IsrcOf("US-RC1-76-07839"), "USRC17607839"); }

TEST(IsrcTest, DropsIsrcPrefix) {
  EXPECT_EQ(IsrcOf("ISRC US-RC1-76-07839"), "USRC17607839");
  EXPECT_EQ(IsrcOf("isrc USRC17607839"), "USRC17607839");
}

TEST(IsrcTest, UpperCasesLetters) { EXPECT_EQ(IsrcOf("us-rc1-76-07839"), "USRC17607839"); }

TEST(IsrcTest, RegistrantMayBeDigits) { EXPECT_EQ(IsrcOf("GB1234500001"), "GB1234500001"); }

TEST(IsrcTest, DefaultIsEmpty) {
  EXPECT_TRUE(Isrc().empty());
  EXPECT_FALSE(Isrc::Parse("USRC17607839")->empty());
}

TEST(IsrcTest, OrdersByCanonicalText) {
  EXPECT_LT(*Isrc::Parse("DEAB10000001"), *Isrc::Parse("USRC17607839"));
  EXPECT_EQ(*Isrc::Parse("us-rc1-76-07839"), *Isrc::Parse("USRC17607839"));
}

TEST(IsrcTest, RejectsEmpty) { EXPECT_TRUE(IsInvalidMentioning(Isrc::Parse("").status(), {"12"})); }

TEST(IsrcTest, RejectsTooShort) {
  EXPECT_TRUE(IsInvalidMentioning(Isrc::Parse("USRC1760783").status(),
                                  {"\"USRC1760783\"", "11 characters"}));
}

TEST(IsrcTest, RejectsTooLong) {
  EXPECT_TRUE(IsInvalidMentioning(Isrc::Parse("USRC176078390").status(), {"longer than 12"}));
}

TEST(IsrcTest, RejectsDigitInCountry) {
  EXPECT_TRUE(IsInvalidMentioning(Isrc::Parse("U1RC17607839").status(), {"'1'", "country code"}));
}

TEST(IsrcTest, RejectsPunctuationInRegistrant) {
  EXPECT_TRUE(IsInvalidMentioning(Isrc::Parse("USR_17607839").status(), {"registrant"}));
}

TEST(IsrcTest, RejectsLetterInYear) {
  EXPECT_TRUE(IsInvalidMentioning(Isrc::Parse("USRC1A607839").status(), {"'A'", "year"}));
}

TEST(IsrcTest, RejectsLetterInDesignation) {
  EXPECT_TRUE(IsInvalidMentioning(Isrc::Parse("USRC1760783O").status(), {"designation"}));
}

TEST(IsrcTest, RejectsSpacesOtherThanAfterPrefix) {
  EXPECT_FALSE(Isrc::Parse("US RC1 76 07839").ok());
  EXPECT_FALSE(Isrc::Parse(" USRC17607839").ok());
  EXPECT_FALSE(Isrc::Parse("USRC17607839 ").ok());
}

TEST(IsrcTest, ControlCharacterIsShownAsHex) {
  EXPECT_TRUE(IsInvalidMentioning(Isrc::Parse("USRC1760783\x01").status(), {"byte 0x01"}));
}

TEST(IsrcTest, PrefixAloneIsRejected) { EXPECT_FALSE(Isrc::Parse("ISRC ").ok()); }

// ---- ISWC ----

// Check digits worked by hand from C = (10 - (1 + sum(i * d_i)) mod 10) mod 10:
//   034524680: 1*0 + 2*3 + 3*4 + 4*5 + 5*2 + 6*4 + 7*6 + 8*8 + 9*0 = 178; 10 - 179 mod 10 = 1.
//   345246800: 3 + 8 + 15 + 8 + 20 + 36 + 56 + 0 + 0 = 146; 10 - 147 mod 10 = 3.
//   000000000: 0; (10 - 1) mod 10 = 9.
//   000000009: 81; (10 - 82 mod 10) mod 10 = 8.
//   100000000: 1; 10 - 2 = 8.
//   000000001: 9; 10 - 10 mod 10 = 10, mod 10 = 0.
TEST(IswcTest, CheckDigitMatchesHandComputedValues) {
  EXPECT_EQ(Iswc::CheckDigit("034524680"), '1');
  EXPECT_EQ(Iswc::CheckDigit("345246800"), '3');
  EXPECT_EQ(Iswc::CheckDigit("000000000"), '9');
  EXPECT_EQ(Iswc::CheckDigit("000000009"), '8');
  EXPECT_EQ(Iswc::CheckDigit("100000000"), '8');
  EXPECT_EQ(Iswc::CheckDigit("000000001"), '0');
}

std::string IswcOf(std::string_view text) {
  Result<Iswc> iswc = Iswc::Parse(text);
  EXPECT_TRUE(iswc.ok()) << iswc.status().ToString();
  return iswc.ok() ? iswc->str() : "";
}

TEST(IswcTest, ParsesCanonicalForm) { EXPECT_EQ(IswcOf("T-034.524.680-1"), "T-034.524.680-1"); }

TEST(IswcTest, ParsesCompactForm) { EXPECT_EQ(IswcOf("T0345246801"), "T-034.524.680-1"); }

TEST(IswcTest, ParsesHyphensOnlyAndLowerCaseT) {
  EXPECT_EQ(IswcOf("t-034524680-1"), "T-034.524.680-1");
}

TEST(IswcTest, ParsesCheckDigitZero) { EXPECT_EQ(IswcOf("T0000000010"), "T-000.000.001-0"); }

TEST(IswcTest, DefaultIsEmpty) { EXPECT_TRUE(Iswc().empty()); }

TEST(IswcTest, RejectsWrongCheckDigit) {
  EXPECT_TRUE(IsInvalidMentioning(Iswc::Parse("T-345.246.800-1").status(),
                                  {"\"T-345.246.800-1\"", "check digit is 1, expected 3"}));
}

TEST(IswcTest, AcceptsTheCorrectedCheckDigit) {
  EXPECT_EQ(IswcOf("T-345.246.800-3"), "T-345.246.800-3");
}

TEST(IswcTest, RejectsMissingT) {
  EXPECT_TRUE(IsInvalidMentioning(Iswc::Parse("0345246801").status(), {"'T'"}));
  EXPECT_FALSE(Iswc::Parse("").ok());
}

TEST(IswcTest, RejectsTooFewDigits) {
  EXPECT_TRUE(IsInvalidMentioning(Iswc::Parse("T-034.524.680").status(), {"9 digits"}));
}

TEST(IswcTest, RejectsTooManyDigits) {
  EXPECT_TRUE(IsInvalidMentioning(Iswc::Parse("T-034.524.680-12").status(), {"more than 10"}));
}

TEST(IswcTest, RejectsLetterAmongDigits) {
  EXPECT_TRUE(IsInvalidMentioning(Iswc::Parse("T-034.5X4.680-1").status(), {"'X'"}));
}

TEST(IswcTest, RejectsSpaces) { EXPECT_FALSE(Iswc::Parse("T 034 524 680 1").ok()); }

// ---- ISNI ----

// ISO 7064 MOD 11-2 by hand is long; the vectors are published identifiers whose check
// characters were recomputed with total = (total + digit) * 2 over the first 15 digits and
// check = (12 - total mod 11) mod 11:
//   000000012146438X: the ISNI example of ISO 27729 (check 10, written X).
//   0000000218250097: ORCID's documented example 0000-0002-1825-0097 (same algorithm).
//   000000012281955X: ORCID's example 0000-0001-2281-955X.
TEST(IsniTest, CheckCharacterMatchesPublishedIdentifiers) {
  EXPECT_EQ(Isni::CheckCharacter("000000012146438"), 'X');
  EXPECT_EQ(Isni::CheckCharacter("000000021825009"), '7');
  EXPECT_EQ(Isni::CheckCharacter("000000012281955"), 'X');
}

TEST(IsniTest, CheckCharacterOfAllZerosIsZero) {
  // total stays 0; (12 - 0) mod 11 = 1.
  EXPECT_EQ(Isni::CheckCharacter("000000000000000"), '1');
}

std::string IsniOf(std::string_view text) {
  Result<Isni> isni = Isni::Parse(text);
  EXPECT_TRUE(isni.ok()) << isni.status().ToString();
  return isni.ok() ? isni->str() : "";
}

TEST(IsniTest, ParsesCompactForm) { EXPECT_EQ(IsniOf("000000012146438X"), "000000012146438X"); }

TEST(IsniTest, ParsesGroupedForm) { EXPECT_EQ(IsniOf("0000 0001 2146 438X"), "000000012146438X"); }

TEST(IsniTest, UpperCasesX) { EXPECT_EQ(IsniOf("000000012146438x"), "000000012146438X"); }

TEST(IsniTest, ParsesDigitCheck) { EXPECT_EQ(IsniOf("0000000218250097"), "0000000218250097"); }

TEST(IsniTest, DefaultIsEmpty) { EXPECT_TRUE(Isni().empty()); }

TEST(IsniTest, RejectsWrongCheckCharacter) {
  EXPECT_TRUE(IsInvalidMentioning(Isni::Parse("0000000121464389").status(),
                                  {"\"0000000121464389\"", "check character is 9, expected X"}));
}

TEST(IsniTest, RejectsXBeforeTheLastPosition) {
  EXPECT_TRUE(IsInvalidMentioning(Isni::Parse("00000001214643X8").status(), {"not a digit"}));
}

TEST(IsniTest, RejectsTooShort) {
  EXPECT_TRUE(IsInvalidMentioning(Isni::Parse("000000012146438").status(), {"15 characters"}));
}

TEST(IsniTest, RejectsTooLong) {
  EXPECT_TRUE(IsInvalidMentioning(Isni::Parse("000000012146438X0").status(), {"longer than 16"}));
}

TEST(IsniTest, RejectsHyphens) {
  EXPECT_TRUE(IsInvalidMentioning(Isni::Parse("0000-0001-2146-438X").status(), {"'-'"}));
}

TEST(IsniTest, RejectsEmpty) { EXPECT_FALSE(Isni::Parse("").ok()); }

}  // namespace
}  // namespace accord
