// Timestamp: a UTC instant with millisecond precision, read and written as ISO 8601.
//
// Internally milliseconds since the Unix epoch (int64), so comparisons are integer compares.
// Parse accepts
//   "2026-01-31"                      midnight UTC that day
//   "2026-01-31T12:00:00Z"            with optional fraction ".123" (at most 3 digits kept;
//   "2026-01-31T12:00:00.5+01:00"     more digits are an error) and a Z or ±hh:mm offset
// A date-time without Z or offset is rejected: accord never guesses a time zone.
// ToString() gives "2026-01-31T12:00:00Z", or "...:00.123Z" when there are milliseconds.
//
// Thread safety: values.
#ifndef ACCORD_CORE_TIME_H_
#define ACCORD_CORE_TIME_H_

#include <compare>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "core/status.h"

namespace accord {

class Timestamp {
 public:
  constexpr Timestamp() = default;  // the epoch
  static constexpr Timestamp FromUnixMillis(int64_t ms) { return Timestamp(ms); }
  // Years 0001..9999 only; InvalidArgument names the text and the field that is wrong
  // (month 13, day 31 in April, hour 24, missing zone, ...).
  static Result<Timestamp> Parse(std::string_view text);
  static Timestamp Now();  // wall clock
  static constexpr Timestamp Min() { return Timestamp(std::numeric_limits<int64_t>::min()); }
  static constexpr Timestamp Max() { return Timestamp(std::numeric_limits<int64_t>::max()); }

  constexpr int64_t unix_millis() const { return unix_millis_; }
  std::string ToString() const;
  // "2026-01-31": the UTC calendar date of this instant.
  std::string DateString() const;

  friend constexpr auto operator<=>(const Timestamp&, const Timestamp&) = default;

 private:
  constexpr explicit Timestamp(int64_t ms) : unix_millis_(ms) {}
  int64_t unix_millis_ = 0;
};

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);

}  // namespace accord

#endif  // ACCORD_CORE_TIME_H_
