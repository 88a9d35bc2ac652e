#include "ledger/log.h"

// The low-level SHA-256 API is deprecated in OpenSSL 3 but not removed; see Sha256 below.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "ledger/crc32c.h"
#include "ledger/file_system.h"
#include "ledger/run_both.h"

namespace accord::ledger {
namespace {

// The layout below is specified in docs/formats/ledger_log.md; keep the two in step.

constexpr std::string_view kMagic = "ACCLOG01";
// magic[8] segment_number:u64 first_sequence:u64 masked_crc:u32
constexpr std::size_t kSegmentHeaderSize = 8 + 8 + 8 + 4;
constexpr std::size_t kSegmentHeaderCrcOffset = 24;

// length:u32 masked_crc:u32 type:u8 sequence:u64 prev_hash[32] payload[length]
constexpr std::size_t kRecordLengthOffset = 0;
constexpr std::size_t kRecordCrcOffset = 4;
constexpr std::size_t kRecordTypeOffset = 8;
constexpr std::size_t kRecordSequenceOffset = 9;
constexpr std::size_t kRecordPrevHashOffset = 17;
constexpr std::size_t kRecordHeaderSize = 17 + 32;

// The only record type so far. Zero is never valid, so that a zero-filled region (what some
// file systems leave after a crash extended a file) can never read as a record.
constexpr std::uint8_t kFullRecordType = 1;

// A segment file larger than this cannot have been written by us (max_segment_bytes is capped,
// and only a single record may overrun it); refusing it keeps a bogus file from being read
// into memory whole.
constexpr std::uint64_t kMaxSegmentFileBytes =
    kMaxSegmentBytesLimit + kSegmentHeaderSize + kRecordHeaderSize + kMaxPayloadBytes;

// A group-commit leader takes followers' records until the group holds this many payload
// bytes, so that one fsync does not wait behind an unbounded write.
constexpr std::size_t kMaxGroupPayloadBytes = std::size_t{8} << 20;
// The leader's write buffer is kept between groups up to this size.
constexpr std::size_t kMaxKeptWriteBufferBytes = std::size_t{16} << 20;

constexpr std::string_view kSegmentPrefix = "segment-";
constexpr std::string_view kSegmentSuffix = ".log";

void PutFixed32(std::string* out, std::uint32_t value) {
  char bytes[4];
  for (int i = 0; i < 4; ++i) bytes[i] = static_cast<char>(value >> (8 * i));
  out->append(bytes, sizeof(bytes));
}

void PutFixed64(std::string* out, std::uint64_t value) {
  char bytes[8];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>(value >> (8 * i));
  out->append(bytes, sizeof(bytes));
}

std::uint32_t GetFixed32(const char* p) {
  std::uint32_t value = 0;
  for (int i = 3; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(p[i]);
  return value;
}

std::uint64_t GetFixed64(const char* p) {
  std::uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(p[i]);
  return value;
}

std::string Hex32(std::uint32_t value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out = "0x";
  for (int shift = 28; shift >= 0; shift -= 4) out.push_back(kDigits[(value >> shift) & 0xFu]);
  return out;
}

// SHA-256 through OpenSSL's low-level SHA256_* functions rather than EVP, for the reason
// merkle.cc gives: the chain hash runs once per record on the append path, and EVP's per-digest
// dispatch cost 245 ns against 216 ns for a 259-byte event (2026-12, AMD EPYC with SHA-NI).
// Both reach the same CPU-dispatched block function.
class Sha256 {
 public:
  // Returns false only if OpenSSL fails (it cannot with these arguments).
  bool Chain(const ChainHash& previous, std::uint64_t sequence, std::string_view payload,
             ChainHash* out) {
    unsigned char sequence_bytes[8];
    for (int i = 0; i < 8; ++i) sequence_bytes[i] = static_cast<unsigned char>(sequence >> (8 * i));
    SHA256_CTX context;
    return SHA256_Init(&context) == 1 &&
           SHA256_Update(&context, previous.data(), previous.size()) == 1 &&
           SHA256_Update(&context, sequence_bytes, sizeof(sequence_bytes)) == 1 &&
           SHA256_Update(&context, payload.data(), payload.size()) == 1 &&
           SHA256_Final(out->data(), &context) == 1;
  }
};

Status HashFailure() { return InternalError("SHA-256 computation failed in OpenSSL"); }

std::string EncodeSegmentHeader(std::uint64_t segment_number, std::uint64_t first_sequence) {
  std::string header(kMagic);
  PutFixed64(&header, segment_number);
  PutFixed64(&header, first_sequence);
  PutFixed32(&header, crc32c::Mask(crc32c::Value(header.data(), header.size())));
  return header;
}

// The CRC of a record covers its length field and everything after the CRC field, so that a
// damaged length is caught as surely as a damaged payload.
std::uint32_t RecordCrc(const char* record, std::size_t payload_size) {
  const std::uint32_t crc = crc32c::Value(record + kRecordLengthOffset, 4);
  return crc32c::Extend(crc, record + kRecordTypeOffset,
                        kRecordHeaderSize - kRecordTypeOffset + payload_size);
}

void AppendRecord(std::string* out, std::uint64_t sequence, const ChainHash& previous_hash,
                  std::string_view payload) {
  const std::size_t start = out->size();
  PutFixed32(out, static_cast<std::uint32_t>(payload.size()));
  PutFixed32(out, 0);  // the CRC, filled in below
  out->push_back(static_cast<char>(kFullRecordType));
  PutFixed64(out, sequence);
  out->append(reinterpret_cast<const char*>(previous_hash.data()), previous_hash.size());
  out->append(payload);
  const std::uint32_t masked = crc32c::Mask(RecordCrc(out->data() + start, payload.size()));
  for (int i = 0; i < 4; ++i) {
    (*out)[start + kRecordCrcOffset + i] = static_cast<char>(masked >> (8 * i));
  }
}

struct HeaderCheck {
  std::string problem;  // empty when the header is good
  // True for problems a crash while creating the segment can cause (short, unreadable or
  // unchecksummed bytes), false for a well-formed header that contradicts the log.
  bool could_be_torn = false;
};

HeaderCheck CheckSegmentHeader(std::string_view data, std::uint64_t segment_number,
                               std::uint64_t expected_first_sequence) {
  if (data.size() < kSegmentHeaderSize) {
    return {"incomplete segment header (" + std::to_string(data.size()) + " of " +
                std::to_string(kSegmentHeaderSize) + " bytes)",
            true};
  }
  if (data.substr(0, kMagic.size()) != kMagic) {
    return {"not a ledger segment: the header does not start with \"ACCLOG01\"", true};
  }
  const std::uint32_t stored = crc32c::Unmask(GetFixed32(data.data() + kSegmentHeaderCrcOffset));
  const std::uint32_t computed = crc32c::Value(data.data(), kSegmentHeaderCrcOffset);
  if (stored != computed) {
    return {"segment header checksum mismatch (stored " + Hex32(stored) + ", computed " +
                Hex32(computed) + ")",
            true};
  }
  const std::uint64_t header_number = GetFixed64(data.data() + kMagic.size());
  if (header_number != segment_number) {
    return {"the header says segment " + std::to_string(header_number) +
                " but the file name says " + std::to_string(segment_number),
            false};
  }
  const std::uint64_t first_sequence = GetFixed64(data.data() + kMagic.size() + 8);
  if (first_sequence != expected_first_sequence) {
    return {"the segment starts at sequence " + std::to_string(first_sequence) + ", expected " +
                std::to_string(expected_first_sequence),
            false};
  }
  return {};
}

struct RecordCheck {
  enum class Kind {
    kValid,
    kDamaged,  // incomplete or checksum mismatch: a torn write if nothing valid follows
    kInvalid,  // checksummed correctly but not something this version writes
  };
  Kind kind = Kind::kValid;
  std::string problem;
  std::size_t size = 0;  // of the whole record, when valid
};

RecordCheck CheckRecord(std::string_view data, std::size_t offset) {
  using Kind = RecordCheck::Kind;
  const std::size_t remaining = data.size() - offset;
  if (remaining < kRecordHeaderSize) {
    return {Kind::kDamaged, "incomplete record header (" + std::to_string(remaining) + " of " +
                                std::to_string(kRecordHeaderSize) + " bytes)"};
  }
  const char* record = data.data() + offset;
  const std::uint32_t length = GetFixed32(record + kRecordLengthOffset);
  if (length > kMaxPayloadBytes) {
    return {Kind::kDamaged, "record length " + std::to_string(length) + " exceeds the limit of " +
                                std::to_string(kMaxPayloadBytes)};
  }
  if (remaining - kRecordHeaderSize < length) {
    return {Kind::kDamaged, "incomplete record: length " + std::to_string(length) + " needs " +
                                std::to_string(kRecordHeaderSize + length) + " bytes, " +
                                std::to_string(remaining) + " remain"};
  }
  const std::uint32_t stored = crc32c::Unmask(GetFixed32(record + kRecordCrcOffset));
  const std::uint32_t computed = RecordCrc(record, length);
  if (stored != computed) {
    return {Kind::kDamaged, "record checksum mismatch (stored " + Hex32(stored) + ", computed " +
                                Hex32(computed) + ")"};
  }
  const auto type = static_cast<std::uint8_t>(record[kRecordTypeOffset]);
  if (type != kFullRecordType) {
    return {Kind::kInvalid, "unknown record type " + std::to_string(type)};
  }
  return {Kind::kValid, "", kRecordHeaderSize + length};
}

// The first offset at or after `start` where a complete record with a correct checksum begins.
// Used to tell a torn tail (garbage to the end of the file) from damage in the middle of
// records. The type byte is checked first because it rejects almost every offset of zeros or
// random bytes without computing a CRC.
std::optional<std::size_t> FindValidRecordAfter(std::string_view data, std::size_t start) {
  for (std::size_t offset = start; offset + kRecordHeaderSize <= data.size(); ++offset) {
    const char* record = data.data() + offset;
    if (static_cast<std::uint8_t>(record[kRecordTypeOffset]) != kFullRecordType) continue;
    const std::uint32_t length = GetFixed32(record + kRecordLengthOffset);
    if (length > kMaxPayloadBytes || data.size() - offset - kRecordHeaderSize < length) continue;
    if (crc32c::Unmask(GetFixed32(record + kRecordCrcOffset)) == RecordCrc(record, length)) {
      return offset;
    }
  }
  return std::nullopt;
}

// Parses "segment-00000042.log"; nullopt for anything that is not exactly what
// SegmentFileName writes.
std::optional<std::uint64_t> ParseSegmentName(std::string_view name) {
  if (!name.starts_with(kSegmentPrefix) || !name.ends_with(kSegmentSuffix)) return std::nullopt;
  const std::string_view digits = name.substr(
      kSegmentPrefix.size(), name.size() - kSegmentPrefix.size() - kSegmentSuffix.size());
  if (digits.empty() || digits.size() > 19) return std::nullopt;
  std::uint64_t number = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    number = number * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (number == 0 || SegmentFileName(number) != name) return std::nullopt;
  return number;
}

// The segment numbers in `dir`: 1..N with no gaps, or DataLoss.
Result<std::uint64_t> CountSegments(FileSystem* fs, const std::string& dir) {
  ACCORD_ASSIGN_OR_RETURN(std::vector<std::string> names, fs->ListDir(dir));
  std::vector<std::uint64_t> numbers;
  for (const std::string& name : names) {
    // Other files (checkpoints, indexes) may share the directory; anything that claims to be a
    // segment must be one, or records in it would be silently ignored.
    if (!name.starts_with(kSegmentPrefix)) continue;
    const std::optional<std::uint64_t> number = ParseSegmentName(name);
    if (!number) {
      return DataLossError(JoinPath(dir, name) +
                           ": unexpected file in the log directory (not a segment file name)");
    }
    numbers.push_back(*number);
  }
  std::sort(numbers.begin(), numbers.end());
  for (std::size_t index = 0; index < numbers.size(); ++index) {
    if (numbers[index] != index + 1) {
      return DataLossError(JoinPath(dir, SegmentFileName(index + 1)) + ": segment is missing (" +
                           std::to_string(numbers.size()) + " segments present, the highest " +
                           SegmentFileName(numbers.back()) + ")");
    }
  }
  return static_cast<std::uint64_t>(numbers.size());
}

struct ScanResult {
  std::uint64_t segment_count = 0;
  std::uint64_t record_count = 0;
  std::uint64_t next_sequence = 1;
  ChainHash last_hash{};
  // About the last segment (when segment_count > 0).
  std::uint64_t last_file_size = 0;
  std::uint64_t last_valid_end = 0;  // header plus valid records; < file size for a torn tail
  bool last_header_torn = false;     // the header itself is torn; no record follows it
  std::string torn_reason;
};

// ScanOptions::read_bytes is raised to this: a piece must hold at least a segment header and a
// record header, so that every read makes progress.
constexpr std::size_t kMinReadBytes = 64;

using internal::RunBoth;

// One piece of a segment as the scan reads it: the records in it whose framing checks on its
// own (complete, length, CRC, type, sequence), and what comes after the last of them. The
// hash-chain check and the visits need the record before, so ScanLog does them later, piece by
// piece in log order; an error found while framing (`end` kError) is therefore reported only
// after every earlier record was checked and visited, exactly as a record-by-record walk would.
struct ScanPiece {
  enum class End {
    kMore,        // the segment continues in the next piece
    kSegmentEnd,  // the segment ends after the last record
    kTornTail,    // a torn write starts at end_offset (last segment only)
    kTornHeader,  // the last segment's header is torn (it holds no records)
    kError,       // `error` (DataLoss or an I/O error) comes after the last record
  };
  struct Record {
    std::uint32_t at = 0;  // of the record in `data`
    std::uint32_t payload_size = 0;
  };

  bool is_last_segment = false;
  std::uint64_t file_size = 0;       // of the segment
  bool starts_segment = false;       // the segment's header was checked in this piece
  std::uint64_t first_sequence = 0;  // of records[0] (of the segment's first record, if new)
  std::string data;                  // the bytes read, from offset data_offset of the segment
  std::uint64_t data_offset = 0;
  std::string path;  // of the segment
  std::vector<Record> records;
  End end = End::kMore;
  std::uint64_t end_offset = 0;  // kSegmentEnd, kTornTail: where the valid records end
  std::string torn_reason;
  Status error;
  // Filled by HashPiece: the chain hash of each record computed from the previous hash stored
  // in it (which ScanLog compares with the running chain before using the result), and the
  // digests when there is a digester.
  std::vector<ChainHash> chain_hashes;
  std::vector<PayloadDigest> digests;
  std::size_t hash_failed_at = std::numeric_limits<std::size_t>::max();

  bool IsFinal() const { return end != End::kMore && (end != End::kSegmentEnd || is_last_segment); }
};

std::string AtOffset(const std::string& path, std::uint64_t offset) {
  return path + " offset " + std::to_string(offset) + ": ";
}

// Reads the segments 1..segment_count in pieces and frames their records, in log order. Reads
// go through FileSystem::ReadRange a piece at a time rather than a whole segment with ReadFile:
// a 64 MiB string per segment was freshly mapped, zeroed and faulted in each time (and
// PosixFileSystem::ReadFile, which grows its buffer to find the end of the file, copied it once
// more), about half of recovery's time; a 1 MiB piece's memory is reused by the allocator and
// stays in the cache between the thread that reads it and the one that visits it.
class PieceReader {
 public:
  PieceReader(FileSystem* fs, const std::string& dir, std::uint64_t segment_count,
              std::size_t read_bytes)
      : fs_(fs),
        dir_(dir),
        segment_count_(segment_count),
        read_bytes_(std::max(read_bytes, kMinReadBytes)) {}

  // The next piece. Call only while the previous one (if any) is not IsFinal().
  ScanPiece Next();

 private:
  ScanPiece Fail(ScanPiece piece, Status error) {
    piece.end = ScanPiece::End::kError;
    piece.error = std::move(error);
    return piece;
  }
  // Ends a piece at a damaged record at `offset` of the last segment: a torn tail, unless a
  // complete record with a correct checksum starts anywhere after it.
  ScanPiece EndAtDamage(ScanPiece piece, std::uint64_t offset, const std::string& problem);

  FileSystem* const fs_;
  const std::string& dir_;
  const std::uint64_t segment_count_;
  const std::size_t read_bytes_;
  std::uint64_t number_ = 0;  // of the segment being read
  bool in_segment_ = false;   // its header has been checked
  std::string path_;
  std::uint64_t file_size_ = 0;
  std::uint64_t offset_ = 0;  // of the next record
  std::size_t want_ = 0;      // bytes the next read must hold: a record larger than a piece
  std::uint64_t next_sequence_ = 1;
};

ScanPiece PieceReader::EndAtDamage(ScanPiece piece, std::uint64_t offset,
                                   const std::string& problem) {
  const std::uint64_t piece_end = piece.data_offset + piece.data.size();
  std::optional<std::uint64_t> next;
  if (piece_end == file_size_) {
    const std::optional<std::size_t> found =
        FindValidRecordAfter(piece.data, static_cast<std::size_t>(offset - piece.data_offset) + 1);
    if (found) next = piece.data_offset + *found;
  } else {
    // Rare (damage in the last segment): the rest of the segment is read in one piece.
    Result<std::string> rest =
        fs_->ReadRange(path_, offset, static_cast<std::size_t>(file_size_ - offset));
    if (!rest.ok()) return Fail(std::move(piece), rest.status());
    const std::optional<std::size_t> found = FindValidRecordAfter(*rest, 1);
    if (found) next = offset + *found;
  }
  if (next) {
    return Fail(
        std::move(piece),
        DataLossError(AtOffset(path_, offset) + problem + "; a valid record follows at offset " +
                      std::to_string(*next) + ", so this is not a torn write"));
  }
  piece.end = ScanPiece::End::kTornTail;
  piece.end_offset = offset;
  piece.torn_reason = AtOffset(path_, offset) + problem;
  return piece;
}

ScanPiece PieceReader::Next() {
  if (!in_segment_) {
    ++number_;
    path_ = JoinPath(dir_, SegmentFileName(number_));
    offset_ = 0;
    want_ = 0;
  }
  ScanPiece piece;
  piece.is_last_segment = number_ == segment_count_;
  piece.first_sequence = next_sequence_;
  piece.path = path_;
  if (!in_segment_) {
    Result<std::uint64_t> size = fs_->FileSize(path_);
    if (!size.ok()) return Fail(std::move(piece), size.status());
    if (*size > kMaxSegmentFileBytes) {
      return Fail(std::move(piece),
                  DataLossError(path_ + ": " + std::to_string(*size) +
                                " bytes is larger than any segment this log writes"));
    }
    file_size_ = *size;
  }
  const std::size_t length = static_cast<std::size_t>(
      std::min<std::uint64_t>(file_size_ - offset_, std::max(read_bytes_, want_)));
  Result<std::string> read = fs_->ReadRange(path_, offset_, length);
  if (!read.ok()) return Fail(std::move(piece), read.status());
  piece.data = std::move(*read);
  piece.data_offset = offset_;
  // A file cut short while being read ends where the read did.
  if (piece.data.size() < length) file_size_ = offset_ + piece.data.size();
  piece.file_size = file_size_;
  const std::string_view data = piece.data;
  const bool reaches_end = offset_ + data.size() == file_size_;

  std::size_t at = 0;
  if (!in_segment_) {
    const HeaderCheck header = CheckSegmentHeader(data, number_, next_sequence_);
    if (!header.problem.empty()) {
      // A crash while a segment was being created leaves a short or garbled header and
      // nothing after it (records are written only once the header is synced).
      if (piece.is_last_segment && header.could_be_torn && file_size_ <= kSegmentHeaderSize) {
        piece.end = ScanPiece::End::kTornHeader;
        piece.torn_reason = header.problem;
        return piece;
      }
      return Fail(std::move(piece), DataLossError(AtOffset(path_, 0) + header.problem));
    }
    in_segment_ = true;
    piece.starts_segment = true;
    at = kSegmentHeaderSize;
  }
  want_ = 0;
  while (at < data.size()) {
    const std::size_t remaining = data.size() - at;
    if (!reaches_end) {
      // A record that runs past this piece is framed from the next one, read from its start.
      std::size_t needed = kRecordHeaderSize;
      if (remaining >= kRecordHeaderSize) {
        const std::uint32_t length_field = GetFixed32(data.data() + at + kRecordLengthOffset);
        // A length over the limit is damage that CheckRecord reports below.
        needed = length_field > kMaxPayloadBytes ? 0 : kRecordHeaderSize + length_field;
      }
      if (remaining < needed) {
        want_ = needed;
        break;
      }
    }
    const std::uint64_t offset = offset_ + at;
    // Only where the piece reaches the end of the file can a record be incomplete here, so
    // the byte counts CheckRecord reports are those of the file.
    const RecordCheck check = CheckRecord(data, at);
    if (check.kind == RecordCheck::Kind::kInvalid) {
      return Fail(std::move(piece), DataLossError(AtOffset(path_, offset) + check.problem));
    }
    if (check.kind == RecordCheck::Kind::kDamaged) {
      if (!piece.is_last_segment) {
        return Fail(std::move(piece), DataLossError(AtOffset(path_, offset) + check.problem));
      }
      return EndAtDamage(std::move(piece), offset, check.problem);
    }
    const std::uint64_t sequence = GetFixed64(data.data() + at + kRecordSequenceOffset);
    if (sequence != next_sequence_) {
      return Fail(std::move(piece),
                  DataLossError(AtOffset(path_, offset) + "sequence " + std::to_string(sequence) +
                                ", expected " + std::to_string(next_sequence_)));
    }
    piece.records.push_back({static_cast<std::uint32_t>(at),
                             static_cast<std::uint32_t>(check.size - kRecordHeaderSize)});
    ++next_sequence_;
    at += check.size;
  }
  offset_ += at;
  if (at == data.size() && reaches_end) {
    piece.end = ScanPiece::End::kSegmentEnd;
    piece.end_offset = offset_;
    in_segment_ = false;
  }
  return piece;
}

// The SHA-256 work of a piece, and its digests; touches nothing but the piece (and what the
// digester touches), so that it can run on a second thread while the piece before it is
// checked and visited.
// Records before `trusted` (a trusted prefix, LogOptions::trusted_prefix) are not hashed, and
// only records after it are digested.
void HashPiece(ScanPiece* piece, const PayloadDigester* digester, std::uint64_t trusted) {
  const std::size_t count = piece->records.size();
  piece->chain_hashes.resize(count);
  if (digester != nullptr) piece->digests.resize(count);
  Sha256 hasher;
  ChainHash previous;
  std::size_t index = 0;
  if (trusted > piece->first_sequence) {
    index =
        static_cast<std::size_t>(std::min<std::uint64_t>(trusted - piece->first_sequence, count));
  }
  for (; index < count; ++index) {
    const ScanPiece::Record& record = piece->records[index];
    const char* bytes = piece->data.data() + record.at;
    const std::string_view payload(bytes + kRecordHeaderSize, record.payload_size);
    std::memcpy(previous.data(), bytes + kRecordPrevHashOffset, previous.size());
    if (!hasher.Chain(previous, piece->first_sequence + index, payload,
                      &piece->chain_hashes[index])) {
      piece->hash_failed_at = index;
      return;
    }
    if (digester != nullptr && piece->first_sequence + index > trusted) {
      piece->digests[index] = (*digester)(payload);
    }
  }
}

// Where ScanLog puts what it finds, and what it calls.
struct ScanSink {
  std::uint64_t from_sequence = 0;
  LogOptions::TrustedPrefix trusted;       // sequence 0: none
  const RecoveryVisitor* visit = nullptr;  // may be null
  std::vector<std::uint64_t>* segment_first_sequence = nullptr;
  std::vector<std::uint32_t>* record_offsets = nullptr;
};

// Checks the hash chain through a hashed piece and visits its records, in order; then applies
// what ends the piece. Returns the first error in log order: the visitor's for a record before
// a broken link wins over the link.
Status ConsumePiece(const ScanPiece& piece, const ScanSink& sink, ScanResult* scan,
                    std::vector<RecoveredRecord>* run) {
  static constexpr PayloadDigest kNoDigest{};
  if (piece.is_last_segment) scan->last_file_size = piece.file_size;
  if (piece.starts_segment && sink.segment_first_sequence != nullptr) {
    sink.segment_first_sequence->push_back(piece.first_sequence);
  }
  // The records up to the first broken link (or failed hash).
  const std::size_t count = piece.records.size();
  std::size_t good = 0;
  bool broken = false;
  const ChainHash* previous = &scan->last_hash;
  for (; good < count; ++good) {
    const std::uint64_t sequence = piece.first_sequence + good;
    if (sequence < sink.trusted.sequence) continue;  // framing checked; the chain is trusted
    if (sequence == sink.trusted.sequence) {
      if (good == piece.hash_failed_at) break;
      if (piece.chain_hashes[good] != sink.trusted.chain_hash) {
        if (sink.trusted.rejected != nullptr) *sink.trusted.rejected = true;
        return FailedPreconditionError(
            AtOffset(piece.path, piece.data_offset + piece.records[good].at) + "record " +
            std::to_string(sequence) + " is not the one the saved state was taken after");
      }
      previous = &piece.chain_hashes[good];
      continue;
    }
    const char* bytes = piece.data.data() + piece.records[good].at;
    if (std::memcmp(bytes + kRecordPrevHashOffset, previous->data(), previous->size()) != 0) {
      broken = true;
      break;
    }
    if (good == piece.hash_failed_at) break;
    // Equal previous hashes: the chain hash computed from the stored one is the running chain's.
    previous = &piece.chain_hashes[good];
  }
  if (sink.visit != nullptr) {
    run->clear();
    for (std::size_t index = 0; index < good; ++index) {
      const std::uint64_t sequence = piece.first_sequence + index;
      if (sequence < sink.from_sequence) continue;
      const ScanPiece::Record& record = piece.records[index];
      run->push_back(
          {sequence, &piece.chain_hashes[index],
           std::string_view(piece.data.data() + record.at + kRecordHeaderSize, record.payload_size),
           piece.digests.empty() ? &kNoDigest : &piece.digests[index]});
    }
    if (!run->empty()) ACCORD_RETURN_IF_ERROR((*sink.visit)(*run));
  }
  if (sink.record_offsets != nullptr) {
    for (std::size_t index = 0; index < good; ++index) {
      sink.record_offsets->push_back(
          static_cast<std::uint32_t>(piece.data_offset + piece.records[index].at));
    }
  }
  if (good > 0) scan->last_hash = piece.chain_hashes[good - 1];
  scan->next_sequence += good;
  scan->record_count += good;
  if (good < count) {
    if (!broken) return HashFailure();
    return DataLossError(AtOffset(piece.path, piece.data_offset + piece.records[good].at) +
                         "hash chain broken: the record's previous hash is not the chain hash " +
                         ChainHashToHex(scan->last_hash) + " of sequence " +
                         std::to_string(scan->next_sequence - 1));
  }
  switch (piece.end) {
    case ScanPiece::End::kMore:
      break;
    case ScanPiece::End::kSegmentEnd:
      if (piece.is_last_segment) scan->last_valid_end = piece.end_offset;
      break;
    case ScanPiece::End::kTornTail:
      scan->last_valid_end = piece.end_offset;
      scan->torn_reason = piece.torn_reason;
      break;
    case ScanPiece::End::kTornHeader:
      scan->last_header_torn = true;
      scan->last_valid_end = 0;
      scan->torn_reason = piece.torn_reason;
      break;
    case ScanPiece::End::kError:
      return piece.error;
  }
  return OkStatus();
}

// Reads and verifies the whole log. Records with sequence >= from_sequence go to `visit`
// (which may be null) with their digest from `digester` (null: zeros). A torn tail of the last
// segment is reported in the result, not an error. When `segment_first_sequence` and
// `record_offsets` are given, the first sequence of every segment with a good header and the
// offset of every good record are appended to them.
//
// Two pieces are in flight: while this thread checks the chain through piece k and visits its
// records, the second thread reads, frames and hashes piece k + 1.
Result<ScanResult> ScanLog(FileSystem* fs, const std::string& dir, std::uint64_t from_sequence,
                           const RecoveryVisitor* visit, const PayloadDigester* digester,
                           const ScanOptions& options, const LogOptions::TrustedPrefix& trusted,
                           std::vector<std::uint64_t>* segment_first_sequence = nullptr,
                           std::vector<std::uint32_t>* record_offsets = nullptr) {
  ScanResult scan;
  ACCORD_ASSIGN_OR_RETURN(scan.segment_count, CountSegments(fs, dir));
  if (scan.segment_count == 0) return scan;
  if (visit == nullptr || digester == nullptr || !*digester) digester = nullptr;
  const ScanSink sink{std::max(from_sequence, trusted.sequence + 1), trusted, visit,
                      segment_first_sequence, record_offsets};
  PieceReader reader(fs, dir, scan.segment_count, options.read_bytes);
  std::vector<RecoveredRecord> run;
  ScanPiece current = reader.Next();
  HashPiece(&current, digester, trusted.sequence);
  while (true) {
    std::optional<ScanPiece> next;
    Status consumed;
    RunBoth(
        options.threads >= 2 && !current.IsFinal(),
        [&] { consumed = ConsumePiece(current, sink, &scan, &run); },
        [&] {
          if (current.IsFinal()) return;
          next = reader.Next();
          HashPiece(&*next, digester, trusted.sequence);
        });
    ACCORD_RETURN_IF_ERROR(consumed);
    if (!next) break;
    current = std::move(*next);
  }
  return scan;
}

}  // namespace

Result<ChainHash> ComputeChainHash(const ChainHash& previous_hash, std::uint64_t sequence,
                                   std::string_view payload) {
  Sha256 hasher;
  ChainHash out;
  if (!hasher.Chain(previous_hash, sequence, payload, &out)) return HashFailure();
  return out;
}

std::string ChainHashToHex(const ChainHash& hash) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(hash.size() * 2);
  for (std::uint8_t byte : hash) {
    out.push_back(kDigits[byte >> 4]);
    out.push_back(kDigits[byte & 0xFu]);
  }
  return out;
}

std::string SegmentFileName(std::uint64_t segment_number) {
  std::string digits = std::to_string(segment_number);
  if (digits.size() < 8) digits.insert(0, 8 - digits.size(), '0');
  return std::string(kSegmentPrefix) + digits + std::string(kSegmentSuffix);
}

// One caller of Append/AppendBatch waiting in the group-commit queue.
struct LogWriter::Waiter {
  std::vector<std::string_view> payloads;
  std::size_t payload_bytes = 0;
  bool done = false;
  // Called while the fsync runs when this waiter leads its group (AppendPayloads).
  const std::function<void(std::uint64_t)>* while_syncing = nullptr;
  Result<AppendResult> result = InternalError("append not performed");
  std::condition_variable ready;
};

LogWriter::LogWriter(FileSystem* fs, std::string dir, LogOptions options)
    : fs_(fs), dir_(std::move(dir)), options_(options) {}

LogWriter::~LogWriter() {
  // Every record was synced before its append returned; closing adds nothing to durability, so
  // a close error has nobody to report to.
  if (file_ != nullptr) static_cast<void>(file_->Close());
}

Result<std::unique_ptr<LogWriter>> LogWriter::Open(FileSystem* fs, std::string dir,
                                                   LogOptions options) {
  if (options.max_segment_bytes == 0 || options.max_segment_bytes > kMaxSegmentBytesLimit) {
    return InvalidArgumentError("max_segment_bytes must be in 1.." +
                                std::to_string(kMaxSegmentBytesLimit) + ", got " +
                                std::to_string(options.max_segment_bytes));
  }
  if (dir.empty()) return InvalidArgumentError("ledger log directory name is empty");
  std::unique_ptr<LogWriter> writer(new LogWriter(fs, std::move(dir), options));
  ACCORD_RETURN_IF_ERROR(writer->Recover());
  return writer;
}

Status LogWriter::Recover() {
  ACCORD_RETURN_IF_ERROR(fs_->CreateDir(dir_));
  ACCORD_ASSIGN_OR_RETURN(
      const ScanResult scan,
      ScanLog(fs_, dir_, options_.recovery_visitor ? 1 : std::numeric_limits<std::uint64_t>::max(),
              options_.recovery_visitor ? &options_.recovery_visitor : nullptr,
              &options_.recovery_digester, options_.scan, options_.trusted_prefix,
              &positions_.segment_first_sequence, &positions_.record_offsets));
  if (scan.record_count < options_.trusted_prefix.sequence) {
    // Before anything is cut: the log as it is, without the saved state, decides what to keep.
    if (options_.trusted_prefix.rejected != nullptr) *options_.trusted_prefix.rejected = true;
    return FailedPreconditionError(dir_ + ": the log holds " + std::to_string(scan.record_count) +
                                   " records, the saved state " +
                                   std::to_string(options_.trusted_prefix.sequence));
  }
  next_sequence_ = scan.next_sequence;
  last_hash_ = scan.last_hash;
  if (scan.segment_count == 0) {
    ACCORD_RETURN_IF_ERROR(StartSegment(1, &positions_));
  } else {
    const std::string path = JoinPath(dir_, SegmentFileName(scan.segment_count));
    const std::uint64_t keep = scan.last_header_torn ? 0 : scan.last_valid_end;
    if (keep < scan.last_file_size) {
      recovery_.truncated_segment = path;
      recovery_.truncated_at_offset = keep;
      recovery_.truncated_bytes = scan.last_file_size - keep;
      recovery_.truncated_reason = scan.torn_reason;
      // Truncate syncs the file's new size; SyncDir is belt and braces for file systems that
      // keep size changes in directory metadata.
      ACCORD_RETURN_IF_ERROR(fs_->Truncate(path, keep));
      ACCORD_RETURN_IF_ERROR(fs_->SyncDir(dir_));
    }
    if (scan.last_header_torn) {
      ACCORD_RETURN_IF_ERROR(StartSegment(scan.segment_count, &positions_));
    } else {
      ACCORD_ASSIGN_OR_RETURN(file_, fs_->NewAppendableFile(path));
      segment_number_ = scan.segment_count;
      segment_bytes_ = keep;
    }
  }
  recovery_.segment_count = segment_number_;
  recovery_.record_count = scan.record_count;
  acknowledged_sequence_ = next_sequence_ - 1;
  acknowledged_hash_ = last_hash_;
  return OkStatus();
}

Status LogWriter::StartSegment(std::uint64_t segment_number, Positions* written) {
  const std::string path = JoinPath(dir_, SegmentFileName(segment_number));
  ACCORD_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, fs_->NewAppendableFile(path));
  // The header is synced, and the directory entry with it, before any record goes in, so that
  // recovery can treat a bad header in a record-less last segment as an interrupted creation.
  ACCORD_RETURN_IF_ERROR(file->Append(EncodeSegmentHeader(segment_number, next_sequence_)));
  ACCORD_RETURN_IF_ERROR(file->Sync());
  ACCORD_RETURN_IF_ERROR(fs_->SyncDir(dir_));
  file_ = std::move(file);
  segment_number_ = segment_number;
  segment_bytes_ = kSegmentHeaderSize;
  written->segment_first_sequence.push_back(next_sequence_);
  return OkStatus();
}

