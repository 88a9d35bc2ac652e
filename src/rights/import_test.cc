#include "rights/import.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "rights/registry.h"

namespace accord::rights {
namespace {

using Json = nlohmann::json;

// A substring check that shows both strings on failure (gmock is not linked into tests).
::testing::AssertionResult Contains(const std::string& text, std::string_view part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "\"" << text << "\"\n  does not contain \"" << part << "\"";
}

// A document with one of everything, valid on its own: the base that most tests break in
// exactly one place.
Json ValidDocument() {
  return Json::parse(R"json({
    "parties": [
      {"id": "label:nordic", "kind": "label", "name": "Nordic Noise"},
      {"id": "artist:muldjord", "kind": "artist", "name": "Muldjord", "isni": "000000012146438X"},
      {"id": "artist:guest", "kind": "artist", "name": "Guest"},
      {"id": "writer:ann", "kind": "writer", "name": "Ann Writer"},
      {"id": "publisher:pub", "kind": "publisher", "name": "Pub Co", "acts_for": ["writer:ann"]},
      {"id": "distributor:dist", "kind": "distributor", "name": "Dist", "acts_for": ["label:nordic"]}
    ],
    "works": [
      {"iswc": "T-034.524.680-1", "title": "Song",
       "writers": [{"party": "writer:ann", "ppm": 500000}],
       "publishers": [{"party": "publisher:pub", "ppm": 500000}]}
    ],
    "recordings": [
      {"isrc": "USRC17607839", "title": "Song (Radio Edit)", "main_artists": ["artist:muldjord"],
       "featured_artists": ["artist:guest"], "duration_ms": 201000, "release_date": "2024-03-01",
       "master_owners": [{"party": "label:nordic", "ppm": 1000000}],
       "work": "T-034.524.680-1", "contains_ai": "Partly"}
    ],
    "agreements": [
      {"id": "agr-1", "licensor": "label:nordic", "recordings": ["USRC17607839"],
       "scopes": ["recommend", "dj"], "territories": "worldwide -US",
       "start": "2025-01-01", "end": "2027-01-01T00:00:00Z",
       "terms": {"currency": "EUR", "per_use": {"dj": "0.002", "recommend": "0.0005"},
                 "revenue_share_ppm": 120000, "minimum_guarantee": "1000.00"}},
      {"id": "agr-2", "licensor": "distributor:dist", "recordings": "all_controlled",
       "scopes": "all", "territories": "DE AT CH", "start": "2025-06-01"}
    ],
    "consents": [
      {"id": "c-1", "party": "artist:muldjord", "scope": "dj_voice", "choice": "opt_in",
       "effective": "2025-02-01T12:00:00Z", "recorded_by": "artist:muldjord", "method": "portal"}
    ],
    "takedowns": [
      {"id": "t-1", "recording": "USRC17607839", "action": "block",
       "effective": "2025-03-01", "reason": "dispute"}
    ],
    "policy": {"consent_mode": {"recommend": "opt_in"}, "recommend_fully_ai": true}
  })json");
}

Result<ImportBatch> Parse(const Json& doc) { return ParseImportJson(doc.dump(), "t.json"); }

// The message of a parse that must fail; empty (and a test failure) when it succeeded.
std::string ParseError(std::string_view text) {
  Result<ImportBatch> batch = ParseImportJson(text, "t.json");
  EXPECT_FALSE(batch.ok()) << "parsed: " << text;
  if (batch.ok()) return "";
  EXPECT_EQ(batch.status().code(), StatusCode::kInvalidArgument);
  return batch.status().message();
}
std::string DocError(const Json& doc) { return ParseError(doc.dump()); }

// ----- JSON: each record kind ------------------------------------------------------------------

TEST(ImportJsonTest, ValidDocumentParses) {
  Result<ImportBatch> batch = Parse(ValidDocument());
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  EXPECT_EQ(batch->records.parties.size(), 6u);
  EXPECT_EQ(batch->records.works.size(), 1u);
  EXPECT_EQ(batch->records.recordings.size(), 1u);
  EXPECT_EQ(batch->records.agreements.size(), 2u);
  EXPECT_EQ(batch->records.consents.size(), 1u);
  EXPECT_EQ(batch->records.takedowns.size(), 1u);
  EXPECT_TRUE(ValidateRegistry(batch->records).ok());
}

TEST(ImportJsonTest, ReadsPartyFields) {
  Result<ImportBatch> batch = Parse(ValidDocument());
  ASSERT_TRUE(batch.ok());
  const catalog::Party& artist = batch->records.parties[1];
  EXPECT_EQ(artist.id, "artist:muldjord");
  EXPECT_EQ(artist.kind, catalog::PartyKind::kArtist);
  EXPECT_EQ(artist.name, "Muldjord");
  ASSERT_TRUE(artist.isni.has_value());
  EXPECT_EQ(artist.isni->str(), "000000012146438X");
  EXPECT_TRUE(artist.acts_for.empty());
  EXPECT_EQ(batch->records.parties[5].acts_for, std::vector<std::string>{"label:nordic"});
}

TEST(ImportJsonTest, ReadsWorkSplits) {
  Result<ImportBatch> batch = Parse(ValidDocument());
  ASSERT_TRUE(batch.ok());
  const catalog::Work& work = batch->records.works[0];
  EXPECT_EQ(work.iswc.str(), "T-034.524.680-1");
  EXPECT_EQ(work.writers, (std::vector<catalog::Share>{{"writer:ann", 500000}}));
  EXPECT_EQ(work.publishers, (std::vector<catalog::Share>{{"publisher:pub", 500000}}));
}

TEST(ImportJsonTest, ReadsRecordingFields) {
  Result<ImportBatch> batch = Parse(ValidDocument());
  ASSERT_TRUE(batch.ok());
  const catalog::Recording& recording = batch->records.recordings[0];
  EXPECT_EQ(recording.isrc.str(), "USRC17607839");
  EXPECT_EQ(recording.title, "Song (Radio Edit)");
  EXPECT_EQ(recording.main_artists, std::vector<std::string>{"artist:muldjord"});
  EXPECT_EQ(recording.featured_artists, std::vector<std::string>{"artist:guest"});
  EXPECT_EQ(recording.duration_ms, 201000);
  ASSERT_TRUE(recording.release_date.has_value());
  EXPECT_EQ(recording.release_date->DateString(), "2024-03-01");
  ASSERT_TRUE(recording.work.has_value());
  EXPECT_EQ(recording.work->str(), "T-034.524.680-1");
  EXPECT_EQ(recording.contains_ai, catalog::ContainsAi::kPartly);
}

TEST(ImportJsonTest, RecordingOptionalFieldsDefault) {
  Result<ImportBatch> batch = ParseImportJson(R"({"recordings": [
      {"isrc": "USRC17607839", "title": "T", "main_artists": ["artist:a"],
       "master_owners": [{"party": "label:l", "ppm": 1000000}]}]})",
                                              "t.json");
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  const catalog::Recording& recording = batch->records.recordings[0];
  EXPECT_TRUE(recording.featured_artists.empty());
  EXPECT_EQ(recording.duration_ms, 0);
  EXPECT_FALSE(recording.release_date.has_value());
  EXPECT_FALSE(recording.work.has_value());
  EXPECT_EQ(recording.contains_ai, catalog::ContainsAi::kNone);
}

TEST(ImportJsonTest, NullOptionalFieldIsAbsent) {
  Json doc = ValidDocument();
  doc["recordings"][0]["work"] = nullptr;
  Result<ImportBatch> batch = Parse(doc);
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  EXPECT_FALSE(batch->records.recordings[0].work.has_value());
}

