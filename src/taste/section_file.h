// SectionFile: the container of the taste layer's files in the data directory
// (taste/listening.bin, taste/model.bin). Format: docs/formats/listening.md ("Binary files").
//
// A file is a magic, a version, a kind and a list of tagged sections, closed by a CRC-32C of
// every byte before it. Readers load the whole file, check the checksum and every length
// before they hand out a byte, so a truncated or altered file is DataLoss naming the file and
// the section, never a crash or garbage factors.
//
//   SectionWriter out(kListeningFileKind);
//   out.AddVector(kTagOffsets, offsets);
//   ACCORD_RETURN_IF_ERROR(out.WriteFile(path));     // temp file + rename: all or nothing
//   ACCORD_ASSIGN_OR_RETURN(SectionReader in, SectionReader::Open(path, kListeningFileKind));
//   ACCORD_ASSIGN_OR_RETURN(std::vector<uint64_t> offsets, in.Vector<uint64_t>(kTagOffsets));
//
// Numbers are little-endian (the only byte order accord builds on; checked at compile time).
// Thread safety: values; one thread per object.
#ifndef ACCORD_TASTE_SECTION_FILE_H_
#define ACCORD_TASTE_SECTION_FILE_H_

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/status.h"

namespace accord::taste {

static_assert(std::endian::native == std::endian::little, "taste files are little-endian");

inline constexpr uint32_t kSectionFileVersion = 1;
inline constexpr uint32_t kListeningFileKind = 1;
inline constexpr uint32_t kModelFileKind = 2;
// Refuse files larger than this before reading them (the bound on what we trust from disk).
inline constexpr uint64_t kMaxSectionFileBytes = uint64_t{16} << 30;

// CRC-32C (Castagnoli), the checksum of the section files.
uint32_t Crc32c(const void* data, size_t size, uint32_t crc = 0);

class SectionWriter {
 public:
  explicit SectionWriter(uint32_t kind) : kind_(kind) {}
  void AddBytes(uint32_t tag, const void* data, size_t size);
  template <typename T>
  void AddVector(uint32_t tag, const std::vector<T>& values) {
    static_assert(std::is_trivially_copyable_v<T>);
    AddBytes(tag, values.data(), values.size() * sizeof(T));
  }
  void AddStrings(uint32_t tag, const std::vector<std::string>& values);
  // Writes PATH.tmp, flushes it and renames it over PATH. Internal error naming the path when
  // the disk refuses; on failure PATH is left as it was.
  Status WriteFile(const std::string& path) const;

 private:
  uint32_t kind_;
  std::vector<std::pair<uint32_t, std::string>> sections_;
};

class SectionReader {
 public:
  // NotFound when the file cannot be opened; DataLoss when the magic, version, kind, a length
  // or the checksum is wrong (the message names the file).
  static Result<SectionReader> Open(const std::string& path, uint32_t kind);

  bool Has(uint32_t tag) const;
  // The section's bytes; DataLoss when it is missing.
  Result<std::string_view> Bytes(uint32_t tag) const;
  // DataLoss when missing or when its length is not a multiple of sizeof(T).
  template <typename T>
  Result<std::vector<T>> Vector(uint32_t tag) const {
    static_assert(std::is_trivially_copyable_v<T>);
    ACCORD_ASSIGN_OR_RETURN(std::string_view bytes, Bytes(tag));
    if (bytes.size() % sizeof(T) != 0) return SectionError(tag, "length not a multiple of item");
    std::vector<T> out(bytes.size() / sizeof(T));
    if (!bytes.empty()) std::memcpy(out.data(), bytes.data(), bytes.size());
    return out;
  }
  Result<std::vector<std::string>> Strings(uint32_t tag) const;
  const std::string& path() const { return path_; }
  // DataLoss "PATH: section TAG: what".
  Status SectionError(uint32_t tag, std::string_view what) const;

 private:
  std::string path_;
  std::string contents_;
  std::vector<std::pair<uint32_t, std::pair<size_t, size_t>>> sections_;  // tag -> offset, size
};

}  // namespace accord::taste

#endif  // ACCORD_TASTE_SECTION_FILE_H_
