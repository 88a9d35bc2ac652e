#include "taste/discovery.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "rights/import.h"
#include "taste/catalog_map.h"
#include "taste/taste_test_util.h"

namespace accord::taste {
namespace {

rights::RecordingBitmap AllBut(uint32_t size, const std::set<uint32_t>& denied) {
  rights::RecordingBitmap bitmap(size);
  for (uint32_t i = 0; i < size; ++i) {
    if (!denied.count(i)) bitmap.mutable_words()[i >> 6] |= uint64_t{1} << (i & 63);
  }
  return bitmap;
}

// Two taste groups of artists: even ids "metal", odd ids "pop", with tags to match.
class DiscoveryTest : public ::testing::Test {
 protected:
  static constexpr uint32_t kItems = 40;
  void SetUp() override {
    std::string artists = "id\tname\n";
    for (uint32_t i = 0; i < kItems; ++i) {
      artists +=
          std::to_string(i + 1) + "\t" + (i % 2 ? "Pop " : "Metal ") + std::to_string(i) + "\n";
    }
    const SparseMatrix block = BlockMatrix(200, kItems, 2, 8, 21);
    std::string plays = "userID\tartistID\tweight\n";
    for (uint32_t u = 0; u < block.rows; ++u) {
      for (uint64_t e = block.offsets[u]; e < block.offsets[u + 1]; ++e) {
        plays += std::to_string(u + 1) + "\t" + std::to_string(block.columns[e] + 1) + "\t" +
                 std::to_string(static_cast<int>(block.values[e])) + "\n";
      }
    }
    const std::string tags =
        "tagID\ttagValue\n1\tmetal\n2\theavy metal\n3\tpop\n4\tdance pop\n5\tloud\n6\tsweet\n";
    std::string tagged = "userID\tartistID\ttagID\n";
    for (uint32_t i = 0; i < kItems; ++i) {
      const std::vector<int> ids = i % 2 ? std::vector<int>{3, 4, 6} : std::vector<int>{1, 2, 5};
      for (int t : ids) {
        tagged += "1\t" + std::to_string(i + 1) + "\t" + std::to_string(t) + "\n";
      }
    }
    ListeningBuilder builder;
    std::vector<ImportReport> reports;
    ASSERT_TRUE(builder.AddHetrecTexts(artists, plays, tags, tagged, {}, &reports).ok());
    Result<ListeningData> data = std::move(builder).Build();
    ASSERT_TRUE(data.ok());
    data_ = std::move(*data);
    AlsOptions options;
    options.factors = 8;
    options.regularization = 0.1f;
    options.iterations = 10;
    Result<AlsModel> model = TrainAls(data_.plays(), options);
    ASSERT_TRUE(model.ok());
    model_ = std::move(*model);
    TagSpaceOptions tag_options;
    tag_options.dimensions = 4;
    Result<TagSpace> space = TagSpace::Build(data_, tag_options);
    ASSERT_TRUE(space.ok());
    tags_ = std::move(*space);
    Result<std::unique_ptr<Discovery>> discovery =
        Discovery::Create(data_, model_, &tags_, CatalogMap::Identity(kItems), {});
    ASSERT_TRUE(discovery.ok()) << discovery.status().ToString();
    discovery_ = std::move(*discovery);
  }
  uint32_t Listener(uint32_t hetrec_user) {
    return *data_.FindListener(std::to_string(hetrec_user));
  }

