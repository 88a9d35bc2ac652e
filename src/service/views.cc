#include "service/views.h"

namespace accord::service {

using nlohmann::json;

json DecisionJson(const DecisionQuery& query, const rights::Decision& decision) {
  json reasons = json::array();
  for (const rights::Reason& reason : decision.reasons) {
    reasons.push_back(
        {{"rule", rights::RuleName(reason.rule)},
         {"party", reason.party},
         {"record", reason.record},
         {"message", rights::DescribeReason(reason, query.scope, query.territory, query.at)}});
  }
  return {{"allowed", decision.allowed},        {"scope", rights::ScopeName(query.scope)},
          {"recording", query.recording.str()}, {"territory", query.territory.code()},
          {"at", query.at.ToString()},          {"agreements", decision.agreements},
          {"consents", decision.consents},      {"reasons", reasons}};
}

json AgreementJson(const rights::Agreement& a) {
  json scopes = json::array();
  for (rights::Scope scope : a.scopes.ToVector()) scopes.push_back(rights::ScopeName(scope));
  json out = {{"id", a.id},
              {"licensor", a.licensor},
              {"scopes", scopes},
              {"territories", a.territories.ToString()},
              {"start", a.start.ToString()},
              {"end", a.end ? json(a.end->ToString()) : json(nullptr)}};
  if (a.all_controlled) {
    out["recordings"] = "all_controlled";
  } else {
    json list = json::array();
    for (const Isrc& isrc : a.recordings) list.push_back(isrc.str());
    out["recordings"] = list;
  }
  if (a.terms) {
    json per_use = json::object();
    for (const auto& [scope, rate] : a.terms->per_use_rates) {
      per_use[std::string(rights::ScopeName(scope))] = rate.ToDecimalString();
    }
    out["terms"] = {{"currency", a.terms->currency.code()},
                    {"per_use", per_use},
                    {"revenue_share_ppm", a.terms->revenue_share_ppm}};
    if (a.terms->minimum_guarantee) {
      out["terms"]["minimum_guarantee"] = a.terms->minimum_guarantee->ToDecimalString();
    }
  }
  return out;
}

json ConsentJson(const rights::Consent& c) {
  return {{"id", c.id},
          {"party", c.party},
          {"scope", rights::ScopeName(c.scope)},
          {"choice", rights::ConsentChoiceName(c.choice)},
          {"effective", c.effective.ToString()},
          {"recorded_by", c.recorded_by},
          {"method", c.method}};
}

json TakedownJson(const rights::Takedown& t) {
  return {{"id", t.id},
          {"recording", t.recording.str()},
          {"action", rights::TakedownActionName(t.action)},
          {"effective", t.effective.ToString()},
          {"reason", t.reason}};
}

json PolicyJson(const rights::PlatformPolicy& policy) {
  json modes = json::object();
  for (rights::Scope scope : rights::kAllScopes) {
    modes[std::string(rights::ScopeName(scope))] = rights::ConsentModeName(policy.mode(scope));
  }
  return {{"consent_mode", modes}, {"recommend_fully_ai", policy.recommend_fully_ai}};
}

json ImportSummaryJson(const ImportSummary& s) {
  return {{"added",
           {{"parties", s.parties},
            {"works", s.works},
            {"recordings", s.recordings},
            {"agreements", s.agreements},
            {"consents", s.consents},
            {"takedowns", s.takedowns}}},
          {"policy_changed", s.policy_changed},
          {"unchanged", s.unchanged}};
}

std::string DecisionText(const DecisionQuery& query, const rights::Decision& decision,
                         bool explain) {
  std::string text = std::string(decision.allowed ? "ALLOWED " : "DENIED  ") +
                     std::string(rights::ScopeName(query.scope)) + " " + query.recording.str() +
                     " in " + std::string(query.territory.code()) + " at " + query.at.ToString() +
                     "\n";
  if (!explain) return text;
  auto join = [](const std::vector<std::string>& ids) {
    std::string out;
    for (const std::string& id : ids) out += (out.empty() ? "" : ", ") + id;
    return out.empty() ? std::string("none") : out;
  };
  text += "  agreements: " + join(decision.agreements) + "\n";
  text += "  consents:   " + join(decision.consents) + "\n";
  for (const rights::Reason& reason : decision.reasons) {
    text += "  - " + std::string(rights::RuleName(reason.rule)) + ": " +
            rights::DescribeReason(reason, query.scope, query.territory, query.at) + "\n";
  }
  return text;
}

}  // namespace accord::service
