// Decision: the policy's answer to "may scope S use recording R in territory T at time t?",
// with its basis.
//
// Both engines (the reference evaluator and the compiled snapshot) return this type, and the
// equivalence test requires them to agree field for field, so every list here is in a
// canonical order: agreements and consents sorted by id, reasons sorted by (rule, party,
// record). The rules themselves are written down in docs/policy.md.
//
// Thread safety: values.
#ifndef ACCORD_RIGHTS_DECISION_H_
#define ACCORD_RIGHTS_DECISION_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/territory.h"
#include "core/time.h"
#include "rights/model.h"

namespace accord::rights {

// Why a use was refused. The numbering follows the rules in docs/policy.md.
enum class Rule : uint8_t {
  kNoMasterAgreement = 1,  // 1: a master owner has no agreement covering the use
  kNoWork,                 // 2: the scope uses the composition but no work is linked
  kNoPublisherAgreement,   // 2: a publisher of the work has no agreement covering the use
  kConsentMissing,         // 3: opt-in scope and the artist never said yes
  kConsentOptedOut,        // 3: the artist's latest consent for the scope is no
  kTakedown,               // 4: a takedown is in force
  kPlatformPolicy,         // 5: platform policy excludes fully AI-generated recordings
};
std::string_view RuleName(Rule rule);  // "no_master_agreement", ...

struct Reason {
  Rule rule = Rule::kNoMasterAgreement;
  std::string party;  // the owner, publisher or artist concerned; empty for rules 2 (no work), 4, 5
  std::string record;  // the consent or takedown record that decided; empty otherwise

  friend auto operator<=>(const Reason&, const Reason&) = default;
};

struct Decision {
  bool allowed = false;
  // Basis: every agreement in force that covered a master owner or publisher for this use.
  std::vector<std::string> agreements;
  // Basis: every consent record that decided an artist's answer (the latest one at that
  // moment). An artist with no record in an opt_out scope contributes none.
  std::vector<std::string> consents;
  // Every failed check, not just the first. Empty when allowed.
  std::vector<Reason> reasons;

  friend bool operator==(const Decision&, const Decision&) = default;
};

// Puts a decision into canonical form (lists sorted, agreements without duplicates) and sets
// `allowed` from the reasons. Both engines end with it, so their answers compare equal.
void FinishDecision(Decision& decision);

// One line per reason in plain words, for the CLI and the portal:
// "master owner label:x has no agreement in force for dj in DE at 2026-01-01T00:00:00Z".
std::string DescribeReason(const Reason& reason, Scope scope, Territory territory, Timestamp at);

}  // namespace accord::rights

#endif  // ACCORD_RIGHTS_DECISION_H_
