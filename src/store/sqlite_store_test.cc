#include "store/sqlite_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "catalog/model.h"
#include "core/ids.h"
#include "core/money.h"
#include "core/status.h"
#include "core/territory.h"
#include "core/time.h"
#include "rights/model.h"
#include "rights/registry.h"

namespace accord::store {
namespace {

using catalog::ContainsAi;
using catalog::Party;
using catalog::PartyKind;
using catalog::Recording;
using catalog::Work;
using rights::Agreement;
using rights::Consent;
using rights::ConsentChoice;
using rights::ConsentMode;
using rights::EconomicTerms;
using rights::PlatformPolicy;
using rights::Registry;
using rights::Scope;
using rights::ScopeSet;
using rights::Takedown;
using rights::TakedownAction;
using ::testing::HasSubstr;

// Unwraps a Result the test cannot go on without; an error fails the test with its message
// (value() of an error Result throws, which GoogleTest reports).
template <typename T>
T Must(Result<T> result) {
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return std::move(result).value();
}

Isrc MakeIsrc(std::string_view text) { return Must(Isrc::Parse(text)); }
Iswc MakeIswc(std::string_view text) { return Must(Iswc::Parse(text)); }
Timestamp At(std::string_view text) { return Must(Timestamp::Parse(text)); }
Currency Eur() { return Must(Currency::FromCode("EUR")); }
Currency Usd() { return Must(Currency::FromCode("USD")); }

// Distinct valid ISRCs "USACC" + two-digit year + five digits, for big batches.
Isrc NumberedIsrc(int number) {
  char text[16];
  std::snprintf(text, sizeof(text), "USACC%02d%05d", (number / 100000) % 100, number % 100000);
  return MakeIsrc(text);
}

Party MakeParty(std::string id, PartyKind kind, std::vector<std::string> acts_for = {}) {
  Party party;
  party.id = std::move(id);
  party.kind = kind;
  party.name = "Name of " + party.id;
  party.acts_for = std::move(acts_for);
  return party;
}

Recording MakeRecording(Isrc isrc, std::string artist, std::string owner) {
  Recording recording;
  recording.isrc = std::move(isrc);
  recording.title = "Title of " + recording.isrc.str();
  recording.main_artists = {std::move(artist)};
  recording.duration_ms = 180'000;
  recording.master_owners = {{std::move(owner), catalog::kWholePpm}};
  return recording;
}

// A registry with every kind and every optional field both set and unset. Lists are in an
// order that no sort would produce, so a round trip also checks that positions are kept, and
// "distributor:wave" acts for "label:alpha", which comes later in the same batch.
Registry FullRegistry() {
  Registry registry;
  Party muldjord = MakeParty("artist:muldjord", PartyKind::kArtist);
  muldjord.isni = Must(Isni::Parse("000000012146438X"));
  registry.parties = {
      MakeParty("label:nordic-noise", PartyKind::kLabel),
      muldjord,
      MakeParty("distributor:wave", PartyKind::kDistributor, {"label:nordic-noise", "label:alpha"}),
      MakeParty("label:alpha", PartyKind::kLabel),
      MakeParty("artist:guest", PartyKind::kArtist),
      MakeParty("writer:ann", PartyKind::kWriter),
      MakeParty("publisher:pen", PartyKind::kPublisher, {"writer:ann"}),
  };

  Work song;
  song.iswc = MakeIswc("T-034.524.680-1");
  song.title = "Song One";
  song.writers = {{"writer:ann", 400'000}, {"artist:muldjord", 200'000}};
  song.publishers = {{"publisher:pen", 400'000}};
  Work instrumental;
  instrumental.iswc = MakeIswc("T-000.000.001-" + std::string(1, Iswc::CheckDigit("000000001")));
  instrumental.title = "Instrumental";
  instrumental.writers = {{"writer:ann", catalog::kWholePpm}};
  registry.works = {song, instrumental};

  Recording full = MakeRecording(MakeIsrc("USRC17607839"), "artist:muldjord", "label:alpha");
  full.featured_artists = {"artist:guest"};
  full.release_date = At("2026-01-01");
  full.master_owners = {{"label:nordic-noise", 700'000}, {"label:alpha", 300'000}};
  full.work = song.iswc;
  full.contains_ai = ContainsAi::kPartly;
  Recording minimal = MakeRecording(NumberedIsrc(2), "artist:muldjord", "label:alpha");
  minimal.main_artists = {"artist:muldjord", "artist:guest"};
  Recording generated = MakeRecording(NumberedIsrc(3), "artist:guest", "label:nordic-noise");
  generated.work = instrumental.iswc;
  generated.contains_ai = ContainsAi::kAll;
  registry.recordings = {full, minimal, generated};

  Agreement open_ended;
  open_ended.id = "agr:wave-all";
  open_ended.licensor = "distributor:wave";
  open_ended.scopes = ScopeSet::All();
  open_ended.territories = TerritorySet::Worldwide();
  open_ended.start = At("2026-01-01");
  Agreement listed;
  listed.id = "agr:alpha-list";
  listed.licensor = "label:alpha";
  listed.all_controlled = false;
  listed.recordings = {minimal.isrc, full.isrc};
  listed.scopes.Insert(Scope::kRemix);
  listed.scopes.Insert(Scope::kDj);
  listed.territories = Must(TerritorySet::Parse("worldwide -US -CA"));
  listed.start = At("2026-01-01");
  listed.end = At("2027-01-01T00:00:00.250Z");
  EconomicTerms paid;
  paid.currency = Eur();
  paid.per_use_rates = {{Scope::kDj, Rate(2'000, Eur())}, {Scope::kRemix, Rate(50'000, Eur())}};
  paid.revenue_share_ppm = 250'000;
  paid.minimum_guarantee = Money(100'000, Eur());
  listed.terms = paid;
  Agreement share_only;
  share_only.id = "agr:pen";
  share_only.licensor = "publisher:pen";
  share_only.scopes.Insert(Scope::kTraining);
  share_only.territories = Must(TerritorySet::Parse("DE AT CH"));
  share_only.start = At("2025-06-01T12:00:00Z");
  EconomicTerms share;
  share.currency = Usd();
  share.revenue_share_ppm = 10'000;
  share_only.terms = share;
  registry.agreements = {open_ended, listed, share_only};

  registry.consents = {
      {"consent:2", "artist:muldjord", Scope::kDjVoice, ConsentChoice::kOptIn, At("2026-02-01"),
       "artist:muldjord", "portal"},
      {"consent:1", "artist:muldjord", Scope::kDjVoice, ConsentChoice::kOptOut, At("2026-03-01"),
       "admin:eva", "contract clause 4.2"},
      {"consent:3", "artist:guest", Scope::kTraining, ConsentChoice::kOptOut, At("2026-02-01"),
       "artist:guest", "cli"},
  };
  registry.takedowns = {
      {"takedown:b", generated.isrc, TakedownAction::kBlock, At("2026-02-01"),
       "impersonation report"},
      {"takedown:a", generated.isrc, TakedownAction::kLift, At("2026-02-15"), "resolved"},
  };
  return registry;
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "accord-store-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }

  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  std::string db_path() const { return dir_ + "/accord.db"; }

  std::unique_ptr<SqliteStore> MustOpen() { return Must(SqliteStore::Open(dir_)); }

  // Opens the store, appends `registry` and closes it again.
  void Seed(const Registry& registry) {
    std::unique_ptr<SqliteStore> store = MustOpen();
    ASSERT_TRUE(store->Append(registry).ok());
  }

  Result<Registry> LoadFresh() { return MustOpen()->Load(); }

  // Runs SQL on the file directly, bypassing the store, as a hand edit or damage would: foreign
  // keys are off on this connection.
  void ExecRaw(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(db_path().c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    EXPECT_EQ(rc, SQLITE_OK) << (error ? error : "") << " in " << sql;
    sqlite3_free(error);
    sqlite3_close(db);
  }

  // The first column of the first row of `sql`, as text.
  std::string QueryRaw(const std::string& sql) {
    sqlite3* db = nullptr;
    std::string value;
    EXPECT_EQ(sqlite3_open(db_path().c_str(), &db), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
    if (sqlite3_step(stmt) == SQLITE_ROW) {
      const unsigned char* text = sqlite3_column_text(stmt, 0);
      if (text != nullptr) value = reinterpret_cast<const char*>(text);
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return value;
  }

  std::string dir_;
};

// ---------------------------------------------------------------------------------------------
// Opening.

TEST_F(SqliteStoreTest, OpenCreatesMissingDirectoriesAndTheDatabase) {
  const std::string nested = dir_ + "/a/b/data";
  Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(nested);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ((*store)->path(), nested + "/accord.db");
  EXPECT_TRUE(std::filesystem::is_regular_file(nested + "/accord.db"));
}

TEST_F(SqliteStoreTest, OpenOnAFileIsFailedPreconditionNamingIt) {
  const std::string file = dir_ + "/not-a-dir";
  std::ofstream(file) << "hello";
  Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(file);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(store.status().message(), HasSubstr(file));
  EXPECT_THAT(store.status().message(), HasSubstr("not a directory"));
}

TEST_F(SqliteStoreTest, OpenWithEmptyDataDirIsInvalidArgument) {
  EXPECT_EQ(SqliteStore::Open("").status().code(), StatusCode::kInvalidArgument);
}

TEST_F(SqliteStoreTest, OpenOnAFileThatIsNotADatabaseIsDataLossNamingIt) {
  std::ofstream(db_path()) << std::string(8192, 'x');
  Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(dir_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(store.status().message(), HasSubstr(db_path()));
}

TEST_F(SqliteStoreTest, UsesWalJournal) {
  MustOpen();
  EXPECT_EQ(QueryRaw("PRAGMA journal_mode"), "wal");
}

TEST_F(SqliteStoreTest, MigrationsAreRecordedOnceAcrossReopens) {
  MustOpen();
  MustOpen();
  MustOpen();
  EXPECT_EQ(QueryRaw("SELECT COUNT(*) FROM schema_migrations"),
            std::to_string(SqliteStore::kSchemaVersion));
  EXPECT_EQ(QueryRaw("SELECT MAX(version) FROM schema_migrations"),
            std::to_string(SqliteStore::kSchemaVersion));
  EXPECT_FALSE(QueryRaw("SELECT applied_at FROM schema_migrations").empty());
}

TEST_F(SqliteStoreTest, ReopenWithDataDoesNotReapplyMigrations) {
  Seed(FullRegistry());
  MustOpen();
  EXPECT_EQ(QueryRaw("SELECT COUNT(*) FROM schema_migrations"),
            std::to_string(SqliteStore::kSchemaVersion));
  Result<Registry> loaded = LoadFresh();
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(*loaded, FullRegistry());
}

TEST_F(SqliteStoreTest, NewerSchemaVersionIsRefused) {
  MustOpen();
  const int future = SqliteStore::kSchemaVersion + 1;
  ExecRaw("INSERT INTO schema_migrations (version, applied_at) VALUES (" + std::to_string(future) +
          ", '2099-01-01T00:00:00Z')");
  Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(dir_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(store.status().message(), HasSubstr(db_path()));
  EXPECT_THAT(store.status().message(), HasSubstr("schema version " + std::to_string(future)));
}

// ---------------------------------------------------------------------------------------------
// Round trips.

TEST_F(SqliteStoreTest, EmptyStoreLoadsEmptyRegistryWithDefaultPolicy) {
  Result<Registry> loaded = MustOpen()->Load();
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(*loaded, Registry());
}

TEST_F(SqliteStoreTest, RoundTripsEveryKindAndOptionalField) {
  std::unique_ptr<SqliteStore> store = MustOpen();
  ASSERT_TRUE(store->Append(FullRegistry()).ok());
  Result<Registry> loaded = store->Load();
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(*loaded, FullRegistry());
}

TEST_F(SqliteStoreTest, AppendedDataSurvivesReopen) {
  Seed(FullRegistry());
  Result<Registry> loaded = LoadFresh();
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(*loaded, FullRegistry());
}

TEST_F(SqliteStoreTest, LoadKeepsInsertionOrderAcrossAppends) {
  std::unique_ptr<SqliteStore> store = MustOpen();
  Registry first;
  first.parties = {MakeParty("p:zeta", PartyKind::kArtist),
                   MakeParty("p:alpha", PartyKind::kLabel)};
  Registry second;
  second.parties = {MakeParty("p:mu", PartyKind::kWriter)};
  ASSERT_TRUE(store->Append(first).ok());
  ASSERT_TRUE(store->Append(second).ok());
  Result<Registry> loaded = store->Load();
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  ASSERT_EQ(loaded->parties.size(), 3u);
  EXPECT_EQ(loaded->parties[0].id, "p:zeta");
  EXPECT_EQ(loaded->parties[1].id, "p:alpha");
  EXPECT_EQ(loaded->parties[2].id, "p:mu");
}

// List rows are matched to their records by a cursor over the records' keys in sorted order
// (the rows come ordered by key), with a binary search for any key behind it: records stored in
// any order, keys that are prefixes of one another and lists of every length must all come
// back to their own records.
TEST_F(SqliteStoreTest, ListsFindTheirRecordsWhateverOrderTheRecordsWereStoredIn) {
  std::unique_ptr<SqliteStore> store = MustOpen();
  std::mt19937 rng(3);
  std::vector<std::string> ids;
  for (int n = 0; n < 400; ++n) {
    ids.push_back("p:" + std::to_string(rng() % 100'000) +
                  (n % 3 == 0 ? "" : "-" + std::to_string(n)));
  }
  ids.push_back("p:1");
  ids.push_back("p:10");
  ids.push_back("p:");
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::shuffle(ids.begin(), ids.end(), rng);
  for (int append = 0; append < 2; ++append) {
    Registry batch;
    const size_t half = ids.size() / 2;
    for (size_t n = append == 0 ? 0 : half; n < (append == 0 ? half : ids.size()); ++n) {
      std::vector<std::string> acts_for;
      for (size_t k = 0; k < n % 4; ++k) acts_for.push_back(ids[(n * 7 + k) % half]);
      batch.parties.push_back(MakeParty(ids[n], PartyKind::kArtist, acts_for));
    }
    ASSERT_TRUE(store->Append(batch).ok());
  }
  Result<Registry> loaded = LoadFresh();
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  ASSERT_EQ(loaded->parties.size(), ids.size());
  for (size_t n = 0; n < ids.size(); ++n) {
    ASSERT_EQ(loaded->parties[n].id, ids[n]) << "records keep their stored order";
    ASSERT_EQ(loaded->parties[n].acts_for.size(), n % 4) << ids[n];
    for (size_t k = 0; k < n % 4; ++k) {
      EXPECT_EQ(loaded->parties[n].acts_for[k], ids[(n * 7 + k) % (ids.size() / 2)]) << ids[n];
    }
  }
}

TEST_F(SqliteStoreTest, EmptyTerritorySetRoundTrips) {
  Registry registry;
  registry.parties = {MakeParty("label:alpha", PartyKind::kLabel)};
  Agreement agreement;
  agreement.id = "agr:nowhere";
  agreement.licensor = "label:alpha";
  registry.agreements = {agreement};
  Seed(registry);
  Result<Registry> loaded = LoadFresh();
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(*loaded, registry);
}

TEST_F(SqliteStoreTest, AppendIgnoresThePolicyOfItsArgument) {
  Registry registry;
  registry.policy.recommend_fully_ai = true;
  std::unique_ptr<SqliteStore> store = MustOpen();
  ASSERT_TRUE(store->Append(registry).ok());
  EXPECT_EQ(Must(store->Load()).policy, PlatformPolicy());
}

TEST_F(SqliteStoreTest, PolicyRoundTripsAndSurvivesReopen) {
  PlatformPolicy policy;
  policy.consent_mode[static_cast<int>(Scope::kRecommend)] = ConsentMode::kOptIn;
  policy.consent_mode[static_cast<int>(Scope::kGeneration)] = ConsentMode::kOptOut;
  policy.recommend_fully_ai = true;
  ASSERT_TRUE(MustOpen()->SetPolicy(policy).ok());
  Result<Registry> loaded = LoadFresh();
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->policy, policy);
}

TEST_F(SqliteStoreTest, SetPolicyReplacesThePreviousPolicy) {
  std::unique_ptr<SqliteStore> store = MustOpen();
  PlatformPolicy first;
  first.recommend_fully_ai = true;
  PlatformPolicy second;
  second.consent_mode[static_cast<int>(Scope::kDj)] = ConsentMode::kOptIn;
  ASSERT_TRUE(store->SetPolicy(first).ok());
  ASSERT_TRUE(store->SetPolicy(second).ok());
  EXPECT_EQ(Must(store->Load()).policy, second);
  EXPECT_EQ(QueryRaw("SELECT COUNT(*) FROM policy"), "1");
}

// ---------------------------------------------------------------------------------------------
// Append is all or nothing.

// One case per kind of key: `add_duplicate` adds to a batch a record whose key the seeded
// FullRegistry holds already; the error must name `expected` and leave the store unchanged.
struct DuplicateCase {
  std::string name;
  std::function<void(Registry&)> add_duplicate;
  std::string expected;
};

// Names the case in test listings; gtest would otherwise print the object's bytes, pointers
// included, which differ from run to run.
void PrintTo(const DuplicateCase& c, std::ostream* os) { *os << c.name; }

class SqliteStoreDuplicateTest : public SqliteStoreTest,
                                 public ::testing::WithParamInterface<DuplicateCase> {};

TEST_P(SqliteStoreDuplicateTest, IsAlreadyExistsAndWritesNothing) {
  const Registry base = FullRegistry();
  Seed(base);
  Registry additions;
  // A fresh record before the duplicate, which must not be written either.
  additions.parties = {MakeParty("artist:fresh", PartyKind::kArtist)};
  GetParam().add_duplicate(additions);

  Status status = MustOpen()->Append(additions);
  EXPECT_EQ(status.code(), StatusCode::kAlreadyExists) << status.ToString();
  EXPECT_THAT(status.message(), HasSubstr(GetParam().expected));
  EXPECT_THAT(status.message(), HasSubstr(db_path()));
  Result<Registry> loaded = LoadFresh();
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(*loaded, base);
}

INSTANTIATE_TEST_SUITE_P(
    EveryKey, SqliteStoreDuplicateTest,
    ::testing::Values(
        DuplicateCase{"Party",
                      [](Registry& r) {
                        r.parties.push_back(MakeParty("artist:muldjord", PartyKind::kArtist));
                      },
                      "party artist:muldjord already exists"},
        DuplicateCase{"Work", [](Registry& r) { r.works.push_back(FullRegistry().works[0]); },
                      "work T-034.524.680-1 already exists"},
        DuplicateCase{"Recording",
                      [](Registry& r) { r.recordings.push_back(FullRegistry().recordings[0]); },
                      "recording USRC17607839 already exists"},
        DuplicateCase{"Agreement",
                      [](Registry& r) { r.agreements.push_back(FullRegistry().agreements[1]); },
                      "agreement agr:alpha-list already exists"},
        DuplicateCase{"ConsentId",
                      [](Registry& r) {
                        Consent consent = FullRegistry().consents[0];
                        consent.effective = At("2030-01-01");
                        r.consents.push_back(consent);
                      },
                      "consent consent:2 already exists"},
        DuplicateCase{"ConsentPartyScopeAndTime",
                      [](Registry& r) {
                        Consent consent = FullRegistry().consents[0];
                        consent.id = "consent:new";
                        r.consents.push_back(consent);
                      },
                      "consent consent:new already exists (UNIQUE constraint failed: "
                      "consents.party, consents.scope, consents.effective_ms)"},
        DuplicateCase{"TakedownId",
                      [](Registry& r) {
                        Takedown takedown = FullRegistry().takedowns[0];
                        takedown.effective = At("2030-01-01");
                        r.takedowns.push_back(takedown);
                      },
                      "takedown takedown:b already exists"},
        DuplicateCase{"TakedownRecordingAndTime",
                      [](Registry& r) {
                        Takedown takedown = FullRegistry().takedowns[0];
                        takedown.id = "takedown:new";
                        r.takedowns.push_back(takedown);
                      },
                      "takedown takedown:new already exists"}),
    [](const ::testing::TestParamInfo<DuplicateCase>& info) { return info.param.name; });

TEST_F(SqliteStoreTest, DuplicateAsLastRecordOfABigBatchWritesNothing) {
  const Registry base = FullRegistry();
  Seed(base);
  Registry additions;
  for (int number = 1000; number < 21000; ++number) {
    additions.recordings.push_back(
        MakeRecording(NumberedIsrc(number), "artist:muldjord", "label:alpha"));
  }
  additions.recordings.push_back(base.recordings[0]);

  Status status = MustOpen()->Append(additions);
  EXPECT_EQ(status.code(), StatusCode::kAlreadyExists) << status.ToString();
  EXPECT_THAT(status.message(), HasSubstr("recording USRC17607839"));
  Result<Registry> loaded = LoadFresh();
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(*loaded, base);
}

// Rows are inserted 64 at a time; a failing batch is retried row by row to name the culprit.
TEST_F(SqliteStoreTest, DuplicateInsideAFullInsertBatchIsNamed) {
  const Registry base = FullRegistry();
  Seed(base);
  Registry additions;
  for (int number = 1000; number < 1200; ++number) {
    additions.recordings.push_back(
        MakeRecording(NumberedIsrc(number), "artist:muldjord", "label:alpha"));
  }
  additions.recordings[10] = base.recordings[0];

  Status status = MustOpen()->Append(additions);
  EXPECT_EQ(status.code(), StatusCode::kAlreadyExists) << status.ToString();
  EXPECT_THAT(status.message(), HasSubstr("recording USRC17607839 already exists"));
  EXPECT_EQ(Must(LoadFresh()), base);
}

TEST_F(SqliteStoreTest, DanglingReferenceInsideAFullInsertBatchIsNamed) {
  const Registry base = FullRegistry();
  Seed(base);
  Registry additions;
  for (int number = 1000; number < 1200; ++number) {
    additions.recordings.push_back(
        MakeRecording(NumberedIsrc(number), "artist:muldjord", "label:alpha"));
  }
  additions.recordings[70].master_owners[0].party = "label:nobody";

  Status status = MustOpen()->Append(additions);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
  EXPECT_THAT(status.message(), HasSubstr("master owners of recording " + NumberedIsrc(1070).str() +
                                          " refers to a party"));
  EXPECT_EQ(Must(LoadFresh()), base);
}

TEST_F(SqliteStoreTest, DuplicateInsideOneBatchIsAlreadyExists) {
  Registry additions;
  additions.parties = {MakeParty("artist:twice", PartyKind::kArtist),
                       MakeParty("artist:twice", PartyKind::kArtist)};
  std::unique_ptr<SqliteStore> store = MustOpen();
  Status status = store->Append(additions);
  EXPECT_EQ(status.code(), StatusCode::kAlreadyExists) << status.ToString();
  EXPECT_THAT(status.message(), HasSubstr("party artist:twice"));
  EXPECT_EQ(Must(store->Load()), Registry());
}

TEST_F(SqliteStoreTest, DanglingReferenceIsInvalidArgumentAndWritesNothing) {
  Registry additions;
  additions.parties = {MakeParty("label:alpha", PartyKind::kLabel)};
  additions.recordings = {MakeRecording(NumberedIsrc(7), "artist:nobody", "label:alpha")};
  std::unique_ptr<SqliteStore> store = MustOpen();
  Status status = store->Append(additions);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
  EXPECT_THAT(status.message(), HasSubstr("artists of recording " + NumberedIsrc(7).str() +
                                          " refers to a party, work or recording that does "
                                          "not exist"));
  EXPECT_EQ(Must(store->Load()), Registry());
}

TEST_F(SqliteStoreTest, ReferenceToARecordOfAnEarlierAppendIsAccepted) {
  Registry parties;
  parties.parties = {MakeParty("artist:a", PartyKind::kArtist),
                     MakeParty("label:b", PartyKind::kLabel)};
  Registry recordings;
  recordings.recordings = {MakeRecording(NumberedIsrc(9), "artist:a", "label:b")};
  std::unique_ptr<SqliteStore> store = MustOpen();
  ASSERT_TRUE(store->Append(parties).ok());
  Status status = store->Append(recordings);
  EXPECT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(Must(store->Load()).recordings, recordings.recordings);
}

TEST_F(SqliteStoreTest, RecordWithAnEmptyIdIsInvalidArgument) {
  Registry additions;
  additions.recordings = {Recording()};
  Status status = MustOpen()->Append(additions);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
}

// ---------------------------------------------------------------------------------------------
// Damaged stored data.

TEST_F(SqliteStoreTest, BadStoredIsrcIsDataLossNamingTableAndKey) {
  Seed(FullRegistry());
  ExecRaw("UPDATE recordings SET isrc = 'NOT-AN-ISRC' WHERE isrc = 'USRC17607839'");
  Result<Registry> loaded = LoadFresh();
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(loaded.status().message(), HasSubstr("table recordings, row 'NOT-AN-ISRC'"));
  EXPECT_THAT(loaded.status().message(), HasSubstr(db_path()));
}

TEST_F(SqliteStoreTest, NonCanonicalStoredIsrcIsDataLoss) {
  Seed(FullRegistry());
  ExecRaw("UPDATE agreement_recordings SET isrc = 'usrc17607839' WHERE isrc = 'USRC17607839'");
  Result<Registry> loaded = LoadFresh();
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(loaded.status().message(), HasSubstr("table agreement_recordings"));
  EXPECT_THAT(loaded.status().message(), HasSubstr("not canonical"));
}

TEST_F(SqliteStoreTest, UnknownStoredEnumNameIsDataLossNamingTheRecord) {
  Seed(FullRegistry());
  ExecRaw("UPDATE parties SET kind = 'alien' WHERE id = 'artist:guest'");
  Result<Registry> loaded = LoadFresh();
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(loaded.status().message(), HasSubstr("table parties, row 'artist:guest': kind"));
}

TEST_F(SqliteStoreTest, MissingListRowIsDataLoss) {
  Seed(FullRegistry());
  ExecRaw("DELETE FROM recording_owners WHERE isrc = 'USRC17607839' AND position = 0");
  Result<Registry> loaded = LoadFresh();
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(loaded.status().message(), HasSubstr("table recording_owners, row 'USRC17607839'"));
}

TEST_F(SqliteStoreTest, ListRowWithoutItsRecordIsDataLoss) {
  Seed(FullRegistry());
  ExecRaw(
      "INSERT INTO recording_artists (isrc, role, position, party) "
      "VALUES ('USXYZ2600001', 'main', 0, 'artist:muldjord')");
  Result<Registry> loaded = LoadFresh();
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(loaded.status().message(), HasSubstr("table recording_artists, row 'USXYZ2600001'"));
  EXPECT_THAT(loaded.status().message(), HasSubstr("no such recording"));
}

TEST_F(SqliteStoreTest, BadStoredTerritoriesAreDataLoss) {
  Seed(FullRegistry());
  ExecRaw("UPDATE agreements SET territories = 'XX YY' WHERE id = 'agr:pen'");
  Result<Registry> loaded = LoadFresh();
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(loaded.status().message(), HasSubstr("table agreements, row 'agr:pen': territories"));
}

}  // namespace
}  // namespace accord::store
