#include "core/text.h"

namespace accord {

bool EqualsIgnoreAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ToAsciiLower(a[i]) != ToAsciiLower(b[i])) return false;
  }
  return true;
}

std::string QuoteForError(std::string_view text) {
  constexpr size_t kMaxShown = 64;
  std::string out = "\"";
  if (text.size() > kMaxShown) {
    out += text.substr(0, kMaxShown);
    out += "...";
  } else {
    out += text;
  }
  out += "\"";
  return out;
}

}  // namespace accord
