// Ledger: the durable, idempotent, tamper-evident record of every AI use.
//
// It ties the pieces of this folder together: usage events (event.h) are checked against the
// policy as of their time, written to the hash-chained log (log.h) with group commit, and
// added to an RFC 6962 Merkle tree (merkle.h) whose heads are signed as checkpoints
// (checkpoint.h). Layout in the data directory:
//   DATA/ledger/log/segment-*.log     the records (docs/formats/ledger_log.md)
//   DATA/ledger/checkpoints.jsonl     one signed checkpoint per line, appended and fsynced
//   DATA/ledger/signing.key           the Ed25519 key (created on first use, mode 0600)
//   DATA/ledger/state-<N>.bin         the indexes and tree after N events (SaveState), read
//                                     by Open instead of rebuilding them (state_file.h)
//
// Intake is idempotent: an event id seen before with the same content answers "duplicate"
// with the original sequence; with other content it answers "conflict" naming the fields that
// differ. An event whose use the policy does not allow is refused with the decision's reasons
// and never recorded. Append returns only after the fsync that covers every recorded event.
//
//   ACCORD_ASSIGN_OR_RETURN(auto ledger, Ledger::Open("./accord-data"));
//   ACCORD_ASSIGN_OR_RETURN(std::vector<IntakeResult> acks, ledger->Append(events, *snapshot));
//   ACCORD_ASSIGN_OR_RETURN(SignedCheckpoint head, ledger->Checkpoint(Timestamp::Now()));
//   ACCORD_ASSIGN_OR_RETURN(ProofBundle proof, ledger->Prove("evt-1"));
//
// Thread safety: not thread-safe; one Ledger per process, used from one thread (the server
// serialises calls with a mutex), except Prepare, which reads nothing that changes and may run
// beside any call: a server prepares the next batch while the ledger appends the last. Append
// works on a batch of 512 events or more with a second, internal thread, and a third that
// waits for the fsync while the indexes are updated (docs/decisions/0010-ledger-intake-rate.md);
// the answers, sequences and tree are exactly those of one event at a time. Recovery on Open reads
// the whole log: O(events), but hashes and indexes only the records after the last state file.
#ifndef ACCORD_LEDGER_LEDGER_H_
#define ACCORD_LEDGER_LEDGER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>  // kept for includers that relied on it
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "ledger/checkpoint.h"
#include "ledger/event.h"
#include "ledger/event_index.h"
#include "ledger/file_system.h"
#include "ledger/flat_string_map.h"
#include "ledger/log.h"
#include "ledger/merkle.h"
#include "rights/snapshot.h"

