// Replaces the global operator new and delete of an executable that links it (the
// accord_huge_new object library: `accord` and the ledger and royalties benchmarks), so that
// every block of 2 MiB or more comes from AllocateMaybeHuge: aligned to 2 MiB and advised for
// transparent huge pages. Smaller blocks come from malloc as before, and every block goes back
// with free, as with the default operators.
//
// Why: accord's large jobs fill hundreds of megabytes of freshly mapped memory (a royalty run's
// rows, statement lines and document pieces; the ledger's batches and tables), and on the
// development VM a 4 KiB page fault costs about 10 µs; a 2 MiB fault serves 512 pages at once.
// The layers already advise their largest tables (core/memory.h); this reaches every other
// container, the way glibc's `glibc.malloc.hugetlb=1` tunable does, but without setting an
// environment variable at start. Figures: docs/decisions/0015-huge-pages-for-large-blocks.md.
//
// Under AddressSanitizer nothing is replaced, so that its own operators keep checking that
// every new meets its matching delete.
#include <cstdlib>
#include <new>

#include "core/memory.h"

#if !defined(__SANITIZE_ADDRESS__)

// free() is the right release for both kinds of block, which GCC cannot see.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

void* operator new(std::size_t bytes) {
  if (bytes >= accord::kHugePageBytes) return accord::AllocateMaybeHuge(bytes);
  void* memory = std::malloc(bytes == 0 ? 1 : bytes);
  if (memory == nullptr) throw std::bad_alloc();
  return memory;
}
void* operator new[](std::size_t bytes) { return ::operator new(bytes); }
void operator delete(void* memory) noexcept { std::free(memory); }
void operator delete[](void* memory) noexcept { std::free(memory); }
void operator delete(void* memory, std::size_t) noexcept { std::free(memory); }
void operator delete[](void* memory, std::size_t) noexcept { std::free(memory); }

#endif  // !defined(__SANITIZE_ADDRESS__)