Status LogWriter::WriteBuffer(std::string* buffer) {
  if (buffer->empty()) return OkStatus();
  ACCORD_RETURN_IF_ERROR(file_->Append(*buffer));
  segment_bytes_ += buffer->size();
  buffer->clear();
  return file_->Sync();
}

Status LogWriter::WriteGroup(const std::vector<Waiter*>& group, std::vector<AppendResult>* results,
                             Positions* written) {
  std::size_t total_bytes = 0;
  for (const Waiter* waiter : group) {
    total_bytes += waiter->payload_bytes + waiter->payloads.size() * kRecordHeaderSize;
  }
  // Kept between groups so that its pages stay mapped, unless a huge group grew it.
  std::string& buffer = write_buffer_;
  if (buffer.capacity() > kMaxKeptWriteBufferBytes) buffer = std::string();
  buffer.clear();
  buffer.reserve(static_cast<std::size_t>(
      std::min<std::uint64_t>(total_bytes, options_.max_segment_bytes + kRecordHeaderSize)));
  Sha256 hasher;
  results->assign(group.size(), AppendResult{});
  for (std::size_t index = 0; index < group.size(); ++index) {
    AppendResult& result = (*results)[index];
    result.first_sequence = next_sequence_;
    for (std::string_view payload : group[index]->payloads) {
      const std::uint64_t record_size = kRecordHeaderSize + payload.size();
      const std::uint64_t pending = segment_bytes_ + buffer.size();
      if (pending > kSegmentHeaderSize && pending + record_size > options_.max_segment_bytes) {
        // The old segment is complete and durable before the next one exists, so only the
        // last segment can ever hold a torn write.
        ACCORD_RETURN_IF_ERROR(WriteBuffer(&buffer));
        ACCORD_RETURN_IF_ERROR(file_->Close());
        file_.reset();
        ACCORD_RETURN_IF_ERROR(StartSegment(segment_number_ + 1, written));
      }
      written->record_offsets.push_back(static_cast<std::uint32_t>(segment_bytes_ + buffer.size()));
      AppendRecord(&buffer, next_sequence_, last_hash_, payload);
      if (!hasher.Chain(last_hash_, next_sequence_, payload, &last_hash_)) return HashFailure();
      ++next_sequence_;
    }
    result.last_sequence = next_sequence_ - 1;
    result.last_hash = last_hash_;
  }
  // One write and one fsync for the whole group: this is the group commit. The group's leader
  // (its first waiter) may have work to do meanwhile.
  const std::function<void(std::uint64_t)>* while_syncing = group.front()->while_syncing;
  if (while_syncing == nullptr || !*while_syncing) return WriteBuffer(&buffer);
  ACCORD_RETURN_IF_ERROR(file_->Append(buffer));
  segment_bytes_ += buffer.size();
  buffer.clear();
  Status synced = OkStatus();
  internal::RunBoth(
      /*two_threads=*/true, [&] { (*while_syncing)(results->front().first_sequence); },
      [&] { synced = file_->Sync(); });
  return synced;
}

