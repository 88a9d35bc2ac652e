#include "rights/random_world_test_util.h"

#include <algorithm>
#include <cstdio>
#include <set>
#include <tuple>

namespace accord::rights::testing {
namespace {

Isrc MakeIsrc(int n) {
  char text[16];
  std::snprintf(text, sizeof(text), "QZTST26%05d", n);
  return *Isrc::Parse(text);
}

Iswc MakeIswc(int n) {
  char digits[16];
  std::snprintf(digits, sizeof(digits), "%09d", 100000 + n);
  std::string text = std::string("T") + digits + Iswc::CheckDigit(digits);
  return *Iswc::Parse(text);
}

// Splits kWholePpm into `n` positive parts that add up exactly.
std::vector<int32_t> RandomSplit(std::mt19937_64& rng, int n) {
  std::vector<int32_t> parts(static_cast<size_t>(n), catalog::kWholePpm / n);
  parts[0] += catalog::kWholePpm - (catalog::kWholePpm / n) * n;
  if (n > 1) {
    int32_t moved = static_cast<int32_t>(rng() % 100000);
    parts[0] += moved;
    parts[1] -= moved;
  }
  return parts;
}

}  // namespace

std::vector<Timestamp> InterestingTimes() {
  std::vector<Timestamp> times;
  for (int day : {0, 10, 20, 30, 40}) {
    times.push_back(Timestamp::FromUnixMillis(int64_t{1767225600000} + day * int64_t{86400000}));
  }
  return times;
}

std::vector<Territory> TestTerritories() {
  return {*Territory::Parse("DE"), *Territory::Parse("US"), *Territory::Parse("JP")};
}

Registry RandomWorld(std::mt19937_64& rng) {
  auto chance = [&](int percent) { return static_cast<int>(rng() % 100) < percent; };
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  const std::vector<Timestamp> times = InterestingTimes();
  const std::vector<Territory> territories = TestTerritories();
  auto random_time = [&]() {
    // Mostly an interesting time, sometimes one millisecond off it.
    Timestamp t = times[pick(times.size())];
    int64_t jitter = chance(20) ? (chance(50) ? 1 : -1) : 0;
    return Timestamp::FromUnixMillis(t.unix_millis() + jitter);
  };

  Registry registry;
  const int party_count = 3 + static_cast<int>(pick(6));
  const catalog::PartyKind kinds[] = {catalog::PartyKind::kArtist, catalog::PartyKind::kLabel,
                                      catalog::PartyKind::kDistributor,
                                      catalog::PartyKind::kPublisher, catalog::PartyKind::kWriter};
  for (int p = 0; p < party_count; ++p) {
    catalog::Party party;
    party.id = "p" + std::to_string(p);
    party.kind = kinds[pick(5)];
    party.name = "Party " + std::to_string(p);
    registry.parties.push_back(party);
  }
  // "Acts for" edges, cycles allowed (a party never acts for itself).
  for (auto& party : registry.parties) {
    for (int e = 0; e < 2; ++e) {
      if (!chance(25)) continue;
      std::string target = registry.parties[pick(registry.parties.size())].id;
      if (target != party.id &&
          std::find(party.acts_for.begin(), party.acts_for.end(), target) == party.acts_for.end()) {
        party.acts_for.push_back(target);
      }
    }
  }
  auto random_party = [&]() { return registry.parties[pick(registry.parties.size())].id; };
  auto random_shares = [&](int max_holders) {
    int n = 1 + static_cast<int>(pick(static_cast<size_t>(max_holders)));
    std::vector<catalog::Share> shares;
    std::vector<int32_t> parts = RandomSplit(rng, n);
    std::set<std::string> used;
    for (int i = 0; i < n; ++i) {
      std::string party = random_party();
      if (!used.insert(party).second) {
        shares.back().ppm += parts[static_cast<size_t>(i)];  // merge into the previous holder
        continue;
      }
      shares.push_back(catalog::Share{party, parts[static_cast<size_t>(i)]});
    }
    return shares;
  };

  const int work_count = static_cast<int>(pick(4));
  for (int w = 0; w < work_count; ++w) {
    catalog::Work work;
    work.iswc = MakeIswc(w);
    work.title = "Work " + std::to_string(w);
    std::vector<catalog::Share> shares = random_shares(3);
    for (size_t i = 0; i < shares.size(); ++i) {
      (i % 2 == 0 && chance(70) ? work.publishers : work.writers).push_back(shares[i]);
    }
    registry.works.push_back(work);
  }

  const int recording_count = 1 + static_cast<int>(pick(12));
  for (int r = 0; r < recording_count; ++r) {
    catalog::Recording recording;
    recording.isrc = MakeIsrc(r);
    recording.title = "Track " + std::to_string(r);
    recording.main_artists.push_back(random_party());
    if (chance(30)) recording.main_artists.push_back(random_party());
    if (chance(30)) recording.featured_artists.push_back(random_party());
    recording.master_owners = random_shares(2);
    if (work_count > 0 && chance(75))
      recording.work = registry.works[pick(registry.works.size())].iswc;
    recording.contains_ai = chance(15)   ? catalog::ContainsAi::kAll
                            : chance(10) ? catalog::ContainsAi::kPartly
                                         : catalog::ContainsAi::kNone;
    recording.duration_ms = 180000;
    registry.recordings.push_back(recording);
  }

  const int agreement_count = static_cast<int>(pick(7));
  for (int a = 0; a < agreement_count; ++a) {
    Agreement agreement;
    agreement.id = "a" + std::to_string(a);
    agreement.licensor = random_party();
    agreement.all_controlled = chance(60);
    if (!agreement.all_controlled) {
      const int listed = 1 + static_cast<int>(pick(3));
      for (int i = 0; i < listed; ++i) {
        Isrc isrc = registry.recordings[pick(registry.recordings.size())].isrc;
        if (std::find(agreement.recordings.begin(), agreement.recordings.end(), isrc) ==
            agreement.recordings.end()) {
          agreement.recordings.push_back(isrc);
        }
      }
    }
    agreement.scopes = chance(30) ? ScopeSet::All()
                                  : ScopeSet::FromBits(static_cast<uint8_t>(rng() | 1u << pick(8)));
    switch (pick(3)) {
      case 0:
        agreement.territories = TerritorySet::Worldwide();
        break;
      case 1:
        agreement.territories =
            TerritorySet::WorldwideExcept({territories[pick(territories.size())]});
        break;
      default:
        agreement.territories = TerritorySet::Only({territories[pick(territories.size())]});
    }
    agreement.start = random_time();
    if (chance(50)) {
      Timestamp end = random_time();
      if (end > agreement.start) agreement.end = end;
    }
    registry.agreements.push_back(agreement);
  }

  // Consents: a few flips per (party, scope); (party, scope, effective) stays unique.
  std::set<std::tuple<std::string, int, int64_t>> consent_keys;
  const int consent_count = static_cast<int>(pick(14));
  for (int c = 0; c < consent_count; ++c) {
    Consent consent;
    consent.id = "c" + std::to_string(c);
    consent.party = random_party();
    consent.scope = kAllScopes[pick(kScopeCount)];
    consent.choice = chance(55) ? ConsentChoice::kOptIn : ConsentChoice::kOptOut;
    consent.effective = random_time();
    consent.recorded_by = consent.party;
    consent.method = "test";
    if (!consent_keys
             .emplace(consent.party, static_cast<int>(consent.scope),
                      consent.effective.unix_millis())
             .second) {
      continue;
    }
    registry.consents.push_back(consent);
  }

  std::set<std::pair<std::string, int64_t>> takedown_keys;
  const int takedown_count = static_cast<int>(pick(4));
  for (int t = 0; t < takedown_count; ++t) {
    Takedown takedown;
    takedown.id = "t" + std::to_string(t);
    takedown.recording = registry.recordings[pick(registry.recordings.size())].isrc;
    takedown.action = chance(60) ? TakedownAction::kBlock : TakedownAction::kLift;
    takedown.effective = random_time();
    takedown.reason = "test";
    if (!takedown_keys.emplace(takedown.recording.str(), takedown.effective.unix_millis()).second) {
      continue;
    }
    registry.takedowns.push_back(takedown);
  }

  for (Scope scope : kAllScopes) {
    if (chance(20)) {
      registry.policy.consent_mode[static_cast<size_t>(scope)] =
          chance(50) ? ConsentMode::kOptIn : ConsentMode::kOptOut;
    }
  }
  registry.policy.recommend_fully_ai = chance(30);
  return registry;
}

}  // namespace accord::rights::testing
