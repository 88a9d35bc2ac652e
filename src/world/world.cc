// World generator. The shape of the world and why it is drawn this way:
//
// - Determinism. Every random draw comes from std::mt19937_64, whose output sequence the C++
//   standard fixes bit for bit, through distribution code written here (uniform doubles from 53
//   bits, integers by modulo, inverse-CDF sampling over cumulative weights). The standard's own
//   distributions are not specified bit for bit and differ between standard libraries, so none
//   is used. Each phase (labels, artists, writers, recordings, agreements, consents, takedowns)
//   draws from its own engine seeded from (seed, phase), so changing how one phase draws leaves
//   the others of a seed unchanged.
// - Catalog sizes follow a rank-size power law (size ~ rank^-1.1, with a little jitter), capped
//   so that the biggest stars hold hundreds to about a thousand recordings and the long tail 1-3.
//   Stars sign with majors more often, which gives the majors about two thirds of recordings.
// - Identifiers are unique by construction, not by retrying: ISRC designations count up per
//   issuer (a label, a major's national branch, a distributor, a national pool for DIY artists)
//   and each block of 100,000 gets a fresh registrant code; ISWCs are a bijection of the work's
//   index onto nine digits.
// - Everything that is a "fact" for the policy engine has both outcomes present: labels with and
//   without agreements, agreements in force, expired and not yet started, consents in and out
//   for every scope, artists who changed their mind, recordings taken down and lifted.
#include "world/world.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "catalog/model.h"
#include "core/ids.h"
#include "core/money.h"
#include "core/territory.h"
#include "core/time.h"
#include "rights/model.h"

namespace accord::world {
namespace {

using catalog::ContainsAi;
using catalog::kWholePpm;
using catalog::Party;
using catalog::PartyKind;
using catalog::Recording;
using catalog::Share;
using catalog::Work;
using rights::Agreement;
using rights::Consent;
using rights::ConsentChoice;
using rights::EconomicTerms;
using rights::Registry;
using rights::Scope;
using rights::ScopeSet;
using rights::Takedown;
using rights::TakedownAction;

constexpr int64_t kMaxRecordings = 100'000'000;
constexpr int64_t kMaxArtists = 10'000'000;
constexpr int64_t kMaxLabels = 100'000;
constexpr int64_t kMaxPublishers = 100'000;
constexpr int kMajorCount = 3;
constexpr int kMaxSubLabels = 4 * kMajorCount;
constexpr int64_t kMillisPerDay = 86'400'000;
constexpr int64_t kMillisPerSecond = 1'000;

// ---------------------------------------------------------------------------------------------
// Randomness.

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

enum class Phase : uint64_t {
  kLabels = 1,
  kArtists,
  kWriters,
  kRecordings,
  kAgreements,
  kConsents,
  kTakedowns,
  kNames,
};

class Random {
 public:
  Random(uint64_t seed, Phase phase) {
    uint64_t state = seed ^ (static_cast<uint64_t>(phase) * 0xD1B54A32D192ED03ull);
    engine_.seed(SplitMix64(state));
  }

  uint64_t Bits() { return engine_(); }
  // Uniform in [0, 1) with 53 random bits, as exact as a double allows.
  double Uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  // Uniform in [0, n). Precondition: n > 0. Modulo bias is below n / 2^64: invisible here.
  int64_t Below(int64_t n) { return static_cast<int64_t>(engine_() % static_cast<uint64_t>(n)); }
  // Uniform in [low, high], both inclusive. Precondition: low <= high.
  int64_t Between(int64_t low, int64_t high) { return low + Below(high - low + 1); }
  bool Chance(double probability) { return Uniform() < probability; }

  template <typename T, size_t N>
  const T& Pick(const std::array<T, N>& items) {
    return items[static_cast<size_t>(Below(static_cast<int64_t>(N)))];
  }

 private:
  std::mt19937_64 engine_;
};

// Zipf weight rank^-exponent, rounded to a 2^-40 grid. std::pow is within an ulp on every
// mainstream libm but not always correctly rounded; the grid makes a last-bit difference
// between platforms (almost surely) vanish, so a seed gives the same world everywhere.
double ZipfWeight(int64_t rank, double exponent) {
  const double raw = std::pow(static_cast<double>(rank), -exponent);
  return std::round(raw * 0x1.0p40) * 0x1.0p-40;
}

// Inverse-CDF sampling over fixed weights: O(log n) per draw.
class WeightedSampler {
 public:
  WeightedSampler() = default;
  explicit WeightedSampler(const std::vector<double>& weights) {
    cumulative_.reserve(weights.size());
    double sum = 0;
    for (double weight : weights) {
      sum += weight;
      cumulative_.push_back(sum);
    }
  }
  static WeightedSampler Zipf(int64_t count, double exponent) {
    std::vector<double> weights;
    weights.reserve(static_cast<size_t>(std::max<int64_t>(count, 0)));
    for (int64_t rank = 1; rank <= count; ++rank) weights.push_back(ZipfWeight(rank, exponent));
    return WeightedSampler(weights);
  }

  bool empty() const { return cumulative_.empty(); }
  // Precondition: !empty().
  int64_t Sample(Random& random) const {
    const double target = random.Uniform() * cumulative_.back();
    const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), target);
    const int64_t index = it - cumulative_.begin();
    return std::min<int64_t>(index, static_cast<int64_t>(cumulative_.size()) - 1);
  }

 private:
  std::vector<double> cumulative_;
};

// ---------------------------------------------------------------------------------------------
// Static tables: countries, words, names.

struct CountryInfo {
  std::string_view code;
  double weight;            // share of artists and labels, roughly the recorded-music market
  std::string_view region;  // the territory list a local licence names
  std::string_view currency;
};

constexpr std::array<CountryInfo, 16> kCountries = {{
    {"US", 30, "US CA", "USD"},
    {"GB", 12, "GB IE", "GBP"},
    {"DE", 9, "DE AT CH", "EUR"},
    {"JP", 8, "JP", "USD"},
    {"FR", 7, "FR BE CH LU", "EUR"},
    {"BR", 6, "BR PT", "USD"},
    {"SE", 5, "SE NO DK FI IS", "EUR"},
    {"KR", 4, "KR", "USD"},
    {"CA", 4, "CA US", "USD"},
    {"AU", 3, "AU NZ", "USD"},
    {"NL", 3, "NL BE LU", "EUR"},
    {"ES", 3, "ES PT", "EUR"},
    {"IT", 3, "IT SM VA", "EUR"},
    {"MX", 3, "MX", "USD"},
    {"NG", 2, "NG GH", "USD"},
    {"NO", 2, "NO SE DK FI IS", "EUR"},
}};
constexpr int kCountryCount = static_cast<int>(kCountries.size());

// The 27 EU member states: a common licence territory for European independents.
constexpr std::string_view kEuropeanUnion =
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE";

constexpr std::array<std::string_view, 48> kFirstNames = {
    "Maja",   "Liam",  "Sofia",  "Noah",  "Emma",  "Lucas", "Aiko",  "Kenji", "Ines",  "Mateo",
    "Freja",  "Oskar", "Amara",  "Tunde", "Chloe", "Jules", "Ana",   "Pedro", "Yuna",  "Minho",
    "Elena",  "Marco", "Hannah", "Felix", "Zoe",   "Caleb", "Nora",  "Elias", "Leila", "Omar",
    "Clara",  "Hugo",  "Isla",   "Finn",  "Mila",  "Arjun", "Priya", "Diego", "Lucia", "Jonas",
    "Astrid", "Soren", "Ruby",   "Theo",  "Nia",   "Kofi",  "Vera",  "Milo"};
constexpr std::array<std::string_view, 48> kLastNames = {
    "Lindqvist", "Okafor",   "Tanaka",  "Moreau",   "Silva",  "Becker",   "Novak",  "Park",
    "Rossi",     "Garcia",   "Nielsen", "Kowalski", "Dubois", "Schmidt",  "Haddad", "Costa",
    "Murphy",    "Fischer",  "Sato",    "Larsen",   "Mendes", "Adeyemi",  "Brooks", "Hughes",
    "Kim",       "Yamamoto", "Berg",    "Ortiz",    "Weber",  "Laurent",  "Reyes",  "Quinn",
    "Ivanova",   "Bianchi",  "Walsh",   "Hoffmann", "Santos", "Nakamura", "Strand", "Alves",
    "Carter",    "Hayes",    "Eriksen", "Mensah",   "Vargas", "Lambert",  "Wolf",   "Holm"};
constexpr std::array<std::string_view, 48> kAdjectives = {
    "Golden",   "Silver",  "Velvet",  "Electric", "Midnight", "Broken",  "Neon",   "Quiet",
    "Wild",     "Crystal", "Hollow",  "Paper",    "Burning",  "Frozen",  "Lonely", "Northern",
    "Secret",   "Endless", "Little",  "Crimson",  "Faded",    "Hidden",  "Lucky",  "Purple",
    "Restless", "Sacred",  "Shallow", "Soft",     "Static",   "Sweet",   "Tender", "Violet",
    "Young",    "Savage",  "Distant", "Gentle",   "Heavy",    "Holy",    "Lost",   "Magnetic",
    "Open",     "Pale",    "Perfect", "Rising",   "Silent",   "Strange", "Sunday", "Wooden"};
