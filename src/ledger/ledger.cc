#include "ledger/ledger.h"

#include <dirent.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <nlohmann/json.hpp>
#include <utility>

#include "core/fetch_ahead.h"
#include "ledger/run_both.h"

namespace accord::ledger {
namespace {

using nlohmann::json;

// The bytes of a record besides its payload (docs/formats/ledger_log.md).
constexpr uint64_t kRecordHeaderBytes = 49;

// The total size of the log's segment files, to size the indexes before recovery fills them;
// 0 when it cannot be read (recovery then reports the problem).
uint64_t SegmentBytes(FileSystem* fs, const std::string& log_dir) {
  Result<std::vector<std::string>> names = fs->ListDir(log_dir);
  if (!names.ok()) return 0;
  uint64_t bytes = 0;
  for (const std::string& name : *names) {
    if (!name.starts_with("segment-")) continue;
    Result<uint64_t> size = fs->FileSize(JoinPath(log_dir, name));
    if (size.ok()) bytes += *size;
  }
  return bytes;
}

// State files: "state-" then the event count in 20 digits, ".bin".
constexpr std::string_view kStatePrefix = "state-";
constexpr std::string_view kStateSuffix = ".bin";
constexpr uint64_t kStateMagic = 0x4554415453474c41;  // "ALGSTATE" as little-endian text
constexpr uint64_t kStateVersion = 2;
constexpr uint64_t kByteOrderMark = 0x0102030405060708;  // reads otherwise on the other order

std::string StateFileName(uint64_t events) {
  std::string digits = std::to_string(events);
  return std::string(kStatePrefix) + std::string(20 - digits.size(), '0') + digits +
         std::string(kStateSuffix);
}

// The state files in `dir`, newest (most events) first.
std::vector<std::pair<uint64_t, std::string>> StateFiles(FileSystem* fs, const std::string& dir) {
  std::vector<std::pair<uint64_t, std::string>> files;
  Result<std::vector<std::string>> names = fs->ListDir(dir);
  if (!names.ok()) return files;
  for (const std::string& name : *names) {
    if (name.size() != kStatePrefix.size() + 20 + kStateSuffix.size() ||
        !name.starts_with(kStatePrefix) || !name.ends_with(kStateSuffix)) {
      continue;
    }
    const std::string_view digits = std::string_view(name).substr(kStatePrefix.size(), 20);
    if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      continue;
    }
    files.emplace_back(std::strtoull(std::string(digits).c_str(), nullptr, 10), name);
  }
  std::sort(files.rbegin(), files.rend());
  return files;
}

std::string Describe(const rights::Reason& reason, const UsageEvent& event, const Isrc& isrc) {
  return isrc.str() + ": " + std::string(rights::RuleName(reason.rule)) + ": " +
         rights::DescribeReason(reason, event.scope, event.territory, event.time);
}

}  // namespace

std::string_view IntakeOutcomeName(IntakeOutcome outcome) {
  switch (outcome) {
    case IntakeOutcome::kRecorded:
      return "recorded";
    case IntakeOutcome::kDuplicate:
      return "duplicate";
    case IntakeOutcome::kConflict:
      return "conflict";
    case IntakeOutcome::kRefused:
      return "refused";
  }
  return "unknown";
}

Ledger::Ledger(FileSystem* fs, std::string dir, std::unique_ptr<LogWriter> log, SigningKey key)
    : fs_(fs),
      dir_(std::move(dir)),
      log_(std::move(log)),
      key_(std::move(key)),
      public_key_hex_(key_.PublicKeyHex()) {}

Result<std::unique_ptr<Ledger>> Ledger::Open(const std::string& data_dir, FileSystem* fs) {
  const std::string dir = data_dir + "/ledger";
  ACCORD_RETURN_IF_ERROR(fs->CreateDir(dir));
  // Recovery cuts a torn tail, and a torn tail is exactly what another process's append in
  // flight looks like: without the lock, `accord ledger stats` run beside `accord serve` could
  // cut a batch the server is about to acknowledge. The lock comes before the signing key too,
  // so that two first opens cannot both create one.
  Result<std::unique_ptr<FileLock>> lock = fs->LockFile(dir + "/LOCK");
  if (!lock.ok()) {
    if (lock.status().code() != StatusCode::kFailedPrecondition) return lock.status();
    return FailedPreconditionError(
        "ledger " + dir + " is open already (" + lock.status().message() +
        "); stop that process (accord serve?) or ask it over the HTTP API");
  }
  ACCORD_ASSIGN_OR_RETURN(SigningKey key, SigningKey::LoadOrCreate(data_dir));
  std::unique_ptr<Ledger> ledger(new Ledger(fs, dir, nullptr, std::move(key)));
  ledger->lock_ = std::move(*lock);
  // The id index and the Merkle tree are rebuilt during the log's own recovery scan, so the
  // log is read once on open.
  // The writer keeps its options, so the visitor holds the ledger itself, which owns the
  // writer and therefore outlives it.
  Ledger* self = ledger.get();
  LogOptions options;
  // The leaf hashes, and the tree from them, are computed on the log's hashing thread, beside
  // the chain hashes, while this thread fills the id and event indexes
  // (docs/decisions/0011-ledger-recovery-speed.md). The digester may see records past one that
  // fails recovery, but then Open fails and the tree goes with the ledger.
  options.recovery_digester = [tree = &ledger->tree_](std::string_view payload) {
    const Hash leaf = LeafHash(payload);
    tree->Append(leaf);
    return leaf;
  };
  options.recovery_visitor = [self, log_bytes = SegmentBytes(fs, dir + "/log")](
                                 std::span<const RecoveredRecord> records) -> Status {
    return self->IndexRecords(records, log_bytes);
  };
  // The newest state file first; one that does not read back, or that the log does not
  // continue, is passed over (it is only a cache of what the log holds).
  for (const auto& [events, name] : StateFiles(fs, dir)) {
    const std::string path = JoinPath(dir, name);
    bool rejected = false;
    options.trusted_prefix = {};
    Status loaded = ledger->LoadState(path, &options.trusted_prefix);
    if (loaded.ok()) {
      options.trusted_prefix.rejected = &rejected;
      Result<std::unique_ptr<LogWriter>> log = LogWriter::Open(fs, dir + "/log", options);
      if (log.ok()) {
        ledger->log_ = std::move(*log);
        ledger->state_events_ = events;
        break;
      }
      if (!rejected) return log.status();
      loaded = log.status();
    }
    ledger->state_unused_ = name + ": " + loaded.message();
    ledger->ResetIndexes();
  }
  if (ledger->log_ == nullptr) {
    options.trusted_prefix = {};
    ACCORD_ASSIGN_OR_RETURN(ledger->log_, LogWriter::Open(fs, dir + "/log", options));
  }
  if (ledger->tree_.size() != ledger->log_->last_sequence() ||
      ledger->events_.size() != ledger->log_->last_sequence()) {
    return DataLossError("ledger: recovery visited " + std::to_string(ledger->events_.size()) +
                         " records and hashed " + std::to_string(ledger->tree_.size()) +
                         " but kept " + std::to_string(ledger->log_->last_sequence()));
  }
  ACCORD_RETURN_IF_ERROR(ledger->LoadCheckpoints());
  return ledger;
}

