#include "core/time.h"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "core/text.h"

namespace accord {
namespace {

constexpr int64_t kMillisPerSecond = 1000;
constexpr int64_t kMillisPerMinute = 60 * kMillisPerSecond;
constexpr int64_t kMillisPerHour = 60 * kMillisPerMinute;
constexpr int64_t kMillisPerDay = 24 * kMillisPerHour;

struct CivilDate {
  int64_t year;
  unsigned month;
  unsigned day;
};

// Howard Hinnant's civil_from_days, the inverse of DaysFromCivil; valid for any int64 day count
// that Timestamp can produce (about +-1e11 days).
CivilDate CivilFromDays(int64_t days) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned day_of_era = static_cast<unsigned>(days - era * 146097);
  const unsigned year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const int64_t year = static_cast<int64_t>(year_of_era) + era * 400;
  const unsigned day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const unsigned shifted_month = (5 * day_of_year + 2) / 153;  // March = 0
  const unsigned day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
  const unsigned month = shifted_month < 10 ? shifted_month + 3 : shifted_month - 9;
  return CivilDate{month <= 2 ? year + 1 : year, month, day};
}

// Floor division and the matching non-negative remainder: instants before 1970 have negative
// millis, and truncating division would put 1969-12-31T23:59:59.999Z on 1970-01-01.
int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

bool IsLeapYear(int64_t year) { return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0); }

unsigned DaysInMonth(int64_t year, unsigned month) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

// Reads exactly `count` digits at `pos`; false when any of them is not a digit or the text ends.
bool ReadDigits(std::string_view text, size_t pos, size_t count, int64_t* value) {
  if (pos + count > text.size()) return false;
  int64_t result = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    result = result * 10 + (text[i] - '0');
  }
  *value = result;
  return true;
}

bool CharAt(std::string_view text, size_t pos, char expected) {
  return pos < text.size() && text[pos] == expected;
}

std::string FormatDate(const CivilDate& date) {
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%04lld-%02u-%02u", static_cast<long long>(date.year),
                date.month, date.day);
  return buffer;
}

}  // namespace

int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day) {
  year -= month <= 2 ? 1 : 0;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const unsigned year_of_era = static_cast<unsigned>(year - era * 400);
  const unsigned day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + static_cast<int64_t>(day_of_era) - 719468;
}