Result<AppendResult> LogWriter::Submit(Waiter* waiter) {
  std::unique_lock lock(mu_);
  queue_.push_back(waiter);
  waiter->ready.wait(lock, [&] { return waiter->done || queue_.front() == waiter; });
  if (waiter->done) return std::move(waiter->result);

  // This caller leads: it writes its own records and those of the callers queued behind it.
  std::vector<Waiter*> group;
  if (failure_.ok()) {
    std::size_t group_bytes = 0;
    for (Waiter* member : queue_) {
      if (!group.empty() && group_bytes + member->payload_bytes > kMaxGroupPayloadBytes) break;
      group.push_back(member);
      group_bytes += member->payload_bytes;
    }
    std::vector<AppendResult> results;
    Positions written;
    lock.unlock();
    Status status = WriteGroup(group, &results, &written);
    lock.lock();
    if (status.ok()) {
      acknowledged_sequence_ = results.back().last_sequence;
      acknowledged_hash_ = results.back().last_hash;
      positions_.segment_first_sequence.insert(positions_.segment_first_sequence.end(),
                                               written.segment_first_sequence.begin(),
                                               written.segment_first_sequence.end());
      positions_.record_offsets.insert(positions_.record_offsets.end(),
                                       written.record_offsets.begin(),
                                       written.record_offsets.end());
      for (std::size_t index = 0; index < group.size(); ++index) {
        group[index]->result = results[index];
      }
    } else {
      failure_ = status;
      for (Waiter* member : group) member->result = status;
    }
  } else {
    group.push_back(waiter);
    waiter->result = FailedPreconditionError(
        "ledger log " + dir_ + " refuses appends after an earlier failure: " + failure_.ToString() +
        " (reopen the log to recover)");
  }
  for (Waiter* member : group) {
    queue_.pop_front();  // the group is a prefix of the queue
    member->done = true;
    if (member != waiter) member->ready.notify_one();
  }
  if (!queue_.empty()) queue_.front()->ready.notify_one();
  return std::move(waiter->result);
}

