// The rights layer's facts: AI-use scopes, agreements, consents, takedowns and platform policy.
//
// Consents and takedowns are history, never state: a change is a new record with its own
// effective time, so the situation at any past moment can be rebuilt. Two consent records for
// the same party and scope at the same effective time are refused (the registry would otherwise
// need an arbitrary tie-break); likewise two takedown records for one recording at one time.
//
// Thread safety: values.
#ifndef ACCORD_RIGHTS_MODEL_H_
#define ACCORD_RIGHTS_MODEL_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "catalog/model.h"
#include "core/ids.h"
#include "core/money.h"
#include "core/status.h"
#include "core/territory.h"
#include "core/time.h"

namespace accord::rights {

// The kinds of AI use that need permission (MISSION.md, "Words").
enum class Scope : uint8_t {
  kRecommend = 0,
  kDj,
  kDjVoice,
  kRemix,
  kMashup,
  kTraining,
  kVoiceModel,
  kGeneration,
};
inline constexpr int kScopeCount = 8;
inline constexpr std::array<Scope, kScopeCount> kAllScopes = {
    Scope::kRecommend, Scope::kDj,       Scope::kDjVoice,    Scope::kRemix,
    Scope::kMashup,    Scope::kTraining, Scope::kVoiceModel, Scope::kGeneration};

// "recommend", "dj", "dj_voice", "remix", "mashup", "training", "voice_model", "generation".
std::string_view ScopeName(Scope scope);
Result<Scope> ParseScope(std::string_view name);  // InvalidArgument lists the valid names
// Scopes that use the composition as well as the master, so publishers must license them too:
// remix, mashup, training, generation.
bool UsesComposition(Scope scope);

class ScopeSet {
 public:
  ScopeSet() = default;
  static ScopeSet All() { return ScopeSet(0xff); }
  static ScopeSet FromBits(uint8_t bits) { return ScopeSet(bits); }
  bool Contains(Scope s) const { return (bits_ >> static_cast<int>(s)) & 1u; }
  void Insert(Scope s) { bits_ = static_cast<uint8_t>(bits_ | (1u << static_cast<int>(s))); }
  bool empty() const { return bits_ == 0; }
  uint8_t bits() const { return bits_; }
  std::vector<Scope> ToVector() const;  // in enum order
  friend bool operator==(const ScopeSet&, const ScopeSet&) = default;

 private:
  explicit ScopeSet(uint8_t bits) : bits_(bits) {}
  uint8_t bits_ = 0;
};

// What an agreement pays, stored here for the royalty engine. Amounts are in `currency`.
struct EconomicTerms {
  Currency currency;
  std::vector<std::pair<Scope, Rate>> per_use_rates;  // at most one per scope, sorted by scope
  int32_t revenue_share_ppm = 0;                      // share of a revenue pool, 0..1,000,000
  std::optional<Money> minimum_guarantee;             // per royalty period

  friend bool operator==(const EconomicTerms&, const EconomicTerms&) = default;
};

// A licence from a rights holder (the licensor) to the platform.
struct Agreement {
  std::string id;
  std::string licensor;  // party id
  // true: covers every recording the licensor owns or controls: recordings whose master it
  // owns, or whose work it publishes, directly or through a party it acts for.
  // false: covers exactly `recordings`.
  bool all_controlled = true;
  std::vector<Isrc> recordings;
  ScopeSet scopes;
  TerritorySet territories;
  Timestamp start;               // in force from start, inclusive
  std::optional<Timestamp> end;  // until end, exclusive; none: open-ended
  std::optional<EconomicTerms> terms;

  bool InForce(Timestamp at) const { return start <= at && (!end || at < *end); }
  friend bool operator==(const Agreement&, const Agreement&) = default;
};

enum class ConsentChoice { kOptIn, kOptOut };
std::string_view ConsentChoiceName(ConsentChoice choice);  // "opt_in", "opt_out"
Result<ConsentChoice> ParseConsentChoice(std::string_view name);

// A party's yes or no to one scope, effective from a moment until a later record.
struct Consent {
  std::string id;
  std::string party;
  Scope scope = Scope::kRecommend;
  ConsentChoice choice = ConsentChoice::kOptOut;
  Timestamp effective;
  std::string recorded_by;  // who entered it: the artist, a manager, an admin
  std::string method;       // how: "portal", "import", "cli", "contract clause 4.2", ...

  friend bool operator==(const Consent&, const Consent&) = default;
};

enum class TakedownAction { kBlock, kLift };
std::string_view TakedownActionName(TakedownAction action);  // "block", "lift"
Result<TakedownAction> ParseTakedownAction(std::string_view name);

// A recording blocked from `effective` (dispute, impersonation report) until a later kLift.
struct Takedown {
  std::string id;
  Isrc recording;
  TakedownAction action = TakedownAction::kBlock;
  Timestamp effective;
  std::string reason;

  friend bool operator==(const Takedown&, const Takedown&) = default;
};

// How consent works per scope on this platform.
//   kOptIn: nothing without the artist's explicit yes.
//   kOptOut: allowed unless the artist said no.
enum class ConsentMode { kOptIn, kOptOut };
std::string_view ConsentModeName(ConsentMode mode);  // "opt_in", "opt_out"
Result<ConsentMode> ParseConsentMode(std::string_view name);

struct PlatformPolicy {
  // Defaults: opt_out for recommend and dj; opt_in for dj_voice, remix, mashup, training,
  // voice_model and generation.
  std::array<ConsentMode, kScopeCount> consent_mode = {
      ConsentMode::kOptOut, ConsentMode::kOptOut, ConsentMode::kOptIn, ConsentMode::kOptIn,
      ConsentMode::kOptIn,  ConsentMode::kOptIn,  ConsentMode::kOptIn, ConsentMode::kOptIn};
  // Whether recordings disclosed as fully AI-generated (ContainsAi::kAll) may be used by the
  // `recommend` scope. Off by default: AI features put human artists first.
  bool recommend_fully_ai = false;

  ConsentMode mode(Scope s) const { return consent_mode[static_cast<int>(s)]; }
  friend bool operator==(const PlatformPolicy&, const PlatformPolicy&) = default;
};

}  // namespace accord::rights

#endif  // ACCORD_RIGHTS_MODEL_H_