TEST(ImportJsonTest, ReadsListedAgreementWithTerms) {
  Result<ImportBatch> batch = Parse(ValidDocument());
  ASSERT_TRUE(batch.ok());
  const Agreement& agreement = batch->records.agreements[0];
  EXPECT_EQ(agreement.id, "agr-1");
  EXPECT_EQ(agreement.licensor, "label:nordic");
  EXPECT_FALSE(agreement.all_controlled);
  ASSERT_EQ(agreement.recordings.size(), 1u);
  EXPECT_EQ(agreement.recordings[0].str(), "USRC17607839");
  EXPECT_TRUE(agreement.scopes.Contains(Scope::kRecommend));
  EXPECT_TRUE(agreement.scopes.Contains(Scope::kDj));
  EXPECT_FALSE(agreement.scopes.Contains(Scope::kRemix));
  EXPECT_EQ(agreement.territories.ToString(), TerritorySet::Parse("worldwide -US")->ToString());
  EXPECT_EQ(agreement.start.ToString(), "2025-01-01T00:00:00Z");
  ASSERT_TRUE(agreement.end.has_value());
  EXPECT_EQ(agreement.end->ToString(), "2027-01-01T00:00:00Z");
  ASSERT_TRUE(agreement.terms.has_value());
  const EconomicTerms& terms = *agreement.terms;
  EXPECT_EQ(terms.currency.code(), "EUR");
  // Sorted by scope, not by name: recommend comes before dj.
  ASSERT_EQ(terms.per_use_rates.size(), 2u);
  EXPECT_EQ(terms.per_use_rates[0].first, Scope::kRecommend);
  EXPECT_EQ(terms.per_use_rates[0].second.micros(), 500);
  EXPECT_EQ(terms.per_use_rates[1].first, Scope::kDj);
  EXPECT_EQ(terms.per_use_rates[1].second.micros(), 2000);
  EXPECT_EQ(terms.revenue_share_ppm, 120000);
  ASSERT_TRUE(terms.minimum_guarantee.has_value());
  EXPECT_EQ(terms.minimum_guarantee->minor_units(), 100000);
}

TEST(ImportJsonTest, ReadsAllControlledAgreementWithAllScopes) {
  Result<ImportBatch> batch = Parse(ValidDocument());
  ASSERT_TRUE(batch.ok());
  const Agreement& agreement = batch->records.agreements[1];
  EXPECT_TRUE(agreement.all_controlled);
  EXPECT_TRUE(agreement.recordings.empty());
  EXPECT_EQ(agreement.scopes, ScopeSet::All());
  EXPECT_FALSE(agreement.end.has_value());
  EXPECT_FALSE(agreement.terms.has_value());
}

TEST(ImportJsonTest, ReadsConsent) {
  Result<ImportBatch> batch = Parse(ValidDocument());
  ASSERT_TRUE(batch.ok());
  const Consent& consent = batch->records.consents[0];
  EXPECT_EQ(consent.id, "c-1");
  EXPECT_EQ(consent.party, "artist:muldjord");
  EXPECT_EQ(consent.scope, Scope::kDjVoice);
  EXPECT_EQ(consent.choice, ConsentChoice::kOptIn);
  EXPECT_EQ(consent.effective.ToString(), "2025-02-01T12:00:00Z");
  EXPECT_EQ(consent.recorded_by, "artist:muldjord");
  EXPECT_EQ(consent.method, "portal");
}

TEST(ImportJsonTest, ReadsTakedown) {
  Result<ImportBatch> batch = Parse(ValidDocument());
  ASSERT_TRUE(batch.ok());
  const Takedown& takedown = batch->records.takedowns[0];
  EXPECT_EQ(takedown.id, "t-1");
  EXPECT_EQ(takedown.recording.str(), "USRC17607839");
  EXPECT_EQ(takedown.action, TakedownAction::kBlock);
  EXPECT_EQ(takedown.reason, "dispute");
}

TEST(ImportJsonTest, PartialPolicyKeepsOtherDefaults) {
  Result<ImportBatch> batch = Parse(ValidDocument());
  ASSERT_TRUE(batch.ok());
  ASSERT_TRUE(batch->has_policy);
  PlatformPolicy expected;
  expected.consent_mode[static_cast<int>(Scope::kRecommend)] = ConsentMode::kOptIn;
  expected.recommend_fully_ai = true;
  EXPECT_EQ(batch->records.policy, expected);
}

TEST(ImportJsonTest, NoPolicyKeyMeansNoPolicy) {
  Result<ImportBatch> batch = ParseImportJson(R"({"parties": []})", "t.json");
  ASSERT_TRUE(batch.ok());
  EXPECT_FALSE(batch->has_policy);
}

TEST(ImportJsonTest, EmptyObjectIsEmptyBatch) {
  Result<ImportBatch> batch = ParseImportJson("{}", "t.json");
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(batch->records, Registry{});
}

TEST(ImportJsonTest, OriginsNameFileAndPointer) {
  Result<ImportBatch> batch = Parse(ValidDocument());
  ASSERT_TRUE(batch.ok());
  ASSERT_EQ(batch->party_origins.size(), 6u);
  EXPECT_EQ(batch->party_origins[3], "t.json: /parties/3");
  EXPECT_EQ(batch->recording_origins, std::vector<std::string>{"t.json: /recordings/0"});
  EXPECT_EQ(batch->agreement_origins[1], "t.json: /agreements/1");
  EXPECT_EQ(batch->consent_origins.size(), 1u);
  EXPECT_EQ(batch->takedown_origins.size(), 1u);
  EXPECT_EQ(batch->work_origins.size(), 1u);
}

// ----- JSON: missing, unknown and mistyped fields ----------------------------------------------

TEST(ImportJsonTest, EachRequiredFieldMissingIsNamed) {
  const std::pair<const char*, const char*> kRequired[] = {
      {"parties", "id"},
      {"parties", "kind"},
      {"parties", "name"},
      {"works", "iswc"},
      {"works", "title"},
      {"works", "writers"},
      {"recordings", "isrc"},
      {"recordings", "title"},
      {"recordings", "main_artists"},
      {"recordings", "master_owners"},
      {"agreements", "id"},
      {"agreements", "licensor"},
      {"agreements", "recordings"},
      {"agreements", "scopes"},
      {"agreements", "territories"},
      {"agreements", "start"},
      {"consents", "id"},
      {"consents", "party"},
      {"consents", "scope"},
      {"consents", "choice"},
      {"consents", "effective"},
      {"takedowns", "id"},
      {"takedowns", "recording"},
      {"takedowns", "action"},
      {"takedowns", "effective"},
  };
  for (const auto& [section, field] : kRequired) {
    SCOPED_TRACE(std::string(section) + "." + field);
    Json doc = ValidDocument();
    doc[section][0].erase(field);
    EXPECT_EQ(DocError(doc),
              "t.json: /" + std::string(section) + "/0/" + field + ": required field is missing");
  }
}

TEST(ImportJsonTest, MissingTermsCurrencyIsNamed) {
  Json doc = ValidDocument();
  doc["agreements"][0]["terms"].erase("currency");
  EXPECT_TRUE(Contains(DocError(doc), "/agreements/0/terms/currency: required field"));
}

TEST(ImportJsonTest, MissingSharePpmIsNamed) {
  Json doc = ValidDocument();
  doc["recordings"][0]["master_owners"][0].erase("ppm");
  EXPECT_TRUE(Contains(DocError(doc), "/recordings/0/master_owners/0/ppm: required field"));
}

TEST(ImportJsonTest, UnknownRecordFieldIsRefused) {
  Json doc = ValidDocument();
  doc["recordings"][0]["colour"] = "blue";
  EXPECT_TRUE(Contains(DocError(doc), "t.json: /recordings/0/colour: unknown field"));
}

TEST(ImportJsonTest, MisspelledFieldIsReportedAsUnknownNotMissing) {
  Json doc = ValidDocument();
  doc["recordings"][0]["isrcc"] = doc["recordings"][0]["isrc"];
  doc["recordings"][0].erase("isrc");
  EXPECT_TRUE(Contains(DocError(doc), "/recordings/0/isrcc: unknown field"));
}

TEST(ImportJsonTest, UnknownNestedFieldIsRefused) {
  Json doc = ValidDocument();
  doc["agreements"][0]["terms"]["bonus"] = "1";
  EXPECT_TRUE(Contains(DocError(doc), "/agreements/0/terms/bonus: unknown field"));
}

