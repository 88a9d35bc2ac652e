// End-to-end benchmark of the ledger (issue 7, "Benchmarks").
//
//   build/bench/ledger_bench [--events N] [--recovery-events N] [--dir PATH] [--runs R]
//
// Prints, from one calling thread, on a generated world (Ledger::Append itself uses a second
// thread for batches of 512 events or more; see docs/decisions/0010-ledger-intake-rate.md):
//  - durable intake through Ledger::Append (policy check, idempotency, log append, fsync,
//    Merkle) for batches of 1, 100 and 10,000 events: events/s and per-batch acknowledgement
//    latency; at batch 10,000 also with the next batch prepared (Ledger::Prepare) on a second
//    calling thread while the last one is appended, as the server does; beside it, in the same run
//    and on the same file system, SQLite (WAL, synchronous=FULL) storing the same canonical
//    payloads with the same batches, and the raw log (LogWriter::AppendBatch) to separate intake
//    overhead from storage;
//  - recovery: Ledger::Open of a ledger of --recovery-events events (median of R, each run
//    printed too), and LogReader::Verify alone; then Ledger::SaveState and Ledger::Open from
//    the state file, warm and cold, and with a tenth as many events again after it; the
//    background save (Ledger::StartBackgroundSave): the fork's pause and the copy's time;
//  - proof generation: Ledger::Prove for random ids, and MerkleTree::InclusionProof alone.
// Each figure is printed beside its target from the issue. Benchmarks print; they never assert.
//
// Event counts per intake configuration: N (--events, default 1,000,000) at batch 10,000,
// N / 10 at batch 100 and N / 500 at batch 1.
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_util.h"
#include "bench/random_uses.h"
#include "ledger/event.h"
#include "ledger/ledger.h"
#include "ledger/log.h"
#include "ledger/merkle.h"
#include "rights/snapshot.h"
#include "world/world.h"

namespace accord::bench {
namespace {

using Clock = std::chrono::steady_clock;
using rights::Scope;

// A guard, not an expectation: Prove reads one record by position, so 10,000 proofs take well
// under a second; the measurement stops after this much time and says so if it ever does not.
constexpr double kProveBudgetSeconds = 15.0;
constexpr size_t kProofSamples = 10'000;

// ---------------------------------------------------------------------------------------------
// The file system under the data directory.

struct FileSystemInfo {
  std::string type;  // "ext4", "tmpfs", ... or the magic number in hex
  bool is_tmpfs = false;
};

FileSystemInfo DescribeFileSystem(const std::string& path) {
  struct statfs info {};
  if (statfs(path.c_str(), &info) != 0) return {"unknown (statfs failed)", false};
  const auto magic = static_cast<unsigned long>(info.f_type);
  struct Known {
    unsigned long magic;
    const char* name;
  };
  static constexpr Known kKnown[] = {
      {0x01021994, "tmpfs"}, {0xEF53, "ext4"},          {0x58465342, "xfs"},
      {0x9123683E, "btrfs"}, {0x794C7630, "overlayfs"}, {0x2FC12FC1, "zfs"},
      {0x6969, "nfs"},       {0x65735546, "fuse"},      {0x858458F6, "ramfs"}};
  for (const Known& known : kKnown) {
    if (known.magic == magic) {
      return {known.name, magic == 0x01021994 || magic == 0x858458F6};
    }
  }
  char hex[32];
  std::snprintf(hex, sizeof hex, "magic 0x%lx", magic);
  return {hex, false};
}

// ---------------------------------------------------------------------------------------------
// Events the policy allows.

using Combo = Use;

// Samples random (scope, recording, territory, time) uses and keeps those the policy allows, so
// that every generated event is recorded rather than refused.
class EventSource {
 public:
  EventSource(const rights::Snapshot& snapshot, size_t samples, uint64_t seed)
      : snapshot_(&snapshot) {
    UseSampler sampler(snapshot, seed);
    for (size_t sample = 0; sample < samples; ++sample) {
      const Combo combo = sampler.Next();
      if (snapshot.Allowed(combo.scope, combo.recording, combo.territory, combo.at)) {
        combos_.push_back(combo);
      }
    }
    sampled_ = samples;
  }

  size_t sampled() const { return sampled_; }
  size_t allowed() const { return combos_.size(); }

