#include "audio/true_peak.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

namespace accord::audio {
namespace {

// The interpolator of libebur128 1.2.6 (ebur128.c, interp_create and ebur128_init_resampler):
// 49 taps of sin(m pi / factor) / (m pi / factor) under a Hann window, m = tap - 24, taps of
// magnitude 1e-6 or less dropped. Tap t goes to branch t % factor with delay t / factor, and
// branch b's output at input frame i is sum of coefficient * x[i - delay], x before the first
// frame being zero. Branch 0 is then the single tap 1.0 at delay 24 / factor: the input itself,
// which the sample peak already covers.
constexpr int kTaps = 49;
constexpr double kAlmostZero = 0.000001;
constexpr double kPi = 3.14159265358979323846;  // M_PI, as libebur128 computes its taps with

struct Branch {
  std::vector<float> coefficients;
  std::vector<int> delays;
};

struct Interpolator {
  std::vector<Branch> branches;  // those that are not the input itself
  int max_delay = 0;
  // The largest sum of |coefficient| over the branches: no output can exceed it times the
  // largest |x| among the samples that output reads.
  double max_abs_sum = 0;
};

Interpolator MakeInterpolator(int factor) {
  std::vector<Branch> all(static_cast<size_t>(factor));
  for (int tap = 0; tap < kTaps; ++tap) {
    const double m = static_cast<double>(tap) - static_cast<double>(kTaps - 1) / 2.0;
    double c = 1.0;
    if (std::fabs(m) > kAlmostZero) c = std::sin(m * kPi / factor) / (m * kPi / factor);
    c *= 0.5 * (1 - std::cos(2 * kPi * tap / (kTaps - 1)));
    if (std::fabs(c) > kAlmostZero) {
      Branch& branch = all[static_cast<size_t>(tap % factor)];
      branch.coefficients.push_back(static_cast<float>(c));
      branch.delays.push_back(tap / factor);
    }
  }
  Interpolator interpolator;
  for (Branch& branch : all) {
    if (branch.coefficients.size() == 1 && branch.coefficients[0] == 1.0f) continue;
    double abs_sum = 0;
    for (size_t k = 0; k < branch.coefficients.size(); ++k) {
      abs_sum += std::fabs(static_cast<double>(branch.coefficients[k]));
      interpolator.max_delay = std::max(interpolator.max_delay, branch.delays[k]);
    }
    interpolator.max_abs_sum = std::max(interpolator.max_abs_sum, abs_sum);
    interpolator.branches.push_back(std::move(branch));
  }
  return interpolator;
}

// libebur128 oversamples by 4 below 96 kHz, by 2 below 192 kHz and not at all above.
int OversamplingFactor(SampleRateHz rate) {
  if (rate.hz() < 96000) return 4;
  if (rate.hz() < 192000) return 2;
  return 1;
}

const Interpolator& InterpolatorFor(int factor) {
  static const Interpolator kByFour = MakeInterpolator(4);
  static const Interpolator kByTwo = MakeInterpolator(2);
  return factor == 4 ? kByFour : kByTwo;
}

// Outputs are computed in blocks of this many frames; the bound is checked once per block.
constexpr int kBlockFrames = 1024;
// Channels are copied out of the interleaved buffer this many frames at a time.
constexpr int kChunkFrames = 16 * kBlockFrames;
// Outputs are computed four vectors at a time, so the last block may read up to four vectors
// past the last frame: a channel's copy carries this many zeros after it.
constexpr int kTailPadding = 32;

// The largest |output| of every branch for the outputs at frames [begin, begin + count), with
// `padded` holding x[i] at padded[i + max_delay]. Sums run tap by tap in the same order in
// every lane, with separate multiplies and adds (no fused multiply-add), so every vector width
// gives the same bits. Written with GCC vector types so that it vectorises at any -O level;
// instantiated for vectors of 4 floats (SSE2, every x86-64) and 8 (AVX2).
using Vec4 = float __attribute__((vector_size(16)));
using Vec8 = float __attribute__((vector_size(32)));

template <typename Vec>
[[gnu::always_inline]] inline float BlockPeakImpl(const Interpolator& interpolator,
                                                  const float* padded, int64_t begin, int count) {
  // Four accumulators, named so that they stay in registers across the taps.
  constexpr int kLanes = sizeof(Vec) / sizeof(float);
  constexpr int kStep = 4 * kLanes;
  static_assert(kStep <= kTailPadding);
  Vec peak = {};
  for (const Branch& branch : interpolator.branches) {
    const float* base = padded + begin + interpolator.max_delay;
    const size_t taps = branch.coefficients.size();
    for (int offset = 0; offset < count; offset += kStep) {
      Vec sum0 = {}, sum1 = {}, sum2 = {}, sum3 = {};
      for (size_t k = 0; k < taps; ++k) {
        const float coefficient = branch.coefficients[k];
        const float* source = base + offset - branch.delays[k];
        Vec in0, in1, in2, in3;
        std::memcpy(&in0, source, sizeof(Vec));
        std::memcpy(&in1, source + kLanes, sizeof(Vec));
        std::memcpy(&in2, source + 2 * kLanes, sizeof(Vec));
        std::memcpy(&in3, source + 3 * kLanes, sizeof(Vec));
        sum0 += coefficient * in0;
        sum1 += coefficient * in1;
        sum2 += coefficient * in2;
        sum3 += coefficient * in3;
      }
      sum0 = sum0 < 0 ? -sum0 : sum0;
      sum1 = sum1 < 0 ? -sum1 : sum1;
      sum2 = sum2 < 0 ? -sum2 : sum2;
      sum3 = sum3 < 0 ? -sum3 : sum3;
      if (offset + kStep <= count) {
        peak = sum0 > peak ? sum0 : peak;
        peak = sum1 > peak ? sum1 : peak;
        peak = sum2 > peak ? sum2 : peak;
        peak = sum3 > peak ? sum3 : peak;
      } else {
        // The last block: no outputs past the last frame, as libebur128 computes none.
        float lanes[kStep];
        std::memcpy(lanes, &sum0, sizeof(Vec));
        std::memcpy(lanes + kLanes, &sum1, sizeof(Vec));
        std::memcpy(lanes + 2 * kLanes, &sum2, sizeof(Vec));
        std::memcpy(lanes + 3 * kLanes, &sum3, sizeof(Vec));
        float tail = 0;
        for (int lane = 0; lane < count - offset; ++lane) tail = std::max(tail, lanes[lane]);
        const Vec broadcast = Vec{} + tail;
        peak = broadcast > peak ? broadcast : peak;
      }
    }
  }
  float result = 0;
  for (int lane = 0; lane < kLanes; ++lane) result = std::max(result, peak[lane]);
  return result;
}

float BlockPeakPortable(const Interpolator& interpolator, const float* padded, int64_t begin,
                        int count) {
  return BlockPeakImpl<Vec4>(interpolator, padded, begin, count);
}

#if defined(__x86_64__)
[[gnu::target("avx2")]] float BlockPeakAvx2(const Interpolator& interpolator, const float* padded,
                                            int64_t begin, int count) {
  return BlockPeakImpl<Vec8>(interpolator, padded, begin, count);
}

bool HaveAvx2() {
  static const bool have = __builtin_cpu_supports("avx2");
  return have;
}
#endif

// The largest |value|, vectorised the same way (a plain loop would not be: without
// -ffinite-math-only GCC keeps a max reduction scalar).
template <typename Vec>
[[gnu::always_inline]] inline float MaxAbsImpl(const float* values, int64_t count) {
  constexpr int kLanes = sizeof(Vec) / sizeof(float);
  Vec peak = {};
  int64_t index = 0;
  for (; index + kLanes <= count; index += kLanes) {
    Vec in;
    std::memcpy(&in, values + index, sizeof(Vec));
    const Vec magnitude = in < 0 ? -in : in;
    peak = magnitude > peak ? magnitude : peak;
  }
  float result = 0;
  for (int lane = 0; lane < kLanes; ++lane) result = std::max(result, peak[lane]);
  for (; index < count; ++index) result = std::max(result, std::fabs(values[index]));
  return result;
}

float MaxAbsPortable(const float* values, int64_t count) { return MaxAbsImpl<Vec4>(values, count); }

#if defined(__x86_64__)
[[gnu::target("avx2")]] float MaxAbsAvx2(const float* values, int64_t count) {
  return MaxAbsImpl<Vec8>(values, count);
}
#endif

}  // namespace

PeakLevels MeasurePeaks(const AudioBuffer& buffer, const PeakOptions& options) {
  PeakLevels levels;
  const int channels = buffer.channels();
  const int64_t frames = buffer.frames();
  const std::vector<float>& samples = buffer.samples();
  auto block_peak = BlockPeakPortable;
  auto max_abs = MaxAbsPortable;
#if defined(__x86_64__)
  if (options.allow_avx2 && HaveAvx2()) {
    block_peak = BlockPeakAvx2;
    max_abs = MaxAbsAvx2;
  }
#endif
  levels.sample_peak = max_abs(samples.data(), static_cast<int64_t>(samples.size()));
  levels.true_peak = levels.sample_peak;
  const int factor = OversamplingFactor(buffer.sample_rate());
  if (factor == 1 || frames == 0) return levels;
  const Interpolator& interpolator = InterpolatorFor(factor);

  // A block can be skipped when even its loudest input under the largest tap sum stays at or
  // below the peak found so far (the sample peak to begin with, since the result is never
  // below it). The margin covers float rounding in the sums: 12 to 24 terms, each rounding
  // by at most 2^-24 of the running magnitude, far below 1e-5 of the bound.
  const double bound_scale = interpolator.max_abs_sum * (1 + 1e-5);
  const int max_delay = interpolator.max_delay;
  double peak = levels.true_peak;
  // Each channel is copied out a chunk at a time behind its last max_delay samples (zeros
  // before the first frame), into a buffer small enough to stay in cache.
  const size_t stride = static_cast<size_t>(max_delay + kChunkFrames + kTailPadding);
  std::vector<float> padded(stride * static_cast<size_t>(channels), 0.0f);
  for (int64_t chunk = 0; chunk < frames; chunk += kChunkFrames) {
    const int chunk_frames = static_cast<int>(std::min<int64_t>(kChunkFrames, frames - chunk));
    for (int channel = 0; channel < channels; ++channel) {
      float* history = padded.data() + stride * static_cast<size_t>(channel);
      if (chunk > 0) {
        std::memmove(history, history + kChunkFrames, sizeof(float) * max_delay);
      }
      float* out = history + max_delay;
      const float* in = samples.data() + chunk * channels + channel;
      for (int frame = 0; frame < chunk_frames; ++frame) out[frame] = in[frame * channels];
      std::fill(out + chunk_frames, out + chunk_frames + kTailPadding, 0.0f);
      for (int begin = 0; begin < chunk_frames; begin += kBlockFrames) {
        const int count = std::min(kBlockFrames, chunk_frames - begin);
        // Outputs in this block read history[begin .. begin + max_delay + count - 1].
        if (options.skip_quiet_blocks &&
            max_abs(history + begin, max_delay + count) * bound_scale <= peak) {
          continue;
        }
        peak = std::max(peak, static_cast<double>(block_peak(interpolator, history, begin, count)));
      }
    }
  }
  levels.true_peak = peak;
  return levels;
}

}  // namespace accord::audio
