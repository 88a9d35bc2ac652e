// ASCII text helpers shared by the parsers of core, catalog and rights.
//
// Identifiers, codes and names in accord's formats are ASCII by definition (ISRC, ISO codes,
// scope names), so these deliberately ignore locales: "I" lower-cases to "i" everywhere.
//
// Thread safety: pure functions.
#ifndef ACCORD_CORE_TEXT_H_
#define ACCORD_CORE_TEXT_H_

#include <string>
#include <string_view>

namespace accord {

inline bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }
inline bool IsAsciiUpper(char c) { return c >= 'A' && c <= 'Z'; }
inline char ToAsciiUpper(char c) {
  return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}
inline char ToAsciiLower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
bool EqualsIgnoreAsciiCase(std::string_view a, std::string_view b);

// Names the input in an error message, in double quotes, cut to 64 bytes plus "..." so that
// garbage in a field does not become a huge message.
std::string QuoteForError(std::string_view text);

}  // namespace accord

#endif  // ACCORD_CORE_TEXT_H_
