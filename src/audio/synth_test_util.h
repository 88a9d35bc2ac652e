// Synthesized test signals with known answers (tests and benches only, never linked into the
// product): sines at a known level, drum patterns at a known tempo, chord progressions in a
// known key. Deterministic: the noise comes from a fixed-seed generator.
#ifndef ACCORD_AUDIO_SYNTH_TEST_UTIL_H_
#define ACCORD_AUDIO_SYNTH_TEST_UTIL_H_

#include <cstdint>
#include <vector>

#include "audio/types.h"

namespace accord::audio::testing {

// A sine of `frequency_hz` at `level_dbfs` (peak), identical in every channel.
AudioBuffer Sine(SampleRateHz rate, int channels, double frequency_hz, double level_dbfs,
                 double duration_s);

enum class DrumStyle {
  kBackbeat,        // kick on 1 and 3, snare on 2 and 4, closed hi-hat on every eighth note
  kFourOnTheFloor,  // kick on every beat, snare on 2 and 4, hi-hat on the off-beats only
};

// A 4/4 drum pattern at `bpm` in `style`, with a bass note on each beat; the first beat at
// `first_beat_s`. Mono. With `accent_downbeats` a crash cymbal marks the first beat of every
// bar.
std::vector<float> DrumPattern(SampleRateHz rate, double bpm, double duration_s,
                               double first_beat_s, uint32_t seed,
                               DrumStyle style = DrumStyle::kBackbeat,
                               bool accent_downbeats = false);

// A chord progression in a key: tonic 0 = C ... 11 = B; minor or major. Four chords a bar
// (I-IV-V-I in major, i-iv-V-i in harmonic minor), each a triad with the bass note an octave
// below, voiced with harmonics like a soft sawtooth. Mono.
std::vector<float> ChordProgression(SampleRateHz rate, int tonic, bool minor, double duration_s,
                                    double chord_s = 1.0);

}  // namespace accord::audio::testing

#endif  // ACCORD_AUDIO_SYNTH_TEST_UTIL_H_
