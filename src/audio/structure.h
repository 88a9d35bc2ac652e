// The shape of a track for a DJ: an energy curve and the intro and outro regions, where a
// mix can overlap the neighbouring track without two full arrangements clashing.
//
//   StructureInfo shape = AnalyzeStructure(buffer, grid);
//   shape.intro_end_s;    // 15.2: the body starts here
//   shape.outro_start_s;  // 201.4
//
// Energy is the RMS level of the mono mix in windows of kEnergyWindowSeconds, in dBFS. The
// body of the track is where the energy reaches within kBodyThresholdDb of its 90th
// percentile: the intro runs from the start to the first such window, the outro from the last
// one to the end. When a beat grid is given the boundaries snap to the nearest downbeat (bars
// are where DJs cut). A track with no quiet ends has intro_end_s = 0 and outro_start_s = its
// duration.
//
// Thread safety: reentrant.
#ifndef ACCORD_AUDIO_STRUCTURE_H_
#define ACCORD_AUDIO_STRUCTURE_H_

#include <vector>

#include "audio/rhythm.h"
#include "audio/types.h"

namespace accord::audio {

inline constexpr double kEnergyWindowSeconds = 0.5;
inline constexpr double kBodyThresholdDb = 6.0;

struct StructureInfo {
  double window_s = kEnergyWindowSeconds;
  std::vector<double> energy_dbfs;  // one value per window, from the start
  double intro_end_s = 0;
  double outro_start_s = 0;
};

// `mono` at `rate`; `grid` may be empty (no snapping).
StructureInfo AnalyzeStructure(const std::vector<float>& mono, SampleRateHz rate,
                               const BeatGrid& grid);

}  // namespace accord::audio

#endif  // ACCORD_AUDIO_STRUCTURE_H_
