#include "rights/snapshot.h"

#include <algorithm>
#include <bit>
#include <limits>
#include <numeric>
#include <string>
#include <string_view>
#include <utility>

#include "core/memory.h"

namespace accord::rights {
namespace {

// An ISRC in Isrc::Parse's normal form (2 capital letters, 3 capital letters or digits, 7
// digits) as an integer, one to one: 26² × 36³ × 10⁷ codes fit in 49 bits. False for any other
// text, which no Isrc but the empty one holds.
bool PackIsrc(std::string_view code, uint64_t* key) {
  if (code.size() != 12) return false;
  uint64_t packed = 0;
  for (size_t i = 0; i < code.size(); ++i) {
    const char c = code[i];
    const bool letter = c >= 'A' && c <= 'Z';
    const bool digit = c >= '0' && c <= '9';
    if (i < 2) {
      if (!letter) return false;
      packed = packed * 26 + static_cast<uint64_t>(c - 'A');
    } else if (i < 5) {
      if (!letter && !digit) return false;
      packed = packed * 36 + static_cast<uint64_t>(digit ? c - '0' : 10 + (c - 'A'));
    } else {
      if (!digit) return false;
      packed = packed * 10 + static_cast<uint64_t>(c - '0');
    }
  }
  *key = packed;
  return true;
}

// Closes one adjacency list of a CSR pair: offsets gets the new end.
template <typename T>
void CloseList(std::vector<uint32_t>& offsets, const std::vector<T>& values) {
  offsets.push_back(static_cast<uint32_t>(values.size()));
}

template <typename T>
size_t VectorBytes(const std::vector<T>& v) {
  return v.capacity() * sizeof(T);
}

size_t StringsBytes(const std::vector<std::string>& v) {
  size_t bytes = VectorBytes(v);
  for (const std::string& s : v) {
    if (s.capacity() > 15) bytes += s.capacity() + 1;
  }
  return bytes;
}

}  // namespace

size_t RecordingBitmap::Count() const {
  size_t count = 0;
  for (uint64_t word : words_) count += static_cast<size_t>(std::popcount(word));
  return count;
}

Result<std::shared_ptr<const Snapshot>> Snapshot::Build(const Registry& registry) {
  // std::make_shared cannot reach the private constructor.
  std::shared_ptr<Snapshot> s(new Snapshot());
  s->policy_ = registry.policy;

  // Parties and the "acts for" graph.
  const size_t party_count = registry.parties.size();
  s->party_ids_.reserve(party_count);
  s->party_index_.reserve(party_count);
  for (const catalog::Party& party : registry.parties) {
    auto [it, inserted] =
        s->party_index_.emplace(party.id, static_cast<uint32_t>(s->party_ids_.size()));
    if (!inserted) return InvalidArgumentError("party " + party.id + " appears twice");
    s->party_ids_.push_back(party.id);
  }
  auto party_of = [&](const std::string& id, const std::string& where) -> Result<uint32_t> {
    auto it = s->party_index_.find(id);
    if (it == s->party_index_.end()) {
      return InvalidArgumentError(where + ": unknown party '" + id + "'");
    }
    return it->second;
  };
  std::vector<std::vector<uint32_t>> acts_for(party_count);
  for (size_t p = 0; p < party_count; ++p) {
    for (const std::string& other : registry.parties[p].acts_for) {
      ACCORD_ASSIGN_OR_RETURN(uint32_t target,
                              party_of(other, "party " + registry.parties[p].id + ": acts_for"));
      acts_for[p].push_back(target);
    }
  }

  // Agreements, and for each party the agreements that can license on its behalf: those whose
  // licensor reaches it through "acts for" (itself included). The reach of a licensor is
  // computed once however many agreements it signed.
  const size_t agreement_count = registry.agreements.size();
  s->agreements_.reserve(agreement_count);
  s->agreement_territories_.reserve(agreement_count);
  s->agreement_ids_.reserve(agreement_count);
  std::vector<std::vector<uint32_t>> agreements_by_licensor(party_count);
  for (size_t a = 0; a < agreement_count; ++a) {
    const Agreement& agreement = registry.agreements[a];
    ACCORD_ASSIGN_OR_RETURN(uint32_t licensor,
                            party_of(agreement.licensor, "agreement " + agreement.id));
    agreements_by_licensor[licensor].push_back(static_cast<uint32_t>(a));
  }
  // Recording indexes are needed for list-based agreements, so recordings come first.
  const size_t recording_count = registry.recordings.size();
  s->isrcs_.reserve(recording_count);
  for (const catalog::Recording& recording : registry.recordings) {
    s->isrcs_.push_back(recording.isrc);
  }
  ACCORD_RETURN_IF_ERROR(s->IndexRecordings());
  for (size_t a = 0; a < agreement_count; ++a) {
    const Agreement& agreement = registry.agreements[a];
    AgreementRow row;
    row.start_ms = agreement.start.unix_millis();
    row.end_ms = agreement.end ? agreement.end->unix_millis() : std::numeric_limits<int64_t>::max();
    row.scopes = agreement.scopes.bits();
    row.all_controlled = agreement.all_controlled;
    row.list_begin = static_cast<uint32_t>(s->agreement_recordings_.size());
    if (!agreement.all_controlled) {
      for (const Isrc& isrc : agreement.recordings) {
        const std::optional<uint32_t> recording = s->FindRecording(isrc);
        if (!recording) {
          return InvalidArgumentError("agreement " + agreement.id + ": unknown recording " +
                                      isrc.str());
        }
        s->agreement_recordings_.push_back(*recording);
      }
      std::sort(s->agreement_recordings_.begin() + row.list_begin, s->agreement_recordings_.end());
    }
    row.list_end = static_cast<uint32_t>(s->agreement_recordings_.size());
    s->agreements_.push_back(row);
    s->agreement_territories_.push_back(agreement.territories);
    s->agreement_ids_.push_back(agreement.id);
  }
  std::vector<std::vector<uint32_t>> holder_agreements(party_count);
  std::vector<uint32_t> reach_mark(party_count, std::numeric_limits<uint32_t>::max());
  std::vector<uint32_t> stack;
  for (uint32_t licensor = 0; licensor < party_count; ++licensor) {
    if (agreements_by_licensor[licensor].empty()) continue;
    stack.assign(1, licensor);
    reach_mark[licensor] = licensor;
    while (!stack.empty()) {
      uint32_t holder = stack.back();
      stack.pop_back();
      const auto& signed_here = agreements_by_licensor[licensor];
      holder_agreements[holder].insert(holder_agreements[holder].end(), signed_here.begin(),
                                       signed_here.end());
      for (uint32_t next : acts_for[holder]) {
        if (reach_mark[next] != licensor) {
          reach_mark[next] = licensor;
          stack.push_back(next);
        }
      }
    }
  }
  s->parties_.resize(party_count);
  for (uint32_t p = 0; p < party_count; ++p) {
    std::vector<uint32_t>& list = holder_agreements[p];
    std::sort(list.begin(), list.end());
    s->parties_[p].agreement_begin = static_cast<uint32_t>(s->holder_agreements_.size());
    s->parties_[p].agreement_count = static_cast<uint32_t>(list.size());
    s->holder_agreements_.insert(s->holder_agreements_.end(), list.begin(), list.end());
  }

  // Consents, per party, sorted by (scope, effective time); a stable sort keeps registry order
  // among equal times so that Latest() can apply the reference's tie-break.
  std::vector<std::vector<TimedEntry>> consent_lists(party_count);
  s->consent_ids_.reserve(registry.consents.size());
  for (const Consent& consent : registry.consents) {
    ACCORD_ASSIGN_OR_RETURN(uint32_t party, party_of(consent.party, "consent " + consent.id));
    consent_lists[party].push_back(
        TimedEntry{consent.effective.unix_millis(), static_cast<uint32_t>(s->consent_ids_.size()),
                   static_cast<uint8_t>(consent.scope), consent.choice == ConsentChoice::kOptIn});
    s->consent_ids_.push_back(consent.id);
  }
  s->consents_.reserve(registry.consents.size());
  for (uint32_t p = 0; p < party_count; ++p) {
    std::vector<TimedEntry>& list = consent_lists[p];
    std::stable_sort(list.begin(), list.end(), [](const TimedEntry& a, const TimedEntry& b) {
      return a.scope != b.scope ? a.scope < b.scope : a.effective_ms < b.effective_ms;
    });
    s->parties_[p].consent_begin = static_cast<uint32_t>(s->consents_.size());
    s->parties_[p].consent_count = static_cast<uint32_t>(list.size());
    s->consents_.insert(s->consents_.end(), list.begin(), list.end());
  }

  // Works: publishers only; writers do not license (docs/policy.md, rule 2).
  std::unordered_map<std::string, int32_t> work_index;
  work_index.reserve(registry.works.size());
  s->publisher_offsets_.reserve(registry.works.size() + 1);
  s->publisher_offsets_.push_back(0);
  for (const catalog::Work& work : registry.works) {
    if (!work_index.emplace(work.iswc.str(), static_cast<int32_t>(work_index.size())).second) {
      return InvalidArgumentError("work " + work.iswc.str() + " appears twice");
    }
    for (const catalog::Share& share : work.publishers) {
      ACCORD_ASSIGN_OR_RETURN(uint32_t party,
                              party_of(share.party, "work " + work.iswc.str() + ": publishers"));
      s->publishers_.push_back(party);
    }
    CloseList(s->publisher_offsets_, s->publishers_);
  }

  // Recordings. ValidateRegistry caps owners and artists per recording at
  // kMaxPartiesPerRecording, so the counts fit the row's bytes; an unvalidated registry that
  // exceeds it is refused rather than truncated.
  s->recordings_.resize(recording_count);
  s->owners_.reserve(recording_count);
  s->artists_.reserve(recording_count + recording_count / 4);
  for (size_t r = 0; r < recording_count; ++r) {
    const catalog::Recording& recording = registry.recordings[r];
    RecordingRow& row = s->recordings_[r];
    const std::string where = "recording " + recording.isrc.str();
    if (recording.master_owners.empty() ||
        recording.master_owners.size() > catalog::kMaxPartiesPerRecording ||
        recording.main_artists.size() + recording.featured_artists.size() >
            catalog::kMaxPartiesPerRecording) {
      return InvalidArgumentError(where + ": needs 1.." +
                                  std::to_string(catalog::kMaxPartiesPerRecording) +
                                  " master owners and at most as many artists");
    }
    row.owner_begin = static_cast<uint32_t>(s->owners_.size());
    for (const catalog::Share& owner : recording.master_owners) {
      ACCORD_ASSIGN_OR_RETURN(uint32_t party, party_of(owner.party, where + ": master_owners"));
      s->owners_.push_back(party);
    }
    row.owner_count = static_cast<uint8_t>(s->owners_.size() - row.owner_begin);
    row.first_owner = s->owners_[row.owner_begin];
    row.artist_begin = static_cast<uint32_t>(s->artists_.size());
    for (const auto* list : {&recording.main_artists, &recording.featured_artists}) {
      for (const std::string& artist : *list) {
        ACCORD_ASSIGN_OR_RETURN(uint32_t party, party_of(artist, where + ": artists"));
        if (std::find(s->artists_.begin() + row.artist_begin, s->artists_.end(), party) ==
            s->artists_.end()) {
          s->artists_.push_back(party);
        }
      }
    }
    row.artist_count = static_cast<uint8_t>(s->artists_.size() - row.artist_begin);
    if (row.artist_count > 0) {
      row.first_artist = s->artists_[row.artist_begin];
      const PartyRow& artist = s->parties_[row.first_artist];
      for (uint32_t i = 0; i < artist.consent_count; ++i) {
        row.first_artist_consent_scopes |=
            static_cast<uint8_t>(1u << s->consents_[artist.consent_begin + i].scope);
      }
    }
    row.work = -1;
    if (recording.work) {
      auto it = work_index.find(recording.work->str());
      if (it != work_index.end()) {
        row.work = it->second;
        const uint32_t begin = s->publisher_offsets_[row.work];
        if (s->publisher_offsets_[row.work + 1] - begin == 1) {
          row.first_publisher = s->publishers_[begin];
          row.flags |= kSinglePublisher;
        }
      }
    }
    if (recording.contains_ai == catalog::ContainsAi::kAll) row.flags |= kFullyAi;
  }

  // Takedowns, per recording, sorted by effective time (stable, as for consents).
  std::vector<std::pair<uint32_t, TimedEntry>> takedowns;
  takedowns.reserve(registry.takedowns.size());
  for (const Takedown& takedown : registry.takedowns) {
    const std::optional<uint32_t> recording = s->FindRecording(takedown.recording);
    if (!recording) {
      return InvalidArgumentError("takedown " + takedown.id + ": unknown recording " +
                                  takedown.recording.str());
    }
    takedowns.emplace_back(*recording, TimedEntry{takedown.effective.unix_millis(),
                                                  static_cast<uint32_t>(s->takedown_ids_.size()), 0,
                                                  takedown.action == TakedownAction::kBlock});
    s->takedown_ids_.push_back(takedown.id);
  }
  std::stable_sort(takedowns.begin(), takedowns.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : a.second.effective_ms < b.second.effective_ms;
  });
  s->takedowns_.reserve(takedowns.size());
  s->takedown_counts_.assign(recording_count, 0);
  for (const auto& [recording, entry] : takedowns) {
    RecordingRow& row = s->recordings_[recording];
    uint16_t& count = s->takedown_counts_[recording];
    if (count == std::numeric_limits<uint16_t>::max()) {
      return InvalidArgumentError("recording " + s->isrcs_[recording].str() +
                                  ": more than 65535 takedown records");
    }
    if (count == 0) {
      row.takedown_begin = static_cast<uint32_t>(s->takedowns_.size());
      row.flags |= kHasTakedowns;
    }
    ++count;
    s->takedowns_.push_back(entry);
  }

