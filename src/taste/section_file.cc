#include "taste/section_file.h"

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>

namespace accord::taste {
namespace {

constexpr char kMagic[8] = {'A', 'C', 'C', 'T', 'A', 'S', 'T', 'E'};
// magic, version, kind, section count.
constexpr size_t kHeaderBytes = 8 + 4 + 4 + 4;
constexpr size_t kSectionHeaderBytes = 4 + 8;

std::array<uint32_t, 256> MakeCrcTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t byte = 0; byte < 256; ++byte) {
    uint32_t crc = byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
    table[byte] = crc;
  }
  return table;
}

template <typename T>
void Append(std::string* out, T value) {
  out->append(reinterpret_cast<const char*>(&value), sizeof(T));
}

template <typename T>
T Load(const char* data) {
  T value;
  std::memcpy(&value, data, sizeof(T));
  return value;
}

}  // namespace

uint32_t Crc32c(const void* data, size_t size, uint32_t crc) {
  static const std::array<uint32_t, 256> table = MakeCrcTable();
  const auto* bytes = static_cast<const uint8_t*>(data);
  crc = ~crc;
  for (size_t i = 0; i < size; ++i) crc = table[(crc ^ bytes[i]) & 0xFFu] ^ (crc >> 8);
  return ~crc;
}

void SectionWriter::AddBytes(uint32_t tag, const void* data, size_t size) {
  sections_.emplace_back(tag, std::string(static_cast<const char*>(data), size));
}

void SectionWriter::AddStrings(uint32_t tag, const std::vector<std::string>& values) {
  std::string bytes;
  Append<uint64_t>(&bytes, values.size());
  for (const std::string& value : values) {
    Append<uint32_t>(&bytes, static_cast<uint32_t>(value.size()));
    bytes += value;
  }
  sections_.emplace_back(tag, std::move(bytes));
}

Status SectionWriter::WriteFile(const std::string& path) const {
  std::string out(kMagic, sizeof(kMagic));
  Append<uint32_t>(&out, kSectionFileVersion);
  Append<uint32_t>(&out, kind_);
  Append<uint32_t>(&out, static_cast<uint32_t>(sections_.size()));
  for (const auto& [tag, bytes] : sections_) {
    Append<uint32_t>(&out, tag);
    Append<uint64_t>(&out, bytes.size());
    out += bytes;
  }
  Append<uint32_t>(&out, Crc32c(out.data(), out.size()));

  const std::string tmp = path + ".tmp";
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  {
    std::ofstream file(tmp, std::ios::binary | std::ios::trunc);
    if (!file) return InternalError(tmp + ": cannot open for writing");
    file.write(out.data(), static_cast<std::streamsize>(out.size()));
    file.flush();
    if (!file) return InternalError(tmp + ": write failed (disk full?)");
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    return InternalError(path + ": cannot rename the new file into place");
  }
  return OkStatus();
}

Result<SectionReader> SectionReader::Open(const std::string& path, uint32_t kind) {
  std::error_code ec;
  const uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) return NotFoundError(path + ": cannot open (" + ec.message() + ")");
  if (size > kMaxSectionFileBytes) return DataLossError(path + ": file too large");
  SectionReader reader;
  reader.path_ = path;
  reader.contents_.resize(size);
  {
    std::ifstream file(path, std::ios::binary);
    if (!file) return NotFoundError(path + ": cannot open");
    file.read(reader.contents_.data(), static_cast<std::streamsize>(size));
    if (!file) return DataLossError(path + ": short read");
  }
  const std::string& c = reader.contents_;
  if (c.size() < kHeaderBytes + 4 || std::memcmp(c.data(), kMagic, sizeof(kMagic)) != 0) {
    return DataLossError(path + ": not an accord taste file (bad magic or too short)");
  }
  const uint32_t stored_crc = Load<uint32_t>(c.data() + c.size() - 4);
  if (Crc32c(c.data(), c.size() - 4) != stored_crc) {
    return DataLossError(path + ": checksum mismatch (file damaged or truncated)");
  }
  if (Load<uint32_t>(c.data() + 8) != kSectionFileVersion) {
    return DataLossError(path + ": unsupported version " +
                         std::to_string(Load<uint32_t>(c.data() + 8)));
  }
  if (Load<uint32_t>(c.data() + 12) != kind) {
    return DataLossError(path + ": wrong file kind " +
                         std::to_string(Load<uint32_t>(c.data() + 12)) + ", expected " +
                         std::to_string(kind));
  }
  const uint32_t count = Load<uint32_t>(c.data() + 16);
  size_t offset = kHeaderBytes;
  const size_t end = c.size() - 4;
  for (uint32_t s = 0; s < count; ++s) {
    if (end - offset < kSectionHeaderBytes) {
      return DataLossError(path + ": section " + std::to_string(s) + " header past the end");
    }
    const uint32_t tag = Load<uint32_t>(c.data() + offset);
    const uint64_t length = Load<uint64_t>(c.data() + offset + 4);
    offset += kSectionHeaderBytes;
    if (length > end - offset) {
      return DataLossError(path + ": section " + std::to_string(tag) + " runs past the end");
    }
    reader.sections_.push_back({tag, {offset, static_cast<size_t>(length)}});
    offset += length;
  }
  if (offset != end) return DataLossError(path + ": trailing bytes after the last section");
  return reader;
}

bool SectionReader::Has(uint32_t tag) const {
  for (const auto& section : sections_) {
    if (section.first == tag) return true;
  }
  return false;
}

Result<std::string_view> SectionReader::Bytes(uint32_t tag) const {
  for (const auto& [section_tag, where] : sections_) {
    if (section_tag == tag) return std::string_view(contents_).substr(where.first, where.second);
  }
  return SectionError(tag, "missing");
}

Result<std::vector<std::string>> SectionReader::Strings(uint32_t tag) const {
  ACCORD_ASSIGN_OR_RETURN(std::string_view bytes, Bytes(tag));
  if (bytes.size() < 8) return SectionError(tag, "string table too short");
  const uint64_t count = Load<uint64_t>(bytes.data());
  // Each string needs at least its 4-byte length, which bounds a lying count.
  if (count > (bytes.size() - 8) / 4) return SectionError(tag, "string count too large");
  std::vector<std::string> out;
  out.reserve(count);
  size_t offset = 8;
  for (uint64_t i = 0; i < count; ++i) {
    if (bytes.size() - offset < 4) return SectionError(tag, "string table truncated");
    const uint32_t length = Load<uint32_t>(bytes.data() + offset);
    offset += 4;
    if (length > bytes.size() - offset) return SectionError(tag, "string runs past the end");
    out.emplace_back(bytes.substr(offset, length));
    offset += length;
  }
  if (offset != bytes.size()) return SectionError(tag, "trailing bytes in string table");
  return out;
}

Status SectionReader::SectionError(uint32_t tag, std::string_view what) const {
  return DataLossError(path_ + ": section " + std::to_string(tag) + ": " + std::string(what));
}

}  // namespace accord::taste
