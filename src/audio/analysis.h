// Full analysis of a track: decode, loudness, tempo and beat grid, key, energy curve with
// intro and outro, and fingerprint, as one value with a JSON form (the output of
// `accord analyze`, documented in docs/audio.md).
//
//   ACCORD_ASSIGN_OR_RETURN(TrackAnalysis track, AnalyzeFile("song.flac"));
//   std::cout << AnalysisToJson(track).dump(2);
//
//   std::vector<Result<TrackAnalysis>> all = AnalyzeFiles(paths, /*threads=*/4);
//
// Failures are those of DecodeFile (the file name leads the message) and Internal from a
// library; AnalyzeFiles reports each file's own result, so one bad file does not stop the
// others.
//
// Thread safety: reentrant; AnalyzeFiles runs files on its own std::threads.
#ifndef ACCORD_AUDIO_ANALYSIS_H_
#define ACCORD_AUDIO_ANALYSIS_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "audio/decode.h"
#include "audio/fingerprint.h"
#include "audio/key.h"
#include "audio/loudness.h"
#include "audio/rhythm.h"
#include "audio/structure.h"
#include "core/status.h"

namespace accord::audio {

// Key runs on a mono mix at 44.1 kHz: qm-dsp's key detector decimates by a fixed factor and
// its constant-Q range assumes that rate (at 22.05 kHz it misses 2 of 24 synthetic keys, at
// 44.1 kHz none). Tempo, beats and the energy curve run on the mix at 22.05 kHz: the tempo
// tracker scales its step with the rate (256 samples here, the same 11.6 ms), gives the same
// answers on every test and benchmark set, and costs half as much.
inline constexpr SampleRateHz kAnalysisRate = SampleRateHz::Of<44100>();
inline constexpr SampleRateHz kTempoRate = SampleRateHz::Of<22050>();

// `mono` (one channel) at kTempoRate. 44.1 kHz input, nearly all music, is halved with a
// 47-tap half-band FIR (a twentieth of the cost of a sinc resampler, and flat to 9 kHz);
// other rates go through libsamplerate. InvalidArgument for more than one channel.
Result<AudioBuffer> ToTempoRate(const AudioBuffer& mono);

struct AnalysisOptions {
  DecodeLimits limits;
  TempoOptions tempo;
  bool fingerprint = true;
};

struct TrackAnalysis {
  std::string source;  // the file analysed, or "" for a buffer
  std::string format;
  int32_t sample_rate_hz = 0;
  int channels = 0;
  int64_t duration_ms = 0;
  Loudness loudness;
  BeatGrid grid;
  Key key;
  StructureInfo structure;
  Fingerprint fingerprint;
};

Result<TrackAnalysis> AnalyzeBuffer(const AudioBuffer& buffer, const AnalysisOptions& options = {});
Result<TrackAnalysis> AnalyzeFile(const std::string& path, const AnalysisOptions& options = {});

// Analyses `paths` on `threads` worker threads (at least 1), each file on one thread; the
// results are in the order of `paths`.
std::vector<Result<TrackAnalysis>> AnalyzeFiles(const std::vector<std::string>& paths, int threads,
                                                const AnalysisOptions& options = {});

// The audio files under `path` (recursively, sorted) when it is a folder, else `path` itself.
// Audio files are recognised by extension: wav flac ogg oga opus mp3 aif aiff.
// NotFound when `path` does not exist.
Result<std::vector<std::string>> ListAudioFiles(const std::string& path);

// The JSON form; `with_beats` adds every beat time and the energy curve (long for a long
// track), otherwise counts and the first downbeat only.
nlohmann::json AnalysisToJson(const TrackAnalysis& analysis, bool with_beats = false);

}  // namespace accord::audio

#endif  // ACCORD_AUDIO_ANALYSIS_H_