Status Ledger::IndexRecords(std::span<const RecoveredRecord> records, uint64_t log_bytes) {
  if (records.empty()) return OkStatus();
  if (events_.size() == 0 && log_bytes > 0) {
    // The first run tells the size of a record; the id table is sized once for the whole log
    // rather than rebuilt as it grows (the event index's columns grow by chunks, never
    // copied). Only a guess: a wrong one costs memory or a rebuild.
    uint64_t run_bytes = 0;
    for (const RecoveredRecord& record : records) run_bytes += record.payload.size();
    const uint64_t record_bytes = kRecordHeaderBytes + run_bytes / records.size();
    const uint64_t expected = log_bytes / record_bytes;
    ids_.Reserve(expected);
  }
  // Keys are read straight out of the canonical encoding rather than by parsing the event. Each
  // record's id and listener slots are random accesses into tables of millions, most of the cost
  // of indexing (a miss of the TLB and the caches; on a virtual machine the page walk alone takes
  // hundreds of nanoseconds). So records go in groups: the keys of the next group are read and
  // all its slots requested back to back, so that their fetches overlap one another, while this
  // group is indexed.
  constexpr size_t kGroup = 16;
  std::array<EventKeys, 2 * kGroup> keys;
  std::array<uint64_t, 2 * kGroup> id_hashes;
  const size_t count = records.size();
  size_t bad_at = count;  // the first record whose keys cannot be read
  Status bad;
  auto read_group = [&](size_t first) {
    const size_t last = std::min(count, first + kGroup);
    size_t index = first;
    for (; index < last; ++index) {
      EventKeys& slot = keys[index % (2 * kGroup)];
      bad = ExtractEventKeys(records[index].payload, "ledger record ", records[index].sequence,
                             &slot);
      if (!bad.ok()) {
        bad_at = index;
        break;
      }
      id_hashes[index % (2 * kGroup)] = ids_.Hash(slot.id);
    }
    for (size_t ready = first; ready < index; ++ready) {
      ids_.Prefetch(id_hashes[ready % (2 * kGroup)]);
      events_.Prefetch(keys[ready % (2 * kGroup)]);
    }
  };
  read_group(0);
  for (size_t first = 0; first < count; first += kGroup) {
    if (bad_at == count) read_group(first + kGroup);
    for (size_t index = first; index < std::min(count, first + kGroup); ++index) {
      if (index == bad_at) return bad;
      const uint64_t sequence = records[index].sequence;
      const EventKeys& record_keys = keys[index % (2 * kGroup)];
      if (!ids_.Insert(record_keys.id, id_hashes[index % (2 * kGroup)], sequence).second) {
        return DataLossError("ledger record " + std::to_string(sequence) + ": event id " +
                             std::string(record_keys.id) + " recorded twice");
      }
      ACCORD_RETURN_IF_ERROR(events_.Add(sequence, record_keys));
    }
  }
  return OkStatus();
}

void Ledger::ResetIndexes() {
  tree_ = MerkleTree();
  ids_ = FlatStringMap();
  events_ = EventIndex();
}

Status Ledger::LoadState(const std::string& path, LogOptions::TrustedPrefix* trusted) {
  ACCORD_ASSIGN_OR_RETURN(StateReader in, StateReader::Open(fs_, path));
  ACCORD_ASSIGN_OR_RETURN(const uint64_t magic, in.Get64());
  ACCORD_ASSIGN_OR_RETURN(const uint64_t version, in.Get64());
  ACCORD_ASSIGN_OR_RETURN(const uint64_t byte_order, in.Get64());
  if (magic != kStateMagic || version != kStateVersion || byte_order != kByteOrderMark) {
    return in.Damaged("not a ledger state file of version " + std::to_string(kStateVersion) +
                      " written on a machine of this byte order");
  }
  ACCORD_ASSIGN_OR_RETURN(const uint64_t events, in.Get64());
  ChainHash chain_hash;
  ACCORD_RETURN_IF_ERROR(in.GetBytes(chain_hash.data(), chain_hash.size()));
  ACCORD_ASSIGN_OR_RETURN(tree_, MerkleTree::LoadFrom(&in));
  ACCORD_ASSIGN_OR_RETURN(ids_, FlatStringMap::LoadFrom(&in, "event ids"));
  ACCORD_ASSIGN_OR_RETURN(events_, EventIndex::LoadFrom(&in));
  ACCORD_RETURN_IF_ERROR(in.Finish());
  if (events == 0 || tree_.size() != events || ids_.size() != events || events_.size() != events ||
      !ids_.ValuesWithin(1, events)) {
    return in.Damaged("the parts do not agree on " + std::to_string(events) + " events");
  }
  trusted->sequence = events;
  trusted->chain_hash = chain_hash;
  return OkStatus();
}

Status Ledger::StateIsSaveable() const {
  if (broken_.ok()) return OkStatus();
  return FailedPreconditionError(
      "the ledger's indexes are not saved after a write that failed (" + broken_.ToString() +
      "): they may name events that were never acknowledged; reopen the ledger");
}

std::vector<uint64_t> Ledger::FindEvents(const EventQuery& query) const {
  std::vector<uint64_t> found = events_.Find(query);
  // Only after a failed append does the index hold positions past the tree.
  if (!broken_.ok())
    found.erase(std::upper_bound(found.begin(), found.end(), tree_.size()), found.end());
  return found;
}

Ledger::~Ledger() { static_cast<void>(FinishBackgroundSave(/*wait=*/true)); }

