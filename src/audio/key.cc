#include "audio/key.h"

#include <dsp/keydetection/GetKeyMode.h>

#include <algorithm>
#include <array>
#include <memory>

namespace accord::audio {
namespace {

constexpr float kTuningFrequencyHz = 440.0f;
// Seconds of chroma averaged (hpcpAverage) and median-filtered (medianAverage) before each
// key decision: the values Mixxx uses.
constexpr double kChromaAverageWindows = 10;
constexpr double kMedianWindows = 10;

// Mean power of a block that may vote: -70 dBFS RMS.
constexpr double kMinVotingPower = 1e-7;

constexpr std::array<const char*, 12> kMajorNames = {"C",  "Db", "D",  "Eb", "E",  "F",
                                                     "F#", "G",  "Ab", "A",  "Bb", "B"};
constexpr std::array<const char*, 12> kMinorNames = {"Cm",  "C#m", "Dm",  "Ebm", "Em",  "Fm",
                                                     "F#m", "Gm",  "G#m", "Am",  "Bbm", "Bm"};

}  // namespace

std::string Key::Name() const {
  if (!found) return "";
  return minor ? kMinorNames[tonic] : kMajorNames[tonic];
}

std::string Key::Camelot() const {
  if (!found) return "";
  // The wheel steps by fifths (7 semitones); C major is 8B and A minor, its relative, is 8A.
  const int major_tonic = minor ? (tonic + 3) % 12 : tonic;
  const int number = (major_tonic * 7 + 7) % 12 + 1;
  return std::to_string(number) + (minor ? "A" : "B");
}

Result<Key> DetectKey(const std::vector<float>& mono, SampleRateHz rate) {
  Key result;
  auto detector = std::make_unique<GetKeyMode>(rate.hz(), kTuningFrequencyHz, kChromaAverageWindows,
                                               kMedianWindows);
  const size_t block = detector->getBlockSize();
  const size_t hop = detector->getHopSize();
  if (block == 0 || hop == 0) return InternalError("qm-dsp key detector: zero block size");
  if (mono.size() < block) return result;

  // qm-dsp returns 1..12 for C..B major and 13..24 for C..B minor (0: no decision yet).
  std::array<int64_t, 25> votes{};
  std::vector<double> frame(block);
  int64_t decisions = 0;
  for (size_t start = 0; start + block <= mono.size(); start += hop) {
    std::copy(mono.begin() + static_cast<std::ptrdiff_t>(start),
              mono.begin() + static_cast<std::ptrdiff_t>(start + block), frame.begin());
    const int key = detector->process(frame.data());
    double energy = 0;
    for (double sample : frame) energy += sample * sample;
    // Silent blocks still return a key (the profiles correlate with an all-zero chroma);
    // only blocks with signal vote.
    const bool audible = energy / static_cast<double>(block) > kMinVotingPower;
    if (audible && key >= 1 && key <= 24) {
      ++votes[key];
      ++decisions;
    }
  }
  if (decisions == 0) return result;
  const auto best = std::max_element(votes.begin() + 1, votes.end());
  const int key = static_cast<int>(best - votes.begin());
  result.found = true;
  result.minor = key > 12;
  result.tonic = (key - 1) % 12;
  result.confidence = static_cast<double>(*best) / static_cast<double>(decisions);
  return result;
}

}  // namespace accord::audio
