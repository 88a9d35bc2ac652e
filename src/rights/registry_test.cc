#include "rights/registry.h"

#include <gtest/gtest.h>

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
#include "rights/model.h"
#include "rights/policy_test_world.h"

namespace accord::rights {
namespace {

template <typename T>
T Must(Result<T> result) {
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return std::move(result).value();
}

Timestamp At(std::string_view text) { return Must(Timestamp::Parse(text)); }

catalog::Party MakeParty(std::string id, catalog::PartyKind kind) {
  catalog::Party party;
  party.name = "Name of " + id;
  party.id = std::move(id);
  party.kind = kind;
  return party;
}

// A small valid registry with one record of each kind (two consents): the base that each test
// breaks in exactly one place.
class ValidateRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    eur_ = Must(Currency::FromCode("EUR"));
    registry_.parties = {
        MakeParty("label:nordic", catalog::PartyKind::kLabel),
        MakeParty("artist:ann", catalog::PartyKind::kArtist),
        MakeParty("writer:bo", catalog::PartyKind::kWriter),
        MakeParty("distributor:d", catalog::PartyKind::kDistributor),
    };
    registry_.parties[3].acts_for = {"label:nordic"};
    catalog::Work work;
    work.iswc = Must(Iswc::Parse("T-034.524.680-1"));
    work.title = "Song";
    work.writers = {{"writer:bo", 1'000'000}};
    registry_.works = {work};
    catalog::Recording recording;
    recording.isrc = Must(Isrc::Parse("USRC17607839"));
    recording.title = "Song";
    recording.main_artists = {"artist:ann"};
    recording.master_owners = {{"label:nordic", 600'000}, {"artist:ann", 400'000}};
    recording.work = work.iswc;
    registry_.recordings = {recording};
    Agreement agreement;
    agreement.id = "agr-1";
    agreement.licensor = "label:nordic";
    agreement.all_controlled = false;
    agreement.recordings = {Must(Isrc::Parse("USRC17607839"))};
    agreement.scopes = ScopeSet::All();
    agreement.territories = TerritorySet::Worldwide();
    agreement.start = At("2025-01-01");
    agreement.end = At("2026-01-01");
    EconomicTerms terms;
    terms.currency = eur_;
    terms.per_use_rates = {{Scope::kRecommend, Rate(500, eur_)}, {Scope::kDj, Rate(2000, eur_)}};
    terms.revenue_share_ppm = 100'000;
    terms.minimum_guarantee = Money(100'000, eur_);
    agreement.terms = terms;
    registry_.agreements = {agreement};
    Consent opt_in;
    opt_in.id = "c-1";
    opt_in.party = "artist:ann";
    opt_in.scope = Scope::kRemix;
    opt_in.choice = ConsentChoice::kOptIn;
    opt_in.effective = At("2025-02-01");
    Consent opt_out = opt_in;
    opt_out.id = "c-2";
    opt_out.choice = ConsentChoice::kOptOut;
    opt_out.effective = At("2025-03-01");
    registry_.consents = {opt_in, opt_out};
    Takedown takedown;
    takedown.id = "t-1";
    takedown.recording = recording.isrc;
    takedown.action = TakedownAction::kBlock;
    takedown.effective = At("2025-04-01");
    registry_.takedowns = {takedown};
    ASSERT_TRUE(ValidateRegistry(registry_).ok()) << ValidateRegistry(registry_).ToString();
  }

  // The message of a validation that must fail.
  std::string Error() const {
    Status status = ValidateRegistry(registry_);
    EXPECT_FALSE(status.ok());
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
    return status.message();
  }

