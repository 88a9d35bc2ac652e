// SqliteStore: the schema, its migrations, and the append and load paths.
//
// The table layout and the reasons for it are in docs/decisions/0002-sqlite-registry-schema.md.
// Two choices shape this file:
// - Append runs inside one BEGIN IMMEDIATE transaction (one fsync per call) and writes through
//   one TableWriter per table: prepared statements that live as long as the store, inserting
//   64 rows per multi-row INSERT, with kinds written in reference order (AppendRecords).
// - Load reads each table once with an ORDER BY that its primary key already provides (no sort,
//   no query per record): parents in rowid order, list rows in (parent key, position) order,
//   merged into their parents through a hash index built after the parents are read.
#include "store/sqlite_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <initializer_list>
#include <iterator>
#include <limits>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <utility>
#include <vector>

#include "catalog/model.h"
#include "core/ids.h"
#include "core/money.h"
#include "core/territory.h"
#include "core/time.h"

namespace accord::store {
namespace {

using catalog::ContainsAi;
using catalog::Party;
using catalog::Recording;
using catalog::Share;
using catalog::Work;
using rights::Agreement;
using rights::Consent;
using rights::EconomicTerms;
using rights::PlatformPolicy;
using rights::Registry;
using rights::Scope;
using rights::Takedown;

struct Migration {
  int version;
  const char* sql;
};

// Released migrations are frozen: a schema change is a new entry, never an edit, because files
// written by older builds have already run the old text. Versions are dense, 1..N.
//
// Every table is STRICT, so a column holds the type it declares and the loader can read it
// without checking. Foreign keys guard the references between records (artist, owner, work,
// licensor, acts_for, listed recording, consent party, takedown recording) and are checked as
// each row is inserted; Append writes the kinds in an order that makes that possible. A list
// table (its first column names the record it belongs to) has no foreign key to that record:
// Append always writes both in one transaction, Load reports a list row without its record as
// DataLoss, and the check would cost about 15% of append time.
constexpr Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE parties (
  id   TEXT PRIMARY KEY NOT NULL,
  kind TEXT NOT NULL,            -- PartyKindName: 'artist', 'label', ...
  name TEXT NOT NULL,
  isni TEXT                      -- canonical 16 characters; NULL: none
) STRICT;

CREATE TABLE party_acts_for (
  party    TEXT NOT NULL,
  position INTEGER NOT NULL CHECK (position >= 0),
  acts_for TEXT NOT NULL REFERENCES parties (id),
  PRIMARY KEY (party, position)
) STRICT, WITHOUT ROWID;

CREATE TABLE works (
  iswc  TEXT PRIMARY KEY NOT NULL, -- canonical 'T-034.524.680-1'
  title TEXT NOT NULL
) STRICT;

CREATE TABLE work_shares (
  iswc     TEXT NOT NULL,
  role     TEXT NOT NULL CHECK (role IN ('writer', 'publisher')),
  position INTEGER NOT NULL CHECK (position >= 0),
  party    TEXT NOT NULL REFERENCES parties (id),
  ppm      INTEGER NOT NULL,
  PRIMARY KEY (iswc, role, position)
) STRICT, WITHOUT ROWID;

CREATE TABLE recordings (
  isrc            TEXT PRIMARY KEY NOT NULL, -- canonical 'USRC17607839'
  title           TEXT NOT NULL,
  duration_ms     INTEGER NOT NULL,
  release_date_ms INTEGER,                   -- NULL: unknown
  work            TEXT REFERENCES works (iswc),
  contains_ai     TEXT NOT NULL              -- ContainsAiName: 'None', 'Partly', 'All'
) STRICT;

CREATE TABLE recording_artists (
  isrc     TEXT NOT NULL,
  role     TEXT NOT NULL CHECK (role IN ('main', 'featured')),
  position INTEGER NOT NULL CHECK (position >= 0),
  party    TEXT NOT NULL REFERENCES parties (id),
  PRIMARY KEY (isrc, role, position)
) STRICT, WITHOUT ROWID;

CREATE TABLE recording_owners (
  isrc     TEXT NOT NULL,
  position INTEGER NOT NULL CHECK (position >= 0),
  party    TEXT NOT NULL REFERENCES parties (id),
  ppm      INTEGER NOT NULL,
  PRIMARY KEY (isrc, position)
) STRICT, WITHOUT ROWID;

CREATE TABLE agreements (
  id             TEXT PRIMARY KEY NOT NULL,
  licensor       TEXT NOT NULL REFERENCES parties (id),
  all_controlled INTEGER NOT NULL CHECK (all_controlled IN (0, 1)),
  scopes         INTEGER NOT NULL CHECK (scopes BETWEEN 0 AND 255), -- bit i: Scope i
  territories    TEXT NOT NULL,    -- TerritorySet::ToString; '' for the empty set
  start_ms       INTEGER NOT NULL,
  end_ms         INTEGER,          -- NULL: open-ended
  -- Economic terms: all NULL when the agreement has none; per-use rates in agreement_rates.
  terms_currency                TEXT,
  revenue_share_ppm             INTEGER,
  minimum_guarantee_minor_units INTEGER,
  minimum_guarantee_currency    TEXT,
  CHECK ((terms_currency IS NULL) = (revenue_share_ppm IS NULL)),
  CHECK ((minimum_guarantee_minor_units IS NULL) = (minimum_guarantee_currency IS NULL)),
  CHECK (terms_currency IS NOT NULL OR minimum_guarantee_currency IS NULL)
) STRICT;

CREATE TABLE agreement_rates (
  agreement TEXT NOT NULL,
  position  INTEGER NOT NULL CHECK (position >= 0),
  scope     TEXT NOT NULL,         -- ScopeName
  micros    INTEGER NOT NULL,      -- Rate::micros
  currency  TEXT NOT NULL,
  PRIMARY KEY (agreement, position)
) STRICT, WITHOUT ROWID;

CREATE TABLE agreement_recordings (
  agreement TEXT NOT NULL,
  position  INTEGER NOT NULL CHECK (position >= 0),
  isrc      TEXT NOT NULL REFERENCES recordings (isrc),
  PRIMARY KEY (agreement, position)
) STRICT, WITHOUT ROWID;

CREATE TABLE consents (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  id           TEXT NOT NULL UNIQUE,
  party        TEXT NOT NULL REFERENCES parties (id),
  scope        TEXT NOT NULL,     -- ScopeName
  choice       TEXT NOT NULL,     -- ConsentChoiceName
  effective_ms INTEGER NOT NULL,
  recorded_by  TEXT NOT NULL,
  method       TEXT NOT NULL,
  UNIQUE (party, scope, effective_ms)
) STRICT;

CREATE TABLE takedowns (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  id           TEXT NOT NULL UNIQUE,
  isrc         TEXT NOT NULL REFERENCES recordings (isrc),
  action       TEXT NOT NULL,     -- TakedownActionName
  effective_ms INTEGER NOT NULL,
  reason       TEXT NOT NULL,
  UNIQUE (isrc, effective_ms)
) STRICT;

CREATE TABLE policy (
  id                 INTEGER PRIMARY KEY CHECK (id = 1),
  recommend_mode     TEXT NOT NULL, -- ConsentModeName, one column per Scope
  dj_mode            TEXT NOT NULL,
  dj_voice_mode      TEXT NOT NULL,
  remix_mode         TEXT NOT NULL,
  mashup_mode        TEXT NOT NULL,
  training_mode      TEXT NOT NULL,
  voice_model_mode   TEXT NOT NULL,
  generation_mode    TEXT NOT NULL,
  recommend_fully_ai INTEGER NOT NULL CHECK (recommend_fully_ai IN (0, 1))
) STRICT;
)sql"},
    // 2: API tokens (auth/token.h, read and written by SqliteTokenStore). Only the SHA-256 of a
    // token's text is kept. Revocation is a row of its own, so the token table stays
    // append-only like the rest of the registry.
    {2, R"sql(
CREATE TABLE api_tokens (
  id          TEXT PRIMARY KEY,
  hash        BLOB NOT NULL CHECK (length(hash) = 32),
  role        TEXT NOT NULL,
  party       TEXT NOT NULL,
  created_ms  INTEGER NOT NULL
) STRICT;
CREATE TABLE api_token_revocations (
  id          TEXT PRIMARY KEY REFERENCES api_tokens (id),
  revoked_ms  INTEGER NOT NULL
) STRICT;
)sql"},
};
static_assert(std::size(kMigrations) == SqliteStore::kSchemaVersion,
              "kSchemaVersion must name the last migration");
