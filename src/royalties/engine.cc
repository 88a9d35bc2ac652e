#include "royalties/engine.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

namespace accord::royalties {
namespace {

using rights::Scope;

// Artist-centric weights carry this many fractional steps so that the per-listener cap
// (cap / uses) scales weights without floating point; the cap factor is exact to 1/4096.
constexpr Weight kFixedPoint = 4096;
constexpr int64_t kWholePpm = 1'000'000;
// Fee values are rate micros x weight ppm: units of 10^-12 of the currency's major unit.
constexpr Weight kFeeUnitsPerMajor = 1'000'000'000'000;

// A line's key: the ISRC, the scope's number and the territory code, 15 bytes, so that it
// fits the string's inline buffer (no allocation per use). Keys sort by recording, then scope
// (in enum order), then territory, and that order is also the tie-break of every split.
std::string LineKey(std::string_view isrc, Scope scope, Territory territory) {
  std::string key(isrc);
  key += static_cast<char>('0' + static_cast<int>(scope));
  key += territory.code();
  return key;
}

// The uses of one statement line (recording x scope x territory) in one pool or agreement.
struct LineUse {
  std::string isrc;
  Scope scope = Scope::kRecommend;
  Territory territory = Territory::FromIndex(0);
  Weight weight = 0;
  int64_t uses = 0;
};
using Lines = std::unordered_map<std::string, LineUse>;  // by LineKey
using SortedLines = std::vector<std::pair<const std::string*, const LineUse*>>;

// The lines in key order: every split walks them in this order, whatever the hash map's.
SortedLines Sorted(const Lines& lines) {
  SortedLines sorted;
  sorted.reserve(lines.size());
  for (const auto& [key, line] : lines) sorted.emplace_back(&key, &line);
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return *a.first < *b.first; });
  return sorted;
}

void AddUse(Lines& lines, const std::string& isrc, Scope scope, Territory territory,
            Weight weight) {
  LineUse& line = lines[LineKey(isrc, scope, territory)];
  if (line.uses == 0) {
    line.isrc = isrc;
    line.scope = scope;
    line.territory = territory;
  }
  line.weight += weight;
  ++line.uses;
}

struct PartyLineKey {
  LineKind kind;
  std::string source, isrc, scope, territory, role;
  auto operator<=>(const PartyLineKey&) const = default;
};

class Run {
 public:
  explicit Run(const RunInputs& inputs) : in_(inputs) {
    for (const catalog::Recording& recording : inputs.registry->recordings) {
      recordings_[recording.isrc.str()] = &recording;
    }
    for (const catalog::Work& work : inputs.registry->works) works_[work.iswc.str()] = &work;
    for (const catalog::Party& party : inputs.registry->parties) parties_[party.id] = &party;
  }

  Result<RunResult> Execute() {
    RunResult result;
    result.period = in_.period;
    result.checkpoint = in_.checkpoint;
    result.events = in_.events.size();
    for (const RecordedEvent& recorded : in_.events) {
      if (result.first_sequence == 0) result.first_sequence = recorded.sequence;
      result.last_sequence = recorded.sequence;
      for (const ledger::UsedRecording& used : recorded.event.recordings) {
        if (!recordings_.contains(used.isrc.str())) {
          return InvalidArgumentError("ledger event " + recorded.event.id + " (sequence " +
                                      std::to_string(recorded.sequence) + ") uses " +
                                      used.isrc.str() + ", which the catalog does not hold");
        }
      }
    }
    for (const RevenuePool& pool : in_.settings.pools) {
      ACCORD_ASSIGN_OR_RETURN(PoolSummary summary, AllocatePool(pool));
      totals_[std::string(pool.amount.currency().code())].pools += pool.amount.minor_units();
      result.pools.push_back(summary);
    }
    ACCORD_RETURN_IF_ERROR(AddFees());
    ACCORD_RETURN_IF_ERROR(AddGuarantees());
    BuildStatements(result);
    // The whole must be paid out exactly: checked before anything is returned or written.
    for (auto& [currency, totals] : totals_) {
      if (totals.paid != totals.pools + totals.fees + totals.guarantees) {
        return InternalError("royalty run " + in_.period.name + ": parties' totals in " + currency +
                             " add up to " + std::to_string(totals.paid) +
                             " minor units, but pools + fees + guarantees are " +
                             std::to_string(totals.pools + totals.fees + totals.guarantees));
      }
    }
    result.totals = totals_;
    return result;
  }

