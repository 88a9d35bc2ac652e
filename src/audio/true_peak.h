// Sample peak and true (inter-sample) peak of float audio, as ITU-R BS.1770-4 Annex 2 measures
// it: the signal oversampled by 4 (2 from 96 kHz, none from 192 kHz) and the largest absolute
// value taken, never less than the sample peak.
//
//   const PeakLevels peaks = MeasurePeaks(buffer);
//   AmplitudeToDb(peaks.true_peak);  // dBTP
//
// The interpolator is libebur128's (1.2.6): a 49-tap Hann-windowed sinc split into polyphase
// branches, the same taps, the same start (silence before the first sample) and the same end
// (no interpolation past the last sample), so the results agree with ebur128_true_peak to float
// rounding (docs/decisions/0009-true-peak-by-us.md has the figures). It is computed in float with
// vector code (AVX2 where the CPU has it, chosen at run time; both paths give the same bits),
// and stretches of audio too quiet to beat the peak found so far are not interpolated at all.
//
// Thread safety: reentrant.
#ifndef ACCORD_AUDIO_TRUE_PEAK_H_
#define ACCORD_AUDIO_TRUE_PEAK_H_

#include "audio/types.h"

namespace accord::audio {

// Linear amplitudes (1.0 = 0 dBFS), the largest over all channels; 0 for an empty buffer.
struct PeakLevels {
  double sample_peak = 0;
  double true_peak = 0;  // >= sample_peak
};

// For tests and benchmarks: both switches change only the speed, never the result.
struct PeakOptions {
  // Skip blocks whose largest |sample| times the interpolator's largest sum of |taps| cannot
  // beat the peak found so far (an exact bound, so nothing that matters is skipped).
  bool skip_quiet_blocks = true;
  // Use the AVX2 code where the CPU has it; false forces the portable (SSE2) code.
  bool allow_avx2 = true;
};

PeakLevels MeasurePeaks(const AudioBuffer& buffer, const PeakOptions& options = {});

}  // namespace accord::audio

#endif  // ACCORD_AUDIO_TRUE_PEAK_H_