Result<Timestamp> Timestamp::Parse(std::string_view text) {
  // Out-of-range fields say which field and why; malformed text also shows the accepted forms,
  // since the writer most likely used a different format altogether.
  auto range_error = [&](const std::string& problem) {
    return InvalidArgumentError("timestamp " + QuoteForError(text) + ": " + problem);
  };
  auto error = [&](const std::string& problem) {
    return range_error(problem + " (expected YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS[.fff]Z or ...+HH:MM)");
  };

  int64_t year = 0;
  int64_t month = 0;
  int64_t day = 0;
  if (!ReadDigits(text, 0, 4, &year)) return error("year is not four digits");
  if (!CharAt(text, 4, '-')) return error("expected '-' after the year");
  if (!ReadDigits(text, 5, 2, &month)) return error("month is not two digits");
  if (!CharAt(text, 7, '-')) return error("expected '-' after the month");
  if (!ReadDigits(text, 8, 2, &day)) return error("day is not two digits");
  if (year < 1) return range_error("year 0000 is out of range (0001..9999)");
  if (month < 1 || month > 12) {
    return range_error("month " + std::to_string(month) + " is not 1..12");
  }
  unsigned month_days = DaysInMonth(year, static_cast<unsigned>(month));
  if (day < 1 || day > month_days) {
    return range_error("day " + std::to_string(day) + " is not 1.." + std::to_string(month_days) +
                       " in " + std::to_string(year) + "-" + (month < 10 ? "0" : "") +
                       std::to_string(month));
  }
  int64_t millis =
      DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * kMillisPerDay;
  if (text.size() == 10) return Timestamp(millis);

  // RFC 3339 allows a lower-case 't' and 'z'; accepting them costs nothing.
  if (text[10] != 'T' && text[10] != 't') return error("expected 'T' after the date");
  int64_t hour = 0;
  int64_t minute = 0;
  int64_t second = 0;
  if (!ReadDigits(text, 11, 2, &hour)) return error("hour is not two digits");
  if (!CharAt(text, 13, ':')) return error("expected ':' after the hour");
  if (!ReadDigits(text, 14, 2, &minute)) return error("minute is not two digits");
  if (!CharAt(text, 16, ':')) return error("expected ':' after the minute");
  if (!ReadDigits(text, 17, 2, &second)) return error("second is not two digits");
  if (hour > 23) return range_error("hour " + std::to_string(hour) + " is not 0..23");
  if (minute > 59) return range_error("minute " + std::to_string(minute) + " is not 0..59");
  // A leap second (":60") has no Unix-time representation of its own; refusing it is better
  // than silently folding it into the next second.
  if (second > 59) return range_error("second " + std::to_string(second) + " is not 0..59");
  millis += hour * kMillisPerHour + minute * kMillisPerMinute + second * kMillisPerSecond;

  size_t pos = 19;
  if (CharAt(text, pos, '.')) {
    ++pos;
    size_t start = pos;
    int64_t fraction_ms = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (pos - start == 3) return error("fraction has more than 3 digits");
      fraction_ms = fraction_ms * 10 + (text[pos] - '0');
      ++pos;
    }
    size_t digits = pos - start;
    if (digits == 0) return error("fraction after '.' has no digits");
    for (size_t scale = digits; scale < 3; ++scale) fraction_ms *= 10;  // ".5" is 500 ms
    millis += fraction_ms;
  }

  if (pos >= text.size()) return error("missing time zone (Z or +HH:MM)");
  char zone = text[pos];
  if (zone == 'Z' || zone == 'z') {
    if (pos + 1 != text.size()) return error("unexpected text after 'Z'");
    return Timestamp(millis);
  }
  if (zone != '+' && zone != '-') return error("expected Z or +HH:MM after the time");
  int64_t offset_hours = 0;
  int64_t offset_minutes = 0;
  if (!ReadDigits(text, pos + 1, 2, &offset_hours) || !CharAt(text, pos + 3, ':') ||
      !ReadDigits(text, pos + 4, 2, &offset_minutes) || pos + 6 != text.size()) {
    return error("zone offset is not +HH:MM or -HH:MM");
  }
  if (offset_hours > 23)
    return range_error("zone offset hour " + std::to_string(offset_hours) + " is not 0..23");
  if (offset_minutes > 59) {
    return range_error("zone offset minute " + std::to_string(offset_minutes) + " is not 0..59");
  }
  // Local time = UTC + offset, so UTC = local - offset.
  int64_t offset_ms = offset_hours * kMillisPerHour + offset_minutes * kMillisPerMinute;
  millis += zone == '+' ? -offset_ms : offset_ms;
  return Timestamp(millis);
}

Timestamp Timestamp::Now() {
  auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  return Timestamp(std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count());
}

std::string Timestamp::ToString() const {
  const int64_t days = FloorDiv(unix_millis_, kMillisPerDay);
  // The remainder, moved into [0, one day) for instants before the epoch. Computed with % rather
  // than as millis - days * kMillisPerDay, which overflows for Timestamp::Min().
  int64_t in_day = unix_millis_ % kMillisPerDay;
  if (in_day < 0) in_day += kMillisPerDay;
  const int64_t hour = in_day / kMillisPerHour;
  const int64_t minute = in_day % kMillisPerHour / kMillisPerMinute;
  const int64_t second = in_day % kMillisPerMinute / kMillisPerSecond;
  const int64_t ms = in_day % kMillisPerSecond;
  char buffer[32];
  if (ms != 0) {
    std::snprintf(buffer, sizeof buffer, "T%02lld:%02lld:%02lld.%03lldZ",
                  static_cast<long long>(hour), static_cast<long long>(minute),
                  static_cast<long long>(second), static_cast<long long>(ms));
  } else {
    std::snprintf(buffer, sizeof buffer, "T%02lld:%02lld:%02lldZ", static_cast<long long>(hour),
                  static_cast<long long>(minute), static_cast<long long>(second));
  }
  return FormatDate(CivilFromDays(days)) + buffer;
}

std::string Timestamp::DateString() const {
  return FormatDate(CivilFromDays(FloorDiv(unix_millis_, kMillisPerDay)));
}

}  // namespace accord