 private:
  bool InPool(const RevenuePool& pool, const ledger::UsageEvent& event) const {
    return pool.scopes.Contains(event.scope) && pool.territories.Contains(event.territory);
  }

  Result<PoolSummary> AllocatePool(const RevenuePool& pool) {
    PoolSummary summary{pool.id, pool.amount, std::string(AllocationModelName(pool.model))};
    std::map<std::string, Lines> by_listener;  // user-centric: each listener's own lines
    Lines lines;
    std::set<std::string> listeners;
    // Artist-centric needs the period's counts before it can weigh any use.
    std::unordered_map<std::string, int64_t> listener_uses;
    std::unordered_set<std::string> professional;
    if (pool.model == AllocationModel::kArtistCentric) {
      std::unordered_map<std::string, std::pair<int64_t, std::unordered_set<std::string>>> artists;
      for (const RecordedEvent& recorded : in_.events) {
        const ledger::UsageEvent& event = recorded.event;
        if (!InPool(pool, event)) continue;
        ++listener_uses[event.listener];
        std::set<std::string> seen;  // an artist counts once per event
        for (const ledger::UsedRecording& used : event.recordings) {
          for (const std::string& artist : recordings_.at(used.isrc.str())->main_artists) {
            if (!seen.insert(artist).second) continue;
            auto& [uses, who] = artists[artist];
            ++uses;
            who.insert(event.listener);
          }
        }
      }
      for (const auto& [artist, counts] : artists) {
        if (counts.first >= pool.artist_centric.min_uses &&
            static_cast<int64_t>(counts.second.size()) >= pool.artist_centric.min_listeners) {
          professional.insert(artist);
        }
      }
    }
    for (const RecordedEvent& recorded : in_.events) {
      const ledger::UsageEvent& event = recorded.event;
      if (!InPool(pool, event)) continue;
      ++summary.uses;
      listeners.insert(event.listener);
      for (const ledger::UsedRecording& used : event.recordings) {
        const std::string isrc = used.isrc.str();
        Weight weight = static_cast<Weight>(used.weight_ppm);
        if (pool.model == AllocationModel::kArtistCentric) {
          const ArtistCentricSettings& s = pool.artist_centric;
          weight *= kFixedPoint;
          const auto& artists = recordings_.at(isrc)->main_artists;
          if (std::any_of(artists.begin(), artists.end(),
                          [&](const std::string& a) { return professional.contains(a); })) {
            weight *= static_cast<Weight>(s.artist_boost);
          }
          if (event.requested) weight *= static_cast<Weight>(s.requested_boost);
          const int64_t uses = listener_uses[event.listener];
          if (uses > s.listener_cap) {
            weight = weight * static_cast<Weight>(s.listener_cap) / static_cast<Weight>(uses);
          }
        }
        if (pool.model == AllocationModel::kUserCentric) {
          AddUse(by_listener[event.listener], isrc, event.scope, event.territory, weight);
        }
        AddUse(lines, isrc, event.scope, event.territory, weight);
        summary.total_weight += weight;
      }
    }
    summary.listeners = static_cast<int64_t>(listeners.size());
    if (summary.total_weight == 0) {
      return InvalidArgumentError("pool " + pool.id + ": no uses in " + in_.period.name +
                                  " match its scopes and territories, so its " +
                                  pool.amount.ToString() + " cannot be allocated");
    }
    std::unordered_map<std::string, int64_t> line_amounts;
    if (pool.model == AllocationModel::kUserCentric) {
      // Each listener's part is equal; each part follows that listener's own uses.
      std::vector<WeightedPart> people;
      for (const auto& [listener, own] : by_listener) people.push_back({1, listener});
      ACCORD_ASSIGN_OR_RETURN(std::vector<int64_t> shares,
                              SplitLargestRemainder(pool.amount.minor_units(), people));
      size_t index = 0;
      for (const auto& [listener, own] : by_listener) {
        const SortedLines sorted = Sorted(own);
        ACCORD_ASSIGN_OR_RETURN(std::vector<int64_t> amounts,
                                SplitLargestRemainder(shares[index++], Parts(sorted)));
        for (size_t k = 0; k < sorted.size(); ++k) line_amounts[*sorted[k].first] += amounts[k];
      }
    } else {
      const SortedLines sorted = Sorted(lines);
      ACCORD_ASSIGN_OR_RETURN(std::vector<int64_t> amounts,
                              SplitLargestRemainder(pool.amount.minor_units(), Parts(sorted)));
      for (size_t k = 0; k < sorted.size(); ++k) line_amounts[*sorted[k].first] = amounts[k];
    }
    for (const auto& [key, line] : Sorted(lines)) {
      ACCORD_RETURN_IF_ERROR(PayHolders(*line, LineKind::kPool, pool.id, line_amounts[*key],
                                        pool.amount.currency(), summary.total_weight));
    }
    return summary;
  }

