#include "royalties/engine.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>

namespace accord::royalties {
namespace {

using rights::Scope;

// Artist-centric weights carry this many fractional steps so that the per-listener cap
// (cap / uses) scales weights without floating point; the cap factor is exact to 1/4096.
constexpr Weight kFixedPoint = 4096;
constexpr int64_t kWholePpm = 1'000'000;
// Fee values are rate micros x weight ppm: units of 10^-12 of the currency's major unit.
constexpr Weight kFeeUnitsPerMajor = 1'000'000'000'000;

// A line is recording x scope x territory, packed into 64 bits for the hot loops: the
// recording's index in the registry, the scope's number and the territory's index.
using LineId = uint64_t;
LineId MakeLineId(uint32_t recording, Scope scope, Territory territory) {
  return (static_cast<uint64_t>(recording) << 16) | (static_cast<uint64_t>(scope) << 8) |
         static_cast<uint64_t>(territory.index());
}

// The uses of one statement line in one pool or agreement.
struct LineUse {
  uint32_t recording = 0;
  Scope scope = Scope::kRecommend;
  Territory territory = Territory::FromIndex(0);
  Weight weight = 0;
  int64_t uses = 0;
};
using Lines = std::unordered_map<LineId, LineUse>;

void AddUse(Lines& lines, uint32_t recording, Scope scope, Territory territory, Weight weight) {
  LineUse& line = lines[MakeLineId(recording, scope, territory)];
  if (line.uses == 0) {
    line.recording = recording;
    line.scope = scope;
    line.territory = territory;
  }
  line.weight += weight;
  ++line.uses;
}

// One use of one recording by one event, with everything the hot loops need as integers.
struct Use {
  uint32_t event;      // index into RunInputs::events
  uint32_t recording;  // index into the registry's recordings
  uint32_t listener;   // interned listener id
  int32_t weight_ppm;
};

// Where a credit goes: a party's statement line. The views point into the registry and the
// run settings, which outlive the run; a guarantee has no line (kNoLine).
constexpr LineId kNoLine = ~LineId{0};
struct CreditKey {
  std::string_view party;
  LineKind kind;
  std::string_view source;  // pool or agreement id
  LineId line;
  std::string_view role;
  bool operator==(const CreditKey&) const = default;
};
struct CreditKeyHash {
  size_t operator()(const CreditKey& key) const {
    const std::hash<std::string_view> text;
    size_t h = text(key.party);
    for (size_t part : {text(key.source), std::hash<LineId>()(key.line), text(key.role),
                        static_cast<size_t>(key.kind)}) {
      h ^= part + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    }
    return h;
  }
};

class Run {
 public:
  explicit Run(const RunInputs& inputs) : in_(inputs) {
    const auto& recordings = inputs.registry->recordings;
    recording_index_.reserve(recordings.size());
    for (uint32_t i = 0; i < recordings.size(); ++i) {
      recording_index_[recordings[i].isrc.str()] = i;
    }
    for (const catalog::Work& work : inputs.registry->works) works_[work.iswc.str()] = &work;
    for (const catalog::Party& party : inputs.registry->parties) parties_[party.id] = &party;
  }

