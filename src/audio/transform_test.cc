// Transforms: lengths, levels and timing measured on signals with known answers.
#include "audio/transform.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "audio/loudness.h"
#include "audio/synth_test_util.h"

namespace accord::audio {
namespace {

constexpr SampleRateHz kRate = SampleRateHz::Of<44100>();

// Clicks (5 ms decaying noise-free bursts) every `period_s`, stereo.
AudioBuffer ClickTrack(double period_s, double duration_s) {
  const auto frames = static_cast<int64_t>(duration_s * kRate.hz());
  std::vector<float> samples(static_cast<size_t>(frames * 2), 0.0f);
  for (double t = 0.25; t < duration_s; t += period_s) {
    const auto start = static_cast<int64_t>(t * kRate.hz());
    for (int64_t n = 0; n < 220 && start + n < frames; ++n) {
      const auto value = static_cast<float>(
          0.8 * std::exp(-static_cast<double>(n) / 40.0) *
          std::sin(2 * std::numbers::pi * 2000 * static_cast<double>(n) / kRate.hz()));
      samples[(start + n) * 2] = samples[(start + n) * 2 + 1] = value;
    }
  }
  return AudioBuffer::Make(kRate, 2, std::move(samples)).value();
}

// Times where the left channel first rises above `threshold` after 100 ms below it.
std::vector<double> Onsets(const AudioBuffer& buffer, float threshold) {
  std::vector<double> onsets;
  int64_t quiet = 1 << 30;
  const int64_t hold = buffer.sample_rate().hz() / 10;
  for (int64_t frame = 0; frame < buffer.frames(); ++frame) {
    if (std::fabs(buffer.at(frame, 0)) >= threshold) {
      if (quiet >= hold) onsets.push_back(static_cast<double>(frame) / buffer.sample_rate().hz());
      quiet = 0;
    } else {
      ++quiet;
    }
  }
  return onsets;
}

// The frequency of a sine from its zero crossings.
double MeasureFrequencyHz(const AudioBuffer& buffer) {
  int64_t crossings = 0;
  int64_t first = -1;
  int64_t last = -1;
  const int64_t skip = buffer.frames() / 10;  // avoid edges
  for (int64_t frame = skip + 1; frame < buffer.frames() - skip; ++frame) {
    if (buffer.at(frame - 1, 0) < 0 && buffer.at(frame, 0) >= 0) {
      if (first < 0) first = frame;
      last = frame;
      ++crossings;
    }
  }
  if (crossings < 2) return 0;
  return static_cast<double>(crossings - 1) * buffer.sample_rate().hz() /
         static_cast<double>(last - first);
}

double RmsDb(const AudioBuffer& buffer, double from_s, double to_s) {
  double sum = 0;
  int64_t count = 0;
  for (auto frame = static_cast<int64_t>(from_s * buffer.sample_rate().hz());
       frame < static_cast<int64_t>(to_s * buffer.sample_rate().hz()); ++frame) {
    sum += buffer.at(frame, 0) * buffer.at(frame, 0);
    ++count;
  }
  return AmplitudeToDb(std::sqrt(sum / static_cast<double>(count)));
}

TEST(TransformTest, StretchKeepsTheDurationExactAndBeatsOnTheStretchedGrid) {
  const AudioBuffer clicks = ClickTrack(0.5, 10.0);
  for (double ratio : {0.8, 1.25}) {
    Result<AudioBuffer> stretched = TimeStretch(clicks, ratio);
    ASSERT_TRUE(stretched.ok()) << stretched.status().ToString();
    // 1 ms per minute of the ratio's duration: for 10 s that is well under one frame.
    EXPECT_NEAR(stretched->duration_seconds(), 10.0 * ratio, 10.0 * ratio / 60.0 / 1000.0 + 1e-4);
    const std::vector<double> before = Onsets(clicks, 0.2f);
    const std::vector<double> after = Onsets(*stretched, 0.2f);
    ASSERT_EQ(after.size(), before.size()) << ratio;
    for (size_t index = 0; index < before.size(); ++index) {
      EXPECT_NEAR(after[index], before[index] * ratio, 0.015)
          << "click " << index << " at ratio " << ratio;
    }
  }
}

TEST(TransformTest, ThreadsChangeNeitherLengthNorSamples) {
  // Clicks on the left, clicks plus a tone on the right, so the channels differ; R2 processes
  // them on two threads when allowed, and must give the same bits as on one.
  AudioBuffer stereo = ClickTrack(0.5, 6.0);
  std::vector<float>& samples = stereo.mutable_samples();
  for (size_t frame = 0; frame < samples.size() / 2; ++frame) {
    samples[2 * frame + 1] += static_cast<float>(
        0.1 * std::sin(2 * std::numbers::pi * 330 * static_cast<double>(frame) / kRate.hz()));
  }
  for (StretchEngine engine : {StretchEngine::kFaster, StretchEngine::kFiner}) {
    Result<AudioBuffer> threaded = StretchAndShift(stereo, {1.1, 0.0, engine, true});
    Result<AudioBuffer> single = StretchAndShift(stereo, {1.1, 0.0, engine, false});
    ASSERT_TRUE(threaded.ok()) << threaded.status().ToString();
    ASSERT_TRUE(single.ok()) << single.status().ToString();
    EXPECT_EQ(threaded->frames(), std::llround(stereo.frames() * 1.1));
    EXPECT_TRUE(threaded->samples() == single->samples())
        << (engine == StretchEngine::kFaster ? "R2" : "R3");
  }
}

// Why allow_threads cannot give R3 a second core (transform.h): R3 has no threaded mode, and
// rendering each channel on a stretcher of its own (which could run on its own thread) is a
// different rendering, not the same one faster: R3 ties the channels' phases together below
// 600 Hz, and R2's offline study pass sets its stretch profile from all channels at once. If a
// later Rubber Band made the split exact, this test fails and the split becomes worth doing.
TEST(TransformTest, OneStretcherPerChannelIsADifferentRendering) {
  // Different content per channel: a 110 Hz tone left, an 82 Hz tone plus clicks right.
  AudioBuffer stereo = ClickTrack(0.5, 4.0);
  std::vector<float>& samples = stereo.mutable_samples();
  for (size_t frame = 0; frame < samples.size() / 2; ++frame) {
    const double t = static_cast<double>(frame) / kRate.hz();
    samples[2 * frame] = static_cast<float>(0.4 * std::sin(2 * std::numbers::pi * 110 * t));
    samples[2 * frame + 1] += static_cast<float>(0.3 * std::sin(2 * std::numbers::pi * 82 * t));
  }
  const std::vector<std::vector<float>> planar = stereo.Planar();
  for (StretchEngine engine : {StretchEngine::kFaster, StretchEngine::kFiner}) {
    SCOPED_TRACE(engine == StretchEngine::kFaster ? "R2" : "R3");
    const StretchOptions options{1.1, 0.0, engine, false};
    Result<AudioBuffer> together = StretchAndShift(stereo, options);
    ASSERT_TRUE(together.ok()) << together.status().ToString();
    int64_t differing = 0;
    for (int channel = 0; channel < 2; ++channel) {
      Result<AudioBuffer> alone =
          StretchAndShift(AudioBuffer::FromPlanar(kRate, {planar[channel]}).value(), options);
      ASSERT_TRUE(alone.ok()) << alone.status().ToString();
      ASSERT_EQ(alone->frames(), together->frames());
      for (int64_t frame = 0; frame < together->frames(); ++frame) {
        if (alone->at(frame, 0) != together->at(frame, channel)) ++differing;
      }
    }
    EXPECT_GT(differing, 1000);  // not one rounding here and there
  }
}

TEST(TransformTest, FinerEngineAlsoKeepsTheLength) {
  const AudioBuffer tone = testing::Sine(kRate, 2, 440, -12, 3.0);
  Result<AudioBuffer> stretched = StretchAndShift(tone, {1.5, 0.0, StretchEngine::kFiner});
  ASSERT_TRUE(stretched.ok()) << stretched.status().ToString();
  EXPECT_EQ(stretched->frames(), std::llround(tone.frames() * 1.5));
}

TEST(TransformTest, PitchShiftAnOctaveDoublesTheFrequency) {
  const AudioBuffer tone = testing::Sine(kRate, 1, 440, -12, 2.0);
  Result<AudioBuffer> up = PitchShift(tone, 12);
  ASSERT_TRUE(up.ok());
  EXPECT_EQ(up->frames(), tone.frames());
  EXPECT_NEAR(MeasureFrequencyHz(*up), 880, 880 * 0.01);
  Result<AudioBuffer> down = PitchShift(tone, -7);
  ASSERT_TRUE(down.ok());
  EXPECT_NEAR(MeasureFrequencyHz(*down), 440 * std::pow(2.0, -7.0 / 12), 3);
}

TEST(TransformTest, ResampleKeepsDurationAndPitch) {
  const AudioBuffer tone = testing::Sine(kRate, 2, 1000, -6, 1.0);
  Result<AudioBuffer> down = Resample(tone, SampleRateHz::Of<8000>(), ResampleQuality::kBest);
  ASSERT_TRUE(down.ok());
  EXPECT_EQ(down->frames(), 8000);
  EXPECT_EQ(down->channels(), 2);
  EXPECT_NEAR(MeasureFrequencyHz(*down), 1000, 2);
  EXPECT_NEAR(RmsDb(*down, 0.2, 0.8), -6 - 3.01, 0.1);
  Result<AudioBuffer> up = Resample(tone, SampleRateHz::Of<192000>(), ResampleQuality::kFast);
  ASSERT_TRUE(up.ok());
  EXPECT_EQ(up->frames(), 192000);
}

TEST(TransformTest, GainScalesByDecibels) {
  const AudioBuffer tone = testing::Sine(kRate, 1, 1000, -6, 0.5);
  Result<AudioBuffer> quieter = ApplyGain(tone, -12);
  ASSERT_TRUE(quieter.ok());
  EXPECT_NEAR(RmsDb(*quieter, 0.1, 0.4) - RmsDb(tone, 0.1, 0.4), -12, 0.01);
  EXPECT_EQ(ApplyGain(tone, 100).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ApplyGain(tone, std::nan("")).status().code(), StatusCode::kInvalidArgument);
}

TEST(TransformTest, EqualPowerCrossfadeKeepsUncorrelatedLoudness) {
  // Two sines of different frequency (uncorrelated over a window) at the same level: through
  // an equal-power fade the RMS stays within a fraction of a decibel.
  const AudioBuffer a = testing::Sine(kRate, 1, 440, -12, 4.0);
  const AudioBuffer b = testing::Sine(kRate, 1, 660, -12, 4.0);
  Result<AudioBuffer> mix = Crossfade(a, b, 2000);
  ASSERT_TRUE(mix.ok());
  EXPECT_EQ(mix->frames(), a.frames() + b.frames() - 2 * kRate.hz());
  const double steady = RmsDb(a, 0.5, 1.5);
  for (double t = 2.1; t < 3.9; t += 0.3) {
    EXPECT_NEAR(RmsDb(*mix, t, t + 0.2), steady, 0.5) << "at " << t << " s";
  }
  EXPECT_EQ(Crossfade(a, b, 5000).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Crossfade(a, testing::Sine(kRate, 2, 440, -12, 4), 100).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(TransformTest, DuckingLowersMusicUnderTheVoiceThenReleases) {
  const AudioBuffer music = testing::Sine(kRate, 2, 220, -10, 10.0);
  const AudioBuffer voice = testing::Sine(kRate, 1, 1500, -12, 3.0);
  DuckOptions options;
  options.depth_db = -12;
  options.attack_ms = 50;
  options.release_ms = 300;
  options.voice_offset_ms = 3000;
  Result<AudioBuffer> mixed = DuckUnderVoice(music, voice, options);
  ASSERT_TRUE(mixed.ok()) << mixed.status().ToString();
  // Subtracting the voice leaves the music's gain: full before, -12 dB during, full after.
  std::vector<float> residual = mixed->samples();
  for (int64_t frame = 0; frame < voice.frames(); ++frame) {
    const int64_t at = frame + 3 * kRate.hz();
    residual[at * 2] -= voice.at(frame, 0);
    residual[at * 2 + 1] -= voice.at(frame, 0);
  }
  const AudioBuffer music_only = AudioBuffer::Make(kRate, 2, std::move(residual)).value();
  const double full = RmsDb(music, 1.0, 2.0);
  EXPECT_NEAR(RmsDb(music_only, 1.0, 2.0), full, 0.1);
  EXPECT_NEAR(RmsDb(music_only, 3.2, 5.8), full - 12, 0.3);
  // The look-ahead of one attack time starts the duck before the voice: without it the first
  // 50 ms of the voice would sit on full-level music.
  EXPECT_LT(RmsDb(music_only, 3.0, 3.05), full - 4);
  EXPECT_NEAR(RmsDb(music_only, 2.0, 2.9), full, 0.1);
  EXPECT_NEAR(RmsDb(music_only, 8.0, 9.0), full, 0.1);  // released within 300 ms
  options.voice_offset_ms = 8000;
  EXPECT_EQ(DuckUnderVoice(music, voice, options).status().code(), StatusCode::kInvalidArgument);
}

TEST(TransformTest, NormalizeReachesTheTargetLoudness) {
  const AudioBuffer quiet = testing::Sine(kRate, 2, 1000, -30, 10);
  Result<AudioBuffer> normalized = NormalizeLoudness(quiet, -14, -1);
  ASSERT_TRUE(normalized.ok());
  EXPECT_NEAR(MeasureLoudness(*normalized)->integrated_lufs, -14, 0.1);
}

TEST(TransformTest, NormalizeRespectsTheTruePeakCeiling) {
  // Clicks are peaky: reaching -10 LUFS would put the peaks far above 0 dBTP.
  const AudioBuffer clicks = ClickTrack(0.5, 10);
  Result<AudioBuffer> normalized = NormalizeLoudness(clicks, -10, -1);
  ASSERT_TRUE(normalized.ok());
  Result<Loudness> after = MeasureLoudness(*normalized);
  EXPECT_LE(after->true_peak_dbtp, -1 + 0.05);
  EXPECT_LT(after->integrated_lufs, -10.5);
}

TEST(TransformTest, NormalizeRefusesSilence) {
  const AudioBuffer silence =
      AudioBuffer::Make(kRate, 1, std::vector<float>(44100 * 2, 0.0f)).value();
  EXPECT_EQ(NormalizeLoudness(silence, -14).status().code(), StatusCode::kFailedPrecondition);
}

TEST(TransformTest, StretchParametersAreChecked) {
  const AudioBuffer tone = testing::Sine(kRate, 1, 440, -12, 0.5);
  EXPECT_EQ(TimeStretch(tone, 0.1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(TimeStretch(tone, std::nan("")).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(PitchShift(tone, 30).status().code(), StatusCode::kInvalidArgument);
  const AudioBuffer empty = AudioBuffer::Make(kRate, 2, {}).value();
  Result<AudioBuffer> stretched = TimeStretch(empty, 2);
  ASSERT_TRUE(stretched.ok());
  EXPECT_EQ(stretched->frames(), 0);
}

}  // namespace
}  // namespace accord::audio
