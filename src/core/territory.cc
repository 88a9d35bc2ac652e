#include "core/territory.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/text.h"

namespace accord {
namespace {

// The 249 officially assigned ISO 3166-1 alpha-2 codes, sorted; a code's position is its index.
// User-assigned and reserved codes (XK for Kosovo, EU, UK, ...) are deliberately absent: they
// name no country in the standard, and a licence that uses them must say what it means with
// assigned codes instead. Adding a code shifts the indices after it, which changes no stored
// data because sets are always written out as codes, never as bits.
constexpr std::array<std::string_view, kTerritoryCount> kCodes = {
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
    "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
    "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
};

// std::array's size would silently accept a list one short (the rest value-initialised), so
// check that every slot holds a code and that the order, which the indices depend on, is strict.
constexpr bool CodesWellFormed() {
  for (size_t i = 0; i < kCodes.size(); ++i) {
    if (kCodes[i].size() != 2) return false;
    if (i > 0 && !(kCodes[i - 1] < kCodes[i])) return false;
  }
  return true;
}
static_assert(CodesWellFormed(), "kCodes must hold kTerritoryCount sorted, distinct codes");
static_assert(kTerritoryCount <= 256, "TerritorySet is a 256-bit set");

bool IsSeparator(char c) { return c == ' ' || c == ',' || c == '\t' || c == '\n' || c == '\r'; }

std::bitset<256> AllTerritories() {
  std::bitset<256> bits;
  for (int i = 0; i < kTerritoryCount; ++i) bits.set(static_cast<size_t>(i));
  return bits;
}

}  // namespace

Result<Territory> Territory::Parse(std::string_view code) {
  // Every event a royalty run reads names its territory: one read of a table of the 26 x 26
  // two-letter codes (-1 where none is assigned) rather than a binary search of strings.
  static const std::array<int16_t, 26 * 26> kIndexOfCode = [] {
    std::array<int16_t, 26 * 26> table;
    table.fill(-1);
    for (size_t index = 0; index < kCodes.size(); ++index) {
      table[static_cast<size_t>((kCodes[index][0] - 'A') * 26 + (kCodes[index][1] - 'A'))] =
          static_cast<int16_t>(index);
    }
    return table;
  }();
  if (code.size() == 2) {
    const char first = ToAsciiUpper(code[0]);
    const char second = ToAsciiUpper(code[1]);
    if (first >= 'A' && first <= 'Z' && second >= 'A' && second <= 'Z') {
      const int16_t index = kIndexOfCode[static_cast<size_t>((first - 'A') * 26 + (second - 'A'))];
      if (index >= 0) return Territory(index);
    }
  }
  return InvalidArgumentError("territory " + QuoteForError(code) +
                              ": not an officially assigned ISO 3166-1 alpha-2 code");
}

Territory Territory::FromIndex(int index) {
  // A bad index is a programmer error, never input; fail loudly, as Result::value() does,
  // rather than hand back a territory that reads out of bounds later.
  if (index < 0 || index >= kTerritoryCount) {
    throw std::out_of_range("Territory::FromIndex(" + std::to_string(index) + ")");
  }
  return Territory(index);
}

std::string_view Territory::code() const { return kCodes[static_cast<size_t>(index_)]; }

TerritorySet TerritorySet::Worldwide() {
  TerritorySet set;
  set.bits_ = AllTerritories();
  set.worldwide_form_ = true;
  return set;
}

TerritorySet TerritorySet::WorldwideExcept(const std::vector<Territory>& excluded) {
  TerritorySet set = Worldwide();
  for (Territory t : excluded) set.bits_.reset(static_cast<size_t>(t.index()));
  return set;
}

TerritorySet TerritorySet::Only(const std::vector<Territory>& included) {
  TerritorySet set;
  for (Territory t : included) set.bits_.set(static_cast<size_t>(t.index()));
  return set;
}

Result<TerritorySet> TerritorySet::Parse(std::string_view text) {
  auto error = [&](const std::string& problem) {
    return InvalidArgumentError("territories " + QuoteForError(text) + ": " + problem);
  };
  std::vector<std::string_view> tokens;
  size_t pos = 0;
  while (pos < text.size()) {
    if (IsSeparator(text[pos])) {
      ++pos;
      continue;
    }
    size_t end = pos;
    while (end < text.size() && !IsSeparator(text[end])) ++end;
    tokens.push_back(text.substr(pos, end - pos));
    pos = end;
  }
  if (tokens.empty()) {
    return error("empty; write \"worldwide\" or list ISO 3166-1 alpha-2 codes such as \"DE AT\"");
  }

  bool worldwide = EqualsIgnoreAsciiCase(tokens[0], "worldwide");
  std::vector<Territory> listed;
  for (size_t i = worldwide ? 1 : 0; i < tokens.size(); ++i) {
    std::string_view token = tokens[i];
    if (EqualsIgnoreAsciiCase(token, "worldwide")) {
      return error("\"worldwide\" may only come first");
    }
    bool is_exclusion = !token.empty() && token[0] == '-';
    if (worldwide && !is_exclusion) {
      return error("after \"worldwide\" only exclusions such as \"-US\" may follow, not " +
                   QuoteForError(token));
    }
    if (!worldwide && is_exclusion) {
      return error("exclusion " + QuoteForError(token) + " needs \"worldwide\" first");
    }
    std::string_view code = is_exclusion ? token.substr(1) : token;
    Result<Territory> territory = Territory::Parse(code);
    if (!territory.ok()) return territory.status().WithPrefix("territories " + QuoteForError(text));
    listed.push_back(*territory);
  }
  return worldwide ? WorldwideExcept(listed) : Only(listed);
}

std::vector<Territory> TerritorySet::listed() const {
  std::vector<Territory> out;
  for (int i = 0; i < kTerritoryCount; ++i) {
    // In the worldwide form the listed codes are the ones missing from the set.
    if (bits_.test(static_cast<size_t>(i)) != worldwide_form_)
      out.push_back(Territory::FromIndex(i));
  }
  return out;
}

std::string TerritorySet::ToString() const {
  std::string out = worldwide_form_ ? "worldwide" : "";
  for (Territory t : listed()) {
    if (!out.empty()) out += ' ';
    if (worldwide_form_) out += '-';
    out += t.code();
  }
  return out;
}

}  // namespace accord
