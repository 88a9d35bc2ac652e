#include "audio/transform.h"

#include <rubberband/RubberBandStretcher.h>
#include <samplerate.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <numbers>
#include <string>
#include <thread>
#include <vector>

#include "audio/loudness.h"

namespace accord::audio {
namespace {

// Rubber Band is fed in blocks of this many frames in both passes. R3's output bits depend on
// it, R2's do not: with 3.1.2, blocks of 512, 1,024, 2,048, 8,192 or 16,384 frames each gave
// R3 output that differs from this size's from the first few thousand frames on (R3 appears
// to fix its output hop once per process() call), so changing it changes what R3 renders,
// which callers that cache or compare renders would see. Larger blocks saved no measurable
// CPU time either (docs/audio.md, "Speed").
constexpr size_t kStretchBlockFrames = 4096;

int SrcConverter(ResampleQuality quality) {
  switch (quality) {
    case ResampleQuality::kFast:
      return SRC_SINC_FASTEST;
    case ResampleQuality::kMedium:
      return SRC_SINC_MEDIUM_QUALITY;
    case ResampleQuality::kBest:
      return SRC_SINC_BEST_QUALITY;
  }
  return SRC_SINC_MEDIUM_QUALITY;
}

Status SameShape(const AudioBuffer& a, const AudioBuffer& b, std::string_view what) {
  if (a.sample_rate() != b.sample_rate()) {
    return InvalidArgumentError(std::string(what) + ": sample rates differ (" +
                                std::to_string(a.sample_rate().hz()) + " and " +
                                std::to_string(b.sample_rate().hz()) + " Hz)");
  }
  if (a.channels() != b.channels()) {
    return InvalidArgumentError(std::string(what) + ": channel counts differ (" +
                                std::to_string(a.channels()) + " and " +
                                std::to_string(b.channels()) + ")");
  }
  return OkStatus();
}

int64_t MsToFrames(int64_t ms, SampleRateHz rate) { return ms * rate.hz() / 1000; }

}  // namespace

Result<AudioBuffer> Resample(const AudioBuffer& input, SampleRateHz to, ResampleQuality quality) {
  if (input.sample_rate() == to) return input;
  const double ratio = static_cast<double>(to.hz()) / input.sample_rate().hz();
  const auto output_frames =
      static_cast<int64_t>(std::llround(static_cast<double>(input.frames()) * ratio));
  std::vector<float> output(static_cast<size_t>(output_frames * input.channels()));
  if (input.frames() > 0 && output_frames > 0) {
    SRC_DATA data{};
    data.data_in = input.samples().data();
    data.input_frames = static_cast<long>(input.frames());
    data.data_out = output.data();
    data.output_frames = static_cast<long>(output_frames);
    data.src_ratio = ratio;
    data.end_of_input = 1;
    const int error = src_simple(&data, SrcConverter(quality), input.channels());
    if (error != 0) return InternalError(std::string("libsamplerate: ") + src_strerror(error));
    // src_simple may stop a few frames short of the rounded length; the rest stay silent.
  }
  return AudioBuffer::Make(to, input.channels(), std::move(output));
}

Result<AudioBuffer> StretchAndShift(const AudioBuffer& input, const StretchOptions& options) {
  if (!(options.time_ratio >= 0.25 && options.time_ratio <= 4.0)) {
    return InvalidArgumentError("time_ratio must be in [0.25, 4]");
  }
  if (!(options.pitch_semitones >= -24 && options.pitch_semitones <= 24)) {
    return InvalidArgumentError("pitch_semitones must be in [-24, 24]");
  }
  const int channels = input.channels();
  const int64_t frames = input.frames();
  const auto expected_frames =
      static_cast<int64_t>(std::llround(static_cast<double>(frames) * options.time_ratio));
  if (frames == 0) return AudioBuffer::Make(input.sample_rate(), channels, {});
  const double pitch_scale = std::pow(2.0, options.pitch_semitones / 12.0);
  using RubberBand::RubberBandStretcher;
  // No OptionChannels flag: the library's default, OptionChannelsApart. Even so R3 does not
  // process the channels independently: below 600 Hz each bin's phase may follow the peak of
  // whichever channel is loudest there. One mono stretcher per channel (which would let R3 use
  // a second core) therefore gives different samples from one stereo stretcher, differing by
  // about as much as the signal itself below 1 kHz on music; we keep one stretcher.
  RubberBandStretcher::Options flags =
      RubberBandStretcher::OptionProcessOffline |
      (options.allow_threads ? RubberBandStretcher::OptionThreadingAuto
                             : RubberBandStretcher::OptionThreadingNever) |
      (options.engine == StretchEngine::kFiner ? RubberBandStretcher::OptionEngineFiner
                                               : RubberBandStretcher::OptionEngineFaster);
  std::vector<std::vector<float>> planar = input.Planar();
  // Output goes straight into its final vectors, sized for the expected length plus room for
  // the little Rubber Band may overshoot by (checked below).
  std::vector<std::vector<float>> output(
      channels, std::vector<float>(static_cast<size_t>(expected_frames) + kStretchBlockFrames));
  size_t produced_frames = 0;
  try {
    RubberBandStretcher stretcher(static_cast<size_t>(input.sample_rate().hz()),
                                  static_cast<size_t>(channels), flags, options.time_ratio,
                                  pitch_scale);
    stretcher.setExpectedInputDuration(static_cast<size_t>(frames));
    stretcher.setMaxProcessSize(kStretchBlockFrames);
    std::vector<const float*> in_pointers(channels);
    std::vector<float*> out_pointers(channels);
    // Takes what is ready. With worker threads, output may still be on its way after the last
    // input: then wait for it until Rubber Band says it is finished (available() < 0).
    auto drain = [&](bool finished_input) {
      for (;;) {
        const int available = stretcher.available();
        if (available < 0) return;
        if (available == 0) {
          if (!finished_input || !options.allow_threads) return;
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
          continue;
        }
        const size_t needed = produced_frames + static_cast<size_t>(available);
        if (needed > output[0].size()) {
          for (std::vector<float>& channel : output) channel.resize(needed);
        }
        for (int channel = 0; channel < channels; ++channel) {
          out_pointers[channel] = output[channel].data() + produced_frames;
        }
        produced_frames += stretcher.retrieve(out_pointers.data(), static_cast<size_t>(available));
      }
    };
    auto pass = [&](bool study) {
      for (int64_t start = 0; start < frames; start += kStretchBlockFrames) {
        const auto count =
            static_cast<size_t>(std::min<int64_t>(kStretchBlockFrames, frames - start));
        const bool final = start + static_cast<int64_t>(count) >= frames;
        for (int channel = 0; channel < channels; ++channel) {
          in_pointers[channel] = planar[channel].data() + start;
        }
        if (study) {
          stretcher.study(in_pointers.data(), count, final);
        } else {
          stretcher.process(in_pointers.data(), count, final);
          drain(final);  // memory stays bounded by a few blocks
        }
      }
    };
    pass(/*study=*/true);
    pass(/*study=*/false);
  } catch (const std::exception& e) {
    return InternalError(std::string("Rubber Band: ") + e.what());
  }
  for (std::vector<float>& channel : output) channel.resize(produced_frames);
  // Offline Rubber Band aims at exactly round(frames * ratio). Allow it one millisecond per
  // minute of output (the accuracy this layer promises) plus a frame, and cut or pad to the
  // exact length within that; anything further off is a failure, not something to hide.
  const auto produced = static_cast<int64_t>(output[0].size());
  const int64_t allowed =
      1 + static_cast<int64_t>(static_cast<double>(expected_frames) / 60.0 / 1000.0);
  if (std::llabs(produced - expected_frames) > allowed) {
    return InternalError("Rubber Band produced " + std::to_string(produced) + " frames, " +
                         "expected " + std::to_string(expected_frames));
  }
  for (std::vector<float>& channel : output) channel.resize(static_cast<size_t>(expected_frames));
  return AudioBuffer::FromPlanar(input.sample_rate(), output);
}

Result<AudioBuffer> ApplyGain(const AudioBuffer& input, double gain_db) {
  if (!(gain_db >= -120 && gain_db <= 60))
    return InvalidArgumentError("gain_db must be in [-120, 60]");
  const auto factor = static_cast<float>(DbToAmplitude(gain_db));
  std::vector<float> samples = input.samples();
  for (float& sample : samples) sample *= factor;
  return AudioBuffer::Make(input.sample_rate(), input.channels(), std::move(samples));
}

Result<AudioBuffer> Crossfade(const AudioBuffer& first, const AudioBuffer& second,
                              int64_t fade_ms) {
  ACCORD_RETURN_IF_ERROR(SameShape(first, second, "crossfade"));
  if (fade_ms < 0) return InvalidArgumentError("fade_ms must not be negative");
  const int64_t fade = MsToFrames(fade_ms, first.sample_rate());
  if (fade > first.frames() || fade > second.frames()) {
    return InvalidArgumentError("fade_ms " + std::to_string(fade_ms) +
                                " is longer than one of the inputs");
  }
  const int channels = first.channels();
  const int64_t total = first.frames() + second.frames() - fade;
  std::vector<float> out(static_cast<size_t>(total * channels), 0.0f);
  const int64_t overlap_start = first.frames() - fade;
  std::copy(first.samples().begin(), first.samples().end(), out.begin());
  for (int64_t frame = 0; frame < second.frames(); ++frame) {
    // Equal power: cos^2 + sin^2 = 1 at every point of the fade.
    double gain_in = 1.0;
    double gain_out = 0.0;
    if (frame < fade) {
      const double x = (static_cast<double>(frame) + 0.5) / static_cast<double>(fade);
      gain_in = std::sin(x * std::numbers::pi / 2);
      gain_out = std::cos(x * std::numbers::pi / 2);
    }
    for (int channel = 0; channel < channels; ++channel) {
      const size_t index = static_cast<size_t>((overlap_start + frame) * channels + channel);
      out[index] = static_cast<float>(out[index] * gain_out + second.at(frame, channel) * gain_in);
    }
  }
  return AudioBuffer::Make(first.sample_rate(), channels, std::move(out));
}

Result<AudioBuffer> DuckUnderVoice(const AudioBuffer& music, const AudioBuffer& voice,
                                   const DuckOptions& options) {
  if (music.sample_rate() != voice.sample_rate()) {
    return InvalidArgumentError("duck: the voice's sample rate differs from the music's");
  }
  if (voice.channels() != 1 && voice.channels() != music.channels()) {
    return InvalidArgumentError("duck: the voice must be mono or have the music's channels");
  }
  if (!(options.depth_db >= -60 && options.depth_db <= 0)) {
    return InvalidArgumentError("duck: depth_db must be in [-60, 0]");
  }
  if (options.attack_ms < 1 || options.release_ms < 1 || options.attack_ms > 10000 ||
      options.release_ms > 10000) {
    return InvalidArgumentError("duck: attack_ms and release_ms must be in [1, 10000]");
  }
  const int64_t offset = MsToFrames(options.voice_offset_ms, music.sample_rate());
  if (options.voice_offset_ms < 0 || offset + voice.frames() > music.frames()) {
    return InvalidArgumentError("duck: the voice does not fit in the music at voice_offset_ms");
  }
  const double rate_hz = music.sample_rate().hz();
  const int channels = music.channels();
  // The gain moves towards its target with one-pole smoothing whose time constants are the
  // attack (going down) and release (coming back); the voice level is a peak envelope with a
  // 10 ms decay so that gaps between syllables do not release the duck.
  const double attack_coeff = std::exp(-1.0 / (options.attack_ms * 1e-3 * rate_hz));
  const double release_coeff = std::exp(-1.0 / (options.release_ms * 1e-3 * rate_hz));
  const double envelope_coeff = std::exp(-1.0 / (0.010 * rate_hz));
  const double threshold = DbToAmplitude(options.threshold_dbfs);
  const double ducked_gain = DbToAmplitude(options.depth_db);
  std::vector<float> out = music.samples();
  double envelope = 0;
  double gain = 1.0;
  // Look ahead by the attack time so that the music is already down when the voice starts.
  const int64_t lookahead = MsToFrames(options.attack_ms, music.sample_rate());
  auto voice_level = [&](int64_t music_frame) {
    const int64_t voice_frame = music_frame - offset;
    if (voice_frame < 0 || voice_frame >= voice.frames()) return 0.0;
    double level = 0;
    for (int channel = 0; channel < voice.channels(); ++channel) {
      level = std::max(level, static_cast<double>(std::fabs(voice.at(voice_frame, channel))));
    }
    return level;
  };
  for (int64_t frame = 0; frame < music.frames(); ++frame) {
    envelope = std::max(voice_level(frame + lookahead), envelope * envelope_coeff);
    const double target = envelope >= threshold ? ducked_gain : 1.0;
    const double coeff = target < gain ? attack_coeff : release_coeff;
    gain = target + (gain - target) * coeff;
    const int64_t voice_frame = frame - offset;
    for (int channel = 0; channel < channels; ++channel) {
      double value = out[frame * channels + channel] * gain;
      if (voice_frame >= 0 && voice_frame < voice.frames()) {
        value += voice.at(voice_frame, voice.channels() == 1 ? 0 : channel);
      }
      out[frame * channels + channel] = static_cast<float>(value);
    }
  }
  return AudioBuffer::Make(music.sample_rate(), channels, std::move(out));
}

Result<AudioBuffer> NormalizeLoudness(const AudioBuffer& input, double target_lufs,
                                      double ceiling_dbtp) {
  if (!(target_lufs >= -70 && target_lufs <= 0)) {
    return InvalidArgumentError("target_lufs must be in [-70, 0]");
  }
  if (!(ceiling_dbtp >= -20 && ceiling_dbtp <= 0)) {
    return InvalidArgumentError("ceiling_dbtp must be in [-20, 0]");
  }
  ACCORD_ASSIGN_OR_RETURN(Loudness loudness, MeasureLoudness(input));
  if (!loudness.has_integrated) {
    return FailedPreconditionError("the audio is silent: no loudness to normalise");
  }
  double gain_db = target_lufs - loudness.integrated_lufs;
  // True peak scales with the gain (a linear operation), so the ceiling bounds the gain.
  gain_db = std::min(gain_db, ceiling_dbtp - loudness.true_peak_dbtp);
  gain_db = std::clamp(gain_db, -120.0, 60.0);
  return ApplyGain(input, gain_db);
}

}  // namespace accord::audio