// The policy table has one mode column per scope, in enum order; a new scope needs a migration
// that adds its column, and the policy statements below must list it.
static_assert(rights::kScopeCount == 8, "add a policy column for the new scope");

constexpr char kPolicyColumns[] =
    "recommend_mode, dj_mode, dj_voice_mode, remix_mode, mashup_mode, training_mode, "
    "voice_model_mode, generation_mode, recommend_fully_ai";

// Parents are read into vectors whose size is hinted by their largest rowid; a damaged rowid
// must not turn into a huge allocation, so the hint is capped.
constexpr int64_t kMaxReserveHint = int64_t{1} << 22;

struct DatabaseCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Database = std::unique_ptr<sqlite3, DatabaseCloser>;

struct StatementFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};

// A prepared statement, bound and stepped once per row and reset after. A failed bind (a value
// too big for SQLite) is remembered and reported by the next Run, so that call sites bind
// without checking each parameter.
class Statement {
 public:
  Statement() = default;
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}

  sqlite3_stmt* get() const { return stmt_.get(); }

  void BindText(int index, std::string_view text) {
    // A null pointer would bind SQL NULL; an empty string_view may carry one.
    const char* data = text.data() == nullptr ? "" : text.data();
    Note(sqlite3_bind_text64(stmt_.get(), index, data, text.size(), SQLITE_STATIC, SQLITE_UTF8));
  }
  void BindInt64(int index, int64_t value) { Note(sqlite3_bind_int64(stmt_.get(), index, value)); }
  void BindNull(int index) { Note(sqlite3_bind_null(stmt_.get(), index)); }

  // Steps a statement that returns no rows to completion and resets it. Returns SQLITE_DONE on
  // success, else the (extended) error code; `*message` then holds SQLite's message.
  int Run(sqlite3* db, std::string* message) {
    int rc = bind_rc_;
    bind_rc_ = SQLITE_OK;
    if (rc == SQLITE_OK) {
      rc = sqlite3_step(stmt_.get());
      if (rc != SQLITE_DONE) *message = sqlite3_errmsg(db);
    } else {
      *message = sqlite3_errstr(rc);
    }
    sqlite3_reset(stmt_.get());
    return rc == SQLITE_OK ? SQLITE_DONE : rc;
  }

 private:
  void Note(int rc) {
    if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  }

  std::unique_ptr<sqlite3_stmt, StatementFinalizer> stmt_;
  int bind_rc_ = SQLITE_OK;
};

// Rolls the open transaction back when it goes out of scope before Release, so that every
// early return leaves the database as it was.
class TransactionGuard {
 public:
  explicit TransactionGuard(sqlite3* db) : db_(db) {}
  TransactionGuard(const TransactionGuard&) = delete;
  TransactionGuard& operator=(const TransactionGuard&) = delete;
  ~TransactionGuard() {
    // SQLite rolls back by itself after some errors (SQLITE_FULL, SQLITE_IOERR); then there is
    // nothing left to roll back.
    if (active_ && !sqlite3_get_autocommit(db_)) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    }
  }
  void Release() { active_ = false; }

 private:
  sqlite3* db_;
  bool active_ = true;
};

// Maps an SQLite result code to the accord code that tells the caller what to do about it.
StatusCode CodeFor(int rc) {
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE) {
        return StatusCode::kAlreadyExists;
      }
      return StatusCode::kInvalidArgument;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return StatusCode::kDataLoss;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_FULL:
      return StatusCode::kFailedPrecondition;
    default:
      return StatusCode::kInternal;
  }
}

std::string_view ColumnText(sqlite3_stmt* row, int column) {
  // sqlite3_column_text must come before sqlite3_column_bytes: the first may convert the value.
  const unsigned char* text = sqlite3_column_text(row, column);
  if (text == nullptr) return {};
  return {reinterpret_cast<const char*>(text),
          static_cast<size_t>(sqlite3_column_bytes(row, column))};
}

bool ColumnIsNull(sqlite3_stmt* row, int column) {
  return sqlite3_column_type(row, column) == SQLITE_NULL;
}

int64_t ColumnInt64(sqlite3_stmt* row, int column) { return sqlite3_column_int64(row, column); }

// "XXX" (no currency) is what a default Currency holds; it need not be in the ISO table.
Result<Currency> ParseCurrency(std::string_view code) {
  if (code == Currency().code()) return Currency();
  return Currency::FromCode(code);
}

// Queues the rows of one table and inserts them kRowsPerBatch at a time with one multi-row
// INSERT: SQLite's cost per statement execution (cursor set-up, foreign key lookups' cursors)
// is about that of a row, so batching halves the cost of a bulk append. Text values view
// strings that must live until the row is flushed: fields of the Registry being appended, static
// names, or strings kept in SqliteStore::Impl::owned_text_.
class TableWriter {
 public:
  static constexpr size_t kRowsPerBatch = 64;

  // Names a queued row in errors: "<kind> <key>", such as "recording USRC17607839".
  struct Label {
    std::string_view kind;
    std::string_view key;
  };

  TableWriter() = default;
  TableWriter(int columns, Statement single, Statement batch)
      : columns_(columns), single_(std::move(single)), batch_(std::move(batch)) {
    values_.reserve(kRowsPerBatch * static_cast<size_t>(columns));
    labels_.reserve(kRowsPerBatch);
  }

  TableWriter& Text(std::string_view text) {
    values_.push_back({Value::kText, 0, text});
    return *this;
  }
  TableWriter& Int(int64_t integer) {
    values_.push_back({Value::kInteger, integer, {}});
    return *this;
  }
  TableWriter& Null() {
    values_.push_back({Value::kNull, 0, {}});
    return *this;
  }
  // Ends the row begun by the calls above. Returns true when a full batch is queued.
  bool EndRow(Label label) {
    labels_.push_back(label);
    return labels_.size() == kRowsPerBatch;
  }

  size_t queued_rows() const { return labels_.size(); }
  const Label& label(size_t row) const { return labels_[row]; }
  void Clear() {
    values_.clear();
    labels_.clear();
  }

  // Binds all queued rows to the batch statement (precondition: a full batch is queued).
  Statement& BindBatch() {
    for (size_t index = 0; index < values_.size(); ++index) {
      Bind(batch_, static_cast<int>(index) + 1, values_[index]);
    }
    return batch_;
  }
  // Binds queued row `row` to the single-row statement.
  Statement& BindSingle(size_t row) {
    const size_t first = row * static_cast<size_t>(columns_);
    for (int column = 0; column < columns_; ++column) {
      Bind(single_, column + 1, values_[first + static_cast<size_t>(column)]);
    }
    return single_;
  }

 private:
  struct Value {
    enum Kind : uint8_t { kNull, kInteger, kText } kind;
    int64_t integer;
    std::string_view text;
  };

  static void Bind(Statement& statement, int index, const Value& value) {
    switch (value.kind) {
      case Value::kNull:
        statement.BindNull(index);
        break;
      case Value::kInteger:
        statement.BindInt64(index, value.integer);
        break;
      case Value::kText:
        statement.BindText(index, value.text);
        break;
    }
  }

  int columns_ = 0;
  Statement single_;
  Statement batch_;
  std::vector<Value> values_;
  std::vector<Label> labels_;
};

// "INSERT INTO table (a, b) VALUES (?, ?), (?, ?)" for `rows` rows.
std::string InsertSql(std::string_view table, const std::vector<std::string_view>& columns,
                      size_t rows) {
  std::string sql = "INSERT INTO " + std::string(table) + " (";
  std::string row = "(";
  for (size_t column = 0; column < columns.size(); ++column) {
    sql += (column == 0 ? "" : ", ") + std::string(columns[column]);
    row += column == 0 ? "?" : ", ?";
  }
  row += ")";
  sql += ") VALUES ";
  for (size_t index = 0; index < rows; ++index) sql += (index == 0 ? "" : ", ") + row;
  return sql;
}