Result<AppendResult> LogWriter::AppendBatch(const std::vector<std::string>& payloads) {
  std::vector<std::string_view> views(payloads.begin(), payloads.end());
  return AppendPayloads(views);
}

Result<AppendResult> LogWriter::AppendPayloads(
    std::span<const std::string_view> payloads,
    const std::function<void(std::uint64_t first_sequence)>& while_syncing) {
  if (payloads.empty()) return InvalidArgumentError("AppendBatch: the batch is empty");
  Waiter waiter;
  waiter.while_syncing = &while_syncing;
  waiter.payloads.reserve(payloads.size());
  for (std::size_t index = 0; index < payloads.size(); ++index) {
    if (payloads[index].size() > kMaxPayloadBytes) {
      return InvalidArgumentError("AppendBatch: payload " + std::to_string(index) + " has " +
                                  std::to_string(payloads[index].size()) +
                                  " bytes, more than the limit of " +
                                  std::to_string(kMaxPayloadBytes));
    }
    waiter.payloads.push_back(payloads[index]);
    waiter.payload_bytes += payloads[index].size();
  }
  return Submit(&waiter);
}

Result<AppendResult> LogWriter::Append(std::string_view payload) {
  if (payload.size() > kMaxPayloadBytes) {
    return InvalidArgumentError("Append: the payload has " + std::to_string(payload.size()) +
                                " bytes, more than the limit of " +
                                std::to_string(kMaxPayloadBytes));
  }
  Waiter waiter;
  waiter.payloads.push_back(payload);
  waiter.payload_bytes = payload.size();
  return Submit(&waiter);
}