constexpr std::array<std::string_view, 48> kNouns = {
    "Heart",   "Summer",  "River",   "Fire",    "Ocean",     "City",     "Dream",   "Light",
    "Shadow",  "Rain",    "Glass",   "Gravity", "Horizon",   "Memory",   "Thunder", "Mirror",
    "Signal",  "Garden",  "Highway", "Echo",    "Winter",    "Harbor",   "Moon",    "Paradise",
    "Silence", "Skyline", "Storm",   "Sunrise", "Velocity",  "Wildfire", "Island",  "Kingdom",
    "Lullaby", "Machine", "Morning", "Orbit",   "Satellite", "Season",   "Spark",   "Tide",
    "Neon",    "Coast",   "Desert",  "Fever",   "Home",      "Anthem",   "Ghost",   "Diamond"};
constexpr std::array<std::string_view, 32> kPluralNouns = {
    "Harbors", "Wolves",  "Strangers",  "Lanterns",  "Comets",   "Tides",   "Echoes", "Pilots",
    "Foxes",   "Ghosts",  "Rivers",     "Sparrows",  "Kings",    "Mirrors", "Saints", "Machines",
    "Lights",  "Waves",   "Satellites", "Horses",    "Dreamers", "Shadows", "Giants", "Rebels",
    "Arrows",  "Orchids", "Hearts",     "Wanderers", "Cities",   "Stars",   "Owls",   "Embers"};
constexpr std::array<std::string_view, 24> kGerunds = {
    "Chasing", "Falling", "Dancing", "Running",  "Waiting",  "Burning",  "Holding", "Breaking",
    "Finding", "Losing",  "Calling", "Dreaming", "Drifting", "Fading",   "Flying",  "Leaving",
    "Missing", "Riding",  "Saving",  "Singing",  "Walking",  "Watching", "Wishing", "Crossing"};
constexpr std::array<std::string_view, 24> kPhrases = {
    "Don't Let Go",    "Stay",         "Run Away",     "Call Me Back",  "Hold On",
    "Say It Again",    "Take Me Home", "All Night",    "Never Enough",  "Come Alive",
    "Let It Burn",     "Too Late",     "Tell Me Why",  "Out of Time",   "One More Day",
    "Light Me Up",     "Wake Me Up",   "Lose Control", "Forever Young", "Keep Moving",
    "Don't Look Down", "Right Here",   "Nothing Left", "Bring It Back"};
constexpr std::array<std::string_view, 8> kVersionSuffixes = {
    " (Remastered)",   " (Live)", " (Acoustic)", " (Radio Edit)",
    " (Extended Mix)", " (Demo)", " (Stripped)", " (Remix)"};
constexpr std::array<std::string_view, 8> kLabelSuffixes = {
    "Records", "Recordings", "Music", "Sounds", "Audio", "Records", "Tapes", "Collective"};

constexpr std::array<std::string_view, kMajorCount> kMajorNames = {
    "Meridian Music Group", "Atlas Sound Entertainment", "Northstar Records Group"};
constexpr std::array<std::string_view, kMajorCount> kMajorPublisherNames = {
    "Meridian Music Publishing", "Atlas Songs", "Northstar Music Publishing"};
// Majors' shares of the major-signed artists: the biggest major is not a monopoly.
constexpr std::array<double, kMajorCount> kMajorWeights = {0.40, 0.35, 0.25};
constexpr std::array<std::string_view, 8> kDistributorNames = {"Tunegate Distribution",
                                                               "Openwave Music",
                                                               "SoundRoute",
                                                               "IndieLink",
                                                               "Pressplay Distro",
                                                               "Wavelength Digital",
                                                               "Backline Music Services",
                                                               "Crate Digital"};

constexpr std::array<std::string_view, 8> kTakedownReasons = {
    "impersonation report",   "master ownership dispute",
    "uncleared sample claim", "DMCA notice",
    "artist request",         "duplicate upload",
    "contract termination",   "AI-generated impersonation"};

// ---------------------------------------------------------------------------------------------
// Small helpers.

Timestamp Date(int64_t year, int64_t month, int64_t day) {
  return Timestamp::FromUnixMillis(
      DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) *
      kMillisPerDay);
}

Timestamp PlusDays(Timestamp at, int64_t days) {
  return Timestamp::FromUnixMillis(at.unix_millis() + days * kMillisPerDay);
}

// A random instant, at whole seconds, in [from, to).
Timestamp InstantBetween(Timestamp from, Timestamp to, Random& random) {
  const int64_t seconds = (to.unix_millis() - from.unix_millis()) / kMillisPerSecond;
  return Timestamp::FromUnixMillis(from.unix_millis() +
                                   random.Below(std::max<int64_t>(seconds, 1)) * kMillisPerSecond);
}

std::string PersonName(Random& random) {
  std::string name(random.Pick(kFirstNames));
  name += ' ';
  name += random.Pick(kLastNames);
  return name;
}

// "Golden Hour", "Chasing Summer", "Heart of Glass", "The Quiet Harbor", "Don't Let Go".
std::string BaseTitle(Random& random) {
  std::string title;
  title.reserve(32);
  const double form = random.Uniform();
  if (form < 0.30) {
    title += random.Pick(kAdjectives);
    title += ' ';
    title += random.Pick(kNouns);
  } else if (form < 0.45) {
    title += random.Pick(kNouns);
  } else if (form < 0.60) {
    title += random.Pick(kGerunds);
    title += ' ';
    title += random.Pick(kNouns);
  } else if (form < 0.72) {
    title += random.Pick(kNouns);
    title += " of ";
    title += random.Pick(kNouns);
  } else if (form < 0.82) {
    title += "The ";
    title += random.Pick(kAdjectives);
    title += ' ';
    title += random.Pick(kNouns);
  } else if (form < 0.94) {
    title += random.Pick(kPhrases);
  } else {
    title += random.Pick(kPluralNouns);
    title += " in the ";
    title += random.Pick(kNouns);
  }
  return title;
}

Result<TerritorySet> ParseTerritories(std::string_view text) {
  Result<TerritorySet> set = TerritorySet::Parse(text);
  if (!set.ok())
    return InternalError("world: bad built-in territory list: " + set.status().ToString());
  return set;
}

// Unique 16-character ISNIs: "0000000" then a bijection of the counter onto eight digits, then
// the ISO 7064 check character.
class IsniMinter {
 public:
  explicit IsniMinter(uint64_t offset) : offset_(offset % 100'000'000) {}
  Result<Isni> Next() {
    const uint64_t body = (offset_ + count_++ * 48'271ull) % 100'000'000ull;
    std::string digits = "0000000" + std::to_string(100'000'000ull + body).substr(1);
    digits += Isni::CheckCharacter(digits);
    Result<Isni> isni = Isni::Parse(digits);
    if (!isni.ok()) return InternalError("world: minted a bad ISNI: " + isni.status().ToString());
    return isni;
  }

 private:
  uint64_t offset_;
  uint64_t count_ = 0;
};

// ISRCs unique by construction. An issuer (a label, a major's branch in one country, a
// distributor, a country's pool for DIY artists) counts designations up; each block of 100,000
// gets a fresh registrant code, and registrant codes are a bijection of a per-country counter
// onto the 36^3 alphanumeric codes, so no two blocks share a prefix.
class IsrcMinter {
 public:
  explicit IsrcMinter(uint64_t seed) : code_offset_(static_cast<int32_t>(seed % kCodeSpace)) {}

  int32_t NewIssuer(int32_t country) {
    issuers_.push_back(Issuer{country, {}, 0});
    return static_cast<int32_t>(issuers_.size()) - 1;
  }

  Result<Isrc> Mint(int32_t issuer_index, int64_t year) {
    Issuer& issuer = issuers_[static_cast<size_t>(issuer_index)];
    const int64_t block = issuer.next / kDesignations;
    if (block == static_cast<int64_t>(issuer.prefixes.size())) {
      std::array<char, 5> prefix;
      if (!NewPrefix(issuer.country, prefix)) {
        return InternalError("world: ran out of ISRC registrant codes");
      }
      issuer.prefixes.push_back(prefix);
    }
    const std::array<char, 5>& prefix = issuer.prefixes[static_cast<size_t>(block)];
    int64_t designation = issuer.next % kDesignations;
    ++issuer.next;
    char text[12];
    std::copy(prefix.begin(), prefix.end(), text);
    text[5] = static_cast<char>('0' + (year / 10) % 10);
    text[6] = static_cast<char>('0' + year % 10);
    for (int digit = 11; digit >= 7; --digit) {
      text[digit] = static_cast<char>('0' + designation % 10);
      designation /= 10;
    }
    Result<Isrc> isrc = Isrc::Parse(std::string_view(text, 12));
    if (!isrc.ok()) return InternalError("world: minted a bad ISRC: " + isrc.status().ToString());
    return isrc;
  }

 private:
  static constexpr int32_t kCodeSpace = 36 * 36 * 36;
  static constexpr int64_t kDesignations = 100'000;

  struct Issuer {
    int32_t country;
    std::vector<std::array<char, 5>> prefixes;  // country code + registrant code, per block
    int64_t next;
  };

  // A country that has used up its registrant codes lends from the next one; with the limits
  // GenerateWorld enforces this never runs dry.
  bool NewPrefix(int32_t country, std::array<char, 5>& prefix) {
    static constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    for (int attempt = 0; attempt < kCountryCount; ++attempt) {
      const int32_t lender = (country + attempt) % kCountryCount;
      int32_t& used = next_code_[static_cast<size_t>(lender)];
      if (used >= kCodeSpace) continue;
      // 7919 is prime and coprime to 36^3, so this is a permutation of the code space.
      int64_t code = (static_cast<int64_t>(used++) * 7919 + code_offset_) % kCodeSpace;
      const std::string_view country_code = kCountries[static_cast<size_t>(lender)].code;
      prefix[0] = country_code[0];
      prefix[1] = country_code[1];
      for (int position = 4; position >= 2; --position) {
        prefix[static_cast<size_t>(position)] = kAlphabet[static_cast<size_t>(code % 36)];
        code /= 36;
      }
      return true;
    }
    return false;
  }

