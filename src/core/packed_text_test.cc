#include "core/packed_text.h"

#include <gtest/gtest.h>

#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace accord {
namespace {

TEST(PackedTextTest, HoldsTextInPlaceUpToFifteenBytesAndOnTheHeapBeyond) {
  for (size_t size = 0; size <= 40; ++size) {
    std::string text;
    for (size_t i = 0; i < size; ++i) text += static_cast<char>('a' + i % 26);
    const PackedText packed(text);
    EXPECT_EQ(packed.view(), text) << size;
    EXPECT_EQ(packed.size(), size);
    EXPECT_EQ(packed.empty(), size == 0);
    EXPECT_EQ(packed.str(), text);
    // In place means inside the object's own 16 bytes.
    const bool in_place = packed.data() >= reinterpret_cast<const char*>(&packed) &&
                          packed.data() < reinterpret_cast<const char*>(&packed + 1);
    EXPECT_EQ(in_place, size <= PackedText::kInPlace) << size;
  }
}

TEST(PackedTextTest, KeepsEveryByteIncludingZeros) {
  const std::string with_zeros("a\0b\0\0c", 6);
  EXPECT_EQ(PackedText(with_zeros).view(), with_zeros);
  const std::string long_with_zeros(std::string(20, '\0') + "x");
  EXPECT_EQ(PackedText(long_with_zeros).view(), long_with_zeros);
}

TEST(PackedTextTest, CopiesAreDeepAndMovesLeaveTheSourceEmpty) {
  for (const std::string text : {"short", "a text longer than fifteen bytes"}) {
    PackedText original(text);
    PackedText copy(original);
    EXPECT_EQ(copy, original);
    if (!copy.empty() && text.size() > PackedText::kInPlace) {
      EXPECT_NE(copy.data(), original.data());  // its own heap block
    }
    PackedText moved(std::move(original));
    EXPECT_EQ(moved.view(), text);
    EXPECT_TRUE(original.empty());  // NOLINT(bugprone-use-after-move): the documented state
    PackedText assigned;
    assigned = copy;
    EXPECT_EQ(assigned.view(), text);
    assigned = assigned;  // self-assignment keeps the text
    EXPECT_EQ(assigned.view(), text);
    assigned = assigned.view();  // so does assigning its own bytes
    EXPECT_EQ(assigned.view(), text);
    assigned = assigned.view().substr(1);
    EXPECT_EQ(assigned.view(), text.substr(1));
    PackedText move_assigned("something else that is long enough for the heap");
    move_assigned = std::move(copy);
    EXPECT_EQ(move_assigned.view(), text);
    EXPECT_TRUE(copy.empty());  // NOLINT(bugprone-use-after-move)
  }
}

TEST(PackedTextTest, AppendsAcrossTheInPlaceLimit) {
  PackedText ids;
  std::string expected;
  for (const char* id : {"SH-X", "SH-X2", "AG-00017", "AG-123456789"}) {
    if (!ids.empty()) {
      ids += ' ';
      expected += ' ';
    }
    ids += id;
    expected += id;
    EXPECT_EQ(ids.view(), expected);
  }
  ids += ids.view();  // appending itself reads the text before replacing it
  EXPECT_EQ(ids.view(), expected + expected);
  ids.clear();
  EXPECT_TRUE(ids.empty());
  EXPECT_EQ(ids, "");
}

TEST(PackedTextTest, ComparesByContentLikeStrings) {
  EXPECT_EQ(PackedText("pool-de"), "pool-de");
  EXPECT_EQ(PackedText("pool-de"), std::string("pool-de"));
  EXPECT_EQ(PackedText("pool-de"), std::string_view("pool-de"));
  EXPECT_FALSE(PackedText("pool-de") == PackedText("pool-d"));
  EXPECT_LT(PackedText("a"), PackedText("b"));
  EXPECT_LT(PackedText("abc"), PackedText("abcd-and-then-many-more-bytes"));
  EXPECT_GT(PackedText("b"), std::string_view("abcd-and-then-many-more-bytes"));
  std::ostringstream out;
  out << PackedText("printed");
  EXPECT_EQ(out.str(), "printed");
}

// Random operations on a PackedText and a std::string side by side: the texts never differ.
TEST(PackedTextTest, AgreesWithStdStringOverRandomOperations) {
  std::mt19937_64 rng(20261207);
  std::vector<PackedText> packed(8);
  std::vector<std::string> strings(8);
  auto random_text = [&] {
    std::string text(rng() % 40, ' ');
    for (char& c : text) c = static_cast<char>(rng() % 256);
    return text;
  };
  for (int step = 0; step < 200'000; ++step) {
    const size_t a = rng() % packed.size();
    const size_t b = rng() % packed.size();
    switch (rng() % 6) {
      case 0: {
        const std::string text = random_text();
        packed[a] = text;
        strings[a] = text;
        break;
      }
      case 1:
        packed[a] = packed[b];
        strings[a] = strings[b];
        break;
      case 2:
        if (a == b) break;  // a std::string moved into itself is left unspecified
        packed[a] = std::move(packed[b]);
        strings[a] = std::move(strings[b]);
        strings[b].clear();  // PackedText's documented moved-from state
        break;
      case 3: {
        const std::string more = random_text();
        packed[a] += more;
        strings[a] += more;
        if (strings[a].size() > 200) {
          packed[a].clear();
          strings[a].clear();
        }
        break;
      }
      case 4:
        EXPECT_EQ(packed[a] == packed[b], strings[a] == strings[b]);
        EXPECT_EQ(packed[a] < packed[b], strings[a] < strings[b]);
        break;
      case 5:
        packed[a].clear();
        strings[a].clear();
        break;
    }
    ASSERT_EQ(packed[a].view(), strings[a]) << "step " << step;
    ASSERT_EQ(packed[b].view(), strings[b]) << "step " << step;
  }
}

}  // namespace
}  // namespace accord
