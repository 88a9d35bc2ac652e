#include "core/money.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/text.h"

namespace accord {
namespace {

struct CurrencyInfo {
  std::string_view code;
  int exponent;
};

// Active ISO 4217 codes with their minor-unit exponents, from the ISO 4217 maintenance agency's
// List One, sorted by code for binary search. Funds codes (BOV, CHE, MXV, ...) are included
// because statements from those markets use them; precious metals, test codes and "XXX" are not,
// since no royalty is ever paid in them. Withdrawn codes (SLL, ZWL, HRK, ...) are left out so that
// a stale agreement fails at import instead of being paid in a currency nobody can settle.
constexpr std::array kCurrencies = std::to_array<CurrencyInfo>({
    {"AED", 2}, {"AFN", 2}, {"ALL", 2}, {"AMD", 2}, {"ANG", 2}, {"AOA", 2}, {"ARS", 2}, {"AUD", 2},
    {"AWG", 2}, {"AZN", 2}, {"BAM", 2}, {"BBD", 2}, {"BDT", 2}, {"BGN", 2}, {"BHD", 3}, {"BIF", 0},
    {"BMD", 2}, {"BND", 2}, {"BOB", 2}, {"BOV", 2}, {"BRL", 2}, {"BSD", 2}, {"BTN", 2}, {"BWP", 2},
    {"BYN", 2}, {"BZD", 2}, {"CAD", 2}, {"CDF", 2}, {"CHE", 2}, {"CHF", 2}, {"CHW", 2}, {"CLF", 4},
    {"CLP", 0}, {"CNY", 2}, {"COP", 2}, {"COU", 2}, {"CRC", 2}, {"CUP", 2}, {"CVE", 2}, {"CZK", 2},
    {"DJF", 0}, {"DKK", 2}, {"DOP", 2}, {"DZD", 2}, {"EGP", 2}, {"ERN", 2}, {"ETB", 2}, {"EUR", 2},
    {"FJD", 2}, {"FKP", 2}, {"GBP", 2}, {"GEL", 2}, {"GHS", 2}, {"GIP", 2}, {"GMD", 2}, {"GNF", 0},
    {"GTQ", 2}, {"GYD", 2}, {"HKD", 2}, {"HNL", 2}, {"HTG", 2}, {"HUF", 2}, {"IDR", 2}, {"ILS", 2},
    {"INR", 2}, {"IQD", 3}, {"IRR", 2}, {"ISK", 0}, {"JMD", 2}, {"JOD", 3}, {"JPY", 0}, {"KES", 2},
    {"KGS", 2}, {"KHR", 2}, {"KMF", 0}, {"KPW", 2}, {"KRW", 0}, {"KWD", 3}, {"KYD", 2}, {"KZT", 2},
    {"LAK", 2}, {"LBP", 2}, {"LKR", 2}, {"LRD", 2}, {"LSL", 2}, {"LYD", 3}, {"MAD", 2}, {"MDL", 2},
    {"MGA", 2}, {"MKD", 2}, {"MMK", 2}, {"MNT", 2}, {"MOP", 2}, {"MRU", 2}, {"MUR", 2}, {"MVR", 2},
    {"MWK", 2}, {"MXN", 2}, {"MXV", 2}, {"MYR", 2}, {"MZN", 2}, {"NAD", 2}, {"NGN", 2}, {"NIO", 2},
    {"NOK", 2}, {"NPR", 2}, {"NZD", 2}, {"OMR", 3}, {"PAB", 2}, {"PEN", 2}, {"PGK", 2}, {"PHP", 2},
    {"PKR", 2}, {"PLN", 2}, {"PYG", 0}, {"QAR", 2}, {"RON", 2}, {"RSD", 2}, {"RUB", 2}, {"RWF", 0},
    {"SAR", 2}, {"SBD", 2}, {"SCR", 2}, {"SDG", 2}, {"SEK", 2}, {"SGD", 2}, {"SHP", 2}, {"SLE", 2},
    {"SOS", 2}, {"SRD", 2}, {"SSP", 2}, {"STN", 2}, {"SVC", 2}, {"SYP", 2}, {"SZL", 2}, {"THB", 2},
    {"TJS", 2}, {"TMT", 2}, {"TND", 3}, {"TOP", 2}, {"TRY", 2}, {"TTD", 2}, {"TWD", 2}, {"TZS", 2},
    {"UAH", 2}, {"UGX", 0}, {"USD", 2}, {"USN", 2}, {"UYI", 0}, {"UYU", 2}, {"UYW", 4}, {"UZS", 2},
    {"VED", 2}, {"VES", 2}, {"VND", 0}, {"VUV", 0}, {"WST", 2}, {"XAF", 0}, {"XCD", 2}, {"XCG", 2},
    {"XOF", 0}, {"XPF", 0}, {"YER", 2}, {"ZAR", 2}, {"ZMW", 2}, {"ZWG", 2},
});

constexpr bool CurrenciesSorted() {
  for (size_t i = 1; i < kCurrencies.size(); ++i) {
    if (!(kCurrencies[i - 1].code < kCurrencies[i].code)) return false;
  }
  return true;
}
static_assert(CurrenciesSorted(), "kCurrencies must be sorted by code for binary search");

// Parses an exact decimal "[-]D+[.D{1,max_decimals}]" into an integer count of
// 10^-max_decimals units. `what` ("amount", "rate") and the currency name the value in errors.
// Built digit by digit with checked arithmetic, accumulating towards the sign so that the most
// negative int64 is representable, and never through a floating-point or strto* call that would
// round, skip spaces or accept exponents.
Result<int64_t> ParseScaledDecimal(std::string_view text, int max_decimals, bool allow_negative,
                                   std::string_view what, const Currency& currency) {
  auto error = [&](std::string_view problem) {
    return InvalidArgumentError(std::string(what) + " " + QuoteForError(text) + " in " +
                                std::string(currency.code()) + ": " + std::string(problem));
  };
  if (text.empty()) return error("empty");

  size_t pos = 0;
  bool negative = false;
  if (text[0] == '-') {
    if (!allow_negative) return error("must not be negative");
    negative = true;
    pos = 1;
  } else if (text[0] == '+') {
    return error("a leading '+' is not accepted; write the digits alone");
  }

  int64_t value = 0;
  auto push_digit = [&](char c) {
    int digit = c - '0';
    return !__builtin_mul_overflow(value, int64_t{10}, &value) &&
           (negative ? !__builtin_sub_overflow(value, int64_t{digit}, &value)
                     : !__builtin_add_overflow(value, int64_t{digit}, &value));
  };

  size_t integer_digits = 0;
  while (pos < text.size() && IsAsciiDigit(text[pos])) {
    if (!push_digit(text[pos])) return error("out of range");
    ++pos;
    ++integer_digits;
  }
  if (integer_digits == 0) {
    return error("expected a digit at position " + std::to_string(pos + 1));
  }

  int decimals = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    while (pos < text.size() && IsAsciiDigit(text[pos])) {
      ++decimals;
      if (decimals > max_decimals) {
        return error("more than " + std::to_string(max_decimals) + " decimal digits" +
                     (what == "amount" ? " (the minor unit of " + std::string(currency.code()) + ")"
                                       : std::string()) +
                     "; it is never rounded");
      }
      if (!push_digit(text[pos])) return error("out of range");
      ++pos;
    }
    if (decimals == 0) return error("expected a digit after '.'");
  }
  if (pos < text.size()) {
    return error(std::string("unexpected character '") + text[pos] + "' at position " +
                 std::to_string(pos + 1) + " (only digits, one '.' and a leading '-')");
  }

