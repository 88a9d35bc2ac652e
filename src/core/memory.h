// Memory hints shared by the layers that keep large in-memory tables (taste factors and
// vector index, the ledger's id table).
#ifndef ACCORD_CORE_MEMORY_H_
#define ACCORD_CORE_MEMORY_H_

#include <cstddef>
#include <cstdlib>

namespace accord {

// 2 MiB: the x86-64 transparent huge page.
inline constexpr std::size_t kHugePageBytes = std::size_t{2} << 20;

// Asks the kernel to back the whole 2 MiB pages inside [data, data + bytes) with transparent
// huge pages. Call it before the range is first written, so that the pages are faulted in huge.
// Tables read at random over hundreds of megabytes otherwise take a TLB miss on nearly every
// row. Advice only: where the kernel refuses it (THP off, not Linux) nothing changes but speed,
// so no error is reported.
void AdviseHugePages(void* data, std::size_t bytes);

// `bytes` of memory (zeroed when `zero`) for a large table: aligned to 2 MiB and advised for
// transparent huge pages when at least that large, plain malloc otherwise. Release it with
// std::free. Throws std::bad_alloc like new.
void* AllocateLarge(std::size_t bytes, bool zero);

// A standard allocator over AllocateLarge, for containers of tables read at random (the
// ledger's Merkle tree columns): an allocation of 2 MiB or more takes whole huge pages.
template <typename T>
struct LargeAllocator {
  using value_type = T;
  LargeAllocator() = default;
  template <typename U>
  LargeAllocator(const LargeAllocator<U>&) {}  // NOLINT: converting, as allocators must
  T* allocate(std::size_t count) {
    return static_cast<T*>(AllocateLarge(count * sizeof(T), false));
  }
  void deallocate(T* memory, std::size_t) { std::free(memory); }
  template <typename U>
  bool operator==(const LargeAllocator<U>&) const {
    return true;
  }
};

}  // namespace accord

#endif  // ACCORD_CORE_MEMORY_H_
