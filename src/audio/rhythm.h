// Tempo, beat grid and downbeats, with the Queen Mary tempo tracker (qm-dsp's
// DetectionFunction + TempoTrackV2 + DownBeat, the chain Mixxx and the QM Vamp plugins use),
// plus an octave check of our own that picks between the tracker's tempo and its double or
// half (see rhythm.cc and docs/audio.md for why and how).
//
//   ACCORD_ASSIGN_OR_RETURN(BeatGrid grid, TrackBeats(mono, SampleRateHz::Of<44100>()));
//   grid.bpm;             // 174.2
//   grid.beat_times_s;    // every beat, in seconds from the start
//   grid.downbeat_beats;  // indices into beat_times_s of the first beat of each bar
//
// Audio too short or too quiet to carry a beat (under kMinBeatTrackSeconds, or silence) is not
// an error: the grid is empty and bpm is 0, so callers can show "no tempo".
//
// Thread safety: reentrant.
#ifndef ACCORD_AUDIO_RHYTHM_H_
#define ACCORD_AUDIO_RHYTHM_H_

#include <vector>

#include "audio/types.h"
#include "core/status.h"

namespace accord::audio {

// TempoTrackV2 estimates the beat period over windows of 512 detection-function steps (about
// 6 s); shorter audio gets an empty grid rather than a guess.
inline constexpr double kMinBeatTrackSeconds = 8.0;

struct TempoOptions {
  // The tempo reported is folded into this range by octaves (x2, /2). Dance music, hip-hop
  // and metal all fit; 70..190 BPM, the test range, lies well inside.
  double min_bpm = 65;
  double max_bpm = 205;
  int beats_per_bar = 4;
};

struct BeatGrid {
  double bpm = 0;  // 0 when no tempo was found
  // [0, 1]: the share of beat intervals within 8% of the median one (1 = a steady grid).
  double confidence = 0;
  std::vector<double> beat_times_s;
  std::vector<int> downbeat_beats;  // indices into beat_times_s
  int beats_per_bar = 4;
};

// `mono` is one channel of samples at `rate`. InvalidArgument for beats_per_bar outside
// [2, 12] or an empty/inverted BPM range.
Result<BeatGrid> TrackBeats(const std::vector<float>& mono, SampleRateHz rate,
                            const TempoOptions& options = {});

}  // namespace accord::audio

#endif  // ACCORD_AUDIO_RHYTHM_H_
