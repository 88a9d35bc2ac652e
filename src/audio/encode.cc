#include "audio/encode.h"

#include <sndfile.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>

#include "audio/transform.h"

namespace accord::audio {
namespace {

struct SndfileCloser {
  void operator()(SNDFILE* file) const { sf_close(file); }
};

int SndfileFormat(OutputFormat format) {
  switch (format) {
    case OutputFormat::kWav16:
      return SF_FORMAT_WAV | SF_FORMAT_PCM_16;
    case OutputFormat::kWav24:
      return SF_FORMAT_WAV | SF_FORMAT_PCM_24;
    case OutputFormat::kWavFloat:
      return SF_FORMAT_WAV | SF_FORMAT_FLOAT;
    case OutputFormat::kFlac16:
      return SF_FORMAT_FLAC | SF_FORMAT_PCM_16;
    case OutputFormat::kFlac24:
      return SF_FORMAT_FLAC | SF_FORMAT_PCM_24;
    case OutputFormat::kOggVorbis:
      return SF_FORMAT_OGG | SF_FORMAT_VORBIS;
    case OutputFormat::kOpus:
      return SF_FORMAT_OGG | SF_FORMAT_OPUS;
  }
  return SF_FORMAT_WAV | SF_FORMAT_PCM_16;
}

bool OpusRate(int hz) {
  return hz == 8000 || hz == 12000 || hz == 16000 || hz == 24000 || hz == 48000;
}

}  // namespace

Result<OutputFormat> ParseOutputFormat(std::string_view name) {
  if (name == "wav") return OutputFormat::kWav16;
  if (name == "wav24") return OutputFormat::kWav24;
  if (name == "wavf") return OutputFormat::kWavFloat;
  if (name == "flac") return OutputFormat::kFlac16;
  if (name == "flac24") return OutputFormat::kFlac24;
  if (name == "ogg") return OutputFormat::kOggVorbis;
  if (name == "opus") return OutputFormat::kOpus;
  return InvalidArgumentError("unknown output format \"" + std::string(name) +
                              "\" (wav, wav24, wavf, flac, flac24, ogg, opus)");
}

Result<OutputFormat> OutputFormatForPath(std::string_view path) {
  const std::string extension = std::filesystem::path(path).extension().string();
  if (extension == ".wav") return OutputFormat::kWav16;
  if (extension == ".flac") return OutputFormat::kFlac16;
  if (extension == ".ogg" || extension == ".oga") return OutputFormat::kOggVorbis;
  if (extension == ".opus") return OutputFormat::kOpus;
  return InvalidArgumentError(std::string(path) +
                              ": cannot tell the format from the extension (.wav .flac .ogg "
                              ".opus); name one");
}

SampleRateHz WrittenSampleRate(OutputFormat format, SampleRateHz rate) {
  if (format == OutputFormat::kOpus && !OpusRate(rate.hz())) return SampleRateHz::Of<48000>();
  return rate;
}

Status WriteAudioFile(const std::string& path, const AudioBuffer& buffer, OutputFormat format) {
  const AudioBuffer* source = &buffer;
  std::optional<AudioBuffer> resampled;
  if (WrittenSampleRate(format, buffer.sample_rate()) != buffer.sample_rate()) {
    Result<AudioBuffer> converted =
        Resample(buffer, SampleRateHz::Of<48000>(), ResampleQuality::kBest);
    if (!converted.ok()) return converted.status().WithPrefix(path);
    resampled.emplace(std::move(converted).value());
    source = &*resampled;
  }
  SF_INFO info{};
  info.samplerate = source->sample_rate().hz();
  info.channels = source->channels();
  info.format = SndfileFormat(format);
  if (!sf_format_check(&info)) {
    return InvalidArgumentError(path + ": libsndfile cannot write this format with " +
                                std::to_string(info.channels) + " channels at " +
                                std::to_string(info.samplerate) + " Hz");
  }
  const std::string temporary = path + ".partial";
  {
    std::unique_ptr<SNDFILE, SndfileCloser> file(sf_open(temporary.c_str(), SFM_WRITE, &info));
    if (!file) {
      return InternalError(path + ": cannot create (libsndfile: " + sf_strerror(nullptr) + ")");
    }
    sf_command(file.get(), SFC_SET_CLIPPING, nullptr, SF_TRUE);
    const sf_count_t written =
        sf_writef_float(file.get(), source->samples().data(), source->frames());
    if (written != source->frames()) {
      const std::string message = sf_strerror(file.get());
      file.reset();
      std::remove(temporary.c_str());
      return InternalError(path + ": write failed (libsndfile: " + message + ")");
    }
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) {
    std::remove(temporary.c_str());
    return InternalError(path + ": cannot rename into place: " + error.message());
  }
  return OkStatus();
}

}  // namespace accord::audio
