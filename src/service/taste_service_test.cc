// TasteService: opening names the missing step, the discovery follows the registry's
// snapshot (cached while it holds, rebuilt over shared indexes when it changes), and items and
// listeners resolve as the CLI and the server need.
#include "service/taste_service.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "service/registry_service.h"

namespace accord::service {
namespace {

namespace fs = std::filesystem;

constexpr char kWorld[] = R"({
  "parties": [
    {"id": "artist:ada", "kind": "artist", "name": "Ada"},
    {"id": "artist:bo", "kind": "artist", "name": "Bo"},
    {"id": "artist:cy", "kind": "artist", "name": "Cy"},
    {"id": "label:north", "kind": "label", "name": "North"}
  ],
  "recordings": [
    {"isrc": "QZDEM2600001", "title": "One", "main_artists": ["artist:ada"],
     "master_owners": [{"party": "label:north", "ppm": 1000000}]},
    {"isrc": "QZDEM2600002", "title": "Two", "main_artists": ["artist:bo"],
     "master_owners": [{"party": "label:north", "ppm": 1000000}]},
    {"isrc": "QZDEM2600003", "title": "Three", "main_artists": ["artist:cy"],
     "master_owners": [{"party": "label:north", "ppm": 1000000}]}
  ],
  "agreements": [
    {"id": "A1", "licensor": "label:north", "recordings": "all_controlled",
     "scopes": ["recommend"], "territories": "worldwide", "start": "2026-01-01"}
  ]
})";

// Listeners who play One also play Two; Three is a world of its own.
constexpr char kListening[] = R"(listener,recording,plays,name
a,QZDEM2600001,10,One
b,QZDEM2600001,8,One
b,QZDEM2600002,9,Two
c,QZDEM2600001,7,One
c,QZDEM2600002,6,Two
d,QZDEM2600003,12,Three
e,QZDEM2600003,5,Three
)";

class TasteServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("accord-taste-service-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string data() const { return (dir_ / "data").string(); }
  std::string Write(const std::string& name, const std::string& text) {
    const fs::path path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }
  void ImportListening() {
    taste::ListeningBuilder builder;
    taste::ImportReport report;
    ASSERT_TRUE(builder.AddGenericFile(Write("plays.csv", kListening), {}, &report).ok());
    Result<taste::ListeningData> listening = std::move(builder).Build();
    ASSERT_TRUE(listening.ok()) << listening.status().ToString();
    ASSERT_TRUE(listening->Save(TasteListeningPath(data())).ok());
  }
  void Train() {
    Result<taste::ListeningData> listening = LoadListening(data());
    ASSERT_TRUE(listening.ok());
    taste::AlsOptions options;
    options.factors = 4;
    options.iterations = 10;
    options.regularization = 0.1f;
    Result<taste::AlsModel> model = taste::TrainAls(listening->plays(), options);
    ASSERT_TRUE(model.ok()) << model.status().ToString();
    ASSERT_TRUE(
        model->Save(TasteModelPath(data()), taste::ListeningFingerprint(listening->plays())).ok());
  }
  std::unique_ptr<RegistryService> Registry() {
    auto registry = RegistryService::Open(data());
    EXPECT_TRUE(registry.ok()) << registry.status().ToString();
    return std::move(registry).value();
  }
  static rights::RecordingBitmap Allowed(const rights::Snapshot& snapshot) {
    rights::RecordingBitmap allowed;
    snapshot.Filter(rights::Scope::kRecommend, *Territory::Parse("DE"),
                    *Timestamp::Parse("2026-06-01T00:00:00Z"), &allowed);
    return allowed;
  }

  fs::path dir_;
};

