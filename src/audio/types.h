// Audio values shared by the whole audio layer: a validated sample rate and a buffer of float
// samples that owns its memory.
//
//   ACCORD_ASSIGN_OR_RETURN(SampleRateHz rate, SampleRateHz::FromHz(44100));
//   ACCORD_ASSIGN_OR_RETURN(AudioBuffer buffer, AudioBuffer::Make(rate, 2, std::move(samples)));
//   std::vector<float> mono = buffer.MixToMono();
//
// Samples are 32-bit floats, nominally in [-1, 1] (0 dBFS = 1.0), interleaved frame by frame
// (L R L R ... for stereo), the layout libsndfile, mpg123 and libebur128 use. Planar copies
// are available for the libraries that want one channel at a time (Rubber Band).
//
// Thread safety: values; a const AudioBuffer may be read from many threads.
#ifndef ACCORD_AUDIO_TYPES_H_
#define ACCORD_AUDIO_TYPES_H_

#include <cstdint>
#include <vector>

#include "core/status.h"

namespace accord::audio {

// A sample rate in hertz, in [kMinHz, kMaxHz]. The range admits telephone audio (8 kHz) and
// high-resolution masters (192 kHz, 384 kHz) and refuses values that only a corrupt header
// produces.
class SampleRateHz {
 public:
  static constexpr int32_t kMinHz = 1000;
  static constexpr int32_t kMaxHz = 768000;

  // InvalidArgument when `hz` is outside [kMinHz, kMaxHz].
  static Result<SampleRateHz> FromHz(int64_t hz);
  // A rate known at compile time; out-of-range values do not compile.
  template <int32_t kHz>
  static constexpr SampleRateHz Of() {
    static_assert(kHz >= kMinHz && kHz <= kMaxHz, "sample rate out of range");
    return SampleRateHz(kHz);
  }

  constexpr int32_t hz() const { return hz_; }
  friend constexpr bool operator==(SampleRateHz, SampleRateHz) = default;

 private:
  explicit constexpr SampleRateHz(int32_t hz) : hz_(hz) {}
  int32_t hz_;
};

// At most this many channels; 7.1.4 immersive mixes have 12, anything above is a bad header.
inline constexpr int kMaxChannels = 32;

// Interleaved float samples with their rate and channel count. Invariant: channels() in
// [1, kMaxChannels] and samples().size() is a multiple of channels(); an empty buffer (zero
// frames) is allowed.
class AudioBuffer {
 public:
  // InvalidArgument when the channel count is out of range or the sample count is not a
  // multiple of it.
  static Result<AudioBuffer> Make(SampleRateHz sample_rate, int channels,
                                  std::vector<float> interleaved);
  // From one vector per channel, all of the same length (InvalidArgument otherwise).
  static Result<AudioBuffer> FromPlanar(SampleRateHz sample_rate,
                                        const std::vector<std::vector<float>>& planar);

  SampleRateHz sample_rate() const { return sample_rate_; }
  int channels() const { return channels_; }
  int64_t frames() const { return static_cast<int64_t>(samples_.size()) / channels_; }
  double duration_seconds() const {
    return static_cast<double>(frames()) / static_cast<double>(sample_rate_.hz());
  }
  int64_t duration_ms() const { return frames() * 1000 / sample_rate_.hz(); }

  const std::vector<float>& samples() const { return samples_; }
  std::vector<float>& mutable_samples() { return samples_; }  // size must stay a multiple
  float at(int64_t frame, int channel) const { return samples_[frame * channels_ + channel]; }

  // The average of the channels, one sample per frame.
  std::vector<float> MixToMono() const;
  // One vector per channel.
  std::vector<std::vector<float>> Planar() const;

 private:
  AudioBuffer(SampleRateHz sample_rate, int channels, std::vector<float> samples)
      : sample_rate_(sample_rate), channels_(channels), samples_(std::move(samples)) {}

  SampleRateHz sample_rate_;
  int channels_;
  std::vector<float> samples_;
};

// 20 * log10(amplitude), with a floor of -200 dB for silence so that results stay finite.
double AmplitudeToDb(double amplitude);
double DbToAmplitude(double db);

}  // namespace accord::audio

#endif  // ACCORD_AUDIO_TYPES_H_
