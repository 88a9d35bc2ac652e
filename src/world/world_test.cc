#include "world/world.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "catalog/model.h"
#include "core/ids.h"
#include "core/time.h"
#include "rights/model.h"
#include "rights/registry.h"

namespace accord::world {
namespace {

using catalog::ContainsAi;
using catalog::Party;
using catalog::PartyKind;
using rights::Agreement;
using rights::ConsentChoice;
using rights::Registry;
using rights::Scope;
using rights::TakedownAction;

Timestamp At(std::string_view text) { return *Timestamp::Parse(text); }

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

int64_t CountKind(const Registry& registry, PartyKind kind) {
  return std::count_if(registry.parties.begin(), registry.parties.end(),
                       [kind](const Party& party) { return party.kind == kind; });
}

// One mid-sized world shared by the tests that inspect its shape: 5,000 artists and 50,000
// recordings are enough for every rate below to be measured within a few percent, and small
// enough to generate in well under a second.
class WorldShapeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    WorldOptions options;
    options.seed = 42;
    options.artists = 5'000;
    options.recordings = 50'000;
    Result<Registry> world = GenerateWorld(options);
    ASSERT_TRUE(world.ok()) << world.status().ToString();
    world_ = new Registry(std::move(world).value());
  }
  static void TearDownTestSuite() {
    delete world_;
    world_ = nullptr;
  }

  static const Registry& world() { return *world_; }

  // Parties whose recordings some agreement covers: licensors and everyone they act for,
  // followed transitively (a major acts for its sub-labels).
  static std::set<std::string> LicensedParties() {
    std::unordered_map<std::string, const Party*> by_id;
    for (const Party& party : world().parties) by_id[party.id] = &party;
    std::set<std::string> licensed;
    std::vector<std::string> frontier;
    for (const Agreement& agreement : world().agreements) frontier.push_back(agreement.licensor);
    while (!frontier.empty()) {
      std::string id = std::move(frontier.back());
      frontier.pop_back();
      if (!licensed.insert(id).second) continue;
      for (const std::string& other : by_id.at(id)->acts_for) frontier.push_back(other);
    }
    return licensed;
  }

 private:
  static inline Registry* world_ = nullptr;
};

// --- Option validation -------------------------------------------------------------------