  ListeningData data_;
  AlsModel model_;
  TagSpace tags_;
  std::unique_ptr<Discovery> discovery_;
};

TEST_F(DiscoveryTest, RecommendOnlyAllowedUnplayedSameGroupWithReason) {
  // HetRec user 1 is block listener 0: the "metal" (even) group.
  const Taste taste = discovery_->TasteOf(Listener(1));
  std::set<uint32_t> played;
  for (const auto& entry : taste.history) played.insert(entry.first);
  const std::set<uint32_t> denied = {2, 4, 6, 8};
  Result<std::vector<Pick>> picks = discovery_->Recommend(taste, AllBut(kItems, denied), 5);
  ASSERT_TRUE(picks.ok());
  ASSERT_EQ(picks->size(), 5u);
  for (const Pick& pick : *picks) {
    EXPECT_FALSE(denied.count(pick.item)) << pick.item;
    EXPECT_FALSE(played.count(pick.item)) << pick.item;
    EXPECT_EQ(pick.item % 2, 0u) << data_.item_name(pick.item);
    EXPECT_EQ(pick.recording, pick.item);  // identity catalog
    EXPECT_EQ(pick.reason.rfind("because you played Metal ", 0), 0u) << pick.reason;
  }
}

TEST_F(DiscoveryTest, ColdStartIsMostPopularAllowed) {
  const Taste cold = discovery_->TasteFromHistory({});
  EXPECT_TRUE(cold.cold);
  // Items 0 and 1 (each group's head) are played by every listener of their group.
  Result<std::vector<Pick>> picks = discovery_->Recommend(cold, AllBut(kItems, {0}), 1);
  ASSERT_TRUE(picks.ok());
  ASSERT_EQ(picks->size(), 1u);
  EXPECT_EQ((*picks)[0].item, 1u);
  EXPECT_NE((*picks)[0].reason.find("popular"), std::string::npos);
}

TEST_F(DiscoveryTest, FoldInListenerGetsTheirGroup) {
  // Like every listener of the pop group: the group's head item (1) and a few others.
  const Taste taste = discovery_->TasteFromHistory(
      {{1, 20.0f}, {3, 10.0f}, {5, 4.0f}, {7, 8.0f}, {9, 3.0f}, {11, 6.0f}});
  EXPECT_FALSE(taste.cold);
  Result<std::vector<Pick>> picks = discovery_->Recommend(taste, AllBut(kItems, {}), 5);
  ASSERT_TRUE(picks.ok());
  for (const Pick& pick : *picks) {
    EXPECT_EQ(pick.item % 2, 1u) << data_.item_name(pick.item) << " score " << pick.score << " pop "
                                 << discovery_->popularity()[pick.item];
  }
}

TEST_F(DiscoveryTest, SimilarExcludesSelfAndDenied) {
  Result<std::vector<Pick>> picks = discovery_->Similar(4, AllBut(kItems, {6}), 5);
  ASSERT_TRUE(picks.ok());
  ASSERT_EQ(picks->size(), 5u);
  for (const Pick& pick : *picks) {
    EXPECT_NE(pick.item, 4u);
    EXPECT_NE(pick.item, 6u);
    EXPECT_EQ(pick.item % 2, 0u);
  }
  EXPECT_EQ(discovery_->Similar(kItems + 5, AllBut(kItems, {}), 5).status().code(),
            StatusCode::kNotFound);
}

TEST_F(DiscoveryTest, PlaylistRules) {
  const Taste taste = discovery_->TasteOf(Listener(2));
  PlaylistOptions options;
  options.length = 8;
  options.max_per_artist = 1;
  options.recent_items = {1, 3};
  Result<std::vector<Pick>> picks = discovery_->Playlist(taste, AllBut(kItems, {5}), options);
  ASSERT_TRUE(picks.ok());
  EXPECT_EQ(picks->size(), 8u);
  std::set<uint32_t> seen;
  for (const Pick& pick : *picks) {
    EXPECT_TRUE(seen.insert(pick.item).second) << "artist twice: " << pick.item;
    EXPECT_NE(pick.item, 1u);
    EXPECT_NE(pick.item, 3u);
    EXPECT_NE(pick.item, 5u);
  }
  options.diversity = 2;
  EXPECT_EQ(discovery_->Playlist(taste, AllBut(kItems, {}), options).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(DiscoveryTest, ExploreReachesLessPlayedItems) {
  const Taste taste = discovery_->TasteOf(Listener(1));
  PlaylistOptions options;
  options.length = 5;
  options.diversity = 0;
  auto mean_popularity = [&](double explore) {
    options.explore = explore;
    Result<std::vector<Pick>> picks = discovery_->Playlist(taste, AllBut(kItems, {}), options);
    EXPECT_TRUE(picks.ok());
    double total = 0;
    for (const Pick& pick : *picks) total += discovery_->popularity()[pick.item];
    return total / static_cast<double>(picks->size());
  };
  EXPECT_LT(mean_popularity(1.0), mean_popularity(0.0));
}

TEST_F(DiscoveryTest, PromptMatchesTagsAndExplainsEachWord) {
  Result<PromptResult> result =
      discovery_->Prompt("loud metal for running", nullptr, AllBut(kItems, {}), {});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  std::map<std::string, std::string> roles;
  for (const PromptTerm& term : result->terms) roles[term.text] = term.role;
  EXPECT_EQ(roles["loud"], "tag");
  EXPECT_EQ(roles["metal"], "tag");
  EXPECT_EQ(roles["for"], "ignored");
  EXPECT_EQ(roles["running"], "unmatched");
  ASSERT_FALSE(result->playlist.empty());
  for (const Pick& pick : result->playlist) {
    EXPECT_EQ(pick.item % 2, 0u) << data_.item_name(pick.item);
  }
}

TEST_F(DiscoveryTest, PromptArtistSeedComesFirstAndRespectsPolicy) {
  PlaylistOptions options;
  options.length = 5;
  Result<PromptResult> result =
      discovery_->Prompt("artist:(Pop 3) tag:(pop)", nullptr, AllBut(kItems, {7}), options);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_FALSE(result->playlist.empty());
  EXPECT_EQ(result->playlist[0].item, 3u);
  for (const Pick& pick : result->playlist) {
    EXPECT_NE(pick.item, 7u);
    EXPECT_EQ(pick.item % 2, 1u);
  }
}

TEST_F(DiscoveryTest, PromptNothingMatchesIsNotFound) {
  Result<PromptResult> result = discovery_->Prompt("zzzz qqqq", nullptr, AllBut(kItems, {}), {});
  EXPECT_EQ(result.status().code(), StatusCode::kNotFound);
  EXPECT_NE(result.status().message().find("zzzz"), std::string::npos);
  EXPECT_EQ(discovery_->Prompt("mood:(happy)", nullptr, AllBut(kItems, {}), {}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(discovery_->Prompt("tag:(metal", nullptr, AllBut(kItems, {}), {}).status().code(),
            StatusCode::kInvalidArgument);
}

// The demo catalog through the real policy engine: opted-out artists and artists whose
// licence excludes the US are filtered.
TEST(CatalogMapTest, DemoCatalogThroughThePolicy) {
  ListeningBuilder builder;
  std::vector<ImportReport> reports;
  std::string artists = "id\tname\n";
  for (int i = 1; i <= 12; ++i) artists += std::to_string(i) + "\tA" + std::to_string(i) + "\n";
  ASSERT_TRUE(
      builder.AddHetrecTexts(artists, "userID\tartistID\tweight\n1\t1\t5\n", "", "", {}, &reports)
          .ok());
  ImportReport report;
  ASSERT_TRUE(
      builder.AddCsvText("listener,artist,plays\nx,artist:not-in-catalog,3\n", "x.csv", {}, &report)
          .ok());
  Result<ListeningData> data = std::move(builder).Build();
  ASSERT_TRUE(data.ok());
  // The demo catalog is for artist items only; the extra one is still an artist.
  DemoCatalogOptions options;
  options.opt_out_every = 5;
  Result<std::string> json = DemoCatalogJson(*data, options);
  ASSERT_TRUE(json.ok()) << json.status().ToString();
  Result<rights::ImportBatch> batch = rights::ParseImportJson(*json, "demo");
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  // Drop the party and recording of the extra item, so it is outside the catalog.
  rights::Registry registry = batch->records;
  registry.policy = batch->records.policy;
  std::erase_if(registry.recordings, [](const catalog::Recording& r) {
    return r.main_artists.front() == "artist:not-in-catalog";
  });
  std::erase_if(registry.parties,
                [](const catalog::Party& p) { return p.id == "artist:not-in-catalog"; });
  ASSERT_TRUE(rights::ValidateRegistry(registry).ok());
  Result<std::shared_ptr<const rights::Snapshot>> snapshot = rights::Snapshot::Build(registry);
  ASSERT_TRUE(snapshot.ok());
  const CatalogMap map = CatalogMap::Build(*data, registry, **snapshot);
  EXPECT_EQ(map.mapped_item_count(), 12u);
  const Timestamp now = *Timestamp::Parse("2026-01-01");
  for (const char* code : {"DE", "US"}) {
    rights::RecordingBitmap recordings;
    (*snapshot)->Filter(rights::Scope::kRecommend, *Territory::Parse(code), now, &recordings);
    const rights::RecordingBitmap items = map.AllowedItems(recordings);
    for (uint32_t item = 0; item < 12; ++item) {
      const bool opted_out = item % 5 == 4;
      const bool not_us = item % 3 == 2;
      const bool expected = !opted_out && !(not_us && std::string(code) == "US");
      EXPECT_EQ(items.Test(item), expected) << code << " item " << item;
    }
    EXPECT_FALSE(items.Test(12)) << "an item outside the catalog is never allowed";
  }
}

}  // namespace
}  // namespace accord::taste
