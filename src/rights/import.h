// Import: reading registry facts from files, and merging them into a stored registry.
//
// Formats (documented with examples in docs/formats/import.md):
//   *.json  one object with any of "parties", "works", "recordings", "agreements",
//           "consents", "takedowns" (arrays) and "policy" (object).
//   *.csv   recordings or consents, told apart by their header row.
//
// An import is all or nothing. ParseImportFile reports the first bad record as
// InvalidArgument "FILE: /recordings/3/master_owners: shares add to 999999 ppm, not 1000000"
// (JSON pointer) or "FILE:LINE: column 'isrc': ..." (CSV). PlanImport then checks the batch
// against what is already stored: records identical to stored ones are skipped (so importing
// the same file twice changes nothing), a record whose id exists with other content is
// AlreadyExists naming its origin, and the merged registry must pass ValidateRegistry, with
// the failing record's origin in the message. Only then does the caller write `additions`.
//
// Limits: files above kMaxImportFileBytes and JSON nested deeper than kMaxJsonDepth are
// refused before parsing.
//
// Thread safety: free functions over values.
#ifndef ACCORD_RIGHTS_IMPORT_H_
#define ACCORD_RIGHTS_IMPORT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "rights/registry.h"

namespace accord::rights {

inline constexpr int64_t kMaxImportFileBytes = int64_t{4} << 30;  // 4 GiB
inline constexpr int kMaxJsonDepth = 64;

// A parsed file: its records, and for each record where it came from ("demo.json:
// /recordings/3" or "recordings.csv:17"), index-aligned with the record vectors.
struct ImportBatch {
  Registry records;  // records.policy is meaningful only when has_policy
  bool has_policy = false;
  std::vector<std::string> party_origins;
  std::vector<std::string> work_origins;
  std::vector<std::string> recording_origins;
  std::vector<std::string> agreement_origins;
  std::vector<std::string> consent_origins;
  std::vector<std::string> takedown_origins;
};

// Reads one file (format by extension: .json, .csv). `display_name` is used in messages.
Result<ImportBatch> ParseImportFile(const std::string& path);
// The same over text already in memory, for tests and the server.
Result<ImportBatch> ParseImportJson(std::string_view text, std::string_view display_name);
Result<ImportBatch> ParseImportCsv(std::string_view text, std::string_view display_name);

// Appends b's records (and policy, when b has one) to a; used to import several files as one.
void MergeBatches(ImportBatch& a, ImportBatch&& b);

struct ImportPlan {
  Registry additions;           // only records not already stored
  bool policy_changed = false;  // additions.policy should be written
  int64_t unchanged = 0;        // records identical to stored ones, skipped
};

Result<ImportPlan> PlanImport(const Registry& stored, const ImportBatch& batch);

// Writes `registry` as an import JSON document that ParseImportJson reads back to an equal
// registry (policy included). Used by `accord world` and for export.
std::string RegistryToJson(const Registry& registry);

}  // namespace accord::rights

#endif  // ACCORD_RIGHTS_IMPORT_H_
