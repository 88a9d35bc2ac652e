// Registry: every fact the rights layer decides from, as plain vectors.
//
// The registry is what the store loads and saves and what imports add to. It is not indexed:
// the policy engine compiles it into a Snapshot (rights/snapshot.h) for fast decisions, and
// the reference evaluator (rights/reference.h) reads it directly.
//
// ValidateRegistry checks the invariants every stored registry keeps: ids unique and well
// formed, every reference (artist, owner, work, licensor, acts_for, listed recording, consent
// party, takedown recording) resolves, splits add up, agreement windows are not inverted,
// no two consent records share (party, scope, effective) and no two takedown records share
// (recording, effective). It returns the first violation, naming the record and field.
//
// Thread safety: a value; copy or share const.
#ifndef ACCORD_RIGHTS_REGISTRY_H_
#define ACCORD_RIGHTS_REGISTRY_H_

#include <vector>

#include "catalog/model.h"
#include "core/status.h"
#include "rights/model.h"

namespace accord::rights {

struct Registry {
  PlatformPolicy policy;
  std::vector<catalog::Party> parties;
  std::vector<catalog::Work> works;
  std::vector<catalog::Recording> recordings;
  std::vector<Agreement> agreements;
  std::vector<Consent> consents;
  std::vector<Takedown> takedowns;

  friend bool operator==(const Registry&, const Registry&) = default;
};

Status ValidateRegistry(const Registry& registry);

// The recordings a party has a direct stake in: as a main or featured artist, as a master
// owner, or as a writer or publisher of the work a recording embodies. In registry order,
// without duplicates; empty for an unknown party. (Parties acting for others are not
// followed: a distributor's reach goes through its agreements, not through the catalog.)
std::vector<Isrc> RecordingsOfParty(const Registry& registry, std::string_view party_id);

// Where registry facts are kept. Declared here, next to its users, and implemented in store/
// (SQLite today, PostgreSQL later), so that no domain code includes a database header.
class RegistryStore {
 public:
  virtual ~RegistryStore() = default;

  // Everything stored, in insertion order per kind. DataLoss when the stored data cannot be
  // read back into valid records (names the table and key).
  virtual Result<Registry> Load() = 0;

  // Adds every record of `additions` (its policy is ignored) in one transaction: all or
  // nothing. The caller has validated the merged registry; the store still enforces key
  // uniqueness and returns AlreadyExists naming the key without writing anything.
  virtual Status Append(const Registry& additions) = 0;

  // As Append, and replaces the platform policy with `additions.policy`, all in the same
  // transaction: an import that carries a policy lands whole or not at all.
  virtual Status AppendAndSetPolicy(const Registry& additions) = 0;

  // Replaces the platform policy.
  virtual Status SetPolicy(const PlatformPolicy& policy) = 0;
};

}  // namespace accord::rights

#endif  // ACCORD_RIGHTS_REGISTRY_H_
