// Transforms over AudioBuffer: resampling (libsamplerate), time-stretch and pitch-shift
// (Rubber Band), gain, equal-power crossfades, ducking under a voice, and loudness
// normalisation with a true-peak ceiling.
//
//   ACCORD_ASSIGN_OR_RETURN(AudioBuffer slower, TimeStretch(song, 1.25));  // 25% longer
//   ACCORD_ASSIGN_OR_RETURN(AudioBuffer mix, Crossfade(a, b, /*fade_ms=*/8000));
//   ACCORD_ASSIGN_OR_RETURN(AudioBuffer radio, NormalizeLoudness(mix, -14.0, -1.0));
//
// Every function returns a new buffer and leaves its inputs alone. Parameters out of range
// (ratios, fade lengths longer than the audio, mismatched rates or channel counts) give
// InvalidArgument naming the parameter; a library failure gives Internal.
//
// Thread safety: reentrant.
#ifndef ACCORD_AUDIO_TRANSFORM_H_
#define ACCORD_AUDIO_TRANSFORM_H_

#include <cstdint>

#include "audio/types.h"
#include "core/status.h"

namespace accord::audio {

enum class ResampleQuality { kFast, kMedium, kBest };  // libsamplerate's sinc converters

// Output length is round(frames * to / from).
Result<AudioBuffer> Resample(const AudioBuffer& input, SampleRateHz to,
                             ResampleQuality quality = ResampleQuality::kMedium);

enum class StretchEngine {
  kFaster,  // Rubber Band R2: about 4x faster, fine for speech and most music
  kFiner,   // Rubber Band R3: higher quality, especially for complex mixes
};

struct StretchOptions {
  double time_ratio = 1.0;       // output duration / input duration, in [0.25, 4]
  double pitch_semitones = 0.0;  // in [-24, 24]
  StretchEngine engine = StretchEngine::kFaster;
  // True: Rubber Band's OptionThreadingAuto, where R2 processes each channel on its own
  // thread when there is more than one core (same output bits, same CPU time, less wall time
  // only when a core is free). R3 ignores it: it has no threaded mode, and it cannot be split
  // into one stretcher per channel without changing its output, because it ties the phases of
  // the channels together below 600 Hz (docs/audio.md, "Speed"). False (the default):
  // OptionThreadingNever, all the work on the calling thread, which is what callers running
  // one job per core want.
  bool allow_threads = false;
};

// Offline (two-pass) Rubber Band processing: the output has exactly
// round(frames * time_ratio) frames.
Result<AudioBuffer> StretchAndShift(const AudioBuffer& input, const StretchOptions& options);
inline Result<AudioBuffer> TimeStretch(const AudioBuffer& input, double time_ratio) {
  return StretchAndShift(input, {time_ratio, 0.0, StretchEngine::kFaster});
}
inline Result<AudioBuffer> PitchShift(const AudioBuffer& input, double semitones) {
  return StretchAndShift(input, {1.0, semitones, StretchEngine::kFaster});
}

// Multiplies every sample by 10^(gain_db/20); gain_db in [-120, 60]. No clipping is applied.
Result<AudioBuffer> ApplyGain(const AudioBuffer& input, double gain_db);

// `first` then `second`, overlapped by fade_ms with equal-power (sine/cosine) curves so that
// uncorrelated material keeps a constant loudness through the fade. Both must share rate and
// channel count; fade_ms must fit in both.
Result<AudioBuffer> Crossfade(const AudioBuffer& first, const AudioBuffer& second, int64_t fade_ms);

struct DuckOptions {
  double depth_db = -12;        // how far the music goes down under the voice, in [-60, 0]
  int64_t attack_ms = 80;       // time to go down once the voice starts
  int64_t release_ms = 400;     // time to come back up once the voice stops
  double threshold_dbfs = -40;  // voice envelope level that counts as speech
  int64_t voice_offset_ms = 0;  // where the voice starts within the music
};

// Mixes `voice` over `music`, lowering the music while the voice is active (an envelope
// follower on the voice with the given attack and release). The output has the music's
// length, rate and channels; a mono voice is spread to every channel. The voice must share
// the music's rate and fit within it after voice_offset_ms.
Result<AudioBuffer> DuckUnderVoice(const AudioBuffer& music, const AudioBuffer& voice,
                                   const DuckOptions& options = {});

// Applies one gain so that the integrated loudness is target_lufs, lowered further when
// needed so that the true peak stays at or below ceiling_dbtp (no limiter: the dynamics are
// left as they are). FailedPrecondition for silent audio, which has no loudness to scale.
Result<AudioBuffer> NormalizeLoudness(const AudioBuffer& input, double target_lufs,
                                      double ceiling_dbtp = -1.0);

}  // namespace accord::audio

#endif  // ACCORD_AUDIO_TRANSFORM_H_
