// Writing audio files with libsndfile: WAV (16-bit, 24-bit or float), FLAC (16 or 24-bit),
// Ogg Vorbis and Ogg Opus.
//
//   ACCORD_RETURN_IF_ERROR(WriteAudioFile("mix.flac", mix, OutputFormat::kFlac24));
//
// The file is written beside the target under a temporary name and renamed into place, so a
// failure never leaves a half-written file at `path`. Opus only exists at 8, 12, 16, 24 and
// 48 kHz; other rates are resampled to 48 kHz first. Samples beyond [-1, 1] are clipped by
// the integer formats (libsndfile's float-to-int clipping is switched on).
//
// Failures: InvalidArgument for an unknown format name, Internal when libsndfile refuses
// (with its message), PermissionDenied/NotFound style errors from the file system as Internal
// naming the path.
//
// Thread safety: reentrant (distinct paths).
#ifndef ACCORD_AUDIO_ENCODE_H_
#define ACCORD_AUDIO_ENCODE_H_

#include <string>
#include <string_view>

#include "audio/types.h"
#include "core/status.h"

namespace accord::audio {

enum class OutputFormat { kWav16, kWav24, kWavFloat, kFlac16, kFlac24, kOggVorbis, kOpus };

// "wav" (16-bit), "wav24", "wavf", "flac" (16-bit), "flac24", "ogg", "opus".
Result<OutputFormat> ParseOutputFormat(std::string_view name);
// The format a file name's extension implies: .wav → kWav16, .flac → kFlac16, .ogg → kOggVorbis,
// .opus → kOpus. InvalidArgument otherwise.
Result<OutputFormat> OutputFormatForPath(std::string_view path);

// The rate a buffer at `rate` is written at in `format` (48 kHz for Opus at a rate it lacks).
SampleRateHz WrittenSampleRate(OutputFormat format, SampleRateHz rate);

Status WriteAudioFile(const std::string& path, const AudioBuffer& buffer, OutputFormat format);

}  // namespace accord::audio

#endif  // ACCORD_AUDIO_ENCODE_H_
