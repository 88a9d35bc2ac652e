// Money: an exact amount in integer minor units of an ISO 4217 currency.
//
// No floating point ever touches money. An amount is an int64 count of the currency's minor
// units (cents for EUR, yen for JPY, thousandths of a dinar for KWD), so 1,234,567.89 EUR is
// Money{123456789, EUR}. Arithmetic is checked: overflow and mixing currencies are errors, not
// wrap-around.
//
//   ACCORD_ASSIGN_OR_RETURN(Currency eur, Currency::FromCode("EUR"));
//   ACCORD_ASSIGN_OR_RETURN(Money fee, Money::Parse("0.002", eur));   // error: EUR has 2 decimals
//   ACCORD_ASSIGN_OR_RETURN(Money pool, Money::Parse("1234567.89", eur));
//   pool.ToString()  // "1234567.89 EUR"
//
// Rates smaller than a minor unit (0.002 EUR per play) are not Money: they are kept as a
// decimal rate (see rights/model.h, `Rate`) and only become Money when multiplied out.
//
// Thread safety: values.
#ifndef ACCORD_CORE_MONEY_H_
#define ACCORD_CORE_MONEY_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace accord {

class Currency {
 public:
  // Looks up an active ISO 4217 alphabetic code ("EUR", "usd" is accepted and upper-cased).
  // InvalidArgument names the code when it is not a known currency.
  Currency() = default;  // "XXX", ISO 4217's "no currency", exponent 0
  static Result<Currency> FromCode(std::string_view code);

  std::string_view code() const { return std::string_view(code_, 3); }
  // Number of decimal digits of the minor unit: 2 for EUR, 0 for JPY, 3 for KWD.
  int exponent() const { return exponent_; }

  friend bool operator==(const Currency& a, const Currency& b) { return a.code() == b.code(); }

 private:
  Currency(const char* code, int exponent);
  char code_[3] = {'X', 'X', 'X'};
  int exponent_ = 0;
};

class Money {
 public:
  Money(int64_t minor_units, Currency currency) : minor_units_(minor_units), currency_(currency) {}

  // Parses a decimal amount such as "1234567.89", "-0.5" or "12" in `currency`. More decimal
  // digits than the currency's exponent is an InvalidArgument (no silent rounding of money);
  // so are signs in odd places, grouping characters, exponents and values beyond int64.
  static Result<Money> Parse(std::string_view text, Currency currency);

  int64_t minor_units() const { return minor_units_; }
  const Currency& currency() const { return currency_; }

  // "1234567.89 EUR"; ToDecimalString() gives "1234567.89" alone.
  std::string ToString() const;
  std::string ToDecimalString() const;

  // Checked arithmetic: InvalidArgument when currencies differ, on int64 overflow.
  Result<Money> Add(const Money& other) const;
  Result<Money> Subtract(const Money& other) const;

  friend bool operator==(const Money& a, const Money& b) = default;

 private:
  int64_t minor_units_;
  Currency currency_;
};

// Rate: an exact per-use price that may be smaller than a minor unit, such as 0.002 EUR per DJ
// play. Kept in millionths of the currency's major unit (0.002 EUR = 2,000 micros), which
// covers every per-use price in the industry without floating point. Parse accepts at most six
// decimals; more is an InvalidArgument (no silent rounding). Negative rates are rejected.
class Rate {
 public:
  Rate(int64_t micros, Currency currency) : micros_(micros), currency_(currency) {}
  static Result<Rate> Parse(std::string_view text, Currency currency);

  int64_t micros() const { return micros_; }
  const Currency& currency() const { return currency_; }
  std::string ToDecimalString() const;  // "0.002" (trailing zeros dropped, at least one digit)
  std::string ToString() const;         // "0.002 EUR"

  friend bool operator==(const Rate& a, const Rate& b) = default;

 private:
  int64_t micros_;
  Currency currency_;
};

}  // namespace accord

#endif  // ACCORD_CORE_MONEY_H_
