// Tempo, beats and downbeats against synthesized drum patterns whose answers are known.
#include "audio/rhythm.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "audio/analysis.h"
#include "audio/synth_test_util.h"

namespace accord::audio {
namespace {

constexpr SampleRateHz kRate = kTempoRate;  // the rate the analysis tracks tempo at

// The accuracy target: at least 95% of patterns from 70 to 190 BPM within 4%, octave
// errors counting as misses. The tempi step by 6 BPM and the first beat moves, so the set is
// not the one the octave check's thresholds were read from (5 BPM steps, first beat at 0.5 s).
TEST(RhythmTest, SyntheticPatternsFrom70To190Bpm) {
  int total = 0;
  int within = 0;
  std::string misses;
  for (testing::DrumStyle style :
       {testing::DrumStyle::kBackbeat, testing::DrumStyle::kFourOnTheFloor}) {
    for (double bpm = 70; bpm <= 190; bpm += 6) {
      const double first_beat_s = 0.2 + 0.05 * (total % 7);
      const std::vector<float> mono =
          testing::DrumPattern(kRate, bpm, 12.0, first_beat_s, 100 + total, style);
      Result<BeatGrid> grid = TrackBeats(mono, kRate);
      ASSERT_TRUE(grid.ok());
      ++total;
      if (std::fabs(grid->bpm - bpm) <= 0.04 * bpm) {
        ++within;
      } else {
        misses += " " + std::to_string(static_cast<int>(bpm)) + "->" +
                  std::to_string(grid->bpm).substr(0, 5);
      }
    }
  }
  std::printf("tempo: %d of %d within 4%%;%s\n", within, total, misses.c_str());
  EXPECT_GE(within, static_cast<int>(std::ceil(0.95 * total))) << "misses:" << misses;
}

TEST(RhythmTest, SlowPatternIsNotReportedAtDoubleTempo) {
  Result<BeatGrid> grid = TrackBeats(testing::DrumPattern(kRate, 70, 12, 0.5, 1), kRate);
  ASSERT_TRUE(grid.ok());
  EXPECT_NEAR(grid->bpm, 70, 70 * 0.04);
}

TEST(RhythmTest, FastPatternIsNotReportedAtHalfTempo) {
  Result<BeatGrid> grid = TrackBeats(testing::DrumPattern(kRate, 180, 12, 0.5, 2), kRate);
  ASSERT_TRUE(grid.ok());
  EXPECT_NEAR(grid->bpm, 180, 180 * 0.04);
}

TEST(RhythmTest, BeatsLandOnTheDrumHits) {
  const double bpm = 124;
  const double first_beat_s = 0.37;
  Result<BeatGrid> grid = TrackBeats(testing::DrumPattern(kRate, bpm, 12, first_beat_s, 3), kRate);
  ASSERT_TRUE(grid.ok());
  ASSERT_GT(grid->beat_times_s.size(), 15u);
  const double period_s = 60.0 / bpm;
  int checked = 0;
  for (double time_s : grid->beat_times_s) {
    if (time_s < 2.0) continue;  // the tracker settles in the first bar
    const double beats_from_first = (time_s - first_beat_s) / period_s;
    const double error_s = std::fabs(beats_from_first - std::round(beats_from_first)) * period_s;
    EXPECT_LT(error_s, 0.025) << "beat at " << time_s;
    ++checked;
  }
  EXPECT_GT(checked, 15);
  EXPECT_GT(grid->confidence, 0.9);
}

TEST(RhythmTest, DownbeatsFallOnBarStarts) {
  for (double bpm : {96.0, 128.0, 174.0}) {
    const double first_beat_s = 0.5;
    Result<BeatGrid> grid = TrackBeats(
        testing::DrumPattern(kRate, bpm, 14, first_beat_s, 4, testing::DrumStyle::kBackbeat,
                             /*accent_downbeats=*/true),
        kRate);
    ASSERT_TRUE(grid.ok());
    ASSERT_GT(grid->downbeat_beats.size(), 3u) << bpm;
    const double bar_s = 4 * 60.0 / bpm;
    for (int index : grid->downbeat_beats) {
      const double time_s = grid->beat_times_s[index];
      if (time_s < 2.0) continue;
      const double bars = (time_s - first_beat_s) / bar_s;
      EXPECT_LT(std::fabs(bars - std::round(bars)) * bar_s, 0.03)
          << bpm << " BPM: downbeat at " << time_s << " s is not a bar start";
    }
  }
}

TEST(RhythmTest, SilenceAndShortAudioHaveNoTempo) {
  Result<BeatGrid> silence = TrackBeats(std::vector<float>(44100 * 10, 0.0f), kRate);
  ASSERT_TRUE(silence.ok());
  EXPECT_EQ(silence->bpm, 0);
  EXPECT_TRUE(silence->beat_times_s.empty());
  Result<BeatGrid> short_clip = TrackBeats(testing::DrumPattern(kRate, 120, 3, 0.1, 5), kRate);
  ASSERT_TRUE(short_clip.ok());
  EXPECT_EQ(short_clip->bpm, 0);
  Result<BeatGrid> one = TrackBeats({0.5f}, kRate);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->bpm, 0);
}

TEST(RhythmTest, OtherSampleRatesGiveTheSameTempo) {
  for (SampleRateHz rate : {SampleRateHz::Of<8000>(), SampleRateHz::Of<96000>()}) {
    Result<BeatGrid> grid = TrackBeats(testing::DrumPattern(rate, 132, 12, 0.3, 6), rate);
    ASSERT_TRUE(grid.ok());
    EXPECT_NEAR(grid->bpm, 132, 132 * 0.04) << rate.hz();
  }
}

TEST(RhythmTest, BadOptionsAreInvalidArgument) {
  TempoOptions options;
  options.beats_per_bar = 1;
  EXPECT_EQ(TrackBeats({}, kRate, options).status().code(), StatusCode::kInvalidArgument);
  options = TempoOptions{};
  options.min_bpm = 100;
  options.max_bpm = 150;
  EXPECT_EQ(TrackBeats({}, kRate, options).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace accord::audio
