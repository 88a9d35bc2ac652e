// Reading import files, merging batches, and planning what an import adds to a stored registry.
//
// PlanImport is linear in stored + batch size: every lookup is a hash map over keys, and the
// merged registry is checked by indexing stored and new keys once and checking only the new
// records against that index. Stored records cannot be broken by additions (records are only
// ever added, so their references still resolve), so checking them again would only cost time;
// and checking new records one by one lets each failure carry the file and place the record
// came from.
#include "rights/import.h"

#include <algorithm>
#include <cctype>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <new>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/status.h"
#include "rights/internal/registry_check.h"
#include "rights/registry.h"

namespace accord::rights {
namespace {

template <typename T>
void AppendAll(std::vector<T>& to, std::vector<T>&& from) {
  if (to.empty()) {
    to = std::move(from);
  } else {
    to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
  }
}

std::string_view KeyOf(const catalog::Party& party) { return party.id; }
std::string_view KeyOf(const catalog::Work& work) { return work.iswc.str(); }
std::string_view KeyOf(const catalog::Recording& recording) { return recording.isrc.str(); }
std::string_view KeyOf(const Agreement& agreement) { return agreement.id; }
std::string_view KeyOf(const Consent& consent) { return consent.id; }
std::string_view KeyOf(const Takedown& takedown) { return takedown.id; }

// Where batch record `index` came from. Batches built by the parsers always have one origin
// per record; a hand-built batch may not, and still gets a usable name.
std::string OriginOf(const std::vector<std::string>& origins, size_t index) {
  if (index < origins.size()) return origins[index];
  return "batch record " + std::to_string(index);
}

// Sorts one kind of record of the batch into additions, unchanged (identical to stored) and
// conflicts. `added_from` receives, for each addition, its index in the batch.
template <typename T>
Status PlanKind(const std::vector<T>& stored, const std::vector<T>& batch,
                const std::vector<std::string>& origins, std::vector<T>* additions,
                std::vector<size_t>* added_from, int64_t* unchanged) {
  if (batch.empty()) return OkStatus();
  // One map over both: where each key was first seen, in the stored registry or the batch.
  struct Seen {
    bool in_batch;
    size_t index;
  };
  std::unordered_map<std::string_view, Seen> seen;
  seen.reserve(stored.size() + batch.size());
  for (size_t stored_idx = 0; stored_idx < stored.size(); ++stored_idx) {
    seen.emplace(KeyOf(stored[stored_idx]), Seen{false, stored_idx});
  }
  for (size_t batch_idx = 0; batch_idx < batch.size(); ++batch_idx) {
    const T& record = batch[batch_idx];
    auto [it, inserted] = seen.emplace(KeyOf(record), Seen{true, batch_idx});
    if (inserted) {
      additions->push_back(record);
      added_from->push_back(batch_idx);
      continue;
    }
    const Seen first = it->second;
    if (first.in_batch) {
      // The same record twice (two files, or one file repeating itself) is harmless; the same
      // key with two contents is a contradiction that only a person can settle.
      if (batch[first.index] == record) continue;
      return AlreadyExistsError(OriginOf(origins, batch_idx) + ": " +
                                internal::RecordLabel(record) + " conflicts with " +
                                OriginOf(origins, first.index) + " (same key, different content)");
    }
    if (stored[first.index] == record) {
      ++*unchanged;
      continue;
    }
    return AlreadyExistsError(OriginOf(origins, batch_idx) + ": " + internal::RecordLabel(record) +
                              " already exists with different content");
  }
  return OkStatus();
}

// Adds each new record's key to the index, naming the record's origin on failure.
// `add` is the kind's RegistryIndex::Add*.
template <typename T, typename AddFn>
Status AddNew(const std::vector<T>& additions, const std::vector<size_t>& added_from,
              const std::vector<std::string>& origins, internal::RegistryIndex& index, AddFn add) {
  for (size_t add_idx = 0; add_idx < additions.size(); ++add_idx) {
    if (Status status = add(index, additions[add_idx]); !status.ok()) {
      return status.WithPrefix(OriginOf(origins, added_from[add_idx]));
    }
  }
  return OkStatus();
}

// Checks each new record against the index (`check` is the kind's internal::Check*), naming the
// record's origin on failure.
template <typename T, typename CheckFn>
Status CheckNew(const std::vector<T>& additions, const std::vector<size_t>& added_from,
                const std::vector<std::string>& origins, const internal::RegistryIndex& index,
                CheckFn check) {
  for (size_t add_idx = 0; add_idx < additions.size(); ++add_idx) {
    if (Status status = check(additions[add_idx], index); !status.ok()) {
      return status.WithPrefix(OriginOf(origins, added_from[add_idx]));
    }
  }
  return OkStatus();
}

std::string LowerExtension(const std::string& path) {
  std::string extension = std::filesystem::path(path).extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return extension;
}

}  // namespace

Result<ImportBatch> ParseImportFile(const std::string& path) {
  const std::string extension = LowerExtension(path);
  if (extension != ".json" && extension != ".csv") {
    return InvalidArgumentError(path + ": unknown file type '" + extension +
                                "'; expected .json or .csv");
  }
  std::error_code error;
  const std::uintmax_t size = std::filesystem::file_size(path, error);
  if (error) return NotFoundError(path + ": cannot read: " + error.message());
  if (size > static_cast<std::uintmax_t>(kMaxImportFileBytes)) {
    return InvalidArgumentError(path + ": " + std::to_string(size) +
                                " bytes, above the import limit of " +
                                std::to_string(kMaxImportFileBytes));
  }
  std::string text;
  try {
    text.resize(static_cast<size_t>(size));
  } catch (const std::bad_alloc&) {
    return InternalError(path + ": out of memory reading " + std::to_string(size) + " bytes");
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) return NotFoundError(path + ": cannot open");
  file.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (file.gcount() != static_cast<std::streamsize>(text.size())) {
    return DataLossError(path + ": read " + std::to_string(file.gcount()) + " of " +
                         std::to_string(size) + " bytes (file changed while reading?)");
  }
  return extension == ".json" ? ParseImportJson(text, path) : ParseImportCsv(text, path);
}

void MergeBatches(ImportBatch& a, ImportBatch&& b) {
  AppendAll(a.records.parties, std::move(b.records.parties));
  AppendAll(a.records.works, std::move(b.records.works));
  AppendAll(a.records.recordings, std::move(b.records.recordings));
  AppendAll(a.records.agreements, std::move(b.records.agreements));
  AppendAll(a.records.consents, std::move(b.records.consents));
  AppendAll(a.records.takedowns, std::move(b.records.takedowns));
  AppendAll(a.party_origins, std::move(b.party_origins));
  AppendAll(a.work_origins, std::move(b.work_origins));
  AppendAll(a.recording_origins, std::move(b.recording_origins));
  AppendAll(a.agreement_origins, std::move(b.agreement_origins));
  AppendAll(a.consent_origins, std::move(b.consent_origins));
  AppendAll(a.takedown_origins, std::move(b.takedown_origins));
  if (b.has_policy) {
    a.records.policy = b.records.policy;
    a.has_policy = true;
  }
}

Result<ImportPlan> PlanImport(const Registry& stored, const ImportBatch& batch) {
  const Registry& in = batch.records;
  ImportPlan plan;
  Registry& out = plan.additions;
  std::vector<size_t> party_from, work_from, recording_from, agreement_from, consent_from,
      takedown_from;
  ACCORD_RETURN_IF_ERROR(PlanKind(stored.parties, in.parties, batch.party_origins, &out.parties,
                                  &party_from, &plan.unchanged));
  ACCORD_RETURN_IF_ERROR(PlanKind(stored.works, in.works, batch.work_origins, &out.works,
                                  &work_from, &plan.unchanged));
  ACCORD_RETURN_IF_ERROR(PlanKind(stored.recordings, in.recordings, batch.recording_origins,
                                  &out.recordings, &recording_from, &plan.unchanged));
  ACCORD_RETURN_IF_ERROR(PlanKind(stored.agreements, in.agreements, batch.agreement_origins,
                                  &out.agreements, &agreement_from, &plan.unchanged));
  ACCORD_RETURN_IF_ERROR(PlanKind(stored.consents, in.consents, batch.consent_origins,
                                  &out.consents, &consent_from, &plan.unchanged));
  ACCORD_RETURN_IF_ERROR(PlanKind(stored.takedowns, in.takedowns, batch.takedown_origins,
                                  &out.takedowns, &takedown_from, &plan.unchanged));
  out.policy = batch.has_policy ? in.policy : stored.policy;
  plan.policy_changed = batch.has_policy && !(in.policy == stored.policy);

  const bool adds_records = !out.parties.empty() || !out.works.empty() || !out.recordings.empty() ||
                            !out.agreements.empty() || !out.consents.empty() ||
                            !out.takedowns.empty();
  // Nothing new cannot break the stored registry; skip indexing it (a re-import of a big
  // catalog then costs only the comparisons above).
  if (!adds_records) return plan;

  // The merged registry stored + additions must pass ValidateRegistry. The index holds views
  // into `stored` and `out`, neither of which changes until it is gone.
  internal::RegistryIndex index;
  index.Reserve(stored);
  index.Reserve(out);
  // Stored records were valid when written; a conflict among them is not this import's doing,
  // and refusing every import over it would leave no way to add the fix. Their keys are indexed
  // (the first of any duplicate wins) and the additions are checked against them.
  for (const auto& party : stored.parties) (void)index.AddParty(party);
  for (const auto& work : stored.works) (void)index.AddWork(work);
  for (const auto& recording : stored.recordings) (void)index.AddRecording(recording);
  for (const auto& agreement : stored.agreements) (void)index.AddAgreement(agreement);
  for (const auto& consent : stored.consents) (void)index.AddConsent(consent);
  for (const auto& takedown : stored.takedowns) (void)index.AddTakedown(takedown);

  using Index = internal::RegistryIndex;
  ACCORD_RETURN_IF_ERROR(AddNew(out.parties, party_from, batch.party_origins, index,
                                [](Index& i, const catalog::Party& r) { return i.AddParty(r); }));
  ACCORD_RETURN_IF_ERROR(AddNew(out.works, work_from, batch.work_origins, index,
                                [](Index& i, const catalog::Work& r) { return i.AddWork(r); }));
  ACCORD_RETURN_IF_ERROR(
      AddNew(out.recordings, recording_from, batch.recording_origins, index,
             [](Index& i, const catalog::Recording& r) { return i.AddRecording(r); }));
  ACCORD_RETURN_IF_ERROR(AddNew(out.agreements, agreement_from, batch.agreement_origins, index,
                                [](Index& i, const Agreement& r) { return i.AddAgreement(r); }));
  ACCORD_RETURN_IF_ERROR(AddNew(out.consents, consent_from, batch.consent_origins, index,
                                [](Index& i, const Consent& r) { return i.AddConsent(r); }));
  ACCORD_RETURN_IF_ERROR(AddNew(out.takedowns, takedown_from, batch.takedown_origins, index,
                                [](Index& i, const Takedown& r) { return i.AddTakedown(r); }));

  ACCORD_RETURN_IF_ERROR(
      CheckNew(out.parties, party_from, batch.party_origins, index, internal::CheckParty));
  ACCORD_RETURN_IF_ERROR(
      CheckNew(out.works, work_from, batch.work_origins, index, internal::CheckWork));
  ACCORD_RETURN_IF_ERROR(CheckNew(out.recordings, recording_from, batch.recording_origins, index,
                                  internal::CheckRecording));
  ACCORD_RETURN_IF_ERROR(CheckNew(out.agreements, agreement_from, batch.agreement_origins, index,
                                  internal::CheckAgreement));
  ACCORD_RETURN_IF_ERROR(
      CheckNew(out.consents, consent_from, batch.consent_origins, index, internal::CheckConsent));
  ACCORD_RETURN_IF_ERROR(CheckNew(out.takedowns, takedown_from, batch.takedown_origins, index,
                                  internal::CheckTakedown));
  return plan;
}

}  // namespace accord::rights
