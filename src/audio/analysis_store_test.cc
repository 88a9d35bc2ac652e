// The analysis store: results keyed by ISRC when the file is a known source, survival across
// reopen, and damaged files reported as DataLoss.
#include "audio/analysis_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace accord::audio {
namespace {

namespace fs = std::filesystem;

class AnalysisStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("accord_analysis_store_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(AnalysisStoreTest, KeysByIsrcForKnownSourcesAndByPathOtherwise) {
  const std::string song = (dir_ / "song.ogg").string();
  std::ofstream(song) << "x";
  {
    Result<AnalysisStore> store = AnalysisStore::Open(dir_.string());
    ASSERT_TRUE(store.ok());
    store->PutSource("ZZDEB0001001", {{"path", song}, {"title", "Armygeddon"}});
    EXPECT_EQ(store->PutAnalysis(song, {{"bpm", 170}}), "ZZDEB0001001");
    const std::string other = store->PutAnalysis((dir_ / "other.wav").string(), {{"bpm", 90}});
    EXPECT_NE(other.find("other.wav"), std::string::npos);
    ASSERT_TRUE(store->Save().ok());
  }
  Result<AnalysisStore> reopened = AnalysisStore::Open(dir_.string());
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ(reopened->analyses()["recordings"]["ZZDEB0001001"]["bpm"], 170);
  EXPECT_EQ(reopened->analyses()["files"].size(), 1u);
  EXPECT_FALSE(fs::exists(dir_ / "audio" / "analysis.json.partial"));
}

TEST_F(AnalysisStoreTest, DamagedFileIsDataLoss) {
  fs::create_directories(dir_ / "audio");
  std::ofstream(dir_ / "audio" / "analysis.json") << "{\"recordings\": [";
  Result<AnalysisStore> store = AnalysisStore::Open(dir_.string());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(store.status().message().find("analysis.json"), std::string::npos);
}

}  // namespace
}  // namespace accord::audio