  // Event number `n` with id `prefix` + n; the combination cycles through the allowed ones.
  ledger::UsageEvent Make(const std::string& prefix, uint64_t n) const {
    const Combo& combo = combos_[n % combos_.size()];
    ledger::UsageEvent event;
    event.id = prefix + std::to_string(n);
    event.time = combo.at;
    char listener[32];
    std::snprintf(listener, sizeof listener, "listener-%08llu",
                  static_cast<unsigned long long>((n * 2654435761u) % 100'000'000));
    event.listener = listener;
    event.territory = combo.territory;
    event.scope = combo.scope;
    event.feature = std::string(rights::ScopeName(combo.scope));
    event.recordings = {{snapshot_->recording_isrc(combo.recording), 1'000'000}};
    event.duration_ms = 30'000 + static_cast<int64_t>(n % 240'000);
    char session[32];
    std::snprintf(session, sizeof session, "session-%07llu",
                  static_cast<unsigned long long>(n / 40));
    event.session = session;
    event.requested = n % 3 == 0;
    return event;
  }

  std::vector<ledger::UsageEvent> MakeBatch(const std::string& prefix, uint64_t first,
                                            size_t count) const {
    std::vector<ledger::UsageEvent> events;
    events.reserve(count);
    for (size_t k = 0; k < count; ++k) events.push_back(Make(prefix, first + k));
    return events;
  }

 private:
  const rights::Snapshot* snapshot_;
  std::vector<Combo> combos_;
  size_t sampled_ = 0;
};

std::vector<std::string> Encode(const std::vector<ledger::UsageEvent>& events) {
  std::vector<std::string> payloads;
  payloads.reserve(events.size());
  for (const ledger::UsageEvent& event : events)
    payloads.push_back(ledger::CanonicalEncoding(event));
  return payloads;
}

// ---------------------------------------------------------------------------------------------
// Intake measurements. Each timed call covers one batch, from the call until its
// acknowledgement (after the fsync); building the events and their payloads is not timed.

struct IntakeFigures {
  uint64_t events = 0;
  uint64_t not_recorded = 0;  // ledger only: events answered other than "recorded"
  double seconds = 0;         // sum of the timed calls
  std::vector<double> batch_ms;

  double EventsPerSecond() const { return seconds > 0 ? double(events) / seconds : 0; }
  double P50Ms() const { return Quantile(batch_ms, 0.5); }
  double P99Ms() const { return Quantile(batch_ms, 0.99); }
};

double MsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

Result<IntakeFigures> LedgerIntake(const std::string& data_dir, const EventSource& source,
                                   const rights::Snapshot& snapshot, const std::string& prefix,
                                   size_t batch, uint64_t total) {
  ACCORD_ASSIGN_OR_RETURN(std::unique_ptr<ledger::Ledger> ledger, ledger::Ledger::Open(data_dir));
  IntakeFigures figures;
  for (uint64_t first = 0; first < total; first += batch) {
    const std::vector<ledger::UsageEvent> events = source.MakeBatch(
        prefix, first, static_cast<size_t>(std::min<uint64_t>(batch, total - first)));
    const auto start = Clock::now();
    ACCORD_ASSIGN_OR_RETURN(std::vector<ledger::IntakeResult> acks,
                            ledger->Append(events, snapshot));
    const double ms = MsSince(start);
    figures.batch_ms.push_back(ms);
    figures.seconds += ms / 1e3;
    figures.events += events.size();
    for (const ledger::IntakeResult& ack : acks) {
      figures.not_recorded += ack.outcome != ledger::IntakeOutcome::kRecorded;
    }
  }
  return figures;
}

// The server's way: while batch k is appended (Ledger::Append of a PreparedBatch), a second
// thread prepares batch k + 1 (Ledger::Prepare: validation, encoding, the policy). The events
// are built before the clock starts; the figure is events / wall time of the whole loop, and a
// batch's latency runs from the start of its Prepare to its acknowledgement.
Result<IntakeFigures> LedgerIntakePrepared(const std::string& data_dir, const EventSource& source,
                                           const rights::Snapshot& snapshot,
                                           const std::string& prefix, size_t batch,
                                           uint64_t total) {
  ACCORD_ASSIGN_OR_RETURN(std::unique_ptr<ledger::Ledger> ledger, ledger::Ledger::Open(data_dir));
  std::vector<std::vector<ledger::UsageEvent>> batches;
  for (uint64_t first = 0; first < total; first += batch) {
    batches.push_back(source.MakeBatch(
        prefix, first, static_cast<size_t>(std::min<uint64_t>(batch, total - first))));
  }
  IntakeFigures figures;
  ledger::PreparedBatch prepared[2];
  Clock::time_point prepare_start[2];
  auto prepare = [&](size_t k) {
    prepare_start[k % 2] = Clock::now();
    return ledger->Prepare(batches[k], snapshot, &prepared[k % 2]);
  };
  const auto start = Clock::now();
  ACCORD_RETURN_IF_ERROR(prepare(0));
  for (size_t k = 0; k < batches.size(); ++k) {
    Status next = OkStatus();
    std::thread preparer;
    if (k + 1 < batches.size()) preparer = std::thread([&] { next = prepare(k + 1); });
    Result<std::vector<ledger::IntakeResult>> acks = ledger->Append(batches[k], &prepared[k % 2]);
    figures.batch_ms.push_back(MsSince(prepare_start[k % 2]));
    if (preparer.joinable()) preparer.join();
    ACCORD_RETURN_IF_ERROR(acks.status());
    ACCORD_RETURN_IF_ERROR(next);
    figures.events += batches[k].size();
    for (const ledger::IntakeResult& ack : *acks) {
      figures.not_recorded += ack.outcome != ledger::IntakeOutcome::kRecorded;
    }
  }
  figures.seconds = MsSince(start) / 1e3;
  return figures;
}

Result<IntakeFigures> RawLogIntake(const std::string& dir, const EventSource& source,
                                   const std::string& prefix, size_t batch, uint64_t total) {
  ACCORD_ASSIGN_OR_RETURN(std::unique_ptr<ledger::LogWriter> log,
                          ledger::LogWriter::Open(ledger::PosixFileSystem(), dir));
  IntakeFigures figures;
  for (uint64_t first = 0; first < total; first += batch) {
    const std::vector<std::string> payloads = Encode(source.MakeBatch(
        prefix, first, static_cast<size_t>(std::min<uint64_t>(batch, total - first))));
    const auto start = Clock::now();
    ACCORD_ASSIGN_OR_RETURN(ledger::AppendResult ack, log->AppendBatch(payloads));
    const double ms = MsSince(start);
    DoNotOptimize(ack.last_sequence);
    figures.batch_ms.push_back(ms);
    figures.seconds += ms / 1e3;
    figures.events += payloads.size();
  }
  return figures;
}

// A SQLite database handle and statement that close themselves.
struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};

