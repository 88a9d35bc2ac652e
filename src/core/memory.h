// Memory hints shared by the layers that keep large in-memory tables (taste factors and
// vector index, the ledger's id table and columns).
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

// `bytes` of uninitialised memory from malloc, or, from kHugePageBytes up, aligned to 2 MiB,
// rounded up to whole huge pages and advised for them (AdviseHugePages). Release it with
// std::free. Throws std::bad_alloc like new. Besides the TLB, this saves page faults: memory
// written for the first time is faulted in a page at a time, and a 4 KiB fault on the
// development VM cost microseconds (docs/decisions/0010-ledger-intake-rate.md).
void* AllocateMaybeHuge(std::size_t bytes);

// A std::allocator that takes its memory from AllocateMaybeHuge, for containers that grow to
// megabytes in one piece (the ledger's chunked columns).
template <typename T>
struct HugePageAllocator {
  using value_type = T;
  HugePageAllocator() = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>&) {}  // NOLINT(google-explicit-constructor)
  T* allocate(std::size_t count) { return static_cast<T*>(AllocateMaybeHuge(count * sizeof(T))); }
  void deallocate(T* memory, std::size_t) { std::free(memory); }
  template <typename U>
  bool operator==(const HugePageAllocator<U>&) const {
    return true;
  }
};

}  // namespace accord

#endif  // ACCORD_CORE_MEMORY_H_
