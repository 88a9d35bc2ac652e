// Fingerprints: stable through level changes and resampling, different for other audio.
#include "audio/fingerprint.h"

#include <gtest/gtest.h>

#include "audio/synth_test_util.h"
#include "audio/transform.h"

namespace accord::audio {
namespace {

AudioBuffer Music(uint32_t seed, int tonic) {
  const SampleRateHz rate = SampleRateHz::Of<22050>();
  std::vector<float> drums = testing::DrumPattern(rate, 118, 20, 0.1, seed);
  const std::vector<float> chords = testing::ChordProgression(rate, tonic, false, 20, 0.75);
  for (size_t n = 0; n < drums.size(); ++n) drums[n] = 0.5f * drums[n] + chords[n];
  return AudioBuffer::Make(rate, 1, std::move(drums)).value();
}

TEST(FingerprintTest, SameAudioAfterGainAndResamplingMatches) {
  const AudioBuffer original = Music(1, 0);
  Result<Fingerprint> a = ComputeFingerprint(original);
  ASSERT_TRUE(a.ok());
  ASSERT_FALSE(a->encoded.empty());
  ASSERT_GT(a->raw.size(), 50u);
  const AudioBuffer changed =
      Resample(ApplyGain(original, -6).value(), SampleRateHz::Of<44100>()).value();
  Result<Fingerprint> b = ComputeFingerprint(changed);
  ASSERT_TRUE(b.ok());
  EXPECT_GT(FingerprintSimilarity(a->raw, b->raw), 0.9);
}

TEST(FingerprintTest, DifferentMusicDoesNotMatch) {
  Result<Fingerprint> a = ComputeFingerprint(Music(1, 0));
  Result<Fingerprint> b = ComputeFingerprint(Music(2, 6));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->encoded, b->encoded);
  EXPECT_LT(FingerprintSimilarity(a->raw, b->raw), 0.75);
}

TEST(FingerprintTest, VeryShortAudioGivesAnEmptyPrintNotAnError) {
  const AudioBuffer one = AudioBuffer::Make(SampleRateHz::Of<8000>(), 1, {0.1f}).value();
  Result<Fingerprint> print = ComputeFingerprint(one);
  ASSERT_TRUE(print.ok());
  EXPECT_TRUE(print->raw.empty());
  EXPECT_EQ(FingerprintSimilarity(print->raw, print->raw), 0.0);
}

}  // namespace
}  // namespace accord::audio