Status SqliteError(sqlite3* db, const std::string& what) {
  return InternalError("sqlite: " + what + ": " + sqlite3_errmsg(db));
}

Status Exec(sqlite3* db, const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message != nullptr ? message : "unknown error";
    sqlite3_free(message);
    return InternalError(std::string("sqlite: ") + sql + ": " + text);
  }
  return OkStatus();
}

// The same canonical payloads in SQLite with the durability of the ledger: WAL with
// synchronous=FULL fsyncs the WAL at every commit, so a COMMIT that returns is on disk.
Result<IntakeFigures> SqliteIntake(const std::string& path, const EventSource& source,
                                   const std::string& prefix, size_t batch, uint64_t total) {
  sqlite3* raw_db = nullptr;
  const int opened = sqlite3_open(path.c_str(), &raw_db);
  std::unique_ptr<sqlite3, SqliteCloser> db(raw_db);
  if (opened != SQLITE_OK) return SqliteError(raw_db, "open " + path);
  ACCORD_RETURN_IF_ERROR(Exec(db.get(), "PRAGMA journal_mode=WAL"));
  ACCORD_RETURN_IF_ERROR(Exec(db.get(), "PRAGMA synchronous=FULL"));
  ACCORD_RETURN_IF_ERROR(
      Exec(db.get(), "CREATE TABLE events(id TEXT PRIMARY KEY, seq INTEGER, payload BLOB)"));
  sqlite3_stmt* raw_insert = nullptr;
  if (sqlite3_prepare_v2(db.get(), "INSERT INTO events(id, seq, payload) VALUES(?1, ?2, ?3)", -1,
                         &raw_insert, nullptr) != SQLITE_OK) {
    return SqliteError(db.get(), "prepare");
  }
  std::unique_ptr<sqlite3_stmt, SqliteCloser> insert(raw_insert);

  IntakeFigures figures;
  uint64_t sequence = 0;
  for (uint64_t first = 0; first < total; first += batch) {
    const std::vector<ledger::UsageEvent> events = source.MakeBatch(
        prefix, first, static_cast<size_t>(std::min<uint64_t>(batch, total - first)));
    const std::vector<std::string> payloads = Encode(events);
    const auto start = Clock::now();
    ACCORD_RETURN_IF_ERROR(Exec(db.get(), "BEGIN"));
    for (size_t k = 0; k < events.size(); ++k) {
      sqlite3_bind_text(insert.get(), 1, events[k].id.data(), static_cast<int>(events[k].id.size()),
                        SQLITE_STATIC);
      sqlite3_bind_int64(insert.get(), 2, static_cast<sqlite3_int64>(++sequence));
      sqlite3_bind_blob(insert.get(), 3, payloads[k].data(), static_cast<int>(payloads[k].size()),
                        SQLITE_STATIC);
      if (sqlite3_step(insert.get()) != SQLITE_DONE) return SqliteError(db.get(), "insert");
      sqlite3_reset(insert.get());
    }
    ACCORD_RETURN_IF_ERROR(Exec(db.get(), "COMMIT"));
    const double ms = MsSince(start);
    figures.batch_ms.push_back(ms);
    figures.seconds += ms / 1e3;
    figures.events += events.size();
  }
  return figures;
}

