// The royalty engine, model by model, on hand-computed cases (the arithmetic is in the
// comments), then the run-level facts: totals add up, order does not matter, fees and
// guarantees.
#include "royalties/engine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "rights/policy_test_world.h"
#include "royalties/statement.h"
#include "world/world.h"

namespace accord::royalties {
namespace {

using rights::Scope;
using rights::testing::R;
using rights::testing::T;
using rights::testing::Where;

// Three recordings:
//   R1 QZTST2600001 by artist:a, master label:x 100%, embodies work W1 (writer:w 60%, pub:p 40%)
//   R2 QZTST2600002 by artist:b, masters label:x 70% + label:y 30%, no work
//   R3 QZTST2600003 by artist:c, master label:y 100%, no work
rights::Registry TestWorld() {
  using catalog::Party;
  using catalog::PartyKind;
  rights::Registry registry;
  for (const char* id : {"artist:a", "artist:b", "artist:c"}) {
    registry.parties.push_back(Party{id, PartyKind::kArtist, id, std::nullopt, {}});
  }
  registry.parties.push_back(Party{"label:x", PartyKind::kLabel, "X Records", std::nullopt, {}});
  registry.parties.push_back(Party{"label:y", PartyKind::kLabel, "Y Records", std::nullopt, {}});
  registry.parties.push_back(Party{"writer:w", PartyKind::kWriter, "W", std::nullopt, {}});
  registry.parties.push_back(Party{"pub:p", PartyKind::kPublisher, "P", std::nullopt, {}});
  registry.parties.push_back(
      Party{"dist:d", PartyKind::kDistributor, "D", std::nullopt, {"label:y"}});
  catalog::Work work;
  work.iswc = *Iswc::Parse("T-034.524.680-1");
  work.title = "W1";
  work.writers = {{"writer:w", 600000}};
  work.publishers = {{"pub:p", 400000}};
  registry.works = {work};
  auto recording = [](const char* isrc, const char* artist, std::vector<catalog::Share> owners) {
    catalog::Recording r;
    r.isrc = R(isrc);
    r.title = isrc;
    r.main_artists = {artist};
    r.duration_ms = 200000;
    r.master_owners = std::move(owners);
    return r;
  };
  registry.recordings = {
      recording("QZTST2600001", "artist:a", {{"label:x", 1000000}}),
      recording("QZTST2600002", "artist:b", {{"label:x", 700000}, {"label:y", 300000}}),
      recording("QZTST2600003", "artist:c", {{"label:y", 1000000}}),
  };
  registry.recordings[0].work = work.iswc;
  return registry;
}

constexpr char kR1[] = "QZTST2600001";
constexpr char kR2[] = "QZTST2600002";
constexpr char kR3[] = "QZTST2600003";

class EngineTest : public ::testing::Test {
 protected:
  EngineTest() : registry_(TestWorld()) {
    settings_.composition_scopes = rights::ScopeSet();  // no composition share unless a test asks
    Rebuild();
  }

  void Rebuild() { policy_ = *rights::Snapshot::Build(registry_); }

  // A DJ play in DE in July 2026 by `listener` of the given recordings (equal weights).
  void Play(const std::string& listener, std::vector<std::string> isrcs,
            const std::string& territory = "DE", bool requested = false) {
    ledger::UsageEvent e;
    e.id = "e" + std::to_string(events_.size() + 1);
    e.time = T("2026-07-10T12:00:00Z");
    e.listener = listener;
    e.territory = Where(territory);
    e.scope = Scope::kDj;
    e.feature = "dj";
    const int32_t each = 1000000 / static_cast<int32_t>(isrcs.size());
    for (size_t i = 0; i < isrcs.size(); ++i) {
      e.recordings.push_back(
          {R(isrcs[i]), i + 1 == isrcs.size() ? 1000000 - each * static_cast<int32_t>(i) : each});
    }
    e.requested = requested;
    events_.push_back({events_.size() + 1, e});
  }

  // R1 played once on July 10 (by l1) and twice on July 20 (by l1 and l2): around an agreement
  // that starts on July 15.
  void PlayR1AroundJuly15() {
    Play("l1", {kR1});
    Play("l1", {kR1});
    events_.back().event.time = T("2026-07-20T12:00:00Z");
    Play("l2", {kR1});
    events_.back().event.time = T("2026-07-20T13:00:00Z");
  }

  // A fan remix made in DE in July 2026 by `listener` of one recording: a scope that uses the
  // composition (docs/policy.md), so publishers' agreements are in the decision's basis.
  void Remix(const std::string& listener, const std::string& isrc) {
    Play(listener, {isrc});
    events_.back().event.scope = Scope::kRemix;
    events_.back().event.feature = "remix";
  }

  void Pool(const std::string& amount, AllocationModel model, const std::string& territory = "DE") {
    RevenuePool pool;
    pool.id = "pool-" + std::to_string(settings_.pools.size() + 1);
    pool.amount = *Money::Parse(amount, *Currency::FromCode("EUR"));
    pool.territories = *TerritorySet::Parse(territory);
    pool.scopes.Insert(Scope::kDj);
    pool.model = model;
    pool.artist_centric = artist_centric_;
    settings_.pools.push_back(pool);
  }

  Result<RunResult> Run(int threads = 0) {
    RunInputs inputs;
    inputs.threads = threads;
    inputs.period = *ParsePeriod("2026-07");
    inputs.settings = settings_;
    inputs.registry = &registry_;
    inputs.policy = policy_.get();
    inputs.events = events_;
    return RunRoyalties(inputs);
  }

