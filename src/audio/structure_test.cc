// Energy curve and intro/outro regions on a synthesized arrangement.
#include "audio/structure.h"

#include <gtest/gtest.h>

#include "audio/synth_test_util.h"

namespace accord::audio {
namespace {

constexpr SampleRateHz kRate = SampleRateHz::Of<22050>();

// 8 s of hi-hat-level quiet, 24 s of full drums, 8 s quiet again.
std::vector<float> Arrangement() {
  std::vector<float> drums = testing::DrumPattern(kRate, 120, 40, 0.0, 9);
  for (size_t n = 0; n < drums.size(); ++n) {
    const double t = static_cast<double>(n) / kRate.hz();
    if (t < 8.0 || t >= 32.0) drums[n] *= 0.05f;  // -26 dB
  }
  return drums;
}

TEST(StructureTest, IntroAndOutroFollowTheQuietEnds) {
  StructureInfo info = AnalyzeStructure(Arrangement(), kRate, BeatGrid{});
  EXPECT_NEAR(info.intro_end_s, 8.0, kEnergyWindowSeconds);
  EXPECT_NEAR(info.outro_start_s, 32.0, kEnergyWindowSeconds);
  EXPECT_EQ(info.energy_dbfs.size(), 80u);
  EXPECT_LT(info.energy_dbfs[2] + 20, info.energy_dbfs[40]);
}

TEST(StructureTest, BoundariesSnapToDownbeats) {
  BeatGrid grid;
  grid.bpm = 120;
  grid.beats_per_bar = 4;
  for (int beat = 0; beat < 80; ++beat) grid.beat_times_s.push_back(0.1 + 0.5 * beat);
  for (int beat = 0; beat < 80; beat += 4) grid.downbeat_beats.push_back(beat);
  StructureInfo info = AnalyzeStructure(Arrangement(), kRate, grid);
  // Bars start at 0.1 + 2k s: 8.1 and 32.1 are the nearest.
  EXPECT_DOUBLE_EQ(info.intro_end_s, 8.1);
  EXPECT_DOUBLE_EQ(info.outro_start_s, 32.1);
}

TEST(StructureTest, SteadyTrackHasNoIntroOrOutro) {
  std::vector<float> drums = testing::DrumPattern(kRate, 120, 20, 0.0, 10);
  StructureInfo info = AnalyzeStructure(drums, kRate, BeatGrid{});
  EXPECT_LE(info.intro_end_s, kEnergyWindowSeconds);
  EXPECT_GE(info.outro_start_s, 20.0 - kEnergyWindowSeconds);
}

TEST(StructureTest, TinyInputsAreHandled) {
  StructureInfo empty = AnalyzeStructure({}, kRate, BeatGrid{});
  EXPECT_TRUE(empty.energy_dbfs.empty());
  StructureInfo one = AnalyzeStructure({0.3f}, kRate, BeatGrid{});
  EXPECT_EQ(one.energy_dbfs.size(), 1u);
  EXPECT_EQ(one.intro_end_s, 0);
}

}  // namespace
}  // namespace accord::audio