  int32_t code_offset_;
  std::array<int32_t, kCountryCount> next_code_{};
  std::vector<Issuer> issuers_;
};

// "T-ddd.ddd.ddd-c": the work's index mapped bijectively onto nine digits (3^18 is coprime to
// 10^9), then the check digit.
Result<Iswc> MintIswc(uint64_t offset, uint64_t work_index) {
  const uint64_t body = (offset + work_index * 387'420'489ull) % 1'000'000'000ull;
  const std::string nine = std::to_string(1'000'000'000ull + body).substr(1);
  std::string text = "T-";
  text.append(nine, 0, 3).append(".").append(nine, 3, 3).append(".").append(nine, 6, 3);
  text += '-';
  text += Iswc::CheckDigit(nine);
  Result<Iswc> iswc = Iswc::Parse(text);
  if (!iswc.ok()) return InternalError("world: minted a bad ISWC: " + iswc.status().ToString());
  return iswc;
}

// Splits `whole` into `parts` shares that add up exactly: the first part takes the remainder.
int32_t PartOf(int32_t whole, int32_t parts, int32_t index) {
  return whole / parts + (index == 0 ? whole % parts : 0);
}

// ---------------------------------------------------------------------------------------------
// Plans: the world's structure, decided before any record is written.

enum class LabelTier : uint8_t { kMajor, kSubLabel, kIndependent };

struct LabelPlan {
  LabelTier tier = LabelTier::kIndependent;
  int32_t major = -1;            // majors and sub-labels: the major (index) they belong to
  int32_t country = 0;           // index into kCountries
  int32_t distributor = -1;      // independents: the distributor acting for it, if any
  bool signs_directly = false;   // independents: signs agreements in its own name
  int32_t issuer = -1;           // independents: its ISRC issuer
  std::vector<int32_t> artists;  // artists signed to it
};

struct ArtistPlan {
  int64_t catalog_size = 0;
  int64_t first_recording = 0;
  int32_t label = -1;        // home label; -1 when self-released
  int32_t distributor = -1;  // self-released through a distributor
  int32_t country = 0;
  int32_t debut_year = 2020;
  bool solo = false;  // named as a person; the artist's songwriter identity shares the name
};

struct DistributorPlan {
  int32_t country = 0;
  int32_t issuer = -1;
  std::vector<int32_t> labels;
  std::vector<int32_t> artists;
};

// Catalog sizes by popularity rank (rank 0 the biggest star), adding up to exactly `total`.
// size(rank) = clamp(round(C * jitter * (rank+1)^-1.1), 1, cap), with C found by bisection; the
// few units that rounding leaves over are taken from the top of the ranking.
std::vector<int64_t> CatalogSizesByRank(int64_t artists, int64_t total, Random& random) {
  std::vector<int64_t> sizes(static_cast<size_t>(artists), 0);
  if (total <= artists) {
    for (int64_t rank = 0; rank < total; ++rank) sizes[static_cast<size_t>(rank)] = 1;
    return sizes;
  }
  // Prolific catalogs (reissues, live albums, classical) reach the thousand; a higher mean
  // (an explicit, large recordings option) lifts the cap so that the total stays reachable.
  const int64_t cap = std::max<int64_t>(1'000, 2 * ((total + artists - 1) / artists));
  std::vector<double> weights(static_cast<size_t>(artists));
  for (int64_t rank = 0; rank < artists; ++rank) {
    weights[static_cast<size_t>(rank)] =
        ZipfWeight(rank + 1, 1.1) * (0.75 + 0.5 * random.Uniform());
  }
  auto size_at = [&](double scale, int64_t rank) {
    const double raw = std::round(scale * weights[static_cast<size_t>(rank)]);
    return std::clamp<int64_t>(static_cast<int64_t>(std::min(raw, 1e15)), 1, cap);
  };
  auto total_at = [&](double scale) {
    int64_t sum = 0;
    for (int64_t rank = 0; rank < artists; ++rank) sum += size_at(scale, rank);
    return sum;
  };
  // At `high` every artist is at the cap, and artists * cap >= 2 * total.
  double low = 0;
  double high = static_cast<double>(cap) * 2.0 / *std::min_element(weights.begin(), weights.end());
  for (int iteration = 0; iteration < 100; ++iteration) {
    const double middle = 0.5 * (low + high);
    const int64_t middle_total = total_at(middle);
    if (middle_total < total) {
      low = middle;
    } else {
      high = middle;
      if (middle_total == total) break;
    }
  }
  int64_t sum = 0;
  for (int64_t rank = 0; rank < artists; ++rank) {
    sizes[static_cast<size_t>(rank)] = size_at(high, rank);
    sum += sizes[static_cast<size_t>(rank)];
  }
  // sum >= total here; trim the excess one unit at a time from the biggest catalogs. Because
  // total > artists there are always units above the floor of 1 to take.
  for (int64_t rank = 0; sum > total; rank = (rank + 1) % artists) {
    if (sizes[static_cast<size_t>(rank)] > 1) {
      --sizes[static_cast<size_t>(rank)];
      --sum;
    }
  }
  return sizes;
}

ScopeSet Scopes(std::initializer_list<Scope> scopes) {
  ScopeSet set;
  for (Scope scope : scopes) set.Insert(scope);
  return set;
}

// Per-use prices in micros of the currency's major unit, by scope: the DJ pays 0.002 a play,
// a fan remix 0.05, and so on; `recommend` is paid from the revenue share instead.
int64_t PerUseMicros(Scope scope, Random& random) {
  switch (scope) {
    case Scope::kRecommend:
      return 0;
    case Scope::kDj:
      return 1'500 + 500 * random.Below(4);  // 0.0015 .. 0.003
    case Scope::kDjVoice:
      return 1'000;
    case Scope::kRemix:
      return 30'000 + 10'000 * random.Below(4);  // 0.03 .. 0.06
    case Scope::kMashup:
      return 50'000 + 10'000 * random.Below(4);
    case Scope::kTraining:
      return 10'000;
    case Scope::kVoiceModel:
      return 100'000;
    case Scope::kGeneration:
      return 20'000;
  }
  return 0;
}

EconomicTerms TermsFor(ScopeSet scopes, Currency currency, int32_t revenue_share_ppm,
                       Random& random) {
  EconomicTerms terms;
  terms.currency = currency;
  for (Scope scope : rights::kAllScopes) {
    if (!scopes.Contains(scope)) continue;
    const int64_t micros = PerUseMicros(scope, random);
    if (micros > 0) terms.per_use_rates.emplace_back(scope, Rate(micros, currency));
  }
  terms.revenue_share_ppm = scopes.Contains(Scope::kRecommend) ? revenue_share_ppm : 0;
  return terms;
}

// Everything the phases share while the world is built.
class WorldBuilder {
 public:
  explicit WorldBuilder(const WorldOptions& options) : options_(options) {}

  Result<Registry> Build();

 private:
  Status PlanCounts();
  Status PlanLabels();
  Status PlanArtists();
  Status PlanWriters();
  Status BuildParties();
  Status BuildRecordings();
  Status BuildAgreements();
  void BuildConsents();
  void BuildTakedowns();

  // An artist drawn in proportion to catalog size (a random recording's main artist), other
  // than `excluded_a` and `excluded_b`; -1 when eight draws in a row hit the excluded ones.
  int32_t PopularArtist(Random& random, int32_t excluded_a, int32_t excluded_b) const;
  Status AddWork(int32_t artist, const std::string& title, Random& random);
  // The recordings of `artists`, `count` of them at random (fewer if the catalog is smaller),
  // in catalog order.
  std::vector<Isrc> SampleCatalog(const std::vector<int32_t>& artists, int64_t count,
                                  Random& random) const;
  // A licence window: usually from 2024-2025 and open-ended; sometimes not yet started,
  // sometimes expired, sometimes for a fixed term.
  void VaryWindow(Agreement& agreement, Random& random) const;
  Result<TerritorySet> VariedTerritories(int32_t country, Random& random);

  const WorldOptions& options_;
  Registry registry_;

  int64_t artist_count_ = 0;
  int64_t recording_count_ = 0;
  int64_t label_count_ = 0;
  int64_t sub_label_count_ = 0;
  int64_t distributor_count_ = 0;
  int64_t publisher_count_ = 0;
  int64_t major_publisher_count_ = 0;
  int64_t writer_count_ = 0;  // one per artist, then the professional writers

  std::vector<LabelPlan> labels_;
  std::vector<ArtistPlan> artists_;
  std::vector<DistributorPlan> distributors_;
  std::vector<int32_t> writer_publisher_;
  std::vector<std::string> label_ids_;
  std::vector<std::string> artist_ids_;
  std::vector<std::string> artist_names_;
  std::vector<std::string> distributor_ids_;
  std::vector<std::string> publisher_ids_;
  std::vector<std::string> writer_ids_;
  std::vector<int64_t> catalog_end_;  // per artist: one past its last recording's index
  WeightedSampler pro_writer_sampler_;

  IsrcMinter isrc_minter_{options_.seed};
  std::vector<int32_t> major_issuers_;  // (major or sub-label) * kCountryCount + country
  std::array<int32_t, kCountryCount> diy_issuers_{};
  uint64_t iswc_offset_ = 0;
};

Status WorldBuilder::PlanCounts() {
  if (options_.artists <= 0) return InvalidArgumentError("world: artists must be at least 1");
  if (options_.artists > kMaxArtists) {
    return InvalidArgumentError("world: artists must be at most 10000000, got " +
                                std::to_string(options_.artists));
  }
  if (options_.recordings < 0 || options_.labels < 0 || options_.publishers < 0) {
    return InvalidArgumentError("world: recordings, labels and publishers must not be negative");
  }
  if (options_.recordings > kMaxRecordings) {
    return InvalidArgumentError("world: at most 100000000 recordings, got " +
                                std::to_string(options_.recordings));
  }
  if (options_.labels != 0 && (options_.labels < kMajorCount + 1 || options_.labels > kMaxLabels)) {
    return InvalidArgumentError(
        "world: labels must be 0 (derived) or 4..100000 (three majors and at least one "
        "independent), got " +
        std::to_string(options_.labels));
  }
  if (options_.publishers > kMaxPublishers) {
    return InvalidArgumentError("world: publishers must be at most 100000, got " +
                                std::to_string(options_.publishers));
  }
  artist_count_ = options_.artists;
  // artists <= 10,000,000, so ten per artist stays within the recordings limit.
  recording_count_ = options_.recordings != 0 ? options_.recordings : 10 * artist_count_;
  label_count_ = options_.labels != 0
                     ? options_.labels
                     : std::min<int64_t>(kMaxLabels, std::max<int64_t>(4, artist_count_ / 50));
  publisher_count_ =
      options_.publishers != 0
          ? options_.publishers
          : std::min<int64_t>(kMaxPublishers, std::max<int64_t>(3, artist_count_ / 100));
  sub_label_count_ = std::min<int64_t>(kMaxSubLabels, (label_count_ - kMajorCount) / 5);
  distributor_count_ = std::clamp<int64_t>(label_count_ / 40, 2, 50);
  major_publisher_count_ = std::min<int64_t>(kMajorCount, publisher_count_);
  writer_count_ = artist_count_ + std::max<int64_t>(3, artist_count_ / 4);
  return OkStatus();
}

Status WorldBuilder::PlanLabels() {
  Random random(options_.seed, Phase::kLabels);
  std::vector<double> country_weights;
  for (const CountryInfo& country : kCountries) country_weights.push_back(country.weight);
  const WeightedSampler country_sampler(country_weights);

  labels_.resize(static_cast<size_t>(label_count_));
  label_ids_.reserve(labels_.size());
  for (int64_t index = 0; index < label_count_; ++index) {
    LabelPlan& label = labels_[static_cast<size_t>(index)];
    label.country = static_cast<int32_t>(country_sampler.Sample(random));
    if (index < kMajorCount) {
      label.tier = LabelTier::kMajor;
      label.major = static_cast<int32_t>(index);
      label_ids_.push_back("label:major-" + std::to_string(index + 1));
    } else if (index < kMajorCount + sub_label_count_) {
      label.tier = LabelTier::kSubLabel;
      label.major = static_cast<int32_t>((index - kMajorCount) % kMajorCount);
      label_ids_.push_back("label:sub-" + std::to_string(index - kMajorCount + 1));
    } else {
      label.tier = LabelTier::kIndependent;
      label_ids_.push_back("label:indie-" +
                           std::to_string(index - kMajorCount - sub_label_count_ + 1));
    }
  }
  // Majors are headquartered in the two biggest markets.
  labels_[0].country = 0;
  labels_[1].country = 0;
  labels_[2].country = 1;

  distributors_.resize(static_cast<size_t>(distributor_count_));
  for (int64_t index = 0; index < distributor_count_; ++index) {
    distributors_[static_cast<size_t>(index)].country =
        static_cast<int32_t>(country_sampler.Sample(random));
    distributor_ids_.push_back("distributor:" + std::to_string(index + 1));
  }

  // Independents: most reach the platform through a distributor, the rest sign directly, and
  // about one in twenty has no licence at all, so the policy engine sees real denials.
  const WeightedSampler distributor_sampler = WeightedSampler::Zipf(distributor_count_, 1.0);
  int64_t unlicensed = 0;
  int32_t last_independent = -1;
  for (int64_t index = kMajorCount + sub_label_count_; index < label_count_; ++index) {
    LabelPlan& label = labels_[static_cast<size_t>(index)];
    last_independent = static_cast<int32_t>(index);
    const double coverage = random.Uniform();
    if (coverage < 0.05) {
      ++unlicensed;
    } else if (coverage < 0.65) {
      label.distributor = static_cast<int32_t>(distributor_sampler.Sample(random));
      label.signs_directly = random.Chance(0.25);
    } else {
      label.signs_directly = true;
    }
  }
  const int64_t independents = label_count_ - kMajorCount - sub_label_count_;
  if (unlicensed == 0 && independents >= 4) {
    LabelPlan& label = labels_[static_cast<size_t>(last_independent)];
    label.distributor = -1;
    label.signs_directly = false;
  }
  for (int64_t index = 0; index < label_count_; ++index) {
    const LabelPlan& label = labels_[static_cast<size_t>(index)];
    if (label.distributor >= 0) {
      distributors_[static_cast<size_t>(label.distributor)].labels.push_back(
          static_cast<int32_t>(index));
    }
  }

  // ISRC issuers. Majors and sub-labels register through a branch in each artist's country
  // (created on first use); independents and distributors have one each; DIY artists get codes
  // from their country's pool.
  major_issuers_.assign(static_cast<size_t>((kMajorCount + sub_label_count_) * kCountryCount), -1);
  for (LabelPlan& label : labels_) {
    if (label.tier == LabelTier::kIndependent) label.issuer = isrc_minter_.NewIssuer(label.country);
  }
  for (DistributorPlan& distributor : distributors_) {
    distributor.issuer = isrc_minter_.NewIssuer(distributor.country);
  }
  for (int32_t country = 0; country < kCountryCount; ++country) {
    diy_issuers_[static_cast<size_t>(country)] = isrc_minter_.NewIssuer(country);
  }
  iswc_offset_ = random.Bits() % 1'000'000'000ull;
  return OkStatus();
}

Status WorldBuilder::PlanArtists() {
  Random random(options_.seed, Phase::kArtists);
  std::vector<double> country_weights;
  for (const CountryInfo& country : kCountries) country_weights.push_back(country.weight);
  const WeightedSampler country_sampler(country_weights);
  const WeightedSampler major_sampler(
      std::vector<double>(kMajorWeights.begin(), kMajorWeights.end()));
  const int64_t independents = label_count_ - kMajorCount - sub_label_count_;
  const WeightedSampler indie_sampler = WeightedSampler::Zipf(independents, 1.0);
  const WeightedSampler distributor_sampler = WeightedSampler::Zipf(distributor_count_, 1.0);
  // Sub-labels of each major, to place major-signed artists on an imprint.
  std::array<std::vector<int32_t>, kMajorCount> imprints;
  for (int64_t index = kMajorCount; index < kMajorCount + sub_label_count_; ++index) {
    imprints[static_cast<size_t>(labels_[static_cast<size_t>(index)].major)].push_back(
        static_cast<int32_t>(index));
  }

  const std::vector<int64_t> sizes = CatalogSizesByRank(artist_count_, recording_count_, random);
  // Which artist holds which rank: a shuffle, so that ids do not give popularity away.
  std::vector<int32_t> artist_at_rank(static_cast<size_t>(artist_count_));
  for (int64_t rank = 0; rank < artist_count_; ++rank) {
    artist_at_rank[static_cast<size_t>(rank)] = static_cast<int32_t>(rank);
  }
  for (int64_t rank = artist_count_ - 1; rank > 0; --rank) {
    std::swap(artist_at_rank[static_cast<size_t>(rank)],
              artist_at_rank[static_cast<size_t>(random.Below(rank + 1))]);
  }

  artists_.resize(static_cast<size_t>(artist_count_));
  for (int64_t rank = 0; rank < artist_count_; ++rank) {
    const int32_t artist_index = artist_at_rank[static_cast<size_t>(rank)];
    ArtistPlan& artist = artists_[static_cast<size_t>(artist_index)];
    artist.catalog_size = sizes[static_cast<size_t>(rank)];
    // Stars are mostly on majors; the long tail is mostly independent or self-released.
    const double quantile = static_cast<double>(rank) / static_cast<double>(artist_count_);
    double major_chance = 0.30;
    double self_chance = 0.12;
    if (quantile < 0.02) {
      major_chance = 0.85;
      self_chance = 0.0;
    } else if (quantile < 0.20) {
      major_chance = 0.60;
      self_chance = 0.05;
    }
    const double home = random.Uniform();
    if (home < major_chance || (independents == 0 && home >= major_chance + self_chance)) {
      const int64_t major = major_sampler.Sample(random);
      const std::vector<int32_t>& major_imprints = imprints[static_cast<size_t>(major)];
      artist.label = (!major_imprints.empty() && random.Chance(0.6))
                         ? major_imprints[static_cast<size_t>(
                               random.Below(static_cast<int64_t>(major_imprints.size())))]
                         : static_cast<int32_t>(major);
      artist.country = static_cast<int32_t>(country_sampler.Sample(random));
    } else if (home < major_chance + self_chance) {
      artist.country = static_cast<int32_t>(country_sampler.Sample(random));
      if (random.Chance(0.75)) {
        artist.distributor = static_cast<int32_t>(distributor_sampler.Sample(random));
      }
    } else {
      artist.label =
          static_cast<int32_t>(kMajorCount + sub_label_count_ + indie_sampler.Sample(random));
      // Independents sign mostly local acts.
      artist.country = random.Chance(0.7) ? labels_[static_cast<size_t>(artist.label)].country
                                          : static_cast<int32_t>(country_sampler.Sample(random));
    }
    // Careers start more recently than long ago: the catalog grows every year.
    const double age = random.Uniform();
    artist.debut_year = 2025 - static_cast<int32_t>(55.0 * age * age);
    artist.solo = random.Chance(0.45);
  }

  artist_ids_.reserve(artists_.size());
  artist_names_.reserve(artists_.size());
  catalog_end_.reserve(artists_.size());
  int64_t next_recording = 0;
  for (int64_t index = 0; index < artist_count_; ++index) {
    ArtistPlan& artist = artists_[static_cast<size_t>(index)];
    artist_ids_.push_back("artist:" + std::to_string(index + 1));
    if (artist.solo) {
      artist_names_.push_back(PersonName(random));
    } else {
      std::string name;
      const double form = random.Uniform();
      if (form < 0.5) {
        name = "The ";
        name += random.Pick(kAdjectives);
        name += ' ';
        name += random.Pick(kPluralNouns);
      } else if (form < 0.8) {
        name = random.Pick(kAdjectives);
        name += ' ';
        name += random.Pick(kNouns);
      } else {
        name = random.Pick(kNouns);
        name += ' ';
        name += random.Pick(kPluralNouns);
      }
      artist_names_.push_back(std::move(name));
    }
    artist.first_recording = next_recording;
    next_recording += artist.catalog_size;
    catalog_end_.push_back(next_recording);
    if (artist.label >= 0) {
      labels_[static_cast<size_t>(artist.label)].artists.push_back(static_cast<int32_t>(index));
    } else if (artist.distributor >= 0) {
      distributors_[static_cast<size_t>(artist.distributor)].artists.push_back(
          static_cast<int32_t>(index));
    }
  }
  return OkStatus();
}

Status WorldBuilder::PlanWriters() {
  Random random(options_.seed, Phase::kWriters);
  // Writers 1..artists are the artists' own songwriter identities; the rest are professional
  // writers, a few of whom co-write a large share of the hits.
  const int64_t pro_writers = writer_count_ - artist_count_;
  pro_writer_sampler_ = WeightedSampler::Zipf(pro_writers, 1.0);
  const WeightedSampler major_sampler(
      std::vector<double>(kMajorWeights.begin(), kMajorWeights.begin() + major_publisher_count_));
  const int64_t indie_publishers = publisher_count_ - major_publisher_count_;
  const WeightedSampler indie_sampler = WeightedSampler::Zipf(indie_publishers, 1.0);
  writer_publisher_.resize(static_cast<size_t>(writer_count_));
  writer_ids_.reserve(static_cast<size_t>(writer_count_));
  for (int64_t writer = 0; writer < writer_count_; ++writer) {
    writer_ids_.push_back("writer:" + std::to_string(writer + 1));
    const bool major = indie_publishers == 0 || random.Chance(0.6);
    writer_publisher_[static_cast<size_t>(writer)] =
        static_cast<int32_t>(major ? major_sampler.Sample(random)
                                   : major_publisher_count_ + indie_sampler.Sample(random));
  }
  publisher_ids_.reserve(static_cast<size_t>(publisher_count_));
  for (int64_t publisher = 0; publisher < publisher_count_; ++publisher) {
    publisher_ids_.push_back(publisher < major_publisher_count_
                                 ? "publisher:major-" + std::to_string(publisher + 1)
                                 : "publisher:indie-" +
                                       std::to_string(publisher - major_publisher_count_ + 1));
  }
  return OkStatus();
}

Status WorldBuilder::BuildParties() {
  // Names have their own stream so that the structure planned above does not shift with them.
  Random random(options_.seed, Phase::kNames);
  IsniMinter isnis(options_.seed * 0x9E3779B97F4A7C15ull);
  std::vector<Party>& parties = registry_.parties;
  parties.reserve(static_cast<size_t>(label_count_ + distributor_count_ + publisher_count_ +
                                      writer_count_ + artist_count_));

  for (int64_t index = 0; index < label_count_; ++index) {
    const LabelPlan& plan = labels_[static_cast<size_t>(index)];
    Party party;
    party.id = label_ids_[static_cast<size_t>(index)];
    party.kind = PartyKind::kLabel;
    if (plan.tier == LabelTier::kMajor) {
      party.name = kMajorNames[static_cast<size_t>(index)];
      ACCORD_ASSIGN_OR_RETURN(party.isni, isnis.Next());
      // A major acts for its sub-labels: its agreements bind their catalogs too.
      for (int64_t sub = kMajorCount; sub < kMajorCount + sub_label_count_; ++sub) {
        if (labels_[static_cast<size_t>(sub)].major == index) {
          party.acts_for.push_back(label_ids_[static_cast<size_t>(sub)]);
        }
      }
    } else {
      party.name = random.Pick(kAdjectives);
      party.name += ' ';
      party.name += random.Pick(kNouns);
      party.name += ' ';
      party.name += random.Pick(kLabelSuffixes);
      if (random.Chance(0.3)) {
        ACCORD_ASSIGN_OR_RETURN(party.isni, isnis.Next());
      }
    }
    parties.push_back(std::move(party));
  }

  for (int64_t index = 0; index < distributor_count_; ++index) {
    const DistributorPlan& plan = distributors_[static_cast<size_t>(index)];
    Party party;
    party.id = distributor_ids_[static_cast<size_t>(index)];
    party.kind = PartyKind::kDistributor;
    party.name = kDistributorNames[static_cast<size_t>(index) % kDistributorNames.size()];
    if (index >= static_cast<int64_t>(kDistributorNames.size())) {
      party.name += ' ';
      party.name += kCountries[static_cast<size_t>(plan.country)].code;
      party.name += ' ' + std::to_string(index + 1);
    }
    party.acts_for.reserve(plan.labels.size() + plan.artists.size());
    for (int32_t label : plan.labels)
      party.acts_for.push_back(label_ids_[static_cast<size_t>(label)]);
    for (int32_t artist : plan.artists) {
      party.acts_for.push_back(artist_ids_[static_cast<size_t>(artist)]);
    }
    parties.push_back(std::move(party));
  }

  std::vector<std::vector<int32_t>> publisher_writers(static_cast<size_t>(publisher_count_));
  for (int64_t writer = 0; writer < writer_count_; ++writer) {
    publisher_writers[static_cast<size_t>(writer_publisher_[static_cast<size_t>(writer)])]
        .push_back(static_cast<int32_t>(writer));
  }
  for (int64_t index = 0; index < publisher_count_; ++index) {
    Party party;
    party.id = publisher_ids_[static_cast<size_t>(index)];
    party.kind = PartyKind::kPublisher;
    if (index < major_publisher_count_) {
      party.name = kMajorPublisherNames[static_cast<size_t>(index)];
      ACCORD_ASSIGN_OR_RETURN(party.isni, isnis.Next());
    } else {
      party.name = random.Pick(kNouns);
      party.name += random.Chance(0.5) ? " Songs" : " Music Publishing";
    }
    // A publisher administers for its writers: its agreements license their compositions.
    const std::vector<int32_t>& writers = publisher_writers[static_cast<size_t>(index)];
    party.acts_for.reserve(writers.size());
    for (int32_t writer : writers)
      party.acts_for.push_back(writer_ids_[static_cast<size_t>(writer)]);
    parties.push_back(std::move(party));
  }

  for (int64_t writer = 0; writer < writer_count_; ++writer) {
    Party party;
    party.id = writer_ids_[static_cast<size_t>(writer)];
    party.kind = PartyKind::kWriter;
    const bool own_identity = writer < artist_count_ && artists_[static_cast<size_t>(writer)].solo;
    party.name = own_identity ? artist_names_[static_cast<size_t>(writer)] : PersonName(random);
    if (random.Chance(0.2)) {
      ACCORD_ASSIGN_OR_RETURN(party.isni, isnis.Next());
    }
    parties.push_back(std::move(party));
  }

  for (int64_t index = 0; index < artist_count_; ++index) {
    Party party;
    party.id = artist_ids_[static_cast<size_t>(index)];
    party.kind = PartyKind::kArtist;
    party.name = std::move(artist_names_[static_cast<size_t>(index)]);
    if (random.Chance(0.3)) {
      ACCORD_ASSIGN_OR_RETURN(party.isni, isnis.Next());
    }
    parties.push_back(std::move(party));
  }
  artist_names_.clear();
  artist_names_.shrink_to_fit();
  return OkStatus();
}

int32_t WorldBuilder::PopularArtist(Random& random, int32_t excluded_a, int32_t excluded_b) const {
  if (recording_count_ == 0) return -1;
  for (int attempt = 0; attempt < 8; ++attempt) {
    const int64_t recording = random.Below(recording_count_);
    const auto it = std::upper_bound(catalog_end_.begin(), catalog_end_.end(), recording);
    const int32_t artist = static_cast<int32_t>(it - catalog_end_.begin());
    if (artist != excluded_a && artist != excluded_b) return artist;
  }
  return -1;
}

Status WorldBuilder::AddWork(int32_t artist, const std::string& title, Random& random) {
  Work work;
  ACCORD_ASSIGN_OR_RETURN(work.iswc,
                          MintIswc(iswc_offset_, static_cast<uint64_t>(registry_.works.size())));
  work.title = title;
  // One to three writers: usually the artist's own songwriter identity, often with
  // professional co-writers.
  const double count_draw = random.Uniform();
  const int32_t wanted = count_draw < 0.45 ? 1 : count_draw < 0.80 ? 2 : 3;
  std::array<int64_t, 3> writers{};
  int32_t count = 0;
  const int64_t pro_base = artist_count_;
  for (int attempt = 0; attempt < 12 && count < wanted; ++attempt) {
    const int64_t candidate =
        (count == 0 && random.Chance(0.7)) ? artist : pro_base + pro_writer_sampler_.Sample(random);
    if (std::find(writers.begin(), writers.begin() + count, candidate) != writers.begin() + count) {
      continue;
    }
    writers[static_cast<size_t>(count++)] = candidate;
  }
  // Half to the writers, half to their publishers: each writer's publisher receives a share
  // equal to that writer's, merged per publisher so no party appears twice.
  constexpr int32_t kWritersPpm = kWholePpm / 2;
  constexpr int32_t kPublishersPpm = kWholePpm - kWritersPpm;
  work.writers.reserve(static_cast<size_t>(count));
  for (int32_t index = 0; index < count; ++index) {
    const int64_t writer = writers[static_cast<size_t>(index)];
    work.writers.push_back(
        Share{writer_ids_[static_cast<size_t>(writer)], PartOf(kWritersPpm, count, index)});
    const int32_t publisher = writer_publisher_[static_cast<size_t>(writer)];
    const int32_t publisher_ppm = PartOf(kPublishersPpm, count, index);
    const std::string& publisher_id = publisher_ids_[static_cast<size_t>(publisher)];
    auto existing = std::find_if(work.publishers.begin(), work.publishers.end(),
                                 [&](const Share& share) { return share.party == publisher_id; });
    if (existing != work.publishers.end()) {
      existing->ppm += publisher_ppm;
    } else {
      work.publishers.push_back(Share{publisher_id, publisher_ppm});
    }
  }
  registry_.works.push_back(std::move(work));
  return OkStatus();
}

Status WorldBuilder::BuildRecordings() {
  Random random(options_.seed, Phase::kRecordings);
  registry_.recordings.reserve(static_cast<size_t>(recording_count_));
  registry_.works.reserve(static_cast<size_t>(recording_count_ * 4 / 5 + 16));
  static constexpr std::array<std::pair<int32_t, int32_t>, 4> kCoOwnerSplits = {
      {{700'000, 300'000}, {600'000, 400'000}, {500'000, 500'000}, {800'000, 200'000}}};

  for (int64_t artist_index = 0; artist_index < artist_count_; ++artist_index) {
    const ArtistPlan& artist = artists_[static_cast<size_t>(artist_index)];
    const int32_t artist32 = static_cast<int32_t>(artist_index);
    int32_t issuer = -1;
    if (artist.label >= 0) {
      const LabelPlan& label = labels_[static_cast<size_t>(artist.label)];
      if (label.tier == LabelTier::kIndependent) {
        issuer = label.issuer;
      } else {
        int32_t& branch =
            major_issuers_[static_cast<size_t>(artist.label * kCountryCount + artist.country)];
        if (branch < 0) branch = isrc_minter_.NewIssuer(artist.country);
        issuer = branch;
      }
    } else if (artist.distributor >= 0) {
      issuer = distributors_[static_cast<size_t>(artist.distributor)].issuer;
    } else {
      issuer = diy_issuers_[static_cast<size_t>(artist.country)];
    }

    for (int64_t track = 0; track < artist.catalog_size; ++track) {
      Recording recording;
      // Release: within the artist's career; a few announced for next year.
      const int64_t year = random.Chance(0.015) ? 2026 : random.Between(artist.debut_year, 2025);
      recording.release_date = Date(year, random.Between(1, 12), random.Between(1, 28));
      // ISRCs were introduced in 1986; older masters got theirs when they were digitised.
      ACCORD_ASSIGN_OR_RETURN(recording.isrc,
                              isrc_minter_.Mint(issuer, std::max<int64_t>(year, 1990)));

      if (artist.label >= 0) {
        if (label_count_ > 1 && random.Chance(0.05)) {
          // A joint venture or licensed-in master: a second label co-owns it.
          int64_t partner = random.Below(label_count_ - 1);
          if (partner >= artist.label) ++partner;
          const auto& split = random.Pick(kCoOwnerSplits);
          recording.master_owners.reserve(2);
          recording.master_owners.push_back(
              Share{label_ids_[static_cast<size_t>(artist.label)], split.first});
          recording.master_owners.push_back(
              Share{label_ids_[static_cast<size_t>(partner)], split.second});
        } else {
          recording.master_owners.push_back(
              Share{label_ids_[static_cast<size_t>(artist.label)], kWholePpm});
        }
      } else {
        recording.master_owners.push_back(
            Share{artist_ids_[static_cast<size_t>(artist_index)], kWholePpm});
      }

      recording.main_artists.push_back(artist_ids_[static_cast<size_t>(artist_index)]);
      int32_t duet_partner = -1;
      if (random.Chance(0.03)) {
        duet_partner = PopularArtist(random, artist32, -1);
        if (duet_partner >= 0) {
          recording.main_artists.push_back(artist_ids_[static_cast<size_t>(duet_partner)]);
        }
      }
      if (random.Chance(0.15)) {
        const int32_t featured = PopularArtist(random, artist32, duet_partner);
        if (featured >= 0) {
          recording.featured_artists.push_back(artist_ids_[static_cast<size_t>(featured)]);
        }
      }

      // 2 to 6 minutes, most around three and a half.
      const double spread = 0.5 * (random.Uniform() + random.Uniform());
      recording.duration_ms =
          120'000 + static_cast<int64_t>(240'000.0 * spread * std::sqrt(spread));

      const double ai = random.Uniform();
      recording.contains_ai =
          ai < 0.01 ? ContainsAi::kAll : (ai < 0.04 ? ContainsAi::kPartly : ContainsAi::kNone);

      std::string title;
      if (random.Chance(0.8)) {
        if (!registry_.works.empty() && random.Chance(0.05)) {
          // A cover or re-recording of an existing composition keeps its title.
          const catalog::Work& covered = registry_.works[static_cast<size_t>(
              random.Below(static_cast<int64_t>(registry_.works.size())))];
          title = covered.title;
          recording.work = covered.iswc;
        } else {
          title = BaseTitle(random);
          ACCORD_RETURN_IF_ERROR(AddWork(artist32, title, random));
          recording.work = registry_.works.back().iswc;
        }
      } else {
        title = BaseTitle(random);
      }
      if (random.Chance(0.08)) title += random.Pick(kVersionSuffixes);
      recording.title = std::move(title);
      registry_.recordings.push_back(std::move(recording));
    }
  }
  return OkStatus();
}

std::vector<Isrc> WorldBuilder::SampleCatalog(const std::vector<int32_t>& artists, int64_t count,
                                              Random& random) const {
  std::vector<int64_t> catalog;
  for (int32_t artist : artists) {
    const ArtistPlan& plan = artists_[static_cast<size_t>(artist)];
    for (int64_t track = 0; track < plan.catalog_size; ++track) {
      catalog.push_back(plan.first_recording + track);
    }
  }
  const int64_t available = static_cast<int64_t>(catalog.size());
  const int64_t taken = std::min(count, available);
  for (int64_t index = 0; index < taken; ++index) {
    std::swap(catalog[static_cast<size_t>(index)],
              catalog[static_cast<size_t>(index + random.Below(available - index))]);
  }
  catalog.resize(static_cast<size_t>(taken));
  std::sort(catalog.begin(), catalog.end());
  std::vector<Isrc> isrcs;
  isrcs.reserve(catalog.size());
  for (int64_t recording : catalog) {
    isrcs.push_back(registry_.recordings[static_cast<size_t>(recording)].isrc);
  }
  return isrcs;
}

void WorldBuilder::VaryWindow(Agreement& agreement, Random& random) const {
  const double kind = random.Uniform();
  if (kind < 0.08) {
    // Signed, but starting after the world's "now" (early 2026).
    agreement.start = PlusDays(Date(2026, 7, 1), random.Below(300));
  } else if (kind < 0.18) {
    // Expired: a one-year pilot in 2024-2025.
    agreement.start = PlusDays(Date(2024, 1, 1), random.Below(300));
    agreement.end = PlusDays(agreement.start, 180 + random.Below(200));
  } else if (kind < 0.40) {
    agreement.start = PlusDays(Date(2024, 1, 1), random.Below(600));
    agreement.end = PlusDays(agreement.start, 365 * (1 + random.Below(3)));
  } else {
    agreement.start = PlusDays(Date(2024, 1, 1), random.Below(600));
  }
}

Result<TerritorySet> WorldBuilder::VariedTerritories(int32_t country, Random& random) {
  const double kind = random.Uniform();
  if (kind < 0.30) return TerritorySet::Worldwide();
  if (kind < 0.50) return ParseTerritories("worldwide -CN -RU");
  if (kind < 0.70) return ParseTerritories(kEuropeanUnion);
  return ParseTerritories(kCountries[static_cast<size_t>(country)].region);
}

Status WorldBuilder::BuildAgreements() {
  Random random(options_.seed, Phase::kAgreements);
  std::vector<Agreement>& agreements = registry_.agreements;
  std::array<Currency, kCountryCount> currencies;
  for (int32_t country = 0; country < kCountryCount; ++country) {
    Result<Currency> currency =
        Currency::FromCode(kCountries[static_cast<size_t>(country)].currency);
    if (!currency.ok()) return InternalError("world: " + currency.status().ToString());
    currencies[static_cast<size_t>(country)] = *currency;
  }
  ACCORD_ASSIGN_OR_RETURN(const Currency usd, Currency::FromCode("USD"));
  ACCORD_ASSIGN_OR_RETURN(const Currency eur, Currency::FromCode("EUR"));

  // Majors: a broad licence for the listening features from 2024 on, and a narrower, fixed
  // term one for fan creations in a few markets.
  static constexpr std::array<std::string_view, kMajorCount> kBroadTerritories = {
      "worldwide", "worldwide -CN -RU", "worldwide -CN -IR -KP -RU"};
  static constexpr std::array<std::string_view, kMajorCount> kRemixTerritories = {
      "US CA GB", "DE AT CH FR", "SE NO DK FI GB IE"};
  static constexpr std::array<int64_t, kMajorCount> kRemixEndYear = {2027, 2026, 2027};
  for (int32_t major = 0; major < kMajorCount; ++major) {
    const std::string& licensor = label_ids_[static_cast<size_t>(major)];
    const Currency currency = major == 1 ? eur : usd;
    const std::string slug = licensor.substr(licensor.find(':') + 1);

    Agreement broad;
    broad.id = "agreement:" + slug + "-ai-listening";
    broad.licensor = licensor;
    broad.scopes = Scopes({Scope::kRecommend, Scope::kDj, Scope::kDjVoice});
    ACCORD_ASSIGN_OR_RETURN(broad.territories,
                            ParseTerritories(kBroadTerritories[static_cast<size_t>(major)]));
    broad.start = Date(2024, 1, 1);
    broad.terms = TermsFor(broad.scopes, currency, 500'000, random);
    broad.terms->per_use_rates.front().second = Rate(2'000, currency);  // dj: "0.002"
    if (major == 0) broad.terms->minimum_guarantee = Money(50'000'000, currency);
    agreements.push_back(std::move(broad));

    Agreement remix;
    remix.id = "agreement:" + slug + "-fan-creations";
    remix.licensor = licensor;
    remix.scopes = Scopes({Scope::kRemix, Scope::kMashup});
    ACCORD_ASSIGN_OR_RETURN(remix.territories,
                            ParseTerritories(kRemixTerritories[static_cast<size_t>(major)]));
    remix.start = Date(2025, 3, 1);
    remix.end = Date(kRemixEndYear[static_cast<size_t>(major)], 1, 1);
    remix.terms = EconomicTerms{
        currency,
        {{Scope::kRemix, Rate(50'000, currency)}, {Scope::kMashup, Rate(80'000, currency)}},
        0,
        std::nullopt};
    agreements.push_back(std::move(remix));
  }
  // The second major pilots training on a hand-picked list of recordings, with a guarantee.
  {
    std::vector<int32_t> major_artists = labels_[1].artists;
    for (int64_t sub = kMajorCount; sub < kMajorCount + sub_label_count_; ++sub) {
      const LabelPlan& plan = labels_[static_cast<size_t>(sub)];
      if (plan.major == 1) {
        major_artists.insert(major_artists.end(), plan.artists.begin(), plan.artists.end());
      }
    }
    std::vector<Isrc> listed = SampleCatalog(major_artists, 200, random);
    if (!listed.empty()) {
      Agreement pilot;
      pilot.id = "agreement:major-2-training-pilot";
      pilot.licensor = label_ids_[1];
      pilot.all_controlled = false;
      pilot.recordings = std::move(listed);
      pilot.scopes = Scopes({Scope::kTraining});
      pilot.territories = TerritorySet::Worldwide();
      pilot.start = Date(2025, 6, 1);
      pilot.end = Date(2026, 6, 1);
      pilot.terms =
          EconomicTerms{eur, {{Scope::kTraining, Rate(10'000, eur)}}, 0, Money(10'000'000, eur)};
      agreements.push_back(std::move(pilot));
    }
  }
  // One imprint of the first major experiments with generation in the US.
  if (sub_label_count_ > 0) {
    Agreement generation;
    generation.id = "agreement:sub-1-generation";
    generation.licensor = label_ids_[kMajorCount];
    generation.scopes = Scopes({Scope::kGeneration});
    ACCORD_ASSIGN_OR_RETURN(generation.territories, ParseTerritories("US"));
    generation.start = Date(2025, 9, 1);
    generation.terms = TermsFor(generation.scopes, usd, 0, random);
    agreements.push_back(std::move(generation));
  }

  // Distributors: listening features for everything they distribute; some add fan creations
  // in Europe. The second one lets its licence lapse for half a year before renewing it.
  for (int64_t index = 0; index < distributor_count_; ++index) {
    const DistributorPlan& plan = distributors_[static_cast<size_t>(index)];
    const std::string& licensor = distributor_ids_[static_cast<size_t>(index)];
    const Currency currency = currencies[static_cast<size_t>(plan.country)];
    Agreement base;
    base.id = "agreement:distributor-" + std::to_string(index + 1) + "-listening";
    base.licensor = licensor;
    base.scopes = Scopes({Scope::kRecommend, Scope::kDj});
    if (random.Chance(0.5)) base.scopes.Insert(Scope::kDjVoice);
    ACCORD_ASSIGN_OR_RETURN(
        base.territories, ParseTerritories(random.Chance(0.6) ? "worldwide -CN -RU" : "worldwide"));
    base.start = PlusDays(Date(2024, 1, 1), random.Below(365));
    const int32_t share_ppm = static_cast<int32_t>(400'000 + 50'000 * random.Below(4));
    base.terms = TermsFor(base.scopes, currency, share_ppm, random);
    if (index == 1) {
      base.end = Date(2025, 6, 30);
      Agreement renewal = base;
      renewal.id = "agreement:distributor-2-listening-renewal";
      renewal.start = Date(2026, 1, 1);
      renewal.end.reset();
      agreements.push_back(std::move(base));
      agreements.push_back(std::move(renewal));
    } else {
      agreements.push_back(std::move(base));
    }
    if (index % 4 == 0) {
      Agreement remix;
      remix.id = "agreement:distributor-" + std::to_string(index + 1) + "-remix";
      remix.licensor = licensor;
      remix.scopes = Scopes({Scope::kRemix});
      ACCORD_ASSIGN_OR_RETURN(remix.territories, ParseTerritories(kEuropeanUnion));
      remix.start = Date(2025, 1, 1);
      remix.end = Date(2027, 1, 1);
      remix.terms = TermsFor(remix.scopes, currency, 0, random);
      agreements.push_back(std::move(remix));
    }
  }

  // Independents that sign in their own name: varied scopes, territories and windows; some
  // license only a hand-picked list; some add a fixed-term licence for fan creations.
  static constexpr std::array<std::pair<Scope, double>, rights::kScopeCount> kIndieScopeChance = {
      {{Scope::kRecommend, 0.95},
       {Scope::kDj, 0.85},
       {Scope::kDjVoice, 0.45},
       {Scope::kRemix, 0.30},
       {Scope::kMashup, 0.20},
       {Scope::kTraining, 0.04},
       {Scope::kVoiceModel, 0.01},
       {Scope::kGeneration, 0.03}}};
  for (int64_t index = kMajorCount + sub_label_count_; index < label_count_; ++index) {
    const LabelPlan& plan = labels_[static_cast<size_t>(index)];
    if (!plan.signs_directly) continue;
    const std::string& licensor = label_ids_[static_cast<size_t>(index)];
    const std::string slug = licensor.substr(licensor.find(':') + 1);
    const Currency currency = currencies[static_cast<size_t>(plan.country)];

    Agreement agreement;
    agreement.id = "agreement:" + slug + "-1";
    agreement.licensor = licensor;
    for (const auto& [scope, chance] : kIndieScopeChance) {
      if (random.Chance(chance)) agreement.scopes.Insert(scope);
    }
    if (agreement.scopes.empty()) agreement.scopes.Insert(Scope::kRecommend);
    ACCORD_ASSIGN_OR_RETURN(agreement.territories, VariedTerritories(plan.country, random));
    VaryWindow(agreement, random);
    if (random.Chance(0.12)) {
      std::vector<Isrc> listed = SampleCatalog(plan.artists, 1 + random.Below(25), random);
      if (!listed.empty()) {
        agreement.all_controlled = false;
        agreement.recordings = std::move(listed);
      }
    }
    if (random.Chance(0.85)) {
      const int32_t share_ppm = static_cast<int32_t>(300'000 + 50'000 * random.Below(7));
      agreement.terms = TermsFor(agreement.scopes, currency, share_ppm, random);
      if (random.Chance(0.05)) {
        agreement.terms->minimum_guarantee =
            Money(100 * (5'000 + 1'000 * random.Below(46)), currency);
      }
    }
    agreements.push_back(std::move(agreement));

    if (random.Chance(0.2)) {
      Agreement creations;
      creations.id = "agreement:" + slug + "-2";
      creations.licensor = licensor;
      creations.scopes = Scopes({Scope::kRemix, Scope::kMashup});
      ACCORD_ASSIGN_OR_RETURN(creations.territories, VariedTerritories(plan.country, random));
      creations.start = PlusDays(Date(2025, 1, 1), random.Below(365));
      creations.end = PlusDays(creations.start, 365 * (1 + random.Below(2)));
      creations.terms = TermsFor(creations.scopes, currency, 0, random);
      agreements.push_back(std::move(creations));
    }
  }

  // Some DIY artists (no distributor) license directly; the others stay unlicensed.
  for (int64_t index = 0; index < artist_count_; ++index) {
    const ArtistPlan& plan = artists_[static_cast<size_t>(index)];
    if (plan.label >= 0 || plan.distributor >= 0 || plan.catalog_size == 0) continue;
    if (!random.Chance(0.3)) continue;
    Agreement direct;
    direct.id = "agreement:artist-" + std::to_string(index + 1) + "-direct";
    direct.licensor = artist_ids_[static_cast<size_t>(index)];
    direct.scopes = Scopes({Scope::kRecommend, Scope::kDj});
    if (random.Chance(0.3)) direct.scopes.Insert(Scope::kRemix);
    direct.territories = TerritorySet::Worldwide();
    direct.start = PlusDays(Date(2024, 3, 1), random.Below(600));
    direct.terms =
        TermsFor(direct.scopes, currencies[static_cast<size_t>(plan.country)], 500'000, random);
    agreements.push_back(std::move(direct));
  }

  // Publishers license the composition side of fan creations and generation: the majors for
  // chosen territories, most independents for their home region or wider.
  static constexpr std::array<std::string_view, kMajorCount> kPublisherTerritories = {
      "worldwide -CN", "US CA GB IE", "AT BE DE DK FI FR IE IT NL NO SE"};
  for (int64_t index = 0; index < publisher_count_; ++index) {
    const std::string& licensor = publisher_ids_[static_cast<size_t>(index)];
    const std::string slug = licensor.substr(licensor.find(':') + 1);
    Agreement composition;
    composition.id = "agreement:publisher-" + slug + "-compositions";
    composition.licensor = licensor;
    composition.scopes = Scopes({Scope::kRemix, Scope::kMashup});
    if (index < major_publisher_count_) {
      if (index == 2) composition.scopes.Insert(Scope::kGeneration);
      ACCORD_ASSIGN_OR_RETURN(composition.territories,
                              ParseTerritories(kPublisherTerritories[static_cast<size_t>(index)]));
      composition.start = Date(2024, 6, 1);
      if (index == 1) composition.end = Date(2027, 6, 1);
      const Currency currency = index == 2 ? eur : usd;
      composition.terms = EconomicTerms{
          currency,
          {{Scope::kRemix, Rate(20'000, currency)}, {Scope::kMashup, Rate(30'000, currency)}},
          150'000,
          std::nullopt};
      if (index == 2) {
        composition.terms->per_use_rates.emplace_back(Scope::kGeneration, Rate(25'000, currency));
      }
    } else {
      if (!random.Chance(0.6)) continue;
      if (random.Chance(0.5)) composition.scopes = Scopes({Scope::kRemix});
      const int32_t country = static_cast<int32_t>(random.Below(kCountryCount));
      ACCORD_ASSIGN_OR_RETURN(composition.territories, VariedTerritories(country, random));
      VaryWindow(composition, random);
      composition.terms =
          TermsFor(composition.scopes, currencies[static_cast<size_t>(country)], 0, random);
      composition.terms->revenue_share_ppm = 100'000;
    }
    agreements.push_back(std::move(composition));
  }
  return OkStatus();
}

void WorldBuilder::BuildConsents() {
  Random random(options_.seed, Phase::kConsents);
  // Per scope: the share of artists who opt in, and of the others, the share who say no
  // explicitly. recommend and dj run in opt-out mode, so a yes there is rare and redundant
  // (an artist confirming in the portal); the generative scopes draw the most explicit noes.
  struct ScopeRates {
    Scope scope;
    double opt_in;
    double opt_out_of_rest;
  };
  static constexpr std::array<ScopeRates, rights::kScopeCount> kRates = {{
      {Scope::kRecommend, 0.02, 0.03},
      {Scope::kDj, 0.02, 0.03},
      {Scope::kDjVoice, 0.40, 0.08},
      {Scope::kRemix, 0.35, 0.10},
      {Scope::kMashup, 0.25, 0.10},
      {Scope::kTraining, 0.08, 0.20},
      {Scope::kVoiceModel, 0.03, 0.25},
      {Scope::kGeneration, 0.05, 0.15},
  }};
  struct Pending {
    int64_t effective_ms;
    int32_t artist;
    Scope scope;
    ConsentChoice choice;
    uint8_t method;
  };
  static constexpr std::array<std::string_view, 4> kMethods = {"portal", "import",
                                                               "contract clause 7.2", "cli"};
  std::vector<Pending> pending;
  pending.reserve(static_cast<size_t>(artist_count_ * 2));
  const Timestamp first_from = Date(2024, 1, 1);
  const Timestamp first_to = Date(2025, 12, 1);
  for (int64_t index = 0; index < artist_count_; ++index) {
    // How open an artist is to AI uses. It drives 70% of their choices, so that one who lets
    // fans train a voice model almost surely allows remixes too; the other 30% are
    // independent. Either way each scope's opt-in rate is exactly the table's.
    const double openness = random.Uniform();
    const uint8_t method = static_cast<uint8_t>(random.Chance(0.65)   ? 0
                                                : random.Chance(0.57) ? 1
                                                : random.Chance(0.67) ? 2
                                                                      : 3);
    for (const ScopeRates& rates : kRates) {
      const double draw = random.Chance(0.7) ? openness : random.Uniform();
      ConsentChoice choice;
      if (draw < rates.opt_in) {
        choice = ConsentChoice::kOptIn;
      } else if (random.Chance(rates.opt_out_of_rest)) {
        choice = ConsentChoice::kOptOut;
      } else {
        continue;
      }
      const Timestamp effective = InstantBetween(first_from, first_to, random);
      pending.push_back(Pending{effective.unix_millis(), static_cast<int32_t>(index), rates.scope,
                                choice, method});
      // A few change their mind later, always through the portal.
      if (random.Chance(0.04)) {
        const Timestamp later =
            InstantBetween(PlusDays(effective, 1), PlusDays(effective, 365), random);
        pending.push_back(Pending{
            later.unix_millis(), static_cast<int32_t>(index), rates.scope,
            choice == ConsentChoice::kOptIn ? ConsentChoice::kOptOut : ConsentChoice::kOptIn, 0});
      }
    }
  }
  // Records in the order they were entered, as a store would have them.
  std::sort(pending.begin(), pending.end(), [](const Pending& a, const Pending& b) {
    if (a.effective_ms != b.effective_ms) return a.effective_ms < b.effective_ms;
    if (a.artist != b.artist) return a.artist < b.artist;
    return a.scope < b.scope;
  });
  registry_.consents.reserve(pending.size());
  int64_t sequence = 0;
  for (const Pending& record : pending) {
    Consent consent;
    consent.id = "consent:" + std::to_string(++sequence);
    consent.party = artist_ids_[static_cast<size_t>(record.artist)];
    consent.scope = record.scope;
    consent.choice = record.choice;
    consent.effective = Timestamp::FromUnixMillis(record.effective_ms);
    consent.method = kMethods[record.method];
    switch (record.method) {
      case 0:
        consent.recorded_by = consent.party;
        break;
      case 1:
        consent.recorded_by = "admin:rights-ops";
        break;
      case 2:
        consent.recorded_by = "manager:" + std::to_string(record.artist + 1);
        break;
      default:
        consent.recorded_by = "admin:support";
        break;
    }
    registry_.consents.push_back(std::move(consent));
  }
}

void WorldBuilder::BuildTakedowns() {
  Random random(options_.seed, Phase::kTakedowns);
  if (recording_count_ == 0) return;
  const int64_t blocks = std::max<int64_t>(1, recording_count_ / 1'000);
  std::vector<bool> taken(static_cast<size_t>(recording_count_), false);
  struct Pending {
    int64_t effective_ms;
    int64_t recording;
    TakedownAction action;
    uint8_t reason;
  };
  std::vector<Pending> pending;
  pending.reserve(static_cast<size_t>(blocks * 3 / 2));
  for (int64_t block = 0; block < blocks; ++block) {
    int64_t recording = random.Below(recording_count_);
    while (taken[static_cast<size_t>(recording)]) recording = (recording + 1) % recording_count_;
    taken[static_cast<size_t>(recording)] = true;
    const Timestamp effective = InstantBetween(Date(2024, 1, 1), Date(2026, 1, 1), random);
    const uint8_t reason = static_cast<uint8_t>(random.Below(kTakedownReasons.size()));
    pending.push_back(Pending{effective.unix_millis(), recording, TakedownAction::kBlock, reason});
    // About a third are lifted once the dispute is settled.
    if (random.Chance(0.35)) {
      const Timestamp lifted =
          InstantBetween(PlusDays(effective, 3), PlusDays(effective, 120), random);
      pending.push_back(Pending{lifted.unix_millis(), recording, TakedownAction::kLift, reason});
    }
  }
  std::sort(pending.begin(), pending.end(), [](const Pending& a, const Pending& b) {
    if (a.effective_ms != b.effective_ms) return a.effective_ms < b.effective_ms;
    return a.recording < b.recording;
  });
  registry_.takedowns.reserve(pending.size());
  int64_t sequence = 0;
  for (const Pending& record : pending) {
    Takedown takedown;
    takedown.id = "takedown:" + std::to_string(++sequence);
    takedown.recording = registry_.recordings[static_cast<size_t>(record.recording)].isrc;
    takedown.action = record.action;
    takedown.effective = Timestamp::FromUnixMillis(record.effective_ms);
    takedown.reason = record.action == TakedownAction::kBlock
                          ? std::string(kTakedownReasons[record.reason])
                          : "resolved: " + std::string(kTakedownReasons[record.reason]);
    registry_.takedowns.push_back(std::move(takedown));
  }
}

Result<Registry> WorldBuilder::Build() {
  ACCORD_RETURN_IF_ERROR(PlanCounts());
  ACCORD_RETURN_IF_ERROR(PlanLabels());
  ACCORD_RETURN_IF_ERROR(PlanArtists());
  ACCORD_RETURN_IF_ERROR(PlanWriters());
  ACCORD_RETURN_IF_ERROR(BuildParties());
  ACCORD_RETURN_IF_ERROR(BuildRecordings());
  ACCORD_RETURN_IF_ERROR(BuildAgreements());
  BuildConsents();
  BuildTakedowns();
  return std::move(registry_);
}

}  // namespace

Result<rights::Registry> GenerateWorld(const WorldOptions& options) {
  WorldBuilder builder(options);
  return builder.Build();
}

}  // namespace accord::world
