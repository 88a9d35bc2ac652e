#include "ledger/crc32c.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace accord::ledger::crc32c {
namespace {

// The reflected form of the Castagnoli polynomial 0x1EDC6F41.
constexpr std::uint32_t kPolynomial = 0x82F63B78u;

// Added after the rotation in Mask. Any constant with bits spread over the word works; this one
// is the value LevelDB and RocksDB use, which keeps our masked CRCs comparable with theirs when
// someone inspects a file with their tools in mind.
constexpr std::uint32_t kMaskDelta = 0xA282EAD8u;

// Slicing-by-8 tables: table[0] is the classic byte-at-a-time table; table[k][b] is the CRC
// contribution of byte b followed by k zero bytes, so eight input bytes fold in with eight
// independent lookups instead of a serial chain of eight.
using Tables = std::array<std::array<std::uint32_t, 256>, 8>;

constexpr Tables MakeTables() {
  Tables tables{};
  for (std::uint32_t byte = 0; byte < 256; ++byte) {
    std::uint32_t crc = byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1u) ? kPolynomial : 0u);
    tables[0][byte] = crc;
  }
  for (std::size_t slice = 1; slice < 8; ++slice) {
    for (std::size_t byte = 0; byte < 256; ++byte) {
      const std::uint32_t previous = tables[slice - 1][byte];
      tables[slice][byte] = (previous >> 8) ^ tables[0][previous & 0xFFu];
    }
  }
  return tables;
}

constexpr Tables kTables = MakeTables();

std::uint64_t LoadLittleEndian64(const unsigned char* p) {
  std::uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | p[i];
  return value;
}

#if defined(__x86_64__)
// Compiled for SSE4.2 regardless of the build's -march, and only ever called after the runtime
// check in HardwareAvailable(), so the rest of the program stays baseline x86-64.
__attribute__((target("sse4.2"))) std::uint32_t ExtendSse42(std::uint32_t crc,
                                                            const unsigned char* p,
                                                            std::size_t size) {
  std::uint64_t state = crc ^ 0xFFFFFFFFu;
  // Align to 8 bytes so the 64-bit loads in the main loop never straddle a cache line.
  while (size > 0 && (reinterpret_cast<std::uintptr_t>(p) & 7u) != 0) {
    state = _mm_crc32_u8(static_cast<std::uint32_t>(state), *p++);
    --size;
  }
  while (size >= 8) {
    std::uint64_t word;
    std::memcpy(&word, p, sizeof(word));
    state = _mm_crc32_u64(state, word);
    p += 8;
    size -= 8;
  }
  while (size > 0) {
    state = _mm_crc32_u8(static_cast<std::uint32_t>(state), *p++);
    --size;
  }
  return static_cast<std::uint32_t>(state) ^ 0xFFFFFFFFu;
}
#endif

}  // namespace

std::uint32_t ExtendPortable(std::uint32_t crc, const void* data, std::size_t size) {
  const auto* p = static_cast<const unsigned char*>(data);
  std::uint32_t state = crc ^ 0xFFFFFFFFu;
  while (size >= 8) {
    // Little-endian interpretation keeps the result independent of the host's byte order.
    const std::uint64_t word = LoadLittleEndian64(p) ^ state;
    state = kTables[7][word & 0xFFu] ^ kTables[6][(word >> 8) & 0xFFu] ^
            kTables[5][(word >> 16) & 0xFFu] ^ kTables[4][(word >> 24) & 0xFFu] ^
            kTables[3][(word >> 32) & 0xFFu] ^ kTables[2][(word >> 40) & 0xFFu] ^
            kTables[1][(word >> 48) & 0xFFu] ^ kTables[0][(word >> 56) & 0xFFu];
    p += 8;
    size -= 8;
  }
  while (size > 0) {
    state = (state >> 8) ^ kTables[0][(state ^ *p++) & 0xFFu];
    --size;
  }
  return state ^ 0xFFFFFFFFu;
}

bool HardwareAvailable() {
#if defined(__x86_64__)
  static const bool available = __builtin_cpu_supports("sse4.2");
  return available;
#else
  return false;
#endif
}

std::uint32_t ExtendHardware(std::uint32_t crc, const void* data, std::size_t size) {
#if defined(__x86_64__)
  if (HardwareAvailable()) return ExtendSse42(crc, static_cast<const unsigned char*>(data), size);
#endif
  // Not reachable through Extend; a direct caller on a CPU without SSE4.2 still gets the right
  // answer rather than an illegal-instruction trap.
  return ExtendPortable(crc, data, size);
}

std::uint32_t Extend(std::uint32_t crc, const void* data, std::size_t size) {
#if defined(__x86_64__)
  if (HardwareAvailable()) return ExtendSse42(crc, static_cast<const unsigned char*>(data), size);
#endif
  return ExtendPortable(crc, data, size);
}

std::uint32_t Mask(std::uint32_t crc) { return ((crc >> 15) | (crc << 17)) + kMaskDelta; }

std::uint32_t Unmask(std::uint32_t masked_crc) {
  const std::uint32_t rotated = masked_crc - kMaskDelta;
  return (rotated >> 17) | (rotated << 15);
}

}  // namespace accord::ledger::crc32c
