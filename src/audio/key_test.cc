// Key detection against synthesized chord progressions in all 24 keys, and the Camelot wheel.
#include "audio/key.h"

#include <gtest/gtest.h>

#include <cstdio>

#include "audio/analysis.h"
#include "audio/synth_test_util.h"

namespace accord::audio {
namespace {

TEST(KeyTest, ChordProgressionsInAll24Keys) {
  // At 44.1 kHz, the rate the analysis runs the detector at (its decimator and constant-Q
  // ranges are fixed, so other rates see a different band).
  const SampleRateHz rate = kAnalysisRate;
  int exact = 0;
  std::string misses;
  for (bool minor : {false, true}) {
    for (int tonic = 0; tonic < 12; ++tonic) {
      Key truth;
      truth.found = true;
      truth.tonic = tonic;
      truth.minor = minor;
      Result<Key> key = DetectKey(testing::ChordProgression(rate, tonic, minor, 10.0), rate);
      ASSERT_TRUE(key.ok());
      if (key->found && key->tonic == tonic && key->minor == minor) {
        ++exact;
      } else {
        misses += " " + truth.Name() + "->" + key->Name();
      }
    }
  }
  std::printf("key: %d of 24 exact;%s\n", exact, misses.c_str());
  EXPECT_GE(exact, 22) << "target is 90% (22 of 24); misses:" << misses;
}

TEST(KeyTest, CamelotWheel) {
  const char* majors[12] = {"8B", "3B", "10B", "5B",  "12B", "7B",
                            "2B", "9B", "4B",  "11B", "6B",  "1B"};
  const char* minors[12] = {"5A",  "12A", "7A", "2A", "9A", "4A",
                            "11A", "6A",  "1A", "8A", "3A", "10A"};
  for (int tonic = 0; tonic < 12; ++tonic) {
    Key key;
    key.found = true;
    key.tonic = tonic;
    EXPECT_EQ(key.Camelot(), majors[tonic]) << key.Name();
    key.minor = true;
    EXPECT_EQ(key.Camelot(), minors[tonic]) << key.Name();
  }
  Key a_minor{true, 9, true, 1.0};
  EXPECT_EQ(a_minor.Name(), "Am");
  EXPECT_EQ(Key{}.Camelot(), "");
}

TEST(KeyTest, SilenceAndTinyInputHaveNoKey) {
  const SampleRateHz rate = SampleRateHz::Of<22050>();
  Result<Key> silence = DetectKey(std::vector<float>(22050 * 5, 0.0f), rate);
  ASSERT_TRUE(silence.ok());
  EXPECT_FALSE(silence->found);
  Result<Key> one = DetectKey({0.1f}, rate);
  ASSERT_TRUE(one.ok());
  EXPECT_FALSE(one->found);
}

}  // namespace
}  // namespace accord::audio
