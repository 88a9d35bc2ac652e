// JsonCursor: reads the narrow JSON shapes that fast paths accept, straight from the text.
//
// Two hot paths read request lines that are nearly always simple: the server's decision bodies
// (server/api.cc, ScanFlatBody) and usage event lines (ledger/event_scan.h). They read them with
// this cursor instead of building a JSON document. Every method returns false at the first
// thing outside the grammar below, and reports nothing: the caller then gives the whole text to
// the JSON library, which accepts it or words the error. So the cursor may decline valid JSON
// (an escape, a float), but what it accepts means what the library would make of it.
//
//   space   := (' ' | '\t' | '\n' | '\r')*        skipped before every token
//   string  := '"' (byte 0x20..0x7e except '"' and '\\')* '"'
//   integer := '-'? ('0' | [1-9][0-9]{0,17})       never "-0"; 18 digits cannot overflow
//   boolean := 'true' | 'false'                    followed by a delimiter
//
//   JsonCursor in(text);
//   std::string_view key;
//   if (!in.Take('{') || !in.String(&key) || !in.Take(':')) return false;  // not decided here
//
// Thread safety: a value over a view; the text must outlive it.
#ifndef ACCORD_CORE_JSON_CURSOR_H_
#define ACCORD_CORE_JSON_CURSOR_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace accord {

class JsonCursor {
 public:
  explicit JsonCursor(std::string_view text) : text_(text) {}

  void SkipSpace() {
    while (at_ < text_.size() && IsSpace(text_[at_])) ++at_;
  }
  // Consumes `c` after space; false (nothing consumed but space) when something else is next.
  bool Take(char c) {
    SkipSpace();
    if (at_ >= text_.size() || text_[at_] != c) return false;
    ++at_;
    return true;
  }
  bool Peek(char c) {
    SkipSpace();
    return at_ < text_.size() && text_[at_] == c;
  }
  bool AtEnd() {
    SkipSpace();
    return at_ == text_.size();
  }

  // A string of printable ASCII without escapes; `*out` is its content, without the quotes.
  bool String(std::string_view* out) {
    if (!Take('"')) return false;
    const std::size_t begin = at_;
    for (; at_ < text_.size(); ++at_) {
      const auto c = static_cast<unsigned char>(text_[at_]);
      if (c == '"') {
        *out = text_.substr(begin, at_ - begin);
        ++at_;
        return true;
      }
      // An escape, a control character or a byte of a multi-byte sequence: the library
      // decodes and validates those.
      if (c == '\\' || c < 0x20 || c > 0x7e) return false;
    }
    return false;
  }

  // An integer the library reads as one (not a float): no fraction, no exponent.
  bool Integer(int64_t* out, bool allow_negative) {
    SkipSpace();
    bool negative = false;
    if (at_ < text_.size() && text_[at_] == '-') {
      if (!allow_negative) return false;
      negative = true;
      ++at_;
    }
    const std::size_t begin = at_;
    int64_t value = 0;
    while (at_ < text_.size() && text_[at_] >= '0' && text_[at_] <= '9') {
      value = value * 10 + (text_[at_] - '0');
      ++at_;
      if (at_ - begin > 18) return false;
    }
    const std::size_t digits = at_ - begin;
    if (digits == 0 || (digits > 1 && text_[begin] == '0')) return false;
    if (negative && value == 0) return false;
    if (at_ < text_.size() && (text_[at_] == '.' || text_[at_] == 'e' || text_[at_] == 'E')) {
      return false;
    }
    *out = negative ? -value : value;
    return true;
  }

  bool Bool(bool* out) {
    SkipSpace();
    const std::string_view rest = text_.substr(at_);
    if (rest.starts_with("true")) {
      at_ += 4;
      *out = true;
    } else if (rest.starts_with("false")) {
      at_ += 5;
      *out = false;
    } else {
      return false;
    }
    // "truex" is not JSON: a delimiter must follow.
    return at_ == text_.size() || text_[at_] == ',' || text_[at_] == '}' || text_[at_] == ']' ||
           IsSpace(text_[at_]);
  }

 private:
  static bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

  std::string_view text_;
  std::size_t at_ = 0;
};

}  // namespace accord

#endif  // ACCORD_CORE_JSON_CURSOR_H_
