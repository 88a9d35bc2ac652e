#include "rights/decision.h"

#include <algorithm>
#include <string>

namespace accord::rights {

std::string_view RuleName(Rule rule) {
  switch (rule) {
    case Rule::kNoMasterAgreement:
      return "no_master_agreement";
    case Rule::kNoWork:
      return "no_work";
    case Rule::kNoPublisherAgreement:
      return "no_publisher_agreement";
    case Rule::kConsentMissing:
      return "consent_missing";
    case Rule::kConsentOptedOut:
      return "consent_opted_out";
    case Rule::kTakedown:
      return "takedown";
    case Rule::kPlatformPolicy:
      return "platform_policy";
  }
  return "unknown";
}

void FinishDecision(Decision& decision) {
  std::sort(decision.agreements.begin(), decision.agreements.end());
  decision.agreements.erase(std::unique(decision.agreements.begin(), decision.agreements.end()),
                            decision.agreements.end());
  std::sort(decision.consents.begin(), decision.consents.end());
  std::sort(decision.reasons.begin(), decision.reasons.end());
  decision.allowed = decision.reasons.empty();
}

std::string DescribeReason(const Reason& reason, Scope scope, Territory territory, Timestamp at) {
  const std::string use = std::string(ScopeName(scope)) + " in " + std::string(territory.code()) +
                          " at " + at.ToString();
  switch (reason.rule) {
    case Rule::kNoMasterAgreement:
      return "master owner " + reason.party + " has no agreement in force covering " + use;
    case Rule::kNoWork:
      return std::string(ScopeName(scope)) +
             " uses the composition, but the recording has no work linked, so its publishers "
             "cannot be cleared";
    case Rule::kNoPublisherAgreement:
      return "publisher " + reason.party + " has no agreement in force covering " + use;
    case Rule::kConsentMissing:
      return "artist " + reason.party + " has not opted in to " + std::string(ScopeName(scope)) +
             " (an opt-in scope) as of " + at.ToString();
    case Rule::kConsentOptedOut:
      return "artist " + reason.party + " opted out of " + std::string(ScopeName(scope)) +
             " (consent " + reason.record + ")";
    case Rule::kTakedown:
      return "takedown " + reason.record + " is in force at " + at.ToString();
    case Rule::kPlatformPolicy:
      return "platform policy: recordings disclosed as fully AI-generated are not used for " +
             std::string(ScopeName(scope));
  }
  return "unknown rule";
}

}  // namespace accord::rights