namespace {

// In a forked copy: closes its duplicates of the process's sockets. A socket stays open while
// any process holds it, so the copy's duplicates would keep a connection the server closes
// open for its peer, and the listening socket bound, until the copy exits. Only sockets: the
// copy keeps the ledger's files (its LOCK keeps a restarted server out while it writes).
void CloseSocketsInThisCopy() {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return;  // no /proc: the sockets stay until the copy exits, as before
  std::vector<int> sockets;
  while (const dirent* entry = ::readdir(dir)) {
    char* end = nullptr;
    const long fd = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0' || fd <= STDERR_FILENO || fd == ::dirfd(dir)) {
      continue;
    }
    struct stat info;
    if (::fstat(static_cast<int>(fd), &info) == 0 && S_ISSOCK(info.st_mode)) {
      sockets.push_back(static_cast<int>(fd));
    }
  }
  ::closedir(dir);
  for (const int fd : sockets) ::close(fd);
}

}  // namespace

Status Ledger::StartBackgroundSave(const std::function<void()>& in_copy) {
  ACCORD_RETURN_IF_ERROR(StateIsSaveable());
  if (save_process_ != 0) {
    return FailedPreconditionError("a background save of the ledger's state (process " +
                                   std::to_string(save_process_) + ") has not been reaped");
  }
  if (fs_ != PosixFileSystem()) {
    return FailedPreconditionError(
        "a background save of the ledger's state needs the real file system");
  }
  const uint64_t events = tree_.size();
  if (events == 0 || events == state_events_) return OkStatus();
  const pid_t parent = ::getpid();
  const pid_t child = ::fork();
  if (child < 0) {
    return InternalError(std::string("fork for a background save of the ledger's state: ") +
                         std::strerror(errno));
  }
  if (child == 0) {
    // The copy: only this thread exists here. It yields the cores to the process it was copied
    // from (which goes on taking intake), saves, and leaves without running destructors or
    // exit handlers, which belong to that process.
    static_cast<void>(::nice(19));
    // It also dies with that process. It shares the ledger's LOCK, so a copy left writing
    // after a crash would refuse the restarted server the ledger until it finished; the
    // restart loses only this save (its file, cut short, is passed over and later removed).
    // The signal follows the thread that forked: a server's I/O thread lives until its stop,
    // whose own SaveState replaces the save it cuts short.
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != parent) ::_exit(1);
    CloseSocketsInThisCopy();
    if (in_copy) in_copy();
    const Status saved = SaveState();
    if (!saved.ok()) {
      const std::string message =
          "accord: background save of the ledger's state: " + saved.ToString() + "\n";
      static_cast<void>(!::write(STDERR_FILENO, message.data(), message.size()));
    }
    ::_exit(saved.ok() ? 0 : 1);
  }
  save_process_ = child;
  save_events_ = events;
  return OkStatus();
}

std::optional<Status> Ledger::FinishBackgroundSave(bool wait) {
  if (save_process_ == 0) return std::nullopt;
  int status = 0;
  pid_t ended;
  do {
    ended = ::waitpid(save_process_, &status, wait ? 0 : WNOHANG);
  } while (ended < 0 && errno == EINTR);
  if (ended == 0) return std::nullopt;
  const int process = std::exchange(save_process_, 0);
  if (ended < 0) {
    return InternalError(std::string("waiting for the background save of the ledger's state: ") +
                         std::strerror(errno));
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    state_events_ = save_events_;
    return OkStatus();
  }
  return InternalError("the background save of the ledger's state (process " +
                       std::to_string(process) + ") failed: " +
                       (WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                          : "signal " + std::to_string(WTERMSIG(status))));
}

bool Ledger::StateFileIsBehind(uint64_t min_events) const {
  const uint64_t behind = tree_.size() - state_events_;
  return behind > 0 && behind >= min_events && behind >= tree_.size() / 4;
}

Status Ledger::SaveState() {
  // Two saves at once would remove each other's files.
  static_cast<void>(FinishBackgroundSave(/*wait=*/true));
  ACCORD_RETURN_IF_ERROR(StateIsSaveable());
  const uint64_t events = tree_.size();
  if (events == 0 || events == state_events_) return OkStatus();
  const std::string name = StateFileName(events);
  const std::string path = JoinPath(dir_, name);
  // A file of this name is what a save cut short by a crash left: Open passed it over.
  if (fs_->FileSize(path).ok()) ACCORD_RETURN_IF_ERROR(fs_->Remove(path));
  auto write = [&]() -> Status {
    ACCORD_ASSIGN_OR_RETURN(StateWriter out, StateWriter::Create(fs_, path));
    out.Put64(kStateMagic);
    out.Put64(kStateVersion);
    out.Put64(kByteOrderMark);
    out.Put64(events);
    const ChainHash chain_hash = log_->last_hash();
    out.PutBytes(chain_hash.data(), chain_hash.size());
    tree_.SaveTo(&out);
    ids_.SaveTo(&out);
    events_.SaveTo(&out);
    ACCORD_RETURN_IF_ERROR(out.Finish());
    return fs_->SyncDir(dir_);
  };
  if (Status written = write(); !written.ok()) {
    // A file cut short (a full disk, say) would only be passed over; it goes rather than hold
    // the space, and the older file stays.
    static_cast<void>(fs_->Remove(path));
    return written;
  }
  state_events_ = events;
  // Only once the new file is durable do the older ones go.
  for (const auto& [older_events, older] : StateFiles(fs_, dir_)) {
    if (older != name) ACCORD_RETURN_IF_ERROR(fs_->Remove(JoinPath(dir_, older)));
  }
  return fs_->SyncDir(dir_);
}

Status Ledger::LoadCheckpoints() {
  const std::string path = dir_ + "/checkpoints.jsonl";
  Result<std::string> text = fs_->ReadFile(path);
  if (!text.ok()) {
    return text.status().code() == StatusCode::kNotFound ? OkStatus() : text.status();
  }
  size_t start = 0;
  int line = 0;
  while (start < text->size()) {
    size_t end = text->find('\n', start);
    ++line;
    if (end == std::string::npos) {
      // A checkpoint line without its newline was being written when the process died; it was
      // never acknowledged, so it is dropped (and overwritten by the next checkpoint).
      ACCORD_RETURN_IF_ERROR(fs_->Truncate(path, start));
      break;
    }
    Result<SignedCheckpoint> checkpoint =
        SignedCheckpointFromJson(std::string_view(*text).substr(start, end - start));
    if (!checkpoint.ok()) {
      return DataLossError(path + ":" + std::to_string(line) + ": " +
                           checkpoint.status().message());
    }
    if (checkpoint->checkpoint.tree_size > tree_.size()) {
      return DataLossError(path + ":" + std::to_string(line) + ": checkpoint of " +
                           std::to_string(checkpoint->checkpoint.tree_size) +
                           " events, but the log holds " + std::to_string(tree_.size()));
    }
    checkpoints_.push_back(*checkpoint);
    start = end + 1;
  }
  return OkStatus();
}