// ---------------------------------------------------------------------------------------------

// Asks the kernel to drop the cached pages of every segment file (clean pages only; they were
// fsynced), so that the next Open reads from the device, or at least from the hypervisor's cache.
void DropSegmentsFromPageCache(const std::string& log_dir) {
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(log_dir, error)) {
    const int fd = open(entry.path().c_str(), O_RDONLY);
    if (fd < 0) continue;
    (void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    close(fd);
  }
}

uint64_t DirectoryBytes(const std::string& dir) {
  uint64_t bytes = 0;
  std::error_code error;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir, error)) {
    if (entry.is_regular_file()) bytes += entry.file_size();
  }
  return bytes;
}

// The 1-, 5- and 15-minute load averages, as /proc/loadavg gives them: the machine is shared,
// and a figure means little without the load it was measured under.
std::string LoadAverage() {
  std::FILE* file = std::fopen("/proc/loadavg", "r");
  if (file == nullptr) return "unknown";
  double one = 0, five = 0, fifteen = 0;
  const int read = std::fscanf(file, "%lf %lf %lf", &one, &five, &fifteen);
  std::fclose(file);
  if (read != 3) return "unknown";
  char text[64];
  std::snprintf(text, sizeof text, "%.2f %.2f %.2f", one, five, fifteen);
  return text;
}

int Fail(const char* what, const Status& status) {
  std::fprintf(stderr, "ledger_bench: %s: %s\n", what, status.ToString().c_str());
  return 1;
}