  // The same run with the events streamed (RunInputs::stream, as RunFromLedger does it), one
  // event a batch: one event object for the whole stream, its listener overwritten after each
  // call, so that a run that kept a view into an event would show it.
  Result<RunResult> RunStreamed(int threads = 0) {
    RunInputs inputs;
    inputs.period = *ParsePeriod("2026-07");
    inputs.settings = settings_;
    inputs.registry = &registry_;
    inputs.policy = policy_.get();
    inputs.stream_size = events_.size();
    inputs.stream = [&](size_t part, size_t parts, const RunInputs::EventVisitor& visit) {
      RecordedEvent one;
      const size_t count = events_.size();
      for (size_t e = count * part / parts; e < count * (part + 1) / parts; ++e) {
        one = events_[e];
        ACCORD_RETURN_IF_ERROR(VisitRecordedEvents(std::span<const RecordedEvent>(&one, 1), visit));
        std::fill(one.event.listener.begin(), one.event.listener.end(), '#');
      }
      return OkStatus();
    };
    inputs.threads = threads;
    return RunRoyalties(inputs);
  }

  // Each party's total in EUR cents.
  std::map<std::string, int64_t> Totals() {
    Result<RunResult> result = Run();
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    std::map<std::string, int64_t> totals;
    if (!result.ok()) return totals;
    for (const Statement& statement : result->statements) {
      totals[statement.party] = statement.totals_minor.at("EUR");
    }
    return totals;
  }

