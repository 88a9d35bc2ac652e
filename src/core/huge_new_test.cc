// The replaced operator new of huge_new.cc, in a test binary that links it.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "core/memory.h"

namespace accord {
namespace {

// The VmFlags of the mapping of /proc/self/smaps that holds `address`, or "" if none does.
std::string VmFlagsOf(const void* address) {
  std::ifstream smaps("/proc/self/smaps");
  const auto at = reinterpret_cast<std::uintptr_t>(address);
  bool inside = false;
  for (std::string line; std::getline(smaps, line);) {
    std::uintptr_t begin = 0, end = 0;
    char dash = 0;
    if (std::sscanf(line.c_str(), "%lx%c%lx", &begin, &dash, &end) == 3 && dash == '-') {
      inside = begin <= at && at < end;
    } else if (inside && line.starts_with("VmFlags:")) {
      return line;
    }
  }
  return "";
}

TEST(HugeNewTest, BlocksFromTwoMebibytesAreAlignedAndAdvisedForHugePages) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "huge_new.cc replaces nothing under AddressSanitizer";
#endif
  std::vector<char> large(kHugePageBytes, 'x');
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(large.data()) % kHugePageBytes, 0u);
  const std::string flags = VmFlagsOf(large.data());
  ASSERT_FALSE(flags.empty()) << "no mapping in /proc/self/smaps holds the block";
  // "hg": madvise(MADV_HUGEPAGE) was applied to the mapping.
  EXPECT_NE(flags.find(" hg"), std::string::npos) << flags;

  auto array = std::make_unique<uint64_t[]>(3 * kHugePageBytes / sizeof(uint64_t));
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(array.get()) % kHugePageBytes, 0u);
  array[3 * kHugePageBytes / sizeof(uint64_t) - 1] = 7;  // the whole block is usable

  // Small blocks still come from malloc, one after another, and go back with delete.
  std::vector<std::unique_ptr<int> > small;
  for (int i = 0; i < 1000; ++i) small.push_back(std::make_unique<int>(i));
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(*small[static_cast<size_t>(i)], i);
  auto empty = std::make_unique<char[]>(0);
  EXPECT_NE(empty.get(), nullptr);
}

TEST(HugeNewTest, ATooLargeBlockThrowsBadAlloc) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer reports a block this large instead of throwing";
#endif
  // More than any machine maps: operator new must throw, not return null.
  EXPECT_THROW(static_cast<void>(std::vector<char>(std::size_t{1} << 60)), std::bad_alloc);
  std::vector<char>* nothing = new (std::nothrow) std::vector<char>();
  EXPECT_NE(nothing, nullptr);
  delete nothing;
  char* refused = new (std::nothrow) char[std::size_t{1} << 60];
  EXPECT_EQ(refused, nullptr);
}

}  // namespace
}  // namespace accord