TEST_F(TasteServiceTest, OpeningNamesTheMissingStep) {
  Result<std::unique_ptr<TasteService>> none = TasteService::Open(data(), {});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(none.status().message().find("run `accord taste import` first"), std::string::npos)
      << none.status().message();

  ImportListening();
  Result<std::unique_ptr<TasteService>> untrained = TasteService::Open(data(), {});
  ASSERT_FALSE(untrained.ok());
  EXPECT_EQ(untrained.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(untrained.status().message().find("run `accord taste train` first"), std::string::npos)
      << untrained.status().message();

  Train();
  EXPECT_TRUE(TasteService::Open(data(), {}).ok());
}

TEST_F(TasteServiceTest, DiscoveryFollowsTheRegistrySnapshot) {
  ImportListening();
  Train();
  auto registry = Registry();
  ASSERT_TRUE(registry->ImportFiles({Write("world.json", kWorld)}).ok());
  auto taste = TasteService::Open(data(), {.with_tags = false});
  ASSERT_TRUE(taste.ok()) << taste.status().ToString();

  auto snapshot = registry->snapshot();
  ASSERT_TRUE(snapshot.ok());
  auto first = (*taste)->DiscoveryFor(registry->registry(), *snapshot);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  // The same snapshot: the same discovery, not a rebuild.
  EXPECT_EQ((*taste)->DiscoveryFor(registry->registry(), *snapshot)->get(), first->get());

  bool known = false;
  const taste::Taste a = (*taste)->TasteOf(**first, "a", &known);
  EXPECT_TRUE(known);
  auto picks = (*first)->Recommend(a, Allowed(**snapshot), 1);
  ASSERT_TRUE(picks.ok()) << picks.status().ToString();
  ASSERT_EQ(picks->size(), 1u);
  nlohmann::json items = PicksJson((*taste)->data(), **snapshot, *picks);
  EXPECT_EQ(items[0]["recording"], "QZDEM2600002") << items.dump();  // those who play One: Two
  EXPECT_EQ(items[0]["name"], "Two");

  // Bo opts out of recommendations: a new snapshot, and Two is no longer offered.
  ASSERT_TRUE(registry
                  ->ImportFiles({Write("consent.json", R"({"consents": [
                    {"id": "C1", "party": "artist:bo", "scope": "recommend", "choice": "opt_out",
                     "effective": "2026-02-01T00:00:00Z", "recorded_by": "artist:bo",
                     "method": "portal"}]})")})
                  .ok());
  auto changed = registry->snapshot();
  ASSERT_TRUE(changed.ok());
  ASSERT_NE(changed->get(), snapshot->get());
  auto second = (*taste)->DiscoveryFor(registry->registry(), *changed);
  ASSERT_TRUE(second.ok());
  EXPECT_NE(second->get(), first->get());
  auto after = (*second)->Recommend((*taste)->TasteOf(**second, "a"), Allowed(**changed), 5);
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  ASSERT_FALSE(after->empty());
  for (const nlohmann::json& item : PicksJson((*taste)->data(), **changed, *after)) {
    EXPECT_NE(item["recording"], "QZDEM2600002") << item.dump();
  }
}

TEST_F(TasteServiceTest, ResolvesItemsAndStartsUnknownListenersCold) {
  ImportListening();
  Train();
  auto registry = Registry();
  ASSERT_TRUE(registry->ImportFiles({Write("world.json", kWorld)}).ok());
  auto taste = TasteService::Open(data(), {.with_tags = false});
  ASSERT_TRUE(taste.ok());
  const taste::ListeningData& listening = (*taste)->data();

  auto by_isrc = (*taste)->ResolveItem("QZ-DEM-26-00002", "item");
  ASSERT_TRUE(by_isrc.ok()) << by_isrc.status().ToString();
  EXPECT_EQ(listening.item_key(*by_isrc), "QZDEM2600002");
  auto by_name = (*taste)->ResolveItem("three", "item");
  ASSERT_TRUE(by_name.ok());
  EXPECT_EQ(listening.item_key(*by_name), "QZDEM2600003");
  auto unknown = (*taste)->ResolveItem("Nobody", "like");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(unknown.status().message(), "like: no item with key or name \"Nobody\"");

  auto snapshot = registry->snapshot();
  ASSERT_TRUE(snapshot.ok());
  auto discovery = (*taste)->DiscoveryFor(registry->registry(), *snapshot);
  ASSERT_TRUE(discovery.ok());
  bool known = true;
  const taste::Taste cold = (*taste)->TasteOf(**discovery, "z-new", &known);
  EXPECT_FALSE(known);
  EXPECT_TRUE(cold.cold);
  EXPECT_TRUE(cold.history.empty());
}

}  // namespace
}  // namespace accord::service