std::uint64_t LogWriter::last_sequence() const {
  std::lock_guard lock(mu_);
  return acknowledged_sequence_;
}

ChainHash LogWriter::last_hash() const {
  std::lock_guard lock(mu_);
  return acknowledged_hash_;
}

Result<LogWriter::RecordLocation> LogWriter::Locate(std::uint64_t sequence) const {
  std::lock_guard lock(mu_);
  if (sequence == 0 || sequence > acknowledged_sequence_ ||
      sequence > positions_.record_offsets.size()) {
    return NotFoundError("ledger log " + dir_ + ": no acknowledged record " +
                         std::to_string(sequence) + " (the log holds " +
                         std::to_string(acknowledged_sequence_) + ")");
  }
  const auto& firsts = positions_.segment_first_sequence;
  // The segment is the last one whose first sequence is <= sequence.
  const auto after = std::upper_bound(firsts.begin(), firsts.end(), sequence);
  RecordLocation where;
  where.segment_number = static_cast<std::uint64_t>(after - firsts.begin());
  where.path = JoinPath(dir_, SegmentFileName(where.segment_number));
  where.offset = positions_.record_offsets[sequence - 1];
  where.segment_last_sequence = after == firsts.end() ? acknowledged_sequence_ : *after - 1;
  return where;
}