TEST(ImportJsonTest, UnknownPolicyFieldIsRefused) {
  Json doc = ValidDocument();
  doc["policy"]["strict"] = true;
  EXPECT_TRUE(Contains(DocError(doc), "/policy/strict: unknown field"));
}

TEST(ImportJsonTest, UnknownTopLevelKeyIsRefused) {
  EXPECT_TRUE(Contains(ParseError(R"({"recordings": [], "recording": []})"),
                       "t.json: /recording: unknown top-level key"));
}

TEST(ImportJsonTest, UnknownFieldNameIsPointerEscaped) {
  Json doc = ValidDocument();
  doc["parties"][0]["a/b~c"] = 1;
  EXPECT_TRUE(Contains(DocError(doc), "/parties/0/a~1b~0c: unknown field"));
}

TEST(ImportJsonTest, DuplicateKeyIsRefused) {
  EXPECT_TRUE(Contains(ParseError(R"({"parties": [{"id": "artist:a", "id": "artist:b",
                                            "kind": "artist", "name": "A"}]})"),
                       "t.json: /parties/0/id: duplicate key"));
}

TEST(ImportJsonTest, DuplicateTopLevelKeyIsRefused) {
  EXPECT_TRUE(Contains(ParseError(R"({"parties": [], "parties": []})"), "/parties: duplicate key"));
}

TEST(ImportJsonTest, StringFieldWithNumberIsTypeError) {
  Json doc = ValidDocument();
  doc["recordings"][0]["isrc"] = 12;
  EXPECT_EQ(DocError(doc), "t.json: /recordings/0/isrc: expected a string, got number");
}

TEST(ImportJsonTest, RequiredFieldNullIsTypeError) {
  Json doc = ValidDocument();
  doc["parties"][0]["name"] = nullptr;
  EXPECT_EQ(DocError(doc), "t.json: /parties/0/name: expected a string, got null");
}

TEST(ImportJsonTest, FractionalPpmIsRefused) {
  Json doc = ValidDocument();
  doc["recordings"][0]["master_owners"][0]["ppm"] = 1000000.0;
  EXPECT_TRUE(Contains(DocError(doc),
                       "/recordings/0/master_owners/0/ppm: expected an integer, got number"));
}

TEST(ImportJsonTest, PpmAboveWholeIsRefused) {
  Json doc = ValidDocument();
  doc["recordings"][0]["master_owners"][0]["ppm"] = 1000001;
  EXPECT_TRUE(
      Contains(DocError(doc), "/recordings/0/master_owners/0/ppm: 1000001 is outside 0..1000000"));
}

TEST(ImportJsonTest, NegativeDurationIsRefused) {
  Json doc = ValidDocument();
  doc["recordings"][0]["duration_ms"] = -1;
  EXPECT_TRUE(Contains(DocError(doc), "/recordings/0/duration_ms: -1 is outside"));
}

TEST(ImportJsonTest, HugeUnsignedDurationIsRefused) {
  Json doc = ValidDocument();
  doc["recordings"][0]["duration_ms"] = 18446744073709551615ULL;
  EXPECT_TRUE(Contains(DocError(doc), "/recordings/0/duration_ms: 18446744073709551615 is"));
}

TEST(ImportJsonTest, ArtistListWithStringIsTypeError) {
  Json doc = ValidDocument();
  doc["recordings"][0]["main_artists"] = "artist:muldjord";
  EXPECT_TRUE(Contains(DocError(doc),
                       "/recordings/0/main_artists: expected an array of party ids, got string"));
}

TEST(ImportJsonTest, BoolFieldWithStringIsTypeError) {
  Json doc = ValidDocument();
  doc["policy"]["recommend_fully_ai"] = "yes";
  EXPECT_TRUE(
      Contains(DocError(doc), "/policy/recommend_fully_ai: expected true or false, got string"));
}

TEST(ImportJsonTest, RateAsNumberIsRefused) {
  Json doc = ValidDocument();
  doc["agreements"][0]["terms"]["per_use"]["dj"] = 0.002;
  EXPECT_TRUE(Contains(DocError(doc), "/agreements/0/terms/per_use/dj: expected a decimal"));
}

TEST(ImportJsonTest, TopLevelArrayIsRefused) {
  EXPECT_TRUE(Contains(ParseError("[]"), "t.json: the document: expected an object, got array"));
}

TEST(ImportJsonTest, TopLevelScalarIsRefused) {
  EXPECT_TRUE(Contains(ParseError("42"), "expected an object, got number"));
}

TEST(ImportJsonTest, SectionThatIsNotAnArrayIsRefused) {
  EXPECT_TRUE(
      Contains(ParseError(R"({"recordings": {}})"), "/recordings: expected an array, got object"));
  EXPECT_TRUE(
      Contains(ParseError(R"({"recordings": 3})"), "/recordings: expected an array, got number"));
}

TEST(ImportJsonTest, PolicyThatIsNotAnObjectIsRefused) {
  EXPECT_TRUE(Contains(ParseError(R"({"policy": []})"), "/policy: expected an object, got array"));
}

TEST(ImportJsonTest, RecordThatIsNotAnObjectIsRefused) {
  EXPECT_TRUE(
      Contains(ParseError(R"({"parties": [{"id": "artist:a", "kind": "artist", "name": "A"}, 7]})"),
               "/parties/1: expected an object, got number"));
  EXPECT_TRUE(Contains(ParseError(R"({"parties": [[]]})"), "/parties/0: expected an object"));
}

// ----- JSON: bad values, with the exact pointer -------------------------------------------------

TEST(ImportJsonTest, BadIsrcNamesPointer) {
  Json doc = ValidDocument();
  doc["recordings"][0]["isrc"] = "US-RC1-76-0783";
  EXPECT_TRUE(Contains(DocError(doc), "t.json: /recordings/0/isrc: ISRC"));
}

TEST(ImportJsonTest, BadIswcCheckDigitNamesPointer) {
  Json doc = ValidDocument();
  doc["works"][0]["iswc"] = "T-034.524.680-2";
  EXPECT_TRUE(Contains(DocError(doc), "t.json: /works/0/iswc: ISWC"));
}

TEST(ImportJsonTest, BadWorkReferenceIswcNamesPointer) {
  Json doc = ValidDocument();
  doc["recordings"][0]["work"] = "T-034.524.680-9";
  EXPECT_TRUE(Contains(DocError(doc), "/recordings/0/work: ISWC"));
}

TEST(ImportJsonTest, BadIsniCheckCharacterNamesPointer) {
  Json doc = ValidDocument();
  doc["parties"][1]["isni"] = "0000000121464381";
  EXPECT_TRUE(Contains(DocError(doc), "/parties/1/isni: ISNI"));
}

TEST(ImportJsonTest, BadPartyIdNamesPointer) {
  Json doc = ValidDocument();
  doc["recordings"][0]["main_artists"][0] = "artist muldjord";
  EXPECT_TRUE(Contains(DocError(doc), "/recordings/0/main_artists/0: "));
}

TEST(ImportJsonTest, UnknownPartyKindNamesPointer) {
  Json doc = ValidDocument();
  doc["parties"][0]["kind"] = "band";
  EXPECT_TRUE(Contains(DocError(doc), "/parties/0/kind: "));
}

TEST(ImportJsonTest, BadTerritoryNamesPointer) {
  Json doc = ValidDocument();
  doc["agreements"][0]["territories"] = "worldwide -XX";
  EXPECT_TRUE(Contains(DocError(doc), "/agreements/0/territories: "));
}

TEST(ImportJsonTest, UnknownScopeNamesPointer) {
  Json doc = ValidDocument();
  doc["agreements"][0]["scopes"][1] = "karaoke";
  EXPECT_TRUE(Contains(DocError(doc), "/agreements/0/scopes/1: scope \"karaoke\""));
}

TEST(ImportJsonTest, RepeatedScopeIsRefused) {
  Json doc = ValidDocument();
  doc["agreements"][0]["scopes"] = {"dj", "dj"};
  EXPECT_TRUE(Contains(DocError(doc), "/agreements/0/scopes/1: scope 'dj' listed twice"));
}

