// Acoustic fingerprints with Chromaprint (the AcoustID algorithm): a compact, compressed,
// base64 string that stays the same through re-encoding, resampling and small level changes,
// used to recognise a recording in an upload (create/ copy detection).
//
//   ACCORD_ASSIGN_OR_RETURN(Fingerprint print, ComputeFingerprint(buffer));
//   print.encoded;  // "AQADtEmUaEkSRYmC..."
//
// Chromaprint looks at the first kFingerprintSeconds only, as AcoustID does.
//
// Thread safety: reentrant.
#ifndef ACCORD_AUDIO_FINGERPRINT_H_
#define ACCORD_AUDIO_FINGERPRINT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "audio/types.h"
#include "core/status.h"

namespace accord::audio {

inline constexpr double kFingerprintSeconds = 120.0;

struct Fingerprint {
  std::string encoded;        // Chromaprint's compressed base64 form; "" for short audio
  std::vector<uint32_t> raw;  // the raw 32-bit sub-fingerprints, for comparison
};

// Internal when Chromaprint fails; audio under about 3 s gives an empty fingerprint.
Result<Fingerprint> ComputeFingerprint(const AudioBuffer& buffer);

// The share of equal bits between two raw fingerprints over their common length, at the best
// of a few small offsets: near 1 for the same recording, about 0.5 for unrelated audio.
double FingerprintSimilarity(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b);

}  // namespace accord::audio

#endif  // ACCORD_AUDIO_FINGERPRINT_H_
