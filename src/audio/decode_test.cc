// Decoding: each container round-trips, and every kind of bad input named in the issue gets a
// clear Status naming the file (or a correct result), never a crash.
#include "audio/decode.h"

#include <gtest/gtest.h>
#include <sndfile.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "audio/encode.h"
#include "audio/synth_test_util.h"

namespace accord::audio {
namespace {

class DecodeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("accord_decode_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  std::string WriteBytes(const std::string& name, const std::string& bytes) const {
    const std::string path = Path(name);
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  std::string ReadBytes(const std::string& path) const {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  // A file written through libsndfile directly (not our encoder), as another program would.
  std::string WriteWithSndfile(const std::string& name, int format, int rate_hz, int channels,
                               const std::vector<float>& interleaved) const {
    const std::string path = Path(name);
    SF_INFO info{};
    info.samplerate = rate_hz;
    info.channels = channels;
    info.format = format;
    SNDFILE* file = sf_open(path.c_str(), SFM_WRITE, &info);
    EXPECT_NE(file, nullptr) << sf_strerror(nullptr);
    if (file == nullptr) return path;
    sf_writef_float(file, interleaved.data(),
                    static_cast<sf_count_t>(interleaved.size()) / channels);
    sf_close(file);
    return path;
  }

  std::filesystem::path dir_;
};

std::vector<float> Ramp(int64_t frames, int channels) {
  std::vector<float> samples(static_cast<size_t>(frames * channels));
  for (int64_t frame = 0; frame < frames; ++frame) {
    for (int channel = 0; channel < channels; ++channel) {
      samples[frame * channels + channel] =
          0.5f * std::sin(0.01f * static_cast<float>(frame) * static_cast<float>(channel + 1));
    }
  }
  return samples;
}

TEST_F(DecodeTest, Wav16RoundTripsSamplesWithinQuantisation) {
  const std::vector<float> samples = Ramp(1000, 2);
  const std::string path =
      WriteWithSndfile("a.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 44100, 2, samples);
  Result<DecodedAudio> decoded = DecodeFile(path);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->format, "wav/pcm_16");
  EXPECT_EQ(decoded->buffer.sample_rate().hz(), 44100);
  EXPECT_EQ(decoded->buffer.channels(), 2);
  ASSERT_EQ(decoded->buffer.frames(), 1000);
  for (size_t index = 0; index < samples.size(); ++index) {
    ASSERT_NEAR(decoded->buffer.samples()[index], samples[index], 1.0 / 32768 + 1e-6);
  }
}

TEST_F(DecodeTest, FlacOggAndOpusDecodeWithTheirFormatNames) {
  const std::vector<float> samples = Ramp(48000, 2);
  struct Case {
    const char* name;
    int format;
    const char* expected;
  };
  for (const Case& c : {Case{"a.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_24, "flac/pcm_24"},
                        Case{"a.ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS, "ogg/vorbis"},
                        Case{"a.opus", SF_FORMAT_OGG | SF_FORMAT_OPUS, "ogg/opus"}}) {
    const std::string path = WriteWithSndfile(c.name, c.format, 48000, 2, samples);
    Result<DecodedAudio> decoded = DecodeFile(path);
    ASSERT_TRUE(decoded.ok()) << c.name << ": " << decoded.status().ToString();
    EXPECT_EQ(decoded->format, c.expected);
    EXPECT_EQ(decoded->buffer.channels(), 2);
    // Lossy codecs may pad or trim a little; the length stays within 20 ms.
    EXPECT_NEAR(static_cast<double>(decoded->buffer.frames()), 48000.0, 960.0) << c.name;
  }
}

TEST_F(DecodeTest, Mp3GoesThroughMpg123) {
  SF_INFO probe{};
  probe.samplerate = 44100;
  probe.channels = 2;
  probe.format = SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III;
  if (!sf_format_check(&probe)) GTEST_SKIP() << "this libsndfile cannot write MP3 to test with";
  const AudioBuffer sine = testing::Sine(SampleRateHz::Of<44100>(), 2, 440, -6, 2.0);
  const std::string path = WriteWithSndfile("a.mp3", SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III,
                                            44100, 2, sine.samples());
  Result<DecodedAudio> decoded = DecodeFile(path);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->format, "mp3");
  EXPECT_EQ(decoded->buffer.sample_rate().hz(), 44100);
  EXPECT_EQ(decoded->buffer.channels(), 2);
  // MP3 adds encoder delay and padding (a few frames of 1152 samples).
  EXPECT_NEAR(decoded->buffer.duration_seconds(), 2.0, 0.1);
  float peak = 0;
  for (float sample : decoded->buffer.samples()) peak = std::max(peak, std::fabs(sample));
  EXPECT_NEAR(AmplitudeToDb(peak), -6.0, 1.0);
}

TEST_F(DecodeTest, MissingFileIsNotFoundNamingThePath) {
  Result<DecodedAudio> decoded = DecodeFile(Path("nope.wav"));
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kNotFound);
  EXPECT_NE(decoded.status().message().find("nope.wav"), std::string::npos);
}

TEST_F(DecodeTest, DirectoryIsRefused) {
  Result<DecodedAudio> decoded = DecodeFile(dir_.string());
  EXPECT_FALSE(decoded.ok());
}

TEST_F(DecodeTest, EmptyFileIsInvalidArgument) {
  Result<DecodedAudio> decoded = DecodeFile(WriteBytes("empty.wav", ""));
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(decoded.status().message().find("empty.wav: empty file"), std::string::npos);
}

TEST_F(DecodeTest, TextFileIsNotAudio) {
  Result<DecodedAudio> decoded =
      DecodeFile(WriteBytes("notes.mp3", "ISRC,title\nUSRC17607839,Song\n"));
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(decoded.status().message().find("notes.mp3: not a recognised audio file"),
            std::string::npos)
      << decoded.status().message();
}

TEST_F(DecodeTest, TruncatedWavIsDataLoss) {
  const std::string good = ReadBytes(
      WriteWithSndfile("good.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 44100, 2, Ramp(44100, 2)));
  const std::string path = WriteBytes("cut.wav", good.substr(0, good.size() / 2));
  Result<DecodedAudio> decoded = DecodeFile(path);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(decoded.status().message().find("truncated"), std::string::npos)
      << decoded.status().message();
}

TEST_F(DecodeTest, TruncatedOggIsAnErrorOrAShorterCorrectResult) {
  const std::string good = ReadBytes(
      WriteWithSndfile("good.ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS, 44100, 2, Ramp(4 * 44100, 2)));
  Result<DecodedAudio> decoded = DecodeFile(WriteBytes("cut.ogg", good.substr(0, good.size() / 2)));
  if (decoded.ok()) {
    EXPECT_LT(decoded->buffer.frames(), 4 * 44100);
  } else {
    EXPECT_NE(decoded.status().message().find("cut.ogg"), std::string::npos);
  }
}

TEST_F(DecodeTest, HeaderOnlyWavHasNoAudio) {
  const std::string good = ReadBytes(
      WriteWithSndfile("good.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 44100, 1, Ramp(100, 1)));
  Result<DecodedAudio> decoded = DecodeFile(WriteBytes("head.wav", good.substr(0, 44)));
  EXPECT_FALSE(decoded.ok());
}

// A canonical 44-byte WAV header with chosen fields, for headers no encoder would write.
std::string WavHeader(uint16_t channels, uint32_t rate_hz, uint16_t bits, uint32_t data_bytes) {
  std::string header = "RIFF";
  auto put32 = [&](uint32_t v) { header.append(reinterpret_cast<const char*>(&v), 4); };
  auto put16 = [&](uint16_t v) { header.append(reinterpret_cast<const char*>(&v), 2); };
  put32(36 + data_bytes);
  header += "WAVEfmt ";
  put32(16);
  put16(1);
  put16(channels);
  put32(rate_hz);
  put32(rate_hz * channels * bits / 8);
  put16(static_cast<uint16_t>(channels * bits / 8));
  put16(bits);
  header += "data";
  put32(data_bytes);
  return header;
}

TEST_F(DecodeTest, HugeHeaderClaimsAreRefusedBeforeAllocating) {
  // 4 GiB of data promised, 16 bytes present.
  Result<DecodedAudio> huge_data = DecodeFile(
      WriteBytes("huge.wav", WavHeader(2, 44100, 16, 0xFFFFFFF0u) + std::string(16, 'x')));
  EXPECT_FALSE(huge_data.ok() && huge_data->buffer.frames() > 4);
  Result<DecodedAudio> many_channels = DecodeFile(
      WriteBytes("chan.wav", WavHeader(1000, 44100, 16, 4000) + std::string(4000, '\0')));
  ASSERT_FALSE(many_channels.ok());
  Result<DecodedAudio> silly_rate =
      DecodeFile(WriteBytes("rate.wav", WavHeader(2, 3, 16, 400) + std::string(400, '\0')));
  ASSERT_FALSE(silly_rate.ok());
  EXPECT_NE(silly_rate.status().message().find("rate.wav"), std::string::npos);
}

TEST_F(DecodeTest, OneSampleFileDecodes) {
  Result<DecodedAudio> decoded =
      DecodeFile(WriteWithSndfile("one.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 44100, 1, {0.25f}));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ASSERT_EQ(decoded->buffer.frames(), 1);
  EXPECT_NEAR(decoded->buffer.samples()[0], 0.25f, 1e-4);
}

TEST_F(DecodeTest, MonoSixChannelAndExtremeRatesDecode) {
  struct Case {
    int rate_hz;
    int channels;
  };
  for (const Case& c : {Case{44100, 1}, Case{48000, 6}, Case{8000, 1}, Case{192000, 2}}) {
    const std::string name = std::to_string(c.rate_hz) + "_" + std::to_string(c.channels) + ".flac";
    Result<DecodedAudio> decoded =
        DecodeFile(WriteWithSndfile(name, SF_FORMAT_FLAC | SF_FORMAT_PCM_16, c.rate_hz, c.channels,
                                    Ramp(c.rate_hz / 10, c.channels)));
    ASSERT_TRUE(decoded.ok()) << name << ": " << decoded.status().ToString();
    EXPECT_EQ(decoded->buffer.sample_rate().hz(), c.rate_hz);
    EXPECT_EQ(decoded->buffer.channels(), c.channels);
    EXPECT_EQ(decoded->buffer.frames(), c.rate_hz / 10);
  }
}

TEST_F(DecodeTest, NonFiniteFloatSamplesAreDataLoss) {
  std::vector<float> samples = Ramp(100, 1);
  samples[42] = std::nanf("");
  Result<DecodedAudio> decoded =
      DecodeFile(WriteWithSndfile("nan.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, 44100, 1, samples));
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(decoded.status().message().find("frame 42"), std::string::npos);
}

TEST_F(DecodeTest, DurationLimitIsEnforced) {
  const std::string path =
      WriteWithSndfile("long.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 8000, 1, Ramp(8000 * 5, 1));
  DecodeLimits limits;
  limits.max_duration_ms = 2000;
  Result<DecodedAudio> decoded = DecodeFile(path, limits);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(DecodeFile(path).ok());
}

TEST_F(DecodeTest, FileSizeLimitIsEnforced) {
  const std::string path =
      WriteWithSndfile("big.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 8000, 1, Ramp(8000, 1));
  DecodeLimits limits;
  limits.max_file_bytes = 1000;
  Result<DecodedAudio> decoded = DecodeFile(path, limits);
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.status().message().find("over the limit"), std::string::npos);
}

TEST_F(DecodeTest, ContainerIsRecognisedByContentNotName) {
  const std::string good = ReadBytes(
      WriteWithSndfile("real.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 44100, 1, Ramp(4410, 1)));
  Result<DecodedAudio> decoded = DecodeFile(WriteBytes("misnamed.mp3", good));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->format, "flac/pcm_16");
}

TEST(AudioBufferTest, MakeChecksShape) {
  const SampleRateHz rate = SampleRateHz::Of<8000>();
  EXPECT_FALSE(AudioBuffer::Make(rate, 0, {}).ok());
  EXPECT_FALSE(AudioBuffer::Make(rate, kMaxChannels + 1, {}).ok());
  EXPECT_FALSE(AudioBuffer::Make(rate, 2, {1, 2, 3}).ok());
  Result<AudioBuffer> buffer = AudioBuffer::Make(rate, 2, {1, 3, 5, 7});
  ASSERT_TRUE(buffer.ok());
  EXPECT_EQ(buffer->frames(), 2);
  EXPECT_EQ(buffer->MixToMono(), (std::vector<float>{2, 6}));
  EXPECT_EQ(buffer->Planar(), (std::vector<std::vector<float>>{{1, 5}, {3, 7}}));
  EXPECT_FALSE(SampleRateHz::FromHz(999).ok());
  EXPECT_FALSE(SampleRateHz::FromHz(768001).ok());
  EXPECT_TRUE(SampleRateHz::FromHz(192000).ok());
}

}  // namespace
}  // namespace accord::audio
