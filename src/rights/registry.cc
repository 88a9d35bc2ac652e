#include "rights/registry.h"

#include <algorithm>
#include <functional>
#include <string>
#include <unordered_set>
#include <utility>

#include "rights/internal/registry_check.h"

namespace accord::rights {
namespace internal {
namespace {

std::string Quoted(std::string_view text) {
  std::string out = "'";
  out += text;
  out += '\'';
  return out;
}

// Prefixes a failure with the record it belongs to: "recording USRC17607839: <message>". The
// label is built only here, on failure, since the checks run once per record of a catalog.
template <typename T>
Status AtRecord(const T& record, std::string message) {
  return InvalidArgumentError(RecordLabel(record) + ": " + std::move(message));
}

std::string Label(std::string_view kind, std::string_view key) {
  std::string out(kind);
  out += ' ';
  if (key.empty()) {
    out += "(no id)";
  } else {
    out += key;
  }
  return out;
}

size_t HashCombine(size_t seed, size_t value) {
  // boost::hash_combine's mixing; good enough for keys that are already well spread.
  return seed ^ (value + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2));
}

// Checks a list of party references; `field` is the list's name in the import format.
template <typename T>
Status CheckPartyRefs(const T& record, const std::vector<std::string>& ids, std::string_view field,
                      const RegistryIndex& index) {
  for (size_t ref_idx = 0; ref_idx < ids.size(); ++ref_idx) {
    if (!index.HasParty(ids[ref_idx])) {
      return AtRecord(record, std::string(field) + "/" + std::to_string(ref_idx) +
                                  ": unknown party " + Quoted(ids[ref_idx]));
    }
  }
  return OkStatus();
}

template <typename T>
Status CheckShareRefs(const T& record, const std::vector<catalog::Share>& shares,
                      std::string_view field, const RegistryIndex& index) {
  for (size_t share_idx = 0; share_idx < shares.size(); ++share_idx) {
    if (!index.HasParty(shares[share_idx].party)) {
      return AtRecord(record, std::string(field) + "/" + std::to_string(share_idx) +
                                  "/party: unknown party " + Quoted(shares[share_idx].party));
    }
  }
  return OkStatus();
}

Status CheckTerms(const Agreement& record, const EconomicTerms& terms) {
  for (size_t rate_idx = 0; rate_idx < terms.per_use_rates.size(); ++rate_idx) {
    const auto& [scope, rate] = terms.per_use_rates[rate_idx];
    const std::string field = "terms/per_use/" + std::string(ScopeName(scope));
    // Sorted strictly by scope: the royalty engine looks rates up by binary search, and a
    // second rate for one scope would make the price ambiguous.
    if (rate_idx > 0 && terms.per_use_rates[rate_idx - 1].first >= scope) {
      return AtRecord(record, field + ": rates must be one per scope, sorted by scope");
    }
    if (!(rate.currency() == terms.currency)) {
      return AtRecord(record, field + ": rate is in " + std::string(rate.currency().code()) +
                                  ", terms are in " + std::string(terms.currency.code()));
    }
    if (rate.micros() < 0) {
      return AtRecord(record, field + ": rate " + rate.ToString() + " is negative");
    }
  }
  if (terms.revenue_share_ppm < 0 || terms.revenue_share_ppm > catalog::kWholePpm) {
    return AtRecord(record, "terms/revenue_share_ppm: " + std::to_string(terms.revenue_share_ppm) +
                                " is outside 0..1000000");
  }
  if (terms.minimum_guarantee) {
    const Money& guarantee = *terms.minimum_guarantee;
    if (!(guarantee.currency() == terms.currency)) {
      return AtRecord(record, "terms/minimum_guarantee: amount is in " +
                                  std::string(guarantee.currency().code()) + ", terms are in " +
                                  std::string(terms.currency.code()));
    }
    if (guarantee.minor_units() < 0) {
      return AtRecord(record, "terms/minimum_guarantee: " + guarantee.ToString() + " is negative");
    }
  }
  return OkStatus();
}

}  // namespace

std::string RecordLabel(const catalog::Party& party) { return Label("party", party.id); }
std::string RecordLabel(const catalog::Work& work) { return Label("work", work.iswc.str()); }
std::string RecordLabel(const catalog::Recording& recording) {
  return Label("recording", recording.isrc.str());
}
std::string RecordLabel(const Agreement& agreement) { return Label("agreement", agreement.id); }
std::string RecordLabel(const Consent& consent) { return Label("consent", consent.id); }
std::string RecordLabel(const Takedown& takedown) { return Label("takedown", takedown.id); }

Status ValidateRecordId(std::string_view id) {
  if (id.empty()) return InvalidArgumentError("id is empty");
  if (id.size() > 128) {
    return InvalidArgumentError("id is " + std::to_string(id.size()) +
                                " bytes long, at most 128 allowed");
  }
  for (char c : id) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7f) {
      return InvalidArgumentError("id " + Quoted(id) +
                                  " contains whitespace or a control character");
    }
  }
  return OkStatus();
}

