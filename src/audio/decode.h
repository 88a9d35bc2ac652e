// Decoding audio files into float samples: WAV, FLAC, Ogg Vorbis, Opus, AIFF (libsndfile) and
// MP3 (mpg123).
//
//   ACCORD_ASSIGN_OR_RETURN(DecodedAudio song, DecodeFile("song.ogg"));
//   Use(song.buffer);  // interleaved floats at song.buffer.sample_rate()
//
// The container is recognised from the bytes (magic numbers), not the file name; a file named
// .mp3 that holds something else is still refused or decoded for what it is. Every decode is
// bounded by DecodeLimits, checked against the header before anything large is allocated and
// again while reading, so a hostile header cannot make the process allocate gigabytes or loop.
//
// Failures, each a Status whose message starts with the file name:
//   NotFound          the file cannot be opened
//   InvalidArgument   not audio, an unsupported encoding, or over a limit
//   DataLoss          audio that is damaged: truncated, corrupt frames, non-finite samples
//
// Thread safety: the functions are reentrant; decode many files on many threads at once.
#ifndef ACCORD_AUDIO_DECODE_H_
#define ACCORD_AUDIO_DECODE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "audio/types.h"
#include "core/status.h"

namespace accord::audio {

struct DecodeLimits {
  int64_t max_file_bytes = int64_t{1} << 30;     // 1 GiB of encoded input
  int64_t max_duration_ms = 3 * 3600 * 1000;     // three hours: a long DJ set
  int64_t max_decoded_bytes = int64_t{4} << 30;  // 4 GiB of float samples
};

struct DecodedAudio {
  AudioBuffer buffer;
  // What was decoded, e.g. "wav/pcm_16", "ogg/vorbis", "flac/pcm_24", "mp3".
  std::string format;
};

// Reads and decodes a whole file. See the file comment for the failures.
Result<DecodedAudio> DecodeFile(const std::string& path, const DecodeLimits& limits = {});

// Decodes bytes already in memory; `name` is used in error messages only.
Result<DecodedAudio> DecodeMemory(std::string_view bytes, std::string_view name,
                                  const DecodeLimits& limits = {});

}  // namespace accord::audio

#endif  // ACCORD_AUDIO_DECODE_H_
