// The reference evaluator: the decision rules of docs/policy.md, read straight off the
// Registry with plain loops and no indexes.
//
// It is slow (every call scans the whole registry) and meant to be obviously right: the
// compiled Snapshot is tested against it on thousands of random worlds (equivalence_test.cc).
// Do not optimise it; change it only when the rules change, and then change both.
//
// Thread safety: a pure function of its arguments.
#ifndef ACCORD_RIGHTS_REFERENCE_H_
#define ACCORD_RIGHTS_REFERENCE_H_

#include "core/ids.h"
#include "core/status.h"
#include "core/territory.h"
#include "core/time.h"
#include "rights/decision.h"
#include "rights/registry.h"

namespace accord::rights {

// NotFound when the recording is not in the registry.
Result<Decision> ReferenceDecide(const Registry& registry, Scope scope, const Isrc& recording,
                                 Territory territory, Timestamp at);

}  // namespace accord::rights

#endif  // ACCORD_RIGHTS_REFERENCE_H_