  using Totals_ = std::map<std::string, int64_t>;
  rights::Registry registry_;
  std::shared_ptr<const rights::Snapshot> policy_;
  RunSettings settings_;
  ArtistCentricSettings artist_centric_;
  std::vector<RecordedEvent> events_;
};

// ---- pro_rata --------------------------------------------------------------------------------

TEST_F(EngineTest, ProRataSplitsByWeightedUsesThenByMasterSplits) {
  // R1 played 3 times, R2 once in DE; R3 twice in FR, outside the pool. 100.00 EUR = 10000:
  // R1 3/4 = 7500, R2 1/4 = 2500. label:x: 7500 + 70% of 2500 (1750) = 9250; label:y 750.
  Play("l1", {kR1});
  Play("l1", {kR1});
  Play("l2", {kR1});
  Play("l3", {kR2});
  Play("l3", {kR3}, "FR");
  Play("l3", {kR3}, "FR");
  Pool("100.00", AllocationModel::kProRata);
  EXPECT_EQ(Totals(), (Totals_{{"label:x", 9250}, {"label:y", 750}}));
}

// Recordings are found through the policy snapshot's table, so a snapshot that numbers them
// otherwise than the run's registry (built from another registry) is refused, not trusted.
TEST_F(EngineTest, APolicyBuiltFromAnotherRegistryIsRefused) {
  Play("l1", {kR1});
  Pool("100.00", AllocationModel::kProRata);
  std::swap(registry_.recordings[0], registry_.recordings[1]);  // after the snapshot was built
  Result<RunResult> swapped = Run();
  EXPECT_EQ(swapped.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(swapped.status().message().find("not built from the run's registry"), std::string::npos)
      << swapped.status().ToString();
  Rebuild();
  EXPECT_TRUE(Run().ok());
}

TEST_F(EngineTest, ProRataLeftoverUnitsGoByLargestRemainderThenKey) {
  // 0.10 EUR = 10 over three equal lines: 3.33 each → floors 3, 3, 3; the odd unit goes to the
  // smallest line key, R1. R2's 3 → label:x 70% = 2.1, label:y 30% = 0.9: floors 2 and 0, the
  // unit left goes to the larger remainder (label:y). label:x 4 + 2 = 6; label:y 1 + 3 = 4.
  Play("l1", {kR1});
  Play("l1", {kR2});
  Play("l1", {kR3});
  Pool("0.10", AllocationModel::kProRata);
  EXPECT_EQ(Totals(), (Totals_{{"label:x", 6}, {"label:y", 4}}));
}

TEST_F(EngineTest, ProRataSharedEventsAndTheCompositionShare) {
  // One event uses R1 and R2 half each, one uses R1 whole: weights R1 1.5M, R2 0.5M. 200.00 EUR
  // = 20000: R1 15000, R2 5000. With a 15% composition share, R1's 15000 → composition 2250
  // (writer:w 60% = 1350, pub:p 40% = 900) and master 12750 (label:x). R2 has no work: label:x
  // 3500, label:y 1500. label:x 16250.
  settings_.composition_share_ppm = 150000;
  settings_.composition_scopes = rights::ScopeSet::All();
  Play("l1", {kR1, kR2});
  Play("l2", {kR1});
  Pool("200.00", AllocationModel::kProRata);
  EXPECT_EQ(Totals(),
            (Totals_{{"label:x", 16250}, {"label:y", 1500}, {"pub:p", 900}, {"writer:w", 1350}}));
}

// ---- user_centric ----------------------------------------------------------------------------

TEST_F(EngineTest, UserCentricEachListenerPaysForTheirOwnUses) {
  // l1 plays R1 nine times, l2 plays R2 once. Pro rata would give R1 90%; user-centric splits
  // 100.00 EUR into 5000 per listener: R1 5000, R2 5000. label:x 5000 + 3500; label:y 1500.
  for (int i = 0; i < 9; ++i) Play("l1", {kR1});
  Play("l2", {kR2});
  Pool("100.00", AllocationModel::kUserCentric);
  EXPECT_EQ(Totals(), (Totals_{{"label:x", 8500}, {"label:y", 1500}}));
}

TEST_F(EngineTest, UserCentricRoundsAtEachLevel) {
  // 10 cents over l1, l2, l3: 3.33 each → l1 4 (smallest key), l2 3, l3 3. l1 played R1 and R2
  // once each: 2 + 2. l2 played R3 twice: 3. l3 played R1: 3. Lines: R1 5, R2 2, R3 3. R2's 2 →
  // label:x 1.4, label:y 0.6 → floors 1 and 0, the unit to label:y. label:x 5 + 1 = 6; label:y
  // 1 + 3 = 4.
  Play("l1", {kR1});
  Play("l1", {kR2});
  Play("l2", {kR3});
  Play("l2", {kR3});
  Play("l3", {kR1});
  Pool("0.10", AllocationModel::kUserCentric);
  EXPECT_EQ(Totals(), (Totals_{{"label:x", 6}, {"label:y", 4}}));
}

TEST_F(EngineTest, UserCentricListenersOutsideThePoolGetNoShare) {
  // l2's only use is in FR; the DE pool is l1's alone: all 50.00 EUR to R1 → label:x.
  Play("l1", {kR1});
  Play("l2", {kR2}, "FR");
  Pool("50.00", AllocationModel::kUserCentric);
  EXPECT_EQ(Totals(), (Totals_{{"label:x", 5000}}));
}

// ---- artist_centric --------------------------------------------------------------------------

TEST_F(EngineTest, ArtistCentricDoublesProfessionalArtists) {
  // Thresholds 2 uses and 2 listeners: artist:a (R1, played by l1 and l2) qualifies; artist:b
  // (R2, played twice by l3 alone) does not. Weights: R1 2 x 2 = 4, R2 2 x 1 = 2: 2:1 of 90.00
  // EUR → R1 6000, R2 3000. label:x 6000 + 2100 = 8100; label:y 900.
  artist_centric_ = {.min_uses = 2, .min_listeners = 2};
  Play("l1", {kR1});
  Play("l2", {kR1});
  Play("l3", {kR2});
  Play("l3", {kR2});
  Pool("90.00", AllocationModel::kArtistCentric);
  EXPECT_EQ(Totals(), (Totals_{{"label:x", 8100}, {"label:y", 900}}));
}

TEST_F(EngineTest, ArtistCentricDoublesRequestedUses) {
  // Nobody reaches 5 uses. l1 asked for R1 (weight 2); l2's R3 was not asked for (weight 1):
  // 30.00 EUR → R1 2000 (label:x), R3 1000 (label:y).
  artist_centric_ = {.min_uses = 5, .min_listeners = 1};
  Play("l1", {kR1}, "DE", /*requested=*/true);
  Play("l2", {kR3});
  Pool("30.00", AllocationModel::kArtistCentric);
  EXPECT_EQ(Totals(), (Totals_{{"label:x", 2000}, {"label:y", 1000}}));
}

TEST_F(EngineTest, ArtistCentricCapsEachListener) {
  // Cap 3: l1 played R1 six times, so each of l1's uses weighs 3/6 and l1 counts for 3; l2
  // played R3 once. R1 : R3 = 3 : 1 of 40.00 EUR → R1 3000 (label:x), R3 1000 (label:y).
  artist_centric_ = {.min_uses = 100, .min_listeners = 100, .listener_cap = 3};
  for (int i = 0; i < 6; ++i) Play("l1", {kR1});
  Play("l2", {kR3});
  Pool("40.00", AllocationModel::kArtistCentric);
  EXPECT_EQ(Totals(), (Totals_{{"label:x", 3000}, {"label:y", 1000}}));
}

// ---- fees and guarantees ---------------------------------------------------------------------

void AddAgreement(rights::Registry& registry, const std::string& id, const std::string& licensor,
                  const std::string& rate, std::optional<std::string> guarantee) {
  rights::Agreement a;
  a.id = id;
  a.licensor = licensor;
  a.all_controlled = true;
  a.scopes.Insert(Scope::kDj);
  a.territories = TerritorySet::Worldwide();
  a.start = T("2026-01-01");
  rights::EconomicTerms terms;
  terms.currency = *Currency::FromCode("EUR");
  terms.per_use_rates = {{Scope::kDj, *Rate::Parse(rate, terms.currency)}};
  if (guarantee) terms.minimum_guarantee = *Money::Parse(*guarantee, terms.currency);
  a.terms = terms;
  registry.agreements.push_back(a);
}

TEST_F(EngineTest, PerUseFeesGoToTheLicensorRoundedOncePerAgreement) {
  // label:x licenses at 0.50 EUR per DJ play: R1 played 3 times, R2 once (label:x's agreement
  // covers R2 too, as a master owner): 4 x 0.50 = 2.00 EUR. The pool of 10.00 EUR goes 3:1.
  // label:x: pool 750 + 175 = 925, fees 200 → 1125. label:y: 75.
  AddAgreement(registry_, "AG-X", "label:x", "0.5", std::nullopt);
  Rebuild();
  Play("l1", {kR1});
  Play("l1", {kR1});
  Play("l1", {kR1});
  Play("l2", {kR2});
  Pool("10.00", AllocationModel::kProRata);
  EXPECT_EQ(Totals(), (Totals_{{"label:x", 1125}, {"label:y", 75}}));
  Result<RunResult> result = Run();
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->totals.at("EUR").fees, 200);
  EXPECT_EQ(result->totals.at("EUR").pools, 1000);
}

TEST_F(EngineTest, SubCentFeesAreRoundedHalfUpOnTheAgreementsWhole) {
  // 4 plays at 0.002 EUR = 0.008 EUR = 0.8 cent → 1 cent, to the line with the larger value
  // (R1: 3 of the 4 plays).
  AddAgreement(registry_, "AG-X", "label:x", "0.002", std::nullopt);
  Rebuild();
  Play("l1", {kR1});
  Play("l1", {kR1});
  Play("l1", {kR1});
  Play("l2", {kR2});
  Result<RunResult> result = Run();
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->statements.size(), 1u);
  const Statement& x = result->statements[0];
  EXPECT_EQ(x.totals_minor.at("EUR"), 1);
  ASSERT_EQ(x.lines.size(), 2u);
  EXPECT_EQ(x.lines[0].isrc.view(), kR1);
  EXPECT_EQ(x.lines[0].amount.minor_units(), 1);
  EXPECT_EQ(x.lines[0].uses, 3);
  EXPECT_EQ(x.lines[0].rate_micros, 2000);
  EXPECT_EQ(x.lines[1].amount.minor_units(), 0);
}

TEST_F(EngineTest, GuaranteeTopsUpTheLicensorAndCountsPartiesItActsFor) {
  // dist:d acts for label:y and guarantees 20.00 EUR. label:y earns 30% of R2's 600 = 180 and
  // all of R3's 400 from a 10.00 EUR pool (R1 0, R2 3 plays, R3 2 plays... see below); the
  // top-up is 2000 - 580 = 1420, paid to dist:d on a line of its own.
  // Plays: R2 x3 (600 of 1000), R3 x2 (400). label:x: 420; label:y: 180 + 400 = 580.
  rights::Agreement a;
  a.id = "MG-D";
  a.licensor = "dist:d";
  a.scopes.Insert(Scope::kDj);
  a.territories = TerritorySet::Worldwide();
  a.start = T("2026-01-01");
  rights::EconomicTerms terms;
  terms.currency = *Currency::FromCode("EUR");
  terms.minimum_guarantee = *Money::Parse("20.00", terms.currency);
  a.terms = terms;
  registry_.agreements.push_back(a);
  Rebuild();
  for (int i = 0; i < 3; ++i) Play("l1", {kR2});
  for (int i = 0; i < 2; ++i) Play("l2", {kR3});
  Pool("10.00", AllocationModel::kProRata);
  EXPECT_EQ(Totals(), (Totals_{{"dist:d", 1420}, {"label:x", 420}, {"label:y", 580}}));
  Result<RunResult> result = Run();
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->totals.at("EUR").guarantees, 1420);
  EXPECT_EQ(result->totals.at("EUR").paid, 1000 + 1420);
}

