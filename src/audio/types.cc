#include "audio/types.h"

#include <cmath>
#include <string>

namespace accord::audio {

Result<SampleRateHz> SampleRateHz::FromHz(int64_t hz) {
  if (hz < kMinHz || hz > kMaxHz) {
    return InvalidArgumentError("sample rate " + std::to_string(hz) + " Hz is outside [" +
                                std::to_string(kMinHz) + ", " + std::to_string(kMaxHz) + "]");
  }
  return SampleRateHz(static_cast<int32_t>(hz));
}

Result<AudioBuffer> AudioBuffer::Make(SampleRateHz sample_rate, int channels,
                                      std::vector<float> interleaved) {
  if (channels < 1 || channels > kMaxChannels) {
    return InvalidArgumentError(std::to_string(channels) + " channels is outside [1, " +
                                std::to_string(kMaxChannels) + "]");
  }
  if (interleaved.size() % static_cast<size_t>(channels) != 0) {
    return InvalidArgumentError(std::to_string(interleaved.size()) +
                                " samples is not a whole number of " + std::to_string(channels) +
                                "-channel frames");
  }
  return AudioBuffer(sample_rate, channels, std::move(interleaved));
}

Result<AudioBuffer> AudioBuffer::FromPlanar(SampleRateHz sample_rate,
                                            const std::vector<std::vector<float>>& planar) {
  if (planar.empty()) return InvalidArgumentError("no channels");
  const size_t frames = planar[0].size();
  for (const std::vector<float>& channel : planar) {
    if (channel.size() != frames) return InvalidArgumentError("channels differ in length");
  }
  const int channels = static_cast<int>(planar.size());
  std::vector<float> interleaved(frames * planar.size());
  for (size_t frame = 0; frame < frames; ++frame) {
    for (int channel = 0; channel < channels; ++channel) {
      interleaved[frame * channels + channel] = planar[channel][frame];
    }
  }
  return Make(sample_rate, channels, std::move(interleaved));
}

std::vector<float> AudioBuffer::MixToMono() const {
  if (channels_ == 1) return samples_;
  const int64_t n = frames();
  std::vector<float> mono(static_cast<size_t>(n));
  const float scale = 1.0f / static_cast<float>(channels_);
  for (int64_t frame = 0; frame < n; ++frame) {
    float sum = 0;
    for (int channel = 0; channel < channels_; ++channel) sum += at(frame, channel);
    mono[frame] = sum * scale;
  }
  return mono;
}

std::vector<std::vector<float>> AudioBuffer::Planar() const {
  const int64_t n = frames();
  std::vector<std::vector<float>> planar(channels_, std::vector<float>(static_cast<size_t>(n)));
  for (int64_t frame = 0; frame < n; ++frame) {
    for (int channel = 0; channel < channels_; ++channel)
      planar[channel][frame] = at(frame, channel);
  }
  return planar;
}

double AmplitudeToDb(double amplitude) {
  const double magnitude = std::fabs(amplitude);
  if (!(magnitude > 1e-10)) return -200.0;
  return 20.0 * std::log10(magnitude);
}

double DbToAmplitude(double db) { return std::pow(10.0, db / 20.0); }

}  // namespace accord::audio
