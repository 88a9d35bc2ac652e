// Views: registry objects and decisions as JSON for `--json` output (and later the HTTP API),
// and as plain text lines for people.
//
// The JSON shapes are stable: fields are only ever added. A decision looks like
//   {"allowed":false,"scope":"dj","recording":"QZDEM2600001","territory":"US",
//    "at":"2026-06-01T00:00:00Z","agreements":[],"consents":[],
//    "reasons":[{"rule":"no_master_agreement","party":"label:north","record":"",
//                "message":"master owner label:north has no agreement in force ..."}]}
#ifndef ACCORD_SERVICE_VIEWS_H_
#define ACCORD_SERVICE_VIEWS_H_

#include <nlohmann/json.hpp>
#include <string>

#include "rights/decision.h"
#include "rights/model.h"
#include "service/registry_service.h"

namespace accord::service {

nlohmann::json DecisionJson(const DecisionQuery& query, const rights::Decision& decision);
nlohmann::json AgreementJson(const rights::Agreement& agreement);
nlohmann::json ConsentJson(const rights::Consent& consent);
nlohmann::json TakedownJson(const rights::Takedown& takedown);
nlohmann::json PolicyJson(const rights::PlatformPolicy& policy);
nlohmann::json ImportSummaryJson(const ImportSummary& summary);

// "ALLOWED dj QZDEM2600001 in DE at ..." followed, with `explain`, by the basis and one line
// per reason.
std::string DecisionText(const DecisionQuery& query, const rights::Decision& decision,
                         bool explain);

}  // namespace accord::service

#endif  // ACCORD_SERVICE_VIEWS_H_
