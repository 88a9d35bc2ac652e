#include "core/ids.h"

#include <string>
#include <string_view>

#include "core/text.h"

namespace accord {
namespace {

// Describes a character for an error message; control characters would be invisible.
std::string Describe(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  if (u < 0x20 || u >= 0x7f) {
    static constexpr char kHex[] = "0123456789abcdef";
    return std::string("byte 0x") + kHex[u >> 4] + kHex[u & 0xf];
  }
  return std::string("'") + c + "'";
}

// True when `text` starts with `prefix`, ignoring ASCII case.
bool StartsWithIgnoreCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (ToAsciiUpper(text[i]) != ToAsciiUpper(prefix[i])) return false;
  }
  return true;
}

}  // namespace

Result<Isrc> Isrc::Parse(std::string_view text) {
  auto error = [&](const std::string& problem) {
    return InvalidArgumentError("ISRC " + QuoteForError(text) + ": " + problem);
  };
  std::string_view rest = text;
  // Labels' spreadsheets and liner notes often write "ISRC US-RC1-76-07839"; the prefix is a
  // label, not part of the code.
  if (StartsWithIgnoreCase(rest, "ISRC ")) rest.remove_prefix(5);

  std::string code;
  code.reserve(12);
  for (char c : rest) {
    if (c == '-') continue;
    if (code.size() == 12) return error("longer than 12 characters (hyphens aside)");
    code.push_back(ToAsciiUpper(c));
  }
  if (code.size() != 12) {
    return error("has " + std::to_string(code.size()) +
                 " characters (hyphens aside), expected 12 as CC-XXX-YY-NNNNN");
  }
  for (size_t i = 0; i < 12; ++i) {
    char c = code[i];
    bool fits = i < 2   ? IsAsciiUpper(c)
                : i < 5 ? (IsAsciiUpper(c) || IsAsciiDigit(c))
                        : IsAsciiDigit(c);
    if (!fits) {
      const char* field = i < 2   ? "country code (2 letters)"
                          : i < 5 ? "registrant code (3 letters or digits)"
                          : i < 7 ? "year (2 digits)"
                                  : "designation code (5 digits)";
      return error(Describe(c) + " at character " + std::to_string(i + 1) +
                   " is not valid in the " + field);
    }
  }
  return Isrc(std::move(code));
}

char Iswc::CheckDigit(std::string_view nine_digits) {
  int sum = 1;
  for (size_t i = 0; i < nine_digits.size() && i < 9; ++i) {
    sum += static_cast<int>(i + 1) * (nine_digits[i] - '0');
  }
  return static_cast<char>('0' + (10 - sum % 10) % 10);
}

Result<Iswc> Iswc::Parse(std::string_view text) {
  auto error = [&](const std::string& problem) {
    return InvalidArgumentError("ISWC " + QuoteForError(text) + ": " + problem);
  };
  if (text.empty() || ToAsciiUpper(text[0]) != 'T') return error("must start with 'T'");

  // Separators are presentation only: "T-034.524.680-1", "T0345246801" and "T-034524680-1" all
  // name the same work, so hyphens and dots are dropped wherever they fall.
  std::string digits;
  digits.reserve(10);
  for (size_t i = 1; i < text.size(); ++i) {
    char c = text[i];
    if (c == '-' || c == '.') continue;
    if (!IsAsciiDigit(c)) {
      return error(Describe(c) + " at position " + std::to_string(i + 1) + " is not a digit");
    }
    if (digits.size() == 10) return error("more than 10 digits");
    digits.push_back(c);
  }
  if (digits.size() != 10) {
    return error("has " + std::to_string(digits.size()) +
                 " digits, expected 9 and a check digit as T-DDD.DDD.DDD-C");
  }
  char expected = CheckDigit(std::string_view(digits).substr(0, 9));
  if (digits[9] != expected) {
    return error(std::string("check digit is ") + digits[9] + ", expected " + expected);
  }
  std::string canonical = "T-";
  canonical.append(digits, 0, 3);
  canonical += '.';
  canonical.append(digits, 3, 3);
  canonical += '.';
  canonical.append(digits, 6, 3);
  canonical += '-';
  canonical += digits[9];
  return Iswc(std::move(canonical));
}

char Isni::CheckCharacter(std::string_view fifteen_digits) {
  // ISO 7064 MOD 11-2, as ISO 27729 specifies and ORCID documents.
  int total = 0;
  for (size_t i = 0; i < fifteen_digits.size() && i < 15; ++i) {
    total = (total + (fifteen_digits[i] - '0')) * 2 % 11;
  }
  int check = (12 - total % 11) % 11;
  return check == 10 ? 'X' : static_cast<char>('0' + check);
}

Result<Isni> Isni::Parse(std::string_view text) {
  auto error = [&](const std::string& problem) {
    return InvalidArgumentError("ISNI " + QuoteForError(text) + ": " + problem);
  };
  // ISNIs are printed in groups of four ("0000 0001 2146 438X"); the spaces are layout only.
  std::string code;
  code.reserve(16);
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == ' ') continue;
    if (code.size() == 16) return error("longer than 16 characters (spaces aside)");
    bool is_last = code.size() == 15;
    if (!IsAsciiDigit(c) && !(is_last && (c == 'X' || c == 'x'))) {
      return error(Describe(c) + " at position " + std::to_string(i + 1) +
                   (is_last ? " is not a digit or X" : " is not a digit"));
    }
    code.push_back(ToAsciiUpper(c));
  }
  if (code.size() != 16) {
    return error("has " + std::to_string(code.size()) + " characters (spaces aside), expected 16");
  }
  char expected = CheckCharacter(std::string_view(code).substr(0, 15));
  if (code[15] != expected) {
    return error(std::string("check character is ") + code[15] + ", expected " + expected);
  }
  return Isni(std::move(code));
}

}  // namespace accord
