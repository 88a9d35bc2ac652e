// Writing: every output format decodes back to the same shape, and failures leave no file.
#include "audio/encode.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>

#include "audio/decode.h"
#include "audio/synth_test_util.h"

namespace accord::audio {
namespace {

class EncodeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("accord_encode_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(EncodeTest, EveryFormatRoundTrips) {
  const AudioBuffer sine = testing::Sine(SampleRateHz::Of<44100>(), 2, 1000, -6, 1.0);
  for (const char* name : {"wav", "wav24", "wavf", "flac", "flac24", "ogg", "opus"}) {
    const OutputFormat format = ParseOutputFormat(name).value();
    const std::string path = (dir_ / (std::string("out.") + name)).string();
    ASSERT_TRUE(WriteAudioFile(path, sine, format).ok()) << name;
    Result<DecodedAudio> back = DecodeFile(path);
    ASSERT_TRUE(back.ok()) << name << ": " << back.status().ToString();
    EXPECT_EQ(back->buffer.channels(), 2) << name;
    // Opus is resampled to 48 kHz on the way out.
    const int expected_rate = std::string(name) == "opus" ? 48000 : 44100;
    EXPECT_EQ(back->buffer.sample_rate().hz(), expected_rate) << name;
    EXPECT_EQ(WrittenSampleRate(format, sine.sample_rate()).hz(), expected_rate) << name;
    EXPECT_NEAR(back->buffer.duration_seconds(), 1.0, 0.03) << name;
    EXPECT_FALSE(std::filesystem::exists(path + ".partial")) << name;
  }
}

TEST_F(EncodeTest, UnknownFormatAndExtensionAreInvalidArgument) {
  EXPECT_EQ(ParseOutputFormat("mp4").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(OutputFormatForPath("x.aac").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(OutputFormatForPath("x.flac").value(), OutputFormat::kFlac16);
}

TEST_F(EncodeTest, UnwritableDirectoryFailsWithoutLeavingAFile) {
  const AudioBuffer sine = testing::Sine(SampleRateHz::Of<8000>(), 1, 440, -6, 0.1);
  const std::string path = (dir_ / "missing" / "out.wav").string();
  Status status = WriteAudioFile(path, sine, OutputFormat::kWav16);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("out.wav"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST_F(EncodeTest, IntegerFormatsClipInsteadOfWrapping) {
  Result<AudioBuffer> loud = AudioBuffer::Make(SampleRateHz::Of<8000>(), 1, {2.0f, -2.0f, 0.5f});
  ASSERT_TRUE(loud.ok());
  const std::string path = (dir_ / "clip.wav").string();
  ASSERT_TRUE(WriteAudioFile(path, *loud, OutputFormat::kWav16).ok());
  Result<DecodedAudio> back = DecodeFile(path);
  ASSERT_TRUE(back.ok());
  EXPECT_GT(back->buffer.samples()[0], 0.99f);
  EXPECT_LT(back->buffer.samples()[1], -0.99f);
  EXPECT_NEAR(back->buffer.samples()[2], 0.5f, 1e-4);
}

}  // namespace
}  // namespace accord::audio