  // Scale the remaining places: "1.5" in a 2-decimal currency is 150 minor units.
  for (int place = decimals; place < max_decimals; ++place) {
    if (__builtin_mul_overflow(value, int64_t{10}, &value)) return error("out of range");
  }
  return value;
}

// Writes `scaled` (a count of 10^-decimals units) as a decimal with exactly `decimals` places.
std::string FormatScaled(int64_t scaled, int decimals) {
  // Work on the magnitude as unsigned so that the most negative int64 has one.
  uint64_t magnitude =
      scaled < 0 ? uint64_t{0} - static_cast<uint64_t>(scaled) : static_cast<uint64_t>(scaled);
  std::string digits = std::to_string(magnitude);
  if (decimals > 0) {
    if (digits.size() <= static_cast<size_t>(decimals)) {
      digits.insert(0, static_cast<size_t>(decimals) + 1 - digits.size(), '0');
    }
    digits.insert(digits.size() - static_cast<size_t>(decimals), ".");
  }
  return scaled < 0 ? "-" + digits : digits;
}

constexpr int kRateDecimals = 6;

}  // namespace

Currency::Currency(const char* code, int exponent) : exponent_(exponent) {
  std::copy(code, code + 3, code_);
}

Result<Currency> Currency::FromCode(std::string_view code) {
  if (code.size() != 3) {
    return InvalidArgumentError("currency " + QuoteForError(code) +
                                ": expected a three-letter ISO 4217 code such as EUR");
  }
  char upper[3];
  for (size_t i = 0; i < 3; ++i) {
    char c = code[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    upper[i] = c;
  }
  std::string_view key(upper, 3);
  auto it =
      std::lower_bound(kCurrencies.begin(), kCurrencies.end(), key,
                       [](const CurrencyInfo& info, std::string_view k) { return info.code < k; });
  if (it == kCurrencies.end() || it->code != key) {
    return InvalidArgumentError("currency " + QuoteForError(code) +
                                ": not an active ISO 4217 code");
  }
  return Currency(it->code.data(), it->exponent);
}

Result<Money> Money::Parse(std::string_view text, Currency currency) {
  Result<int64_t> minor_units =
      ParseScaledDecimal(text, currency.exponent(), /*allow_negative=*/true, "amount", currency);
  if (!minor_units.ok()) return minor_units.status();
  return Money(*minor_units, currency);
}

std::string Money::ToDecimalString() const {
  return FormatScaled(minor_units_, currency_.exponent());
}

std::string Money::ToString() const {
  return ToDecimalString() + " " + std::string(currency_.code());
}

Result<Money> Money::Add(const Money& other) const {
  if (!(currency_ == other.currency_)) {
    return InvalidArgumentError("cannot add " + other.ToString() + " to " + ToString() +
                                ": currencies differ");
  }
  int64_t sum = 0;
  if (__builtin_add_overflow(minor_units_, other.minor_units_, &sum)) {
    return InvalidArgumentError(ToString() + " + " + other.ToString() + " overflows int64");
  }
  return Money(sum, currency_);
}

Result<Money> Money::Subtract(const Money& other) const {
  if (!(currency_ == other.currency_)) {
    return InvalidArgumentError("cannot subtract " + other.ToString() + " from " + ToString() +
                                ": currencies differ");
  }
  int64_t difference = 0;
  if (__builtin_sub_overflow(minor_units_, other.minor_units_, &difference)) {
    return InvalidArgumentError(ToString() + " - " + other.ToString() + " overflows int64");
  }
  return Money(difference, currency_);
}

Result<Rate> Rate::Parse(std::string_view text, Currency currency) {
  Result<int64_t> micros =
      ParseScaledDecimal(text, kRateDecimals, /*allow_negative=*/false, "rate", currency);
  if (!micros.ok()) return micros.status();
  return Rate(*micros, currency);
}

std::string Rate::ToDecimalString() const {
  std::string out = FormatScaled(micros_, kRateDecimals);
  // Six places are how the rate is stored, not how a licence writes it: "0.002", not
  // "0.002000". Drop trailing zeros, and the point too when nothing follows it.
  size_t end = out.find_last_not_of('0');
  out.erase(end + 1);
  if (out.back() == '.') out.pop_back();
  return out;
}

std::string Rate::ToString() const {
  return ToDecimalString() + " " + std::string(currency_.code());
}

}  // namespace accord