namespace accord::ledger {

enum class IntakeOutcome { kRecorded, kDuplicate, kConflict, kRefused };
std::string_view IntakeOutcomeName(IntakeOutcome outcome);  // "recorded", "duplicate", ...

// The answer for one event; Append's results are index-aligned with its events, so the id is
// the event's (not copied here: a string per event was a tenth of the server's bulk intake).
struct IntakeResult {
  IntakeOutcome outcome = IntakeOutcome::kRecorded;
  uint64_t sequence = 0;  // recorded or duplicate: the event's position (1-based)
  // conflict: the differing fields; refused: one line per reason of every refused recording.
  std::vector<std::string> details;
};

// Everything an artist needs to check, with only the public key, that an event is in the
// ledger: the event as stored, its leaf index, the audit path, and the signed checkpoint.
struct ProofBundle {
  std::string event;  // the canonical encoding: the leaf's data
  uint64_t leaf_index = 0;
  std::vector<Hash> inclusion_path;
  SignedCheckpoint checkpoint;
  std::string public_key_hex;
};
std::string ProofBundleToJson(const ProofBundle& bundle);
Result<ProofBundle> ProofBundleFromJson(std::string_view text, std::string_view where);
// Checks the signature (with `public_key_hex`, which an artist obtains from the platform
// independently of the file) and the inclusion of the event under the signed root. DataLoss
// names what did not verify.
Status VerifyProofBundle(const ProofBundle& bundle, std::string_view public_key_hex);

// That the ledger only grew between two signed checkpoints: nothing recorded by the older one
// was changed or removed by the time of the newer one.
struct ConsistencyBundle {
  SignedCheckpoint old_checkpoint;
  SignedCheckpoint new_checkpoint;
  std::vector<Hash> proof;
  std::string public_key_hex;
};
std::string ConsistencyBundleToJson(const ConsistencyBundle& bundle);
Result<ConsistencyBundle> ConsistencyBundleFromJson(std::string_view text, std::string_view where);
// Checks both signatures with `public_key_hex` and the consistency proof between their roots.
Status VerifyConsistencyBundle(const ConsistencyBundle& bundle, std::string_view public_key_hex);
// "inclusion" or "consistency", from a proof file's "format" member; InvalidArgument otherwise.
Result<std::string> ProofFileKind(std::string_view text, std::string_view where);

struct LedgerStats {
  uint64_t events = 0;
  uint64_t segments = 0;
  Hash root{};
  ChainHash last_chain_hash{};
  std::optional<SignedCheckpoint> latest_checkpoint;
  RecoveryReport recovery;
  // The events the current state file covers (0: none), and why a state file found at Open was
  // not used (empty when none was passed over).
  uint64_t state_events = 0;
  std::string state_unused;
};

// What Append works out for a batch without the ledger's indexes: each event validated,
// encoded and decided against the policy. Made by Ledger::Prepare for one vector of events and
// used up by one Append of the same events. Reusing one PreparedBatch for batch after batch
// keeps its buffers' memory. Not copyable; one thread at a time.
class PreparedBatch {
 public:
  PreparedBatch() = default;
  PreparedBatch(const PreparedBatch&) = delete;
  PreparedBatch& operator=(const PreparedBatch&) = delete;

 private:
  friend class Ledger;
  enum class State : uint8_t { kRefused, kAllowed, kAnswered };
  struct Entry {
    State state = State::kAllowed;
    uint8_t half = 0;
    size_t begin = 0;  // of the encoding in encoded[half]
    size_t size = 0;
    uint64_t id_hash = 0;
    uint64_t listener_hash = 0;  // the event index's (EventIndex::ListenerHash)
    // The event index's hashes of the event's recordings (EventIndex::RecordingHash), in
    // order, from here in isrc_hashes[half].
    size_t isrc_hashes_begin = 0;
  };
  std::string_view Payload(size_t i) const {
    return std::string_view(encoded[entries[i].half]).substr(entries[i].begin, entries[i].size);
  }

  const UsageEvent* events = nullptr;  // what it was prepared for
  size_t count = 0;
  bool ready = false;  // prepared and not yet appended
  std::vector<Entry> entries;
  std::vector<IntakeResult> results;  // the refusals' reasons
  // Each half of a large batch is encoded into its own buffer, on its own thread.
  std::string encoded[2];
  std::vector<uint64_t> isrc_hashes[2];
};

struct VerifyReport {
  uint64_t events = 0;
  Hash root{};
  uint64_t checkpoints_checked = 0;
};

class Ledger {
 public:
  // Opens DATA/ledger, recovering the log (a torn tail is cut; other damage is DataLoss naming
  // segment and offset) and rebuilding the id index, the event index and the Merkle tree from
  // it: from the newest state file that reads back whole and that the log continues (record N
  // has the chain hash it names), and from the records after it; from the whole log when there
  // is no such file (the reason is in stats().state_unused). Every record's framing and CRC are
  // checked either way; the records a state file covers are not hashed again. `fs` must
  // outlive the ledger. One process at a time: the ledger holds DATA/ledger/LOCK while it is
  // open, and Open fails with FailedPrecondition (naming the holder's process id) while another
  // Ledger, in this process or another, has it open.
  static Result<std::unique_ptr<Ledger>> Open(const std::string& data_dir,
                                              FileSystem* fs = PosixFileSystem());
  // Waits for a background save (StartBackgroundSave) before the ledger closes.
  ~Ledger();

  // Decides each event against `policy` as of the event's time and records, in one group
  // commit, every allowed event whose id is new. Results are index-aligned with `events`. An
  // invalid event fails the whole call (InvalidArgument naming the event), and so does an I/O
  // error (the log is then closed for writing): nothing of it was acknowledged.
  // The same as Prepare followed by Append(events, prepared).
  Result<std::vector<IntakeResult>> Append(const std::vector<UsageEvent>& events,
                                           const rights::Snapshot& policy);

