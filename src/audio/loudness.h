// Loudness after EBU R128 / ITU-R BS.1770-4: I and LRA measured with libebur128, the peaks
// with true_peak.h (libebur128's interpolator, computed faster; same values to 1e-5 dB).
//
//   ACCORD_ASSIGN_OR_RETURN(Loudness loudness, MeasureLoudness(buffer));
//   loudness.integrated_lufs;  // e.g. -14.2
//
// Channels are weighted as BS.1770 says for the layouts it defines: mono and stereo as is;
// 5.1 (six channels, in WAV order L R C LFE Ls Rs) with the LFE left out and the surrounds
// weighted +1.5 dB. Other channel counts count every channel with weight 1.
//
// Silence (or audio shorter than one 400 ms gating block) has no integrated loudness; the
// result then says -inf LUFS as libebur128 does, and `has_integrated` is false.
//
// Thread safety: reentrant.
#ifndef ACCORD_AUDIO_LOUDNESS_H_
#define ACCORD_AUDIO_LOUDNESS_H_

#include "audio/types.h"
#include "core/status.h"

namespace accord::audio {

struct Loudness {
  bool has_integrated = false;
  double integrated_lufs = 0;    // gated programme loudness
  double loudness_range_lu = 0;  // EBU Tech 3342 LRA
  double true_peak_dbtp = 0;     // highest inter-sample peak over all channels (4x oversampled)
  double sample_peak_dbfs = 0;   // highest sample value over all channels
};

// Internal on a libebur128 failure (out of memory); an empty buffer gives silence's values.
Result<Loudness> MeasureLoudness(const AudioBuffer& buffer);

}  // namespace accord::audio

#endif  // ACCORD_AUDIO_LOUDNESS_H_