  static std::vector<WeightedPart> Parts(const SortedLines& sorted) {
    std::vector<WeightedPart> parts;
    parts.reserve(sorted.size());
    for (const auto& [key, line] : sorted) parts.push_back({line->weight, *key});
    return parts;
  }

  // Splits a pool line's amount over the recording's holders: the composition share to the
  // work's writers and publishers, the rest to the master owners.
  Status PayHolders(const LineUse& line, LineKind kind, const std::string& source, int64_t amount,
                    Currency currency, Weight pool_weight) {
    const catalog::Recording& recording = *recordings_.at(line.isrc);
    const catalog::Work* work = nullptr;
    if (recording.work) {
      auto it = works_.find(recording.work->str());
      if (it != works_.end()) work = it->second;
    }
    int64_t master = amount;
    if (work != nullptr && in_.settings.composition_scopes.Contains(line.scope)) {
      const int64_t share = in_.settings.composition_share_ppm;
      ACCORD_ASSIGN_OR_RETURN(
          std::vector<int64_t> halves,
          SplitLargestRemainder(amount, {{static_cast<Weight>(share), "composition"},
                                         {static_cast<Weight>(kWholePpm - share), "master"}}));
      master = halves[1];
      std::vector<std::tuple<std::string, std::string, int32_t>> holders;  // role, party, ppm
      for (const catalog::Share& s : work->writers) holders.emplace_back("writer", s.party, s.ppm);
      for (const catalog::Share& s : work->publishers) {
        holders.emplace_back("publisher", s.party, s.ppm);
      }
      ACCORD_RETURN_IF_ERROR(
          PayShares(line, kind, source, halves[0], currency, pool_weight, holders));
    }
    std::vector<std::tuple<std::string, std::string, int32_t>> owners;
    for (const catalog::Share& s : recording.master_owners) {
      owners.emplace_back("master_owner", s.party, s.ppm);
    }
    return PayShares(line, kind, source, master, currency, pool_weight, owners);
  }

