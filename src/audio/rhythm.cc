#include "audio/rhythm.h"

#include <dsp/onsets/DetectionFunction.h>
#include <dsp/tempotracking/DownBeat.h>
#include <dsp/tempotracking/TempoTrackV2.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>

namespace accord::audio {
namespace {

// The QM tempo tracker was designed around a detection function at 512-sample steps of
// 44.1 kHz audio (11.6 ms, 86 values a second): its Rayleigh tempo prior and comb filters are
// expressed in steps. Scaling the step with the rate keeps that resolution at any rate.
constexpr double kStepSeconds = 512.0 / 44100.0;
// The downbeat finder works on audio decimated to about 2.8 kHz (44.1 kHz / 16).
constexpr double kDownbeatRateHz = 2756.25;
// Beat intervals within this fraction of the median count as "on the grid".
constexpr double kGridTolerance = 0.08;
// Thresholds of the octave check in TrackBeats.
constexpr double kHalfTimeAlternation = 0.85;
constexpr double kHalfTimeMinOffbeat = 0.2;
constexpr double kDoubleTimeAlternation = 0.5;
constexpr double kDoubleTimeMaxOffbeat = 0.1;
// A bar position is an accent when its beats' mean onset strength beats every other's by 10%.
constexpr double kAccentMargin = 1.1;

size_t NextPowerOfTwo(size_t value) {
  size_t power = 1;
  while (power < value) power <<= 1;
  return power;
}

double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  const size_t mid = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid), values.end());
  return values[mid];
}

// The largest detection-function value within `radius` steps of `position`.
double PeakNear(const std::vector<double>& df, double position, int radius) {
  const auto center = static_cast<int64_t>(std::lround(position));
  double best = 0;
  for (int64_t index = center - radius; index <= center + radius; ++index) {
    if (index >= 0 && index < static_cast<int64_t>(df.size())) best = std::max(best, df[index]);
  }
  return best;
}

// How strongly the onsets half way between the tracked beats compare with those on them.
// Near 1 (or above) means the half-way points are beats of equal weight: the tracker locked
// on every other beat. Well below 1 means they are off-beats (hi-hats between kick and snare).
double OffbeatRatio(const std::vector<double>& df, const std::vector<double>& beats) {
  double on = 0;
  double off = 0;
  for (size_t index = 0; index + 1 < beats.size(); ++index) {
    on += PeakNear(df, beats[index], 2);
    off += PeakNear(df, 0.5 * (beats[index] + beats[index + 1]), 2);
  }
  return on > 0 ? off / on : 0;
}

// The weaker of the two alternating beat sets (odd, even) over the stronger: near 1 when every
// beat carries similar weight, low when every other beat is only a subdivision.
double AlternationRatio(const std::vector<double>& df, const std::vector<double>& beats) {
  double even = 0;
  double odd = 0;
  for (size_t index = 0; index < beats.size(); ++index) {
    (index % 2 == 0 ? even : odd) += PeakNear(df, beats[index], 2);
  }
  const double stronger = std::max(even, odd);
  return stronger > 0 ? std::min(even, odd) / stronger : 0;
}

// Inserts a beat half way between each pair a full period apart: the grid at twice the tempo.
// Pairs already closer (the tracker sometimes follows the fast level for a beat or two before
// settling) keep their spacing, so those stretches do not become four times as dense.
std::vector<double> DoubleBeats(const std::vector<double>& beats, double period_steps) {
  std::vector<double> doubled;
  for (size_t index = 0; index < beats.size(); ++index) {
    doubled.push_back(beats[index]);
    if (index + 1 < beats.size() && beats[index + 1] - beats[index] > 0.75 * period_steps) {
      doubled.push_back(0.5 * (beats[index] + beats[index + 1]));
    }
  }
  return doubled;
}

// Keeps every other beat, the set (odd or even) that carries more onset strength.
std::vector<double> HalveBeats(const std::vector<double>& df, const std::vector<double>& beats) {
  double strength[2] = {0, 0};
  for (size_t index = 0; index < beats.size(); ++index) {
    strength[index % 2] += PeakNear(df, beats[index], 2);
  }
  const size_t first = strength[1] > strength[0] ? 1 : 0;
  std::vector<double> halved;
  for (size_t index = first; index < beats.size(); index += 2) halved.push_back(beats[index]);
  return halved;
}

