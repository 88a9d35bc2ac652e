#include "ledger/state_file.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "ledger/crc32c.h"

namespace accord::ledger {
namespace {

// The trailer: the length of the body (u64), its masked CRC-32C (u32) and a marker (u32), so
// that a file cut anywhere, even at a piece boundary, fails the length check.
constexpr std::size_t kTrailerBytes = 16;
constexpr std::uint32_t kTrailerMarker = 0x4c415453;  // "STAL" in a little-endian dump

// Writes go out in pieces of this size; reads come in pieces of this size (reused by the
// allocator, as in the log's recovery scan: docs/decisions/0011-ledger-recovery-speed.md).
constexpr std::size_t kPieceBytes = std::size_t{1} << 20;

}  // namespace

Result<StateWriter> StateWriter::Create(FileSystem* fs, std::string path) {
  Result<std::uint64_t> existing = fs->FileSize(path);
  if (existing.ok()) return FailedPreconditionError(path + " exists already");
  ACCORD_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, fs->NewAppendableFile(path));
  StateWriter writer(std::move(file), std::move(path));
  writer.buffer_.reserve(kPieceBytes);
  return writer;
}

void StateWriter::PutBytes(const void* data, std::size_t size) {
  const char* bytes = static_cast<const char*>(data);
  crc_ = crc32c::Extend(crc_, bytes, size);
  while (size > 0) {
    const std::size_t take = std::min(size, kPieceBytes - buffer_.size());
    buffer_.append(bytes, take);
    bytes += take;
    size -= take;
    if (buffer_.size() == kPieceBytes) Flush();
  }
}

void StateWriter::Flush() {
  if (error_.ok() && !buffer_.empty()) error_ = file_->Append(buffer_);
  written_ += buffer_.size();
  buffer_.clear();
}

Status StateWriter::Finish() {
  Flush();
  const std::uint64_t body = written_;
  const std::uint32_t masked = crc32c::Mask(crc_);
  buffer_.append(reinterpret_cast<const char*>(&body), sizeof body);
  buffer_.append(reinterpret_cast<const char*>(&masked), sizeof masked);
  buffer_.append(reinterpret_cast<const char*>(&kTrailerMarker), sizeof kTrailerMarker);
  Flush();
  ACCORD_RETURN_IF_ERROR(error_);
  ACCORD_RETURN_IF_ERROR(file_->Sync());
  return file_->Close();
}

Result<StateReader> StateReader::Open(FileSystem* fs, std::string path) {
  ACCORD_ASSIGN_OR_RETURN(const std::uint64_t size, fs->FileSize(path));
  if (size < kTrailerBytes) {
    return DataLossError(path + ": " + std::to_string(size) +
                         " bytes is too short for a state file");
  }
  return StateReader(fs, std::move(path), size, size - kTrailerBytes);
}

Status StateReader::Damaged(std::string_view problem) const {
  return DataLossError(path_ + ": " + std::string(problem));
}

Status StateReader::Fill() {
  piece_offset_ = position_;
  // Up to the end of the file, trailer included (Finish moves body_bytes_ to read the trailer).
  const std::size_t length =
      static_cast<std::size_t>(std::min<std::uint64_t>(kPieceBytes, file_bytes_ - position_));
  ACCORD_ASSIGN_OR_RETURN(piece_, fs_->ReadRange(path_, position_, length));
  if (piece_.size() < length) return Damaged("the file shrank while it was read");
  return OkStatus();
}

Status StateReader::GetBytes(void* data, std::size_t size) {
  if (size > remaining()) return Damaged("ends before its contents do");
  char* out = static_cast<char*>(data);
  while (size > 0) {
    if (position_ >= piece_offset_ + piece_.size()) ACCORD_RETURN_IF_ERROR(Fill());
    const std::size_t at = static_cast<std::size_t>(position_ - piece_offset_);
    const std::size_t take = std::min(size, piece_.size() - at);
    std::memcpy(out, piece_.data() + at, take);
    crc_ = crc32c::Extend(crc_, out, take);
    out += take;
    size -= take;
    position_ += take;
  }
  return OkStatus();
}

Result<std::uint64_t> StateReader::Get64() {
  std::uint64_t value = 0;
  ACCORD_RETURN_IF_ERROR(GetBytes(&value, sizeof value));
  return value;
}

Result<std::uint64_t> StateReader::GetCount(std::size_t item_bytes, std::string_view what) {
  ACCORD_ASSIGN_OR_RETURN(const std::uint64_t count, Get64());
  if (item_bytes > 0 && count > remaining() / item_bytes) {
    return Damaged(std::string(what) + ": " + std::to_string(count) + " items of " +
                   std::to_string(item_bytes) + " bytes do not fit in the " +
                   std::to_string(remaining()) + " bytes left");
  }
  return count;
}

Status StateReader::Finish() {
  if (remaining() != 0) {
    return Damaged(std::to_string(remaining()) + " bytes left unread before the trailer");
  }
  std::uint64_t body = 0;
  std::uint32_t masked = 0;
  std::uint32_t marker = 0;
  const std::uint32_t crc = crc_;
  // The trailer is read past the body's end, outside the CRC.
  body_bytes_ += kTrailerBytes;
  ACCORD_RETURN_IF_ERROR(GetBytes(&body, sizeof body));
  ACCORD_RETURN_IF_ERROR(GetBytes(&masked, sizeof masked));
  ACCORD_RETURN_IF_ERROR(GetBytes(&marker, sizeof marker));
  body_bytes_ -= kTrailerBytes;
  if (marker != kTrailerMarker || body != body_bytes_) {
    return Damaged("the trailer is missing or damaged (a write cut short?)");
  }
  if (crc32c::Unmask(masked) != crc) return Damaged("checksum mismatch");
  return OkStatus();
}

}  // namespace accord::ledger