  Result<RunResult> Execute() {
    RunResult result;
    result.period = in_.period;
    result.checkpoint = in_.checkpoint;
    result.events = in_.events.size();
    // One pass turns strings into indexes; every later pass works on integers.
    std::unordered_map<std::string_view, uint32_t> listener_ids;
    for (uint32_t e = 0; e < in_.events.size(); ++e) {
      const RecordedEvent& recorded = in_.events[e];
      if (result.first_sequence == 0) result.first_sequence = recorded.sequence;
      result.last_sequence = recorded.sequence;
      const auto [listener, added] =
          listener_ids.emplace(recorded.event.listener, static_cast<uint32_t>(listener_ids.size()));
      if (added) listener_names_.push_back(recorded.event.listener);
      for (const ledger::UsedRecording& used : recorded.event.recordings) {
        auto it = recording_index_.find(used.isrc.str());
        if (it == recording_index_.end()) {
          return InvalidArgumentError("ledger event " + recorded.event.id + " (sequence " +
                                      std::to_string(recorded.sequence) + ") uses " +
                                      used.isrc.str() + ", which the catalog does not hold");
        }
        uses_.push_back({e, it->second, listener->second, used.weight_ppm});
      }
    }
    for (const RevenuePool& pool : in_.settings.pools) {
      ACCORD_ASSIGN_OR_RETURN(PoolSummary summary, AllocatePool(pool));
      TotalsOf(pool.amount.currency()).pools += pool.amount.minor_units();
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
    result.totals.insert(totals_.begin(), totals_.end());
    return result;
  }

 private:
  // The key of a line in splits: ISRC, scope number and territory code, 15 bytes (no
  // allocation). Ties between equal remainders go to the smaller key: by recording, then scope
  // in enum order, then territory.
  std::string LineKey(const LineUse& line) const {
    std::string key = in_.registry->recordings[line.recording].isrc.str();
    key += static_cast<char>('0' + static_cast<int>(line.scope));
    key += line.territory.code();
    return key;
  }

  // Splits `total` over `lines` by weight; the amounts are added to `amounts` by line id.
  Status SplitOverLines(int64_t total, const std::vector<const LineUse*>& lines,
                        std::unordered_map<LineId, int64_t>& amounts) const {
    std::vector<std::string> keys;
    keys.reserve(lines.size());
    for (const LineUse* line : lines) keys.push_back(LineKey(*line));
    std::vector<WeightedPart> parts;
    parts.reserve(lines.size());
    for (size_t k = 0; k < lines.size(); ++k) parts.push_back({lines[k]->weight, keys[k]});
    ACCORD_ASSIGN_OR_RETURN(std::vector<int64_t> split, SplitLargestRemainder(total, parts));
    for (size_t k = 0; k < lines.size(); ++k) {
      amounts[MakeLineId(lines[k]->recording, lines[k]->scope, lines[k]->territory)] += split[k];
    }
    return OkStatus();
  }

  // Artist-centric: the artists whose recordings reach both thresholds in the pool's uses.
  std::vector<bool> ProfessionalArtists(const RevenuePool& pool,
                                        const std::vector<bool>& in_pool) const {
    std::unordered_map<std::string_view, uint32_t> artist_ids;
    std::vector<int64_t> artist_uses;
    std::vector<std::pair<uint32_t, uint32_t>> artist_listener;  // (artist, listener)
    std::vector<uint32_t> seen;                                  // an artist counts once per event
    uint32_t current_event = UINT32_MAX;
    for (const Use& use : uses_) {
      if (!in_pool[use.event]) continue;
      if (use.event != current_event) {
        seen.clear();
        current_event = use.event;
      }
      for (const std::string& artist : in_.registry->recordings[use.recording].main_artists) {
        const auto [it, added] =
            artist_ids.emplace(artist, static_cast<uint32_t>(artist_ids.size()));
        if (added) artist_uses.push_back(0);
        if (std::find(seen.begin(), seen.end(), it->second) != seen.end()) continue;
        seen.push_back(it->second);
        ++artist_uses[it->second];
        artist_listener.emplace_back(it->second, use.listener);
      }
    }
    std::sort(artist_listener.begin(), artist_listener.end());
    artist_listener.erase(std::unique(artist_listener.begin(), artist_listener.end()),
                          artist_listener.end());
    std::vector<int64_t> artist_listeners(artist_uses.size(), 0);
    for (const auto& [artist, listener] : artist_listener) ++artist_listeners[artist];
    // Professional status by recording: any main artist qualifies.
    std::vector<bool> professional(in_.registry->recordings.size(), false);
    for (uint32_t r = 0; r < professional.size(); ++r) {
      for (const std::string& artist : in_.registry->recordings[r].main_artists) {
        auto it = artist_ids.find(artist);
        if (it != artist_ids.end() && artist_uses[it->second] >= pool.artist_centric.min_uses &&
            artist_listeners[it->second] >= pool.artist_centric.min_listeners) {
          professional[r] = true;
        }
      }
    }
    return professional;
  }

  Result<PoolSummary> AllocatePool(const RevenuePool& pool) {
    PoolSummary summary{pool.id, pool.amount, std::string(AllocationModelName(pool.model))};
    std::vector<bool> in_pool(in_.events.size());
    std::vector<int64_t> listener_uses(listener_names_.size(), 0);
    uint32_t last_event = UINT32_MAX;
    for (const Use& use : uses_) {
      if (use.event == last_event) continue;
      last_event = use.event;
      const ledger::UsageEvent& event = in_.events[use.event].event;
      in_pool[use.event] =
          pool.scopes.Contains(event.scope) && pool.territories.Contains(event.territory);
      if (!in_pool[use.event]) continue;
      ++summary.uses;
      ++listener_uses[use.listener];
    }
    summary.listeners = static_cast<int64_t>(
        std::count_if(listener_uses.begin(), listener_uses.end(), [](int64_t n) { return n > 0; }));
    std::vector<bool> professional;
    if (pool.model == AllocationModel::kArtistCentric) {
      professional = ProfessionalArtists(pool, in_pool);
    }
    Lines lines;
    // User-centric: (listener, line, weight) of every use, grouped per listener below.
    struct ListenerUse {
      uint32_t listener;
      LineId line;
      Weight weight;
    };
    std::vector<ListenerUse> listener_use;
    for (const Use& use : uses_) {
      if (!in_pool[use.event]) continue;
      const ledger::UsageEvent& event = in_.events[use.event].event;
      Weight weight = static_cast<Weight>(use.weight_ppm);
      if (pool.model == AllocationModel::kArtistCentric) {
        const ArtistCentricSettings& s = pool.artist_centric;
        weight *= kFixedPoint;
        if (professional[use.recording]) weight *= static_cast<Weight>(s.artist_boost);
        if (event.requested) weight *= static_cast<Weight>(s.requested_boost);
        const int64_t uses = listener_uses[use.listener];
        if (uses > s.listener_cap) {
          weight = weight * static_cast<Weight>(s.listener_cap) / static_cast<Weight>(uses);
        }
      }
      if (pool.model == AllocationModel::kUserCentric) {
        listener_use.push_back(
            {use.listener, MakeLineId(use.recording, event.scope, event.territory), weight});
      }
      AddUse(lines, use.recording, event.scope, event.territory, weight);
      summary.total_weight += weight;
    }
    if (summary.total_weight == 0) {
      return InvalidArgumentError("pool " + pool.id + ": no uses in " + in_.period.name +
                                  " match its scopes and territories, so its " +
                                  pool.amount.ToString() + " cannot be allocated");
    }
    std::unordered_map<LineId, int64_t> line_amounts;
    if (pool.model == AllocationModel::kUserCentric) {
      // Each listener's part is equal; each part follows that listener's own uses.
      std::sort(listener_use.begin(), listener_use.end(), [](const auto& a, const auto& b) {
        return a.listener != b.listener ? a.listener < b.listener : a.line < b.line;
      });
      std::vector<uint32_t> people_ids;
      std::vector<WeightedPart> people;
      for (const ListenerUse& use : listener_use) {
        if (!people_ids.empty() && people_ids.back() == use.listener) continue;
        people_ids.push_back(use.listener);
        people.push_back({1, listener_names_[use.listener]});
      }
      ACCORD_ASSIGN_OR_RETURN(std::vector<int64_t> shares,
                              SplitLargestRemainder(pool.amount.minor_units(), people));
      std::vector<LineUse> own;  // one listener's lines, weights summed per line
      std::vector<const LineUse*> own_lines;
      size_t person = 0;
      for (size_t i = 0; i < listener_use.size();) {
        own.clear();
        const uint32_t listener = listener_use[i].listener;
        for (; i < listener_use.size() && listener_use[i].listener == listener; ++i) {
          const LineUse& line = lines.at(listener_use[i].line);
          if (own.empty() || MakeLineId(own.back().recording, own.back().scope,
                                        own.back().territory) != listener_use[i].line) {
            own.push_back({line.recording, line.scope, line.territory, 0, 0});
          }
          own.back().weight += listener_use[i].weight;
        }
        own_lines.clear();
        for (const LineUse& line : own) own_lines.push_back(&line);
        ACCORD_RETURN_IF_ERROR(SplitOverLines(shares[person++], own_lines, line_amounts));
      }
    } else {
      std::vector<const LineUse*> all;
      all.reserve(lines.size());
      for (const auto& [id, line] : lines) all.push_back(&line);
      ACCORD_RETURN_IF_ERROR(SplitOverLines(pool.amount.minor_units(), all, line_amounts));
    }
    for (const auto& [id, line] : lines) {
      ACCORD_RETURN_IF_ERROR(PayHolders(line, LineKind::kPool, pool.id, line_amounts[id],
                                        pool.amount.currency(), summary.total_weight));
    }
    return summary;
  }

  // Splits a pool line's amount over the recording's holders: the composition share to the
  // work's writers and publishers, the rest to the master owners.
  Status PayHolders(const LineUse& line, LineKind kind, const std::string& source, int64_t amount,
                    Currency currency, Weight pool_weight) {
    const catalog::Recording& recording = in_.registry->recordings[line.recording];
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
      std::vector<std::tuple<std::string_view, std::string_view, int32_t>>
          holders;  // role, party, ppm
      for (const catalog::Share& s : work->writers) holders.emplace_back("writer", s.party, s.ppm);
      for (const catalog::Share& s : work->publishers) {
        holders.emplace_back("publisher", s.party, s.ppm);
      }
      ACCORD_RETURN_IF_ERROR(
          PayShares(line, kind, source, halves[0], currency, pool_weight, holders));
    }
    std::vector<std::tuple<std::string_view, std::string_view, int32_t>> owners;
    for (const catalog::Share& s : recording.master_owners) {
      owners.emplace_back("master_owner", s.party, s.ppm);
    }
    return PayShares(line, kind, source, master, currency, pool_weight, owners);
  }