// ---- gross pools: revenue shares ----------------------------------------------------------------

// An agreement of `licensor` for DJ and remix uses worldwide that pays `share_ppm` of gross
// revenue.
void AddShareAgreement(rights::Registry& registry, const std::string& id,
                       const std::string& licensor, int32_t share_ppm,
                       const std::string& start = "2026-01-01") {
  rights::Agreement a;
  a.id = id;
  a.licensor = licensor;
  a.all_controlled = true;
  a.scopes.Insert(Scope::kDj);
  a.scopes.Insert(Scope::kRemix);
  a.territories = TerritorySet::Worldwide();
  a.start = T(start);
  rights::EconomicTerms terms;
  terms.currency = *Currency::FromCode("EUR");
  terms.revenue_share_ppm = share_ppm;
  a.terms = terms;
  registry.agreements.push_back(a);
}

const StatementLine& OnlyLine(const RunResult& result, const std::string& party) {
  for (const Statement& statement : result.statements) {
    if (statement.party == party) {
      EXPECT_EQ(statement.lines.size(), 1u) << party;
      return statement.lines.front();
    }
  }
  ADD_FAILURE() << party << " has no statement";
  static const StatementLine kNoLine;
  return kNoLine;
}

TEST_F(EngineTest, GrossPoolPaysEachHolderItsAgreementsShareAndThePlatformTheRest) {
  // label:x shares 50% of revenue (SH-X), label:y 40% (SH-Y). One play each of R2 (x 70%,
  // y 30%) and R3 (y 100%); a gross pool of 100.00 EUR gives each line 5000 cents.
  //   R2: x 5000 x 50% x 70% = 1750, y 5000 x 40% x 30% = 600, platform 5000 - 2350 = 2650
  //   R3: y 5000 x 40% = 2000, platform 3000
  // label:x 1750, label:y 2600, platform 5650: 10000 in all.
  AddShareAgreement(registry_, "SH-X", "label:x", 500'000);
  AddShareAgreement(registry_, "SH-Y", "label:y", 400'000);
  Rebuild();
  Play("l1", {kR2});
  Play("l2", {kR3});
  Pool("100.00", AllocationModel::kProRata);
  settings_.pools[0].revenue = PoolRevenue::kGross;
  EXPECT_EQ(Totals(), (Totals_{{"label:x", 1750}, {"label:y", 2600}, {"platform", 5650}}));
  Result<RunResult> result = Run();
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->totals.at("EUR").retained, 5650);
  EXPECT_EQ(result->totals.at("EUR").paid, 10000);
  EXPECT_EQ(result->pools[0].revenue, PoolRevenue::kGross);
  const StatementLine& x = OnlyLine(*result, "label:x");
  EXPECT_EQ(x.role_name(), "master_owner");
  EXPECT_EQ(x.share_ppm, 700'000);
  EXPECT_EQ(x.revenue_share_ppm, 500'000);
  EXPECT_EQ(x.agreements, "SH-X");
  // The platform's lines say what part of each line no share claimed: R2 53%, R3 60%.
  const Statement& platform = result->statements.back();
  ASSERT_EQ(platform.party, "platform");
  ASSERT_EQ(platform.lines.size(), 2u);
  EXPECT_EQ(platform.lines[0].role_name(), "platform");
  EXPECT_EQ(platform.lines[0].share_ppm, 530'000);
  EXPECT_EQ(platform.lines[0].amount.minor_units(), 2650);
  EXPECT_EQ(platform.lines[1].share_ppm, 600'000);
  EXPECT_FALSE(platform.lines[0].revenue_share_ppm.has_value());
  // The document says which pools were gross and what they retained.
  const std::string document = RunToJson(*result);
  EXPECT_NE(document.find("\"revenue\": \"gross\""), std::string::npos);
  EXPECT_NE(document.find("\"retained\": \"56.50\""), std::string::npos);
  EXPECT_NE(document.find("\"revenue_share_ppm\": 500000"), std::string::npos);
}

TEST_F(EngineTest, GrossPoolPaysTheCompositionAtThePublishersShareWritersIncluded) {
  // R1: master label:x 100%, work W1 (writer:w 60%, pub:p 40%); remixes pay the composition.
  // SH-X shares 50%, SH-P (pub:p) 10%; writer:w has no agreement of its own and is paid at its
  // publisher's share. A gross pool of 10.01 EUR; three remixes of R1: one line of 1001 cents.
  //   exact: x 1001 x 50% = 500.5, p 1001 x 10% x 40% = 40.04, w 1001 x 10% x 60% = 60.06,
  //   platform 1001 x 40% = 400.4. Floors 500 + 40 + 60 + 400 = 1000; the unit left goes to
  //   the largest remainder, x's .5: x 501.
  settings_.composition_scopes.Insert(Scope::kRemix);
  AddShareAgreement(registry_, "SH-X", "label:x", 500'000);
  AddShareAgreement(registry_, "SH-P", "pub:p", 100'000);
  Rebuild();
  for (int i = 0; i < 3; ++i) Remix("l" + std::to_string(i), kR1);
  Pool("10.01", AllocationModel::kProRata);
  settings_.pools[0].scopes = rights::ScopeSet();
  settings_.pools[0].scopes.Insert(Scope::kRemix);
  settings_.pools[0].revenue = PoolRevenue::kGross;
  EXPECT_EQ(Totals(),
            (Totals_{{"label:x", 501}, {"platform", 400}, {"pub:p", 40}, {"writer:w", 60}}));
  Result<RunResult> result = Run();
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  const StatementLine& w = OnlyLine(*result, "writer:w");
  EXPECT_EQ(w.role_name(), "writer");
  EXPECT_EQ(w.share_ppm, 600'000);
  EXPECT_EQ(w.revenue_share_ppm, 100'000);
  EXPECT_EQ(w.agreements, "SH-P");
  EXPECT_EQ(OnlyLine(*result, "platform").share_ppm, 400'000);
}

TEST_F(EngineTest, GrossPoolPaysNoCompositionForAScopeThatDoesNotUseIt) {
  // A DJ play of R1 with DJ among the composition scopes. DJ uses do not use the composition
  // (docs/policy.md), so no publisher licensed it and the gross pool of 10.00 EUR pays the
  // master at SH-X's 50% (500) and retains 500. The net pool of 5.00 EUR beside it still pays
  // the composition share: 15% of 500 = 75 to writer:w 60% (45) and pub:p 40% (30), 425 to x.
  settings_.composition_scopes.Insert(Scope::kDj);
  AddShareAgreement(registry_, "SH-X", "label:x", 500'000);
  AddShareAgreement(registry_, "SH-P", "pub:p", 100'000);
  Rebuild();
  Play("l1", {kR1});
  Pool("10.00", AllocationModel::kProRata);
  settings_.pools[0].revenue = PoolRevenue::kGross;
  Pool("5.00", AllocationModel::kProRata);
  EXPECT_EQ(Totals(),
            (Totals_{{"label:x", 925}, {"platform", 500}, {"pub:p", 30}, {"writer:w", 45}}));
}

TEST_F(EngineTest, GrossPoolFollowsAShareThatStartsWithinThePeriod) {
  // SH-X (50%) all month; SH-X2 (80%), also label:x's, from July 15, after which label:x is
  // paid at the higher share. R1 played once on July 10 and twice on July 20: a gross pool of
  // 30.00 EUR is one line of 3000, split over the two stretches 1:2 into 1000 and 2000.
  //   July 10 stretch: x 50% of 1000 = 500, platform 500
  //   July 20 stretch: x 80% of 2000 = 1600, platform 400
  // label:x 2100 at (1 x 50% + 2 x 80%) / 3 = 70% on average; platform 900, 30% of the line.
  AddShareAgreement(registry_, "SH-X", "label:x", 500'000);
  AddShareAgreement(registry_, "SH-X2", "label:x", 800'000, "2026-07-15T00:00:00Z");
  Rebuild();
  PlayR1AroundJuly15();
  Pool("30.00", AllocationModel::kUserCentric);
  settings_.pools[0].revenue = PoolRevenue::kGross;
  EXPECT_EQ(Totals(), (Totals_{{"label:x", 2100}, {"platform", 900}}));
  Result<RunResult> result = Run();
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  const StatementLine& x = OnlyLine(*result, "label:x");
  EXPECT_EQ(x.revenue_share_ppm, 700'000);
  EXPECT_EQ(x.agreements, "SH-X SH-X2");
  EXPECT_EQ(OnlyLine(*result, "platform").share_ppm, 300'000);
}

TEST_F(EngineTest, GrossPoolWithoutSharesRetainsEverythingAndNetPoolsStayAsTheyWere) {
  // No agreement shares revenue: the gross pool's 10.00 EUR stays with the platform, named
  // here "platform:accord"; the net pool beside it pays label:y in full as before.
  settings_.platform = "platform:accord";
  Play("l1", {kR3});
  Pool("10.00", AllocationModel::kProRata);
  Pool("5.00", AllocationModel::kProRata);
  settings_.pools[0].revenue = PoolRevenue::kGross;
  EXPECT_EQ(Totals(), (Totals_{{"label:y", 500}, {"platform:accord", 1000}}));
}

TEST_F(EngineTest, GrossPoolRefusesSplitsThatAddUpToZero) {
  // A registry that skipped validation: R3's only master owner holds 0 ppm. A net pool of
  // nothing has nothing to split; a gross pool has no share to weigh, and says which recording.
  registry_.recordings[2].master_owners = {{"label:y", 0}};
  AddShareAgreement(registry_, "SH-Y", "label:y", 400'000);
  Rebuild();
  Play("l1", {kR3});
  Pool("0.00", AllocationModel::kProRata);
  EXPECT_TRUE(Run().ok());
  settings_.pools[0].revenue = PoolRevenue::kGross;
  Result<RunResult> result = Run();
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find(std::string(kR3) + ": its master owners' splits"),
            std::string::npos)
      << result.status().ToString();
  // With money in the pool, both kinds of pool refuse the split.
  settings_.pools[0].amount = *Money::Parse("1.00", *Currency::FromCode("EUR"));
  EXPECT_EQ(Run().status().code(), StatusCode::kInvalidArgument);
}

TEST_F(EngineTest, RevenueSharesClaimingMoreThanTheWholeLineAreRefusedNamingThem) {
  // SH-X claims 95% of the master's side and SH-P 10% of the composition's: 105% of R1's line.
  settings_.composition_scopes.Insert(Scope::kRemix);
  AddShareAgreement(registry_, "SH-X", "label:x", 950'000);
  AddShareAgreement(registry_, "SH-P", "pub:p", 100'000);
  Rebuild();
  Remix("l1", kR1);
  Pool("10.00", AllocationModel::kProRata);
  settings_.pools[0].scopes.Insert(Scope::kRemix);
  settings_.pools[0].revenue = PoolRevenue::kGross;
  Result<RunResult> result = Run();
  ASSERT_EQ(result.status().code(), StatusCode::kInvalidArgument) << result.status().ToString();
  for (const char* part : {"pool-1", "SH-P, SH-X", "1050000 ppm", kR1}) {
    EXPECT_NE(result.status().message().find(part), std::string::npos)
        << part << " in " << result.status().message();
  }
  // A net pool does not read the shares.
  settings_.pools[0].revenue = PoolRevenue::kNet;
  EXPECT_TRUE(Run().ok());
}

// ---- run-level facts -------------------------------------------------------------------------

TEST_F(EngineTest, FeesFollowAnAgreementThatStartsWithinThePeriod) {
  // AG-X starts on July 15: the play of July 10 pays no fee, the two of July 20 pay 0.50 EUR
  // each. (Uses are decided once per line and stretch between agreements' starts and ends.)
  AddAgreement(registry_, "AG-X", "label:x", "0.5", std::nullopt);
  registry_.agreements.back().start = T("2026-07-15T00:00:00Z");
  Rebuild();
  PlayR1AroundJuly15();
  Result<RunResult> result = Run();
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->totals.at("EUR").fees, 100);
  ASSERT_EQ(result->statements.size(), 1u);
  ASSERT_EQ(result->statements[0].lines.size(), 1u);
  EXPECT_EQ(result->statements[0].lines[0].uses, 2);
  EXPECT_EQ(result->statements[0].lines[0].amount.minor_units(), 100);
}

TEST_F(EngineTest, TwoPoolsWithOneIdAddUpOnTheSameLines) {
  // Settings built in code can repeat a pool id (the pools file refuses it): the two pools'
  // credits to one line are one statement line, uses and weights added, amounts added.
  Play("l1", {kR3});
  Play("l2", {kR3});
  Pool("10.00", AllocationModel::kProRata);
  Pool("5.00", AllocationModel::kUserCentric);
  settings_.pools[1].id = settings_.pools[0].id;
  Result<RunResult> result = Run();
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->statements.size(), 1u);
  const Statement& y = result->statements[0];
  EXPECT_EQ(y.party, "label:y");
  ASSERT_EQ(y.lines.size(), 1u);
  EXPECT_EQ(y.lines[0].uses, 4);
  EXPECT_EQ(y.lines[0].weight, Weight{4'000'000});
  EXPECT_EQ(y.lines[0].pool_weight, Weight{2'000'000});
  EXPECT_EQ(y.lines[0].amount.minor_units(), 1500);
  EXPECT_EQ(y.totals_minor.at("EUR"), 1500);
}

TEST_F(EngineTest, HolderListedTwiceIsRefused) {
  // A registry that skipped validation: label:x twice among R2's master owners.
  registry_.recordings[1].master_owners = {{"label:x", 500000}, {"label:x", 500000}};
  Rebuild();
  Play("l1", {kR2});
  Pool("10.00", AllocationModel::kProRata);
  Result<RunResult> result = Run();
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find("master_owner:label:x"), std::string::npos)
      << result.status().ToString();
}

TEST_F(EngineTest, PoolWithoutUsesIsRefusedNamingIt) {
  Play("l1", {kR1}, "FR");
  Pool("10.00", AllocationModel::kProRata);
  Result<RunResult> result = Run();
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find("pool-1"), std::string::npos);
}

TEST_F(EngineTest, UnknownRecordingIsRefusedNamingTheEvent) {
  Play("l1", {kR1});
  events_[0].event.recordings[0].isrc = R("QZTST2699999");
  Pool("10.00", AllocationModel::kProRata);
  for (const Result<RunResult>& result : {Run(), RunStreamed()}) {
    EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(result.status().message().find("QZTST2699999"), std::string::npos);
    EXPECT_NE(result.status().message().find("e1 (sequence 1)"), std::string::npos)
        << result.status().ToString();
  }
}

TEST_F(EngineTest, AStreamsErrorIsTheRunsError) {
  Play("l1", {kR1});
  Pool("10.00", AllocationModel::kProRata);
  RunInputs inputs;
  inputs.period = *ParsePeriod("2026-07");
  inputs.settings = settings_;
  inputs.registry = &registry_;
  inputs.policy = policy_.get();
  inputs.stream_size = 1;
  inputs.stream = [](size_t, size_t, const RunInputs::EventVisitor&) {
    return DataLossError("ledger segment 3 at offset 40: checksum mismatch");
  };
  Result<RunResult> result = RunRoyalties(inputs);
  EXPECT_EQ(result.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(result.status().message().find("segment 3"), std::string::npos);
  // A stream that gives its slice fewer or more events than stream_size says is a bug.
  for (const size_t size : {size_t{3}, size_t{0}}) {
    inputs.stream_size = size;
    inputs.stream = [&](size_t part, size_t parts, const RunInputs::EventVisitor& visit) {
      return part + 1 == parts
                 ? VisitRecordedEvents(std::span<const RecordedEvent>(events_).first(1), visit)
                 : OkStatus();
    };
    result = RunRoyalties(inputs);
    EXPECT_EQ(result.status().code(), StatusCode::kInternal) << size;
    EXPECT_NE(result.status().message().find(size == 0 ? "more events" : "fewer events"),
              std::string::npos)
        << result.status().ToString();
  }
}

TEST_F(EngineTest, RandomRunsPayExactlyAndDoNotDependOnEventOrder) {
  std::mt19937_64 random(7);
  const std::vector<std::string> isrcs = {kR1, kR2, kR3};
  for (int trial = 0; trial < 40; ++trial) {
    events_.clear();
    settings_ = RunSettings();
    // Revenue shares for the gross pool: at most 60% on a master and 40% on a composition,
    // and a second, higher share of label:x's that starts within the month in some trials.
    registry_ = TestWorld();
    AddShareAgreement(registry_, "SH-X", "label:x", static_cast<int32_t>(random() % 600'001));
    AddShareAgreement(registry_, "SH-Y", "label:y", static_cast<int32_t>(random() % 600'001));
    AddShareAgreement(registry_, "SH-P", "pub:p", static_cast<int32_t>(random() % 400'001));
    if (random() % 2 == 0) {
      AddShareAgreement(registry_, "SH-X2", "label:x", 600'000,
                        "2026-07-" + std::to_string(10 + random() % 15) + "T00:00:00Z");
    }
    Rebuild();
    settings_.composition_share_ppm = static_cast<int32_t>(random() % 1000001);
    const int count = 1 + static_cast<int>(random() % 60);
    for (int i = 0; i < count; ++i) {
      std::vector<std::string> used = {isrcs[random() % 3]};
      if (random() % 3 == 0) used.push_back(isrcs[(random() % 2 + 1 + (used[0][11] - '1')) % 3]);
      Play("l" + std::to_string(random() % 7), used, "DE", random() % 2 == 0);
      // Some remixes, which only the gross pool takes in and whose basis has publishers.
      if (i > 0 && random() % 4 == 0) events_.back().event.scope = Scope::kRemix;
      events_.back().event.time =
          Timestamp::FromUnixMillis(T("2026-07-01T00:00:00Z").unix_millis() +
                                    static_cast<int64_t>(random() % (30 * 86'400'000ULL)));
    }
    artist_centric_ = {.min_uses = 3, .min_listeners = 2, .listener_cap = 4};
    Pool(std::to_string(random() % 100000) + ".0" + std::to_string(random() % 10),
         AllocationModel::kProRata);
    Pool(std::to_string(random() % 1000) + ".99", AllocationModel::kUserCentric);
    Pool("0.0" + std::to_string(1 + random() % 9), AllocationModel::kArtistCentric);
    Pool(std::to_string(random() % 10000) + ".00", AllocationModel::kProRata);
    settings_.pools.back().revenue = PoolRevenue::kGross;
    settings_.pools.back().scopes.Insert(Scope::kRemix);
    Result<RunResult> first = Run();
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    // The two threads divide the work by a fixed rule, never by timing: one thread writes the
    // same bytes.
    Result<RunResult> one_thread = Run(/*threads=*/1);
    ASSERT_TRUE(one_thread.ok()) << one_thread.status().ToString();
    EXPECT_EQ(RunToJson(*first), RunToJson(*one_thread)) << "trial " << trial;
    // Streamed events give the same bytes as a vector of them.
    for (const int threads : {0, 1}) {
      Result<RunResult> streamed = RunStreamed(threads);
      ASSERT_TRUE(streamed.ok()) << streamed.status().ToString();
      EXPECT_EQ(RunToJson(*first), RunToJson(*streamed)) << "trial " << trial;
    }
    int64_t paid = 0;
    for (const Statement& s : first->statements) paid += s.totals_minor.at("EUR");
    EXPECT_EQ(paid, first->totals.at("EUR").pools) << "trial " << trial;
    std::shuffle(events_.begin(), events_.end(), random);
    Result<RunResult> shuffled = Run();
    ASSERT_TRUE(shuffled.ok());
    ASSERT_EQ(first->statements.size(), shuffled->statements.size());
    for (size_t i = 0; i < first->statements.size(); ++i) {
      EXPECT_EQ(first->statements[i].totals_minor, shuffled->statements[i].totals_minor)
          << "trial " << trial << " party " << first->statements[i].party;
    }
  }
}

// The run divides its passes between two threads by recordings (blocks of 16 registry
// indexes), by lines and by parties; the three-recording world above keeps everything in the
// first block. A generated catalog of thousands of recordings, with its agreements' fees and
// guarantees, spreads every pass over both threads: one thread, two threads, the streamed
// events and the events read from an event index must give the same bytes under every model,
// net and gross.
TEST(EngineGeneratedWorldTest, OneThreadOrTwoGiveTheSameBytes) {
  Result<rights::Registry> registry = world::GenerateWorld({.seed = 3, .artists = 300});
  ASSERT_TRUE(registry.ok()) << registry.status().ToString();
  Result<std::shared_ptr<const rights::Snapshot>> policy = rights::Snapshot::Build(*registry);
  ASSERT_TRUE(policy.ok()) << policy.status().ToString();
  ASSERT_GT(registry->recordings.size(), 1000u);
  RunInputs inputs;
  inputs.period = *ParsePeriod("2026-07");
  inputs.registry = &*registry;
  inputs.policy = policy->get();
  std::mt19937_64 random(17);
  const int64_t start_ms = inputs.period.start.unix_millis();
  const auto span_ms = static_cast<uint64_t>(inputs.period.end.unix_millis() - start_ms);
  for (uint64_t i = 0; i < 20'000; ++i) {
    ledger::UsageEvent e;
    e.id = "e" + std::to_string(i);
    e.time = Timestamp::FromUnixMillis(start_ms + static_cast<int64_t>(random() % span_ms));
    e.listener = "l" + std::to_string(random() % 500);
    e.territory = Where(i % 3 == 0 ? "FR" : "DE");
    e.scope = i % 2 == 0 ? Scope::kDj : Scope::kRecommend;
    e.feature = "dj";
    const size_t first = random() % registry->recordings.size();
    e.recordings = {
        {registry->recordings[first].isrc, 600'000},
        {registry->recordings[(first + 1 + random() % 40) % registry->recordings.size()].isrc,
         400'000}};
    if (e.recordings[0].isrc == e.recordings[1].isrc) e.recordings.resize(1);
    if (e.recordings.size() == 1) e.recordings[0].weight_ppm = 1'000'000;
    e.requested = random() % 4 == 0;
    // After a thousand events of June, as a ledger would hold them (below).
    inputs.events.push_back({i + 1001, std::move(e)});
  }
  // The same events in an event index, as RunFromLedger reads them (RunInputs::index), after
  // a thousand of June whose listeners and recordings come in another order, so that the
  // index numbers them otherwise than the run would.
  ledger::EventIndex index;
  auto index_event = [&](const ledger::UsageEvent& e) {
    const std::string payload = ledger::CanonicalEncoding(e);
    Result<ledger::EventKeys> keys = ledger::ExtractEventKeys(payload, "test");
    ASSERT_TRUE(keys.ok()) << keys.status().ToString();
    ASSERT_TRUE(index.Add(index.size() + 1, *keys).ok());
  };
  for (uint64_t i = 0; i < 1000; ++i) {
    ledger::UsageEvent e = inputs.events[19'999 - i * 7].event;
    e.id = "june-" + std::to_string(i);
    e.time = Timestamp::FromUnixMillis(start_ms - 1 - static_cast<int64_t>(i));
    if (i % 2 == 0) e.listener = "june-listener-" + std::to_string(i);
    index_event(e);
  }
  for (const RecordedEvent& recorded : inputs.events) index_event(recorded.event);
  std::vector<uint64_t> july(inputs.events.size());
  for (size_t k = 0; k < july.size(); ++k) july[k] = 1001 + k;
  for (const AllocationModel model : {AllocationModel::kProRata, AllocationModel::kUserCentric,
                                      AllocationModel::kArtistCentric}) {
    for (const PoolRevenue revenue : {PoolRevenue::kNet, PoolRevenue::kGross}) {
      RevenuePool pool;
      pool.id = "month";
      pool.amount = *Money::Parse("98765.43", *Currency::FromCode("EUR"));
      pool.territories = *TerritorySet::Parse("DE,FR");
      pool.scopes.Insert(Scope::kDj);
      pool.scopes.Insert(Scope::kRecommend);
      pool.model = model;
      pool.revenue = revenue;
      pool.artist_centric = {.min_uses = 20, .min_listeners = 10, .listener_cap = 30};
      inputs.settings.pools = {pool};
      inputs.settings.composition_share_ppm = 250'000;
      inputs.threads = 0;
      Result<RunResult> two = RunRoyalties(inputs);
      ASSERT_TRUE(two.ok()) << two.status().ToString();
      size_t lines = 0;
      for (const Statement& statement : two->statements) lines += statement.lines.size();
      ASSERT_GT(lines, 10'000u);
      inputs.threads = 1;
      Result<RunResult> one = RunRoyalties(inputs);
      ASSERT_TRUE(one.ok()) << one.status().ToString();
      const std::string bytes = RunToJson(*two);
      EXPECT_EQ(bytes, RunToJson(*one)) << AllocationModelName(model);
      RunInputs streamed = inputs;
      streamed.events = {};
      streamed.stream_size = inputs.events.size();
      streamed.stream = [&](size_t part, size_t parts, const RunInputs::EventVisitor& visit) {
        const size_t count = inputs.events.size();
        const size_t first = count * part / parts;
        return VisitRecordedEvents(std::span<const RecordedEvent>(inputs.events)
                                       .subspan(first, count * (part + 1) / parts - first),
                                   visit);
      };
      streamed.threads = 0;
      Result<RunResult> from_stream = RunRoyalties(streamed);
      ASSERT_TRUE(from_stream.ok()) << from_stream.status().ToString();
      EXPECT_EQ(bytes, RunToJson(*from_stream)) << AllocationModelName(model);
      RunInputs indexed = inputs;
      indexed.events = {};
      indexed.index = &index;
      indexed.indexed_sequences = july;
      for (const int threads : {0, 1}) {
        indexed.threads = threads;
        Result<RunResult> from_index = RunRoyalties(indexed);
        ASSERT_TRUE(from_index.ok()) << from_index.status().ToString();
        EXPECT_EQ(bytes, RunToJson(*from_index)) << AllocationModelName(model) << " " << threads;
      }
    }
  }
}

// Writers do not license, so the policy snapshot does not resolve them, and a registry that
// skipped ValidateRegistry can name a writer it lacks. The run still pays that writer, with
// the holders planned on one thread, the same on one thread or two.
TEST_F(EngineTest, AWriterTheRegistryLacksIsStillPaid) {
  registry_.works[0].writers = {{"writer:ghost", 600000}};
  Rebuild();
  settings_.composition_share_ppm = 500'000;
  settings_.composition_scopes.Insert(Scope::kDj);
  Play("l1", {kR1});
  Play("l2", {kR2});
  Pool("100.00", AllocationModel::kProRata);
  Result<RunResult> two = Run();
  ASSERT_TRUE(two.ok()) << two.status().ToString();
  // R1 takes 50.00: half to its master (label:x), half to the work, 60% of which is the
  // writer's 15.00 and 40% the publisher's 10.00.
  const auto ghost = std::find_if(two->statements.begin(), two->statements.end(),
                                  [](const Statement& s) { return s.party == "writer:ghost"; });
  ASSERT_NE(ghost, two->statements.end());
  EXPECT_EQ(ghost->totals_minor.at("EUR"), 1500);
  Result<RunResult> one = Run(/*threads=*/1);
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_EQ(RunToJson(*two), RunToJson(*one));
}

}  // namespace
}  // namespace accord::royalties