namespace {

// Most events are well under this; a longer record costs a second read.
constexpr std::size_t kFirstReadBytes = 4096;

// Checks the record at the start of `data` (read from `path` at `offset`) and that it has
// `sequence`. Damage here is never a torn tail: the record was acknowledged.
Result<std::string_view> CheckedPayload(std::string_view data, std::uint64_t sequence,
                                        const std::string& path, std::uint64_t offset) {
  const RecordCheck check = CheckRecord(data, 0);
  if (check.kind != RecordCheck::Kind::kValid) {
    return DataLossError(path + " offset " + std::to_string(offset) + ": " + check.problem);
  }
  const std::uint64_t stored = GetFixed64(data.data() + kRecordSequenceOffset);
  if (stored != sequence) {
    return DataLossError(path + " offset " + std::to_string(offset) + ": sequence " +
                         std::to_string(stored) + ", expected " + std::to_string(sequence));
  }
  return data.substr(kRecordHeaderSize, check.size - kRecordHeaderSize);
}

}  // namespace

Result<std::shared_ptr<const ReadableFile>> LogWriter::Readable(const RecordLocation& where) const {
  std::lock_guard lock(readers_mu_);
  if (readers_.size() < where.segment_number) readers_.resize(where.segment_number);
  std::shared_ptr<const ReadableFile>& reader = readers_[where.segment_number - 1];
  if (reader == nullptr) {
    ACCORD_ASSIGN_OR_RETURN(std::unique_ptr<ReadableFile> opened, fs_->OpenReadable(where.path));
    reader = std::move(opened);
  }
  return reader;
}

