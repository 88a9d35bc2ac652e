// True peak: the known inter-sample overs, and agreement with libebur128's own true-peak meter
// (EBUR128_MODE_TRUE_PEAK, which MeasureLoudness used before) on varied signals.
#include "audio/true_peak.h"

#include <ebur128.h>
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>
#include <string>

namespace accord::audio {
namespace {

// Our figures agree with libebur128's to float rounding (it sums in double, we in float);
// measured differences stay below 3e-6 dB. The tolerance below is thirty times that and still
// a thousand times finer than the 0.01 dB that results are reported in.
constexpr double kAgreementDb = 1e-4;

AudioBuffer Make(int rate_hz, int channels, std::vector<float> samples) {
  return AudioBuffer::Make(SampleRateHz::FromHz(rate_hz).value(), channels, std::move(samples))
      .value();
}

// libebur128's true peak (the largest over the channels), as linear amplitude.
double Libebur128TruePeak(const AudioBuffer& buffer) {
  ebur128_state* state =
      ebur128_init(static_cast<unsigned>(buffer.channels()),
                   static_cast<unsigned long>(buffer.sample_rate().hz()),
                   EBUR128_MODE_M | EBUR128_MODE_TRUE_PEAK | EBUR128_MODE_SAMPLE_PEAK);
  EXPECT_NE(state, nullptr);
  // Fed in uneven pieces, as a stream would be, to exercise its carried-over state.
  const int64_t frames = buffer.frames();
  for (int64_t start = 0; start < frames;) {
    const int64_t count = std::min<int64_t>(frames - start, 7919);
    ebur128_add_frames_float(state, buffer.samples().data() + start * buffer.channels(),
                             static_cast<size_t>(count));
    start += count;
  }
  double peak = 0;
  for (int channel = 0; channel < buffer.channels(); ++channel) {
    double value = 0;
    EXPECT_EQ(ebur128_true_peak(state, static_cast<unsigned>(channel), &value), EBUR128_SUCCESS);
    peak = std::max(peak, value);
  }
  ebur128_destroy(&state);
  return peak;
}

// A sine per channel, each channel a radian further in phase.
AudioBuffer Sines(int rate_hz, int channels, double frequency_hz, double amplitude,
                  double seconds) {
  const auto frames = static_cast<int64_t>(seconds * rate_hz);
  std::vector<float> samples(static_cast<size_t>(frames * channels));
  for (int64_t n = 0; n < frames; ++n) {
    for (int channel = 0; channel < channels; ++channel) {
      samples[n * channels + channel] =
          static_cast<float>(amplitude * std::sin(2 * std::numbers::pi * frequency_hz *
                                                      static_cast<double>(n) / rate_hz +
                                                  std::numbers::pi / 4 + channel));
    }
  }
  return Make(rate_hz, channels, std::move(samples));
}

AudioBuffer Noise(int rate_hz, int channels, double seconds, uint32_t seed) {
  std::mt19937 random(seed);
  std::normal_distribution<float> gauss(0.0f, 0.15f);
  std::vector<float> samples(static_cast<size_t>(seconds * rate_hz) * channels);
  for (float& sample : samples) sample = gauss(random);
  return Make(rate_hz, channels, std::move(samples));
}

void ExpectAgreesWithLibebur128(const AudioBuffer& buffer, const std::string& what) {
  const double theirs = Libebur128TruePeak(buffer);
  const PeakLevels ours = MeasurePeaks(buffer);
  EXPECT_NEAR(AmplitudeToDb(ours.true_peak), AmplitudeToDb(theirs), kAgreementDb) << what;
}

TEST(TruePeakTest, QuarterRateSineAt45DegreesIsThreeDecibelsOverItsSamples) {
  // sin(pi n / 2 + pi / 4): every sample is +-0.707, the waveform peaks at 1.0 half-way
  // between them. EBU Tech 3341 allows +0.2/-0.4 dB on such a signal; the Hann-windowed sinc
  // reads +0.1 dB (its pass-band ripple at a quarter of the rate).
  const AudioBuffer tone = Sines(48000, 1, 12000, 1.0, 2);
  const PeakLevels peaks = MeasurePeaks(tone);
  EXPECT_NEAR(AmplitudeToDb(peaks.sample_peak), -3.01, 0.01);
  EXPECT_NEAR(AmplitudeToDb(peaks.true_peak), 0.0, 0.2);
  EXPECT_GT(AmplitudeToDb(peaks.true_peak) - AmplitudeToDb(peaks.sample_peak), 2.9);
}

TEST(TruePeakTest, AgreesWithLibebur128OnSinesAndNoiseAtEveryRateItOversamples) {
  // 4x below 96 kHz, 2x below 192 kHz, none from 192 kHz; mono, stereo and 5.1.
  for (int rate : {8000, 44100, 48000, 88200, 96000, 176400, 192000}) {
    for (int channels : {1, 2, 6}) {
      for (double fraction : {997.0 / 44100, 0.25, 0.45}) {
        ExpectAgreesWithLibebur128(Sines(rate, channels, fraction * rate, 0.5, 0.5),
                                   "sine at " + std::to_string(fraction) + " of " +
                                       std::to_string(rate) + " Hz, " + std::to_string(channels) +
                                       " channels");
      }
      ExpectAgreesWithLibebur128(Noise(rate, channels, 0.5, static_cast<uint32_t>(rate)),
                                 "noise at " + std::to_string(rate) + " Hz");
    }
  }
}

TEST(TruePeakTest, AgreesWithLibebur128AtTheEdgesOfBlocksAndOfTheAudio) {
  // A full-scale alternating pattern whose largest inter-sample peak needs a dozen samples of
  // history; lengths around the block (1024) and chunk (16384) sizes and shorter than the
  // interpolator, where libebur128 computes no interpolated value past the last sample.
  for (int frames : {1, 2, 5, 12, 13, 31, 33, 1023, 1024, 1025, 16383, 16384, 16385, 40000}) {
    std::vector<float> samples(static_cast<size_t>(frames) * 2);
    for (size_t index = 0; index < samples.size(); ++index) {
      samples[index] = index % 3 == 0 ? 0.9f : -0.9f;
    }
    ExpectAgreesWithLibebur128(Make(44100, 2, std::move(samples)),
                               std::to_string(frames) + " frames");
  }
}

TEST(TruePeakTest, PeakBetweenSamplesLateInAQuietStretchIsFound) {
  // A loud click early sets the running peak; much later a burst of the quarter-rate sine,
  // whose samples stay below the click but whose waveform rises above it. Blocks skipped by the
  // bound must not include that burst: every setting gives the same bits as libebur128's
  // figure, and the burst wins.
  const int rate = 44100;
  std::vector<float> samples(static_cast<size_t>(rate) * 3, 0.0f);
  samples[1000] = 0.8f;
  for (int n = 0; n < 200; ++n) {
    samples[static_cast<size_t>(2 * rate + n)] = static_cast<float>(
        0.75 * std::sin(std::numbers::pi / 2 * n + std::numbers::pi / 4));  // samples 0.53
  }
  const AudioBuffer buffer = Make(rate, 1, std::move(samples));
  const PeakLevels fast = MeasurePeaks(buffer);
  EXPECT_FLOAT_EQ(fast.sample_peak, 0.8f);
  EXPECT_GT(fast.true_peak, 0.74);
  EXPECT_NEAR(AmplitudeToDb(fast.true_peak), AmplitudeToDb(Libebur128TruePeak(buffer)),
              kAgreementDb);
}

TEST(TruePeakTest, SkippingAndVectorWidthChangeNothing) {
  std::mt19937 random(11);
  std::normal_distribution<float> gauss(0.0f, 0.02f);
  // Quiet noise with rare bursts of the quarter-rate sine at 45 degrees (waveform 0.9, samples
  // 0.64), so that many blocks are skipped, some are not, and the true peak is between samples.
  std::vector<float> samples(static_cast<size_t>(44100 * 4 * 2));
  for (size_t index = 0; index < samples.size(); ++index) {
    const bool burst = (index / 5000) % 37 == 0;
    const auto frame = static_cast<double>(index / 2);
    samples[index] =
        gauss(random) + (burst ? static_cast<float>(0.9 * std::sin(std::numbers::pi / 2 * frame +
                                                                   std::numbers::pi / 4))
                               : 0.0f);
  }
  const AudioBuffer buffer = Make(44100, 2, std::move(samples));
  const PeakLevels reference =
      MeasurePeaks(buffer, {.skip_quiet_blocks = false, .allow_avx2 = false});
  for (bool skip : {false, true}) {
    for (bool avx2 : {false, true}) {
      const PeakLevels peaks =
          MeasurePeaks(buffer, {.skip_quiet_blocks = skip, .allow_avx2 = avx2});
      EXPECT_EQ(peaks.true_peak, reference.true_peak) << skip << avx2;
      EXPECT_EQ(peaks.sample_peak, reference.sample_peak) << skip << avx2;
    }
  }
  EXPECT_GT(reference.true_peak, reference.sample_peak);
}

TEST(TruePeakTest, SamplePeakIsTheLargestMagnitudeOnAnyChannel) {
  const AudioBuffer buffer = Make(48000, 3, {0.1f, -0.2f, 0.3f, 0.05f, -0.7f, 0.0f});
  EXPECT_FLOAT_EQ(MeasurePeaks(buffer).sample_peak, 0.7f);
}

TEST(TruePeakTest, EmptyAndSilentBuffersHaveNoPeak) {
  const PeakLevels empty = MeasurePeaks(Make(44100, 2, {}));
  EXPECT_EQ(empty.sample_peak, 0);
  EXPECT_EQ(empty.true_peak, 0);
  const PeakLevels silent = MeasurePeaks(Make(44100, 2, std::vector<float>(2 * 5000, 0.0f)));
  EXPECT_EQ(silent.true_peak, 0);
}

TEST(TruePeakTest, NoOversamplingFrom192Kilohertz) {
  // As libebur128: at 192 kHz and above the true peak is the sample peak.
  const AudioBuffer tone = Sines(192000, 1, 48000, 1.0, 0.1);
  const PeakLevels peaks = MeasurePeaks(tone);
  EXPECT_EQ(peaks.true_peak, peaks.sample_peak);
}

}  // namespace
}  // namespace accord::audio
