// Memory hints shared by the layers that keep large in-memory tables (taste factors and
// vector index, the ledger's id table).
#ifndef ACCORD_CORE_MEMORY_H_
#define ACCORD_CORE_MEMORY_H_

#include <cstddef>

namespace accord {

// 2 MiB: the x86-64 transparent huge page.
inline constexpr std::size_t kHugePageBytes = std::size_t{2} << 20;

// Asks the kernel to back the whole 2 MiB pages inside [data, data + bytes) with transparent
// huge pages. Call it before the range is first written, so that the pages are faulted in huge.
// Tables read at random over hundreds of megabytes otherwise take a TLB miss on nearly every
// row. Advice only: where the kernel refuses it (THP off, not Linux) nothing changes but speed,
// so no error is reported.
void AdviseHugePages(void* data, std::size_t bytes);

}  // namespace accord

#endif  // ACCORD_CORE_MEMORY_H_
