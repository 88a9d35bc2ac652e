// Territories: ISO 3166-1 alpha-2 countries, and sets of them as agreements name them.
//
// A Territory is one officially assigned alpha-2 code ("DE", "US"); each has a dense index
// 0..kTerritoryCount-1 so that a TerritorySet is a fixed 256-bit set and membership is one bit
// test (the policy engine checks it millions of times a second).
//
// A TerritorySet is written as
//   "worldwide"                      every country
//   "worldwide -US -CA"              every country except those listed ("worldwide minus a list")
//   "DE AT CH"                       exactly those (commas or spaces separate)
// and keeps the form it was written in, so ToString() round-trips what a licence said.
//
// Thread safety: values.
#ifndef ACCORD_CORE_TERRITORY_H_
#define ACCORD_CORE_TERRITORY_H_

#include <bitset>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace accord {

inline constexpr int kTerritoryCount = 249;  // officially assigned ISO 3166-1 alpha-2 codes

class Territory {
 public:
  // "DE" or "de". InvalidArgument naming the code when it is not officially assigned.
  static Result<Territory> Parse(std::string_view code);
  static Territory FromIndex(int index);  // precondition: 0 <= index < kTerritoryCount

  int index() const { return index_; }
  std::string_view code() const;
  friend auto operator<=>(const Territory&, const Territory&) = default;

 private:
  explicit Territory(int index) : index_(index) {}
  int index_ = 0;
};

class TerritorySet {
 public:
  TerritorySet() = default;  // empty
  static TerritorySet Worldwide();
  static TerritorySet WorldwideExcept(const std::vector<Territory>& excluded);
  static TerritorySet Only(const std::vector<Territory>& included);

  // Parses the forms above. InvalidArgument names the bad code or an empty list.
  static Result<TerritorySet> Parse(std::string_view text);

  bool Contains(Territory t) const { return bits_.test(static_cast<size_t>(t.index())); }
  bool empty() const { return bits_.none(); }
  bool is_worldwide_form() const { return worldwide_form_; }
  // The listed codes: the exclusions for the worldwide form, the inclusions otherwise.
  std::vector<Territory> listed() const;

  // Canonical form, codes sorted: "worldwide", "worldwide -CA -US", "AT CH DE". The empty set
  // (from the default constructor or Only({})) gives "", which Parse rejects; every other set
  // satisfies Parse(ToString()) == set.
  std::string ToString() const;
  friend bool operator==(const TerritorySet&, const TerritorySet&) = default;

 private:
  std::bitset<256> bits_;
  bool worldwide_form_ = false;
};

}  // namespace accord

#endif  // ACCORD_CORE_TERRITORY_H_