namespace {

// A batch this large is worked on by two threads (the machine this was measured on has two
// cores): below it, starting a thread costs more than it saves.
constexpr size_t kMinEventsForTwoThreads = 512;
// The id lookups cost about 70 ns an event, and a second thread takes 100–300 µs to start
// working there (decision 0010, eighth session): below this many events one thread finishes
// them sooner than two.
constexpr size_t kMinEventsForTwoThreadLookups = 16'384;

// Append's encoding buffers are kept between calls up to this size each (a batch of about
// 400,000 events); a larger one is released.
constexpr size_t kMaxKeptIntakeBufferBytes = size_t{64} << 20;

using internal::RunBoth;

// The ids first seen in one batch: open addressing over indexes into the batch's recorded
// events, sized once for the whole batch (at most half full), compared by the id itself.
class BatchIds {
 public:
  explicit BatchIds(size_t events) : slots_(std::bit_ceil(std::max<size_t>(2 * events, 2)), 0) {}

  // The recorded index whose id is `id` (hash `hash`), or nullopt; `id_of(k)` gives the id of
  // recorded event k.
  template <typename IdOf>
  std::optional<size_t> Find(std::string_view id, uint64_t hash, const IdOf& id_of) const {
    const size_t mask = slots_.size() - 1;
    for (size_t at = hash & mask; slots_[at] != 0; at = (at + 1) & mask) {
      if (id_of(slots_[at] - 1) == id) return slots_[at] - 1;
    }
    return std::nullopt;
  }
  // Precondition: `hash`'s id is not present.
  void Insert(uint64_t hash, size_t recorded) {
    const size_t mask = slots_.size() - 1;
    size_t at = hash & mask;
    while (slots_[at] != 0) at = (at + 1) & mask;
    slots_[at] = recorded + 1;
  }

 private:
  std::vector<size_t> slots_;  // recorded index + 1; 0 is empty
};

}  // namespace

// The work of a batch, in four steps (docs/decisions/0010-ledger-intake-rate.md):
//  1. Each event on its own: (Prepare, in two halves on two threads) validate, encode and
//     check the policy, which needs nothing of the ledger; then (Append) look the id up among
//     the recorded events (in two halves only from kMinEventsForTwoThreadLookups).
//  2. In order, on one thread: repeats of an id within the batch, and the list to record.
//  3. The log append (one write, one fdatasync); meanwhile a second thread computes the leaf
//     hashes and the tree nodes they add, without changing the tree. While the fdatasync is in
//     flight, the id index on one thread and the event index on the other (when it fails, the
//     ledger is broken_: see ledger.h).
//  4. Only after the fsync succeeded: the tree, which is what the ledger holds.
Result<std::vector<IntakeResult>> Ledger::Append(const std::vector<UsageEvent>& events,
                                                 const rights::Snapshot& policy) {
  ACCORD_RETURN_IF_ERROR(Prepare(events, policy, &intake_));
  return Append(events, &intake_);
}

Status Ledger::Prepare(std::span<const UsageEvent> events, const rights::Snapshot& policy,
                       PreparedBatch* prepared) const {
  using State = PreparedBatch::State;
  const size_t count = events.size();
  prepared->ready = false;
  prepared->events = events.data();
  prepared->count = count;
  prepared->entries.assign(count, PreparedBatch::Entry{});
  prepared->results.assign(count, IntakeResult{});
  std::vector<PreparedBatch::Entry>& entries = prepared->entries;
  std::vector<IntakeResult>& results = prepared->results;
  const bool two_threads = count >= kMinEventsForTwoThreads;
  const size_t middle = two_threads ? count / 2 : count;
  auto prepare = [&](uint8_t half, size_t first, size_t last) -> Status {
    std::string& encoded = prepared->encoded[half];
    std::vector<uint64_t>& isrc_hashes = prepared->isrc_hashes[half];
    isrc_hashes.clear();
    if (encoded.capacity() > kMaxKeptIntakeBufferBytes) encoded = std::string();
    encoded.clear();
    encoded.reserve((last - first) * 320);
    // Each policy decision starts with random accesses into large tables, so what the events
    // a few places ahead need is fetched from memory while this one is worked on: the first
    // recording's ISRC slot 2 × kPrefetchDistance ahead, then, kPrefetchDistance ahead, the
    // recording's index (its slot now in cache) and its row.
    std::vector<std::optional<uint32_t>> first_recording(last - first);
    auto fetch_slot = [&](size_t i) {
      if (!events[i].recordings.empty()) {
        policy.PrefetchRecording(events[i].recordings.front().isrc.str());
      }
    };
    auto fetch_row = [&](size_t i) {
      if (events[i].recordings.empty()) return;
      std::optional<uint32_t>& found = first_recording[i - first];
      found = policy.FindRecording(events[i].recordings.front().isrc);
      if (found) policy.PrefetchDecision(*found);
    };
    // The first invalid event's error; the events after it are passed over.
    Status invalid = OkStatus();
    VisitFetchingAhead(first, last, fetch_slot, fetch_row, [&](size_t i) {
      if (!invalid.ok()) return;
      const UsageEvent& event = events[i];
      IntakeResult& result = results[i];
      PreparedBatch::Entry& entry = entries[i];
      // (The prefix is built only for an error: a string per event is an allocation per event.)
      if (Status valid = ValidateUsageEvent(event); !valid.ok()) {
        invalid = valid.WithPrefix("event " + event.id);
        return;
      }
      entry.half = half;
      entry.begin = encoded.size();
      AppendCanonicalEncoding(event, &encoded);
      entry.size = encoded.size() - entry.begin;
      // The seeds of the id and listener tables' hashes are fixed when the ledger opens.
      entry.id_hash = ids_.Hash(event.id);
      entry.listener_hash = events_.ListenerHash(event.listener);
      entry.isrc_hashes_begin = isrc_hashes.size();
      for (const UsedRecording& used : event.recordings) {
        isrc_hashes.push_back(events_.RecordingHash(used.isrc.str()));
      }
      // The policy as of the event's time: every recording used must be allowed. The cheap
      // check runs first; only a refusal pays for the explanation. A refusal may still turn
      // into a repeat of an id recorded before or earlier in the batch, which takes precedence.
      for (size_t r = 0; r < event.recordings.size(); ++r) {
        const UsedRecording& used = event.recordings[r];
        const std::optional<uint32_t> index =
            r == 0 ? first_recording[i - first] : policy.FindRecording(used.isrc);
        if (!index) {
          result.details.push_back(used.isrc.str() + ": unknown recording");
          continue;
        }
        if (policy.Allowed(event.scope, *index, event.territory, event.time)) continue;
        rights::Decision decision = policy.Decide(event.scope, *index, event.territory, event.time);
        for (const rights::Reason& reason : decision.reasons) {
          result.details.push_back(Describe(reason, event, used.isrc));
        }
      }
      entry.state = result.details.empty() ? State::kAllowed : State::kRefused;
    });
    return invalid;
  };
  Status first_half = OkStatus();
  Status second_half = OkStatus();
  RunBoth(
      two_threads, [&] { first_half = prepare(0, 0, middle); },
      [&] { second_half = prepare(1, middle, count); });
  // The error of the earliest bad event, as if the batch had been worked through in order.
  ACCORD_RETURN_IF_ERROR(first_half);
  ACCORD_RETURN_IF_ERROR(second_half);
  prepared->ready = true;
  return OkStatus();
}