TEST(ImportJsonTest, EmptyScopeListIsRefused) {
  Json doc = ValidDocument();
  doc["agreements"][0]["scopes"] = Json::array();
  EXPECT_TRUE(Contains(DocError(doc), "/agreements/0/scopes: grants no scope"));
}

TEST(ImportJsonTest, ScopesStringOtherThanAllIsRefused) {
  Json doc = ValidDocument();
  doc["agreements"][0]["scopes"] = "everything";
  EXPECT_TRUE(Contains(DocError(doc), "/agreements/0/scopes: expected \"all\""));
}

TEST(ImportJsonTest, UnknownConsentScopeNamesPointer) {
  Json doc = ValidDocument();
  doc["consents"][0]["scope"] = "karaoke";
  EXPECT_TRUE(Contains(DocError(doc), "/consents/0/scope: "));
}

TEST(ImportJsonTest, BadConsentChoiceNamesPointer) {
  Json doc = ValidDocument();
  doc["consents"][0]["choice"] = "maybe";
  EXPECT_TRUE(Contains(DocError(doc), "/consents/0/choice: "));
}

TEST(ImportJsonTest, BadTakedownActionNamesPointer) {
  Json doc = ValidDocument();
  doc["takedowns"][0]["action"] = "hide";
  EXPECT_TRUE(Contains(DocError(doc), "/takedowns/0/action: "));
}

TEST(ImportJsonTest, TimeWithoutZoneNamesPointer) {
  Json doc = ValidDocument();
  doc["consents"][0]["effective"] = "2025-02-01T12:00:00";
  EXPECT_TRUE(Contains(DocError(doc), "/consents/0/effective: timestamp"));
}

TEST(ImportJsonTest, BadReleaseDateNamesPointer) {
  Json doc = ValidDocument();
  doc["recordings"][0]["release_date"] = "2024-02-30";
  EXPECT_TRUE(Contains(DocError(doc), "/recordings/0/release_date: timestamp"));
}

TEST(ImportJsonTest, EndNotAfterStartIsRefused) {
  Json doc = ValidDocument();
  doc["agreements"][0]["end"] = "2025-01-01";
  EXPECT_TRUE(Contains(DocError(doc), "/agreements/0/end: 2025-01-01T00:00:00Z is not after"));
}

TEST(ImportJsonTest, UnknownCurrencyNamesPointer) {
  Json doc = ValidDocument();
  doc["agreements"][0]["terms"]["currency"] = "EUX";
  EXPECT_TRUE(Contains(DocError(doc), "/agreements/0/terms/currency: currency"));
}

TEST(ImportJsonTest, GuaranteeWithTooManyDecimalsNamesPointer) {
  Json doc = ValidDocument();
  doc["agreements"][0]["terms"]["minimum_guarantee"] = "1000.001";
  EXPECT_TRUE(Contains(DocError(doc), "/agreements/0/terms/minimum_guarantee: "));
}

TEST(ImportJsonTest, NegativeGuaranteeIsRefused) {
  Json doc = ValidDocument();
  doc["agreements"][0]["terms"]["minimum_guarantee"] = "-5.00";
  EXPECT_TRUE(Contains(DocError(doc), "/agreements/0/terms/minimum_guarantee: "));
}

TEST(ImportJsonTest, RateWithSevenDecimalsNamesPointer) {
  Json doc = ValidDocument();
  doc["agreements"][0]["terms"]["per_use"]["dj"] = "0.0000001";
  EXPECT_TRUE(Contains(DocError(doc), "/agreements/0/terms/per_use/dj: "));
}

TEST(ImportJsonTest, RateForUnknownScopeNamesPointer) {
  Json doc = ValidDocument();
  doc["agreements"][0]["terms"]["per_use"]["karaoke"] = "0.01";
  EXPECT_TRUE(Contains(DocError(doc), "/agreements/0/terms/per_use/karaoke: scope"));
}

TEST(ImportJsonTest, RevenueShareAboveWholeIsRefused) {
  Json doc = ValidDocument();
  doc["agreements"][0]["terms"]["revenue_share_ppm"] = 1000001;
  EXPECT_TRUE(Contains(DocError(doc), "/agreements/0/terms/revenue_share_ppm: 1000001"));
}

TEST(ImportJsonTest, ConsentModeForUnknownScopeNamesPointer) {
  Json doc = ValidDocument();
  doc["policy"]["consent_mode"]["karaoke"] = "opt_in";
  EXPECT_TRUE(Contains(DocError(doc), "/policy/consent_mode/karaoke: scope"));
}

TEST(ImportJsonTest, BadConsentModeNamesPointer) {
  Json doc = ValidDocument();
  doc["policy"]["consent_mode"]["dj"] = "sometimes";
  EXPECT_TRUE(Contains(DocError(doc), "/policy/consent_mode/dj: consent mode"));
}

TEST(ImportJsonTest, EmptyTitleIsRefused) {
  Json doc = ValidDocument();
  doc["recordings"][0]["title"] = "";
  EXPECT_TRUE(Contains(DocError(doc), "/recordings/0/title: must not be empty"));
}

TEST(ImportJsonTest, AgreementIdWithSpaceIsRefused) {
  Json doc = ValidDocument();
  doc["agreements"][0]["id"] = "agr 1";
  EXPECT_TRUE(Contains(DocError(doc), "/agreements/0/id: "));
}

// ----- JSON: record-level rules ----------------------------------------------------------------

TEST(ImportJsonTest, MasterSplitOffByOneIsRefused) {
  Json doc = ValidDocument();
  doc["recordings"][0]["master_owners"] = {{{"party", "label:nordic"}, {"ppm", 600000}},
                                           {{"party", "artist:muldjord"}, {"ppm", 399999}}};
  EXPECT_EQ(DocError(doc),
            "t.json: /recordings/0/master_owners: shares add to 999999 ppm, not 1000000");
}

TEST(ImportJsonTest, MasterSplitOverByOneIsRefused) {
  Json doc = ValidDocument();
  doc["recordings"][0]["master_owners"] = {{{"party", "label:nordic"}, {"ppm", 600000}},
                                           {{"party", "artist:muldjord"}, {"ppm", 400001}}};
  EXPECT_TRUE(Contains(DocError(doc), "shares add to 1000001 ppm"));
}

TEST(ImportJsonTest, WorkSplitCountsWritersAndPublishersTogether) {
  Json doc = ValidDocument();
  doc["works"][0]["publishers"][0]["ppm"] = 499999;
  EXPECT_TRUE(Contains(DocError(doc), "/works/0: writers+publishers: shares add to 999999 ppm"));
}

TEST(ImportJsonTest, WorkWithoutPublishersParses) {
  Json doc = ValidDocument();
  doc["works"][0].erase("publishers");
  doc["works"][0]["writers"][0]["ppm"] = 1000000;
  Result<ImportBatch> batch = Parse(doc);
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  EXPECT_TRUE(batch->records.works[0].publishers.empty());
}

TEST(ImportJsonTest, ZeroShareIsRefused) {
  Json doc = ValidDocument();
  doc["recordings"][0]["master_owners"] = {{{"party", "label:nordic"}, {"ppm", 1000000}},
                                           {{"party", "artist:muldjord"}, {"ppm", 0}}};
  EXPECT_TRUE(Contains(DocError(doc), "/recordings/0/master_owners/1/ppm: a share must be"));
}

TEST(ImportJsonTest, OwnerListedTwiceIsRefused) {
  Json doc = ValidDocument();
  doc["recordings"][0]["master_owners"] = {{{"party", "label:nordic"}, {"ppm", 500000}},
                                           {{"party", "label:nordic"}, {"ppm", 500000}}};
  EXPECT_TRUE(Contains(DocError(doc), "/recordings/0/master_owners: party"));
}

TEST(ImportJsonTest, RecordingWithoutMainArtistIsRefused) {
  Json doc = ValidDocument();
  doc["recordings"][0]["main_artists"] = Json::array();
  EXPECT_TRUE(Contains(DocError(doc), "/recordings/0/main_artists: at least one main artist"));
}

