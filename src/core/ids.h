// Validated identifiers of the music industry.
//
// - Isrc: International Standard Recording Code (ISO 3901), 12 characters CC-XXX-YY-NNNNN:
//   country (2 letters), registrant (3 alphanumerics), year (2 digits), designation (5 digits).
//   ISRC has no check digit; the format is validated. Hyphens and "ISRC " prefixes are accepted
//   on input and dropped; lower case is upper-cased. Canonical form: "USRC17607839".
// - Iswc: International Standard Musical Work Code (ISO 15707), T-DDD.DDD.DDD-C with a check
//   digit C = (10 - (1 + sum(i * d_i, i = 1..9)) mod 10) mod 10. Accepts "T-034.524.680-1",
//   "T0345246801"; canonical form "T-034.524.680-1".
// - Isni: International Standard Name Identifier (ISO 27729), 16 characters, the last a check
//   character by ISO 7064 MOD 11-2 (0-9 or X). Accepts spaces; canonical form is 16 characters
//   without spaces, e.g. "000000012146438X".
//
// Parse functions return InvalidArgument naming the id and what is wrong (length, character,
// check digit). Thread safety: values.
#ifndef ACCORD_CORE_IDS_H_
#define ACCORD_CORE_IDS_H_

#include <compare>
#include <string>
#include <string_view>

#include "core/status.h"

namespace accord {

class Isrc {
 public:
  Isrc() = default;  // empty: a record not yet filled in; never the result of Parse
  static Result<Isrc> Parse(std::string_view text);
  bool empty() const { return value_.empty(); }
  const std::string& str() const { return value_; }
  friend auto operator<=>(const Isrc&, const Isrc&) = default;

 private:
  explicit Isrc(std::string v) : value_(std::move(v)) {}
  std::string value_;
};

class Iswc {
 public:
  Iswc() = default;  // empty: a record not yet filled in; never the result of Parse
  static Result<Iswc> Parse(std::string_view text);
  bool empty() const { return value_.empty(); }
  const std::string& str() const { return value_; }  // "T-034.524.680-1"
  friend auto operator<=>(const Iswc&, const Iswc&) = default;
  // Computes the check digit for nine digits "034524680" -> '1'. Precondition: 9 digits.
  static char CheckDigit(std::string_view nine_digits);

 private:
  explicit Iswc(std::string v) : value_(std::move(v)) {}
  std::string value_;
};

class Isni {
 public:
  Isni() = default;  // empty: a record not yet filled in; never the result of Parse
  static Result<Isni> Parse(std::string_view text);
  bool empty() const { return value_.empty(); }
  const std::string& str() const { return value_; }  // 16 characters, no spaces
  friend auto operator<=>(const Isni&, const Isni&) = default;
  // ISO 7064 MOD 11-2 check character for 15 digits. Precondition: 15 digits.
  static char CheckCharacter(std::string_view fifteen_digits);

 private:
  explicit Isni(std::string v) : value_(std::move(v)) {}
  std::string value_;
};

}  // namespace accord

#endif  // ACCORD_CORE_IDS_H_