Result<std::string> LogWriter::ReadRecord(std::uint64_t sequence) const {
  ACCORD_ASSIGN_OR_RETURN(const RecordLocation where, Locate(sequence));
  const std::string& path = where.path;
  const std::uint64_t offset = where.offset;
  ACCORD_ASSIGN_OR_RETURN(const std::shared_ptr<const ReadableFile> file, Readable(where));
  ACCORD_ASSIGN_OR_RETURN(std::string data, file->ReadRange(offset, kFirstReadBytes));
  if (data.size() >= kRecordHeaderSize) {
    const std::size_t length = GetFixed32(data.data() + kRecordLengthOffset);
    if (length <= kMaxPayloadBytes && kRecordHeaderSize + length > data.size()) {
      ACCORD_ASSIGN_OR_RETURN(data, file->ReadRange(offset, kRecordHeaderSize + length));
    }
  }
  ACCORD_ASSIGN_OR_RETURN(std::string_view payload, CheckedPayload(data, sequence, path, offset));
  return std::string(payload);
}

Status LogWriter::ReadRecords(
    std::uint64_t first, std::uint64_t last,
    const std::function<Status(std::uint64_t, std::string_view)>& visit) const {
  return ReadRecordBatches(first, last, [&](std::span<const Record> records) -> Status {
    for (const Record& record : records) {
      ACCORD_RETURN_IF_ERROR(visit(record.sequence, record.payload));
    }
    return OkStatus();
  });
}