TEST(ImportJsonTest, EmptyAgreementRecordingListIsRefused) {
  Json doc = ValidDocument();
  doc["agreements"][0]["recordings"] = Json::array();
  EXPECT_TRUE(Contains(DocError(doc), "/agreements/0/recordings: lists no recording"));
}

TEST(ImportJsonTest, BadIsrcInAgreementListNamesPointer) {
  Json doc = ValidDocument();
  doc["agreements"][0]["recordings"] = {"USRC17607839", "nope"};
  EXPECT_TRUE(Contains(DocError(doc), "/agreements/0/recordings/1: ISRC"));
}

TEST(ImportJsonTest, PartyActingForItselfIsRefused) {
  Json doc = ValidDocument();
  doc["parties"][4]["acts_for"] = {"writer:ann", "publisher:pub"};
  EXPECT_TRUE(Contains(DocError(doc), "/parties/4/acts_for/1: a party cannot act for itself"));
}

TEST(ImportJsonTest, FirstBadRecordIsReported) {
  Json doc = ValidDocument();
  doc["parties"][2]["kind"] = "band";
  doc["parties"][4]["kind"] = "band";
  EXPECT_TRUE(Contains(DocError(doc), "/parties/2/kind"));
}

// ----- JSON: syntax and limits ------------------------------------------------------------------

TEST(ImportJsonTest, SyntaxErrorNamesOffsetAndLine) {
  const std::string message = ParseError("{\n  \"parties\": [\n    x\n  ]\n}");
  EXPECT_TRUE(Contains(message, "t.json: invalid JSON at byte offset 21 (line 3, column 5)"));
}

TEST(ImportJsonTest, TruncatedDocumentIsSyntaxError) {
  std::string text = ValidDocument().dump();
  text.resize(text.size() / 2);
  EXPECT_TRUE(Contains(ParseError(text), "t.json: invalid JSON at byte offset"));
}

TEST(ImportJsonTest, EmptyTextIsSyntaxError) {
  EXPECT_TRUE(Contains(ParseError(""), "t.json: invalid JSON at byte offset 0 (line 1"));
}

TEST(ImportJsonTest, TrailingGarbageIsSyntaxError) {
  EXPECT_TRUE(Contains(ParseError("{} {}"), "invalid JSON"));
}

TEST(ImportJsonTest, InvalidUtf8IsSyntaxError) {
  EXPECT_TRUE(Contains(ParseError("{\"parties\": [{\"id\": \"artist:\xff\"}]}"), "invalid JSON"));
}

TEST(ImportJsonTest, CommentsAreSyntaxErrors) {
  EXPECT_TRUE(Contains(ParseError("{ // no\n}"), "invalid JSON"));
}

// Nesting at `depth` containers in total, inside a record's field.
std::string NestedDocument(int depth) {
  // {"recordings": [{"isrc": ..., "title": <depth - 3 arrays>}]}
  std::string text = R"({"recordings": [{"isrc": "USRC17607839", "title": )";
  for (int level = 3; level < depth; ++level) text += '[';
  for (int level = 3; level < depth; ++level) text += ']';
  text += "}]}";
  return text;
}

TEST(ImportJsonTest, NestingBeyondLimitIsRefused) {
  const std::string message = ParseError(NestedDocument(kMaxJsonDepth + 1));
  EXPECT_TRUE(Contains(message, "nested deeper than 64 levels"));
  EXPECT_TRUE(Contains(message, "t.json: /recordings/0/title/0/0/"));
}

TEST(ImportJsonTest, NestingAtLimitIsNotADepthError) {
  const std::string message = ParseError(NestedDocument(kMaxJsonDepth));
  EXPECT_FALSE(Contains(message, "nested"));
  EXPECT_TRUE(Contains(message, "/recordings/0/title: expected a string, got array"));
}

TEST(ImportJsonTest, VeryDeepNestingFailsWithoutCrashing) {
  const std::string text(1'000'000, '[');
  EXPECT_TRUE(Contains(ParseError(text), "expected an object, got array"));
  EXPECT_TRUE(Contains(ParseError("{\"a\":" + std::string(1'000'000, '[')), "t.json: "));
}

// ----- RegistryToJson ---------------------------------------------------------------------------

TEST(RegistryToJsonTest, RoundTripsEveryField) {
  Result<ImportBatch> batch = Parse(ValidDocument());
  ASSERT_TRUE(batch.ok());
  const Registry& original = batch->records;
  Result<ImportBatch> again = ParseImportJson(RegistryToJson(original), "out.json");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->has_policy);
  EXPECT_EQ(again->records, original);
}

TEST(RegistryToJsonTest, RoundTripsDefaultsAndEmptyRegistry) {
  const Registry empty;
  Result<ImportBatch> again = ParseImportJson(RegistryToJson(empty), "out.json");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->records, empty);
}

TEST(RegistryToJsonTest, IsDeterministic) {
  Result<ImportBatch> batch = Parse(ValidDocument());
  ASSERT_TRUE(batch.ok());
  const Registry copy = batch->records;
  EXPECT_EQ(RegistryToJson(batch->records), RegistryToJson(copy));
}

TEST(RegistryToJsonTest, WritesOneRecordPerLine) {
  Result<ImportBatch> batch = Parse(ValidDocument());
  ASSERT_TRUE(batch.ok());
  const std::string text = RegistryToJson(batch->records);
  EXPECT_TRUE(Contains(text,
                       "\n    {\"id\":\"label:nordic\",\"kind\":\"label\","
                       "\"name\":\"Nordic Noise\"},\n"));
}

TEST(RegistryToJsonTest, EscapesQuotesBackslashesAndControlCharacters) {
  Result<ImportBatch> batch = Parse(ValidDocument());
  ASSERT_TRUE(batch.ok());
  Registry registry = batch->records;
  registry.recordings[0].title = "He said \"hi\"\\\n\t\x01 — é 🎵";
  const std::string text = RegistryToJson(registry);
  EXPECT_TRUE(Contains(text, R"(He said \"hi\"\\\n\t\u0001 — é 🎵)"));
  Result<ImportBatch> again = ParseImportJson(text, "out.json");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->records, registry);
}

TEST(RegistryToJsonTest, InvalidUtf8IsReplacedSoOutputStaysValid) {
  Result<ImportBatch> batch = Parse(ValidDocument());
  ASSERT_TRUE(batch.ok());
  Registry registry = batch->records;
  registry.recordings[0].title = "bad \xff\xc3 end \xed\xa0\x80";  // stray, truncated, surrogate
  const std::string text = RegistryToJson(registry);
  EXPECT_TRUE(Contains(text, R"(bad \ufffd\ufffd end \ufffd\ufffd\ufffd)"));
  EXPECT_TRUE(ParseImportJson(text, "out.json").ok());
}

TEST(RegistryToJsonTest, ReleaseDateThatIsNotMidnightRoundTrips) {
  Result<ImportBatch> batch = Parse(ValidDocument());
  ASSERT_TRUE(batch.ok());
  Registry registry = batch->records;
  registry.recordings[0].release_date = Timestamp::FromUnixMillis(1'700'000'000'123);
  Result<ImportBatch> again = ParseImportJson(RegistryToJson(registry), "out.json");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->records.recordings[0].release_date, registry.recordings[0].release_date);
}

// ----- CSV ---------------------------------------------------------------------------------------

constexpr char kRecordingsHeader[] =
    "isrc,title,main_artists,featured_artists,duration_ms,release_date,master_owners,work,"
    "contains_ai\n";
constexpr char kConsentsHeader[] = "id,party,scope,choice,effective,recorded_by,method\n";

std::string CsvError(std::string_view text) {
  Result<ImportBatch> batch = ParseImportCsv(text, "r.csv");
  EXPECT_FALSE(batch.ok()) << "parsed: " << text;
  if (batch.ok()) return "";
  EXPECT_EQ(batch.status().code(), StatusCode::kInvalidArgument);
  return batch.status().message();
}

