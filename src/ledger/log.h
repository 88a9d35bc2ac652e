// The ledger log: an append-only, checksummed, hash-chained sequence of records on disk.
//
// Every usage event the ledger accepts becomes one record. Records live in segment files
// DIR/segment-00000001.log, DIR/segment-00000002.log, ...; each record carries a sequence number
// (1, 2, 3, ... with no gaps), a CRC-32C, and the chain hash of the record before it, so that any
// damaged, removed, reordered or altered record is detected. The byte format is specified in
// docs/formats/ledger_log.md.
//
//   ACCORD_ASSIGN_OR_RETURN(std::unique_ptr<LogWriter> log,
//                           LogWriter::Open(PosixFileSystem(), "accord-data/ledger"));
//   ACCORD_ASSIGN_OR_RETURN(AppendResult ack, log->AppendBatch({event1, event2}));
//   // ack.first_sequence .. ack.last_sequence are on disk (fsynced) now.
//
//   LogReader reader(PosixFileSystem(), "accord-data/ledger");
//   Status s = reader.ForEach(1, [](std::uint64_t seq, const ChainHash& hash,
//                                   std::string_view payload) { ...; return OkStatus(); });
//
// Durability: AppendBatch and Append return OK only after an fsync that covers every record
// they wrote; an OK is a promise that the records survive a crash or power cut. A batch that
// returns an error was not acknowledged: after a crash none, some or all of its records may be
// present (always a prefix of it, in order), so callers that retry must be idempotent above this
// layer (the intake's event ids).
//
// Recovery: LogWriter::Open scans every segment and checks lengths, CRCs, sequence continuity
// and the hash chain (reading and hashing on a second thread: ScanOptions). A torn write at the
// very end of the last segment (what a crash during an append leaves) is cut off. Any other
// damage returns DataLoss naming the segment and byte offset ("segment-00000003.log offset
// 81234: checksum mismatch ..."), and the log does not open: a record is never skipped
// silently. Errors are those of a record-by-record walk: the first problem in log order wins.
//
// Failures while appending are final: after any write or fsync error the writer refuses every
// later append with FailedPrecondition. It never retries an fsync (see ledger/file_system.h);
// the way forward is to reopen, which recovers exactly what reached the disk.
//
// Thread safety: LogWriter's methods may be called from many threads at once; concurrent
// appends are grouped so that one fsync acknowledges all of them (group commit). LogReader is
// safe to use while a writer appends: it sees a prefix of the log.
#ifndef ACCORD_LEDGER_LOG_H_
#define ACCORD_LEDGER_LOG_H_

#include <array>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "ledger/file_system.h"

