// The hand-built world of docs/policy.md's worked examples, shared by the reference and
// snapshot tests so that both engines are checked against the same hand-computed answers.
#ifndef ACCORD_RIGHTS_POLICY_TEST_WORLD_H_
#define ACCORD_RIGHTS_POLICY_TEST_WORLD_H_

#include <string>

#include "rights/registry.h"

namespace accord::rights::testing {

// Parties: artist:ada, artist:ben, label:north, dist:wave (acts for label:north),
// pub:song (acts for writer:cy), writer:cy.
// Recordings: QZDEM2600001 "Northern Lights" by ada feat. ben, master 100% label:north, work
//   T-034.524.680-1 (writer:cy 50%, pub:song 50%);
//   QZDEM2600002 "Static" by ben, master 100% label:north, no work.
// Agreements: A1 dist:wave, all it controls, recommend+dj+remix, worldwide except US,
//   2026-01-01 to 2027-01-01; A2 pub:song, lists QZDEM2600001, remix, DE only, from 2026-01-01.
Registry PolicyExampleWorld();

Timestamp T(const std::string& iso8601);
Isrc R(const std::string& isrc);
Territory Where(const std::string& code);

}  // namespace accord::rights::testing

#endif  // ACCORD_RIGHTS_POLICY_TEST_WORLD_H_
