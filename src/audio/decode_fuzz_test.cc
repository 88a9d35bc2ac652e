// A short, deterministic fuzz of the decode and analysis path: random bytes, and valid files
// of each container with bytes flipped, cut or overwritten. Every input must give a Status or
// a well-formed buffer (and, for those, an analysis) within a time budget; a crash, a hang or
// a sanitizer report fails the test. Long runs: ACCORD_FUZZ_SECONDS=600.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "audio/analysis.h"
#include "audio/decode.h"
#include "audio/encode.h"
#include "audio/synth_test_util.h"

// libsndfile 1.2.0 leaks the vorbis_info of an Ogg stream whose headers fail to parse
// (vorbis_info_init without vorbis_info_clear on its error path): a fault in the library, not
// here, seen only on corrupt Ogg input. It is suppressed by name so that any other leak still
// fails the sanitizer build.
extern "C" const char* __lsan_default_suppressions() { return "leak:vorbis_info_init\n"; }

namespace accord::audio {
namespace {

double BudgetSeconds() {
  const char* value = std::getenv("ACCORD_FUZZ_SECONDS");
  return value != nullptr ? std::atof(value) : 4.0;
}

std::string Slurp(const std::string& path) {
  Result<DecodedAudio> check = DecodeFile(path);
  EXPECT_TRUE(check.ok()) << check.status().ToString();
  FILE* file = std::fopen(path.c_str(), "rb");
  std::string bytes;
  if (file == nullptr) return bytes;
  char buffer[4096];
  size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof(buffer), file)) > 0) bytes.append(buffer, got);
  std::fclose(file);
  return bytes;
}

// Small valid files of each container, the seeds that mutations start from.
std::vector<std::string> Seeds() {
  const AudioBuffer tone = testing::Sine(SampleRateHz::Of<16000>(), 2, 440, -10, 0.5);
  std::vector<std::string> seeds;
  const std::string dir = ::testing::TempDir();
  for (const char* name : {"wav", "flac", "ogg", "opus"}) {
    const std::string path = dir + "/accord_fuzz_seed." + name;
    EXPECT_TRUE(WriteAudioFile(path, tone, ParseOutputFormat(name).value()).ok());
    seeds.push_back(Slurp(path));
    std::remove(path.c_str());
  }
  // An MPEG frame header (MPEG-1 layer III, 128 kbit/s, 44.1 kHz) followed by noise: drives
  // mpg123 through its resync paths.
  seeds.push_back(std::string("\xFF\xFB\x90\x64", 4) + std::string(2000, '\x55'));
  seeds.push_back(std::string("ID3\x04\x00\x00\x00\x00\x00\x10", 10) + std::string(64, '\0'));
  return seeds;
}

std::string Mutate(const std::string& seed, std::mt19937& rng) {
  std::string bytes = seed;
  std::uniform_int_distribution<int> kind(0, 3);
  std::uniform_int_distribution<int> byte(0, 255);
  switch (kind(rng)) {
    case 0: {  // flip a few bytes, more often in the header
      const int flips = 1 + static_cast<int>(rng() % 8);
      for (int n = 0; n < flips && !bytes.empty(); ++n) {
        const size_t limit = (rng() % 2 == 0) ? std::min<size_t>(bytes.size(), 64) : bytes.size();
        bytes[rng() % limit] = static_cast<char>(byte(rng));
      }
      break;
    }
    case 1:  // truncate
      bytes.resize(rng() % (bytes.size() + 1));
      break;
    case 2: {  // overwrite a run with 0xFF (huge lengths in little-endian fields)
      if (bytes.size() > 8) {
        const size_t at = rng() % (bytes.size() - 4);
        for (size_t n = 0; n < 4; ++n) bytes[at + n] = '\xFF';
      }
      break;
    }
    default: {  // random bytes behind the seed's first 4 (its magic number)
      bytes.resize(std::min<size_t>(bytes.size(), 4) + rng() % 4096);
      for (size_t n = 4; n < bytes.size(); ++n) bytes[n] = static_cast<char>(byte(rng));
    }
  }
  return bytes;
}

TEST(DecodeFuzzTest, MutatedAndRandomInputsNeverCrash) {
  const std::vector<std::string> seeds = Seeds();
  std::mt19937 rng(20261125);
  DecodeLimits limits;
  limits.max_duration_ms = 60'000;  // analysis of a lucky mutant stays short
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::duration<double>(BudgetSeconds());
  int64_t inputs = 0;
  int64_t decoded = 0;
  AnalysisOptions analysis;
  analysis.limits = limits;
  while (std::chrono::steady_clock::now() < deadline) {
    std::string bytes;
    if (inputs % 5 == 0) {
      bytes.resize(rng() % 2048);
      for (char& c : bytes) c = static_cast<char>(rng());
    } else {
      bytes = Mutate(seeds[static_cast<size_t>(inputs) % seeds.size()], rng);
    }
    ++inputs;
    Result<DecodedAudio> result = DecodeMemory(bytes, "fuzz-input", limits);
    if (!result.ok()) {
      ASSERT_NE(result.status().message().find("fuzz-input"), std::string::npos)
          << result.status().ToString();
      continue;
    }
    ++decoded;
    const AudioBuffer& buffer = result->buffer;
    ASSERT_GT(buffer.frames(), 0);
    for (float sample : buffer.samples()) ASSERT_TRUE(std::isfinite(sample));
    // Every tenth survivor goes through the whole analysis as well.
    if (decoded % 10 == 1) {
      Result<TrackAnalysis> track = AnalyzeBuffer(buffer, analysis);
      ASSERT_TRUE(track.ok()) << track.status().ToString();
    }
  }
  EXPECT_GT(inputs, 50) << "the fuzz loop barely ran";
  RecordProperty("inputs", std::to_string(inputs));
  RecordProperty("decoded", std::to_string(decoded));
  std::printf("fuzz: %lld inputs, %lld decoded\n", static_cast<long long>(inputs),
              static_cast<long long>(decoded));
}

}  // namespace
}  // namespace accord::audio
