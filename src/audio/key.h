// Musical key, with qm-dsp's key detector (GetKeyMode: a constant-Q chromagram correlated with
// Krumhansl-style major and minor profiles, as Mixxx and the QM Vamp plugin use), reported in
// standard and Camelot notation (the wheel DJs use: 8A = A minor, 8B = C major; neighbours on
// the wheel mix harmonically).
//
//   ACCORD_ASSIGN_OR_RETURN(Key key, DetectKey(mono, SampleRateHz::Of<44100>()));
//   key.Name();     // "F#m"
//   key.Camelot();  // "11A"
//
// Thread safety: reentrant.
#ifndef ACCORD_AUDIO_KEY_H_
#define ACCORD_AUDIO_KEY_H_

#include <string>
#include <vector>

#include "audio/types.h"
#include "core/status.h"

namespace accord::audio {

struct Key {
  bool found = false;  // false for silence, noise or audio too short to judge
  int tonic = 0;       // pitch class: 0 = C, 1 = C#/Db, ... 11 = B
  bool minor = false;
  double confidence = 0;  // [0, 1]: the share of the track's frames that voted for this key

  // "C", "F#m", "Bb", "Ebm"; "" when not found.
  std::string Name() const;
  // "1A".."12A" (minor), "1B".."12B" (major); "" when not found.
  std::string Camelot() const;
};

// `mono` at `rate`; any rate from 8 kHz up works (the detector decimates to about 5.5 kHz at
// 44.1 kHz input). Internal if qm-dsp cannot be set up for the rate.
Result<Key> DetectKey(const std::vector<float>& mono, SampleRateHz rate);

}  // namespace accord::audio

#endif  // ACCORD_AUDIO_KEY_H_