TEST(WorldOptionsTest, RejectsZeroArtists) {
  WorldOptions options;
  options.artists = 0;
  Result<Registry> world = GenerateWorld(options);
  ASSERT_FALSE(world.ok());
  EXPECT_EQ(world.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(world.status().message().find("artists"), std::string::npos);
}

TEST(WorldOptionsTest, RejectsNegativeCounts) {
  for (int field = 0; field < 4; ++field) {
    WorldOptions options;
    options.artists = 10;
    if (field == 0) options.artists = -1;
    if (field == 1) options.recordings = -1;
    if (field == 2) options.labels = -1;
    if (field == 3) options.publishers = -1;
    Result<Registry> world = GenerateWorld(options);
    ASSERT_FALSE(world.ok()) << "field " << field;
    EXPECT_EQ(world.status().code(), StatusCode::kInvalidArgument) << "field " << field;
  }
}

TEST(WorldOptionsTest, RejectsMoreThanOneHundredMillionRecordings) {
  WorldOptions options;
  options.artists = 10;
  options.recordings = 100'000'001;
  Result<Registry> world = GenerateWorld(options);
  ASSERT_FALSE(world.ok());
  EXPECT_EQ(world.status().code(), StatusCode::kInvalidArgument);
}

TEST(WorldOptionsTest, RejectsMoreThanTenMillionArtists) {
  WorldOptions options;
  options.artists = 10'000'001;
  Result<Registry> world = GenerateWorld(options);
  ASSERT_FALSE(world.ok());
  EXPECT_EQ(world.status().code(), StatusCode::kInvalidArgument);
}

TEST(WorldOptionsTest, RejectsFewerLabelsThanThreeMajorsAndOneIndependent) {
  WorldOptions options;
  options.artists = 10;
  options.labels = 3;
  Result<Registry> world = GenerateWorld(options);
  ASSERT_FALSE(world.ok());
  EXPECT_EQ(world.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(world.status().message().find("labels"), std::string::npos);
}

// --- Determinism ---------------------------------------------------------------------------

TEST(WorldDeterminismTest, SameSeedGivesIdenticalRegistry) {
  WorldOptions options;
  options.seed = 7;
  options.artists = 800;
  Result<Registry> first = GenerateWorld(options);
  Result<Registry> second = GenerateWorld(options);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_TRUE(*first == *second);
}

TEST(WorldDeterminismTest, DifferentSeedsGiveDifferentRegistries) {
  WorldOptions options;
  options.artists = 800;
  options.seed = 1;
  Result<Registry> first = GenerateWorld(options);
  options.seed = 2;
  Result<Registry> second = GenerateWorld(options);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_FALSE(*first == *second);
  // Not just one field: the catalog itself differs.
  EXPECT_NE(first->recordings.front().isrc, second->recordings.front().isrc);
  EXPECT_NE(first->recordings.front().title + first->recordings[1].title,
            second->recordings.front().title + second->recordings[1].title);
}

// --- Validity and counts --------------------------------------------------------------------

struct SizeCase {
  uint64_t seed;
  int64_t artists;
  int64_t recordings;
  int64_t labels;
  int64_t publishers;
};

// Readable test names: "seed 9, 10 artists, 3000 recordings, 4 labels, 1 publishers".
void PrintTo(const SizeCase& c, std::ostream* os) {
  *os << "seed " << c.seed << ", " << c.artists << " artists, " << c.recordings << " recordings, "
      << c.labels << " labels, " << c.publishers << " publishers";
}

class WorldValidityTest : public ::testing::TestWithParam<SizeCase> {};

TEST_P(WorldValidityTest, PassesValidateRegistryAndMatchesCounts) {
  const SizeCase& size = GetParam();
  WorldOptions options;
  options.seed = size.seed;
  options.artists = size.artists;
  options.recordings = size.recordings;
  options.labels = size.labels;
  options.publishers = size.publishers;
  Result<Registry> world = GenerateWorld(options);
  ASSERT_TRUE(world.ok()) << world.status().ToString();
  const Status valid = rights::ValidateRegistry(*world);
  EXPECT_TRUE(valid.ok()) << valid.ToString();

  const int64_t expected_recordings = size.recordings != 0 ? size.recordings : 10 * size.artists;
  const int64_t expected_labels =
      size.labels != 0 ? size.labels : std::max<int64_t>(4, size.artists / 50);
  const int64_t expected_publishers =
      size.publishers != 0 ? size.publishers : std::max<int64_t>(3, size.artists / 100);
  EXPECT_EQ(static_cast<int64_t>(world->recordings.size()), expected_recordings);
  EXPECT_EQ(CountKind(*world, PartyKind::kArtist), size.artists);
  EXPECT_EQ(CountKind(*world, PartyKind::kLabel), expected_labels);
  EXPECT_EQ(CountKind(*world, PartyKind::kPublisher), expected_publishers);
  EXPECT_GE(CountKind(*world, PartyKind::kDistributor), 2);
  EXPECT_GE(CountKind(*world, PartyKind::kWriter), size.artists);
  EXPECT_FALSE(world->agreements.empty());
  EXPECT_FALSE(world->takedowns.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Sizes, WorldValidityTest,
    ::testing::Values(SizeCase{1, 1, 0, 0, 0},           // a single artist: nobody to feature
                      SizeCase{1, 10, 0, 0, 0},          // the smallest derived world
                      SizeCase{3, 10, 5, 0, 0},          // fewer recordings than artists
                      SizeCase{9, 10, 3'000, 4, 1},      // a few artists with huge catalogs
                      SizeCase{2, 300, 0, 0, 0},         //
                      SizeCase{5, 2'000, 0, 40, 25},     // explicit labels and publishers
                      SizeCase{11, 4'000, 30'000, 0, 0}  //
                      ));

TEST(WorldCountsTest, DerivesRecordingsLabelsAndPublishersFromArtists) {
  WorldOptions options;
  options.artists = 1'000;
  Result<Registry> world = GenerateWorld(options);
  ASSERT_TRUE(world.ok()) << world.status().ToString();
  EXPECT_EQ(world->recordings.size(), 10'000u);
  EXPECT_EQ(CountKind(*world, PartyKind::kLabel), 20);
  EXPECT_EQ(CountKind(*world, PartyKind::kPublisher), 10);
}

// --- Catalog shape ----------------------------------------------------------------------------

TEST_F(WorldShapeTest, CatalogSizesFollowAPowerLaw) {
  std::unordered_map<std::string, int64_t> catalog;
  for (const auto& recording : world().recordings) ++catalog[recording.main_artists.front()];
  std::vector<int64_t> sizes;
  for (const Party& party : world().parties) {
    if (party.kind == PartyKind::kArtist) sizes.push_back(catalog[party.id]);
  }
  std::sort(sizes.rbegin(), sizes.rend());
  int64_t top_percent = 0;
  for (size_t rank = 0; rank < sizes.size() / 100; ++rank) top_percent += sizes[rank];
  // Uniform catalogs would give the top 1% of artists 1% of recordings.
  EXPECT_GT(static_cast<double>(top_percent) / 50'000.0, 0.25);
  EXPECT_GE(sizes.front(), 200);          // stars hold hundreds of recordings
  EXPECT_LE(sizes.front(), 1'000);        // but no artist holds a fifth of the catalog
  EXPECT_LE(sizes[sizes.size() / 2], 3);  // the median artist has a handful
  EXPECT_GE(sizes.back(), 1);             // and every artist has at least one
}

TEST_F(WorldShapeTest, MajorsControlAboutTwoThirdsOfRecordings) {
  std::set<std::string> major_controlled;
  for (const Party& party : world().parties) {
    if (StartsWith(party.id, "label:major-")) {
      major_controlled.insert(party.id);
      major_controlled.insert(party.acts_for.begin(), party.acts_for.end());
    }
  }
  EXPECT_EQ(major_controlled.size(), 3u + 12u);  // three majors, four imprints each
  int64_t held = 0;
  for (const auto& recording : world().recordings) {
    held += major_controlled.count(recording.master_owners.front().party);
  }
  const double share = static_cast<double>(held) / 50'000.0;
  EXPECT_GT(share, 0.55);
  EXPECT_LT(share, 0.75);
}

TEST_F(WorldShapeTest, SplitsAddUpAndSomeMastersAreCoOwned) {
  int64_t co_owned = 0;
  for (const auto& recording : world().recordings) {
    ASSERT_TRUE(catalog::ValidateSplits(recording.master_owners, "master_owners").ok());
    if (recording.master_owners.size() == 2) ++co_owned;
  }
  EXPECT_GT(co_owned, 1'000);  // about 5% of label-owned recordings
  EXPECT_LT(co_owned, 4'000);
  for (const auto& work : world().works) {
    int64_t writers_ppm = 0;
    for (const auto& share : work.writers) writers_ppm += share.ppm;
    int64_t publishers_ppm = 0;
    for (const auto& share : work.publishers) publishers_ppm += share.ppm;
    ASSERT_EQ(writers_ppm, 500'000) << work.iswc.str();
    ASSERT_EQ(publishers_ppm, 500'000) << work.iswc.str();
    ASSERT_GE(work.writers.size(), 1u);
    ASSERT_LE(work.writers.size(), 3u);
  }
}

TEST_F(WorldShapeTest, IdentifiersAreCanonicalAndUnique) {
  std::unordered_set<std::string> isrcs;
  std::set<std::string> countries;
  for (const auto& recording : world().recordings) {
    Result<Isrc> reparsed = Isrc::Parse(recording.isrc.str());
    ASSERT_TRUE(reparsed.ok()) << recording.isrc.str();
    ASSERT_EQ(*reparsed, recording.isrc);
    ASSERT_TRUE(isrcs.insert(recording.isrc.str()).second) << recording.isrc.str();
    countries.insert(recording.isrc.str().substr(0, 2));
  }
  EXPECT_GE(countries.size(), 7u);  // a realistic mix, not one country
  std::unordered_set<std::string> iswcs;
  for (const auto& work : world().works) {
    Result<Iswc> reparsed = Iswc::Parse(work.iswc.str());
    ASSERT_TRUE(reparsed.ok()) << work.iswc.str();
    ASSERT_TRUE(iswcs.insert(work.iswc.str()).second) << work.iswc.str();
  }
}

TEST_F(WorldShapeTest, RecordingsLookLikeACatalog) {
  int64_t featured = 0;
  int64_t duets = 0;
  int64_t with_work = 0;
  int64_t partly_ai = 0;
  int64_t all_ai = 0;
  for (const auto& recording : world().recordings) {
    ASSERT_GE(recording.duration_ms, 120'000);
    ASSERT_LE(recording.duration_ms, 360'000);
    ASSERT_TRUE(recording.release_date.has_value());
    ASSERT_FALSE(recording.title.empty());
    featured += recording.featured_artists.empty() ? 0 : 1;
    duets += recording.main_artists.size() == 2 ? 1 : 0;
    with_work += recording.work ? 1 : 0;
    partly_ai += recording.contains_ai == ContainsAi::kPartly ? 1 : 0;
    all_ai += recording.contains_ai == ContainsAi::kAll ? 1 : 0;
    for (const auto& guest : recording.featured_artists) {
      ASSERT_EQ(std::count(recording.main_artists.begin(), recording.main_artists.end(), guest), 0);
    }
  }
  auto rate = [](int64_t count) { return static_cast<double>(count) / 50'000.0; };
  EXPECT_NEAR(rate(featured), 0.15, 0.02);
  EXPECT_NEAR(rate(duets), 0.03, 0.01);
  EXPECT_NEAR(rate(with_work), 0.80, 0.02);
  EXPECT_NEAR(rate(partly_ai), 0.03, 0.01);
  EXPECT_NEAR(rate(all_ai), 0.01, 0.005);
}

TEST_F(WorldShapeTest, CoversShareTheirWorkAndTitle) {
  std::unordered_map<std::string, std::string> work_title;
  for (const auto& work : world().works) work_title[work.iswc.str()] = work.title;
  std::unordered_map<std::string, int> uses;
  for (const auto& recording : world().recordings) {
    if (!recording.work) continue;
    ++uses[recording.work->str()];
    const std::string& title = work_title.at(recording.work->str());
    ASSERT_TRUE(StartsWith(recording.title, title)) << recording.title << " vs " << title;
  }
  const int64_t covered =
      std::count_if(uses.begin(), uses.end(), [](const auto& entry) { return entry.second > 1; });
  EXPECT_GT(covered, 500);
}

TEST_F(WorldShapeTest, RepresentationIsWiredThroughActsFor) {
  // Sub-labels belong to exactly one major; each writer to exactly one publisher.
  std::map<std::string, int> sub_label_parents;
  std::map<std::string, int> writer_publishers;
  for (const Party& party : world().parties) {
    for (const std::string& other : party.acts_for) {
      if (party.kind == PartyKind::kLabel) {
        EXPECT_TRUE(StartsWith(other, "label:sub-")) << party.id << " -> " << other;
        ++sub_label_parents[other];
      } else if (party.kind == PartyKind::kPublisher) {
        EXPECT_TRUE(StartsWith(other, "writer:")) << party.id << " -> " << other;
        ++writer_publishers[other];
      } else if (party.kind == PartyKind::kDistributor) {
        EXPECT_TRUE(StartsWith(other, "label:indie-") || StartsWith(other, "artist:"))
            << party.id << " -> " << other;
      }
    }
  }
  EXPECT_EQ(sub_label_parents.size(), 12u);
  for (const auto& [sub_label, parents] : sub_label_parents) EXPECT_EQ(parents, 1) << sub_label;
  EXPECT_EQ(static_cast<int64_t>(writer_publishers.size()), CountKind(world(), PartyKind::kWriter));
  for (const auto& [writer, publishers] : writer_publishers) EXPECT_EQ(publishers, 1) << writer;
}

TEST_F(WorldShapeTest, SelfReleasedArtistsOwnTheirMasters) {
  int64_t self_owned = 0;
  for (const auto& recording : world().recordings) {
    const auto& owner = recording.master_owners.front();
    if (StartsWith(owner.party, "artist:")) {
      ++self_owned;
      ASSERT_EQ(owner.party, recording.main_artists.front());
      ASSERT_EQ(owner.ppm, catalog::kWholePpm);
    }
  }
  EXPECT_GT(self_owned, 500);
  EXPECT_LT(self_owned, 10'000);
}

// --- Agreements -----------------------------------------------------------------------------

TEST_F(WorldShapeTest, EveryMajorSignsABroadAndANarrowAgreement) {
  for (int major = 1; major <= 3; ++major) {
    const std::string licensor = "label:major-" + std::to_string(major);
    const Agreement* broad = nullptr;
    const Agreement* narrow = nullptr;
    for (const Agreement& agreement : world().agreements) {
      if (agreement.licensor != licensor) continue;
      if (agreement.scopes.Contains(Scope::kDj)) broad = &agreement;
      if (agreement.scopes.Contains(Scope::kRemix)) narrow = &agreement;
    }
    ASSERT_NE(broad, nullptr) << licensor;
    EXPECT_TRUE(broad->all_controlled);
    EXPECT_TRUE(broad->scopes.Contains(Scope::kRecommend));
    EXPECT_TRUE(broad->scopes.Contains(Scope::kDjVoice));
    EXPECT_TRUE(broad->territories.is_worldwide_form());
    EXPECT_EQ(broad->start, At("2024-01-01"));
    EXPECT_FALSE(broad->end.has_value());
    ASSERT_TRUE(broad->terms.has_value());
    EXPECT_EQ(broad->terms->per_use_rates.front().first, Scope::kDj);
    EXPECT_EQ(broad->terms->per_use_rates.front().second.micros(), 2'000);  // "0.002"

    ASSERT_NE(narrow, nullptr) << licensor;
    EXPECT_TRUE(narrow->scopes.Contains(Scope::kMashup));
    EXPECT_FALSE(narrow->territories.is_worldwide_form());
    EXPECT_TRUE(narrow->end.has_value());
  }
}

TEST_F(WorldShapeTest, SomeLabelsHaveNoAgreementAtAll) {
  const std::set<std::string> licensed = LicensedParties();
  int64_t labels = 0;
  int64_t unlicensed = 0;
  for (const Party& party : world().parties) {
    if (party.kind != PartyKind::kLabel) continue;
    ++labels;
    if (!licensed.count(party.id)) ++unlicensed;
  }
  EXPECT_GE(unlicensed, 1);
  EXPECT_LE(static_cast<double>(unlicensed) / static_cast<double>(labels), 0.15);
}

TEST_F(WorldShapeTest, AgreementWindowsScopesAndListsVary) {
  const Timestamp now = At("2026-01-01");
  int64_t future = 0;
  int64_t expired = 0;
  int64_t open_ended = 0;
  int64_t listed = 0;
  int64_t regional = 0;
  int64_t guaranteed = 0;
  std::set<std::string> currencies;
  for (const Agreement& agreement : world().agreements) {
    future += agreement.start > now ? 1 : 0;
    expired += agreement.end && *agreement.end <= now ? 1 : 0;
    open_ended += agreement.end ? 0 : 1;
    listed += agreement.all_controlled ? 0 : 1;
    regional += agreement.territories.is_worldwide_form() ? 0 : 1;
    if (agreement.terms) {
      currencies.insert(std::string(agreement.terms->currency.code()));
      guaranteed += agreement.terms->minimum_guarantee ? 1 : 0;
    }
  }
  EXPECT_GT(future, 0);
  EXPECT_GT(expired, 0);
  EXPECT_GT(open_ended, 0);
  EXPECT_GT(listed, 0);
  EXPECT_GT(regional, 0);
  EXPECT_GT(guaranteed, 0);
  EXPECT_TRUE(currencies.count("USD"));
  EXPECT_TRUE(currencies.count("EUR"));
}

TEST_F(WorldShapeTest, PublishersLicenseOnlyCompositionScopes) {
  int64_t publisher_agreements = 0;
  for (const Agreement& agreement : world().agreements) {
    if (!StartsWith(agreement.licensor, "publisher:")) continue;
    ++publisher_agreements;
    for (Scope scope : agreement.scopes.ToVector()) {
      EXPECT_TRUE(rights::UsesComposition(scope)) << agreement.id;
    }
  }
  EXPECT_GE(publisher_agreements, 3);
}

// --- Consents -------------------------------------------------------------------------------

TEST_F(WorldShapeTest, EveryScopeHasOptInsAndOptOuts) {
  std::array<int64_t, rights::kScopeCount> opt_in{};
  std::array<int64_t, rights::kScopeCount> opt_out{};
  for (const auto& consent : world().consents) {
    auto& counter = consent.choice == ConsentChoice::kOptIn ? opt_in : opt_out;
    ++counter[static_cast<size_t>(consent.scope)];
  }
  for (Scope scope : rights::kAllScopes) {
    EXPECT_GT(opt_in[static_cast<size_t>(scope)], 0) << rights::ScopeName(scope);
    EXPECT_GT(opt_out[static_cast<size_t>(scope)], 0) << rights::ScopeName(scope);
  }
}

TEST_F(WorldShapeTest, LatestOptInRatesAreRealistic) {
  // The latest record per (artist, scope) decides now.
  std::map<std::pair<std::string, Scope>, std::pair<Timestamp, ConsentChoice>> latest;
  for (const auto& consent : world().consents) {
    auto [it, inserted] =
        latest.try_emplace({consent.party, consent.scope}, consent.effective, consent.choice);
    if (!inserted && it->second.first < consent.effective) {
      it->second = {consent.effective, consent.choice};
    }
  }
  std::array<int64_t, rights::kScopeCount> opted_in{};
  std::array<int64_t, rights::kScopeCount> opted_out{};
  for (const auto& [key, value] : latest) {
    auto& counter = value.second == ConsentChoice::kOptIn ? opted_in : opted_out;
    ++counter[static_cast<size_t>(key.second)];
  }
  auto rate = [](int64_t count) { return static_cast<double>(count) / 5'000.0; };
  EXPECT_NEAR(rate(opted_out[static_cast<size_t>(Scope::kRecommend)]), 0.03, 0.015);
  EXPECT_NEAR(rate(opted_out[static_cast<size_t>(Scope::kDj)]), 0.03, 0.015);
  EXPECT_NEAR(rate(opted_in[static_cast<size_t>(Scope::kDjVoice)]), 0.40, 0.04);
  EXPECT_NEAR(rate(opted_in[static_cast<size_t>(Scope::kRemix)]), 0.35, 0.04);
  EXPECT_NEAR(rate(opted_in[static_cast<size_t>(Scope::kMashup)]), 0.25, 0.04);
  EXPECT_NEAR(rate(opted_in[static_cast<size_t>(Scope::kTraining)]), 0.08, 0.02);
  EXPECT_NEAR(rate(opted_in[static_cast<size_t>(Scope::kVoiceModel)]), 0.03, 0.015);
  EXPECT_NEAR(rate(opted_in[static_cast<size_t>(Scope::kGeneration)]), 0.05, 0.02);
}

TEST_F(WorldShapeTest, SomeArtistsChangeTheirMind) {
  std::map<std::pair<std::string, Scope>, std::vector<const rights::Consent*>> history;
  for (const auto& consent : world().consents) {
    history[{consent.party, consent.scope}].push_back(&consent);
  }
  int64_t reversals = 0;
  for (const auto& [key, records] : history) {
    ASSERT_LE(records.size(), 2u);
    if (records.size() == 2) {
      // Stored in effective order, and the second record reverses the first.
      EXPECT_LT(records[0]->effective, records[1]->effective);
      EXPECT_NE(records[0]->choice, records[1]->choice);
      ++reversals;
    }
  }
  EXPECT_GT(reversals, 50);
}

TEST_F(WorldShapeTest, ConsentsAreRecordedInOrderWithProvenance) {
  Timestamp previous = Timestamp::Min();
  for (const auto& consent : world().consents) {
    ASSERT_LE(previous, consent.effective);
    previous = consent.effective;
    ASSERT_GE(consent.effective, At("2024-01-01"));
    ASSERT_LT(consent.effective, At("2027-01-01"));
    ASSERT_FALSE(consent.recorded_by.empty());
    ASSERT_FALSE(consent.method.empty());
    ASSERT_TRUE(StartsWith(consent.party, "artist:"));
  }
}

// --- Takedowns ------------------------------------------------------------------------------

TEST_F(WorldShapeTest, TakedownsBlockAboutOneRecordingInAThousand) {
  std::map<std::string, std::vector<const rights::Takedown*>> by_recording;
  for (const auto& takedown : world().takedowns) {
    by_recording[takedown.recording.str()].push_back(&takedown);
  }
  EXPECT_EQ(by_recording.size(), 50u);
  int64_t lifted = 0;
  for (const auto& [isrc, records] : by_recording) {
    EXPECT_EQ(records.front()->action, TakedownAction::kBlock) << isrc;
    EXPECT_FALSE(records.front()->reason.empty());
    if (records.size() == 2) {
      EXPECT_EQ(records[1]->action, TakedownAction::kLift) << isrc;
      EXPECT_LT(records[0]->effective, records[1]->effective) << isrc;
      ++lifted;
    }
  }
  EXPECT_GT(lifted, 0);
  EXPECT_LT(lifted, 50);
}

}  // namespace
}  // namespace accord::world
