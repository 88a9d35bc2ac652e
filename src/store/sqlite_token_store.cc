#include "store/sqlite_token_store.h"

#include <sqlite3.h>

#include <cstring>
#include <mutex>

#include "store/sqlite_store.h"

namespace accord::store {
namespace {

struct CloseDb {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct Finalize {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Statement = std::unique_ptr<sqlite3_stmt, Finalize>;

constexpr char kSelect[] =
    "SELECT t.id, t.hash, t.role, t.party, t.created_ms, r.revoked_ms "
    "FROM api_tokens t LEFT JOIN api_token_revocations r ON r.id = t.id";

}  // namespace

class SqliteTokenStore::Impl {
 public:
  explicit Impl(std::string path) : path_(std::move(path)) {}

  Status Open() {
    sqlite3* raw = nullptr;
    const int rc =
        sqlite3_open_v2(path_.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
    db_.reset(raw);
    if (rc != SQLITE_OK) return Error("cannot open the database");
    sqlite3_busy_timeout(db_.get(), SqliteStore::kBusyTimeoutMs);
    if (sqlite3_exec(db_.get(), "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;", nullptr,
                     nullptr, nullptr) != SQLITE_OK) {
      return Error("cannot configure the connection");
    }
    return OkStatus();
  }

  Status Add(const auth::TokenRecord& record) {
    ACCORD_ASSIGN_OR_RETURN(
        Statement insert,
        Prepare(
            "INSERT INTO api_tokens (id, hash, role, party, created_ms) VALUES (?, ?, ?, ?, ?)"));
    sqlite3_bind_text(insert.get(), 1, record.id.data(), static_cast<int>(record.id.size()),
                      SQLITE_TRANSIENT);
    sqlite3_bind_blob(insert.get(), 2, record.hash.data(), static_cast<int>(record.hash.size()),
                      SQLITE_TRANSIENT);
    const std::string_view role = auth::RoleName(record.role);
    sqlite3_bind_text(insert.get(), 3, role.data(), static_cast<int>(role.size()),
                      SQLITE_TRANSIENT);
    sqlite3_bind_text(insert.get(), 4, record.party.data(), static_cast<int>(record.party.size()),
                      SQLITE_TRANSIENT);
    sqlite3_bind_int64(insert.get(), 5, record.created.unix_millis());
    const int rc = sqlite3_step(insert.get());
    if (rc == SQLITE_CONSTRAINT || (rc & 0xff) == SQLITE_CONSTRAINT) {
      return AlreadyExistsError(path_ + ": token " + record.id + " already exists");
    }
    if (rc != SQLITE_DONE) return Error("cannot store token " + record.id);
    if (record.revoked) return Revoke(record.id, *record.revoked);
    return OkStatus();
  }

  Result<std::optional<auth::TokenRecord>> Find(const std::string& id) {
    ACCORD_ASSIGN_OR_RETURN(Statement query, Prepare(std::string(kSelect) + " WHERE t.id = ?"));
    sqlite3_bind_text(query.get(), 1, id.data(), static_cast<int>(id.size()), SQLITE_TRANSIENT);
    const int rc = sqlite3_step(query.get());
    if (rc == SQLITE_DONE) return std::optional<auth::TokenRecord>();
    if (rc != SQLITE_ROW) return Error("cannot read token " + id);
    ACCORD_ASSIGN_OR_RETURN(auth::TokenRecord record, Decode(query.get()));
    return std::optional<auth::TokenRecord>(std::move(record));
  }

  Result<std::vector<auth::TokenRecord>> List() {
    ACCORD_ASSIGN_OR_RETURN(Statement query, Prepare(std::string(kSelect) + " ORDER BY t.rowid"));
    std::vector<auth::TokenRecord> out;
    int rc;
    while ((rc = sqlite3_step(query.get())) == SQLITE_ROW) {
      ACCORD_ASSIGN_OR_RETURN(auth::TokenRecord record, Decode(query.get()));
      out.push_back(std::move(record));
    }
    if (rc != SQLITE_DONE) return Error("cannot list tokens");
    return out;
  }

  Status Revoke(const std::string& id, Timestamp at) {
    ACCORD_ASSIGN_OR_RETURN(std::optional<auth::TokenRecord> record, Find(id));
    if (!record) return NotFoundError(path_ + ": no token " + id);
    if (record->revoked) return FailedPreconditionError("token " + id + " is revoked already");
    ACCORD_ASSIGN_OR_RETURN(
        Statement insert,
        Prepare("INSERT INTO api_token_revocations (id, revoked_ms) VALUES (?, ?)"));
    sqlite3_bind_text(insert.get(), 1, id.data(), static_cast<int>(id.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(insert.get(), 2, at.unix_millis());
    const int rc = sqlite3_step(insert.get());
    // Another process may have revoked it between the read and the write: same outcome.
    if ((rc & 0xff) == SQLITE_CONSTRAINT) {
      return FailedPreconditionError("token " + id + " is revoked already");
    }
    if (rc != SQLITE_DONE) return Error("cannot revoke token " + id);
    return OkStatus();
  }

  std::mutex& mutex() { return mutex_; }

 private:
  Status Error(const std::string& what) const {
    return FailedPreconditionError(path_ + ": " + what + ": " + sqlite3_errmsg(db_.get()));
  }

  Result<Statement> Prepare(const std::string& sql) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db_.get(), sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
      sqlite3_finalize(raw);
      return Error("cannot prepare a token query");
    }
    return Statement(raw);
  }

  Result<auth::TokenRecord> Decode(sqlite3_stmt* row) const {
    auth::TokenRecord record;
    record.id = reinterpret_cast<const char*>(sqlite3_column_text(row, 0));
    if (sqlite3_column_bytes(row, 1) != static_cast<int>(record.hash.size())) {
      return DataLossError(path_ + ": api_tokens " + record.id + ": hash is not 32 bytes");
    }
    std::memcpy(record.hash.data(), sqlite3_column_blob(row, 1), record.hash.size());
    Result<auth::Role> role =
        auth::ParseRole(reinterpret_cast<const char*>(sqlite3_column_text(row, 2)));
    if (!role.ok()) {
      return DataLossError(path_ + ": api_tokens " + record.id + ": " + role.status().message());
    }
    record.role = *role;
    record.party = reinterpret_cast<const char*>(sqlite3_column_text(row, 3));
    record.created = Timestamp::FromUnixMillis(sqlite3_column_int64(row, 4));
    if (sqlite3_column_type(row, 5) != SQLITE_NULL) {
      record.revoked = Timestamp::FromUnixMillis(sqlite3_column_int64(row, 5));
    }
    return record;
  }

  std::string path_;
  std::unique_ptr<sqlite3, CloseDb> db_;
  std::mutex mutex_;
};

SqliteTokenStore::SqliteTokenStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SqliteTokenStore::~SqliteTokenStore() = default;

Result<std::unique_ptr<SqliteTokenStore>> SqliteTokenStore::Open(const std::string& data_dir) {
  // The registry store owns the schema: opening it applies migration 2 when needed.
  ACCORD_ASSIGN_OR_RETURN(std::unique_ptr<SqliteStore> registry, SqliteStore::Open(data_dir));
  auto impl = std::make_unique<Impl>(registry->path());
  registry.reset();
  ACCORD_RETURN_IF_ERROR(impl->Open());
  return std::unique_ptr<SqliteTokenStore>(new SqliteTokenStore(std::move(impl)));
}

Status SqliteTokenStore::Add(const auth::TokenRecord& record) {
  std::lock_guard<std::mutex> lock(impl_->mutex());
  return impl_->Add(record);
}
Result<std::optional<auth::TokenRecord>> SqliteTokenStore::Find(const std::string& id) {
  std::lock_guard<std::mutex> lock(impl_->mutex());
  return impl_->Find(id);
}
Result<std::vector<auth::TokenRecord>> SqliteTokenStore::List() {
  std::lock_guard<std::mutex> lock(impl_->mutex());
  return impl_->List();
}
Status SqliteTokenStore::Revoke(const std::string& id, Timestamp at) {
  std::lock_guard<std::mutex> lock(impl_->mutex());
  return impl_->Revoke(id, at);
}

}  // namespace accord::store