  return std::shared_ptr<const Snapshot>(std::move(s));
}

Status Snapshot::IndexRecordings() {
  size_t capacity = 16;
  recording_shift_ = 60;
  while (capacity < 2 * isrcs_.size()) {
    capacity *= 2;
    --recording_shift_;
  }
  // A big catalog's table is read at random: huge pages spare most lookups a TLB miss. The
  // advice goes between allocating and the first write (resize), or it comes too late; a table
  // smaller than a huge page gets none.
  recording_slots_.reserve(capacity);
  AdviseHugePages(recording_slots_.data(), capacity * sizeof(RecordingSlot));
  recording_slots_.resize(capacity);
  for (uint32_t recording = 0; recording < isrcs_.size(); ++recording) {
    const std::string& code = isrcs_[recording].str();
    auto repeated = [&code] {
      return InvalidArgumentError("recording " + code + " appears twice");
    };
    if (code.empty()) {
      if (recording_without_isrc_) return repeated();
      recording_without_isrc_ = recording;
      continue;
    }
    uint64_t key = 0;
    if (!PackIsrc(code, &key)) {  // Isrc::Parse makes every non-empty Isrc; it packs
      return InternalError("recording " + code + ": ISRC not in normal form");
    }
    ++key;
    size_t slot = RecordingSlotOf(key);
    for (; recording_slots_[slot].key != 0; slot = (slot + 1) & (capacity - 1)) {
      if (recording_slots_[slot].key == key) return repeated();
    }
    recording_slots_[slot] = RecordingSlot{key, recording};
  }
  return OkStatus();
}