size_t RegistryIndex::ConsentKeyHash::operator()(const ConsentKey& key) const {
  size_t seed = std::hash<std::string_view>()(key.party);
  seed = HashCombine(seed, static_cast<size_t>(key.scope));
  return HashCombine(seed, std::hash<int64_t>()(key.effective_ms));
}

size_t RegistryIndex::TakedownKeyHash::operator()(const TakedownKey& key) const {
  return HashCombine(std::hash<std::string_view>()(key.recording),
                     std::hash<int64_t>()(key.effective_ms));
}

void RegistryIndex::Reserve(const Registry& registry) {
  parties_.reserve(parties_.size() + registry.parties.size());
  works_.reserve(works_.size() + registry.works.size());
  recordings_.reserve(recordings_.size() + registry.recordings.size());
  agreements_.reserve(agreements_.size() + registry.agreements.size());
  consents_.reserve(consents_.size() + registry.consents.size());
  consent_keys_.reserve(consent_keys_.size() + registry.consents.size());
  takedowns_.reserve(takedowns_.size() + registry.takedowns.size());
  takedown_keys_.reserve(takedown_keys_.size() + registry.takedowns.size());
}

Status RegistryIndex::AddParty(const catalog::Party& party) {
  if (!parties_.insert(party.id).second) {
    return AtRecord(party, "id: duplicate party id");
  }
  return OkStatus();
}

Status RegistryIndex::AddWork(const catalog::Work& work) {
  if (!works_.insert(work.iswc.str()).second) {
    return AtRecord(work, "iswc: duplicate work");
  }
  return OkStatus();
}

Status RegistryIndex::AddRecording(const catalog::Recording& recording) {
  if (!recordings_.insert(recording.isrc.str()).second) {
    return AtRecord(recording, "isrc: duplicate recording");
  }
  return OkStatus();
}

Status RegistryIndex::AddAgreement(const Agreement& agreement) {
  if (!agreements_.insert(agreement.id).second) {
    return AtRecord(agreement, "id: duplicate agreement id");
  }
  return OkStatus();
}

Status RegistryIndex::AddConsent(const Consent& consent) {
  if (!consents_.insert(consent.id).second) {
    return AtRecord(consent, "id: duplicate consent id");
  }
  const ConsentKey key{consent.party, consent.scope, consent.effective.unix_millis()};
  auto [it, inserted] = consent_keys_.emplace(key, consent.id);
  if (!inserted) {
    // Two records for one party, scope and moment would leave the decision to an arbitrary
    // tie-break (rights/model.h), so the second one is refused.
    return AtRecord(consent, "effective: consent " + Quoted(it->second) +
                                 " already records party " + Quoted(consent.party) + " for scope " +
                                 std::string(ScopeName(consent.scope)) + " at " +
                                 consent.effective.ToString());
  }
  return OkStatus();
}

Status RegistryIndex::AddTakedown(const Takedown& takedown) {
  if (!takedowns_.insert(takedown.id).second) {
    return AtRecord(takedown, "id: duplicate takedown id");
  }
  const TakedownKey key{takedown.recording.str(), takedown.effective.unix_millis()};
  auto [it, inserted] = takedown_keys_.emplace(key, takedown.id);
  if (!inserted) {
    return AtRecord(takedown, "effective: takedown " + Quoted(it->second) +
                                  " already records recording " + takedown.recording.str() +
                                  " at " + takedown.effective.ToString());
  }
  return OkStatus();
}