namespace accord::ledger {

// A SHA-256 digest: the chain hash of a record.
using ChainHash = std::array<std::uint8_t, 32>;

// The largest payload of one record; AppendBatch refuses larger ones with InvalidArgument.
inline constexpr std::size_t kMaxPayloadBytes = std::size_t{1} << 20;
// The largest LogOptions::max_segment_bytes accepted.
inline constexpr std::uint64_t kMaxSegmentBytesLimit = std::uint64_t{1} << 30;

// The chain hash of a record: SHA-256(previous_hash || sequence as 8 bytes little-endian ||
// payload), where previous_hash is the chain hash of record sequence - 1, or 32 zero bytes for
// sequence 1. The chain hash of the last record commits to the whole log. Internal only if
// OpenSSL fails (out of memory).
Result<ChainHash> ComputeChainHash(const ChainHash& previous_hash, std::uint64_t sequence,
                                   std::string_view payload);

// Lower-case hex, 64 characters.
std::string ChainHashToHex(const ChainHash& hash);

// "segment-00000007.log" for 7.
std::string SegmentFileName(std::uint64_t segment_number);

// Visits records in sequence order: the sequence, the record's chain hash, and the payload
// (valid only during the call). Returning a non-OK status stops the walk with that status.
using RecordVisitor =
    std::function<Status(std::uint64_t sequence, const ChainHash& chain_hash, std::string_view)>;

// A 32-byte hash of one payload (the ledger's Merkle leaf hash), which recovery computes beside
// the chain hash, on its second thread (see ScanOptions and LogOptions::recovery_digester).
using PayloadDigest = std::array<std::uint8_t, 32>;
using PayloadDigester = std::function<PayloadDigest(std::string_view payload)>;
// One record as recovery hands it to LogOptions::recovery_visitor; the pointers and the view
// are valid only during the call.
struct RecoveredRecord {
  std::uint64_t sequence = 0;
  const ChainHash* chain_hash = nullptr;
  std::string_view payload;
  const PayloadDigest* digest = nullptr;  // all zeros when there is no digester
};
// Visits the records recovery keeps, in runs of consecutive records (a run per piece read, see
// ScanOptions), so that the visitor can work on several at once (the ledger fetches the table
// slots of later records while it indexes earlier ones). It must take the records in order and
// return the error of the first it cannot take; a non-OK status stops recovery with it.
using RecoveryVisitor = std::function<Status(std::span<const RecoveredRecord> records)>;

// How recovery (LogWriter::Open) and LogReader read the log. Tuning only: the records, the
// visits and every error are the same for any values
// (docs/decisions/0011-ledger-recovery-speed.md).
struct ScanOptions {
  // Each segment is read in pieces of about this many bytes, at least 64; a record larger than
  // a piece is read whole.
  std::size_t read_bytes = std::size_t{1} << 20;
  // 2: while the calling thread checks the hash chain through one piece and visits its
  // records, a second thread reads the next piece, checks its records' framing (length, CRC,
  // type, sequence) and computes their chain hashes and digests. 1: all on the calling thread.
  int threads = 2;
};

struct LogOptions {
  // A new segment is started before a record that would take the current segment past this
  // size (a segment holds at least one record, so a single large record may exceed it).
  // Must be in (0, kMaxSegmentBytesLimit].
  std::uint64_t max_segment_bytes = std::uint64_t{64} << 20;
  // When set, Open calls it with every record that recovery keeps, in order, during the one
  // scan recovery makes anyway, so that a caller building an index need not read the log a
  // second time. An error from it fails Open, before anything is cut from the log. It runs on
  // the thread that called Open, never on two threads at once.
  RecoveryVisitor recovery_visitor;
  // When set (with recovery_visitor), computes the digest recovery_visitor receives. Open
  // calls it once per record, in log order and one call at a time, on its hashing thread while
  // the visitor runs on the calling thread; so it must not touch what the visitor touches. It
  // runs ahead: a record is digested once its own bytes check (length, CRC, type, sequence),
  // before its link in the hash chain is checked and before earlier records are visited, so it
  // may see records after one that fails Open. Whatever it builds (the ledger appends the leaf
  // to its Merkle tree here) is therefore only to be trusted once Open has succeeded; on
  // success it has seen exactly the records recovery kept.
  PayloadDigester recovery_digester;
  // Recovery after the ledger's state file (state_file.h): the caller already holds what the
  // visitor and the digester would build from records 1..sequence. Those records are still read
  // and their framing checked (length, CRC, type, sequence: damage is DataLoss as always), but
  // they are not hashed, linked, visited or digested; only record `sequence` is hashed, and its
  // chain hash (computed from the previous hash stored in it) must be `chain_hash`. When it is
  // not, or the log holds fewer records, Open sets *rejected (when given), fails with
  // FailedPrecondition and changes nothing on disk; the caller then opens again without it.
  struct TrustedPrefix {
    std::uint64_t sequence = 0;  // 0: none
    ChainHash chain_hash{};
    bool* rejected = nullptr;
  };
  TrustedPrefix trusted_prefix;
  ScanOptions scan;
};

// What one acknowledged append wrote: sequences first_sequence..last_sequence, and the chain
// hash of the last of them.
struct AppendResult {
  std::uint64_t first_sequence = 0;
  std::uint64_t last_sequence = 0;
  ChainHash last_hash{};
};

// What LogWriter::Open found and repaired.
struct RecoveryReport {
  std::uint64_t segment_count = 0;  // after recovery
  std::uint64_t record_count = 0;
  // A torn write cut from the end of the last segment: its name, where valid data ended, how
  // many bytes were removed and what was wrong with them. Empty/zero when nothing was cut.
  std::string truncated_segment;
  std::uint64_t truncated_at_offset = 0;
  std::uint64_t truncated_bytes = 0;
  std::string truncated_reason;
};

class LogWriter {
 public:
  // Opens the log in `dir` (created if missing), recovering it first as the file comment says.
  // `fs` must outlive the writer. Errors: DataLoss for damage that is not a torn tail (message:
  // "<segment> offset <n>: <what>"); InvalidArgument for bad options; an I/O error from `fs`.
  static Result<std::unique_ptr<LogWriter>> Open(FileSystem* fs, std::string dir,
                                                 LogOptions options = {});

