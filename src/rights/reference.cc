#include "rights/reference.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

namespace accord::rights {
namespace {

// Whether `licensor` may sign for `holder`: it is the holder, or it acts for it, directly or
// through a chain of parties acting for others (a distributor for a label for a sub-label).
bool ActsFor(const Registry& registry, const std::string& licensor, const std::string& holder) {
  std::vector<std::string> frontier = {licensor};
  std::vector<std::string> seen;
  while (!frontier.empty()) {
    std::string party = frontier.back();
    frontier.pop_back();
    if (party == holder) return true;
    if (std::find(seen.begin(), seen.end(), party) != seen.end()) continue;
    seen.push_back(party);
    for (const catalog::Party& p : registry.parties) {
      if (p.id == party) {
        for (const std::string& next : p.acts_for) frontier.push_back(next);
      }
    }
  }
  return false;
}

// The ids of every agreement in force that licenses `scope` of `recording` in `territory` at
// `at` on behalf of `holder`.
std::vector<std::string> CoveringAgreements(const Registry& registry, const std::string& holder,
                                            const catalog::Recording& recording, Scope scope,
                                            Territory territory, Timestamp at) {
  std::vector<std::string> ids;
  for (const Agreement& agreement : registry.agreements) {
    if (!agreement.InForce(at)) continue;
    if (!agreement.scopes.Contains(scope)) continue;
    if (!agreement.territories.Contains(territory)) continue;
    if (!ActsFor(registry, agreement.licensor, holder)) continue;
    bool lists_recording = std::find(agreement.recordings.begin(), agreement.recordings.end(),
                                     recording.isrc) != agreement.recordings.end();
    if (!agreement.all_controlled && !lists_recording) continue;
    ids.push_back(agreement.id);
  }
  return ids;
}

}  // namespace

Result<Decision> ReferenceDecide(const Registry& registry, Scope scope, const Isrc& isrc,
                                 Territory territory, Timestamp at) {
  const catalog::Recording* recording = nullptr;
  for (const catalog::Recording& r : registry.recordings) {
    if (r.isrc == isrc) recording = &r;
  }
  if (recording == nullptr) return NotFoundError("unknown recording " + isrc.str());

  Decision decision;
  auto require_agreement = [&](const std::string& holder, Rule rule) {
    std::vector<std::string> ids =
        CoveringAgreements(registry, holder, *recording, scope, territory, at);
    if (ids.empty()) decision.reasons.push_back(Reason{rule, holder, ""});
    decision.agreements.insert(decision.agreements.end(), ids.begin(), ids.end());
  };

  // Rule 1: every master owner is licensed.
  for (const catalog::Share& owner : recording->master_owners) {
    require_agreement(owner.party, Rule::kNoMasterAgreement);
  }

  // Rule 2: for scopes that use the composition, every publisher of the work is licensed.
  if (UsesComposition(scope)) {
    const catalog::Work* work = nullptr;
    for (const catalog::Work& w : registry.works) {
      if (recording->work && w.iswc == *recording->work) work = &w;
    }
    if (work == nullptr) {
      decision.reasons.push_back(Reason{Rule::kNoWork, "", ""});
    } else {
      for (const catalog::Share& publisher : work->publishers) {
        require_agreement(publisher.party, Rule::kNoPublisherAgreement);
      }
    }
  }

  // Rule 3: every main and featured artist consents, as of `at`.
  std::vector<std::string> artists = recording->main_artists;
  artists.insert(artists.end(), recording->featured_artists.begin(),
                 recording->featured_artists.end());
  std::sort(artists.begin(), artists.end());
  artists.erase(std::unique(artists.begin(), artists.end()), artists.end());
  for (const std::string& artist : artists) {
    const Consent* latest = nullptr;
    for (const Consent& consent : registry.consents) {
      if (consent.party != artist || consent.scope != scope || consent.effective > at) continue;
      if (latest == nullptr || consent.effective > latest->effective) latest = &consent;
    }
    if (latest != nullptr) decision.consents.push_back(latest->id);
    if (latest != nullptr && latest->choice == ConsentChoice::kOptOut) {
      decision.reasons.push_back(Reason{Rule::kConsentOptedOut, artist, latest->id});
    } else if (latest == nullptr && registry.policy.mode(scope) == ConsentMode::kOptIn) {
      decision.reasons.push_back(Reason{Rule::kConsentMissing, artist, ""});
    }
  }

  // Rule 4: no takedown in force.
  const Takedown* latest_takedown = nullptr;
  for (const Takedown& takedown : registry.takedowns) {
    if (takedown.recording != isrc || takedown.effective > at) continue;
    if (latest_takedown == nullptr || takedown.effective > latest_takedown->effective) {
      latest_takedown = &takedown;
    }
  }
  if (latest_takedown != nullptr && latest_takedown->action == TakedownAction::kBlock) {
    decision.reasons.push_back(Reason{Rule::kTakedown, "", latest_takedown->id});
  }

  // Rule 5: platform policy.
  if (scope == Scope::kRecommend && recording->contains_ai == catalog::ContainsAi::kAll &&
      !registry.policy.recommend_fully_ai) {
    decision.reasons.push_back(Reason{Rule::kPlatformPolicy, "", ""});
  }

  FinishDecision(decision);
  return decision;
}

}  // namespace accord::rights
