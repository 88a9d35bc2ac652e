// RegistryService keeps store, registry and snapshot in step; a failed write changes nothing.
#include "service/registry_service.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "store/sqlite_store.h"

namespace accord::service {
namespace {

namespace fs = std::filesystem;

constexpr char kWorld[] = R"({
  "parties": [
    {"id": "artist:ada", "kind": "artist", "name": "Ada"},
    {"id": "label:north", "kind": "label", "name": "North"}
  ],
  "recordings": [
    {"isrc": "QZDEM2600001", "title": "One", "main_artists": ["artist:ada"],
     "master_owners": [{"party": "label:north", "ppm": 1000000}]}
  ],
  "agreements": [
    {"id": "A1", "licensor": "label:north", "recordings": "all_controlled",
     "scopes": ["dj", "recommend"], "territories": "worldwide", "start": "2026-01-01"}
  ]
})";

class RegistryServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("accord-service-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    fs::create_directories(dir_ / "in");
    const fs::path path = dir_ / "in" / name;
    std::ofstream(path) << text;
    return path.string();
  }

  std::unique_ptr<RegistryService> Open() {
    auto service = RegistryService::Open((dir_ / "data").string());
    EXPECT_TRUE(service.ok()) << service.status().ToString();
    return std::move(service).value();
  }

  DecisionQuery Dj(const std::string& at) {
    DecisionQuery q;
    q.scope = rights::Scope::kDj;
    q.recording = *Isrc::Parse("QZDEM2600001");
    q.territory = *Territory::Parse("DE");
    q.at = *Timestamp::Parse(at);
    return q;
  }

  fs::path dir_;
};

TEST_F(RegistryServiceTest, ImportThenDecide) {
  auto service = Open();
  Result<ImportSummary> summary = service->ImportFiles({Write("world.json", kWorld)});
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->added(), 4);
  Result<rights::Decision> d = service->Decide(Dj("2026-06-01"));
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->allowed);
  EXPECT_EQ(d->agreements, std::vector<std::string>{"A1"});
}

TEST_F(RegistryServiceTest, ReimportChangesNothing) {
  auto service = Open();
  const std::string file = Write("world.json", kWorld);
  ASSERT_TRUE(service->ImportFiles({file}).ok());
  Result<ImportSummary> again = service->ImportFiles({file});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->added(), 0);
  EXPECT_EQ(again->unchanged, 4);
  EXPECT_EQ(Open()->registry().recordings.size(), 1u);
}

TEST_F(RegistryServiceTest, ConsentChangeFlipsTheDecisionAndPersists) {
  auto service = Open();
  ASSERT_TRUE(service->ImportFiles({Write("world.json", kWorld)}).ok());
  rights::ImportBatch batch;
  batch.records.consents.push_back(
      rights::Consent{"c1", "artist:ada", rights::Scope::kDj, rights::ConsentChoice::kOptOut,
                      *Timestamp::Parse("2026-07-01"), "artist:ada", "test"});
  batch.consent_origins.push_back("test");
  ASSERT_TRUE(service->ImportBatch(batch).ok());
  EXPECT_TRUE(service->Decide(Dj("2026-06-30"))->allowed);
  EXPECT_FALSE(service->Decide(Dj("2026-07-01"))->allowed);
  // A fresh service over the same directory sees the same history.
  auto reopened = Open();
  EXPECT_FALSE(reopened->Decide(Dj("2026-07-01"))->allowed);
  EXPECT_TRUE(reopened->Decide(Dj("2026-06-30"))->allowed);
}

TEST_F(RegistryServiceTest, BadFileAmongGoodOnesWritesNothing) {
  auto service = Open();
  const std::string good = Write("good.json", kWorld);
  const std::string bad = Write("bad.csv",
                                "id,party,scope,choice,effective,recorded_by,method\n"
                                "c1,artist:ada,dj,opt_out,2026-07-01,artist:ada,test\n"
                                "c2,artist:ada,dj,maybe,2026-08-01,artist:ada,test\n");
  Result<ImportSummary> result = service->ImportFiles({good, bad});
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("bad.csv:3"), std::string::npos)
      << result.status().message();
  EXPECT_NE(result.status().message().find("choice"), std::string::npos);
  EXPECT_TRUE(service->registry().parties.empty());
  EXPECT_TRUE(Open()->registry().parties.empty());
}

TEST_F(RegistryServiceTest, ReferenceToUnknownPartyIsRefusedWithItsOrigin) {
  auto service = Open();
  ASSERT_TRUE(service->ImportFiles({Write("world.json", kWorld)}).ok());
  Result<ImportSummary> result =
      service->ImportFiles({Write("more.csv",
                                  "id,party,scope,choice,effective,recorded_by,method\n"
                                  "c9,artist:nobody,dj,opt_out,2026-07-01,x,test\n")});
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("more.csv:2"), std::string::npos)
      << result.status().message();
  EXPECT_TRUE(Open()->registry().consents.empty());
}

TEST_F(RegistryServiceTest, PolicyInAnImportIsSavedWithItsRecords) {
  auto service = Open();
  ASSERT_TRUE(service->ImportFiles({Write("world.json", kWorld)}).ok());
  Result<ImportSummary> summary = service->ImportFiles(
      {Write("policy.json", R"({"policy": {"consent_mode": {"dj": "opt_in"}}})")});
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_TRUE(summary->policy_changed);
  EXPECT_FALSE(service->Decide(Dj("2026-06-01"))->allowed);  // dj now needs Ada's yes
  EXPECT_EQ(Open()->registry().policy.mode(rights::Scope::kDj), rights::ConsentMode::kOptIn);
}

TEST_F(RegistryServiceTest, UnknownRecordingIsNotFound) {
  auto service = Open();
  ASSERT_TRUE(service->ImportFiles({Write("world.json", kWorld)}).ok());
  DecisionQuery q = Dj("2026-06-01");
  q.recording = *Isrc::Parse("QZDEM2699999");
  EXPECT_EQ(service->Decide(q).status().code(), StatusCode::kNotFound);
}

TEST_F(RegistryServiceTest, SetPolicyPersists) {
  auto service = Open();
  rights::PlatformPolicy policy;
  policy.recommend_fully_ai = true;
  ASSERT_TRUE(service->SetPolicy(policy).ok());
  EXPECT_TRUE(Open()->registry().policy.recommend_fully_ai);
}

TEST(ResolveDataDirTest, FlagThenEnvironmentThenDefault) {
  ::setenv("ACCORD_DATA", "/tmp/from-env", 1);
  EXPECT_EQ(ResolveDataDir("/tmp/from-flag"), "/tmp/from-flag");
  EXPECT_EQ(ResolveDataDir(""), "/tmp/from-env");
  ::unsetenv("ACCORD_DATA");
  EXPECT_EQ(ResolveDataDir(""), "./accord-data");
}

}  // namespace
}  // namespace accord::service