Status CheckParty(const catalog::Party& party, const RegistryIndex& index) {
  if (Status id = catalog::ValidatePartyId(party.id); !id.ok()) {
    return AtRecord(party, "id: " + id.message());
  }
  if (party.isni && party.isni->empty()) return AtRecord(party, "isni: present but empty");
  for (size_t ref_idx = 0; ref_idx < party.acts_for.size(); ++ref_idx) {
    const std::string& other = party.acts_for[ref_idx];
    if (other == party.id) {
      return AtRecord(party,
                      "acts_for/" + std::to_string(ref_idx) + ": a party cannot act for itself");
    }
  }
  return CheckPartyRefs(party, party.acts_for, "acts_for", index);
}

Status CheckWork(const catalog::Work& work, const RegistryIndex& index) {
  if (work.iswc.empty()) return AtRecord(work, "iswc: missing");
  // Writers and publishers share one whole: the publishing side of a composition.
  std::vector<catalog::Share> all = work.writers;
  all.insert(all.end(), work.publishers.begin(), work.publishers.end());
  if (Status splits = catalog::ValidateSplits(all, "writers+publishers"); !splits.ok()) {
    return AtRecord(work, splits.message());
  }
  ACCORD_RETURN_IF_ERROR(CheckShareRefs(work, work.writers, "writers", index));
  return CheckShareRefs(work, work.publishers, "publishers", index);
}

Status CheckRecording(const catalog::Recording& recording, const RegistryIndex& index) {
  if (recording.isrc.empty()) return AtRecord(recording, "isrc: missing");
  if (recording.main_artists.empty()) {
    return AtRecord(recording, "main_artists: at least one main artist is required");
  }
  if (recording.main_artists.size() + recording.featured_artists.size() >
      catalog::kMaxPartiesPerRecording) {
    return AtRecord(recording, "main_artists, featured_artists: more than " +
                                   std::to_string(catalog::kMaxPartiesPerRecording) +
                                   " artists in all");
  }
  if (recording.master_owners.size() > catalog::kMaxPartiesPerRecording) {
    return AtRecord(recording, "master_owners: more than " +
                                   std::to_string(catalog::kMaxPartiesPerRecording) + " owners");
  }
  ACCORD_RETURN_IF_ERROR(CheckPartyRefs(recording, recording.main_artists, "main_artists", index));
  ACCORD_RETURN_IF_ERROR(
      CheckPartyRefs(recording, recording.featured_artists, "featured_artists", index));
  if (recording.duration_ms < 0) {
    return AtRecord(recording,
                    "duration_ms: " + std::to_string(recording.duration_ms) + " is negative");
  }
  if (Status splits = catalog::ValidateSplits(recording.master_owners, "master_owners");
      !splits.ok()) {
    return AtRecord(recording, splits.message());
  }
  ACCORD_RETURN_IF_ERROR(
      CheckShareRefs(recording, recording.master_owners, "master_owners", index));
  if (recording.work) {
    if (recording.work->empty()) return AtRecord(recording, "work: present but empty");
    if (!index.HasWork(recording.work->str())) {
      return AtRecord(recording, "work: unknown work " + Quoted(recording.work->str()));
    }
  }
  return OkStatus();
}

Status CheckAgreement(const Agreement& agreement, const RegistryIndex& index) {
  if (Status id = ValidateRecordId(agreement.id); !id.ok()) {
    return AtRecord(agreement, "id: " + id.message());
  }
  if (!index.HasParty(agreement.licensor)) {
    return AtRecord(agreement, "licensor: unknown party " + Quoted(agreement.licensor));
  }
  if (agreement.all_controlled && !agreement.recordings.empty()) {
    return AtRecord(agreement,
                    "recordings: an agreement over all controlled recordings lists none");
  }
  if (!agreement.all_controlled && agreement.recordings.empty()) {
    return AtRecord(agreement, "recordings: at least one recording is required");
  }
  for (size_t rec_idx = 0; rec_idx < agreement.recordings.size(); ++rec_idx) {
    const Isrc& isrc = agreement.recordings[rec_idx];
    if (!index.HasRecording(isrc.str())) {
      return AtRecord(agreement, "recordings/" + std::to_string(rec_idx) + ": unknown recording " +
                                     Quoted(isrc.str()));
    }
  }
  // An agreement that grants no scope or no territory permits nothing; it is almost surely
  // a mistake in the source data, and refusing it keeps every stored agreement meaningful.
  if (agreement.scopes.empty()) return AtRecord(agreement, "scopes: no scope granted");
  if (agreement.territories.empty()) return AtRecord(agreement, "territories: no territory");
  if (agreement.end && *agreement.end <= agreement.start) {
    return AtRecord(agreement, "end: " + agreement.end->ToString() + " is not after start " +
                                   agreement.start.ToString());
  }
  if (agreement.terms) return CheckTerms(agreement, *agreement.terms);
  return OkStatus();
}

