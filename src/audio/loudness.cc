#include "audio/loudness.h"

#include <ebur128.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "audio/true_peak.h"

namespace accord::audio {
namespace {

struct StateCloser {
  void operator()(ebur128_state* state) const { ebur128_destroy(&state); }
};

// libebur128 is fed in blocks so that its internal buffers stay small and hot in cache.
constexpr int64_t kBlockFrames = 65536;

}  // namespace

Result<Loudness> MeasureLoudness(const AudioBuffer& buffer) {
  const int channels = buffer.channels();
  // libebur128 measures I and LRA only. The peaks are ours (true_peak.h): the same
  // interpolator, in float and vectorised, at about a twentieth of libebur128's cost for its
  // EBUR128_MODE_TRUE_PEAK, which took 70% of this function (docs/decisions/0009).
  std::unique_ptr<ebur128_state, StateCloser> state(ebur128_init(
      static_cast<unsigned>(channels), static_cast<unsigned long>(buffer.sample_rate().hz()),
      EBUR128_MODE_I | EBUR128_MODE_LRA));
  if (!state) return InternalError("libebur128: cannot create a loudness meter");
  if (channels == 6) {
    // WAV / SMPTE order: L R C LFE Ls Rs. BS.1770 ignores the LFE.
    const int map[6] = {EBUR128_LEFT,   EBUR128_RIGHT,         EBUR128_CENTER,
                        EBUR128_UNUSED, EBUR128_LEFT_SURROUND, EBUR128_RIGHT_SURROUND};
    for (int channel = 0; channel < 6; ++channel) {
      ebur128_set_channel(state.get(), static_cast<unsigned>(channel), map[channel]);
    }
  }
  const std::vector<float>& samples = buffer.samples();
  for (int64_t start = 0; start < buffer.frames(); start += kBlockFrames) {
    const int64_t count = std::min(kBlockFrames, buffer.frames() - start);
    if (ebur128_add_frames_float(state.get(), samples.data() + start * channels,
                                 static_cast<size_t>(count)) != EBUR128_SUCCESS) {
      return InternalError("libebur128: add_frames failed");
    }
  }
  Loudness result;
  double integrated = 0;
  if (ebur128_loudness_global(state.get(), &integrated) == EBUR128_SUCCESS &&
      std::isfinite(integrated)) {
    result.has_integrated = true;
    result.integrated_lufs = integrated;
  } else {
    result.integrated_lufs = -HUGE_VAL;
  }
  double range = 0;
  if (ebur128_loudness_range(state.get(), &range) == EBUR128_SUCCESS && std::isfinite(range)) {
    result.loudness_range_lu = range;
  }
  const PeakLevels peaks = MeasurePeaks(buffer);
  result.true_peak_dbtp = AmplitudeToDb(peaks.true_peak);
  result.sample_peak_dbfs = AmplitudeToDb(peaks.sample_peak);
  return result;
}

}  // namespace accord::audio
