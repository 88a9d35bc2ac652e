#include "catalog/model.h"

#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "core/text.h"

namespace accord::catalog {
namespace {

constexpr size_t kMaxPartyIdBytes = 128;

}  // namespace

std::string_view PartyKindName(PartyKind kind) {
  switch (kind) {
    case PartyKind::kArtist:
      return "artist";
    case PartyKind::kLabel:
      return "label";
    case PartyKind::kDistributor:
      return "distributor";
    case PartyKind::kPublisher:
      return "publisher";
    case PartyKind::kWriter:
      return "writer";
  }
  return "unknown";  // only through a cast of an out-of-range integer
}

Result<PartyKind> ParsePartyKind(std::string_view name) {
  for (PartyKind kind : {PartyKind::kArtist, PartyKind::kLabel, PartyKind::kDistributor,
                         PartyKind::kPublisher, PartyKind::kWriter}) {
    if (name == PartyKindName(kind)) return kind;
  }
  return InvalidArgumentError("party kind " + QuoteForError(name) +
                              ": expected artist, label, distributor, publisher or writer");
}

std::string_view ContainsAiName(ContainsAi value) {
  switch (value) {
    case ContainsAi::kNone:
      return "None";
    case ContainsAi::kPartly:
      return "Partly";
    case ContainsAi::kAll:
      return "All";
  }
  return "unknown";  // only through a cast of an out-of-range integer
}

Result<ContainsAi> ParseContainsAi(std::string_view name) {
  // DDEX writes "Partly"; spreadsheets from labels write "partly" and "PARTLY". The meaning is
  // the same, so case is ignored.
  for (ContainsAi value : {ContainsAi::kNone, ContainsAi::kPartly, ContainsAi::kAll}) {
    if (EqualsIgnoreAsciiCase(name, ContainsAiName(value))) return value;
  }
  return InvalidArgumentError("contains_ai " + QuoteForError(name) +
                              ": expected None, Partly or All");
}

Status ValidatePartyId(std::string_view id) {
  if (id.empty()) return InvalidArgumentError("party id is empty");
  if (id.size() > kMaxPartyIdBytes) {
    return InvalidArgumentError("party id " + QuoteForError(id) + " is " +
                                std::to_string(id.size()) + " bytes long; the limit is " +
                                std::to_string(kMaxPartyIdBytes));
  }
  // Ids are keys that travel through logs, file names, URLs and CSV cells. Printable ASCII
  // without spaces is safe in all of them; anything else (a space, a tab, a non-breaking space,
  // a look-alike Unicode letter) makes two ids that print the same but compare different.
  for (size_t i = 0; i < id.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(id[i]);
    if (c <= 0x20 || c >= 0x7f) {
      return InvalidArgumentError("party id " + QuoteForError(id) + ": byte " +
                                  std::to_string(i + 1) +
                                  " is whitespace, a control character or not ASCII");
    }
  }
  return OkStatus();
}

Status ValidateSplits(const std::vector<Share>& shares, std::string_view field) {
  const std::string prefix(field);
  std::set<std::string_view> seen;
  // Summed in 64 bits: a few shares near INT32_MAX would overflow an int32 sum and could wrap
  // round to exactly a million.
  int64_t sum_ppm = 0;
  for (const Share& share : shares) {
    if (share.ppm <= 0) {
      return InvalidArgumentError(prefix + ": share of " + QuoteForError(share.party) + " is " +
                                  std::to_string(share.ppm) + " ppm; each share must be positive");
    }
    if (!seen.insert(share.party).second) {
      return InvalidArgumentError(prefix + ": party " + QuoteForError(share.party) +
                                  " appears twice");
    }
    sum_ppm += share.ppm;
  }
  if (sum_ppm != kWholePpm) {
    return InvalidArgumentError(prefix + ": shares add to " + std::to_string(sum_ppm) +
                                " ppm, not " + std::to_string(kWholePpm));
  }
  return OkStatus();
}

}  // namespace accord::catalog