// Finds the record that a list row belongs to. The records' keys are sorted once; list rows
// arrive ordered by the record's key (the queries ORDER BY it, in SQLite's BINARY collation,
// which is std::string_view's byte order), so a cursor moving forward through the sorted keys
// finds each row's record in a step or two, reading memory in order, where a hash table took a
// cache miss a row (a sixth of loading a registry of 100,000 recordings). A key behind the
// cursor is found by binary search, so the order is a matter of speed, not of correctness. The
// keys view strings owned by the parent records, which must not move while it is used.
class ParentIndex {
 public:
  template <typename Record, typename KeyFn>
  ParentIndex(const std::vector<Record>& records, KeyFn key) {
    sorted_.reserve(records.size());
    for (size_t record_index = 0; record_index < records.size(); ++record_index) {
      sorted_.push_back({key(records[record_index]), record_index});
    }
    // Records are often stored in key order already (imports, the generated world).
    if (!std::is_sorted(sorted_.begin(), sorted_.end())) std::sort(sorted_.begin(), sorted_.end());
  }

  std::optional<size_t> Find(std::string_view key) {
    while (cursor_ < sorted_.size() && sorted_[cursor_].first < key) ++cursor_;
    if (cursor_ < sorted_.size() && sorted_[cursor_].first == key) return sorted_[cursor_].second;
    auto found = std::lower_bound(sorted_.begin(), sorted_.end(),
                                  std::pair<std::string_view, size_t>(key, 0));
    if (found == sorted_.end() || found->first != key) return std::nullopt;
    return found->second;
  }

 private:
  std::vector<std::pair<std::string_view, size_t>> sorted_;
  size_t cursor_ = 0;  // where the last key looked up in order was, or would be
};

}  // namespace

class SqliteStore::Impl {
 public:
  explicit Impl(std::string path) : path_(std::move(path)) {}

  Status OpenDatabase();
  Status Migrate();
  Status PrepareWriteStatements();

  Result<Registry> Load();
  Status Append(const Registry& additions, bool set_policy);
  Status SetPolicy(const PlatformPolicy& policy);

  const std::string& path() const { return path_; }
  std::mutex& mutex() { return mutex_; }

 private:
  // One writer per table, prepared at Open and reused by every Append.
  struct Writers {
    TableWriter parties;
    TableWriter party_acts_for;
    TableWriter works;
    TableWriter work_shares;
    TableWriter recordings;
    TableWriter recording_artists;
    TableWriter recording_owners;
    TableWriter agreements;
    TableWriter agreement_rates;
    TableWriter agreement_recordings;
    TableWriter consents;
    TableWriter takedowns;
  };

  // Status for an SQLite failure: "<path>: <what>: <SQLite's message>".
  Status Error(int rc, std::string_view what) const {
    return Error(rc, what, db_ ? sqlite3_errmsg(db_.get()) : sqlite3_errstr(rc));
  }
  Status Error(int rc, std::string_view what, std::string_view sqlite_message) const {
    StatusCode code = CodeFor(rc);
    std::string message = path_ + ": " + std::string(what);
    if (code == StatusCode::kAlreadyExists) {
      message += " already exists (" + std::string(sqlite_message) + ")";
    } else if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) {
      message += " refers to a party, work or recording that does not exist (" +
                 std::string(sqlite_message) + ")";
    } else {
      message += ": " + std::string(sqlite_message);
    }
    return Status(code, std::move(message));
  }

  // DataLoss naming where a stored value could not be read back.
  Status Corrupt(std::string_view table, std::string_view key, std::string_view problem) const {
    return DataLossError(path_ + ": table " + std::string(table) + ", row '" + std::string(key) +
                         "': " + std::string(problem));
  }

  Status Exec(const char* sql, std::string_view what) {
    int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr);
    return rc == SQLITE_OK ? OkStatus() : Error(rc, what);
  }

  Result<Statement> Prepare(std::string_view sql) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return Error(rc, "cannot prepare '" + std::string(sql) + "'");
    return Statement(stmt);
  }

  // The first column of the first row of `sql`; NULL reads as 0 or "".
  Result<int64_t> QueryInt(std::string_view sql);
  Result<std::string> QueryText(std::string_view sql);

  // Runs one insert. `describe` names the record ("recording USRC17607839") and is called only
  // on failure, so that the fast path builds no strings.
  template <typename DescribeFn>
  Status Insert(Statement& statement, DescribeFn describe) {
    std::string sqlite_message;
    int rc = statement.Run(db_.get(), &sqlite_message);
    if (rc == SQLITE_DONE) return OkStatus();
    return Error(rc, describe(), sqlite_message);
  }

  // Steps a query, calling `on_row(row)` (returning Status) for each row.
  template <typename RowFn>
  Status ForEachRow(Statement& query, std::string_view table, RowFn on_row) {
    while (true) {
      int rc = sqlite3_step(query.get());
      if (rc == SQLITE_DONE) return OkStatus();
      if (rc != SQLITE_ROW) return Error(rc, "cannot read table " + std::string(table));
      ACCORD_RETURN_IF_ERROR(on_row(query.get()));
    }
  }

  // How many rows `table` holds at most (its largest rowid), capped; for reserve().
  size_t ReserveHint(std::string_view table, std::string_view rowid_column);

  // Parses a stored id, which must also be in canonical form (what Append wrote), because list
  // rows find their parent by comparing the stored text.
  template <typename Id>
  Status DecodeId(std::string_view table, std::string_view key, std::string_view column,
                  std::string_view text, Id* out) const {
    Result<Id> id = Id::Parse(text);
    if (!id.ok()) return Corrupt(table, key, std::string(column) + ": " + id.status().message());
    if (id->str() != text) {
      return Corrupt(table, key,
                     std::string(column) + ": '" + std::string(text) + "' is not canonical");
    }
    *out = *std::move(id);
    return OkStatus();
  }

  template <typename T>
  Status DecodeParsed(std::string_view table, std::string_view key, std::string_view column,
                      Result<T> parsed, T* out) const {
    if (!parsed.ok()) {
      return Corrupt(table, key, std::string(column) + ": " + parsed.status().message());
    }
    *out = *std::move(parsed);
    return OkStatus();
  }

  Status DecodeInt32(std::string_view table, std::string_view key, std::string_view column,
                     int64_t value, int32_t* out) const {
    if (value < std::numeric_limits<int32_t>::min() ||
        value > std::numeric_limits<int32_t>::max()) {
      return Corrupt(table, key,
                     std::string(column) + ": " + std::to_string(value) + " is out of range");
    }
    *out = static_cast<int32_t>(value);
    return OkStatus();
  }

  // Appends the next element of a list read in position order. A position other than the list's
  // size means a row is missing (the primary key rules out duplicates).
  template <typename T>
  Result<T*> NextInList(std::string_view table, std::string_view key, int64_t position,
                        std::vector<T>& list) const {
    if (position != static_cast<int64_t>(list.size())) {
      return Corrupt(table, key,
                     "list position " + std::to_string(position) + " where " +
                         std::to_string(list.size()) + " was expected (a row is missing)");
    }
    return &list.emplace_back();
  }

  Status LoadPolicy(PlatformPolicy& policy);
  Status LoadParties(std::vector<Party>& parties);
  Status LoadWorks(std::vector<Work>& works);
  Status LoadRecordings(std::vector<Recording>& recordings);
  Status LoadAgreements(std::vector<Agreement>& agreements);
  Status LoadConsents(std::vector<Consent>& consents);
  Status LoadTakedowns(std::vector<Takedown>& takedowns);

  Status PrepareWriter(std::string_view table, const std::vector<std::string_view>& columns,
                       TableWriter* writer);
  // Ends the row queued in `writer`, flushing the writer when a batch is full.
  Status EndRow(TableWriter& writer, TableWriter::Label label) {
    return writer.EndRow(label) ? Flush(writer) : OkStatus();
  }
  // Inserts the queued rows: a full batch with one statement, else row by row. When a batch
  // fails (the failed statement changed nothing), its rows are retried one at a time so that
  // the error names the row at fault.
  Status Flush(TableWriter& writer);
  // Keeps a computed string alive until the append ends, for TableWriter::Text.
  std::string_view Own(std::string text) { return owned_text_.emplace_back(std::move(text)); }

  Status AppendRecords(const Registry& additions);
  // Flushes the writers of one stage of AppendRecords.
  Status EndStage(std::initializer_list<TableWriter*> writers);
  // Queue a record's own row; the *Lists functions queue the rows of the lists inside it.
  Status AppendParty(const Party& party);
  Status AppendPartyLists(const Party& party);
  Status AppendWork(const Work& work);
  Status AppendWorkLists(const Work& work);
  Status AppendRecording(const Recording& recording);
  Status AppendRecordingLists(const Recording& recording);
  Status AppendAgreement(const Agreement& agreement);
  Status AppendAgreementLists(const Agreement& agreement);
  Status AppendConsent(const Consent& consent);
  Status AppendTakedown(const Takedown& takedown);

  std::mutex mutex_;
  const std::string path_;
  Database db_;
  // Declared after db_ so that the statements are finalized before the database closes.
  Writers writers_;
  Statement set_policy_;
  // Strings that queued rows view; a deque, so that adding one does not move the others.
  std::deque<std::string> owned_text_;
};