  // The part of Append that needs no index: validates, encodes and decides each event into
  // `prepared` (its earlier content is replaced). InvalidArgument names the first invalid
  // event. May run while another thread calls any other method (see Thread safety).
  Status Prepare(std::span<const UsageEvent> events, const rights::Snapshot& policy,
                 PreparedBatch* prepared) const;
  // The rest of Append for events Prepare prepared: the ids, the group commit and the indexes.
  // InvalidArgument, with nothing done, when `prepared` was not prepared for exactly these
  // events (the same elements in memory) or was used already.
  Result<std::vector<IntakeResult>> Append(std::span<const UsageEvent> events,
                                           PreparedBatch* prepared);

  // Signs the current tree head and appends it to checkpoints.jsonl (fsynced).
  Result<SignedCheckpoint> Checkpoint(Timestamp now);
  const std::vector<SignedCheckpoint>& checkpoints() const { return checkpoints_; }

  // An inclusion proof for the event against the latest checkpoint that covers it, or, with
  // `checkpoint_size`, against the latest checkpoint of exactly that tree size (a royalty run's
  // own, so that its statement's events are proven against the head the run was computed
  // from). NotFound for an unknown id or when no checkpoint has that size; FailedPrecondition
  // when no checkpoint covers the event yet, or the one asked for was signed before it.
  Result<ProofBundle> Prove(const std::string& event_id,
                            std::optional<uint64_t> checkpoint_size = std::nullopt) const;
  // A consistency proof between the checkpoints of two sizes (the latest checkpoint of each).
  // NotFound when no checkpoint has one of the sizes.
  Result<ConsistencyBundle> ProveConsistency(uint64_t old_size, uint64_t new_size) const;

  // The sequences (1-based positions) of the events matching `query`, ascending. Answered from
  // in-memory indexes by day, recording and listener; the log is not read.
  std::vector<uint64_t> FindEvents(const EventQuery& query) const;

  // The canonical encoding of event `sequence`, read by position and checked against its leaf
  // in the Merkle tree. NotFound for a sequence not in the ledger; DataLoss when the bytes on
  // disk differ from what was recorded.
  Result<std::string> ReadEvent(uint64_t sequence) const;

  // Calls `visit(sequence, canonical encoding)` for each of `sequences` (ascending), reading
  // consecutive ones in large sequential reads. Records are CRC-checked, not re-hashed (Verify
  // recomputes every hash). NotFound for a sequence not in the ledger.
  Status ReadEvents(const std::vector<uint64_t>& sequences,
                    const std::function<Status(uint64_t, std::string_view)>& visit) const;
  // The same a batch at a time (LogWriter::ReadRecordBatches): the records of one large read,
  // viewed until the call returns. `sequences` must be ascending.
  Status ReadEventBatches(
      std::span<const uint64_t> sequences,
      const std::function<Status(std::span<const LogWriter::Record>)>& visit) const;

  // The time of event `sequence` (1..stats().events), from the index.
  Timestamp EventTime(uint64_t sequence) const { return events_.TimeOf(sequence); }

  // The event index, for what a royalty run reads of each event without reading its record
  // (EventIndex::VisitIndexedUses). Read-only, under the same rule as every const method: no
  // Append at the same time. Rebuilt from the log whenever the state file is not used, so it
  // holds what the records hold (`accord ledger verify` compares the two).
  const EventIndex& index() const { return events_; }