Result<std::vector<IntakeResult>> Ledger::Append(std::span<const UsageEvent> events,
                                                 PreparedBatch* prepared) {
  using State = PreparedBatch::State;
  const size_t count = events.size();
  if (!prepared->ready || prepared->events != events.data() || prepared->count != count) {
    return InvalidArgumentError(
        "ledger append: the batch was not prepared for these events, or was appended already");
  }
  prepared->ready = false;
  if (!broken_.ok()) {
    return FailedPreconditionError(
        "the ledger refuses appends after a write that failed: " + broken_.ToString() +
        " (reopen the ledger to recover what reached the disk)");
  }
  std::vector<PreparedBatch::Entry>& classified = prepared->entries;
  std::vector<IntakeResult> results = std::move(prepared->results);

  // Step 1, the ids. Each lookup is a random access into a large table: the slot of the event
  // a few places ahead is fetched from memory while this one is worked on. A repeat of a
  // recorded id answers without the policy's reasons; a conflict is worded after the threads.
  auto look_up = [&](size_t first, size_t last) {
    VisitFetchingAhead(
        first, last, [&](size_t i) { ids_.Prefetch(classified[i].id_hash); },
        [&](size_t i) {
          if (std::optional<uint64_t> stored = ids_.Find(events[i].id, classified[i].id_hash)) {
            results[i].sequence = *stored;
            classified[i].state = State::kAnswered;
          }
        });
  };
  const bool two_threads_for_lookups = count >= kMinEventsForTwoThreadLookups;
  const size_t middle = two_threads_for_lookups ? count / 2 : count;
  RunBoth(
      two_threads_for_lookups, [&] { look_up(0, middle); }, [&] { look_up(middle, count); });
  for (size_t i = 0; i < count; ++i) {
    if (classified[i].state != State::kAnswered) continue;
    IntakeResult& result = results[i];
    result.details.clear();
    ACCORD_ASSIGN_OR_RETURN(const Hash stored_leaf, tree_.LeafHashAt(result.sequence - 1));
    if (LeafHash(prepared->Payload(i)) == stored_leaf) {
      result.outcome = IntakeOutcome::kDuplicate;
    } else {
      result.outcome = IntakeOutcome::kConflict;
      ACCORD_ASSIGN_OR_RETURN(std::string earlier, ReadEvent(result.sequence));
      ACCORD_ASSIGN_OR_RETURN(UsageEvent before, ParseUsageEvent(earlier, "ledger"));
      result.details = DifferingFields(before, events[i]);
    }
  }

  // Step 2.
  auto payload_of = [&](size_t i) { return prepared->Payload(i); };
  std::vector<size_t> recorded;  // indexes into events, in order
  recorded.reserve(count);
  BatchIds batch_ids(count);
  auto id_of = [&](size_t k) -> std::string_view { return events[recorded[k]].id; };
  std::vector<std::pair<size_t, size_t>> repeats;  // (event index, recorded index)
  for (size_t i = 0; i < count; ++i) {
    const PreparedBatch::Entry& entry = classified[i];
    if (entry.state == State::kAnswered) continue;
    IntakeResult& result = results[i];
    if (std::optional<size_t> first = batch_ids.Find(events[i].id, entry.id_hash, id_of)) {
      const size_t original = recorded[*first];
      result.details.clear();
      // Equal encodings are equal events: the test the leaf hashes make, without hashing.
      if (payload_of(original) == payload_of(i)) {
        result.outcome = IntakeOutcome::kDuplicate;
      } else {
        result.outcome = IntakeOutcome::kConflict;
        result.details = DifferingFields(events[original], events[i]);
      }
      repeats.emplace_back(i, *first);  // the sequence is known once the original is written
      continue;
    }
    if (entry.state == State::kRefused) {
      result.outcome = IntakeOutcome::kRefused;
      continue;
    }
    batch_ids.Insert(entry.id_hash, recorded.size());
    recorded.push_back(i);
  }
  if (recorded.empty()) return results;

  // Step 3. The buffers no longer grow, so views into them stay valid from here on.
  std::vector<std::string_view> payloads;
  payloads.reserve(recorded.size());
  for (size_t i : recorded) payloads.push_back(payload_of(i));
  const bool two_threads_for_recorded = recorded.size() >= kMinEventsForTwoThreads;
  // Step 4's indexes, which the log runs while its fsync is in flight: an fsync is mostly
  // waiting for the device, and the indexes took as long again after it (decision 0010).
  bool indexed = false;
  auto index = [&](uint64_t first_sequence) {
    // Two threads of about equal work: the event index's times and recordings on one; on the
    // other the id table and the event index's listener chain, each a random access into a
    // table of millions, fetched a few events ahead.
    RunBoth(
        two_threads_for_recorded,
        [&] {
          // The keys come from the event rather than from its encoding (as recovery reads
          // them): a validated event's id and listener need no escaping and its time reads
          // back exactly (ValidateUsageEvent), so both give the same keys.
          auto isrc_hashes = [&](size_t k) {
            const PreparedBatch::Entry& entry = classified[recorded[k]];
            return std::span<const uint64_t>(prepared->isrc_hashes[entry.half])
                .subspan(entry.isrc_hashes_begin, events[recorded[k]].recordings.size());
          };
          // The first recording's slot, then (read from that slot) where the event's day and
          // recording lists end, fetched ahead as the other thread's slots are.
          auto fetch_slot = [&](size_t k) {
            const std::span<const uint64_t> hashes = isrc_hashes(k);
            if (!hashes.empty()) events_.PrefetchRecording(hashes.front());
          };
          auto fetch_ends = [&](size_t k) {
            const UsageEvent& event = events[recorded[k]];
            const std::span<const uint64_t> hashes = isrc_hashes(k);
            events_.PrefetchAddTargets(
                event.time.unix_millis(),
                hashes.empty() ? std::string_view() : event.recordings.front().isrc.str(),
                hashes.empty() ? 0 : hashes.front());
          };
          EventKeys keys;
          VisitFetchingAhead(0, recorded.size(), fetch_slot, fetch_ends, [&](size_t k) {
            const UsageEvent& event = events[recorded[k]];
            keys.id = event.id;
            keys.time = event.time;
            keys.listener = event.listener;
            keys.territory = event.territory;
            keys.scope = event.scope;
            keys.requested = event.requested;
            keys.isrcs.clear();
            keys.weights_ppm.clear();
            for (const UsedRecording& used : event.recordings) {
              keys.isrcs.push_back(used.isrc.str());
              keys.weights_ppm.push_back(used.weight_ppm);
            }
            // Cannot fail: the sequences continue the index's, one by one.
            static_cast<void>(
                events_.AddTimeAndRecordings(first_sequence + k, keys, isrc_hashes(k)));
          });
        },
        [&] {
          auto fetch = [&](size_t k) {
            const PreparedBatch::Entry& entry = classified[recorded[k]];
            ids_.Prefetch(entry.id_hash);
            events_.PrefetchListener(entry.listener_hash);
          };
          VisitFetchingAhead(0, recorded.size(), fetch, [&](size_t k) {
            const UsageEvent& event = events[recorded[k]];
            const PreparedBatch::Entry& entry = classified[recorded[k]];
            ids_.Insert(event.id, entry.id_hash, first_sequence + k);
            // Cannot fail, as above.
            static_cast<void>(
                events_.AddListener(first_sequence + k, event.listener, entry.listener_hash));
          });
        });
    indexed = true;
  };
  MerkleTree::PendingAppend pending;
  Result<AppendResult> ack = InternalError("log append not performed");
  RunBoth(
      two_threads_for_recorded,
      [&] {
        // A small batch's indexes take microseconds: not worth the fsync's thread.
        ack = two_threads_for_recorded ? log_->AppendPayloads(payloads, index)
                                       : log_->AppendPayloads(payloads);
      },
      [&] {
        std::vector<Hash> leaves(payloads.size());
        for (size_t k = 0; k < payloads.size(); ++k) leaves[k] = LeafHash(payloads[k]);
        pending = tree_.PrepareAppend(leaves);
      });
  if (!ack.ok()) {
    // The indexes may now name events that were never acknowledged. The tree, which decides
    // what the ledger holds, does not; reads keep to it, and nothing more is appended (the log
    // refuses too) or saved until a reopen.
    broken_ = ack.status();
    return ack.status();
  }

  // Step 4. Acknowledged: now the tree may show the events.
  if (!indexed) index(ack->first_sequence);
  const uint64_t first_sequence = ack->first_sequence;
  // Cannot fail: nothing else changed the tree since the prepare.
  ACCORD_RETURN_IF_ERROR(
      tree_.CommitAppend(std::move(pending)).WithPrefix("recorded but not indexed until reopened"));
  for (size_t k = 0; k < recorded.size(); ++k) {
    results[recorded[k]].outcome = IntakeOutcome::kRecorded;
    results[recorded[k]].sequence = first_sequence + k;
  }
  for (const auto& [event_index, first] : repeats) {
    results[event_index].sequence = first_sequence + first;
  }
  return results;
}

