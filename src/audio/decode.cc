#include "audio/decode.h"

#include <mpg123.h>
#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace accord::audio {
namespace {

// Frames read per call: large enough to amortise the library call, small enough that the
// running total is checked against the limits often.
constexpr sf_count_t kReadChunkFrames = 16384;

Status Prefixed(std::string_view name, Status status) { return status.WithPrefix(name); }

// libsndfile reads from memory through its virtual I/O callbacks; this is their state.
struct MemoryFile {
  std::string_view bytes;
  sf_count_t position = 0;
};

sf_count_t VirtualLength(void* user) {
  return static_cast<sf_count_t>(static_cast<MemoryFile*>(user)->bytes.size());
}

sf_count_t VirtualSeek(sf_count_t offset, int whence, void* user) {
  auto* file = static_cast<MemoryFile*>(user);
  const auto size = static_cast<sf_count_t>(file->bytes.size());
  sf_count_t target = offset;
  if (whence == SEEK_CUR) target = file->position + offset;
  if (whence == SEEK_END) target = size + offset;
  // Seeking past the end is legal (reads then return 0); before the start is not.
  if (target < 0) return -1;
  file->position = target;
  return target;
}

sf_count_t VirtualRead(void* destination, sf_count_t count, void* user) {
  auto* file = static_cast<MemoryFile*>(user);
  const auto size = static_cast<sf_count_t>(file->bytes.size());
  if (count <= 0 || file->position >= size) return 0;
  const sf_count_t n = std::min(count, size - file->position);
  std::memcpy(destination, file->bytes.data() + file->position, static_cast<size_t>(n));
  file->position += n;
  return n;
}

sf_count_t VirtualWrite(const void*, sf_count_t, void*) { return 0; }  // read-only

sf_count_t VirtualTell(void* user) { return static_cast<MemoryFile*>(user)->position; }

struct SndfileCloser {
  void operator()(SNDFILE* file) const { sf_close(file); }
};

std::string SndfileFormatName(int format) {
  std::string major;
  switch (format & SF_FORMAT_TYPEMASK) {
    case SF_FORMAT_WAV:
    case SF_FORMAT_WAVEX:
    case SF_FORMAT_RF64:
      major = "wav";
      break;
    case SF_FORMAT_AIFF:
      major = "aiff";
      break;
    case SF_FORMAT_FLAC:
      major = "flac";
      break;
    case SF_FORMAT_OGG:
      major = "ogg";
      break;
    case SF_FORMAT_AU:
      major = "au";
      break;
    case SF_FORMAT_MPEG:
      major = "mpeg";
      break;
    default:
      major = "sndfile-" + std::to_string((format & SF_FORMAT_TYPEMASK) >> 16);
  }
  std::string sub;
  switch (format & SF_FORMAT_SUBMASK) {
    case SF_FORMAT_PCM_S8:
    case SF_FORMAT_PCM_U8:
      sub = "pcm_8";
      break;
    case SF_FORMAT_PCM_16:
      sub = "pcm_16";
      break;
    case SF_FORMAT_PCM_24:
      sub = "pcm_24";
      break;
    case SF_FORMAT_PCM_32:
      sub = "pcm_32";
      break;
    case SF_FORMAT_FLOAT:
      sub = "float";
      break;
    case SF_FORMAT_DOUBLE:
      sub = "double";
      break;
    case SF_FORMAT_VORBIS:
      sub = "vorbis";
      break;
    case SF_FORMAT_OPUS:
      sub = "opus";
      break;
    default:
      sub = "codec-" + std::to_string(format & SF_FORMAT_SUBMASK);
  }
  return major + "/" + sub;
}

// Checks that a header's promises fit the limits before any buffer is sized from them.
Status CheckHeader(int64_t sample_rate_hz, int64_t channels, int64_t frames,
                   const DecodeLimits& limits) {
  if (channels < 1 || channels > kMaxChannels) {
    return InvalidArgumentError("header claims " + std::to_string(channels) +
                                " channels; at most " + std::to_string(kMaxChannels) +
                                " are accepted");
  }
  Result<SampleRateHz> rate = SampleRateHz::FromHz(sample_rate_hz);
  if (!rate.ok()) return rate.status().WithPrefix("header");
  if (frames < 0) return InvalidArgumentError("header claims a negative length");
  // frames / rate * 1000 > max, computed without overflow.
  if (frames / sample_rate_hz > limits.max_duration_ms / 1000) {
    return InvalidArgumentError("header claims " + std::to_string(frames / sample_rate_hz) +
                                " s of audio; the limit is " +
                                std::to_string(limits.max_duration_ms / 1000) + " s");
  }
  return OkStatus();
}

Status CheckRunningTotal(int64_t frames, int64_t sample_rate_hz, int channels,
                         const DecodeLimits& limits) {
  if (frames / sample_rate_hz > limits.max_duration_ms / 1000 ||
      frames * channels * static_cast<int64_t>(sizeof(float)) > limits.max_decoded_bytes) {
    return InvalidArgumentError("decoded audio exceeds the limit of " +
                                std::to_string(limits.max_duration_ms / 1000) + " s or " +
                                std::to_string(limits.max_decoded_bytes) + " bytes");
  }
  return OkStatus();
}

Status CheckFinite(const std::vector<float>& samples, int channels) {
  for (size_t index = 0; index < samples.size(); ++index) {
    if (!std::isfinite(samples[index])) {
      return DataLossError("non-finite sample at frame " + std::to_string(index / channels));
    }
  }
  return OkStatus();
}

// For WAV and AIFF, libsndfile quietly shortens a data chunk that runs past the end of the
// file, so a truncated download would decode as a shorter "correct" song. Its log says so in
// a line of the form "data : 176400 (should be 88178)", a format stable since libsndfile 1.0;
// a truncated file is damaged, and is reported as such.
Status CheckDataChunk(SNDFILE* file) {
  char log[8192] = {};
  sf_command(file, SFC_GET_LOG_INFO, log, sizeof(log));
  std::string_view text(log);
  size_t line_start = 0;
  while (line_start < text.size()) {
    size_t line_end = text.find('\n', line_start);
    if (line_end == std::string_view::npos) line_end = text.size();
    const std::string_view line = text.substr(line_start, line_end - line_start);
    const bool data_chunk = line.substr(0, 4) == "data" || line.substr(0, 4) == "SSND";
    if (data_chunk && line.find("should be") != std::string_view::npos) {
      return DataLossError("truncated: the " + std::string(line.substr(0, 4)) +
                           " chunk runs past the end of the file (" + std::string(line) + ")");
    }
    line_start = line_end + 1;
  }
  return OkStatus();
}

Result<DecodedAudio> DecodeWithSndfile(std::string_view bytes, const DecodeLimits& limits) {
  MemoryFile memory{bytes, 0};
  SF_VIRTUAL_IO io{VirtualLength, VirtualSeek, VirtualRead, VirtualWrite, VirtualTell};
  SF_INFO info{};
  std::unique_ptr<SNDFILE, SndfileCloser> file(sf_open_virtual(&io, SFM_READ, &info, &memory));
  if (!file) {
    return InvalidArgumentError(std::string("not a recognised audio file (libsndfile: ") +
                                sf_strerror(nullptr) + ")");
  }
  ACCORD_RETURN_IF_ERROR(CheckHeader(info.samplerate, info.channels, info.frames, limits));
  ACCORD_ASSIGN_OR_RETURN(SampleRateHz rate, SampleRateHz::FromHz(info.samplerate));
  ACCORD_RETURN_IF_ERROR(CheckDataChunk(file.get()));
  // Normalise integer PCM to [-1, 1) and leave float files as written.
  sf_command(file.get(), SFC_SET_NORM_FLOAT, nullptr, SF_TRUE);

  const int channels = info.channels;
  std::vector<float> samples;
  // The header's length is a hint for the allocation only, capped so that a lying header
  // costs at most one chunk's worth of waste per read.
  samples.reserve(static_cast<size_t>(std::min<sf_count_t>(info.frames, 10'000'000)) * channels);
  std::vector<float> chunk(static_cast<size_t>(kReadChunkFrames) * channels);
  int64_t total_frames = 0;
  while (true) {
    const sf_count_t got = sf_readf_float(file.get(), chunk.data(), kReadChunkFrames);
    if (got < 0) return DataLossError("read failed");
    if (got == 0) break;
    total_frames += got;
    ACCORD_RETURN_IF_ERROR(CheckRunningTotal(total_frames, info.samplerate, channels, limits));
    samples.insert(samples.end(), chunk.begin(), chunk.begin() + got * channels);
    if (got < kReadChunkFrames) break;
  }
  if (sf_error(file.get()) != SF_ERR_NO_ERROR) {
    return DataLossError(std::string("corrupt audio after frame ") + std::to_string(total_frames) +
                         " (libsndfile: " + sf_strerror(file.get()) + ")");
  }
  if (total_frames < info.frames) {
    return DataLossError("truncated: the header promises " + std::to_string(info.frames) +
                         " frames, the file holds " + std::to_string(total_frames));
  }
  ACCORD_RETURN_IF_ERROR(CheckFinite(samples, channels));
  ACCORD_ASSIGN_OR_RETURN(AudioBuffer buffer,
                          AudioBuffer::Make(rate, channels, std::move(samples)));
  return DecodedAudio{std::move(buffer), SndfileFormatName(info.format)};
}

void InitMpg123Once() {
  // mpg123_init is a no-op since 1.27 but still required by older releases; calling it once
  // keeps both correct.
  static std::once_flag once;
  std::call_once(once, [] { mpg123_init(); });
}

struct Mpg123Closer {
  void operator()(mpg123_handle* handle) const {
    mpg123_close(handle);
    mpg123_delete(handle);
  }
};

Result<DecodedAudio> DecodeWithMpg123(std::string_view bytes, const DecodeLimits& limits) {
  InitMpg123Once();
  int error = MPG123_OK;
  std::unique_ptr<mpg123_handle, Mpg123Closer> handle(mpg123_new(nullptr, &error));
  if (!handle) return InternalError(std::string("mpg123: ") + mpg123_plain_strerror(error));
  mpg123_param(handle.get(), MPG123_ADD_FLAGS, MPG123_QUIET, 0);
  // Decode to float at whatever rate and channel count the stream has.
  mpg123_format_none(handle.get());
  const long* rates = nullptr;
  size_t rate_count = 0;
  mpg123_rates(&rates, &rate_count);
  for (size_t index = 0; index < rate_count; ++index) {
    mpg123_format(handle.get(), rates[index], MPG123_MONO | MPG123_STEREO, MPG123_ENC_FLOAT_32);
  }
  if (mpg123_open_feed(handle.get()) != MPG123_OK ||
      mpg123_feed(handle.get(), reinterpret_cast<const unsigned char*>(bytes.data()),
                  bytes.size()) != MPG123_OK) {
    return InvalidArgumentError(std::string("mpg123: ") + mpg123_strerror(handle.get()));
  }
  long rate_hz = 0;
  int channels = 0;
  int encoding = 0;
  std::vector<float> samples;
  std::vector<unsigned char> chunk(1 << 16);
  int64_t total_frames = 0;
  while (true) {
    size_t done = 0;
    const int result = mpg123_read(handle.get(), chunk.data(), chunk.size(), &done);
    if (result == MPG123_NEW_FORMAT) {
      const int previous_channels = channels;
      const long previous_rate_hz = rate_hz;
      mpg123_getformat(handle.get(), &rate_hz, &channels, &encoding);
      if (previous_channels != 0 &&
          (channels != previous_channels || rate_hz != previous_rate_hz)) {
        return DataLossError("the stream changes format at frame " + std::to_string(total_frames));
      }
      ACCORD_RETURN_IF_ERROR(CheckHeader(rate_hz, channels, 0, limits));
      continue;
    }
    if (done > 0) {
      if (channels == 0) return DataLossError("samples before a format");
      const size_t floats = done / sizeof(float);
      const size_t start = samples.size();
      samples.resize(start + floats);
      std::memcpy(samples.data() + start, chunk.data(), floats * sizeof(float));
      total_frames = static_cast<int64_t>(samples.size()) / channels;
      ACCORD_RETURN_IF_ERROR(CheckRunningTotal(total_frames, rate_hz, channels, limits));
    }
    // All input was fed up front, so NEED_MORE means the stream is over.
    if (result == MPG123_NEED_MORE || result == MPG123_DONE) break;
    if (result != MPG123_OK) {
      return DataLossError(std::string("mpg123: ") + mpg123_strerror(handle.get()) +
                           " after frame " + std::to_string(total_frames));
    }
  }
  if (channels == 0 || samples.empty()) {
    return InvalidArgumentError("no MPEG audio frames found");
  }
  samples.resize(samples.size() - samples.size() % static_cast<size_t>(channels));
  ACCORD_RETURN_IF_ERROR(CheckFinite(samples, channels));
  ACCORD_ASSIGN_OR_RETURN(SampleRateHz rate, SampleRateHz::FromHz(rate_hz));
  ACCORD_ASSIGN_OR_RETURN(AudioBuffer buffer,
                          AudioBuffer::Make(rate, channels, std::move(samples)));
  return DecodedAudio{std::move(buffer), "mp3"};
}

bool StartsWith(std::string_view bytes, std::string_view prefix) {
  return bytes.size() >= prefix.size() && bytes.substr(0, prefix.size()) == prefix;
}

// An ID3v2 tag or an MPEG audio frame header (11 sync bits, a valid layer) at the start.
bool LooksLikeMpeg(std::string_view bytes) {
  if (StartsWith(bytes, "ID3")) return true;
  if (bytes.size() < 4) return false;
  const auto b0 = static_cast<unsigned char>(bytes[0]);
  const auto b1 = static_cast<unsigned char>(bytes[1]);
  const auto b2 = static_cast<unsigned char>(bytes[2]);
  const bool sync = b0 == 0xFF && (b1 & 0xE0) == 0xE0;
  const bool layer_valid = (b1 & 0x06) != 0;
  const bool bitrate_valid = (b2 & 0xF0) != 0xF0;
  const bool rate_valid = (b2 & 0x0C) != 0x0C;
  return sync && layer_valid && bitrate_valid && rate_valid;
}

}  // namespace

