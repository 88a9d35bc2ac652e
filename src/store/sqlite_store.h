// SqliteStore: the registry kept in one SQLite file, the embedded default RegistryStore.
//
// Everything lives in `<data_dir>/accord.db`, opened in WAL mode with synchronous=FULL (a
// committed Append survives power loss) and foreign keys enforced. The schema is normalised,
// one table per kind plus one per list inside a record, and is described, with the reasons for
// its shape, in docs/decisions/0002-sqlite-registry-schema.md. Open applies the schema
// migrations this build knows, each in its own transaction, and records them in
// `schema_migrations`; it refuses a file written by a newer build.
//
//   ACCORD_ASSIGN_OR_RETURN(std::unique_ptr<store::SqliteStore> store,
//                           store::SqliteStore::Open("./accord-data"));
//   ACCORD_RETURN_IF_ERROR(store->Append(imported));        // all or nothing
//   ACCORD_ASSIGN_OR_RETURN(rights::Registry registry, store->Load());
//
// The store is append-only: records are never updated or deleted (consents and takedowns are
// history, see rights/model.h), which is what lets Load return each kind in insertion order.
//
// Errors never throw. Every message names the database file; SQLite's own message is kept.
// Codes: AlreadyExists (a key that is stored already), InvalidArgument (a record the schema
// refuses, such as a reference to a party that does not exist), DataLoss (stored data that
// cannot be read back, naming table and key; a file that is not a database),
// FailedPrecondition (the file cannot be opened or written, is locked past the busy timeout,
// or has a newer schema), Internal (anything else SQLite reports).
//
// Thread safety: every method may be called from any thread; calls on one SqliteStore are
// serialised by an internal mutex. Several processes may open the same file: SQLite's locks
// serialise their writers, waiting up to kBusyTimeoutMs before FailedPrecondition.
#ifndef ACCORD_STORE_SQLITE_STORE_H_
#define ACCORD_STORE_SQLITE_STORE_H_

#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "rights/model.h"
#include "rights/registry.h"

namespace accord::store {

class SqliteStore final : public rights::RegistryStore {
 public:
  // The newest schema version this build writes and reads.
  static constexpr int kSchemaVersion = 2;
  // The database file's name inside the data directory.
  static constexpr std::string_view kFileName = "accord.db";
  // How long a call waits for another process's write lock before giving up.
  static constexpr int kBusyTimeoutMs = 5000;

  // Creates `data_dir` (and its parents) when missing, opens or creates its accord.db and
  // brings the schema up to kSchemaVersion. InvalidArgument for an empty `data_dir`;
  // FailedPrecondition when `data_dir` exists but is not a directory, the file cannot be
  // opened, WAL cannot be enabled, or the stored schema is newer than kSchemaVersion;
  // DataLoss when accord.db is not an SQLite database. The caller owns the returned store.
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& data_dir);

  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;
  ~SqliteStore() override;  // closes the file; a committed Append is already durable

  // Reads a consistent snapshot of everything stored: each kind in insertion order, every list
  // inside a record in its original order, and the policy last set (the default
  // PlatformPolicy when none was). DataLoss names the table and key of a stored value that
  // does not parse (a bad ISRC, an unknown enum name, a list with a gap, a list row whose
  // record is missing). Records are decoded one by one; the registry as a whole is not
  // re-validated (ValidateRegistry does that).
  Result<rights::Registry> Load() override;

  // Adds every record of `additions` (its policy is ignored) in one transaction. On any error
  // nothing is written. AlreadyExists names the kind and key when a party id, ISWC, ISRC,
  // agreement id, consent id or takedown id is stored already or appears twice in
  // `additions`, and also when a consent repeats (party, scope, effective) or a takedown
  // repeats (recording, effective). InvalidArgument names the record when it refers to a party,
  // work or recording that neither the store nor `additions` holds, or when a typed id (ISRC,
  // ISWC, ISNI) is empty.
  Status Append(const rights::Registry& additions) override;
  // As Append, and replaces the policy with additions.policy in the same transaction.
  Status AppendAndSetPolicy(const rights::Registry& additions) override;

  // Replaces the platform policy, atomically.
  Status SetPolicy(const rights::PlatformPolicy& policy) override;

  // `<data_dir>/accord.db`, as errors name it.
  const std::string& path() const;

 private:
  class Impl;
  explicit SqliteStore(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
};

}  // namespace accord::store

#endif  // ACCORD_STORE_SQLITE_STORE_H_