Result<std::string> Ledger::ReadEvent(uint64_t sequence) const {
  if (sequence == 0 || sequence > tree_.size()) {
    return NotFoundError("no event at position " + std::to_string(sequence) +
                         " (the ledger holds " + std::to_string(tree_.size()) + ")");
  }
  ACCORD_ASSIGN_OR_RETURN(std::string payload, log_->ReadRecord(sequence));
  ACCORD_ASSIGN_OR_RETURN(const Hash leaf, tree_.LeafHashAt(sequence - 1));
  if (LeafHash(payload) != leaf) {
    return DataLossError("ledger record " + std::to_string(sequence) +
                         ": the bytes on disk are not the ones recorded (leaf hash differs)");
  }
  return payload;
}

Status Ledger::ReadEvents(const std::vector<uint64_t>& sequences,
                          const std::function<Status(uint64_t, std::string_view)>& visit) const {
  for (const auto& [first, last] : ConsecutiveRuns(sequences)) {
    ACCORD_RETURN_IF_ERROR(log_->ReadRecords(first, last, visit));
  }
  return OkStatus();
}

Status Ledger::ReadEventBatches(
    std::span<const uint64_t> sequences,
    const std::function<Status(std::span<const LogWriter::Record>)>& visit) const {
  for (const auto& [first, last] : ConsecutiveRuns(sequences)) {
    ACCORD_RETURN_IF_ERROR(log_->ReadRecordBatches(first, last, visit));
  }
  return OkStatus();
}

Result<SignedCheckpoint> Ledger::Checkpoint(Timestamp now) {
  ledger::Checkpoint head{tree_.size(), tree_.Root(), now};
  ACCORD_ASSIGN_OR_RETURN(SignedCheckpoint signed_head, key_.Sign(head));
  json line = SignedCheckpointToJsonValue(signed_head);
  ACCORD_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file,
                          fs_->NewAppendableFile(dir_ + "/checkpoints.jsonl"));
  ACCORD_RETURN_IF_ERROR(file->Append(line.dump() + "\n"));
  ACCORD_RETURN_IF_ERROR(file->Sync());
  ACCORD_RETURN_IF_ERROR(file->Close());
  checkpoints_.push_back(signed_head);
  return signed_head;
}