int Main(int argc, char** argv) {
  uint64_t events = 1'000'000;
  uint64_t recovery_events = 1'000'000;
  std::string parent_dir = "/var/tmp";
  int runs = 3;
  for (int i = 1; i < argc; i += 2) {
    const std::string flag = argv[i];
    const bool has_value = i + 1 < argc;
    if (has_value && flag == "--events") {
      events = std::strtoull(argv[i + 1], nullptr, 10);
    } else if (has_value && flag == "--recovery-events") {
      recovery_events = std::strtoull(argv[i + 1], nullptr, 10);
    } else if (has_value && flag == "--dir") {
      parent_dir = argv[i + 1];
    } else if (has_value && flag == "--runs") {
      runs = std::atoi(argv[i + 1]);
    } else {
      std::fprintf(stderr,
                   "usage: ledger_bench [--events N] [--recovery-events N] [--dir PATH] "
                   "[--runs R]\n");
      return 2;
    }
  }
  events = std::max<uint64_t>(events, 10'000);
  recovery_events = std::max<uint64_t>(recovery_events, 10'000);
  runs = std::max(runs, 1);

  std::printf("ledger_bench: %s\n", MachineDescription().c_str());
#ifdef NDEBUG
  std::printf("build: NDEBUG (assertions off)\n");
#else
  std::printf("build: assertions ON (not an optimised build; figures are pessimistic)\n");
#endif
  std::printf("sqlite: %s\n", sqlite3_libversion());
  std::printf("load average at start: %s\n", LoadAverage().c_str());

  // Each run works in its own directory under the parent, removed at the end.
  std::error_code error;
  std::filesystem::create_directories(parent_dir, error);
  const std::string root = parent_dir + "/accord-ledger-bench-" + std::to_string(getpid());
  std::filesystem::remove_all(root, error);
  if (!std::filesystem::create_directories(root, error)) {
    std::fprintf(stderr, "ledger_bench: cannot create %s: %s\n", root.c_str(),
                 error.message().c_str());
    return 1;
  }
  const FileSystemInfo fs_info = DescribeFileSystem(root);
  std::printf("data directory: %s (file system: %s)\n", root.c_str(), fs_info.type.c_str());
  if (fs_info.is_tmpfs) {
    std::printf(
        "  WARNING: %s lives in memory; fsync there is a no-op, so every durable figure below "
        "is meaningless. Use --dir on a disk-backed file system.\n",
        fs_info.type.c_str());
  }
  const FileSystemInfo tmp_info = DescribeFileSystem("/tmp");
  std::printf("  (/tmp is %s%s)\n", tmp_info.type.c_str(),
              tmp_info.is_tmpfs ? ": not used, fsync there is meaningless" : "");

  // World, policy and events.
  world::WorldOptions options;
  options.seed = 42;
  options.recordings = 10'000;
  options.artists = 1'000;
  auto start = Clock::now();
  Result<rights::Registry> registry = world::GenerateWorld(options);
  if (!registry.ok()) return Fail("world", registry.status());
  Result<std::shared_ptr<const rights::Snapshot>> built = rights::Snapshot::Build(*registry);
  if (!built.ok()) return Fail("snapshot", built.status());
  const rights::Snapshot& snapshot = **built;
  const EventSource source(snapshot, 200'000, 7);
  std::printf(
      "\nworld: %zu recordings, %zu agreements, %zu consents (seed 42; world + snapshot "
      "%.2f s)\n",
      registry->recordings.size(), registry->agreements.size(), registry->consents.size(),
      SecondsSince(start));
  if (source.allowed() == 0) {
    std::fprintf(stderr, "ledger_bench: the policy allows none of the sampled uses\n");
    return 1;
  }
  {
    const std::vector<std::string> sample = Encode(source.MakeBatch("b0-", 0, 10'000));
    size_t bytes = 0;
    for (const std::string& payload : sample) bytes += payload.size();
    std::printf(
        "events: %.1f%% of %zu sampled (recording, scope, territory, time) uses are allowed; "
        "events cycle through the %zu allowed ones; canonical payload %.0f bytes on average\n",
        100.0 * double(source.allowed()) / double(source.sampled()), source.sampled(),
        source.allowed(), double(bytes) / double(sample.size()));
    std::printf("  e.g. %s\n", sample[0].c_str());
  }

  // Durable intake, side by side.
  struct Config {
    size_t batch;
    uint64_t total;
  };
  const Config configs[] = {{1, std::max<uint64_t>(1, events / 500)},
                            {100, std::max<uint64_t>(100, events / 10)},
                            {10'000, events}};
  std::printf(
      "\ndurable intake (acknowledged after fsync; one calling thread, Ledger::Append uses two "
      "from batch 512; each figure is events / time "
      "inside the timed calls; latency is per batch, call to acknowledgement)\n");
  std::printf(
      "  accord = Ledger::Append (validate, policy check, idempotency, encode, log append, "
      "fsync, Merkle);\n  raw log = LogWriter::AppendBatch of pre-encoded payloads; sqlite = "
      "BEGIN, one prepared INSERT per event, COMMIT (WAL, synchronous=FULL), pre-encoded "
      "payloads\n");
  std::printf("  %-8s %-9s %-10s %14s %12s %12s\n", "batch", "events", "store", "events/s",
              "p50 ack ms", "p99 ack ms");
  int config_index = 0;
  for (const Config& config : configs) {
    ++config_index;
    const std::string prefix = "b" + std::to_string(config_index) + "-";
    const std::string dir = root + "/intake-" + std::to_string(config.batch);
    Result<IntakeFigures> accord =
        LedgerIntake(dir + "/accord", source, snapshot, prefix, config.batch, config.total);
    if (!accord.ok()) return Fail("ledger intake", accord.status());
    Result<IntakeFigures> raw =
        RawLogIntake(dir + "/rawlog", source, prefix, config.batch, config.total);
    if (!raw.ok()) return Fail("raw log intake", raw.status());
    Result<IntakeFigures> sqlite =
        SqliteIntake(dir + "/sqlite.db", source, prefix, config.batch, config.total);
    if (!sqlite.ok()) return Fail("sqlite intake", sqlite.status());
    for (const auto& [name, figures] :
         {std::pair<const char*, const IntakeFigures*>{"accord", &*accord},
          {"raw log", &*raw},
          {"sqlite", &*sqlite}}) {
      std::printf("  %-8zu %-9llu %-10s %14.0f %12.3f %12.3f\n", config.batch,
                  static_cast<unsigned long long>(figures->events), name,
                  figures->EventsPerSecond(), figures->P50Ms(), figures->P99Ms());
    }
    std::printf(
        "  %-8zu accord/sqlite %.2fx (target >= 3x), raw log/sqlite %.2fx, accord/raw log "
        "%.2fx\n",
        config.batch, accord->EventsPerSecond() / sqlite->EventsPerSecond(),
        raw->EventsPerSecond() / sqlite->EventsPerSecond(),
        accord->EventsPerSecond() / raw->EventsPerSecond());
    if (accord->not_recorded != 0) {
      std::printf("  note: %llu events were not answered \"recorded\"\n",
                  static_cast<unsigned long long>(accord->not_recorded));
    }
    if (config.batch == 10'000) {
      Result<IntakeFigures> ahead = LedgerIntakePrepared(dir + "/accord-prepared", source, snapshot,
                                                         "p" + prefix, config.batch, config.total);
      if (!ahead.ok()) return Fail("ledger intake, prepared ahead", ahead.status());
      std::printf("  %-8zu %-9llu %-10s %14.0f %12.3f %12.3f  (%.2fx sqlite)\n", config.batch,
                  static_cast<unsigned long long>(ahead->events), "accord, next batch prepared",
                  ahead->EventsPerSecond(), ahead->P50Ms(), ahead->P99Ms(),
                  ahead->EventsPerSecond() / sqlite->EventsPerSecond());
      if (ahead->not_recorded != 0) {
        std::printf("  note: %llu events were not answered \"recorded\"\n",
                    static_cast<unsigned long long>(ahead->not_recorded));
      }
      std::printf(
          "  batch 10,000: accord %.0f events/s, %.0f with the next batch prepared "
          "(target >= 1,000,000 events/s)\n",
          accord->EventsPerSecond(), ahead->EventsPerSecond());
    }
    std::printf("  (load average after batch %zu: %s)\n", config.batch, LoadAverage().c_str());
    std::filesystem::remove_all(dir, error);
  }

  // Recovery.
  const std::string recovery_dir = root + "/recovery";
  const std::string recovery_prefix = "r-";
  {
    Result<IntakeFigures> building =
        LedgerIntake(recovery_dir, source, snapshot, recovery_prefix, 10'000, recovery_events);
    if (!building.ok()) return Fail("building the recovery ledger", building.status());
    std::printf(
        "\nrecovery ledger: %llu events appended in batches of 10,000 at %.0f events/s; "
        "%.1f MiB on disk\n",
        static_cast<unsigned long long>(building->events), building->EventsPerSecond(),
        double(DirectoryBytes(recovery_dir)) / (1 << 20));
  }
  // Ledger::Prove for random ids of the recovery ledger.
  std::mt19937_64 rng(99);
  auto measure_proofs = [&](ledger::Ledger& book, const char* how) -> Status {
    ACCORD_RETURN_IF_ERROR(book.Checkpoint(Timestamp::Now()).status());
    std::vector<double> prove_us;
    const auto prove_start = Clock::now();
    while (prove_us.size() < kProofSamples && SecondsSince(prove_start) < kProveBudgetSeconds) {
      const std::string id = recovery_prefix + std::to_string(rng() % recovery_events);
      const auto proof_start = Clock::now();
      Result<ledger::ProofBundle> proof = book.Prove(id);
      prove_us.push_back(
          std::chrono::duration<double, std::micro>(Clock::now() - proof_start).count());
      ACCORD_RETURN_IF_ERROR(proof.status());
      DoNotOptimize(proof->inclusion_path.size());
    }
    std::printf(
        "\nproofs on the %llu-event ledger (%s): Ledger::Prove p50 %.0f us, p99 %.0f us over "
        "%zu random ids (target <= 50 us)%s\n",
        static_cast<unsigned long long>(book.stats().events), how, Quantile(prove_us, 0.5),
        Quantile(prove_us, 0.99), prove_us.size(),
        prove_us.size() < kProofSamples ? "; stopped at the time budget" : "");
    std::printf(
        "  Prove = id lookup + one positioned read of the record (checked against its leaf) + "
        "the audit path\n");
    return OkStatus();
  };

  std::vector<double> open_s, verify_s;
  const std::string log_dir = recovery_dir + "/ledger/log";
  for (int run = 0; run < runs; ++run) {
    start = Clock::now();
    Result<std::unique_ptr<ledger::Ledger>> opened = ledger::Ledger::Open(recovery_dir);
    open_s.push_back(SecondsSince(start));
    if (!opened.ok()) return Fail("recovery", opened.status());
    DoNotOptimize((*opened)->stats().events);
    if (run + 1 == runs) {
      if (Status proven = measure_proofs(**opened, "rebuilt from the log"); !proven.ok()) {
        return Fail("prove", proven);
      }
    }
  }
  for (int run = 0; run < runs; ++run) {
    ledger::LogReader reader(ledger::PosixFileSystem(), log_dir);
    start = Clock::now();
    Result<ledger::LogSummary> summary = reader.Verify();
    verify_s.push_back(SecondsSince(start));
    if (!summary.ok()) return Fail("log verify", summary.status());
  }
  DropSegmentsFromPageCache(log_dir);
  start = Clock::now();
  {
    Result<std::unique_ptr<ledger::Ledger>> opened = ledger::Ledger::Open(recovery_dir);
    if (!opened.ok()) return Fail("recovery (cold)", opened.status());
  }
  const double cold_open_s = SecondsSince(start);
  const double n = double(recovery_events);
  const double open_median = Median(open_s);
  std::string open_runs;
  for (double seconds : open_s) {
    char text[32];
    std::snprintf(text, sizeof text, "%s%.3f", open_runs.empty() ? "" : ", ", seconds);
    open_runs += text;
  }
  // The first Open of a process pays for faulting in fresh memory for the indexes and the tree;
  // the later ones get memory the allocator has had before, so each run is printed.
  std::printf(
      "recovery (Ledger::Open: log scan, chain check, leaf hashes and Merkle tree on a second "
      "thread, id and event indexes), page cache warm: median of %d %.3f s = %.0f events/s "
      "(runs: %s s)\n",
      runs, open_median, n / open_median, open_runs.c_str());
  std::printf(
      "  extrapolated to 10M events: %.2f s (target <= 5 s; linear extrapolation; "
      "`--recovery-events 10000000` measures it for real)\n",
      open_median * 1e7 / n);
  std::printf(
      "  after POSIX_FADV_DONTNEED on the segments (the host may still cache them): %.3f s, "
      "extrapolated to 10M %.2f s\n",
      cold_open_s, cold_open_s * 1e7 / n);
  std::printf(
      "LogReader::Verify alone (CRC, sequence, hash chain): median %.3f s = %.0f events/s; "
      "extrapolated to 10M %.2f s\n",
      Median(verify_s), n / Median(verify_s), Median(verify_s) * 1e7 / n);

  // Recovery from a state file (Ledger::SaveState, docs/decisions/0013-ledger-state-file.md):
  // the indexes and the tree read back, the log's records framed and CRC-checked only.
  double save_s = 0;
  {
    Result<std::unique_ptr<ledger::Ledger>> opened = ledger::Ledger::Open(recovery_dir);
    if (!opened.ok()) return Fail("open before saving the state", opened.status());
    start = Clock::now();
    Status saved = (*opened)->SaveState();
    save_s = SecondsSince(start);
    if (!saved.ok()) return Fail("saving the state", saved);
  }
  const uint64_t state_bytes = DirectoryBytes(recovery_dir) - DirectoryBytes(log_dir);
  std::vector<double> state_open_s;
  auto open_from_state = [&](uint64_t expected_state) -> Status {
    start = Clock::now();
    ACCORD_ASSIGN_OR_RETURN(std::unique_ptr<ledger::Ledger> opened,
                            ledger::Ledger::Open(recovery_dir));
    state_open_s.push_back(SecondsSince(start));
    if (opened->stats().state_events != expected_state) {
      return InternalError("Open did not use the state file: " + opened->stats().state_unused);
    }
    return OkStatus();
  };
  for (int run = 0; run < runs; ++run) {
    Status state_open = open_from_state(recovery_events);
    if (!state_open.ok()) return Fail("recovery from the state file", state_open);
  }
  const double state_median = Median(state_open_s);
  DropSegmentsFromPageCache(log_dir);
  DropSegmentsFromPageCache(recovery_dir + "/ledger");
  state_open_s.clear();
  if (Status cold = open_from_state(recovery_events); !cold.ok()) {
    return Fail("recovery from the state file (cold)", cold);
  }
  const double state_cold_s = state_open_s.back();
  std::printf(
      "\nrecovery from a state file (Ledger::SaveState: %.3f s to write %.1f MiB, %.0f bytes "
      "an event): Ledger::Open median of %d %.3f s = %.0f events/s; after POSIX_FADV_DONTNEED "
      "on segments and state file %.3f s\n",
      save_s, double(state_bytes) / (1 << 20), double(state_bytes) / n, runs, state_median,
      n / state_median, state_cold_s);
  // After a crash: the state file of the whole ledger, then a tenth as many events again that
  // it does not cover (indexed and hashed from the log).
  {
    Result<IntakeFigures> tail = LedgerIntake(recovery_dir, source, snapshot, "t-", 10'000,
                                              std::max<uint64_t>(recovery_events / 10, 1));
    if (!tail.ok()) return Fail("appending after the state file", tail.status());
    state_open_s.clear();
    for (int run = 0; run < runs; ++run) {
      Status state_open = open_from_state(recovery_events);
      if (!state_open.ok()) return Fail("recovery from the state file and a tail", state_open);
    }
    std::printf(
        "  with %llu more events after the state file (as after a crash): median of %d %.3f s\n",
        static_cast<unsigned long long>(tail->events), runs, Median(state_open_s));
  }

  // Proofs, on the ledger as the state file and the log after it give it.
  Result<std::unique_ptr<ledger::Ledger>> opened = ledger::Ledger::Open(recovery_dir);
  if (!opened.ok()) return Fail("open for proofs", opened.status());
  if (Status proven = measure_proofs(**opened, "opened from the state file and the log after it");
      !proven.ok()) {
    return Fail("prove", proven);
  }

  // The tree alone: the same leaves, rebuilt from the log.
  ledger::MerkleTree tree;
  ledger::LogReader reader(ledger::PosixFileSystem(), log_dir);
  Status read = reader.ForEach(
      1, [&](uint64_t, const ledger::ChainHash&, std::string_view payload) -> Status {
        tree.Append(ledger::LeafHash(payload));
        return OkStatus();
      });
  if (!read.ok()) return Fail("reading the log for the tree", read);
  std::vector<double> inclusion_us;
  for (size_t sample = 0; sample < kProofSamples; ++sample) {
    const uint64_t index = rng() % tree.size();
    start = Clock::now();
    Result<std::vector<ledger::Hash>> path = tree.InclusionProof(index, tree.size());
    inclusion_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
    if (!path.ok()) return Fail("inclusion proof", path.status());
    DoNotOptimize(path->size());
  }
  std::printf(
      "  MerkleTree::InclusionProof alone (tree of %llu leaves rebuilt from the log; root %s "
      "the signed checkpoint's): p50 %.2f us, p99 %.2f us over %zu random leaves\n",
      static_cast<unsigned long long>(tree.size()),
      tree.Root() == (*opened)->checkpoints().back().checkpoint.root ? "matches" : "DOES NOT match",
      Quantile(inclusion_us, 0.5), Quantile(inclusion_us, 0.99), inclusion_us.size());

  // The server's background save (Ledger::StartBackgroundSave): how long the ledger is held
  // while the process is copied, and how long the copy takes to write the file.
  {
    ledger::Ledger& ledger = **opened;
    start = Clock::now();
    Status started = ledger.StartBackgroundSave();
    const double held_ms = MsSince(start);
    if (!started.ok()) return Fail("starting a background save", started);
    std::optional<Status> ended = ledger.FinishBackgroundSave(/*wait=*/true);
    const double total_s = SecondsSince(start);
    if (!ended || !ended->ok()) {
      return Fail("background save", ended ? *ended : InternalError("no background save ran"));
    }
    std::printf(
        "background save of the state of %llu events (Ledger::StartBackgroundSave): the ledger "
        "held %.1f ms while the process was copied (fork); the copy wrote the file in %.3f s\n",
        static_cast<unsigned long long>(ledger.size()), held_ms, total_s);
  }

  opened->reset();
  std::filesystem::remove_all(root, error);
  if (error) {
    std::fprintf(stderr, "ledger_bench: could not remove %s: %s\n", root.c_str(),
                 error.message().c_str());
  }
  return 0;
}

}  // namespace
}  // namespace accord::bench

int main(int argc, char** argv) { return accord::bench::Main(argc, argv); }