Status LogWriter::ReadRecordBatches(
    std::uint64_t first, std::uint64_t last,
    const std::function<Status(std::span<const Record>)>& visit) const {
  if (first == 0 || first > last) {
    return NotFoundError("ledger log " + dir_ + ": empty record range " + std::to_string(first) +
                         ".." + std::to_string(last));
  }
  ACCORD_RETURN_IF_ERROR(Locate(last).status());
  // Large sequential reads; a chunk that ends inside a record is read again from that record's
  // start, so a record is always whole when it is checked. The segment stays open (Readable)
  // and one buffer serves every chunk: a month's run reads gigabytes this way.
  constexpr std::size_t kChunkBytes = std::size_t{4} << 20;
  std::string chunk;
  std::vector<Record> batch;
  std::uint64_t sequence = first;
  while (sequence <= last) {
    ACCORD_ASSIGN_OR_RETURN(const RecordLocation where, Locate(sequence));
    const std::uint64_t stop = std::min(last, where.segment_last_sequence);
    ACCORD_ASSIGN_OR_RETURN(const std::shared_ptr<const ReadableFile> file, Readable(where));
    ACCORD_RETURN_IF_ERROR(file->ReadRangeInto(where.offset, kChunkBytes, &chunk));
    std::size_t at = 0;
    batch.clear();
    while (sequence <= stop) {
      const std::string_view rest = std::string_view(chunk).substr(at);
      if (rest.size() < kRecordHeaderSize ||
          kRecordHeaderSize + GetFixed32(rest.data() + kRecordLengthOffset) > rest.size()) {
        break;
      }
      Result<std::string_view> payload =
          CheckedPayload(rest, sequence, where.path, where.offset + at);
      if (!payload.ok()) {
        // The records before the damage are whole: they are given before the error, as one at
        // a time would have been.
        if (!batch.empty()) ACCORD_RETURN_IF_ERROR(visit(batch));
        return payload.status();
      }
      batch.push_back({sequence, *payload});
      at += kRecordHeaderSize + payload->size();
      ++sequence;
    }
    if (!batch.empty()) ACCORD_RETURN_IF_ERROR(visit(batch));
    if (at == 0 && sequence <= stop) {
      // One record larger than a chunk (or cut short on disk: ReadRecord reports which).
      ACCORD_ASSIGN_OR_RETURN(const std::string payload, ReadRecord(sequence));
      const Record whole{sequence, payload};
      ACCORD_RETURN_IF_ERROR(visit(std::span<const Record>(&whole, 1)));
      ++sequence;
    }
  }
  return OkStatus();
}

Status LogReader::ForEach(std::uint64_t from_sequence, const RecordVisitor& visit) const {
  const RecoveryVisitor each = [&visit](std::span<const RecoveredRecord> records) -> Status {
    for (const RecoveredRecord& record : records) {
      ACCORD_RETURN_IF_ERROR(visit(record.sequence, *record.chain_hash, record.payload));
    }
    return OkStatus();
  };
  return ScanLog(fs_, dir_, from_sequence, &each, nullptr, scan_, {}).status();
}

Result<LogSummary> LogReader::Verify() const {
  ACCORD_ASSIGN_OR_RETURN(
      const ScanResult scan,
      ScanLog(fs_, dir_, std::numeric_limits<std::uint64_t>::max(), nullptr, nullptr, scan_, {}));
  LogSummary summary;
  summary.segment_count = scan.segment_count;
  summary.record_count = scan.record_count;
  summary.last_sequence = scan.next_sequence - 1;
  summary.last_hash = scan.last_hash;
  summary.torn_tail_bytes = scan.last_file_size - scan.last_valid_end;
  return summary;
}

}  // namespace accord::ledger