Result<ProofBundle> Ledger::Prove(const std::string& event_id,
                                  std::optional<uint64_t> checkpoint_size) const {
  const std::optional<uint64_t> sequence = ids_.Find(event_id);
  // (After a failed append the id index may hold ids the tree does not.)
  if (!sequence || *sequence > tree_.size()) {
    return NotFoundError("no event with id " + event_id + " in the ledger");
  }
  const uint64_t leaf_index = *sequence - 1;
  for (auto head = checkpoints_.rbegin(); head != checkpoints_.rend(); ++head) {
    const uint64_t size = head->checkpoint.tree_size;
    if (checkpoint_size && size != *checkpoint_size) continue;
    if (size <= leaf_index) {
      if (!checkpoint_size) continue;
      return FailedPreconditionError(
          "event " + event_id + " (leaf " + std::to_string(leaf_index) +
          ") was recorded after the checkpoint of " + std::to_string(size) +
          " events, so that checkpoint cannot prove it; ask for a later checkpoint");
    }
    ProofBundle bundle;
    ACCORD_ASSIGN_OR_RETURN(bundle.event, ReadEvent(*sequence));
    bundle.leaf_index = leaf_index;
    ACCORD_ASSIGN_OR_RETURN(bundle.inclusion_path, tree_.InclusionProof(leaf_index, size));
    bundle.checkpoint = *head;
    bundle.public_key_hex = public_key_hex_;
    return bundle;
  }
  if (checkpoint_size) {
    return NotFoundError("no checkpoint of " + std::to_string(*checkpoint_size) +
                         " events has been signed");
  }
  return FailedPreconditionError("event " + event_id +
                                 " is not covered by a checkpoint yet; run `accord ledger "
                                 "checkpoint` first");
}

Result<ConsistencyBundle> Ledger::ProveConsistency(uint64_t old_size, uint64_t new_size) const {
  auto find = [&](uint64_t size) -> Result<SignedCheckpoint> {
    for (auto head = checkpoints_.rbegin(); head != checkpoints_.rend(); ++head) {
      if (head->checkpoint.tree_size == size) return *head;
    }
    return NotFoundError("no checkpoint of " + std::to_string(size) +
                         " events; consistency is proved between signed checkpoints");
  };
  ConsistencyBundle bundle;
  ACCORD_ASSIGN_OR_RETURN(bundle.old_checkpoint, find(old_size));
  ACCORD_ASSIGN_OR_RETURN(bundle.new_checkpoint, find(new_size));
  ACCORD_ASSIGN_OR_RETURN(bundle.proof, tree_.ConsistencyProof(old_size, new_size));
  bundle.public_key_hex = public_key_hex_;
  return bundle;
}

// What Verify's errors about the event index tell the operator to do: the index is a cache of
// the log, which recovery rebuilds when no state file is there to load it from.
constexpr std::string_view kRebuildTheIndex =
    "; remove the state files (state-*.bin) and open the ledger again to rebuild the index "
    "from the log";

Result<VerifyReport> Ledger::Verify() const {
  VerifyReport report;
  MerkleTree rebuilt;
  LogReader reader(fs_, dir_ + "/log");
  EventKeys keys;
  ACCORD_RETURN_IF_ERROR(reader.ForEach(
      1, [&](uint64_t sequence, const ChainHash&, std::string_view payload) -> Status {
        rebuilt.Append(LeafHash(payload));
        // The index may have come from a state file: what runs read of it must be the log's.
        if (sequence > events_.size()) return OkStatus();
        ACCORD_RETURN_IF_ERROR(ExtractEventKeys(payload, "ledger record ", sequence, &keys));
        if (const std::string_view field = events_.Differs(sequence, keys); !field.empty()) {
          return DataLossError("ledger record " + std::to_string(sequence) +
                               ": the event index's " + std::string(field) +
                               " differs from the log's" + std::string(kRebuildTheIndex));
        }
        return OkStatus();
      }));
  if (const std::string problem = events_.NumberingProblem(); !problem.empty()) {
    return DataLossError("the event index: " + problem + std::string(kRebuildTheIndex));
  }
  report.events = rebuilt.size();
  report.root = rebuilt.Root();
  for (const SignedCheckpoint& head : checkpoints_) {
    ACCORD_RETURN_IF_ERROR(
        VerifyCheckpoint(head, public_key_hex_)
            .WithPrefix("checkpoint of " + std::to_string(head.checkpoint.tree_size) + " events"));
    ACCORD_ASSIGN_OR_RETURN(Hash root, rebuilt.RootAt(head.checkpoint.tree_size));
    if (root != head.checkpoint.root) {
      return DataLossError("checkpoint of " + std::to_string(head.checkpoint.tree_size) +
                           " events: signed root " + HashToHex(head.checkpoint.root) +
                           " but the log gives " + HashToHex(root));
    }
    ++report.checkpoints_checked;
  }
  return report;
}

LedgerStats Ledger::stats() const {
  LedgerStats stats;
  stats.events = tree_.size();
  stats.root = tree_.Root();
  stats.last_chain_hash = log_->last_hash();
  stats.recovery = log_->recovery();
  stats.segments = log_->recovery().segment_count;
  stats.state_events = state_events_;
  stats.state_unused = state_unused_;
  if (!checkpoints_.empty()) stats.latest_checkpoint = checkpoints_.back();
  return stats;
}

namespace {

constexpr std::string_view kInclusionFormat = "accord-ledger-inclusion-proof/v1";
constexpr std::string_view kConsistencyFormat = "accord-ledger-consistency-proof/v1";

json HashesJson(const std::vector<Hash>& hashes) {
  json out = json::array();
  for (const Hash& hash : hashes) out.push_back(HashToHex(hash));
  return out;
}

// A proof file's top-level object. Parsing never throws; bad text is an InvalidArgument naming
// the file.
Result<json> ParseObject(std::string_view text, const std::string& where) {
  json value = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded() || !value.is_object()) {
    return InvalidArgumentError(where + ": not a JSON object");
  }
  return value;
}

Result<std::vector<Hash>> HashesFromJson(const json& value, const std::string& where) {
  if (!value.is_array()) return InvalidArgumentError(where + ": expected an array");
  std::vector<Hash> hashes;
  for (size_t i = 0; i < value.size(); ++i) {
    if (!value[i].is_string()) {
      return InvalidArgumentError(where + "/" + std::to_string(i) + ": expected a hex string");
    }
    Result<Hash> hash = HashFromHex(value[i].get<std::string>());
    if (!hash.ok()) return hash.status().WithPrefix(where + "/" + std::to_string(i));
    hashes.push_back(*hash);
  }
  return hashes;
}

}  // namespace