std::optional<uint32_t> Snapshot::FindRecording(const Isrc& isrc) const {
  std::optional<uint32_t> recording;
  if (FindRecordingCode(isrc.str(), &recording)) return recording;
  // Every Isrc but the empty one is in normal form (only Isrc::Parse makes them).
  return isrc.empty() ? recording_without_isrc_ : std::nullopt;
}

bool Snapshot::FindRecordingCode(std::string_view text, std::optional<uint32_t>* recording) const {
  uint64_t key = 0;
  if (!PackIsrc(text, &key)) return false;
  ++key;
  // The table is at most half full, so the walk meets an empty slot.
  const size_t mask = recording_slots_.size() - 1;
  for (size_t slot = RecordingSlotOf(key);; slot = (slot + 1) & mask) {
    const RecordingSlot& entry = recording_slots_[slot];
    if (entry.key == key) {
      *recording = entry.recording;
      return true;
    }
    if (entry.key == 0) {
      *recording = std::nullopt;
      return true;
    }
  }
}

void Snapshot::PrefetchRecording(std::string_view text) const {
  uint64_t key = 0;
  if (PackIsrc(text, &key)) __builtin_prefetch(&recording_slots_[RecordingSlotOf(key + 1)]);
}

bool Snapshot::AgreementMatches(uint32_t agreement, Scope scope, Territory territory,
                                int64_t at_ms) const {
  const AgreementRow& row = agreements_[agreement];
  return ((row.scopes >> static_cast<int>(scope)) & 1u) && row.start_ms <= at_ms &&
         at_ms < row.end_ms && agreement_territories_[agreement].Contains(territory);
}