  ~LogWriter();
  LogWriter(const LogWriter&) = delete;
  LogWriter& operator=(const LogWriter&) = delete;

  // Appends one record per payload, in order, with consecutive sequence numbers, then fsyncs
  // once; returns after the fsync. Errors: InvalidArgument for an empty batch or a payload over
  // kMaxPayloadBytes (nothing written; the writer stays usable); the I/O error for a failed
  // write or fsync (the batch is not acknowledged and the writer is poisoned);
  // FailedPrecondition once poisoned.
  Result<AppendResult> AppendBatch(const std::vector<std::string>& payloads);
  // The same for payloads the caller holds elsewhere (the intake encodes a whole batch into one
  // buffer and passes views into it); they need to stay valid only during the call.
  //
  // `while_syncing`, when given, is called with the batch's first sequence once the batch is
  // written to the file, on the calling thread, while the fsync that covers it runs on a second
  // thread: work that needs the records' sequences but not their durability (the ledger's
  // indexes) then costs no time of its own. It is called at most once: only when this caller
  // writes its own records (always, when appends come from one thread at a time; not when a
  // concurrent caller's group took them) and the write succeeded. The fsync may still fail
  // after it was called: the caller must then treat what it did as describing records that
  // were never acknowledged.
  Result<AppendResult> AppendPayloads(
      std::span<const std::string_view> payloads,
      const std::function<void(std::uint64_t first_sequence)>& while_syncing = {});

  // Appends one record. Concurrent callers are batched behind one fsync: the first waiting
  // caller writes the records of everyone queued behind it and syncs once, and each returns
  // when the fsync covering its record is done. Errors as AppendBatch.
  Result<AppendResult> Append(std::string_view payload);

  // The sequence number of the last acknowledged record (0 for an empty log) and its chain hash.
  std::uint64_t last_sequence() const;
  ChainHash last_hash() const;

  // The payload of one acknowledged record, read by its position (kept in memory: 4 bytes per
  // record) with one positioned read, so that a proof or a conflict report does not scan the
  // log. The record's length, CRC, type and sequence are checked; the chain is not recomputed
  // (Verify does that). NotFound for 0 or a sequence not acknowledged yet; DataLoss naming
  // segment and offset when the bytes there no longer check; an I/O error from the FileSystem.
  Result<std::string> ReadRecord(std::uint64_t sequence) const;

  // Visits the acknowledged records first..last in order with (sequence, payload), reading each
  // segment's part in large sequential reads from the first record's position. Checks as
  // ReadRecord. NotFound when the range is empty or runs past the last acknowledged record.
  Status ReadRecords(std::uint64_t first, std::uint64_t last,
                     const std::function<Status(std::uint64_t, std::string_view)>& visit) const;
  // The same, a batch at a time: each call gives the records of one large read, in order, as
  // views valid until the call returns, so that a reader can look ahead within a batch.
  struct Record {
    std::uint64_t sequence;
    std::string_view payload;
  };
  Status ReadRecordBatches(std::uint64_t first, std::uint64_t last,
                           const std::function<Status(std::span<const Record>)>& visit) const;

