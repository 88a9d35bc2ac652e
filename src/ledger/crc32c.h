// CRC-32C (Castagnoli): the checksum of every ledger record and segment header.
//
// CRC-32C is the polynomial 0x1EDC6F41 (reflected 0x82F63B78) of RFC 3720 (iSCSI). It is chosen
// over zlib's CRC-32 because x86-64 computes it in hardware (the SSE4.2 `crc32` instruction, about
// 8 bytes per cycle-triple), and because it detects all burst errors up to 32 bits and all odd
// numbers of flipped bits in the record sizes we use.
//
//   uint32_t crc = crc32c::Value(data, size);
//   crc = crc32c::Extend(crc, more, more_size);      // == Value(data ++ more)
//   PutFixed32(out, crc32c::Mask(crc));              // what goes on disk
//
// Value/Extend pick the hardware path when the running CPU has SSE4.2 (checked once, at first
// use), and a table-driven software path otherwise; both give identical results, so files move
// freely between machines. The binary is built for baseline x86-64 and still runs on CPUs
// without SSE4.2.
//
// Thread safety: pure functions.
#ifndef ACCORD_LEDGER_CRC32C_H_
#define ACCORD_LEDGER_CRC32C_H_

#include <cstddef>
#include <cstdint>

namespace accord::ledger::crc32c {

// Returns the CRC-32C of data[0, size) appended to a byte string whose CRC-32C is `crc`
// (pass 0 to start). Extend(Extend(0, a), b) == Extend(0, a ++ b).
std::uint32_t Extend(std::uint32_t crc, const void* data, std::size_t size);

// Returns the CRC-32C of data[0, size).
inline std::uint32_t Value(const void* data, std::size_t size) { return Extend(0, data, size); }

// Returns a "masked" form of `crc` for storing on disk. The CRC of a byte string that itself
// contains its own or other CRCs is weak (a record whose payload embeds a CRC of similar bytes,
// or a checksum over a region that holds checksums, produces structured, easily-repeated values;
// in particular CRC(x ++ CRC(x)) is a constant for every x). Rotating the value by 15 bits and
// adding a constant breaks that algebraic relation, so a stored checksum is never the plain CRC
// of nearby bytes. Every CRC written by the ledger is masked; Unmask inverts Mask exactly.
std::uint32_t Mask(std::uint32_t crc);
std::uint32_t Unmask(std::uint32_t masked_crc);

// For tests and benchmarks: the two implementations behind Extend. ExtendHardware must only be
// called when HardwareAvailable() is true (it executes SSE4.2 instructions).
bool HardwareAvailable();
std::uint32_t ExtendPortable(std::uint32_t crc, const void* data, std::size_t size);
std::uint32_t ExtendHardware(std::uint32_t crc, const void* data, std::size_t size);

}  // namespace accord::ledger::crc32c

#endif  // ACCORD_LEDGER_CRC32C_H_
