#include "rights/snapshot.h"

#include <algorithm>
#include <bit>
#include <limits>
#include <numeric>
#include <string>
#include <utility>

namespace accord::rights {
namespace {

// Appends one adjacency list to a CSR pair: offsets gets the new end.
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
  s->recording_index_.reserve(recording_count);
  for (const catalog::Recording& recording : registry.recordings) {
    auto [it, inserted] =
        s->recording_index_.emplace(recording.isrc.str(), static_cast<uint32_t>(s->isrcs_.size()));
    if (!inserted)
      return InvalidArgumentError("recording " + recording.isrc.str() + " appears twice");
    s->isrcs_.push_back(recording.isrc);
  }
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
        auto it = s->recording_index_.find(isrc.str());
        if (it == s->recording_index_.end()) {
          return InvalidArgumentError("agreement " + agreement.id + ": unknown recording " +
                                      isrc.str());
        }
        s->agreement_recordings_.push_back(it->second);
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
  s->holder_agreement_offsets_.reserve(party_count + 1);
  s->holder_agreement_offsets_.push_back(0);
  for (auto& list : holder_agreements) {
    std::sort(list.begin(), list.end());
    s->holder_agreements_.insert(s->holder_agreements_.end(), list.begin(), list.end());
    CloseList(s->holder_agreement_offsets_, s->holder_agreements_);
  }

  // Consents, per (party, scope), sorted by effective time; a stable sort keeps registry order
  // among equal times so that Latest() can apply the reference's tie-break.
  std::vector<std::vector<TimedEntry>> consent_lists(party_count * kScopeCount);
  s->consent_ids_.reserve(registry.consents.size());
  for (const Consent& consent : registry.consents) {
    ACCORD_ASSIGN_OR_RETURN(uint32_t party, party_of(consent.party, "consent " + consent.id));
    consent_lists[party * kScopeCount + static_cast<uint32_t>(consent.scope)].push_back(
        TimedEntry{consent.effective.unix_millis(), static_cast<uint32_t>(s->consent_ids_.size()),
                   consent.choice == ConsentChoice::kOptIn});
    s->consent_ids_.push_back(consent.id);
  }
  s->consent_offsets_.reserve(consent_lists.size() + 1);
  s->consent_offsets_.push_back(0);
  s->consents_.reserve(registry.consents.size());
  for (auto& list : consent_lists) {
    std::stable_sort(list.begin(), list.end(), [](const TimedEntry& a, const TimedEntry& b) {
      return a.effective_ms < b.effective_ms;
    });
    s->consents_.insert(s->consents_.end(), list.begin(), list.end());
    CloseList(s->consent_offsets_, s->consents_);
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

  // Recordings.
  s->owner_offsets_.reserve(recording_count + 1);
  s->artist_offsets_.reserve(recording_count + 1);
  s->takedown_offsets_.reserve(recording_count + 1);
  s->owners_.reserve(recording_count);
  s->artists_.reserve(recording_count + recording_count / 4);
  s->recording_work_.reserve(recording_count);
  s->fully_ai_.reserve(recording_count);
  s->owner_offsets_.push_back(0);
  s->artist_offsets_.push_back(0);
  for (const catalog::Recording& recording : registry.recordings) {
    const std::string where = "recording " + recording.isrc.str();
    for (const catalog::Share& owner : recording.master_owners) {
      ACCORD_ASSIGN_OR_RETURN(uint32_t party, party_of(owner.party, where + ": master_owners"));
      s->owners_.push_back(party);
    }
    CloseList(s->owner_offsets_, s->owners_);
    const size_t first_artist = s->artists_.size();
    for (const auto* list : {&recording.main_artists, &recording.featured_artists}) {
      for (const std::string& artist : *list) {
        ACCORD_ASSIGN_OR_RETURN(uint32_t party, party_of(artist, where + ": artists"));
        if (std::find(s->artists_.begin() + first_artist, s->artists_.end(), party) ==
            s->artists_.end()) {
          s->artists_.push_back(party);
        }
      }
    }
    CloseList(s->artist_offsets_, s->artists_);
    int32_t work = -1;
    if (recording.work) {
      auto it = work_index.find(recording.work->str());
      if (it != work_index.end()) work = it->second;
    }
    s->recording_work_.push_back(work);
    s->fully_ai_.push_back(recording.contains_ai == catalog::ContainsAi::kAll ? 1 : 0);
  }

  // Takedowns, per recording, sorted by effective time (stable, as for consents).
  std::vector<std::pair<uint32_t, TimedEntry>> takedowns;
  takedowns.reserve(registry.takedowns.size());
  for (const Takedown& takedown : registry.takedowns) {
    auto it = s->recording_index_.find(takedown.recording.str());
    if (it == s->recording_index_.end()) {
      return InvalidArgumentError("takedown " + takedown.id + ": unknown recording " +
                                  takedown.recording.str());
    }
    takedowns.emplace_back(it->second, TimedEntry{takedown.effective.unix_millis(),
                                                  static_cast<uint32_t>(s->takedown_ids_.size()),
                                                  takedown.action == TakedownAction::kBlock});
    s->takedown_ids_.push_back(takedown.id);
  }
  std::stable_sort(takedowns.begin(), takedowns.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : a.second.effective_ms < b.second.effective_ms;
  });
  s->takedown_offsets_.assign(recording_count + 1, 0);
  for (const auto& [recording, entry] : takedowns) {
    ++s->takedown_offsets_[recording + 1];
    s->takedowns_.push_back(entry);
  }
  std::partial_sum(s->takedown_offsets_.begin(), s->takedown_offsets_.end(),
                   s->takedown_offsets_.begin());

