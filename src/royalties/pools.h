// Revenue pools and run settings: what a royalty run distributes, read from a JSON file.
//
// A pool is an amount of money for a territory (or a set of territories) and a set of scopes,
// with the allocation model that splits it, e.g. "the AI-features share of subscription revenue
// in DE for January: 1,234,567.89 EUR for recommend + dj, pro rata". The file format is in
// docs/formats/royalty_pools.md:
//
//   {"pools": [{"id": "de-ai", "amount": "1234567.89", "currency": "EUR", "territory": "DE",
//               "scopes": ["recommend", "dj"], "model": "pro_rata"}],
//    "composition_share_ppm": 150000}
//
// A pool with "revenue": "gross" is revenue rather than the rights holders' money: agreements'
// revenue shares decide what is paid, and the rest is retained by "platform" (a party id).
//
// Parsing is strict: unknown fields, bad amounts (more decimals than the currency has), unknown
// scopes or territories and duplicate pool ids are InvalidArgument naming the file and the JSON
// pointer of the field.
//
// Thread safety: values and pure functions.
#ifndef ACCORD_ROYALTIES_POOLS_H_
#define ACCORD_ROYALTIES_POOLS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/money.h"
#include "core/status.h"
#include "core/territory.h"
#include "core/time.h"
#include "rights/model.h"

namespace accord::royalties {

enum class AllocationModel { kProRata, kUserCentric, kArtistCentric };
std::string_view AllocationModelName(AllocationModel model);  // "pro_rata", ...
Result<AllocationModel> ParseAllocationModel(std::string_view name);

// The artist-centric model as Deezer and UMG introduced it in 2023. Every threshold and factor
// is a setting; the defaults are theirs.
struct ArtistCentricSettings {
  // An artist whose recordings reach both thresholds in the pool's uses of the period is a
  // "professional" artist: each use of their recordings counts artist_boost times.
  int64_t min_uses = 1000;
  int64_t min_listeners = 500;
  int64_t artist_boost = 2;
  // A use the listener actively asked for (searched, requested) counts requested_boost times.
  int64_t requested_boost = 2;
  // A listener with more uses than this in the pool counts for this many: each of their uses
  // weighs listener_cap / (their uses).
  int64_t listener_cap = 1000;

  friend bool operator==(const ArtistCentricSettings&, const ArtistCentricSettings&) = default;
};

// What a pool's amount is. Net: money already set aside for rights holders, paid out in full
// over each line's holders by their splits. Gross: revenue, of which each holder of a line is
// paid the revenue share of the agreement that licensed its part of the uses
// (EconomicTerms::revenue_share_ppm); what no share claims stays with the platform, as lines
// of its own (RunSettings::platform). docs/royalties.md, "Gross pools", has the rule.
enum class PoolRevenue { kNet, kGross };

struct RevenuePool {
  std::string id;
  Money amount{0, Currency()};
  TerritorySet territories;
  rights::ScopeSet scopes;
  AllocationModel model = AllocationModel::kProRata;
  ArtistCentricSettings artist_centric;
  PoolRevenue revenue = PoolRevenue::kNet;
};

// A royalty period: [start, end), a calendar month unless given otherwise.
struct Period {
  std::string name;  // "2026-01"
  Timestamp start;
  Timestamp end;
};
// Parses "YYYY-MM" into that calendar month (UTC). InvalidArgument names the text.
Result<Period> ParsePeriod(std::string_view text);

struct RunSettings {
  std::vector<RevenuePool> pools;
  // The part of each recording's earnings that goes to the composition (the work's writers and
  // publishers by their splits) for uses in composition_scopes; the rest goes to the master
  // owners. A recording whose work is unknown pays everything to its master owners.
  int32_t composition_share_ppm = 150'000;
  rights::ScopeSet composition_scopes = rights::ScopeSet::All();
  // The party whose statement shows what gross pools retain: the platform's own account, so
  // that every unit of a pool appears on some statement.
  std::string platform = "platform";
};

// Parses a pools file's text; `where` names it in errors.
Result<RunSettings> ParseRunSettings(std::string_view json_text, std::string_view where);
Result<RunSettings> ReadRunSettingsFile(const std::string& path);

}  // namespace accord::royalties

#endif  // ACCORD_ROYALTIES_POOLS_H_