std::string ProofBundleToJson(const ProofBundle& bundle) {
  json path = HashesJson(bundle.inclusion_path);
  json out = {{"format", kInclusionFormat},
              {"event", bundle.event},
              {"leaf_index", bundle.leaf_index},
              {"inclusion_path", path},
              {"checkpoint", SignedCheckpointToJsonValue(bundle.checkpoint)},
              {"public_key", bundle.public_key_hex}};
  return out.dump(2);
}

Result<ProofBundle> ProofBundleFromJson(std::string_view text, std::string_view where) {
  const std::string at(where);
  ACCORD_ASSIGN_OR_RETURN(json value, ParseObject(text, at));
  for (const char* field :
       {"format", "event", "leaf_index", "inclusion_path", "checkpoint", "public_key"}) {
    if (!value.contains(field)) return InvalidArgumentError(at + ": /" + field + ": missing");
  }
  if (value["format"] != kInclusionFormat) {
    return InvalidArgumentError(at + ": /format: expected " + std::string(kInclusionFormat));
  }
  if (!value["event"].is_string()) return InvalidArgumentError(at + ": /event: expected a string");
  if (!value["leaf_index"].is_number_unsigned()) {
    return InvalidArgumentError(at + ": /leaf_index: expected a non-negative integer");
  }
  if (!value["inclusion_path"].is_array()) {
    return InvalidArgumentError(at + ": /inclusion_path: expected an array");
  }
  if (!value["public_key"].is_string()) {
    return InvalidArgumentError(at + ": /public_key: expected a string");
  }
  ProofBundle bundle;
  bundle.event = value["event"].get<std::string>();
  bundle.leaf_index = value["leaf_index"].get<uint64_t>();
  ACCORD_ASSIGN_OR_RETURN(bundle.inclusion_path,
                          HashesFromJson(value["inclusion_path"], at + ": /inclusion_path"));
  ACCORD_ASSIGN_OR_RETURN(bundle.checkpoint,
                          SignedCheckpointFromJsonValue(value["checkpoint"], at + ": /checkpoint"));
  bundle.public_key_hex = value["public_key"].get<std::string>();
  return bundle;
}

Result<std::string> ProofFileKind(std::string_view text, std::string_view where) {
  json value = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (value.is_object() && value.contains("format") && value["format"].is_string()) {
    const std::string format = value["format"].get<std::string>();
    if (format == kInclusionFormat) return std::string("inclusion");
    if (format == kConsistencyFormat) return std::string("consistency");
  }
  return InvalidArgumentError(std::string(where) + ": /format: expected " +
                              std::string(kInclusionFormat) + " or " +
                              std::string(kConsistencyFormat));
}

std::string ConsistencyBundleToJson(const ConsistencyBundle& bundle) {
  json out = {{"format", kConsistencyFormat},
              {"old_checkpoint", SignedCheckpointToJsonValue(bundle.old_checkpoint)},
              {"new_checkpoint", SignedCheckpointToJsonValue(bundle.new_checkpoint)},
              {"proof", HashesJson(bundle.proof)},
              {"public_key", bundle.public_key_hex}};
  return out.dump(2);
}

Result<ConsistencyBundle> ConsistencyBundleFromJson(std::string_view text, std::string_view where) {
  const std::string at(where);
  ACCORD_ASSIGN_OR_RETURN(json value, ParseObject(text, at));
  for (const auto& [key, member] : value.items()) {
    if (key != "format" && key != "old_checkpoint" && key != "new_checkpoint" && key != "proof" &&
        key != "public_key") {
      return InvalidArgumentError(at + ": /" + key + ": unknown field");
    }
  }
  for (const char* field : {"format", "old_checkpoint", "new_checkpoint", "proof", "public_key"}) {
    if (!value.contains(field)) return InvalidArgumentError(at + ": /" + field + ": missing");
  }
  if (value["format"] != kConsistencyFormat) {
    return InvalidArgumentError(at + ": /format: expected " + std::string(kConsistencyFormat));
  }
  if (!value["public_key"].is_string()) {
    return InvalidArgumentError(at + ": /public_key: expected a string");
  }
  ConsistencyBundle bundle;
  ACCORD_ASSIGN_OR_RETURN(
      bundle.old_checkpoint,
      SignedCheckpointFromJsonValue(value["old_checkpoint"], at + ": /old_checkpoint"));
  ACCORD_ASSIGN_OR_RETURN(
      bundle.new_checkpoint,
      SignedCheckpointFromJsonValue(value["new_checkpoint"], at + ": /new_checkpoint"));
  ACCORD_ASSIGN_OR_RETURN(bundle.proof, HashesFromJson(value["proof"], at + ": /proof"));
  bundle.public_key_hex = value["public_key"].get<std::string>();
  return bundle;
}

Status VerifyConsistencyBundle(const ConsistencyBundle& bundle, std::string_view public_key_hex) {
  ACCORD_RETURN_IF_ERROR(VerifyCheckpoint(bundle.old_checkpoint, public_key_hex)
                             .WithPrefix("older checkpoint signature"));
  ACCORD_RETURN_IF_ERROR(VerifyCheckpoint(bundle.new_checkpoint, public_key_hex)
                             .WithPrefix("newer checkpoint signature"));
  const Checkpoint& older = bundle.old_checkpoint.checkpoint;
  const Checkpoint& newer = bundle.new_checkpoint.checkpoint;
  return VerifyConsistency(older.tree_size, newer.tree_size, older.root, newer.root, bundle.proof)
      .WithPrefix("consistency of " + std::to_string(older.tree_size) + " and " +
                  std::to_string(newer.tree_size) + " events");
}

Status VerifyProofBundle(const ProofBundle& bundle, std::string_view public_key_hex) {
  ACCORD_RETURN_IF_ERROR(
      VerifyCheckpoint(bundle.checkpoint, public_key_hex).WithPrefix("checkpoint signature"));
  return VerifyInclusion(LeafHash(bundle.event), bundle.leaf_index,
                         bundle.checkpoint.checkpoint.tree_size, bundle.inclusion_path,
                         bundle.checkpoint.checkpoint.root)
      .WithPrefix("inclusion of event " + std::to_string(bundle.leaf_index));
}

}  // namespace accord::ledger