bool Snapshot::ListContains(uint32_t agreement, uint32_t recording) const {
  const AgreementRow& row = agreements_[agreement];
  return std::binary_search(agreement_recordings_.begin() + row.list_begin,
                            agreement_recordings_.begin() + row.list_end, recording);
}

bool Snapshot::HolderCovered(uint32_t holder, uint32_t recording, Scope scope, Territory territory,
                             int64_t at_ms) const {
  const PartyRow& party = parties_[holder];
  const uint32_t* agreements = holder_agreements_.data() + party.agreement_begin;
  for (uint32_t i = 0; i < party.agreement_count; ++i) {
    const uint32_t agreement = agreements[i];
    if (AgreementMatches(agreement, scope, territory, at_ms) &&
        (agreements_[agreement].all_controlled || ListContains(agreement, recording))) {
      return true;
    }
  }
  return false;
}

const Snapshot::TimedEntry* Snapshot::Latest(const TimedEntry* first, const TimedEntry* last,
                                             int64_t at_ms) {
  const TimedEntry* it = std::upper_bound(
      first, last, at_ms, [](int64_t t, const TimedEntry& e) { return t < e.effective_ms; });
  if (it == first) return nullptr;
  --it;
  // Among records with the same effective time the first in registry order decides, as in
  // the reference evaluator. (ValidateRegistry refuses such ties; this keeps the engines equal
  // even on registries that skipped validation.)
  while (it != first && (it - 1)->effective_ms == it->effective_ms) --it;
  return it;
}