  // Saves the id index, the event index and the Merkle tree to DATA/ledger/state-<N>.bin
  // (N = stats().events; fsynced), then removes older state files, so that the next Open reads
  // them instead of rebuilding them from the log (at 10M events: docs/benchmarks.md). Costs a
  // write of about 240 bytes per event; `accord serve` calls it on shutdown. Does nothing when
  // the current state file covers every event. An I/O error leaves the older file in place; a
  // file cut short by a crash is not used by Open.
  Status SaveState();
  // SaveState from a copy of this process (fork()), so that a server holds the ledger only
  // while the process is copied (tens of milliseconds, where SaveState takes seconds at
  // millions of events) and goes on appending while the copy writes the file. The copy only
  // saves and exits. It first closes its copies of this process's sockets, so that a
  // connection the server closes meanwhile closes for its peer at once; it keeps the other
  // files, the ledger's LOCK among them. Does nothing when the current state file covers every
  // event. FailedPrecondition while an earlier background save has not been reaped
  // (FinishBackgroundSave), and on a file system other than PosixFileSystem() (a test file
  // system lives in this process's memory, which the copy does not share). `in_copy`, for
  // tests, runs in the copy just before it saves.
  Status StartBackgroundSave(const std::function<void()>& in_copy = nullptr);
  // Reaps the background save when it has ended: OK when its file is written (stats() then
  // counts it), Internal with the copy's exit status when not (its message went to stderr).
  // nullopt when none was started, or, without `wait`, while it still runs; `wait` blocks until
  // it ends. SaveState and the destructor wait for it first.
  std::optional<Status> FinishBackgroundSave(bool wait);
  // The number of events recorded (stats().events, without the rest of stats()).
  uint64_t size() const { return tree_.size(); }
  // Whether the events recorded after the current state file (all of them, when there is none)
  // are at least `min_events` and at least a quarter of the ledger: then the next Open would
  // spend longer recovering them from the log than a SaveState now takes (at 777,558 events,
  // about 0.6 s more at every open against 0.15 s to save once; decision 0013). The quarter
  // keeps a ledger of millions from rewriting its whole state after every small append.
  bool StateFileIsBehind(uint64_t min_events) const;

  // Rereads every segment, recomputing every chain hash and the Merkle root, and checks every
  // stored checkpoint's signature and root against it. DataLoss names the first mismatch.
  Result<VerifyReport> Verify() const;

  LedgerStats stats() const;
  const std::string& public_key_hex() const { return public_key_hex_; }

 private:
  Ledger(FileSystem* fs, std::string dir, std::unique_ptr<LogWriter> log, SigningKey key);
  Status LoadCheckpoints();
  // Recovery: adds a run of records read from the log to the id and event indexes, in order
  // (the tree is built on the log's hashing thread: see Open); the first error in order.
  // `log_bytes`, the size of the log, sizes the indexes.
  Status IndexRecords(std::span<const RecoveredRecord> records, uint64_t log_bytes);
  // Reads the state file `path` into tree_, ids_ and events_, and fills `trusted` with what the
  // log must continue. DataLoss when the file does not read back whole.
  Status LoadState(const std::string& path, LogOptions::TrustedPrefix* trusted);
  // Empties tree_, ids_ and events_ (after a state file that could not be used).
  void ResetIndexes();
  // FailedPrecondition once broken_.
  Status StateIsSaveable() const;

  FileSystem* fs_;
  std::string dir_;  // DATA/ledger
  // DATA/ledger/LOCK, held from before recovery until after the log is closed (members are
  // destroyed in reverse order): see Open.
  std::unique_ptr<FileLock> lock_;
  std::unique_ptr<LogWriter> log_;
  SigningKey key_;
  std::string public_key_hex_;
  MerkleTree tree_;
  FlatStringMap ids_;  // event id → sequence (its leaf hash is in tree_)
  EventIndex events_;  // period, recording, listener
  // Not OK once the log failed to append a batch. Its events may be in ids_ and events_ (a
  // large batch is indexed while the log's fsync runs) but are not in tree_, which decides what
  // the ledger holds: reads keep to tree_, and appends and state saves are refused until a
  // reopen recovers what reached the disk.
  Status broken_ = OkStatus();
  std::vector<SignedCheckpoint> checkpoints_;
  uint64_t state_events_ = 0;  // covered by the current state file; 0: none
  // The process writing a background save (0: none) and the events it saves.
  int save_process_ = 0;
  uint64_t save_events_ = 0;
  std::string state_unused_;  // why Open passed a state file over
  // Append(events, policy) prepares a batch here; kept between calls so that the buffers'
  // pages stay mapped.
  PreparedBatch intake_;
};

}  // namespace accord::ledger

#endif  // ACCORD_LEDGER_LEDGER_H_