// ---------------------------------------------------------------------------------------------
// Opening and migrations.

Status SqliteStore::Impl::OpenDatabase() {
  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(path_.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  db_.reset(raw);  // sqlite3_open_v2 hands back a handle to close even when it fails
  if (rc != SQLITE_OK) return Error(rc, "cannot open the database");
  sqlite3_extended_result_codes(db_.get(), 1);
  sqlite3_busy_timeout(db_.get(), kBusyTimeoutMs);

  // Setting the journal mode is also the first read of the file, so a file that is not a
  // database fails here with SQLITE_NOTADB (DataLoss).
  ACCORD_ASSIGN_OR_RETURN(std::string journal_mode, QueryText("PRAGMA journal_mode = WAL"));
  if (journal_mode != "wal") {
    return FailedPreconditionError(path_ + ": cannot use WAL journal mode (SQLite kept '" +
                                   journal_mode + "'; the file system may not support it)");
  }
  // synchronous=FULL: in WAL mode NORMAL may lose the last commits on power loss, and an
  // acknowledged consent or takedown must not vanish. journal_size_limit truncates the WAL
  // after a big import has been checkpointed. The larger page cache keeps a big batch's index
  // pages in memory (64 MiB, only used when needed).
  return Exec(
      "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; "
      "PRAGMA journal_size_limit = 67108864; PRAGMA cache_size = -65536;",
      "cannot configure the connection");
}

Result<int64_t> SqliteStore::Impl::QueryInt(std::string_view sql) {
  ACCORD_ASSIGN_OR_RETURN(Statement query, Prepare(sql));
  int rc = sqlite3_step(query.get());
  if (rc == SQLITE_ROW) return ColumnInt64(query.get(), 0);
  if (rc == SQLITE_DONE) return int64_t{0};
  return Error(rc, "cannot run '" + std::string(sql) + "'");
}

Result<std::string> SqliteStore::Impl::QueryText(std::string_view sql) {
  ACCORD_ASSIGN_OR_RETURN(Statement query, Prepare(sql));
  int rc = sqlite3_step(query.get());
  if (rc == SQLITE_ROW) return std::string(ColumnText(query.get(), 0));
  if (rc == SQLITE_DONE) return std::string();
  return Error(rc, "cannot run '" + std::string(sql) + "'");
}

Status SqliteStore::Impl::Migrate() {
  // One transaction per migration. BEGIN IMMEDIATE takes the write lock before the version is
  // read, so two processes opening a new file at once cannot both apply a migration.
  while (true) {
    ACCORD_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE", "cannot start a schema migration"));
    TransactionGuard transaction(db_.get());
    ACCORD_RETURN_IF_ERROR(
        Exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
             "version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL) STRICT",
             "cannot create schema_migrations"));
    ACCORD_ASSIGN_OR_RETURN(int64_t version,
                            QueryInt("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
    if (version > kSchemaVersion) {
      return FailedPreconditionError(path_ + ": schema version " + std::to_string(version) +
                                     " is newer than this build knows (" +
                                     std::to_string(kSchemaVersion) +
                                     "); open it with a newer accord");
    }
    if (version < 0) {
      return DataLossError(path_ + ": schema_migrations holds version " + std::to_string(version));
    }
    if (version == kSchemaVersion) return Exec("COMMIT", "cannot end the schema check");

    const Migration& migration = kMigrations[version];  // versions are dense from 1
    const std::string what = "schema migration " + std::to_string(migration.version);
    ACCORD_RETURN_IF_ERROR(Exec(migration.sql, what));
    ACCORD_ASSIGN_OR_RETURN(
        Statement record,
        Prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)"));
    record.BindInt64(1, migration.version);
    const std::string applied_at = Timestamp::Now().ToString();
    record.BindText(2, applied_at);
    ACCORD_RETURN_IF_ERROR(Insert(record, [&] { return what; }));
    ACCORD_RETURN_IF_ERROR(Exec("COMMIT", "cannot commit " + what));
    transaction.Release();
  }
}

Status SqliteStore::Impl::PrepareWriter(std::string_view table,
                                        const std::vector<std::string_view>& columns,
                                        TableWriter* writer) {
  ACCORD_ASSIGN_OR_RETURN(Statement single, Prepare(InsertSql(table, columns, 1)));
  ACCORD_ASSIGN_OR_RETURN(Statement batch,
                          Prepare(InsertSql(table, columns, TableWriter::kRowsPerBatch)));
  *writer = TableWriter(static_cast<int>(columns.size()), std::move(single), std::move(batch));
  return OkStatus();
}

Status SqliteStore::Impl::PrepareWriteStatements() {
  // Column lists here and the Text/Int/Null sequences in the Append* functions must agree.
  ACCORD_RETURN_IF_ERROR(
      PrepareWriter("parties", {"id", "kind", "name", "isni"}, &writers_.parties));
  ACCORD_RETURN_IF_ERROR(
      PrepareWriter("party_acts_for", {"party", "position", "acts_for"}, &writers_.party_acts_for));
  ACCORD_RETURN_IF_ERROR(PrepareWriter("works", {"iswc", "title"}, &writers_.works));
  ACCORD_RETURN_IF_ERROR(PrepareWriter("work_shares", {"iswc", "role", "position", "party", "ppm"},
                                       &writers_.work_shares));
  ACCORD_RETURN_IF_ERROR(PrepareWriter(
      "recordings", {"isrc", "title", "duration_ms", "release_date_ms", "work", "contains_ai"},
      &writers_.recordings));
  ACCORD_RETURN_IF_ERROR(PrepareWriter("recording_artists", {"isrc", "role", "position", "party"},
                                       &writers_.recording_artists));
  ACCORD_RETURN_IF_ERROR(PrepareWriter("recording_owners", {"isrc", "position", "party", "ppm"},
                                       &writers_.recording_owners));
  ACCORD_RETURN_IF_ERROR(
      PrepareWriter("agreements",
                    {"id", "licensor", "all_controlled", "scopes", "territories", "start_ms",
                     "end_ms", "terms_currency", "revenue_share_ppm",
                     "minimum_guarantee_minor_units", "minimum_guarantee_currency"},
                    &writers_.agreements));
  ACCORD_RETURN_IF_ERROR(PrepareWriter("agreement_rates",
                                       {"agreement", "position", "scope", "micros", "currency"},
                                       &writers_.agreement_rates));
  ACCORD_RETURN_IF_ERROR(PrepareWriter("agreement_recordings", {"agreement", "position", "isrc"},
                                       &writers_.agreement_recordings));
  ACCORD_RETURN_IF_ERROR(PrepareWriter(
      "consents", {"id", "party", "scope", "choice", "effective_ms", "recorded_by", "method"},
      &writers_.consents));
  ACCORD_RETURN_IF_ERROR(PrepareWriter(
      "takedowns", {"id", "isrc", "action", "effective_ms", "reason"}, &writers_.takedowns));
  ACCORD_ASSIGN_OR_RETURN(
      set_policy_, Prepare(std::string("INSERT OR REPLACE INTO policy (id, ") + kPolicyColumns +
                           ") VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"));
  return OkStatus();
}

// ---------------------------------------------------------------------------------------------
// Append.

Status SqliteStore::Impl::Flush(TableWriter& writer) {
  const size_t rows = writer.queued_rows();
  if (rows == TableWriter::kRowsPerBatch) {
    std::string sqlite_message;
    const int rc = writer.BindBatch().Run(db_.get(), &sqlite_message);
    if (rc == SQLITE_DONE) {
      writer.Clear();
      return OkStatus();
    }
    // Only a constraint failure is retried row by row, and only inside the transaction: after
    // some errors (SQLITE_FULL, SQLITE_IOERR) SQLite has rolled the whole transaction back, and
    // retried rows would be committed one by one.
    if ((rc & 0xff) != SQLITE_CONSTRAINT || sqlite3_get_autocommit(db_.get())) {
      const TableWriter::Label first = writer.label(0);
      writer.Clear();
      return Error(rc, std::string(first.kind) + " " + std::string(first.key) + " and after",
                   sqlite_message);
    }
  }
  for (size_t row = 0; row < rows; ++row) {
    Status status = Insert(writer.BindSingle(row), [&] {
      return std::string(writer.label(row).kind) + " " + std::string(writer.label(row).key);
    });
    if (!status.ok()) {
      writer.Clear();
      return status;
    }
  }
  writer.Clear();
  return OkStatus();
}

Status SqliteStore::Impl::AppendParty(const Party& party) {
  if (party.isni && party.isni->empty()) {
    return InvalidArgumentError(path_ + ": party " + party.id + ": isni is set but empty");
  }
  TableWriter& parties = writers_.parties;
  parties.Text(party.id).Text(catalog::PartyKindName(party.kind)).Text(party.name);
  if (party.isni) {
    parties.Text(party.isni->str());
  } else {
    parties.Null();
  }
  return EndRow(parties, {"party", party.id});
}

Status SqliteStore::Impl::AppendPartyLists(const Party& party) {
  TableWriter& acts_for = writers_.party_acts_for;
  for (size_t position = 0; position < party.acts_for.size(); ++position) {
    acts_for.Text(party.id).Int(static_cast<int64_t>(position)).Text(party.acts_for[position]);
    ACCORD_RETURN_IF_ERROR(EndRow(acts_for, {"acts_for list of party", party.id}));
  }
  return OkStatus();
}

Status SqliteStore::Impl::AppendWork(const Work& work) {
  if (work.iswc.empty()) return InvalidArgumentError(path_ + ": a work has no ISWC");
  const std::string& iswc = work.iswc.str();
  return EndRow(writers_.works.Text(iswc).Text(work.title), {"work", iswc});
}

Status SqliteStore::Impl::AppendWorkLists(const Work& work) {
  const std::string& iswc = work.iswc.str();
  TableWriter& shares_writer = writers_.work_shares;
  auto append_shares = [&](std::string_view role, const std::vector<Share>& shares) -> Status {
    for (size_t position = 0; position < shares.size(); ++position) {
      shares_writer.Text(iswc).Text(role).Int(static_cast<int64_t>(position));
      shares_writer.Text(shares[position].party).Int(shares[position].ppm);
      ACCORD_RETURN_IF_ERROR(EndRow(shares_writer, {"shares of work", iswc}));
    }
    return OkStatus();
  };
  ACCORD_RETURN_IF_ERROR(append_shares("writer", work.writers));
  return append_shares("publisher", work.publishers);
}

Status SqliteStore::Impl::AppendRecording(const Recording& recording) {
  if (recording.isrc.empty()) return InvalidArgumentError(path_ + ": a recording has no ISRC");
  const std::string& isrc = recording.isrc.str();
  if (recording.work && recording.work->empty()) {
    return InvalidArgumentError(path_ + ": recording " + isrc + ": work is set but empty");
  }
  TableWriter& recordings = writers_.recordings;
  recordings.Text(isrc).Text(recording.title).Int(recording.duration_ms);
  if (recording.release_date) {
    recordings.Int(recording.release_date->unix_millis());
  } else {
    recordings.Null();
  }
  if (recording.work) {
    recordings.Text(recording.work->str());
  } else {
    recordings.Null();
  }
  recordings.Text(catalog::ContainsAiName(recording.contains_ai));
  return EndRow(recordings, {"recording", isrc});
}

Status SqliteStore::Impl::AppendRecordingLists(const Recording& recording) {
  const std::string& isrc = recording.isrc.str();
  TableWriter& artists_writer = writers_.recording_artists;
  auto append_artists = [&](std::string_view role,
                            const std::vector<std::string>& artists) -> Status {
    for (size_t position = 0; position < artists.size(); ++position) {
      artists_writer.Text(isrc).Text(role).Int(static_cast<int64_t>(position));
      artists_writer.Text(artists[position]);
      ACCORD_RETURN_IF_ERROR(EndRow(artists_writer, {"artists of recording", isrc}));
    }
    return OkStatus();
  };
  ACCORD_RETURN_IF_ERROR(append_artists("main", recording.main_artists));
  ACCORD_RETURN_IF_ERROR(append_artists("featured", recording.featured_artists));

  TableWriter& owners = writers_.recording_owners;
  for (size_t position = 0; position < recording.master_owners.size(); ++position) {
    const Share& owner = recording.master_owners[position];
    owners.Text(isrc).Int(static_cast<int64_t>(position)).Text(owner.party).Int(owner.ppm);
    ACCORD_RETURN_IF_ERROR(EndRow(owners, {"master owners of recording", isrc}));
  }
  return OkStatus();
}

Status SqliteStore::Impl::AppendAgreement(const Agreement& agreement) {
  TableWriter& agreements = writers_.agreements;
  agreements.Text(agreement.id).Text(agreement.licensor).Int(agreement.all_controlled ? 1 : 0);
  agreements.Int(agreement.scopes.bits());
  // TerritorySet::Parse refuses an empty list, so the empty set is written as ''.
  if (agreement.territories.empty() && !agreement.territories.is_worldwide_form()) {
    agreements.Text("");
  } else {
    agreements.Text(Own(agreement.territories.ToString()));
  }
  agreements.Int(agreement.start.unix_millis());
  if (agreement.end) {
    agreements.Int(agreement.end->unix_millis());
  } else {
    agreements.Null();
  }
  if (agreement.terms) {
    agreements.Text(agreement.terms->currency.code()).Int(agreement.terms->revenue_share_ppm);
    if (agreement.terms->minimum_guarantee) {
      agreements.Int(agreement.terms->minimum_guarantee->minor_units());
      agreements.Text(agreement.terms->minimum_guarantee->currency().code());
    } else {
      agreements.Null().Null();
    }
  } else {
    agreements.Null().Null().Null().Null();
  }
  return EndRow(agreements, {"agreement", agreement.id});
}

Status SqliteStore::Impl::AppendAgreementLists(const Agreement& agreement) {
  if (agreement.terms) {
    TableWriter& rates_writer = writers_.agreement_rates;
    const auto& rates = agreement.terms->per_use_rates;
    for (size_t position = 0; position < rates.size(); ++position) {
      rates_writer.Text(agreement.id).Int(static_cast<int64_t>(position));
      rates_writer.Text(rights::ScopeName(rates[position].first));
      rates_writer.Int(rates[position].second.micros());
      rates_writer.Text(rates[position].second.currency().code());
      ACCORD_RETURN_IF_ERROR(EndRow(rates_writer, {"rates of agreement", agreement.id}));
    }
  }

  TableWriter& listed = writers_.agreement_recordings;
  for (size_t position = 0; position < agreement.recordings.size(); ++position) {
    const Isrc& isrc = agreement.recordings[position];
    if (isrc.empty()) {
      return InvalidArgumentError(path_ + ": agreement " + agreement.id +
                                  ": a listed recording has no ISRC");
    }
    listed.Text(agreement.id).Int(static_cast<int64_t>(position)).Text(isrc.str());
    ACCORD_RETURN_IF_ERROR(EndRow(listed, {"recordings of agreement", agreement.id}));
  }
  return OkStatus();
}

Status SqliteStore::Impl::AppendConsent(const Consent& consent) {
  TableWriter& consents = writers_.consents;
  consents.Text(consent.id).Text(consent.party).Text(rights::ScopeName(consent.scope));
  consents.Text(rights::ConsentChoiceName(consent.choice)).Int(consent.effective.unix_millis());
  consents.Text(consent.recorded_by).Text(consent.method);
  return EndRow(consents, {"consent", consent.id});
}

Status SqliteStore::Impl::AppendTakedown(const Takedown& takedown) {
  if (takedown.recording.empty()) {
    return InvalidArgumentError(path_ + ": takedown " + takedown.id + " names no recording");
  }
  TableWriter& takedowns = writers_.takedowns;
  takedowns.Text(takedown.id).Text(takedown.recording.str());
  takedowns.Text(rights::TakedownActionName(takedown.action));
  takedowns.Int(takedown.effective.unix_millis()).Text(takedown.reason);
  return EndRow(takedowns, {"takedown", takedown.id});
}

Status SqliteStore::Impl::EndStage(std::initializer_list<TableWriter*> writers) {
  for (TableWriter* writer : writers) ACCORD_RETURN_IF_ERROR(Flush(*writer));
  return OkStatus();
}

// Rows are written in stages, in the order in which records refer to each other: parties, their
// acts_for lists, works, their shares, recordings, their lists, agreements, their lists,
// consents, takedowns. Each stage is flushed before the next begins, so every row refers only
// to rows already written and the foreign keys can be checked row by row: a dangling reference
// fails at its own row, which the error names.
Status SqliteStore::Impl::AppendRecords(const Registry& additions) {
  for (const Party& party : additions.parties) ACCORD_RETURN_IF_ERROR(AppendParty(party));
  ACCORD_RETURN_IF_ERROR(EndStage({&writers_.parties}));
  for (const Party& party : additions.parties) ACCORD_RETURN_IF_ERROR(AppendPartyLists(party));
  ACCORD_RETURN_IF_ERROR(EndStage({&writers_.party_acts_for}));

  for (const Work& work : additions.works) ACCORD_RETURN_IF_ERROR(AppendWork(work));
  ACCORD_RETURN_IF_ERROR(EndStage({&writers_.works}));
  for (const Work& work : additions.works) ACCORD_RETURN_IF_ERROR(AppendWorkLists(work));
  ACCORD_RETURN_IF_ERROR(EndStage({&writers_.work_shares}));

  for (const Recording& recording : additions.recordings) {
    ACCORD_RETURN_IF_ERROR(AppendRecording(recording));
  }
  ACCORD_RETURN_IF_ERROR(EndStage({&writers_.recordings}));
  for (const Recording& recording : additions.recordings) {
    ACCORD_RETURN_IF_ERROR(AppendRecordingLists(recording));
  }
  ACCORD_RETURN_IF_ERROR(EndStage({&writers_.recording_artists, &writers_.recording_owners}));

  for (const Agreement& agreement : additions.agreements) {
    ACCORD_RETURN_IF_ERROR(AppendAgreement(agreement));
  }
  ACCORD_RETURN_IF_ERROR(EndStage({&writers_.agreements}));
  for (const Agreement& agreement : additions.agreements) {
    ACCORD_RETURN_IF_ERROR(AppendAgreementLists(agreement));
  }
  ACCORD_RETURN_IF_ERROR(EndStage({&writers_.agreement_rates, &writers_.agreement_recordings}));

  for (const Consent& consent : additions.consents) ACCORD_RETURN_IF_ERROR(AppendConsent(consent));
  ACCORD_RETURN_IF_ERROR(EndStage({&writers_.consents}));
  for (const Takedown& takedown : additions.takedowns) {
    ACCORD_RETURN_IF_ERROR(AppendTakedown(takedown));
  }
  return EndStage({&writers_.takedowns});
}

Status SqliteStore::Impl::Append(const Registry& additions, bool set_policy) {
  ACCORD_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE", "cannot start the append"));
  TransactionGuard transaction(db_.get());
  Status status = AppendRecords(additions);
  if (status.ok() && set_policy) status = SetPolicy(additions.policy);
  // Rows still queued after an error must not leak into the next Append.
  for (TableWriter* writer :
       {&writers_.parties, &writers_.party_acts_for, &writers_.works, &writers_.work_shares,
        &writers_.recordings, &writers_.recording_artists, &writers_.recording_owners,
        &writers_.agreements, &writers_.agreement_rates, &writers_.agreement_recordings,
        &writers_.consents, &writers_.takedowns}) {
    writer->Clear();
  }
  owned_text_.clear();
  if (!status.ok()) return status;  // the guard rolls back

  int rc = sqlite3_exec(db_.get(), "COMMIT", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return Error(rc, "cannot commit the append");
  transaction.Release();
  return OkStatus();
}

Status SqliteStore::Impl::SetPolicy(const PlatformPolicy& policy) {
  for (Scope scope : rights::kAllScopes) {
    set_policy_.BindText(static_cast<int>(scope) + 1, rights::ConsentModeName(policy.mode(scope)));
  }
  set_policy_.BindInt64(rights::kScopeCount + 1, policy.recommend_fully_ai ? 1 : 0);
  return Insert(set_policy_, [] { return std::string("policy"); });
}

// ---------------------------------------------------------------------------------------------
// Load.

size_t SqliteStore::Impl::ReserveHint(std::string_view table, std::string_view rowid_column) {
  Result<int64_t> max_rowid =
      QueryInt("SELECT MAX(" + std::string(rowid_column) + ") FROM " + std::string(table));
  if (!max_rowid.ok()) return 0;  // only a hint; the real query reports the error
  return static_cast<size_t>(std::clamp<int64_t>(*max_rowid, 0, kMaxReserveHint));
}

Status SqliteStore::Impl::LoadPolicy(PlatformPolicy& policy) {
  ACCORD_ASSIGN_OR_RETURN(Statement query, Prepare(std::string("SELECT ") + kPolicyColumns +
                                                   " FROM policy WHERE id = 1"));
  return ForEachRow(query, "policy", [&](sqlite3_stmt* row) -> Status {
    for (Scope scope : rights::kAllScopes) {
      const int column = static_cast<int>(scope);
      ACCORD_RETURN_IF_ERROR(DecodeParsed(
          "policy", "1", std::string(rights::ScopeName(scope)) + "_mode",
          rights::ParseConsentMode(ColumnText(row, column)), &policy.consent_mode[column]));
    }
    policy.recommend_fully_ai = ColumnInt64(row, rights::kScopeCount) != 0;
    return OkStatus();
  });
}

Status SqliteStore::Impl::LoadParties(std::vector<Party>& parties) {
  parties.reserve(ReserveHint("parties", "rowid"));
  ACCORD_ASSIGN_OR_RETURN(Statement query,
                          Prepare("SELECT id, kind, name, isni FROM parties ORDER BY rowid"));
  ACCORD_RETURN_IF_ERROR(ForEachRow(query, "parties", [&](sqlite3_stmt* row) -> Status {
    Party& party = parties.emplace_back();
    party.id = ColumnText(row, 0);
    ACCORD_RETURN_IF_ERROR(DecodeParsed("parties", party.id, "kind",
                                        catalog::ParsePartyKind(ColumnText(row, 1)), &party.kind));
    party.name = ColumnText(row, 2);
    if (!ColumnIsNull(row, 3)) {
      ACCORD_RETURN_IF_ERROR(
          DecodeId("parties", party.id, "isni", ColumnText(row, 3), &party.isni.emplace()));
    }
    return OkStatus();
  }));

  ParentIndex index(parties, [](const Party& party) -> std::string_view { return party.id; });
  ACCORD_ASSIGN_OR_RETURN(
      Statement lists,
      Prepare("SELECT party, position, acts_for FROM party_acts_for ORDER BY party, position"));
  return ForEachRow(lists, "party_acts_for", [&](sqlite3_stmt* row) -> Status {
    std::string_view key = ColumnText(row, 0);
    std::optional<size_t> parent = index.Find(key);
    if (!parent) return Corrupt("party_acts_for", key, "no such party");
    ACCORD_ASSIGN_OR_RETURN(
        std::string * acts_for,
        NextInList("party_acts_for", key, ColumnInt64(row, 1), parties[*parent].acts_for));
    *acts_for = ColumnText(row, 2);
    return OkStatus();
  });
}

Status SqliteStore::Impl::LoadWorks(std::vector<Work>& works) {
  works.reserve(ReserveHint("works", "rowid"));
  ACCORD_ASSIGN_OR_RETURN(Statement query, Prepare("SELECT iswc, title FROM works ORDER BY rowid"));
  ACCORD_RETURN_IF_ERROR(ForEachRow(query, "works", [&](sqlite3_stmt* row) -> Status {
    Work& work = works.emplace_back();
    std::string_view iswc = ColumnText(row, 0);
    ACCORD_RETURN_IF_ERROR(DecodeId("works", iswc, "iswc", iswc, &work.iswc));
    work.title = ColumnText(row, 1);
    return OkStatus();
  }));

  ParentIndex index(works, [](const Work& work) -> std::string_view { return work.iswc.str(); });
  ACCORD_ASSIGN_OR_RETURN(Statement lists,
                          Prepare("SELECT iswc, role, position, party, ppm FROM work_shares "
                                  "ORDER BY iswc, role, position"));
  return ForEachRow(lists, "work_shares", [&](sqlite3_stmt* row) -> Status {
    std::string_view key = ColumnText(row, 0);
    std::optional<size_t> parent = index.Find(key);
    if (!parent) return Corrupt("work_shares", key, "no such work");
    std::string_view role = ColumnText(row, 1);
    if (role != "writer" && role != "publisher") {
      return Corrupt("work_shares", key, "unknown role '" + std::string(role) + "'");
    }
    Work& work = works[*parent];
    std::vector<Share>& list = role == "writer" ? work.writers : work.publishers;
    ACCORD_ASSIGN_OR_RETURN(Share * share,
                            NextInList("work_shares", key, ColumnInt64(row, 2), list));
    share->party = ColumnText(row, 3);
    return DecodeInt32("work_shares", key, "ppm", ColumnInt64(row, 4), &share->ppm);
  });
}

Status SqliteStore::Impl::LoadRecordings(std::vector<Recording>& recordings) {
  recordings.reserve(ReserveHint("recordings", "rowid"));
  ACCORD_ASSIGN_OR_RETURN(
      Statement query,
      Prepare("SELECT isrc, title, duration_ms, release_date_ms, work, contains_ai "
              "FROM recordings ORDER BY rowid"));
  ACCORD_RETURN_IF_ERROR(ForEachRow(query, "recordings", [&](sqlite3_stmt* row) -> Status {
    Recording& recording = recordings.emplace_back();
    std::string_view isrc = ColumnText(row, 0);
    ACCORD_RETURN_IF_ERROR(DecodeId("recordings", isrc, "isrc", isrc, &recording.isrc));
    recording.title = ColumnText(row, 1);
    recording.duration_ms = ColumnInt64(row, 2);
    if (!ColumnIsNull(row, 3)) {
      recording.release_date = Timestamp::FromUnixMillis(ColumnInt64(row, 3));
    }
    if (!ColumnIsNull(row, 4)) {
      ACCORD_RETURN_IF_ERROR(
          DecodeId("recordings", isrc, "work", ColumnText(row, 4), &recording.work.emplace()));
    }
    return DecodeParsed("recordings", isrc, "contains_ai",
                        catalog::ParseContainsAi(ColumnText(row, 5)), &recording.contains_ai);
  }));

  ParentIndex index(recordings, [](const Recording& recording) -> std::string_view {
    return recording.isrc.str();
  });
  ACCORD_ASSIGN_OR_RETURN(Statement artists,
                          Prepare("SELECT isrc, role, position, party FROM recording_artists "
                                  "ORDER BY isrc, role, position"));
  ACCORD_RETURN_IF_ERROR(ForEachRow(artists, "recording_artists", [&](sqlite3_stmt* row) -> Status {
    std::string_view key = ColumnText(row, 0);
    std::optional<size_t> parent = index.Find(key);
    if (!parent) return Corrupt("recording_artists", key, "no such recording");
    std::string_view role = ColumnText(row, 1);
    if (role != "main" && role != "featured") {
      return Corrupt("recording_artists", key, "unknown role '" + std::string(role) + "'");
    }
    Recording& recording = recordings[*parent];
    std::vector<std::string>& list =
        role == "main" ? recording.main_artists : recording.featured_artists;
    ACCORD_ASSIGN_OR_RETURN(std::string * party,
                            NextInList("recording_artists", key, ColumnInt64(row, 2), list));
    *party = ColumnText(row, 3);
    return OkStatus();
  }));

  ACCORD_ASSIGN_OR_RETURN(
      Statement owners,
      Prepare("SELECT isrc, position, party, ppm FROM recording_owners ORDER BY isrc, position"));
  return ForEachRow(owners, "recording_owners", [&](sqlite3_stmt* row) -> Status {
    std::string_view key = ColumnText(row, 0);
    std::optional<size_t> parent = index.Find(key);
    if (!parent) return Corrupt("recording_owners", key, "no such recording");
    ACCORD_ASSIGN_OR_RETURN(Share * owner, NextInList("recording_owners", key, ColumnInt64(row, 1),
                                                      recordings[*parent].master_owners));
    owner->party = ColumnText(row, 2);
    return DecodeInt32("recording_owners", key, "ppm", ColumnInt64(row, 3), &owner->ppm);
  });
}

Status SqliteStore::Impl::LoadAgreements(std::vector<Agreement>& agreements) {
  agreements.reserve(ReserveHint("agreements", "rowid"));
  ACCORD_ASSIGN_OR_RETURN(
      Statement query,
      Prepare("SELECT id, licensor, all_controlled, scopes, territories, start_ms, end_ms, "
              "terms_currency, revenue_share_ppm, minimum_guarantee_minor_units, "
              "minimum_guarantee_currency FROM agreements ORDER BY rowid"));
  ACCORD_RETURN_IF_ERROR(ForEachRow(query, "agreements", [&](sqlite3_stmt* row) -> Status {
    Agreement& agreement = agreements.emplace_back();
    agreement.id = ColumnText(row, 0);
    const std::string_view key = agreement.id;
    agreement.licensor = ColumnText(row, 1);
    agreement.all_controlled = ColumnInt64(row, 2) != 0;
    const int64_t scopes = ColumnInt64(row, 3);
    if (scopes < 0 || scopes > 0xff) return Corrupt("agreements", key, "scopes out of range");
    agreement.scopes = rights::ScopeSet::FromBits(static_cast<uint8_t>(scopes));
    const std::string_view territories = ColumnText(row, 4);
    if (!territories.empty()) {
      ACCORD_RETURN_IF_ERROR(DecodeParsed("agreements", key, "territories",
                                          TerritorySet::Parse(territories),
                                          &agreement.territories));
    }
    agreement.start = Timestamp::FromUnixMillis(ColumnInt64(row, 5));
    if (!ColumnIsNull(row, 6)) agreement.end = Timestamp::FromUnixMillis(ColumnInt64(row, 6));
    if (!ColumnIsNull(row, 7)) {
      EconomicTerms& terms = agreement.terms.emplace();
      ACCORD_RETURN_IF_ERROR(DecodeParsed("agreements", key, "terms_currency",
                                          ParseCurrency(ColumnText(row, 7)), &terms.currency));
      ACCORD_RETURN_IF_ERROR(DecodeInt32("agreements", key, "revenue_share_ppm",
                                         ColumnInt64(row, 8), &terms.revenue_share_ppm));
      if (!ColumnIsNull(row, 9)) {
        Currency currency;
        ACCORD_RETURN_IF_ERROR(DecodeParsed("agreements", key, "minimum_guarantee_currency",
                                            ParseCurrency(ColumnText(row, 10)), &currency));
        terms.minimum_guarantee = Money(ColumnInt64(row, 9), currency);
      }
    }
    return OkStatus();
  }));

  ParentIndex index(agreements,
                    [](const Agreement& agreement) -> std::string_view { return agreement.id; });
  ACCORD_ASSIGN_OR_RETURN(Statement rates,
                          Prepare("SELECT agreement, position, scope, micros, currency "
                                  "FROM agreement_rates ORDER BY agreement, position"));
  ACCORD_RETURN_IF_ERROR(ForEachRow(rates, "agreement_rates", [&](sqlite3_stmt* row) -> Status {
    std::string_view key = ColumnText(row, 0);
    std::optional<size_t> parent = index.Find(key);
    if (!parent) return Corrupt("agreement_rates", key, "no such agreement");
    std::optional<EconomicTerms>& terms = agreements[*parent].terms;
    if (!terms) return Corrupt("agreement_rates", key, "a rate for an agreement without terms");
    Scope scope;
    ACCORD_RETURN_IF_ERROR(DecodeParsed("agreement_rates", key, "scope",
                                        rights::ParseScope(ColumnText(row, 2)), &scope));
    Currency currency;
    ACCORD_RETURN_IF_ERROR(DecodeParsed("agreement_rates", key, "currency",
                                        ParseCurrency(ColumnText(row, 4)), &currency));
    const int64_t position = ColumnInt64(row, 1);
    if (position != static_cast<int64_t>(terms->per_use_rates.size())) {
      return Corrupt("agreement_rates", key,
                     "list position " + std::to_string(position) + " where " +
                         std::to_string(terms->per_use_rates.size()) +
                         " was expected (a row is missing)");
    }
    terms->per_use_rates.emplace_back(scope, Rate(ColumnInt64(row, 3), currency));
    return OkStatus();
  }));

  ACCORD_ASSIGN_OR_RETURN(Statement listed,
                          Prepare("SELECT agreement, position, isrc FROM agreement_recordings "
                                  "ORDER BY agreement, position"));
  return ForEachRow(listed, "agreement_recordings", [&](sqlite3_stmt* row) -> Status {
    std::string_view key = ColumnText(row, 0);
    std::optional<size_t> parent = index.Find(key);
    if (!parent) return Corrupt("agreement_recordings", key, "no such agreement");
    ACCORD_ASSIGN_OR_RETURN(Isrc * isrc,
                            NextInList("agreement_recordings", key, ColumnInt64(row, 1),
                                       agreements[*parent].recordings));
    return DecodeId("agreement_recordings", key, "isrc", ColumnText(row, 2), isrc);
  });
}

Status SqliteStore::Impl::LoadConsents(std::vector<Consent>& consents) {
  consents.reserve(ReserveHint("consents", "seq"));
  ACCORD_ASSIGN_OR_RETURN(Statement query,
                          Prepare("SELECT id, party, scope, choice, effective_ms, recorded_by, "
                                  "method FROM consents ORDER BY seq"));
  return ForEachRow(query, "consents", [&](sqlite3_stmt* row) -> Status {
    Consent& consent = consents.emplace_back();
    consent.id = ColumnText(row, 0);
    consent.party = ColumnText(row, 1);
    ACCORD_RETURN_IF_ERROR(DecodeParsed("consents", consent.id, "scope",
                                        rights::ParseScope(ColumnText(row, 2)), &consent.scope));
    ACCORD_RETURN_IF_ERROR(DecodeParsed("consents", consent.id, "choice",
                                        rights::ParseConsentChoice(ColumnText(row, 3)),
                                        &consent.choice));
    consent.effective = Timestamp::FromUnixMillis(ColumnInt64(row, 4));
    consent.recorded_by = ColumnText(row, 5);
    consent.method = ColumnText(row, 6);
    return OkStatus();
  });
}

Status SqliteStore::Impl::LoadTakedowns(std::vector<Takedown>& takedowns) {
  takedowns.reserve(ReserveHint("takedowns", "seq"));
  ACCORD_ASSIGN_OR_RETURN(
      Statement query,
      Prepare("SELECT id, isrc, action, effective_ms, reason FROM takedowns ORDER BY seq"));
  return ForEachRow(query, "takedowns", [&](sqlite3_stmt* row) -> Status {
    Takedown& takedown = takedowns.emplace_back();
    takedown.id = ColumnText(row, 0);
    ACCORD_RETURN_IF_ERROR(
        DecodeId("takedowns", takedown.id, "isrc", ColumnText(row, 1), &takedown.recording));
    ACCORD_RETURN_IF_ERROR(DecodeParsed("takedowns", takedown.id, "action",
                                        rights::ParseTakedownAction(ColumnText(row, 2)),
                                        &takedown.action));
    takedown.effective = Timestamp::FromUnixMillis(ColumnInt64(row, 3));
    takedown.reason = ColumnText(row, 4);
    return OkStatus();
  });
}

Result<Registry> SqliteStore::Impl::Load() {
  // One read transaction, so that every table is read from the same snapshot even while other
  // processes append. It writes nothing; the guard's ROLLBACK ends it.
  ACCORD_RETURN_IF_ERROR(Exec("BEGIN", "cannot start the load"));
  TransactionGuard transaction(db_.get());
  Registry registry;
  ACCORD_RETURN_IF_ERROR(LoadPolicy(registry.policy));
  ACCORD_RETURN_IF_ERROR(LoadParties(registry.parties));
  ACCORD_RETURN_IF_ERROR(LoadWorks(registry.works));
  ACCORD_RETURN_IF_ERROR(LoadRecordings(registry.recordings));
  ACCORD_RETURN_IF_ERROR(LoadAgreements(registry.agreements));
  ACCORD_RETURN_IF_ERROR(LoadConsents(registry.consents));
  ACCORD_RETURN_IF_ERROR(LoadTakedowns(registry.takedowns));
  return registry;
}

// ---------------------------------------------------------------------------------------------
// SqliteStore.

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& data_dir) {
  if (data_dir.empty()) return InvalidArgumentError("the data directory name is empty");
  // The error_code overloads: std::filesystem must not throw out of this library.
  const std::filesystem::path dir(data_dir);
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  // create_directories on an existing file reports a bare "File exists"; say what is wrong.
  std::error_code status_error;
  const std::filesystem::file_status status = std::filesystem::status(dir, status_error);
  if (std::filesystem::exists(status) && !std::filesystem::is_directory(status)) {
    return FailedPreconditionError(data_dir + ": exists and is not a directory");
  }
  if (error) {
    return FailedPreconditionError(data_dir +
                                   ": cannot create the data directory: " + error.message());
  }

  auto impl = std::make_unique<Impl>((dir / kFileName).string());
  ACCORD_RETURN_IF_ERROR(impl->OpenDatabase());
  ACCORD_RETURN_IF_ERROR(impl->Migrate());
  ACCORD_RETURN_IF_ERROR(impl->PrepareWriteStatements());
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(impl)));
}

SqliteStore::SqliteStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

SqliteStore::~SqliteStore() = default;

Result<rights::Registry> SqliteStore::Load() {
  std::lock_guard<std::mutex> lock(impl_->mutex());
  return impl_->Load();
}

Status SqliteStore::Append(const rights::Registry& additions) {
  std::lock_guard<std::mutex> lock(impl_->mutex());
  return impl_->Append(additions, /*set_policy=*/false);
}

Status SqliteStore::AppendAndSetPolicy(const rights::Registry& additions) {
  std::lock_guard<std::mutex> lock(impl_->mutex());
  return impl_->Append(additions, /*set_policy=*/true);
}

Status SqliteStore::SetPolicy(const rights::PlatformPolicy& policy) {
  std::lock_guard<std::mutex> lock(impl_->mutex());
  return impl_->SetPolicy(policy);
}

const std::string& SqliteStore::path() const { return impl_->path(); }

}  // namespace accord::store