const Snapshot::TimedEntry* Snapshot::LatestConsent(uint32_t party, Scope scope,
                                                    int64_t at_ms) const {
  const PartyRow& row = parties_[party];
  if (row.consent_count == 0) return nullptr;
  const TimedEntry* begin = consents_.data() + row.consent_begin;
  const TimedEntry* end = begin + row.consent_count;
  const uint8_t wanted = static_cast<uint8_t>(scope);
  // A party has a handful of records per scope: a linear walk to its scope's run is cheaper
  // here than a binary search.
  const TimedEntry* first = begin;
  while (first != end && first->scope < wanted) ++first;
  const TimedEntry* last = first;
  while (last != end && last->scope == wanted) ++last;
  return Latest(first, last, at_ms);
}

bool Snapshot::ArtistConsents(uint32_t party, Scope scope, int64_t at_ms) const {
  const TimedEntry* latest = LatestConsent(party, scope, at_ms);
  if (latest != nullptr) return latest->yes;
  return policy_.mode(scope) == ConsentMode::kOptOut;
}

bool Snapshot::FirstArtistConsents(const RecordingRow& row, Scope scope, int64_t at_ms) const {
  if (!((row.first_artist_consent_scopes >> static_cast<int>(scope)) & 1u)) {
    return policy_.mode(scope) == ConsentMode::kOptOut;
  }
  return ArtistConsents(row.first_artist, scope, at_ms);
}

bool Snapshot::PublishersCovered(const RecordingRow& row, uint32_t recording, Scope scope,
                                 Territory territory, int64_t at_ms) const {
  if (row.work < 0) return false;
  if (row.flags & kSinglePublisher) {
    return HolderCovered(row.first_publisher, recording, scope, territory, at_ms);
  }
  for (uint32_t i = publisher_offsets_[row.work]; i < publisher_offsets_[row.work + 1]; ++i) {
    if (!HolderCovered(publishers_[i], recording, scope, territory, at_ms)) return false;
  }
  return true;
}

bool Snapshot::TakenDown(uint32_t recording, int64_t at_ms) const {
  const RecordingRow& row = recordings_[recording];
  if (!(row.flags & kHasTakedowns)) return false;
  const TimedEntry* first = takedowns_.data() + row.takedown_begin;
  const TimedEntry* latest = Latest(first, first + takedown_counts_[recording], at_ms);
  return latest != nullptr && latest->yes;
}

bool Snapshot::PolicyExcludes(Scope scope, uint32_t recording) const {
  return scope == Scope::kRecommend && (recordings_[recording].flags & kFullyAi) &&
         !policy_.recommend_fully_ai;
}

