// The whole analysis: one buffer end to end, files in parallel, folders, JSON.
#include "audio/analysis.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "audio/encode.h"
#include "audio/synth_test_util.h"

namespace accord::audio {
namespace {

class AnalysisTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("accord_analysis_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_ / "sub");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

// Drums at `bpm` with chords in C major over them, stereo.
AudioBuffer Song(double bpm, SampleRateHz rate, double duration_s) {
  std::vector<float> drums = testing::DrumPattern(rate, bpm, duration_s, 0.25, 11);
  const std::vector<float> chords = testing::ChordProgression(rate, 0, false, duration_s, 2.0);
  std::vector<float> stereo(drums.size() * 2);
  for (size_t n = 0; n < drums.size(); ++n) {
    stereo[2 * n] = 0.6f * drums[n] + chords[n];
    stereo[2 * n + 1] = 0.6f * drums[n] + 0.8f * chords[n];
  }
  return AudioBuffer::Make(rate, 2, std::move(stereo)).value();
}

TEST_F(AnalysisTest, BufferAtAnotherRateGetsEveryMeasure) {
  Result<TrackAnalysis> track = AnalyzeBuffer(Song(126, SampleRateHz::Of<48000>(), 14));
  ASSERT_TRUE(track.ok()) << track.status().ToString();
  EXPECT_EQ(track->sample_rate_hz, 48000);
  EXPECT_EQ(track->channels, 2);
  EXPECT_EQ(track->duration_ms, 14000);
  EXPECT_NEAR(track->grid.bpm, 126, 126 * 0.04);
  EXPECT_TRUE(track->key.found);
  EXPECT_EQ(track->key.Name(), "C");
  EXPECT_TRUE(track->loudness.has_integrated);
  EXPECT_LT(track->loudness.integrated_lufs, 0);
  EXPECT_FALSE(track->fingerprint.encoded.empty());
  EXPECT_EQ(track->structure.energy_dbfs.size(), 28u);

  nlohmann::json json = AnalysisToJson(*track, /*with_beats=*/true);
  EXPECT_EQ(json["key"]["camelot"], "8B");
  EXPECT_EQ(json["tempo"]["beat_times_s"].size(), track->grid.beat_times_s.size());
  EXPECT_TRUE(json["loudness"]["integrated_lufs"].is_number());
  EXPECT_FALSE(AnalysisToJson(*track).contains("beat_times_s"));
}

TEST_F(AnalysisTest, SilenceIsAResultWithNulls) {
  const AudioBuffer silence =
      AudioBuffer::Make(SampleRateHz::Of<8000>(), 1, std::vector<float>(8000 * 10, 0.0f)).value();
  Result<TrackAnalysis> track = AnalyzeBuffer(silence);
  ASSERT_TRUE(track.ok());
  EXPECT_EQ(track->grid.bpm, 0);
  EXPECT_FALSE(track->key.found);
  nlohmann::json json = AnalysisToJson(*track);
  EXPECT_TRUE(json["loudness"]["integrated_lufs"].is_null());
  EXPECT_TRUE(json["key"].is_null());
  EXPECT_NO_THROW(json.dump());
}

TEST_F(AnalysisTest, FilesRunInParallelAndABadFileStaysItsOwn) {
  const std::string good = (dir_ / "a.flac").string();
  const std::string other = (dir_ / "sub" / "b.wav").string();
  const std::string bad = (dir_ / "sub" / "c.ogg").string();
  ASSERT_TRUE(
      WriteAudioFile(good, Song(100, SampleRateHz::Of<22050>(), 10), OutputFormat::kFlac16).ok());
  ASSERT_TRUE(
      WriteAudioFile(other, Song(140, SampleRateHz::Of<22050>(), 10), OutputFormat::kWav16).ok());
  std::ofstream(bad) << "not audio at all";
  std::ofstream(dir_ / "sub" / "readme.txt") << "skipped: not an audio extension";

  Result<std::vector<std::string>> files = ListAudioFiles(dir_.string());
  ASSERT_TRUE(files.ok());
  ASSERT_EQ(files->size(), 3u);
  EXPECT_EQ((*files)[0], good);

  std::vector<Result<TrackAnalysis>> results = AnalyzeFiles(*files, 3);
  ASSERT_EQ(results.size(), 3u);
  ASSERT_TRUE(results[0].ok()) << results[0].status().ToString();
  EXPECT_EQ(results[0]->source, good);
  EXPECT_EQ(results[0]->format, "flac/pcm_16");
  EXPECT_NEAR(results[0]->grid.bpm, 100, 4);
  ASSERT_TRUE(results[1].ok()) << results[1].status().ToString();
  EXPECT_NEAR(results[1]->grid.bpm, 140, 5.6);
  ASSERT_FALSE(results[2].ok());
  EXPECT_NE(results[2].status().message().find("c.ogg"), std::string::npos);
}

double RmsDb(const std::vector<float>& samples) {
  double sum = 0;
  for (size_t n = samples.size() / 10; n < samples.size() * 9 / 10; ++n)
    sum += samples[n] * samples[n];
  return AmplitudeToDb(std::sqrt(sum / (samples.size() * 0.8)));
}

TEST(ToTempoRateTest, HalvesFortyFourPointOneKeepingTheBandAndRejectingAliases) {
  const AudioBuffer low = testing::Sine(kAnalysisRate, 1, 1000, -6, 1.0);
  Result<AudioBuffer> halved = ToTempoRate(low);
  ASSERT_TRUE(halved.ok());
  EXPECT_EQ(halved->sample_rate(), kTempoRate);
  EXPECT_EQ(halved->frames(), 22050);
  EXPECT_NEAR(RmsDb(halved->samples()), RmsDb(low.samples()), 0.05);
  // 15 kHz would fold to 7.05 kHz at 22.05 kHz; the half-band filter must remove it.
  const AudioBuffer high = testing::Sine(kAnalysisRate, 1, 15000, -6, 1.0);
  EXPECT_LT(RmsDb(ToTempoRate(high)->samples()), RmsDb(high.samples()) - 40);
  // Other rates go through the resampler to the same rate.
  Result<AudioBuffer> from_48k =
      ToTempoRate(testing::Sine(SampleRateHz::Of<48000>(), 1, 1000, -6, 1.0));
  ASSERT_TRUE(from_48k.ok());
  EXPECT_EQ(from_48k->sample_rate(), kTempoRate);
  EXPECT_EQ(from_48k->frames(), 22050);
  EXPECT_FALSE(ToTempoRate(testing::Sine(kAnalysisRate, 2, 1000, -6, 0.1)).ok());
}

TEST_F(AnalysisTest, ListingAMissingPathIsNotFound) {
  EXPECT_EQ(ListAudioFiles((dir_ / "nope").string()).status().code(), StatusCode::kNotFound);
  Result<std::vector<std::string>> single = ListAudioFiles((dir_ / "sub").string());
  ASSERT_TRUE(single.ok());
  EXPECT_TRUE(single->empty());
}

}  // namespace
}  // namespace accord::audio