  const RecoveryReport& recovery() const { return recovery_; }

 private:
  struct Waiter;
  struct Segment;

  LogWriter(FileSystem* fs, std::string dir, LogOptions options);

  // Where records are: the first sequence of each segment (segment n at index n - 1) and each
  // record's byte offset in its segment (sequence s at index s - 1; segments are below 4 GiB).
  struct Positions {
    std::vector<std::uint64_t> segment_first_sequence;
    std::vector<std::uint32_t> record_offsets;
  };
  struct RecordLocation {
    std::uint64_t segment_number = 0;
    std::string path;                         // of the segment file
    std::uint64_t offset = 0;                 // of the record in it
    std::uint64_t segment_last_sequence = 0;  // the last acknowledged record of that segment
  };
  // Where an acknowledged record is; NotFound otherwise.
  Result<RecordLocation> Locate(std::uint64_t sequence) const;
  // The segment open for reads, opened on first use and kept (segments only grow once open).
  Result<std::shared_ptr<const ReadableFile>> Readable(const RecordLocation& where) const;

  Status Recover();
  Result<AppendResult> Submit(Waiter* waiter);
  // Writes the records of `group` and syncs; fills `results` and the positions of what it
  // wrote (published by Submit once acknowledged). Called only by the leader.
  Status WriteGroup(const std::vector<Waiter*>& group, std::vector<AppendResult>* results,
                    Positions* written);
  Status StartSegment(std::uint64_t segment_number, Positions* written);
  Status WriteBuffer(std::string* buffer);

  FileSystem* const fs_;
  const std::string dir_;
  const LogOptions options_;
  RecoveryReport recovery_;

  // Guards the queue, the poison status and the acknowledged position.
  mutable std::mutex mu_;
  std::deque<Waiter*> queue_;
  Status failure_;
  std::uint64_t acknowledged_sequence_ = 0;
  ChainHash acknowledged_hash_{};
  Positions positions_;  // of acknowledged records only

  // Segments open for ReadRecord, by segment number - 1 (null until first read).
  mutable std::mutex readers_mu_;
  mutable std::vector<std::shared_ptr<const ReadableFile>> readers_;

  // Touched only by the leader of the current group (the front of queue_), or by Open.
  std::unique_ptr<WritableFile> file_;
  std::uint64_t segment_number_ = 0;
  std::uint64_t segment_bytes_ = 0;
  std::uint64_t next_sequence_ = 1;
  ChainHash last_hash_{};
  std::string write_buffer_;  // the records of the group being written
};

// A summary of a full verification.
struct LogSummary {
  std::uint64_t segment_count = 0;
  std::uint64_t record_count = 0;
  std::uint64_t last_sequence = 0;
  ChainHash last_hash{};
  // Bytes at the end of the last segment that form a torn (incomplete) write; a writer's Open
  // would cut them. Zero for a cleanly closed log.
  std::uint64_t torn_tail_bytes = 0;
};

// Reads a log without changing it. Every record is verified (length, CRC, sequence, chain) as
// it is read, from the first segment on; a torn tail ends the walk quietly, any other damage is
// DataLoss with the same message the writer's recovery gives.
class LogReader {
 public:
  // `fs` must outlive the reader.
  LogReader(FileSystem* fs, std::string dir, ScanOptions scan = {})
      : fs_(fs), dir_(std::move(dir)), scan_(scan) {}

  // Calls `visit` for every record with sequence >= from_sequence. NotFound if `dir` does not
  // exist; DataLoss for damage; the visitor's status if it stops the walk.
  Status ForEach(std::uint64_t from_sequence, const RecordVisitor& visit) const;

  // Verifies the whole log and summarizes it. Errors as ForEach.
  Result<LogSummary> Verify() const;

 private:
  FileSystem* fs_;
  std::string dir_;
  ScanOptions scan_;
};

}  // namespace accord::ledger

#endif  // ACCORD_LEDGER_LOG_H_