bool Snapshot::Allowed(Scope scope, uint32_t recording, Territory territory, Timestamp at) const {
  const int64_t at_ms = at.unix_millis();
  const RecordingRow& row = recordings_[recording];
  if (PolicyExcludes(scope, recording) || TakenDown(recording, at_ms)) return false;
  if (row.artist_count > 0 && !FirstArtistConsents(row, scope, at_ms)) return false;
  for (uint32_t i = 1; i < row.artist_count; ++i) {
    if (!ArtistConsents(artists_[row.artist_begin + i], scope, at_ms)) return false;
  }
  if (!HolderCovered(row.first_owner, recording, scope, territory, at_ms)) return false;
  for (uint32_t i = 1; i < row.owner_count; ++i) {
    if (!HolderCovered(owners_[row.owner_begin + i], recording, scope, territory, at_ms)) {
      return false;
    }
  }
  return !UsesComposition(scope) || PublishersCovered(row, recording, scope, territory, at_ms);
}

Decision Snapshot::Decide(Scope scope, uint32_t recording, Territory territory,
                          Timestamp at) const {
  const int64_t at_ms = at.unix_millis();
  const RecordingRow& row = recordings_[recording];
  Decision decision;
  auto require_agreement = [&](uint32_t holder, Rule rule) {
    bool covered = false;
    const PartyRow& party = parties_[holder];
    for (uint32_t i = 0; i < party.agreement_count; ++i) {
      const uint32_t agreement = holder_agreements_[party.agreement_begin + i];
      if (AgreementMatches(agreement, scope, territory, at_ms) &&
          (agreements_[agreement].all_controlled || ListContains(agreement, recording))) {
        decision.agreements.push_back(agreement_ids_[agreement]);
        covered = true;
      }
    }
    if (!covered) decision.reasons.push_back(Reason{rule, party_ids_[holder], ""});
  };

  for (uint32_t i = 0; i < row.owner_count; ++i) {
    require_agreement(owners_[row.owner_begin + i], Rule::kNoMasterAgreement);
  }
  if (UsesComposition(scope)) {
    if (row.work < 0) {
      decision.reasons.push_back(Reason{Rule::kNoWork, "", ""});
    } else {
      for (uint32_t i = publisher_offsets_[row.work]; i < publisher_offsets_[row.work + 1]; ++i) {
        require_agreement(publishers_[i], Rule::kNoPublisherAgreement);
      }
    }
  }
  for (uint32_t i = 0; i < row.artist_count; ++i) {
    const uint32_t artist = artists_[row.artist_begin + i];
    const TimedEntry* latest = LatestConsent(artist, scope, at_ms);
    if (latest != nullptr) decision.consents.push_back(consent_ids_[latest->record]);
    if (latest != nullptr && !latest->yes) {
      decision.reasons.push_back(
          Reason{Rule::kConsentOptedOut, party_ids_[artist], consent_ids_[latest->record]});
    } else if (latest == nullptr && policy_.mode(scope) == ConsentMode::kOptIn) {
      decision.reasons.push_back(Reason{Rule::kConsentMissing, party_ids_[artist], ""});
    }
  }
  const TimedEntry* first_takedown = takedowns_.data() + row.takedown_begin;
  const TimedEntry* takedown =
      (row.flags & kHasTakedowns)
          ? Latest(first_takedown, first_takedown + takedown_counts_[recording], at_ms)
          : nullptr;
  if (takedown != nullptr && takedown->yes) {
    decision.reasons.push_back(Reason{Rule::kTakedown, "", takedown_ids_[takedown->record]});
  }
  if (PolicyExcludes(scope, recording)) {
    decision.reasons.push_back(Reason{Rule::kPlatformPolicy, "", ""});
  }

  FinishDecision(decision);
  return decision;
}

