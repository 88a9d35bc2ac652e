#include "service/registry_service.h"

#include <cstdlib>
#include <utility>

#include "store/sqlite_store.h"

namespace accord::service {

std::string ResolveDataDir(const std::string& flag_value) {
  if (!flag_value.empty()) return flag_value;
  const char* env = std::getenv("ACCORD_DATA");
  if (env != nullptr && env[0] != '\0') return env;
  return "./accord-data";
}

RegistryService::RegistryService(std::unique_ptr<rights::RegistryStore> store,
                                 rights::Registry registry)
    : store_(std::move(store)), registry_(std::move(registry)) {}

Result<std::unique_ptr<RegistryService>> RegistryService::Open(const std::string& data_dir) {
  ACCORD_ASSIGN_OR_RETURN(std::unique_ptr<store::SqliteStore> store,
                          store::SqliteStore::Open(data_dir));
  ACCORD_ASSIGN_OR_RETURN(rights::Registry registry, store->Load());
  return std::unique_ptr<RegistryService>(
      new RegistryService(std::move(store), std::move(registry)));
}

Result<ImportSummary> RegistryService::ImportFiles(const std::vector<std::string>& paths) {
  rights::ImportBatch batch;
  for (const std::string& path : paths) {
    ACCORD_ASSIGN_OR_RETURN(rights::ImportBatch file, rights::ParseImportFile(path));
    rights::MergeBatches(batch, std::move(file));
  }
  return ImportBatch(batch);
}

Result<ImportSummary> RegistryService::ImportBatch(const rights::ImportBatch& batch) {
  ACCORD_ASSIGN_OR_RETURN(rights::ImportPlan plan, rights::PlanImport(registry_, batch));
  rights::Registry& add = plan.additions;
  ImportSummary summary;
  summary.parties = static_cast<int64_t>(add.parties.size());
  summary.works = static_cast<int64_t>(add.works.size());
  summary.recordings = static_cast<int64_t>(add.recordings.size());
  summary.agreements = static_cast<int64_t>(add.agreements.size());
  summary.consents = static_cast<int64_t>(add.consents.size());
  summary.takedowns = static_cast<int64_t>(add.takedowns.size());
  summary.policy_changed = plan.policy_changed;
  summary.unchanged = plan.unchanged;
  if (summary.added() == 0 && !plan.policy_changed) return summary;

  // Records and policy go in one transaction: all or nothing.
  ACCORD_RETURN_IF_ERROR(plan.policy_changed ? store_->AppendAndSetPolicy(add)
                                             : store_->Append(add));
  auto move_into = [](auto& to, auto& from) {
    to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
  };
  move_into(registry_.parties, add.parties);
  move_into(registry_.works, add.works);
  move_into(registry_.recordings, add.recordings);
  move_into(registry_.agreements, add.agreements);
  move_into(registry_.consents, add.consents);
  move_into(registry_.takedowns, add.takedowns);
  if (plan.policy_changed) registry_.policy = add.policy;
  snapshot_stale_ = true;
  return summary;
}

Status RegistryService::SetPolicy(const rights::PlatformPolicy& policy) {
  ACCORD_RETURN_IF_ERROR(store_->SetPolicy(policy));
  registry_.policy = policy;
  snapshot_stale_ = true;
  return OkStatus();
}

Result<std::shared_ptr<const rights::Snapshot>> RegistryService::snapshot() {
  if (snapshot_stale_) {
    ACCORD_RETURN_IF_ERROR(engine_.Rebuild(registry_));
    snapshot_stale_ = false;
  }
  return engine_.current();
}

Result<rights::Decision> RegistryService::Decide(const DecisionQuery& query) {
  ACCORD_ASSIGN_OR_RETURN(std::shared_ptr<const rights::Snapshot> current, snapshot());
  std::optional<uint32_t> index = current->FindRecording(query.recording);
  if (!index) return NotFoundError("unknown recording " + query.recording.str());
  return current->Decide(query.scope, *index, query.territory, query.at);
}

}  // namespace accord::service
