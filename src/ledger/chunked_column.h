// ChunkedColumn: an append-only array of plain values (hashes, times, sequence numbers) for
// the ledger's in-memory indexes, which grow by one entry per event for as long as the ledger
// lives.
//
// The values are kept in chunks of 2 MiB, allocated whole once the first is full, so growing
// never moves what is stored and never asks for more fresh memory than one chunk. A
// std::vector doubles instead: at millions of events that copied tens of megabytes into memory
// touched for the first time, which the development VM writes at 0.3–1.5 GB/s, and the ledger's
// intake waited for it (docs/decisions/0010-ledger-intake-rate.md). Each chunk is one
// transparent huge page (HugePageAllocator), faulted in once rather than 512 times.
//
//   ChunkedColumn<int64_t> times;
//   times.push_back(1767225600000);
//   int64_t first = times[0];
//
// SaveTo writes the count and then the values as one contiguous array, which is what a
// std::vector written the same way gives, so the ledger's state file does not depend on it.
//
// Thread safety: a movable value; const methods may run concurrently, push_back needs
// exclusive access.
#ifndef ACCORD_LEDGER_CHUNKED_COLUMN_H_
#define ACCORD_LEDGER_CHUNKED_COLUMN_H_

#include <algorithm>
#include <bit>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "core/memory.h"
#include "core/status.h"
#include "ledger/state_file.h"

namespace accord::ledger {

template <typename T>
class ChunkedColumn {
  static_assert(std::is_trivially_copyable_v<T>);
  static_assert(sizeof(T) <= kHugePageBytes && kHugePageBytes % sizeof(T) == 0 &&
                    (sizeof(T) & (sizeof(T) - 1)) == 0,
                "a chunk must be a whole number of values, a power of two");

 public:
  using value_type = T;
  uint64_t size() const { return size_; }
  const T& operator[](uint64_t index) const { return chunks_[index >> kChunkBits][index & kMask]; }
  const T& back() const { return (*this)[size_ - 1]; }

  void push_back(const T& value) {
    if ((size_ & kMask) == 0) {
      chunks_.emplace_back();
      // A column that filled one chunk will fill the next: allocated whole, it is never copied
      // as it grows. The first chunk grows as needed, so small columns stay small.
      if (size_ != 0) chunks_.back().reserve(kMask + 1);
    }
    chunks_.back().push_back(value);
    ++size_;
  }

  // The count, then the values.
  void SaveTo(StateWriter* out) const {
    out->Put64(size_);
    for (const Chunk& chunk : chunks_) out->PutBytes(chunk.data(), chunk.size() * sizeof(T));
  }
  // Appends `count` values read from `in` (the count SaveTo wrote, read and checked by the
  // caller) to an empty column. DataLoss when the file ends first.
  Status LoadFrom(StateReader* in, uint64_t count) {
    while (size_ < count) {
      const uint64_t take = std::min<uint64_t>(count - size_, kMask + 1);
      chunks_.emplace_back();
      // As in push_back, only a column longer than one chunk takes whole chunks: a small
      // ledger's state loads into small blocks, not a 2 MiB huge page per column (each one a
      // fault that zeroes 2 MiB: tens of milliseconds an Open on this VM). A power of two, so
      // that push_back's doublings end at exactly one chunk.
      chunks_.back().reserve(size_ != 0 ? kMask + 1 : std::bit_ceil(take));
      chunks_.back().resize(take);
      ACCORD_RETURN_IF_ERROR(in->GetBytes(chunks_.back().data(), take * sizeof(T)));
      size_ += take;
    }
    return OkStatus();
  }

 private:
  using Chunk = std::vector<T, HugePageAllocator<T>>;
  static constexpr int kChunkBits = std::countr_zero(kHugePageBytes / sizeof(T));
  static constexpr uint64_t kMask = (uint64_t{1} << kChunkBits) - 1;
  std::vector<Chunk> chunks_;
  uint64_t size_ = 0;
};

}  // namespace accord::ledger

#endif  // ACCORD_LEDGER_CHUNKED_COLUMN_H_