  Status PayShares(
      const LineUse& line, LineKind kind, const std::string& source, int64_t amount,
      Currency currency, Weight pool_weight,
      const std::vector<std::tuple<std::string_view, std::string_view, int32_t>>& holders) {
    std::vector<std::string> keys;
    for (const auto& [role, party, ppm] : holders) {
      keys.push_back(std::string(role) + ":" + std::string(party));
    }
    std::vector<WeightedPart> parts;
    for (size_t i = 0; i < holders.size(); ++i) {
      parts.push_back({static_cast<Weight>(std::get<2>(holders[i])), keys[i]});
    }
    ACCORD_ASSIGN_OR_RETURN(std::vector<int64_t> amounts, SplitLargestRemainder(amount, parts));
    for (size_t i = 0; i < holders.size(); ++i) {
      const auto& [role, party, ppm] = holders[i];
      StatementLine& out = Credit(party, kind, source, &line, role);
      out.share_ppm = ppm;
      out.uses += line.uses;
      out.weight += line.weight;
      out.pool_weight = pool_weight;
      AddAmount(out, amounts[i], currency);
    }
    return OkStatus();
  }

  // The statement line a credit adds to, created on first use. `line` is null for a guarantee.
  StatementLine& Credit(std::string_view party, LineKind kind, std::string_view source,
                        const LineUse* line, std::string_view role) {
    const CreditKey key{party, kind, source,
                        line ? MakeLineId(line->recording, line->scope, line->territory) : kNoLine,
                        role};
    auto [it, added] = credits_.try_emplace(key);
    StatementLine& out = it->second;
    if (added) {
      out.kind = kind;
      out.source = std::string(source);
      out.role = std::string(role);
      if (line != nullptr) {
        out.isrc = in_.registry->recordings[line->recording].isrc.str();
        out.scope = std::string(rights::ScopeName(line->scope));
        out.territory = std::string(line->territory.code());
      }
    }
    return out;
  }