  return std::shared_ptr<const Snapshot>(std::move(s));
}

std::optional<uint32_t> Snapshot::FindRecording(const Isrc& isrc) const {
  auto it = recording_index_.find(isrc.str());
  if (it == recording_index_.end()) return std::nullopt;
  return it->second;
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
  for (uint32_t i = holder_agreement_offsets_[holder]; i < holder_agreement_offsets_[holder + 1];
       ++i) {
    const uint32_t agreement = holder_agreements_[i];
    if (AgreementMatches(agreement, scope, territory, at_ms) &&
        (agreements_[agreement].all_controlled || ListContains(agreement, recording))) {
      return true;
    }
  }
  return false;
}

const Snapshot::TimedEntry* Snapshot::Latest(const std::vector<TimedEntry>& entries, uint32_t begin,
                                             uint32_t end, int64_t at_ms) {
  auto first = entries.begin() + begin;
  auto it = std::upper_bound(first, entries.begin() + end, at_ms,
                             [](int64_t t, const TimedEntry& e) { return t < e.effective_ms; });
  if (it == first) return nullptr;
  --it;
  // Among records with the same effective time the first in registry order decides, as in
  // the reference evaluator. (ValidateRegistry refuses such ties; this keeps the engines equal
  // even on registries that skipped validation.)
  while (it != first && (it - 1)->effective_ms == it->effective_ms) --it;
  return &*it;
}

const Snapshot::TimedEntry* Snapshot::LatestConsent(uint32_t party, Scope scope,
                                                    int64_t at_ms) const {
  const uint32_t slot = party * kScopeCount + static_cast<uint32_t>(scope);
  return Latest(consents_, consent_offsets_[slot], consent_offsets_[slot + 1], at_ms);
}

bool Snapshot::ArtistConsents(uint32_t party, Scope scope, int64_t at_ms) const {
  const TimedEntry* latest = LatestConsent(party, scope, at_ms);
  if (latest != nullptr) return latest->yes;
  return policy_.mode(scope) == ConsentMode::kOptOut;
}

bool Snapshot::TakenDown(uint32_t recording, int64_t at_ms) const {
  const uint32_t begin = takedown_offsets_[recording];
  const uint32_t end = takedown_offsets_[recording + 1];
  if (begin == end) return false;
  const TimedEntry* latest = Latest(takedowns_, begin, end, at_ms);
  return latest != nullptr && latest->yes;
}

bool Snapshot::PolicyExcludes(Scope scope, uint32_t recording) const {
  return scope == Scope::kRecommend && fully_ai_[recording] && !policy_.recommend_fully_ai;
}

bool Snapshot::Allowed(Scope scope, uint32_t recording, Territory territory, Timestamp at) const {
  const int64_t at_ms = at.unix_millis();
  if (PolicyExcludes(scope, recording) || TakenDown(recording, at_ms)) return false;
  for (uint32_t i = artist_offsets_[recording]; i < artist_offsets_[recording + 1]; ++i) {
    if (!ArtistConsents(artists_[i], scope, at_ms)) return false;
  }
  for (uint32_t i = owner_offsets_[recording]; i < owner_offsets_[recording + 1]; ++i) {
    if (!HolderCovered(owners_[i], recording, scope, territory, at_ms)) return false;
  }
  if (UsesComposition(scope)) {
    const int32_t work = recording_work_[recording];
    if (work < 0) return false;
    for (uint32_t i = publisher_offsets_[work]; i < publisher_offsets_[work + 1]; ++i) {
      if (!HolderCovered(publishers_[i], recording, scope, territory, at_ms)) return false;
    }
  }
  return true;
}

Decision Snapshot::Decide(Scope scope, uint32_t recording, Territory territory,
                          Timestamp at) const {
  const int64_t at_ms = at.unix_millis();
  Decision decision;
  auto require_agreement = [&](uint32_t holder, Rule rule) {
    bool covered = false;
    for (uint32_t i = holder_agreement_offsets_[holder]; i < holder_agreement_offsets_[holder + 1];
         ++i) {
      const uint32_t agreement = holder_agreements_[i];
      if (AgreementMatches(agreement, scope, territory, at_ms) &&
          (agreements_[agreement].all_controlled || ListContains(agreement, recording))) {
        decision.agreements.push_back(agreement_ids_[agreement]);
        covered = true;
      }
    }
    if (!covered) decision.reasons.push_back(Reason{rule, party_ids_[holder], ""});
  };

  for (uint32_t i = owner_offsets_[recording]; i < owner_offsets_[recording + 1]; ++i) {
    require_agreement(owners_[i], Rule::kNoMasterAgreement);
  }
  if (UsesComposition(scope)) {
    const int32_t work = recording_work_[recording];
    if (work < 0) {
      decision.reasons.push_back(Reason{Rule::kNoWork, "", ""});
    } else {
      for (uint32_t i = publisher_offsets_[work]; i < publisher_offsets_[work + 1]; ++i) {
        require_agreement(publishers_[i], Rule::kNoPublisherAgreement);
      }
    }
  }
  for (uint32_t i = artist_offsets_[recording]; i < artist_offsets_[recording + 1]; ++i) {
    const uint32_t artist = artists_[i];
    const TimedEntry* latest = LatestConsent(artist, scope, at_ms);
    if (latest != nullptr) decision.consents.push_back(consent_ids_[latest->record]);
    if (latest != nullptr && !latest->yes) {
      decision.reasons.push_back(
          Reason{Rule::kConsentOptedOut, party_ids_[artist], consent_ids_[latest->record]});
    } else if (latest == nullptr && policy_.mode(scope) == ConsentMode::kOptIn) {
      decision.reasons.push_back(Reason{Rule::kConsentMissing, party_ids_[artist], ""});
    }
  }
  const uint32_t takedown_begin = takedown_offsets_[recording];
  const TimedEntry* takedown =
      Latest(takedowns_, takedown_begin, takedown_offsets_[recording + 1], at_ms);
  if (takedown != nullptr && takedown->yes) {
    decision.reasons.push_back(Reason{Rule::kTakedown, "", takedown_ids_[takedown->record]});
  }
  if (PolicyExcludes(scope, recording)) {
    decision.reasons.push_back(Reason{Rule::kPlatformPolicy, "", ""});
  }

  std::sort(decision.agreements.begin(), decision.agreements.end());
  decision.agreements.erase(std::unique(decision.agreements.begin(), decision.agreements.end()),
                            decision.agreements.end());
  std::sort(decision.consents.begin(), decision.consents.end());
  std::sort(decision.reasons.begin(), decision.reasons.end());
  decision.allowed = decision.reasons.empty();
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
    for (uint32_t i = holder_agreement_offsets_[p]; i < holder_agreement_offsets_[p + 1]; ++i) {
      const uint32_t a = holder_agreements_[i];
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
      bool ok = !(exclude_fully_ai && fully_ai_[r]);
      for (uint32_t i = artist_offsets_[r]; ok && i < artist_offsets_[r + 1]; ++i) {
        ok = (party_state[artists_[i]] & kConsents) != 0;
      }
      for (uint32_t i = owner_offsets_[r]; ok && i < owner_offsets_[r + 1]; ++i) {
        ok = holder_ok(owners_[i], r);
      }
      if (ok && composition) {
        const int32_t work = recording_work_[r];
        ok = work >= 0;
        for (uint32_t i = ok ? publisher_offsets_[work] : 0; ok && i < publisher_offsets_[work + 1];
             ++i) {
          ok = holder_ok(publishers_[i], r);
        }
      }
      if (ok && takedown_offsets_[r] != takedown_offsets_[r + 1]) ok = !TakenDown(r, at_ms);
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
  bytes += StringsBytes(party_ids_) + map_bytes(party_index_);
  bytes += VectorBytes(holder_agreement_offsets_) + VectorBytes(holder_agreements_);
  bytes += VectorBytes(consent_offsets_) + VectorBytes(consents_) + StringsBytes(consent_ids_);
  bytes += VectorBytes(agreements_) + VectorBytes(agreement_territories_) +
           VectorBytes(agreement_recordings_) + StringsBytes(agreement_ids_);
  bytes += VectorBytes(isrcs_) + map_bytes(recording_index_);
  bytes += VectorBytes(owner_offsets_) + VectorBytes(owners_) + VectorBytes(artist_offsets_) +
           VectorBytes(artists_) + VectorBytes(recording_work_) + VectorBytes(fully_ai_);
  bytes += VectorBytes(takedown_offsets_) + VectorBytes(takedowns_) + StringsBytes(takedown_ids_);
  bytes += VectorBytes(publisher_offsets_) + VectorBytes(publishers_);
  return bytes;
}

Status PolicyEngine::Rebuild(const Registry& registry) {
  ACCORD_ASSIGN_OR_RETURN(std::shared_ptr<const Snapshot> snapshot, Snapshot::Build(registry));
  Publish(std::move(snapshot));
  return OkStatus();
}

}  // namespace accord::rights