  Status PayShares(const LineUse& line, LineKind kind, const std::string& source, int64_t amount,
                   Currency currency, Weight pool_weight,
                   const std::vector<std::tuple<std::string, std::string, int32_t>>& holders) {
    std::vector<std::string> keys;
    for (const auto& [role, party, ppm] : holders) keys.push_back(role + ":" + party);
    std::vector<WeightedPart> parts;
    for (size_t i = 0; i < holders.size(); ++i) {
      parts.push_back({static_cast<Weight>(std::get<2>(holders[i])), keys[i]});
    }
    ACCORD_ASSIGN_OR_RETURN(std::vector<int64_t> amounts, SplitLargestRemainder(amount, parts));
    for (size_t i = 0; i < holders.size(); ++i) {
      const auto& [role, party, ppm] = holders[i];
      StatementLine& out =
          Credit(party, {kind, source, line.isrc, std::string(rights::ScopeName(line.scope)),
                         std::string(line.territory.code()), role});
      out.share_ppm = ppm;
      out.uses += line.uses;
      out.weight += line.weight;
      out.pool_weight = pool_weight;
      AddAmount(out, party, amounts[i], currency);
    }
    return OkStatus();
  }

  StatementLine& Credit(const std::string& party, const PartyLineKey& key) {
    StatementLine& line = credits_[party][key];
    line.kind = key.kind;
    line.source = key.source;
    line.isrc = key.isrc;
    line.scope = key.scope;
    line.territory = key.territory;
    line.role = key.role;
    return line;
  }

  void AddAmount(StatementLine& line, const std::string& party, int64_t amount, Currency currency) {
    line.amount = Money(line.amount.minor_units() + amount, currency);
    totals_[std::string(currency.code())].paid += amount;
    earned_[party][std::string(currency.code())] += amount;
  }

  // Per-use fees: each use pays, to the licensor of every agreement in its decision's basis
  // that prices the use's scope, rate x the recording's weight in the use.
  Status AddFees() {
    std::map<std::string, const rights::Agreement*> priced;
    for (const rights::Agreement& agreement : in_.registry->agreements) {
      if (agreement.terms && !agreement.terms->per_use_rates.empty()) {
        priced[agreement.id] = &agreement;
      }
    }
    if (priced.empty()) return OkStatus();
    std::map<std::string, Lines> by_agreement;
    for (const RecordedEvent& recorded : in_.events) {
      const ledger::UsageEvent& event = recorded.event;
      for (const ledger::UsedRecording& used : event.recordings) {
        std::optional<uint32_t> index = in_.policy->FindRecording(used.isrc);
        if (!index) continue;  // checked against the registry above
        const rights::Decision decision =
            in_.policy->Decide(event.scope, *index, event.territory, event.time);
        for (const std::string& id : decision.agreements) {
          auto it = priced.find(id);
          if (it == priced.end()) continue;
          for (const auto& [scope, rate] : it->second->terms->per_use_rates) {
            if (scope != event.scope) continue;
            AddUse(by_agreement[id], used.isrc.str(), event.scope, event.territory,
                   static_cast<Weight>(rate.micros()) * static_cast<Weight>(used.weight_ppm));
          }
        }
      }
    }
    for (const auto& [id, lines] : by_agreement) {
      const rights::Agreement& agreement = *priced.at(id);
      const Currency currency = agreement.terms->currency;
      const SortedLines sorted = Sorted(lines);
      Weight value = 0;
      for (const auto& [key, line] : sorted) value += line->weight;
      // The agreement's whole fee is rounded once (half up) to minor units, then split over
      // its lines, so the lines add up to the rounded whole.
      Weight scale = 1;
      for (int i = 0; i < currency.exponent(); ++i) scale *= 10;
      const int64_t minor =
          static_cast<int64_t>((value * scale + kFeeUnitsPerMajor / 2) / kFeeUnitsPerMajor);
      ACCORD_ASSIGN_OR_RETURN(std::vector<int64_t> amounts,
                              SplitLargestRemainder(minor, Parts(sorted)));
      size_t k = 0;
      for (const auto& [key, line] : sorted) {
        StatementLine& out =
            Credit(agreement.licensor,
                   {LineKind::kFee, id, line->isrc, std::string(rights::ScopeName(line->scope)),
                    std::string(line->territory.code()), "licensor"});
        out.share_ppm = kWholePpm;
        out.uses += line->uses;
        for (const auto& [scope, rate] : agreement.terms->per_use_rates) {
          if (rights::ScopeName(scope) == out.scope) out.rate_micros = rate.micros();
        }
        AddAmount(out, agreement.licensor, amounts[k++], currency);
      }
      totals_[std::string(currency.code())].fees += minor;
    }
    return OkStatus();
  }

