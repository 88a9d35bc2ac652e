#include "audio/structure.h"

#include <algorithm>
#include <cmath>

namespace accord::audio {
namespace {

// The time of the downbeat nearest to `time_s`, or `time_s` itself when there is none within
// two bars (a grid that does not cover the region says nothing about it).
double SnapToDownbeat(double time_s, const BeatGrid& grid) {
  if (grid.downbeat_beats.empty() || grid.bpm <= 0) return time_s;
  const double bar_s = 60.0 / grid.bpm * grid.beats_per_bar;
  double best = time_s;
  double best_distance = 2 * bar_s;
  for (int index : grid.downbeat_beats) {
    const double candidate = grid.beat_times_s[index];
    if (std::fabs(candidate - time_s) < best_distance) {
      best_distance = std::fabs(candidate - time_s);
      best = candidate;
    }
  }
  return best;
}

}  // namespace

StructureInfo AnalyzeStructure(const std::vector<float>& mono, SampleRateHz rate,
                               const BeatGrid& grid) {
  StructureInfo info;
  const double duration_s = static_cast<double>(mono.size()) / rate.hz();
  info.outro_start_s = duration_s;
  const auto window = static_cast<size_t>(std::max(1.0, kEnergyWindowSeconds * rate.hz()));
  for (size_t start = 0; start < mono.size(); start += window) {
    const size_t end = std::min(mono.size(), start + window);
    double sum = 0;
    for (size_t index = start; index < end; ++index) sum += double{mono[index]} * mono[index];
    info.energy_dbfs.push_back(AmplitudeToDb(std::sqrt(sum / static_cast<double>(end - start))));
  }
  if (info.energy_dbfs.size() < 3) return info;

  std::vector<double> sorted = info.energy_dbfs;
  const size_t p90 = sorted.size() * 9 / 10;
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(p90), sorted.end());
  const double threshold = sorted[p90] - kBodyThresholdDb;
  size_t first = 0;
  while (first < info.energy_dbfs.size() && info.energy_dbfs[first] < threshold) ++first;
  size_t last = info.energy_dbfs.size() - 1;
  while (last > first && info.energy_dbfs[last] < threshold) --last;

  info.intro_end_s = SnapToDownbeat(static_cast<double>(first) * kEnergyWindowSeconds, grid);
  info.outro_start_s = std::min(
      duration_s, SnapToDownbeat(static_cast<double>(last + 1) * kEnergyWindowSeconds, grid));
  if (first == 0) info.intro_end_s = 0;
  if (last + 1 == info.energy_dbfs.size()) info.outro_start_s = duration_s;
  info.intro_end_s = std::clamp(info.intro_end_s, 0.0, duration_s);
  info.outro_start_s = std::clamp(info.outro_start_s, info.intro_end_s, duration_s);
  return info;
}

}  // namespace accord::audio