// The position in the bar whose beats carry clearly (kAccentMargin) more onset strength than
// any other, or -1 when none stands out.
int AccentPhase(const std::vector<double>& df, const std::vector<double>& beats,
                int beats_per_bar) {
  std::vector<double> strength(static_cast<size_t>(beats_per_bar), 0.0);
  std::vector<int> count(static_cast<size_t>(beats_per_bar), 0);
  for (size_t index = 0; index < beats.size(); ++index) {
    strength[index % beats_per_bar] += PeakNear(df, beats[index], 2);
    ++count[index % beats_per_bar];
  }
  int best = -1;
  double best_value = 0;
  double second_value = 0;
  for (int phase = 0; phase < beats_per_bar; ++phase) {
    const double value = count[phase] > 0 ? strength[phase] / count[phase] : 0;
    if (value > best_value) {
      second_value = best_value;
      best_value = value;
      best = phase;
    } else if (value > second_value) {
      second_value = value;
    }
  }
  return best_value > kAccentMargin * second_value ? best : -1;
}

}  // namespace

Result<BeatGrid> TrackBeats(const std::vector<float>& mono, SampleRateHz rate,
                            const TempoOptions& options) {
  if (options.beats_per_bar < 2 || options.beats_per_bar > 12) {
    return InvalidArgumentError("beats_per_bar must be in [2, 12]");
  }
  if (!(options.min_bpm > 0) || !(options.max_bpm >= 2 * options.min_bpm)) {
    return InvalidArgumentError("the BPM range must be positive and span at least an octave");
  }
  BeatGrid grid;
  grid.beats_per_bar = options.beats_per_bar;
  const double rate_hz = rate.hz();
  if (static_cast<double>(mono.size()) < kMinBeatTrackSeconds * rate_hz) return grid;

  // Step a multiple of the downbeat decimation factor, as DownBeat requires.
  const auto decimation = static_cast<size_t>(
      std::clamp<double>(NextPowerOfTwo(static_cast<size_t>(rate_hz / kDownbeatRateHz)), 1, 64));
  size_t step = static_cast<size_t>(std::lround(rate_hz * kStepSeconds));
  step = std::max(decimation, step / decimation * decimation);
  const size_t frame_length = 2 * step;

  DFConfig config{};
  config.stepSize = static_cast<unsigned>(step);
  config.frameLength = static_cast<unsigned>(frame_length);
  config.DFType = DF_COMPLEXSD;
  config.dbRise = 3;
  config.adaptiveWhitening = false;
  config.whiteningRelaxCoeff = -1;
  config.whiteningFloor = -1;
  DetectionFunction detection(config);
  DownBeat downbeat(static_cast<float>(rate_hz), decimation, step);
  downbeat.setBeatsPerBar(options.beats_per_bar);

  // Windows are centred on multiples of the step: half a window of silence goes first, so
  // detection-function value k describes the audio around sample k * step.
  std::vector<double> window(frame_length);
  std::vector<float> block(step);
  std::vector<double> df;
  const auto total = static_cast<int64_t>(mono.size());
  const auto half = static_cast<int64_t>(frame_length / 2);
  for (int64_t center = 0; center < total; center += static_cast<int64_t>(step)) {
    for (size_t offset = 0; offset < frame_length; ++offset) {
      const int64_t index = center - half + static_cast<int64_t>(offset);
      window[offset] = index >= 0 && index < total ? mono[index] : 0.0;
    }
    df.push_back(detection.processTimeDomain(window.data()));
    for (size_t offset = 0; offset < step; ++offset) {
      const int64_t index = center + static_cast<int64_t>(offset);
      block[offset] = index < total ? mono[index] : 0.0f;
    }
    downbeat.pushAudioBlock(block.data());
  }
  // The first two values see the step from digital silence into the signal; the Vamp plugin
  // and Mixxx drop them for that reason, and so do we (zeroing keeps the indices aligned).
  for (size_t index = 0; index < std::min<size_t>(2, df.size()); ++index) df[index] = 0;
  if (*std::max_element(df.begin(), df.end()) <= 0) return grid;

  TempoTrackV2 tracker(static_cast<float>(rate_hz), step);
  std::vector<double> beat_period(df.size(), 0.0);
  std::vector<double> tempi;
  tracker.calculateBeatPeriod(df, beat_period, tempi);
  std::vector<double> beats;
  tracker.calculateBeats(df, beat_period, beats);
  if (beats.size() < 4) return grid;

  std::vector<double> intervals;
  for (size_t index = 1; index < beats.size(); ++index) {
    intervals.push_back(beats[index] - beats[index - 1]);
  }
  const double median = Median(intervals);
  double sum = 0;
  int on_grid = 0;
  for (double interval : intervals) {
    if (std::fabs(interval - median) <= kGridTolerance * median) {
      sum += interval;
      ++on_grid;
    }
  }
  const double period_steps = sum / on_grid;
  const double raw_bpm = 60.0 / (period_steps * static_cast<double>(step) / rate_hz);
  grid.confidence = static_cast<double>(on_grid) / static_cast<double>(intervals.size());

  // Octave check. TempoTrackV2 weighs tempi with a Rayleigh prior peaking at 120 BPM, so it
  // reports fast tracks (metal at 180, drum and bass at 174) at half their tempo, and can
  // count the eighth notes of a slow track as beats. Two measures of the detection function
  // on the tracked grid tell these cases apart (docs/audio.md has the figures):
  //  - alternation: the weaker of the odd and even beats over the stronger. A backbeat makes
  //    beats alternate (kick, snare: about 0.3-0.55); when every tracked beat is the same
  //    drum (kick, kick: above 0.85) the snares lie between them and the grid is half-time.
  //  - offbeat: the onsets half way between beats over those on them. When nothing happens
  //    between beats (under 0.1) while every other beat is weak, the tracker has counted
  //    subdivisions and the grid is double-time.
  const double alternation = AlternationRatio(df, beats);
  const double offbeat = OffbeatRatio(df, beats);
  double bpm = raw_bpm;
  if (alternation >= kHalfTimeAlternation && offbeat >= kHalfTimeMinOffbeat &&
      2 * raw_bpm <= options.max_bpm) {
    beats = DoubleBeats(beats, period_steps);
    bpm = 2 * raw_bpm;
  } else if (alternation < kDoubleTimeAlternation && offbeat < kDoubleTimeMaxOffbeat &&
             raw_bpm / 2 >= options.min_bpm) {
    beats = HalveBeats(df, beats);
    bpm = raw_bpm / 2;
  }
  // Whatever is still outside the range is folded in by octaves; the grid is left as
  // tracked, since a tempo outside the range is the caller's convention, not the music's.
  while (bpm > options.max_bpm) bpm /= 2;
  while (bpm < options.min_bpm) bpm *= 2;

  std::vector<int> downbeat_indices;
  size_t decimated_length = 0;
  const float* decimated = downbeat.getBufferedAudio(decimated_length);
  if (beats.size() >= static_cast<size_t>(2 * options.beats_per_bar)) {
    downbeat.findDownBeats(decimated, decimated_length, beats, downbeat_indices);
  }

  grid.bpm = bpm;
  // Detection-function value k peaks about one step after an onset at k * step (the complex
  // spectral difference needs the frame after the attack); measured on synthesized clicks.
  for (double beat : beats) {
    grid.beat_times_s.push_back(std::max(0.0, (beat - 1.0) * static_cast<double>(step) / rate_hz));
  }
  // DownBeat places bars where the spectrum changes most (chord changes). Where one position
  // in the bar clearly carries the strongest onsets (a crash and kick on the one), that
  // accent decides instead: it is the more direct evidence, and DownBeat can land one beat
  // off on grids the octave check rebuilt.
  int phase = downbeat_indices.empty() ? 0 : downbeat_indices.front() % options.beats_per_bar;
  const int accent_phase = AccentPhase(df, beats, options.beats_per_bar);
  if (accent_phase >= 0) phase = accent_phase;
  for (size_t index = static_cast<size_t>(phase); index < beats.size();
       index += static_cast<size_t>(options.beats_per_bar)) {
    grid.downbeat_beats.push_back(static_cast<int>(index));
  }
  return grid;
}

}  // namespace accord::audio