  CurrencyTotals& TotalsOf(Currency currency) {
    auto it = totals_.find(currency.code());
    if (it == totals_.end())
      it = totals_.emplace(std::string(currency.code()), CurrencyTotals{}).first;
    return it->second;
  }

  void AddAmount(StatementLine& line, int64_t amount, Currency currency) {
    line.amount = Money(line.amount.minor_units() + amount, currency);
    TotalsOf(currency).paid += amount;
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
    // Decide costs microseconds, so it runs only for recordings some priced agreement could
    // cover: one that lists it, or one whose licensor (or a party it acts for) owns its master
    // or writes or publishes its work. This over-approximates the decision's basis, never
    // under-approximates it; the decision still has the last word.
    std::vector<bool> may_cover(in_.registry->recordings.size(), false);
    std::set<std::string> controllers;
    for (const auto& [id, agreement] : priced) {
      if (!agreement->all_controlled) {
        for (const Isrc& isrc : agreement->recordings) {
          auto it = recording_index_.find(isrc.str());
          if (it != recording_index_.end()) may_cover[it->second] = true;
        }
        continue;
      }
      for (const std::string& party : Reach(agreement->licensor)) controllers.insert(party);
    }
    for (uint32_t r = 0; r < may_cover.size(); ++r) {
      const catalog::Recording& recording = in_.registry->recordings[r];
      auto holds = [&](const std::vector<catalog::Share>& shares) {
        return std::any_of(shares.begin(), shares.end(),
                           [&](const catalog::Share& s) { return controllers.contains(s.party); });
      };
      if (holds(recording.master_owners)) may_cover[r] = true;
      if (recording.work) {
        auto work = works_.find(recording.work->str());
        if (work != works_.end() &&
            (holds(work->second->publishers) || holds(work->second->writers))) {
          may_cover[r] = true;
        }
      }
    }
    std::map<std::string, Lines> by_agreement;
    for (const Use& use : uses_) {
      if (!may_cover[use.recording]) continue;
      const ledger::UsageEvent& event = in_.events[use.event].event;
      const Isrc& isrc = in_.registry->recordings[use.recording].isrc;
      std::optional<uint32_t> index = in_.policy->FindRecording(isrc);
      if (!index) continue;  // the snapshot is built from the same registry
      const rights::Decision decision =
          in_.policy->Decide(event.scope, *index, event.territory, event.time);
      for (const std::string& id : decision.agreements) {
        auto it = priced.find(id);
        if (it == priced.end()) continue;
        for (const auto& [scope, rate] : it->second->terms->per_use_rates) {
          if (scope != event.scope) continue;
          AddUse(by_agreement[id], use.recording, event.scope, event.territory,
                 static_cast<Weight>(rate.micros()) * static_cast<Weight>(use.weight_ppm));
        }
      }
    }
    for (const auto& [id, lines] : by_agreement) {
      const rights::Agreement& agreement = *priced.at(id);
      const Currency currency = agreement.terms->currency;
      std::vector<const LineUse*> all;
      Weight value = 0;
      for (const auto& [line_id, line] : lines) {
        all.push_back(&line);
        value += line.weight;
      }
      // The agreement's whole fee is rounded once (half up) to minor units, then split over
      // its lines, so the lines add up to the rounded whole.
      Weight scale = 1;
      for (int i = 0; i < currency.exponent(); ++i) scale *= 10;
      const int64_t minor =
          static_cast<int64_t>((value * scale + kFeeUnitsPerMajor / 2) / kFeeUnitsPerMajor);
      std::unordered_map<LineId, int64_t> amounts;
      ACCORD_RETURN_IF_ERROR(SplitOverLines(minor, all, amounts));
      for (const auto& [line_id, line] : lines) {
        StatementLine& out =
            Credit(agreement.licensor, LineKind::kFee, agreement.id, &line, "licensor");
        out.share_ppm = kWholePpm;
        out.uses += line.uses;
        for (const auto& [scope, rate] : agreement.terms->per_use_rates) {
          if (rights::ScopeName(scope) == out.scope) out.rate_micros = rate.micros();
        }
        AddAmount(out, amounts[line_id], currency);
      }
      TotalsOf(currency).fees += minor;
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
    // What each party earned from pools and fees, per currency, before any top-up: one
    // guarantee's top-up never counts toward another's, so agreement order cannot matter.
    std::unordered_map<std::string_view, std::map<std::string, int64_t, std::less<>>> earnings;
    for (const auto& [key, line] : credits_) {
      earnings[key.party][std::string(line.amount.currency().code())] += line.amount.minor_units();
    }
    for (const rights::Agreement& agreement : in_.registry->agreements) {
      if (!agreement.terms || !agreement.terms->minimum_guarantee) continue;
      const bool in_force =
          agreement.start < in_.period.end && (!agreement.end || *agreement.end > in_.period.start);
      if (!in_force) continue;
      const Money guarantee = *agreement.terms->minimum_guarantee;
      const std::string code(guarantee.currency().code());
      int64_t earned = 0;
      for (const std::string& party : Reach(agreement.licensor)) {
        auto it = earnings.find(party);
        if (it == earnings.end()) continue;
        auto in_currency = it->second.find(code);
        if (in_currency != it->second.end()) earned += in_currency->second;
      }
      if (earned >= guarantee.minor_units()) continue;
      const int64_t top_up = guarantee.minor_units() - earned;
      StatementLine& out =
          Credit(agreement.licensor, LineKind::kGuarantee, agreement.id, nullptr, "licensor");
      out.share_ppm = kWholePpm;
      out.weight = static_cast<Weight>(earned);
      out.pool_weight = static_cast<Weight>(guarantee.minor_units());
      AddAmount(out, top_up, guarantee.currency());
      TotalsOf(guarantee.currency()).guarantees += top_up;
    }
    return OkStatus();
  }

  // Statements sorted by party id; lines by kind, source, recording, scope, territory, role,
  // each compared as text. The comparisons use ranks computed once (a run has few sources and
  // roles, and sorting recordings by ISRC once is cheaper than comparing strings per line).
  void BuildStatements(RunResult& result) {
    auto ranks = [](std::vector<std::string_view> values) {
      std::sort(values.begin(), values.end());
      values.erase(std::unique(values.begin(), values.end()), values.end());
      std::unordered_map<std::string_view, uint32_t> rank;
      for (uint32_t i = 0; i < values.size(); ++i) rank[values[i]] = i;
      return rank;
    };
    std::vector<std::string_view> sources, roles;
    for (const auto& [key, line] : credits_) {
      sources.push_back(key.source);
      roles.push_back(key.role);
    }
    const auto source_rank = ranks(std::move(sources));
    const auto role_rank = ranks(std::move(roles));
    const auto& recordings = in_.registry->recordings;
    std::vector<uint32_t> by_isrc(recordings.size());
    std::iota(by_isrc.begin(), by_isrc.end(), 0u);
    std::sort(by_isrc.begin(), by_isrc.end(), [&](uint32_t a, uint32_t b) {
      return recordings[a].isrc.str() < recordings[b].isrc.str();
    });
    std::vector<uint32_t> isrc_rank(recordings.size());
    for (uint32_t i = 0; i < by_isrc.size(); ++i) isrc_rank[by_isrc[i]] = i + 1;  // 0: none
    std::vector<std::string_view> scope_names;
    for (Scope scope : rights::kAllScopes) scope_names.push_back(rights::ScopeName(scope));
    const auto scope_rank = ranks(scope_names);

    using LineOrder = std::tuple<int, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t>;
    std::unordered_map<std::string_view, std::vector<std::pair<LineOrder, const StatementLine*>>>
        by_party;
    for (const auto& [key, line] : credits_) {
      LineOrder order{static_cast<int>(key.kind), source_rank.at(key.source), 0, 0, 0,
                      role_rank.at(key.role)};
      if (key.line != kNoLine) {
        const auto recording = static_cast<uint32_t>(key.line >> 16);
        std::get<2>(order) = isrc_rank[recording];
        std::get<3>(order) = scope_rank.at(line.scope);
        // Two-letter codes compare as text when packed big-endian.
        std::get<4>(order) =
            (static_cast<uint32_t>(static_cast<unsigned char>(line.territory[0])) << 8) |
            static_cast<unsigned char>(line.territory[1]);
      }
      by_party[key.party].emplace_back(order, &line);
    }
    std::vector<std::string_view> parties;
    parties.reserve(by_party.size());
    for (const auto& [party, lines] : by_party) parties.push_back(party);
    std::sort(parties.begin(), parties.end());
    for (std::string_view party : parties) {
      auto& lines = by_party[party];
      std::sort(lines.begin(), lines.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      Statement statement;
      statement.party = std::string(party);
      auto it = parties_.find(statement.party);
      if (it != parties_.end()) statement.party_name = it->second->name;
      statement.lines.reserve(lines.size());
      for (const auto& [order, line] : lines) {
        statement.lines.push_back(*line);
        statement.totals_minor[std::string(line->amount.currency().code())] +=
            line->amount.minor_units();
      }
      result.statements.push_back(std::move(statement));
    }
  }

  const RunInputs& in_;
  std::unordered_map<std::string, uint32_t> recording_index_;  // ISRC → registry index
  std::vector<Use> uses_;                                      // every use, in event order
  std::vector<std::string_view> listener_names_;               // by interned listener id
  std::unordered_map<std::string, const catalog::Work*> works_;
  std::unordered_map<std::string, const catalog::Party*> parties_;
  std::unordered_map<CreditKey, StatementLine, CreditKeyHash> credits_;
  std::map<std::string, CurrencyTotals, std::less<>> totals_;  // by currency code
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
