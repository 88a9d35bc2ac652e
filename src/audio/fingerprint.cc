#include "audio/fingerprint.h"

#include <chromaprint.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <memory>

namespace accord::audio {
namespace {

struct ContextCloser {
  void operator()(ChromaprintContext* context) const { chromaprint_free(context); }
};

constexpr int64_t kFeedFrames = 16384;
// Offsets (in sub-fingerprints, about 124 ms each) tried when comparing two prints.
constexpr int kMaxOffset = 8;

}  // namespace

Result<Fingerprint> ComputeFingerprint(const AudioBuffer& buffer) {
  std::unique_ptr<ChromaprintContext, ContextCloser> context(
      chromaprint_new(CHROMAPRINT_ALGORITHM_DEFAULT));
  if (!context) return InternalError("chromaprint: cannot create a context");
  const int channels = std::min(buffer.channels(), 2);
  if (!chromaprint_start(context.get(), buffer.sample_rate().hz(), channels)) {
    return InternalError("chromaprint: start failed");
  }
  const int64_t frames = std::min<int64_t>(
      buffer.frames(), static_cast<int64_t>(kFingerprintSeconds * buffer.sample_rate().hz()));
  std::vector<int16_t> chunk(static_cast<size_t>(kFeedFrames * channels));
  for (int64_t start = 0; start < frames; start += kFeedFrames) {
    const int64_t count = std::min(kFeedFrames, frames - start);
    for (int64_t frame = 0; frame < count; ++frame) {
      for (int channel = 0; channel < channels; ++channel) {
        const float value = std::clamp(buffer.at(start + frame, channel), -1.0f, 1.0f);
        chunk[frame * channels + channel] = static_cast<int16_t>(std::lrint(value * 32767.0f));
      }
    }
    if (!chromaprint_feed(context.get(), chunk.data(), static_cast<int>(count * channels))) {
      return InternalError("chromaprint: feed failed");
    }
  }
  if (!chromaprint_finish(context.get())) return InternalError("chromaprint: finish failed");
  Fingerprint result;
  char* encoded = nullptr;
  if (chromaprint_get_fingerprint(context.get(), &encoded) && encoded != nullptr) {
    result.encoded = encoded;
  }
  chromaprint_dealloc(encoded);
  uint32_t* raw = nullptr;
  int raw_size = 0;
  if (chromaprint_get_raw_fingerprint(context.get(), &raw, &raw_size) && raw != nullptr) {
    result.raw.assign(raw, raw + raw_size);
  }
  chromaprint_dealloc(raw);
  return result;
}

double FingerprintSimilarity(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) {
  double best = 0;
  for (int offset = -kMaxOffset; offset <= kMaxOffset; ++offset) {
    int64_t bits = 0;
    int64_t equal = 0;
    for (int64_t index = 0; index < static_cast<int64_t>(a.size()); ++index) {
      const int64_t other = index + offset;
      if (other < 0 || other >= static_cast<int64_t>(b.size())) continue;
      equal += 32 - std::popcount(a[index] ^ b[other]);
      bits += 32;
    }
    if (bits >= 32 * 16) best = std::max(best, static_cast<double>(equal) / bits);
  }
  return best;
}

}  // namespace accord::audio