  Currency eur_;
  Registry registry_;
};

TEST_F(ValidateRegistryTest, EmptyRegistryIsValid) {
  EXPECT_TRUE(ValidateRegistry(Registry{}).ok());
}

// ----- unique ids --------------------------------------------------------------------------------

TEST_F(ValidateRegistryTest, DuplicatePartyId) {
  registry_.parties.push_back(registry_.parties[1]);
  EXPECT_EQ(Error(), "party artist:ann: id: duplicate party id");
}

TEST_F(ValidateRegistryTest, DuplicateWork) {
  registry_.works.push_back(registry_.works[0]);
  EXPECT_EQ(Error(), "work T-034.524.680-1: iswc: duplicate work");
}

TEST_F(ValidateRegistryTest, DuplicateRecording) {
  registry_.recordings.push_back(registry_.recordings[0]);
  EXPECT_EQ(Error(), "recording USRC17607839: isrc: duplicate recording");
}

TEST_F(ValidateRegistryTest, DuplicateAgreementId) {
  registry_.agreements.push_back(registry_.agreements[0]);
  EXPECT_EQ(Error(), "agreement agr-1: id: duplicate agreement id");
}

TEST_F(ValidateRegistryTest, DuplicateConsentId) {
  registry_.consents[1].id = "c-1";
  EXPECT_EQ(Error(), "consent c-1: id: duplicate consent id");
}

TEST_F(ValidateRegistryTest, DuplicateTakedownId) {
  registry_.takedowns.push_back(registry_.takedowns[0]);
  registry_.takedowns[1].effective = At("2025-05-01");
  EXPECT_EQ(Error(), "takedown t-1: id: duplicate takedown id");
}

TEST_F(ValidateRegistryTest, TwoConsentsForOnePartyScopeAndMoment) {
  registry_.consents[1].effective = registry_.consents[0].effective;
  EXPECT_EQ(Error(),
            "consent c-2: effective: consent 'c-1' already records party 'artist:ann' for scope "
            "remix at 2025-02-01T00:00:00Z");
}

TEST_F(ValidateRegistryTest, SameMomentForDifferentScopesIsFine) {
  registry_.consents[1].effective = registry_.consents[0].effective;
  registry_.consents[1].scope = Scope::kDj;
  EXPECT_TRUE(ValidateRegistry(registry_).ok());
}

TEST_F(ValidateRegistryTest, TwoTakedownsForOneRecordingAndMoment) {
  Takedown lift = registry_.takedowns[0];
  lift.id = "t-2";
  lift.action = TakedownAction::kLift;
  registry_.takedowns.push_back(lift);
  EXPECT_EQ(Error(),
            "takedown t-2: effective: takedown 't-1' already records recording USRC17607839 at "
            "2025-04-01T00:00:00Z");
}

// ----- ids well formed -------------------------------------------------------------------------

TEST_F(ValidateRegistryTest, MalformedPartyId) {
  registry_.parties[1].id = "artist ann";
  EXPECT_EQ(Error().rfind("party artist ann: id: ", 0), 0u);
}

TEST_F(ValidateRegistryTest, AgreementIdWithWhitespace) {
  registry_.agreements[0].id = "agr\t1";
  EXPECT_EQ(Error().rfind("agreement agr\t1: id: ", 0), 0u);
}

TEST_F(ValidateRegistryTest, EmptyConsentId) {
  registry_.consents[0].id = "";
  EXPECT_EQ(Error(), "consent (no id): id: id is empty");
}

TEST_F(ValidateRegistryTest, OverlongTakedownId) {
  registry_.takedowns[0].id = std::string(129, 'x');
  EXPECT_NE(Error().find("129 bytes long, at most 128"), std::string::npos);
}

TEST_F(ValidateRegistryTest, RecordingWithoutIsrc) {
  registry_.recordings[0].isrc = Isrc();
  registry_.agreements.clear();
  registry_.takedowns.clear();
  EXPECT_EQ(Error(), "recording (no id): isrc: missing");
}

// ----- references ------------------------------------------------------------------------------

TEST_F(ValidateRegistryTest, UnknownMainArtist) {
  registry_.recordings[0].main_artists = {"artist:ghost"};
  EXPECT_EQ(Error(), "recording USRC17607839: main_artists/0: unknown party 'artist:ghost'");
}

TEST_F(ValidateRegistryTest, UnknownFeaturedArtist) {
  registry_.recordings[0].featured_artists = {"artist:ann", "artist:ghost"};
  EXPECT_EQ(Error(), "recording USRC17607839: featured_artists/1: unknown party 'artist:ghost'");
}

TEST_F(ValidateRegistryTest, UnknownMasterOwner) {
  registry_.recordings[0].master_owners[1].party = "label:x";
  EXPECT_EQ(Error(), "recording USRC17607839: master_owners/1/party: unknown party 'label:x'");
}

TEST_F(ValidateRegistryTest, UnknownWorkOfRecording) {
  registry_.recordings[0].work = Must(Iswc::Parse("T-123.456.789-4"));
  EXPECT_EQ(Error(), "recording USRC17607839: work: unknown work 'T-123.456.789-4'");
}

TEST_F(ValidateRegistryTest, UnknownWriter) {
  registry_.works[0].writers[0].party = "writer:ghost";
  EXPECT_EQ(Error(), "work T-034.524.680-1: writers/0/party: unknown party 'writer:ghost'");
}

TEST_F(ValidateRegistryTest, UnknownPublisher) {
  registry_.works[0].writers[0].ppm = 500'000;
  registry_.works[0].publishers = {{"publisher:ghost", 500'000}};
  EXPECT_EQ(Error(), "work T-034.524.680-1: publishers/0/party: unknown party 'publisher:ghost'");
}

TEST_F(ValidateRegistryTest, UnknownLicensor) {
  registry_.agreements[0].licensor = "label:ghost";
  EXPECT_EQ(Error(), "agreement agr-1: licensor: unknown party 'label:ghost'");
}

TEST_F(ValidateRegistryTest, UnknownListedRecording) {
  registry_.agreements[0].recordings.push_back(Must(Isrc::Parse("GBAYE0000351")));
  EXPECT_EQ(Error(), "agreement agr-1: recordings/1: unknown recording 'GBAYE0000351'");
}

TEST_F(ValidateRegistryTest, UnknownConsentParty) {
  registry_.consents[0].party = "artist:ghost";
  EXPECT_EQ(Error(), "consent c-1: party: unknown party 'artist:ghost'");
}

TEST_F(ValidateRegistryTest, UnknownTakedownRecording) {
  registry_.takedowns[0].recording = Must(Isrc::Parse("GBAYE0000351"));
  EXPECT_EQ(Error(), "takedown t-1: recording: unknown recording 'GBAYE0000351'");
}

TEST_F(ValidateRegistryTest, UnknownActsFor) {
  registry_.parties[3].acts_for.push_back("label:ghost");
  EXPECT_EQ(Error(), "party distributor:d: acts_for/1: unknown party 'label:ghost'");
}

TEST_F(ValidateRegistryTest, PartyActingForItself) {
  registry_.parties[3].acts_for = {"distributor:d"};
  EXPECT_EQ(Error(), "party distributor:d: acts_for/0: a party cannot act for itself");
}

TEST_F(ValidateRegistryTest, ReferenceToLaterRecordResolves) {
  // Keys are indexed before references are checked, so order within the registry is free.
  std::swap(registry_.parties[0], registry_.parties[3]);
  EXPECT_TRUE(ValidateRegistry(registry_).ok());
}

// ----- splits and recordings -------------------------------------------------------------------

TEST_F(ValidateRegistryTest, MasterSplitOffByOne) {
  registry_.recordings[0].master_owners[1].ppm = 399'999;
  EXPECT_EQ(Error(),
            "recording USRC17607839: master_owners: shares add to 999999 ppm, not 1000000");
}

TEST_F(ValidateRegistryTest, WorkSplitCountsPublishers) {
  registry_.works[0].publishers = {{"label:nordic", 1}};
  EXPECT_EQ(Error(),
            "work T-034.524.680-1: writers+publishers: shares add to 1000001 ppm, not 1000000");
}

TEST_F(ValidateRegistryTest, RecordingWithoutMainArtist) {
  registry_.recordings[0].main_artists.clear();
  EXPECT_EQ(Error(), "recording USRC17607839: main_artists: at least one main artist is required");
}

TEST_F(ValidateRegistryTest, NegativeDuration) {
  registry_.recordings[0].duration_ms = -1;
  EXPECT_EQ(Error(), "recording USRC17607839: duration_ms: -1 is negative");
}

// ----- agreements ------------------------------------------------------------------------------

TEST_F(ValidateRegistryTest, EndEqualToStart) {
  registry_.agreements[0].end = registry_.agreements[0].start;
  EXPECT_EQ(Error(),
            "agreement agr-1: end: 2025-01-01T00:00:00Z is not after start 2025-01-01T00:00:00Z");
}

TEST_F(ValidateRegistryTest, OpenEndedAgreementIsValid) {
  registry_.agreements[0].end.reset();
  EXPECT_TRUE(ValidateRegistry(registry_).ok());
}

TEST_F(ValidateRegistryTest, ListedAgreementWithoutRecordings) {
  registry_.agreements[0].recordings.clear();
  EXPECT_EQ(Error(), "agreement agr-1: recordings: at least one recording is required");
}

TEST_F(ValidateRegistryTest, AllControlledAgreementThatListsRecordings) {
  registry_.agreements[0].all_controlled = true;
  EXPECT_EQ(Error(),
            "agreement agr-1: recordings: an agreement over all controlled recordings lists none");
}

TEST_F(ValidateRegistryTest, AgreementWithoutScope) {
  registry_.agreements[0].scopes = ScopeSet();
  EXPECT_EQ(Error(), "agreement agr-1: scopes: no scope granted");
}

TEST_F(ValidateRegistryTest, AgreementWithoutTerritory) {
  registry_.agreements[0].territories = TerritorySet();
  EXPECT_EQ(Error(), "agreement agr-1: territories: no territory");
}

TEST_F(ValidateRegistryTest, RatesOutOfScopeOrder) {
  std::swap(registry_.agreements[0].terms->per_use_rates[0],
            registry_.agreements[0].terms->per_use_rates[1]);
  EXPECT_EQ(Error(),
            "agreement agr-1: terms/per_use/recommend: rates must be one per scope, sorted by "
            "scope");
}

TEST_F(ValidateRegistryTest, TwoRatesForOneScope) {
  registry_.agreements[0].terms->per_use_rates[1].first = Scope::kRecommend;
  EXPECT_EQ(Error(),
            "agreement agr-1: terms/per_use/recommend: rates must be one per scope, sorted by "
            "scope");
}

TEST_F(ValidateRegistryTest, RateInOtherCurrency) {
  registry_.agreements[0].terms->per_use_rates[1].second =
      Rate(2000, Must(Currency::FromCode("USD")));
  EXPECT_EQ(Error(), "agreement agr-1: terms/per_use/dj: rate is in USD, terms are in EUR");
}

TEST_F(ValidateRegistryTest, NegativeRate) {
  registry_.agreements[0].terms->per_use_rates[1].second = Rate(-1, eur_);
  EXPECT_NE(Error().find("agreement agr-1: terms/per_use/dj: rate "), std::string::npos);
}

TEST_F(ValidateRegistryTest, RevenueShareAboveWhole) {
  registry_.agreements[0].terms->revenue_share_ppm = 1'000'001;
  EXPECT_EQ(Error(), "agreement agr-1: terms/revenue_share_ppm: 1000001 is outside 0..1000000");
}

TEST_F(ValidateRegistryTest, NegativeRevenueShare) {
  registry_.agreements[0].terms->revenue_share_ppm = -1;
  EXPECT_EQ(Error(), "agreement agr-1: terms/revenue_share_ppm: -1 is outside 0..1000000");
}

TEST_F(ValidateRegistryTest, GuaranteeInOtherCurrency) {
  registry_.agreements[0].terms->minimum_guarantee = Money(100, Must(Currency::FromCode("USD")));
  EXPECT_EQ(Error(),
            "agreement agr-1: terms/minimum_guarantee: amount is in USD, terms are in EUR");
}

TEST_F(ValidateRegistryTest, NegativeGuarantee) {
  registry_.agreements[0].terms->minimum_guarantee = Money(-100, eur_);
  EXPECT_NE(Error().find("agreement agr-1: terms/minimum_guarantee: "), std::string::npos);
}

TEST_F(ValidateRegistryTest, UniquenessIsCheckedBeforeReferences) {
  registry_.consents[0].party = "artist:ghost";
  registry_.takedowns.push_back(registry_.takedowns[0]);
  EXPECT_EQ(Error(), "takedown t-1: id: duplicate takedown id");
}

}  // namespace
}  // namespace accord::rights

namespace accord::rights {
namespace {

TEST(RegistryLimitsTest, MoreThan255ArtistsOnOneRecordingIsRefused) {
  Registry registry;
  registry.parties.push_back(
      catalog::Party{"label:l", catalog::PartyKind::kLabel, "L", std::nullopt, {}});
  catalog::Recording recording;
  recording.isrc = *Isrc::Parse("QZDEM2600001");
  recording.title = "Crowd";
  recording.master_owners = {{"label:l", catalog::kWholePpm}};
  for (size_t i = 0; i <= catalog::kMaxPartiesPerRecording; ++i) {
    const std::string id = "artist:" + std::to_string(i);
    registry.parties.push_back(
        catalog::Party{id, catalog::PartyKind::kArtist, id, std::nullopt, {}});
    recording.main_artists.push_back(id);
  }
  registry.recordings.push_back(recording);
  Status status = ValidateRegistry(registry);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("QZDEM2600001"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("more than 255 artists"), std::string::npos) << status.message();
  registry.recordings[0].main_artists.pop_back();
  EXPECT_TRUE(ValidateRegistry(registry).ok()) << ValidateRegistry(registry).ToString();
}

TEST(RecordingsOfPartyTest, FindsArtistsOwnersWritersAndPublishersButNotAgents) {
  const Registry world = testing::PolicyExampleWorld();
  auto isrcs = [&](std::string_view party) {
    std::vector<std::string> out;
    for (const Isrc& isrc : RecordingsOfParty(world, party)) out.push_back(isrc.str());
    return out;
  };
  using List = std::vector<std::string>;
  EXPECT_EQ(isrcs("artist:ada"), (List{"QZDEM2600001"}));                   // main artist
  EXPECT_EQ(isrcs("artist:ben"), (List{"QZDEM2600001", "QZDEM2600002"}));   // featured + main
  EXPECT_EQ(isrcs("label:north"), (List{"QZDEM2600001", "QZDEM2600002"}));  // master owner
  EXPECT_EQ(isrcs("writer:cy"), (List{"QZDEM2600001"}));                    // writes the work
  EXPECT_EQ(isrcs("pub:song"), (List{"QZDEM2600001"}));                     // publishes it
  EXPECT_EQ(isrcs("dist:wave"), List{});  // acts for the label; reach is through agreements
  EXPECT_EQ(isrcs("nobody"), List{});
}

}  // namespace
}  // namespace accord::rights