TEST(ImportCsvTest, ReadsRecordingRow) {
  Result<ImportBatch> batch =
      ParseImportCsv(std::string(kRecordingsHeader) +
                         "USRC17607839,Song,artist:a;artist:b,artist:c,201000,2024-03-01,"
                         "label:x=600000; label:y=400000,T-034.524.680-1,All\n",
                     "r.csv");
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  ASSERT_EQ(batch->records.recordings.size(), 1u);
  const catalog::Recording& recording = batch->records.recordings[0];
  EXPECT_EQ(recording.isrc.str(), "USRC17607839");
  EXPECT_EQ(recording.title, "Song");
  EXPECT_EQ(recording.main_artists, (std::vector<std::string>{"artist:a", "artist:b"}));
  EXPECT_EQ(recording.featured_artists, std::vector<std::string>{"artist:c"});
  EXPECT_EQ(recording.duration_ms, 201000);
  EXPECT_EQ(recording.release_date->DateString(), "2024-03-01");
  EXPECT_EQ(recording.master_owners,
            (std::vector<catalog::Share>{{"label:x", 600000}, {"label:y", 400000}}));
  EXPECT_EQ(recording.work->str(), "T-034.524.680-1");
  EXPECT_EQ(recording.contains_ai, catalog::ContainsAi::kAll);
  EXPECT_EQ(batch->recording_origins, std::vector<std::string>{"r.csv:2"});
}

TEST(ImportCsvTest, EmptyOptionalColumnsTakeDefaults) {
  Result<ImportBatch> batch = ParseImportCsv(
      std::string(kRecordingsHeader) + "USRC17607839,Song,artist:a,,,,label:x=1000000,,\n",
      "r.csv");
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  const catalog::Recording& recording = batch->records.recordings[0];
  EXPECT_TRUE(recording.featured_artists.empty());
  EXPECT_EQ(recording.duration_ms, 0);
  EXPECT_FALSE(recording.release_date.has_value());
  EXPECT_FALSE(recording.work.has_value());
  EXPECT_EQ(recording.contains_ai, catalog::ContainsAi::kNone);
}

TEST(ImportCsvTest, HeaderMayReorderAndOmitOptionalColumns) {
  Result<ImportBatch> batch = ParseImportCsv(
      "master_owners,isrc,main_artists,title\nlabel:x=1000000,USRC17607839,artist:a,Song\n",
      "r.csv");
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  EXPECT_EQ(batch->records.recordings[0].title, "Song");
  EXPECT_EQ(batch->records.recordings[0].master_owners[0].party, "label:x");
}

TEST(ImportCsvTest, ReadsConsentRow) {
  Result<ImportBatch> batch =
      ParseImportCsv(std::string(kConsentsHeader) +
                         "c-1,artist:a,remix,opt_in,2025-02-01T12:00:00Z,artist:a,portal\n"
                         "c-2,artist:a,dj,opt_out,2025-02-02,,\n",
                     "c.csv");
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  ASSERT_EQ(batch->records.consents.size(), 2u);
  const Consent& consent = batch->records.consents[0];
  EXPECT_EQ(consent.id, "c-1");
  EXPECT_EQ(consent.party, "artist:a");
  EXPECT_EQ(consent.scope, Scope::kRemix);
  EXPECT_EQ(consent.choice, ConsentChoice::kOptIn);
  EXPECT_EQ(consent.effective.ToString(), "2025-02-01T12:00:00Z");
  EXPECT_EQ(consent.recorded_by, "artist:a");
  EXPECT_EQ(consent.method, "portal");
  EXPECT_EQ(batch->records.consents[1].method, "");
  EXPECT_EQ(batch->consent_origins, (std::vector<std::string>{"c.csv:2", "c.csv:3"}));
  EXPECT_TRUE(batch->records.recordings.empty());
}

TEST(ImportCsvTest, QuotedFieldKeepsCommasAndDoubledQuotes) {
  Result<ImportBatch> batch =
      ParseImportCsv(std::string(kRecordingsHeader) +
                         "USRC17607839,\"Hello, \"\"World\"\"\",artist:a,,,,label:x=1000000,,\n",
                     "r.csv");
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  EXPECT_EQ(batch->records.recordings[0].title, "Hello, \"World\"");
}

TEST(ImportCsvTest, QuotedLineBreakKeepsLaterLineNumbersRight) {
  Result<ImportBatch> batch =
      ParseImportCsv(std::string(kRecordingsHeader) +
                         "USRC17607839,\"two\nlines\",artist:a,,,,label:x=1000000,,\n"
                         "USRC17607840,Next,artist:a,,,,label:x=1000000,,\n",
                     "r.csv");
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  EXPECT_EQ(batch->records.recordings[0].title, "two\nlines");
  EXPECT_EQ(batch->recording_origins, (std::vector<std::string>{"r.csv:2", "r.csv:4"}));
}

TEST(ImportCsvTest, CrlfLineEndings) {
  Result<ImportBatch> batch = ParseImportCsv(
      "isrc,title,main_artists,master_owners\r\n"
      "USRC17607839,Song,artist:a,label:x=1000000\r\n"
      "USRC17607840,\"Quoted\",artist:a,label:x=1000000\r\n",
      "r.csv");
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  ASSERT_EQ(batch->records.recordings.size(), 2u);
  EXPECT_EQ(batch->records.recordings[0].master_owners[0].ppm, 1000000);
  EXPECT_EQ(batch->records.recordings[1].title, "Quoted");
  EXPECT_EQ(batch->recording_origins[1], "r.csv:3");
}

TEST(ImportCsvTest, ByteOrderMarkIsSkipped) {
  Result<ImportBatch> batch = ParseImportCsv(
      "\xEF\xBB\xBFisrc,title,main_artists,master_owners\nUSRC17607839,Song,artist:a,"
      "label:x=1000000\n",
      "r.csv");
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  EXPECT_EQ(batch->records.recordings.size(), 1u);
}

TEST(ImportCsvTest, LastLineWithoutNewline) {
  Result<ImportBatch> batch = ParseImportCsv(
      "isrc,title,main_artists,master_owners\nUSRC17607839,Song,artist:a,label:x=1000000", "r.csv");
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  EXPECT_EQ(batch->records.recordings.size(), 1u);
}

TEST(ImportCsvTest, BlankLinesAreSkippedAndCounted) {
  Result<ImportBatch> batch = ParseImportCsv(
      "isrc,title,main_artists,master_owners\n\nUSRC17607839,Song,artist:a,label:x=1000000\n\n",
      "r.csv");
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  EXPECT_EQ(batch->recording_origins, std::vector<std::string>{"r.csv:3"});
}

TEST(ImportCsvTest, HeaderOnlyIsEmptyBatch) {
  Result<ImportBatch> batch = ParseImportCsv(kConsentsHeader, "c.csv");
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  EXPECT_EQ(batch->records, Registry{});
}

TEST(ImportCsvTest, EmptyFileIsRefused) {
  EXPECT_EQ(CsvError(""), "r.csv: empty file; expected a header row");
}

TEST(ImportCsvTest, UnknownHeaderIsRefused) {
  EXPECT_TRUE(Contains(CsvError("isrc,title,colour\n"), "r.csv:1: header is neither"));
}

TEST(ImportCsvTest, MixedHeaderIsRefused) {
  EXPECT_TRUE(Contains(CsvError("isrc,party\n"), "r.csv:1: header is neither"));
}

TEST(ImportCsvTest, MissingRequiredColumnIsRefused) {
  EXPECT_EQ(CsvError("isrc,title,main_artists\n"),
            "r.csv:1: column 'master_owners': required column is missing from the header");
}

TEST(ImportCsvTest, RepeatedColumnIsRefused) {
  EXPECT_TRUE(Contains(CsvError("isrc,title,main_artists,master_owners,title\n"),
                       "r.csv:1: column 'title': appears twice"));
}

TEST(ImportCsvTest, WrongFieldCountNamesLine) {
  EXPECT_EQ(CsvError("isrc,title,main_artists,master_owners\n"
                     "USRC17607839,Song,artist:a,label:x=1000000\n"
                     "USRC17607840,Song,artist:a\n"),
            "r.csv:3: expected 4 fields as in the header, got 3");
}

