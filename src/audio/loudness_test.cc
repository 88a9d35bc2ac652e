// Loudness against EBU Tech 3341 / 3342 style signals with known answers.
#include "audio/loudness.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "audio/synth_test_util.h"

namespace accord::audio {
namespace {

TEST(LoudnessTest, StereoSineAtMinus23DbfsReadsMinus23Lufs) {
  // EBU Tech 3341 case 1: 1 kHz, -23 dBFS in both channels → -23.0 LUFS ± 0.1.
  const AudioBuffer sine = testing::Sine(SampleRateHz::Of<48000>(), 2, 1000, -23, 20);
  Result<Loudness> loudness = MeasureLoudness(sine);
  ASSERT_TRUE(loudness.ok());
  ASSERT_TRUE(loudness->has_integrated);
  EXPECT_NEAR(loudness->integrated_lufs, -23.0, 0.1);
  EXPECT_NEAR(loudness->sample_peak_dbfs, -23.0, 0.01);
}

TEST(LoudnessTest, SineAtMinus33DbfsReadsMinus33LufsAt44100) {
  const AudioBuffer sine = testing::Sine(SampleRateHz::Of<44100>(), 2, 1000, -33, 20);
  EXPECT_NEAR(MeasureLoudness(sine)->integrated_lufs, -33.0, 0.1);
}

TEST(LoudnessTest, MonoCountsOneChannel) {
  // A mono -23 dBFS sine carries half the power of the stereo one: -26 LUFS.
  const AudioBuffer sine = testing::Sine(SampleRateHz::Of<48000>(), 1, 1000, -23, 10);
  EXPECT_NEAR(MeasureLoudness(sine)->integrated_lufs, -26.0, 0.1);
}

// 5.1 at 1 kHz: BS.1770 sums the channels' mean squares with weight 1 for L R C, 1.41
// (+1.5 dB) for the surrounds and 0 for the LFE. 1 kHz is where K-weighting's gain cancels
// the -0.691 offset, so the expected value is 10 log10(sum of G * A^2 / 2).
AudioBuffer SurroundSine(const double (&levels_dbfs)[6]) {
  const int64_t frames = 10 * 48000;
  std::vector<float> samples(static_cast<size_t>(frames * 6));
  for (int64_t n = 0; n < frames; ++n) {
    const double s = std::sin(2 * std::numbers::pi * 1000 * static_cast<double>(n) / 48000);
    for (int channel = 0; channel < 6; ++channel) {
      samples[n * 6 + channel] = static_cast<float>(DbToAmplitude(levels_dbfs[channel]) * s);
    }
  }
  return AudioBuffer::Make(SampleRateHz::Of<48000>(), 6, std::move(samples)).value();
}

TEST(LoudnessTest, SixChannelsIgnoreLfeAndWeightSurrounds) {
  const double with_lfe[6] = {-28, -28, -28, -3, -24.5, -24.5};
  const double weights[6] = {1, 1, 1, 0, 1.41, 1.41};
  double sum = 0;
  for (int channel = 0; channel < 6; ++channel) {
    sum += weights[channel] * std::pow(DbToAmplitude(with_lfe[channel]), 2) / 2;
  }
  const double expected_lufs = 10 * std::log10(sum);  // -21.3
  EXPECT_NEAR(MeasureLoudness(SurroundSine(with_lfe))->integrated_lufs, expected_lufs, 0.1);
  const double without_lfe[6] = {-28, -28, -28, -200, -24.5, -24.5};
  EXPECT_NEAR(MeasureLoudness(SurroundSine(without_lfe))->integrated_lufs, expected_lufs, 0.1);
}

TEST(LoudnessTest, TruePeakSeesBetweenSamples) {
  // A sine at a quarter of the rate, 45 degrees off: every sample sits at 0.707 of the peak,
  // so the sample peak reads -3 dB while the true peak is 0 dBTP.
  const int64_t frames = 48000 * 5;
  std::vector<float> samples(static_cast<size_t>(frames * 2));
  for (int64_t n = 0; n < frames; ++n) {
    const double phase =
        2 * std::numbers::pi * 12000 * static_cast<double>(n) / 48000 + std::numbers::pi / 4;
    samples[2 * n] = samples[2 * n + 1] = static_cast<float>(std::sin(phase));
  }
  const AudioBuffer tone =
      AudioBuffer::Make(SampleRateHz::Of<48000>(), 2, std::move(samples)).value();
  Result<Loudness> loudness = MeasureLoudness(tone);
  EXPECT_NEAR(loudness->sample_peak_dbfs, -3.01, 0.05);
  EXPECT_NEAR(loudness->true_peak_dbtp, 0.0, 0.4);  // EBU Tech 3341 allows +0.2/-0.4 dB
}

TEST(LoudnessTest, LoudnessRangeOfTwoLevels) {
  // EBU Tech 3342 case 1: 20 s at -20 LUFS then 20 s at -30 LUFS → LRA 10 LU ± 1.
  const SampleRateHz rate = SampleRateHz::Of<48000>();
  const AudioBuffer loud = testing::Sine(rate, 2, 1000, -20, 20);
  const AudioBuffer quiet = testing::Sine(rate, 2, 1000, -30, 20);
  std::vector<float> samples = loud.samples();
  samples.insert(samples.end(), quiet.samples().begin(), quiet.samples().end());
  const AudioBuffer both = AudioBuffer::Make(rate, 2, std::move(samples)).value();
  EXPECT_NEAR(MeasureLoudness(both)->loudness_range_lu, 10.0, 1.0);
}

TEST(LoudnessTest, SilenceHasNoIntegratedLoudness) {
  const AudioBuffer silence =
      AudioBuffer::Make(SampleRateHz::Of<44100>(), 2, std::vector<float>(44100 * 2 * 3, 0.0f))
          .value();
  Result<Loudness> loudness = MeasureLoudness(silence);
  ASSERT_TRUE(loudness.ok());
  EXPECT_FALSE(loudness->has_integrated);
  EXPECT_LE(loudness->sample_peak_dbfs, -199);
}

TEST(LoudnessTest, OneSampleIsNotAnError) {
  const AudioBuffer one = AudioBuffer::Make(SampleRateHz::Of<8000>(), 1, {0.5f}).value();
  Result<Loudness> loudness = MeasureLoudness(one);
  ASSERT_TRUE(loudness.ok());
  EXPECT_FALSE(loudness->has_integrated);
  EXPECT_NEAR(loudness->sample_peak_dbfs, AmplitudeToDb(0.5), 0.01);
}

}  // namespace
}  // namespace accord::audio
