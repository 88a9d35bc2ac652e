#include "audio/synth_test_util.h"

#include <cmath>
#include <numbers>
#include <random>

namespace accord::audio::testing {
namespace {

constexpr double kTwoPi = 2.0 * std::numbers::pi;

double MidiToHz(double note) { return 440.0 * std::pow(2.0, (note - 69.0) / 12.0); }

void AddKick(std::vector<float>& out, double rate_hz, int64_t start) {
  const auto length = static_cast<int64_t>(0.25 * rate_hz);
  double phase = 0;
  for (int64_t n = 0; n < length && start + n < static_cast<int64_t>(out.size()); ++n) {
    const double t = static_cast<double>(n) / rate_hz;
    const double frequency = 50.0 + 100.0 * std::exp(-t * 30.0);  // a falling pitch sweep
    phase += kTwoPi * frequency / rate_hz;
    out[start + n] += static_cast<float>(0.8 * std::exp(-t * 12.0) * std::sin(phase));
  }
}

void AddNoiseBurst(std::vector<float>& out, double rate_hz, int64_t start, double length_s,
                   double decay_per_s, double level, double tone_hz, std::mt19937& rng,
                   bool high_pass) {
  std::uniform_real_distribution<double> noise(-1.0, 1.0);
  const auto length = static_cast<int64_t>(length_s * rate_hz);
  double previous = 0;
  for (int64_t n = 0; n < length && start + n < static_cast<int64_t>(out.size()); ++n) {
    const double t = static_cast<double>(n) / rate_hz;
    double value = noise(rng);
    if (high_pass) {
      const double filtered = value - previous;  // first difference: hiss, no body
      previous = value;
      value = 0.5 * filtered;
    }
    if (tone_hz > 0) value = 0.6 * value + 0.6 * std::sin(kTwoPi * tone_hz * t);
    out[start + n] += static_cast<float>(level * std::exp(-t * decay_per_s) * value);
  }
}

void AddBass(std::vector<float>& out, double rate_hz, int64_t start, double length_s,
             double frequency_hz) {
  const auto length = static_cast<int64_t>(length_s * rate_hz);
  for (int64_t n = 0; n < length && start + n < static_cast<int64_t>(out.size()); ++n) {
    const double t = static_cast<double>(n) / rate_hz;
    const double envelope = std::min(1.0, t * 200.0) * std::exp(-t * 4.0);
    out[start + n] += static_cast<float>(0.25 * envelope * std::sin(kTwoPi * frequency_hz * t));
  }
}

}  // namespace

AudioBuffer Sine(SampleRateHz rate, int channels, double frequency_hz, double level_dbfs,
                 double duration_s) {
  const auto frames = static_cast<int64_t>(std::llround(duration_s * rate.hz()));
  const double amplitude = DbToAmplitude(level_dbfs);
  std::vector<float> samples(static_cast<size_t>(frames * channels));
  for (int64_t n = 0; n < frames; ++n) {
    const auto value = static_cast<float>(
        amplitude * std::sin(kTwoPi * frequency_hz * static_cast<double>(n) / rate.hz()));
    for (int channel = 0; channel < channels; ++channel) samples[n * channels + channel] = value;
  }
  return std::move(AudioBuffer::Make(rate, channels, std::move(samples))).value();
}

std::vector<float> DrumPattern(SampleRateHz rate, double bpm, double duration_s,
                               double first_beat_s, uint32_t seed, DrumStyle style,
                               bool accent_downbeats) {
  const bool four_on_the_floor = style == DrumStyle::kFourOnTheFloor;
  const double rate_hz = rate.hz();
  std::vector<float> out(static_cast<size_t>(duration_s * rate_hz));
  std::mt19937 rng(seed);
  const double beat_s = 60.0 / bpm;
  const double bass_notes_hz[4] = {55.0, 55.0, 65.41, 49.0};
  for (int64_t eighth = 0;; ++eighth) {
    const double time_s = first_beat_s + static_cast<double>(eighth) * beat_s / 2;
    if (time_s >= duration_s) break;
    const auto start = static_cast<int64_t>(time_s * rate_hz);
    if (!four_on_the_floor || eighth % 2 != 0) {
      AddNoiseBurst(out, rate_hz, start, 0.05, 80.0, 0.15, 0, rng, /*high_pass=*/true);
    }
    if (eighth % 2 != 0) continue;
    const int64_t beat = eighth / 2;
    const int64_t beat_in_bar = beat % 4;
    if (four_on_the_floor || beat_in_bar == 0 || beat_in_bar == 2) AddKick(out, rate_hz, start);
    if (beat_in_bar == 1 || beat_in_bar == 3) {
      AddNoiseBurst(out, rate_hz, start, 0.18, 18.0, 0.5, 190.0, rng, /*high_pass=*/false);
    }
    if (accent_downbeats && beat_in_bar == 0) {
      AddNoiseBurst(out, rate_hz, start, 0.9, 3.0, 0.25, 0, rng, /*high_pass=*/true);
    }
    AddBass(out, rate_hz, start, beat_s * 0.9, bass_notes_hz[(beat / 4) % 4]);
  }
  return out;
}

std::vector<float> ChordProgression(SampleRateHz rate, int tonic, bool minor, double duration_s,
                                    double chord_s) {
  const double rate_hz = rate.hz();
  std::vector<float> out(static_cast<size_t>(duration_s * rate_hz));
  // Degrees in semitones above the tonic: I/i, IV/iv, V (major in both: harmonic minor), I/i.
  const int roots[4] = {0, 5, 7, 0};
  const int tonic_midi = 60 + tonic;
  for (int64_t chord_index = 0;; ++chord_index) {
    const double start_s = static_cast<double>(chord_index) * chord_s;
    if (start_s >= duration_s) break;
    const int degree = roots[chord_index % 4];
    const bool dominant = degree == 7;
    const int third = (minor && !dominant) ? 3 : 4;
    const int root_midi = tonic_midi + degree - (degree >= 7 ? 12 : 0);
    const double notes[4] = {MidiToHz(root_midi - 12), MidiToHz(root_midi),
                             MidiToHz(root_midi + third), MidiToHz(root_midi + 7)};
    const auto start = static_cast<int64_t>(start_s * rate_hz);
    const auto length = static_cast<int64_t>(chord_s * rate_hz);
    for (int64_t n = 0; n < length && start + n < static_cast<int64_t>(out.size()); ++n) {
      const double t = static_cast<double>(n) / rate_hz;
      const double envelope = std::min(1.0, t * 50.0) * std::exp(-t * 1.5);
      double value = 0;
      for (double frequency : notes) {
        for (int harmonic = 1; harmonic <= 4; ++harmonic) {
          if (frequency * harmonic >= rate_hz / 2) break;
          value += std::sin(kTwoPi * frequency * harmonic * t) / harmonic;
        }
      }
      out[start + n] += static_cast<float>(0.08 * envelope * value);
    }
  }
  return out;
}

}  // namespace accord::audio::testing