Status CheckConsent(const Consent& consent, const RegistryIndex& index) {
  if (Status id = ValidateRecordId(consent.id); !id.ok()) {
    return AtRecord(consent, "id: " + id.message());
  }
  if (!index.HasParty(consent.party)) {
    return AtRecord(consent, "party: unknown party " + Quoted(consent.party));
  }
  return OkStatus();
}

Status CheckTakedown(const Takedown& takedown, const RegistryIndex& index) {
  if (Status id = ValidateRecordId(takedown.id); !id.ok()) {
    return AtRecord(takedown, "id: " + id.message());
  }
  if (takedown.recording.empty()) return AtRecord(takedown, "recording: missing");
  if (!index.HasRecording(takedown.recording.str())) {
    return AtRecord(takedown, "recording: unknown recording " + Quoted(takedown.recording.str()));
  }
  return OkStatus();
}

}  // namespace internal

Status ValidateRegistry(const Registry& registry) {
  internal::RegistryIndex index;
  index.Reserve(registry);
  // Keys first, so that reference checks below see every record regardless of order.
  for (const auto& party : registry.parties) ACCORD_RETURN_IF_ERROR(index.AddParty(party));
  for (const auto& work : registry.works) ACCORD_RETURN_IF_ERROR(index.AddWork(work));
  for (const auto& recording : registry.recordings) {
    ACCORD_RETURN_IF_ERROR(index.AddRecording(recording));
  }
  for (const auto& agreement : registry.agreements) {
    ACCORD_RETURN_IF_ERROR(index.AddAgreement(agreement));
  }
  for (const auto& consent : registry.consents) ACCORD_RETURN_IF_ERROR(index.AddConsent(consent));
  for (const auto& takedown : registry.takedowns) {
    ACCORD_RETURN_IF_ERROR(index.AddTakedown(takedown));
  }

  for (const auto& party : registry.parties)
    ACCORD_RETURN_IF_ERROR(internal::CheckParty(party, index));
  for (const auto& work : registry.works) ACCORD_RETURN_IF_ERROR(internal::CheckWork(work, index));
  for (const auto& recording : registry.recordings) {
    ACCORD_RETURN_IF_ERROR(internal::CheckRecording(recording, index));
  }
  for (const auto& agreement : registry.agreements) {
    ACCORD_RETURN_IF_ERROR(internal::CheckAgreement(agreement, index));
  }
  for (const auto& consent : registry.consents) {
    ACCORD_RETURN_IF_ERROR(internal::CheckConsent(consent, index));
  }
  for (const auto& takedown : registry.takedowns) {
    ACCORD_RETURN_IF_ERROR(internal::CheckTakedown(takedown, index));
  }
  return OkStatus();
}

std::vector<Isrc> RecordingsOfParty(const Registry& registry, std::string_view party_id) {
  auto has = [&](const std::vector<catalog::Share>& shares) {
    return std::any_of(shares.begin(), shares.end(),
                       [&](const catalog::Share& share) { return share.party == party_id; });
  };
  std::unordered_set<std::string> works;
  for (const catalog::Work& work : registry.works) {
    if (has(work.writers) || has(work.publishers)) works.insert(work.iswc.str());
  }
  std::vector<Isrc> found;
  for (const catalog::Recording& recording : registry.recordings) {
    const bool artist =
        std::find(recording.main_artists.begin(), recording.main_artists.end(), party_id) !=
            recording.main_artists.end() ||
        std::find(recording.featured_artists.begin(), recording.featured_artists.end(), party_id) !=
            recording.featured_artists.end();
    if (artist || has(recording.master_owners) ||
        (recording.work && works.contains(recording.work->str()))) {
      found.push_back(recording.isrc);
    }
  }
  return found;
}

}  // namespace accord::rights
