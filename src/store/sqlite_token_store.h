// SqliteTokenStore: API tokens (auth/token.h) in the data directory's accord.db, beside the
// registry.
//
// The tables come from SqliteStore's migration 2 (sqlite_store.cc), so Open first opens the
// registry store once to bring the schema up to date, then keeps a connection of its own with
// the same settings (WAL, synchronous=FULL: an issued token or a revocation survives power
// loss). Every message names the database file.
//
// Thread safety: every method may be called from any thread; calls are serialised by an
// internal mutex. Other processes may use the file at the same time (the CLI issuing a token
// while the server runs): SQLite's locks serialise writers.
#ifndef ACCORD_STORE_SQLITE_TOKEN_STORE_H_
#define ACCORD_STORE_SQLITE_TOKEN_STORE_H_

#include <memory>
#include <string>

#include "auth/token.h"
#include "core/status.h"

namespace accord::store {

class SqliteTokenStore final : public auth::TokenRepository {
 public:
  // Opens (creating and migrating if needed) `<data_dir>/accord.db`. Errors as
  // SqliteStore::Open.
  static Result<std::unique_ptr<SqliteTokenStore>> Open(const std::string& data_dir);
  ~SqliteTokenStore() override;

  Status Add(const auth::TokenRecord& record) override;
  // DataLoss names the token id when a stored row does not decode (bad role, hash length).
  Result<std::optional<auth::TokenRecord>> Find(const std::string& id) override;
  Result<std::vector<auth::TokenRecord>> List() override;
  Status Revoke(const std::string& id, Timestamp at) override;

 private:
  class Impl;
  explicit SqliteTokenStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace accord::store

#endif  // ACCORD_STORE_SQLITE_TOKEN_STORE_H_