void Snapshot::Filter(Scope scope, Territory territory, Timestamp at,
                      RecordingBitmap* allowed) const {
  const int64_t at_ms = at.unix_millis();
  const size_t party_count = party_ids_.size();

  // Per party, once per query: may it be a master owner or publisher here (covered by a
  // blanket agreement, not at all, or only by some list-based agreement that must be checked
  // per recording), and does it consent as an artist. One byte holds both, so the per
  // recording loop below touches one small array.
  constexpr uint8_t kHolderMask = 3;
  constexpr uint8_t kConsents = 4;
  std::vector<uint8_t> party_state(party_count, 0);
  std::vector<uint8_t> agreement_matches(agreements_.size());
  for (uint32_t a = 0; a < agreements_.size(); ++a) {
    agreement_matches[a] = AgreementMatches(a, scope, territory, at_ms) ? 1 : 0;
  }
  for (uint32_t p = 0; p < party_count; ++p) {
    uint8_t holder = kHolderNotCovered;
    const PartyRow& party = parties_[p];
    for (uint32_t i = 0; i < party.agreement_count; ++i) {
      const uint32_t a = holder_agreements_[party.agreement_begin + i];
      if (!agreement_matches[a]) continue;
      if (agreements_[a].all_controlled) {
        holder = kHolderCovered;
        break;
      }
      holder = kHolderCheckList;
    }
    party_state[p] =
        static_cast<uint8_t>(holder | (ArtistConsents(p, scope, at_ms) ? kConsents : 0));
  }

  auto holder_ok = [&](uint32_t holder, uint32_t recording) {
    const uint8_t state = party_state[holder] & kHolderMask;
    return state == kHolderCovered ||
           (state == kHolderCheckList && HolderCovered(holder, recording, scope, territory, at_ms));
  };

  const uint32_t count = recording_count();
  allowed->Resize(count);
  std::vector<uint64_t>& words = allowed->mutable_words();
  const bool composition = UsesComposition(scope);
  const bool exclude_fully_ai = scope == Scope::kRecommend && !policy_.recommend_fully_ai;
  for (uint32_t base = 0; base < count; base += 64) {
    const uint32_t end = std::min<uint32_t>(count, base + 64);
    uint64_t word = 0;
    for (uint32_t r = base; r < end; ++r) {
      const RecordingRow& row = recordings_[r];
      bool ok = !(exclude_fully_ai && (row.flags & kFullyAi));
      if (row.artist_count > 0) ok = ok && (party_state[row.first_artist] & kConsents) != 0;
      for (uint32_t i = 1; ok && i < row.artist_count; ++i) {
        ok = (party_state[artists_[row.artist_begin + i]] & kConsents) != 0;
      }
      ok = ok && holder_ok(row.first_owner, r);
      for (uint32_t i = 1; ok && i < row.owner_count; ++i) {
        ok = holder_ok(owners_[row.owner_begin + i], r);
      }
      if (ok && composition) {
        ok = row.work >= 0;
        if (ok && (row.flags & kSinglePublisher)) {
          ok = holder_ok(row.first_publisher, r);
        } else {
          for (uint32_t i = ok ? publisher_offsets_[row.work] : 0;
               ok && i < publisher_offsets_[row.work + 1]; ++i) {
            ok = holder_ok(publishers_[i], r);
          }
        }
      }
      if (ok && (row.flags & kHasTakedowns)) ok = !TakenDown(r, at_ms);
      word |= static_cast<uint64_t>(ok) << (r - base);
    }
    words[base >> 6] = word;
  }
}

size_t Snapshot::MemoryBytes() const {
  // Hash maps: a node per entry (key string, value, next pointer) plus the bucket array.
  auto map_bytes = [](const auto& map) {
    return map.size() * (sizeof(std::string) + 2 * sizeof(void*) + 8) +
           map.bucket_count() * sizeof(void*);
  };
  size_t bytes = sizeof(*this);
  bytes += StringsBytes(party_ids_) + map_bytes(party_index_) + VectorBytes(parties_);
  bytes += VectorBytes(holder_agreements_) + VectorBytes(consents_) + StringsBytes(consent_ids_);
  bytes += VectorBytes(agreements_) + VectorBytes(agreement_territories_) +
           VectorBytes(agreement_recordings_) + StringsBytes(agreement_ids_);
  bytes += VectorBytes(isrcs_) + VectorBytes(recording_slots_) + VectorBytes(recordings_);
  bytes += VectorBytes(owners_) + VectorBytes(artists_);
  bytes += VectorBytes(takedowns_) + VectorBytes(takedown_counts_) + StringsBytes(takedown_ids_);
  bytes += VectorBytes(publisher_offsets_) + VectorBytes(publishers_);
  return bytes;
}

Status PolicyEngine::Rebuild(const Registry& registry) {
  ACCORD_ASSIGN_OR_RETURN(std::shared_ptr<const Snapshot> snapshot, Snapshot::Build(registry));
  Publish(std::move(snapshot));
  return OkStatus();
}

}  // namespace accord::rights