Result<DecodedAudio> DecodeMemory(std::string_view bytes, std::string_view name,
                                  const DecodeLimits& limits) {
  if (bytes.empty()) return InvalidArgumentError(std::string(name) + ": empty file");
  if (static_cast<int64_t>(bytes.size()) > limits.max_file_bytes) {
    return InvalidArgumentError(std::string(name) + ": " + std::to_string(bytes.size()) +
                                " bytes is over the limit of " +
                                std::to_string(limits.max_file_bytes));
  }
  Result<DecodedAudio> decoded =
      LooksLikeMpeg(bytes) ? DecodeWithMpg123(bytes, limits) : DecodeWithSndfile(bytes, limits);
  if (!decoded.ok()) return Prefixed(name, decoded.status());
  if (decoded->buffer.frames() == 0) {
    return InvalidArgumentError(std::string(name) + ": no audio frames");
  }
  return decoded;
}

Result<DecodedAudio> DecodeFile(const std::string& path, const DecodeLimits& limits) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return NotFoundError(path + ": cannot open");
  const std::streamoff size = in.tellg();
  if (size < 0) return NotFoundError(path + ": cannot read (a directory?)");
  if (size > limits.max_file_bytes) {
    return InvalidArgumentError(path + ": " + std::to_string(size) +
                                " bytes is over the limit of " +
                                std::to_string(limits.max_file_bytes));
  }
  std::string bytes(static_cast<size_t>(size), '\0');
  in.seekg(0);
  if (!in.read(bytes.data(), size)) return DataLossError(path + ": read failed");
  return DecodeMemory(bytes, path, limits);
}

}  // namespace accord::audio