  // The licensor and every party it acts for, transitively: whose earnings count toward the
  // licensor's guarantee.
  std::set<std::string> Reach(const std::string& licensor) const {
    std::set<std::string> reach{licensor};
    std::vector<std::string> todo{licensor};
    while (!todo.empty()) {
      const std::string id = todo.back();
      todo.pop_back();
      auto it = parties_.find(id);
      if (it == parties_.end()) continue;
      for (const std::string& next : it->second->acts_for) {
        if (reach.insert(next).second) todo.push_back(next);
      }
    }
    return reach;
  }

  // A minimum guarantee tops the licensor up when what it and the parties it acts for earned
  // in the guarantee's currency falls short; the top-up is a line of its own.
  Status AddGuarantees() {
    for (const rights::Agreement& agreement : in_.registry->agreements) {
      if (!agreement.terms || !agreement.terms->minimum_guarantee) continue;
      const bool in_force =
          agreement.start < in_.period.end && (!agreement.end || *agreement.end > in_.period.start);
      if (!in_force) continue;
      const Money guarantee = *agreement.terms->minimum_guarantee;
      const std::string code(guarantee.currency().code());
      int64_t earned = 0;
      for (const std::string& party : Reach(agreement.licensor)) {
        auto it = earned_.find(party);
        if (it == earned_.end()) continue;
        auto in_currency = it->second.find(code);
        if (in_currency != it->second.end()) earned += in_currency->second;
      }
      if (earned >= guarantee.minor_units()) continue;
      const int64_t top_up = guarantee.minor_units() - earned;
      StatementLine& out =
          Credit(agreement.licensor, {LineKind::kGuarantee, agreement.id, "", "", "", "licensor"});
      out.share_ppm = kWholePpm;
      out.weight = static_cast<Weight>(earned);
      out.pool_weight = static_cast<Weight>(guarantee.minor_units());
      AddAmount(out, agreement.licensor, top_up, guarantee.currency());
      totals_[code].guarantees += top_up;
    }
    return OkStatus();
  }

  void BuildStatements(RunResult& result) {
    for (const auto& [party, lines] : credits_) {  // std::map: sorted by party id
      Statement statement;
      statement.party = party;
      auto it = parties_.find(party);
      if (it != parties_.end()) statement.party_name = it->second->name;
      for (const auto& [key, line] : lines) {
        statement.lines.push_back(line);
        statement.totals_minor[std::string(line.amount.currency().code())] +=
            line.amount.minor_units();
      }
      result.statements.push_back(std::move(statement));
    }
  }

  const RunInputs& in_;
  std::unordered_map<std::string, const catalog::Recording*> recordings_;
  std::unordered_map<std::string, const catalog::Work*> works_;
  std::unordered_map<std::string, const catalog::Party*> parties_;
  std::map<std::string, std::map<PartyLineKey, StatementLine>> credits_;
  std::map<std::string, std::map<std::string, int64_t>> earned_;  // party → currency → minor
  std::map<std::string, CurrencyTotals> totals_;
};

}  // namespace

std::string_view LineKindName(LineKind kind) {
  switch (kind) {
    case LineKind::kPool:
      return "pool";
    case LineKind::kFee:
      return "fee";
    case LineKind::kGuarantee:
      return "guarantee";
  }
  return "unknown";
}

Result<RunResult> RunRoyalties(const RunInputs& inputs) {
  if (inputs.registry == nullptr || inputs.policy == nullptr) {
    return InvalidArgumentError("royalty run needs the registry and the policy snapshot");
  }
  return Run(inputs).Execute();
}

}  // namespace accord::royalties
