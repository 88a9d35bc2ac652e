// RegistryService: the registry operations that the command line (and later the server) offer,
// over one data directory.
//
// It owns the store, the loaded registry and the policy engine, and keeps them in step: every
// write goes through the same path as an import (parse → PlanImport → one store transaction),
// so a consent set from the CLI is validated exactly like one in a file, and the snapshot is
// rebuilt from the registry the store now holds. Nothing is written when anything is wrong.
//
//   ACCORD_ASSIGN_OR_RETURN(auto service, RegistryService::Open("./accord-data"));
//   ACCORD_ASSIGN_OR_RETURN(ImportSummary summary, service->ImportFiles({"demo/world.json"}));
//   ACCORD_ASSIGN_OR_RETURN(Decision d, service->Decide(query));
//
// Thread safety: not thread-safe; one service per thread of control. (The snapshot it hands
// out through engine() may be shared freely.)
#ifndef ACCORD_SERVICE_REGISTRY_SERVICE_H_
#define ACCORD_SERVICE_REGISTRY_SERVICE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "rights/decision.h"
#include "rights/import.h"
#include "rights/registry.h"
#include "rights/snapshot.h"

namespace accord::service {

// Where the data directory is: the flag if given, else $ACCORD_DATA, else ./accord-data.
std::string ResolveDataDir(const std::string& flag_value);

struct ImportSummary {
  int64_t parties = 0;
  int64_t works = 0;
  int64_t recordings = 0;
  int64_t agreements = 0;
  int64_t consents = 0;
  int64_t takedowns = 0;
  bool policy_changed = false;
  int64_t unchanged = 0;  // records already stored with the same content
  int64_t added() const { return parties + works + recordings + agreements + consents + takedowns; }
};

struct DecisionQuery {
  rights::Scope scope = rights::Scope::kRecommend;
  Isrc recording;
  Territory territory = Territory::FromIndex(0);  // always set by the caller
  Timestamp at;
};

class RegistryService {
 public:
  // Opens (creating if needed) the store in `data_dir` and loads the registry. Errors from the
  // store pass through (FailedPrecondition, DataLoss, ...) with the path in the message.
  static Result<std::unique_ptr<RegistryService>> Open(const std::string& data_dir);

  const rights::Registry& registry() const { return registry_; }

  // Imports files as one batch: all are parsed and planned before anything is written.
  Result<ImportSummary> ImportFiles(const std::vector<std::string>& paths);
  // Imports an already parsed batch (the world generator, the CLI's single records).
  Result<ImportSummary> ImportBatch(const rights::ImportBatch& batch);

  Status SetPolicy(const rights::PlatformPolicy& policy);

  // NotFound for an unknown recording.
  Result<rights::Decision> Decide(const DecisionQuery& query);
  // The current compiled snapshot (built on first use after a change).
  Result<std::shared_ptr<const rights::Snapshot>> snapshot();

 private:
  RegistryService(std::unique_ptr<rights::RegistryStore> store, rights::Registry registry);

  std::unique_ptr<rights::RegistryStore> store_;
  rights::Registry registry_;
  rights::PolicyEngine engine_;
  bool snapshot_stale_ = true;
};

}  // namespace accord::service

#endif  // ACCORD_SERVICE_REGISTRY_SERVICE_H_
