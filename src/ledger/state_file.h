// The ledger's state file: its in-memory indexes and Merkle tree saved to disk, so that Open can
// read them back instead of rebuilding them from every record of the log.
//
// The log stays the only source of truth. A state file is a cache of what recovery would compute
// from the log's first N records: Open uses it only when it reads back whole and checks
// (trailer CRC-32C, sizes, every reference in range), and when record N of the log has the chain
// hash the file names; otherwise Open rebuilds from the log as if there were no file
// (docs/decisions/0013-ledger-state-file.md, the byte layout in docs/formats/ledger_state.md).
//
//   ACCORD_ASSIGN_OR_RETURN(StateWriter out, StateWriter::Create(fs, path));
//   out.Put64(count);
//   out.PutBytes(values.data(), values.size() * sizeof(uint64_t));
//   ACCORD_RETURN_IF_ERROR(out.Finish());            // trailer, fsync, close
//
//   ACCORD_ASSIGN_OR_RETURN(StateReader in, StateReader::Open(fs, path));
//   ACCORD_ASSIGN_OR_RETURN(uint64_t count, in.GetCount(sizeof(uint64_t), "values"));
//   ACCORD_RETURN_IF_ERROR(in.GetBytes(values.data(), count * sizeof(uint64_t)));
//   ACCORD_RETURN_IF_ERROR(in.Finish());             // everything read, CRC matches
//
// Numbers are written as the machine holds them (little-endian on x86-64 and arm64); the header
// records a marker so that a file from a machine of the other byte order is refused, not misread.
//
// Errors: a StateReader reports every problem (short file, a count larger than what is left, a
// checksum mismatch) as DataLoss naming the file and what is wrong; the ledger then rebuilds
// from the log. A StateWriter returns the FileSystem's I/O errors.
//
// Thread safety: each object is used by one thread at a time.
#ifndef ACCORD_LEDGER_STATE_FILE_H_
#define ACCORD_LEDGER_STATE_FILE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "ledger/file_system.h"

namespace accord::ledger {

class StateWriter {
 public:
  // Creates `path`, which must not exist (a state file is never appended to).
  static Result<StateWriter> Create(FileSystem* fs, std::string path);

  void Put64(std::uint64_t value) { PutBytes(&value, sizeof value); }
  void PutBytes(const void* data, std::size_t size);

  // Writes the trailer (length and CRC-32C of everything before it), fsyncs and closes. Any
  // write error since Create is reported here (Put* only buffer and remember the first error).
  Status Finish();

 private:
  StateWriter(std::unique_ptr<WritableFile> file, std::string path)
      : file_(std::move(file)), path_(std::move(path)) {}
  void Flush();

  std::unique_ptr<WritableFile> file_;
  std::string path_;
  std::string buffer_;
  std::uint64_t written_ = 0;  // bytes before the buffer
  std::uint32_t crc_ = 0;
  Status error_;
};

class StateReader {
 public:
  // Opens `path` and checks that it is long enough for a trailer. NotFound if it does not exist.
  static Result<StateReader> Open(FileSystem* fs, std::string path);

  Result<std::uint64_t> Get64();
  // Fills `data` with the next `size` bytes.
  Status GetBytes(void* data, std::size_t size);
  // A count of items of `item_bytes` each that are to follow: DataLoss naming `what` when they
  // could not fit in what is left of the file, so that no damaged count makes the loader
  // allocate more than the file holds.
  Result<std::uint64_t> GetCount(std::size_t item_bytes, std::string_view what);

  // Bytes left before the trailer.
  std::uint64_t remaining() const { return body_bytes_ - position_; }

  // Checks that every byte before the trailer was read and that the CRC-32C matches.
  Status Finish();

  // DataLoss "PATH: <problem>".
  Status Damaged(std::string_view problem) const;

 private:
  StateReader(FileSystem* fs, std::string path, std::uint64_t file_bytes, std::uint64_t body_bytes)
      : fs_(fs), path_(std::move(path)), file_bytes_(file_bytes), body_bytes_(body_bytes) {}
  Status Fill();

  FileSystem* fs_;
  std::string path_;
  std::uint64_t file_bytes_ = 0;
  std::uint64_t body_bytes_ = 0;  // the file without its trailer
  std::uint64_t position_ = 0;    // bytes consumed
  std::string piece_;             // read ahead, from piece_offset_
  std::uint64_t piece_offset_ = 0;
  std::uint32_t crc_ = 0;
};

}  // namespace accord::ledger

#endif  // ACCORD_LEDGER_STATE_FILE_H_