TEST(ImportCsvTest, BadIsrcNamesLineAndColumn) {
  EXPECT_TRUE(Contains(CsvError("isrc,title,main_artists,master_owners\n"
                                "USRC17607839,Song,artist:a,label:x=1000000\n"
                                "nope,Song,artist:a,label:x=1000000\n"),
                       "r.csv:3: column 'isrc': ISRC"));
}

TEST(ImportCsvTest, BadIswcCheckDigitNamesColumn) {
  EXPECT_TRUE(Contains(CsvError("isrc,title,main_artists,master_owners,work\n"
                                "USRC17607839,Song,artist:a,label:x=1000000,T-034.524.680-2\n"),
                       "r.csv:2: column 'work': ISWC"));
}

TEST(ImportCsvTest, EmptyRequiredValueIsRefused) {
  EXPECT_EQ(CsvError("isrc,title,main_artists,master_owners\nUSRC17607839,,artist:a,"
                     "label:x=1000000\n"),
            "r.csv:2: column 'title': required value is empty");
}

TEST(ImportCsvTest, MissingMainArtistIsRefused) {
  EXPECT_TRUE(Contains(CsvError("isrc,title,main_artists,master_owners\nUSRC17607839,Song,,"
                                "label:x=1000000\n"),
                       "r.csv:2: column 'main_artists': at least one main artist"));
}

TEST(ImportCsvTest, EmptyListItemIsRefused) {
  EXPECT_TRUE(
      Contains(CsvError("isrc,title,main_artists,master_owners\nUSRC17607839,Song,artist:a;;b,"
                        "label:x=1000000\n"),
               "r.csv:2: column 'main_artists': empty item"));
}

TEST(ImportCsvTest, OwnerWithoutPpmIsRefused) {
  EXPECT_TRUE(Contains(CsvError("isrc,title,main_artists,master_owners\nUSRC17607839,Song,artist:a,"
                                "label:x\n"),
                       "r.csv:2: column 'master_owners': 'label:x' is not party=ppm"));
}

TEST(ImportCsvTest, NonNumericPpmIsRefused) {
  EXPECT_TRUE(Contains(CsvError("isrc,title,main_artists,master_owners\nUSRC17607839,Song,artist:a,"
                                "label:x=1e6\n"),
                       "r.csv:2: column 'master_owners': '1e6' is not an integer"));
}

TEST(ImportCsvTest, SplitOffByOneIsRefused) {
  EXPECT_EQ(CsvError("isrc,title,main_artists,master_owners\nUSRC17607839,Song,artist:a,"
                     "label:x=500000;label:y=499999\n"),
            "r.csv:2: column 'master_owners': shares add to 999999 ppm, not 1000000");
}

TEST(ImportCsvTest, BadDurationIsRefused) {
  EXPECT_TRUE(Contains(CsvError("isrc,title,main_artists,master_owners,duration_ms\n"
                                "USRC17607839,Song,artist:a,label:x=1000000,-5\n"),
                       "r.csv:2: column 'duration_ms': '-5' is not an integer"));
}

TEST(ImportCsvTest, BadConsentValuesNameTheColumn) {
  const std::string header = kConsentsHeader;
  EXPECT_TRUE(Contains(CsvError(header + "c-1,artist:a,karaoke,opt_in,2025-01-01,,\n"),
                       "r.csv:2: column 'scope': scope"));
  EXPECT_TRUE(Contains(CsvError(header + "c-1,artist:a,dj,perhaps,2025-01-01,,\n"),
                       "r.csv:2: column 'choice': "));
  EXPECT_TRUE(Contains(CsvError(header + "c-1,artist:a,dj,opt_in,2025-01-01T10:00:00,,\n"),
                       "r.csv:2: column 'effective': timestamp"));
  EXPECT_TRUE(Contains(CsvError(header + "c 1,artist:a,dj,opt_in,2025-01-01,,\n"),
                       "r.csv:2: column 'id': "));
  EXPECT_TRUE(Contains(CsvError(header + "c-1,artist a,dj,opt_in,2025-01-01,,\n"),
                       "r.csv:2: column 'party': "));
}

TEST(ImportCsvTest, UnterminatedQuoteNamesStartingLine) {
  EXPECT_EQ(CsvError("isrc,title,main_artists,master_owners\n"
                     "USRC17607839,\"never closed,artist:a,label:x=1000000\n\n\n"),
            "r.csv:2: quoted field is not closed before the end of the file");
}

TEST(ImportCsvTest, TextAfterClosingQuoteIsRefused) {
  EXPECT_EQ(CsvError("isrc,title,main_artists,master_owners\n"
                     "USRC17607839,\"Song\"x,artist:a,label:x=1000000\n"),
            "r.csv:2: text after the closing quote of a field");
}

TEST(ImportCsvTest, QuoteInsideUnquotedFieldIsRefused) {
  EXPECT_TRUE(Contains(CsvError("isrc,title,main_artists,master_owners\n"
                                "USRC17607839,So\"ng,artist:a,label:x=1000000\n"),
                       "r.csv:2: quote inside an unquoted field"));
}

TEST(ImportCsvTest, BareCarriageReturnIsRefused) {
  EXPECT_TRUE(Contains(CsvError("isrc,title,main_artists,master_owners\r"
                                "USRC17607839,Song,artist:a,label:x=1000000\r"),
                       "r.csv:1: carriage return not followed by a line feed"));
}

// ----- PlanImport --------------------------------------------------------------------------------

ImportBatch ValidBatch() {
  Result<ImportBatch> batch = Parse(ValidDocument());
  EXPECT_TRUE(batch.ok()) << batch.status().ToString();
  return batch.ok() ? *batch : ImportBatch{};
}

int64_t RecordCount(const Registry& registry) {
  return static_cast<int64_t>(registry.parties.size() + registry.works.size() +
                              registry.recordings.size() + registry.agreements.size() +
                              registry.consents.size() + registry.takedowns.size());
}

TEST(PlanImportTest, NewRecordsAreAllAdded) {
  const ImportBatch batch = ValidBatch();
  Result<ImportPlan> plan = PlanImport(Registry{}, batch);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  Registry expected = batch.records;
  EXPECT_EQ(plan->additions, expected);
  EXPECT_EQ(plan->unchanged, 0);
  EXPECT_TRUE(plan->policy_changed);
}

TEST(PlanImportTest, IdenticalReimportAddsNothing) {
  const ImportBatch batch = ValidBatch();
  const Registry stored = batch.records;
  Result<ImportPlan> plan = PlanImport(stored, batch);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(RecordCount(plan->additions), 0);
  EXPECT_EQ(plan->unchanged, RecordCount(stored));
  EXPECT_FALSE(plan->policy_changed);
}

TEST(PlanImportTest, ConflictingReimportIsAlreadyExistsNamingOriginAndKey) {
  const Registry stored = ValidBatch().records;
  ImportBatch batch = ValidBatch();
  batch.records.recordings[0].title = "Another Title";
  Result<ImportPlan> plan = PlanImport(stored, batch);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(plan.status().message(),
            "t.json: /recordings/0: recording USRC17607839 already exists with different content");
}

TEST(PlanImportTest, IdenticalDuplicateInsideBatchIsMerged) {
  ImportBatch batch = ValidBatch();
  MergeBatches(batch, ValidBatch());
  Result<ImportPlan> plan = PlanImport(Registry{}, batch);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->additions.parties.size(), 6u);
  EXPECT_EQ(plan->additions.recordings.size(), 1u);
}

TEST(PlanImportTest, ConflictingDuplicateInsideBatchNamesBothOrigins) {
  ImportBatch batch = ValidBatch();
  Result<ImportBatch> other = ParseImportJson(
      R"({"parties": [{"id": "label:nordic", "kind": "label", "name": "Other Name"}]})", "u.json");
  ASSERT_TRUE(other.ok());
  MergeBatches(batch, std::move(*other));
  Result<ImportPlan> plan = PlanImport(Registry{}, batch);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(plan.status().message(),
            "u.json: /parties/0: party label:nordic conflicts with t.json: /parties/0 (same "
            "key, different content)");
}

