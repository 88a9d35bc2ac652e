// The catalog: who owns what. Parties, recordings (ISRC) and works (ISWC) with their splits.
//
// These are plain value types; the registry (rights/registry.h) holds them and checks that
// references resolve. Ownership and publishing splits are parts per million and must add to
// exactly kWholePpm: a split that does not is rejected at import, never normalised.
//
// Thread safety: values.
#ifndef ACCORD_CATALOG_MODEL_H_
#define ACCORD_CATALOG_MODEL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ids.h"
#include "core/status.h"
#include "core/time.h"

namespace accord::catalog {

inline constexpr int32_t kWholePpm = 1'000'000;
// At most this many master owners, and this many main and featured artists together, per
// recording. Real recordings have a handful; the policy engine packs the counts into a byte.
inline constexpr size_t kMaxPartiesPerRecording = 255;

enum class PartyKind { kArtist, kLabel, kDistributor, kPublisher, kWriter };
// "artist", "label", "distributor", "publisher", "writer".
std::string_view PartyKindName(PartyKind kind);
Result<PartyKind> ParsePartyKind(std::string_view name);

// AI involvement as disclosed by the rights holder, in the sense of DDEX ERN 4.3 `ContainsAI`.
enum class ContainsAi { kNone, kPartly, kAll };
// "None", "Partly", "All" (parsing ignores case).
std::string_view ContainsAiName(ContainsAi value);
Result<ContainsAi> ParseContainsAi(std::string_view name);

// Party ids are the platform's own keys ("label:nordic-noise", "artist:muldjord"): printable
// ASCII, 1..128 characters, no whitespace or control characters. Returns InvalidArgument
// otherwise.
Status ValidatePartyId(std::string_view id);

struct Party {
  std::string id;
  PartyKind kind = PartyKind::kArtist;
  std::string name;
  std::optional<Isni> isni;
  // Parties this one acts for: a distributor for its labels, a publisher administering for
  // writers, a label for a sub-label. An agreement signed by this party binds them.
  std::vector<std::string> acts_for;

  friend bool operator==(const Party&, const Party&) = default;
};

// One holder's part of a whole, in parts per million.
struct Share {
  std::string party;
  int32_t ppm = 0;

  friend bool operator==(const Share&, const Share&) = default;
};

// Each share positive, no party twice, sum exactly kWholePpm. InvalidArgument names `field`
// and the actual sum ("master_owners: shares add to 999999 ppm, not 1000000").
Status ValidateSplits(const std::vector<Share>& shares, std::string_view field);

struct Work {
  Iswc iswc;
  std::string title;
  // Publishing splits: writers' and publishers' shares together add to kWholePpm.
  std::vector<Share> writers;
  std::vector<Share> publishers;

  friend bool operator==(const Work&, const Work&) = default;
};

struct Recording {
  Isrc isrc;
  std::string title;
  std::vector<std::string> main_artists;      // party ids, at least one
  std::vector<std::string> featured_artists;  // party ids
  int64_t duration_ms = 0;
  std::optional<Timestamp> release_date;
  std::vector<Share> master_owners;  // must add to kWholePpm
  std::optional<Iswc> work;          // the composition it embodies, when known
  ContainsAi contains_ai = ContainsAi::kNone;

  friend bool operator==(const Recording&, const Recording&) = default;
};

}  // namespace accord::catalog

#endif  // ACCORD_CATALOG_MODEL_H_