TEST(PlanImportTest, ConflictLeavesNoAdditionsBehind) {
  const Registry stored = ValidBatch().records;
  ImportBatch batch = ValidBatch();
  batch.records.takedowns[0].reason = "changed";
  Result<ImportPlan> plan = PlanImport(stored, batch);
  EXPECT_FALSE(plan.ok());  // a failed plan has no additions to write at all
}

TEST(PlanImportTest, ReferenceToStoredPartyResolves) {
  const Registry stored = ValidBatch().records;
  Result<ImportBatch> batch = ParseImportCsv(
      "isrc,title,main_artists,master_owners\nGBAYE0000351,New,artist:muldjord,"
      "label:nordic=1000000\n",
      "new.csv");
  ASSERT_TRUE(batch.ok());
  Result<ImportPlan> plan = PlanImport(stored, *batch);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_EQ(plan->additions.recordings.size(), 1u);
  EXPECT_EQ(plan->additions.recordings[0].isrc.str(), "GBAYE0000351");
  EXPECT_EQ(plan->unchanged, 0);
  EXPECT_FALSE(plan->policy_changed);
  EXPECT_EQ(plan->additions.policy, stored.policy);
}

TEST(PlanImportTest, UnknownPartyIsRefusedNamingOrigin) {
  Result<ImportBatch> batch = ParseImportCsv(
      "isrc,title,main_artists,master_owners\nGBAYE0000351,New,artist:muldjord,"
      "label:nordic=400000;label:ghost=600000\n",
      "new.csv");
  ASSERT_TRUE(batch.ok());
  Result<ImportPlan> plan = PlanImport(ValidBatch().records, *batch);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(plan.status().message(),
            "new.csv:2: recording GBAYE0000351: master_owners/1/party: unknown party "
            "'label:ghost'");
}

TEST(PlanImportTest, UnknownWorkIsRefusedNamingOrigin) {
  ImportBatch batch = ValidBatch();
  batch.records.works.clear();
  batch.work_origins.clear();
  Result<ImportPlan> plan = PlanImport(Registry{}, batch);
  ASSERT_FALSE(plan.ok());
  EXPECT_TRUE(Contains(plan.status().message(),
                       "t.json: /recordings/0: recording USRC17607839: work: unknown work"));
}

TEST(PlanImportTest, ConsentClashingWithStoredIsRefusedNamingOrigin) {
  const Registry stored = ValidBatch().records;
  Result<ImportBatch> batch = ParseImportCsv(
      "id,party,scope,choice,effective\nc-9,artist:muldjord,dj_voice,opt_out,"
      "2025-02-01T12:00:00Z\n",
      "c.csv");
  ASSERT_TRUE(batch.ok());
  Result<ImportPlan> plan = PlanImport(stored, *batch);
  ASSERT_FALSE(plan.ok());
  EXPECT_TRUE(Contains(plan.status().message(), "c.csv:2: consent c-9: effective: consent 'c-1'"));
}

TEST(PlanImportTest, PolicyChangedOnlyWhenDifferent) {
  ImportBatch batch;
  batch.has_policy = true;
  Result<ImportPlan> same = PlanImport(Registry{}, batch);
  ASSERT_TRUE(same.ok());
  EXPECT_FALSE(same->policy_changed);
  batch.records.policy.recommend_fully_ai = true;
  Result<ImportPlan> changed = PlanImport(Registry{}, batch);
  ASSERT_TRUE(changed.ok());
  EXPECT_TRUE(changed->policy_changed);
  EXPECT_TRUE(changed->additions.policy.recommend_fully_ai);
}

TEST(PlanImportTest, BatchWithoutPolicyKeepsStoredPolicy) {
  Registry stored;
  stored.policy.recommend_fully_ai = true;
  Result<ImportPlan> plan = PlanImport(stored, ImportBatch{});
  ASSERT_TRUE(plan.ok());
  EXPECT_FALSE(plan->policy_changed);
  EXPECT_EQ(plan->additions.policy, stored.policy);
}

TEST(PlanImportTest, HandBuiltBatchWithoutOriginsStillNamesRecord) {
  ImportBatch batch;
  Consent consent;
  consent.id = "c-1";
  consent.party = "artist:nobody";
  batch.records.consents.push_back(consent);
  Result<ImportPlan> plan = PlanImport(Registry{}, batch);
  ASSERT_FALSE(plan.ok());
  EXPECT_TRUE(Contains(plan.status().message(), "batch record 0: consent c-1: party: unknown"));
}

TEST(MergeBatchesTest, AppendsRecordsAndOriginsAndTakesLaterPolicy) {
  ImportBatch a = ValidBatch();
  Result<ImportBatch> b = ParseImportJson(
      R"({"parties": [{"id": "artist:new", "kind": "artist", "name": "New"}],
          "policy": {"recommend_fully_ai": false}})",
      "b.json");
  ASSERT_TRUE(b.ok());
  MergeBatches(a, std::move(*b));
  ASSERT_EQ(a.records.parties.size(), 7u);
  ASSERT_EQ(a.party_origins.size(), 7u);
  EXPECT_EQ(a.records.parties[6].id, "artist:new");
  EXPECT_EQ(a.party_origins[6], "b.json: /parties/0");
  EXPECT_TRUE(a.has_policy);
  EXPECT_EQ(a.records.policy, PlatformPolicy{});
}

TEST(MergeBatchesTest, BatchWithoutPolicyKeepsEarlierPolicy) {
  ImportBatch a = ValidBatch();
  const PlatformPolicy before = a.records.policy;
  MergeBatches(a, ImportBatch{});
  EXPECT_TRUE(a.has_policy);
  EXPECT_EQ(a.records.policy, before);
}

// ----- ParseImportFile ---------------------------------------------------------------------------

class ImportFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("accord_import_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  std::filesystem::path dir_;
};

TEST_F(ImportFileTest, ReadsJsonByExtension) {
  const std::string path = Write("world.JSON", ValidDocument().dump());
  Result<ImportBatch> batch = ParseImportFile(path);
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  EXPECT_EQ(batch->records.parties.size(), 6u);
  EXPECT_EQ(batch->party_origins[0], path + ": /parties/0");
}

TEST_F(ImportFileTest, ReadsCsvByExtension) {
  const std::string path =
      Write("c.csv", std::string(kConsentsHeader) + "c-1,artist:a,dj,opt_in,2025-01-01,,\n");
  Result<ImportBatch> batch = ParseImportFile(path);
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  EXPECT_EQ(batch->consent_origins, std::vector<std::string>{path + ":2"});
}

TEST_F(ImportFileTest, ErrorsNameThePath) {
  const std::string path = Write("bad.json", R"({"parties": [{"id": 1}]})");
  Result<ImportBatch> batch = ParseImportFile(path);
  ASSERT_FALSE(batch.ok());
  EXPECT_TRUE(Contains(batch.status().message(), path + ": /parties/0/id: expected a string"));
}

TEST_F(ImportFileTest, UnknownExtensionIsRefused) {
  Result<ImportBatch> batch = ParseImportFile(Write("data.xml", "<x/>"));
  ASSERT_FALSE(batch.ok());
  EXPECT_EQ(batch.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(batch.status().message(), "unknown file type '.xml'"));
}

TEST_F(ImportFileTest, MissingFileIsNotFound) {
  Result<ImportBatch> batch = ParseImportFile((dir_ / "absent.json").string());
  ASSERT_FALSE(batch.ok());
  EXPECT_EQ(batch.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(Contains(batch.status().message(), "absent.json: cannot read"));
}

TEST_F(ImportFileTest, DirectoryIsRefused) {
  std::filesystem::create_directories(dir_ / "dir.json");
  Result<ImportBatch> batch = ParseImportFile((dir_ / "dir.json").string());
  EXPECT_FALSE(batch.ok());
}

}  // namespace
}  // namespace accord::rights
