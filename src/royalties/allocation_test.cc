// SplitLargestRemainder: hand-computed cases, then the three facts over a million random cases;
// SplitLargestRemainderInKeyOrder: the same answers and errors, part for part.
#include "royalties/allocation.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <random>
#include <string>

namespace accord::royalties {
namespace {

std::vector<int64_t> Split(int64_t total, const std::vector<WeightedPart>& parts) {
  Result<std::vector<int64_t>> amounts = SplitLargestRemainder(total, parts);
  EXPECT_TRUE(amounts.ok()) << amounts.status().ToString();
  return amounts.ok() ? *amounts : std::vector<int64_t>{};
}

TEST(SplitLargestRemainderTest, ExactSharesNeedNoRounding) {
  // 100 * 3/4 = 75, 100 * 1/4 = 25.
  EXPECT_EQ(Split(100, {{3, "a"}, {1, "b"}}), (std::vector<int64_t>{75, 25}));
}

TEST(SplitLargestRemainderTest, LeftoverGoesToTheLargestRemainder) {
  // 10 over 1:1:1 gives floors 3, 3, 3 with remainders 1/3 each: one unit left, tie broken by
  // the smallest key ("a").
  EXPECT_EQ(Split(10, {{1, "b"}, {1, "a"}, {1, "c"}}), (std::vector<int64_t>{3, 4, 3}));
  // 100 over 1:2:4 (sum 7): exact 14.29, 28.57, 57.14 → floors 14, 28, 57 (99); remainders
  // 2/7, 4/7, 1/7: the unit goes to the second part.
  EXPECT_EQ(Split(100, {{1, "x"}, {2, "y"}, {4, "z"}}), (std::vector<int64_t>{14, 29, 57}));
}

TEST(SplitLargestRemainderTest, ZeroWeightPartsGetNothingAndZeroTotalIsAllZero) {
  EXPECT_EQ(Split(7, {{0, "a"}, {5, "b"}, {0, "c"}}), (std::vector<int64_t>{0, 7, 0}));
  EXPECT_EQ(Split(0, {{0, "a"}, {0, "b"}}), (std::vector<int64_t>{0, 0}));
}

TEST(SplitLargestRemainderTest, RefusesWhatCannotBeSplitExactly) {
  EXPECT_EQ(SplitLargestRemainder(-1, {{1, "a"}}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SplitLargestRemainder(5, {{0, "a"}}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SplitLargestRemainder(5, {}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SplitLargestRemainder(5, {{1, "a"}, {2, "a"}}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(SplitLargestRemainder(5, {{kMaxWeightSum, "a"}, {1, "b"}}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(SplitLargestRemainderTest, LargestTotalsAndWeightsStayExact) {
  const int64_t total = INT64_MAX;
  const Weight big = kMaxWeightSum / 2;
  std::vector<int64_t> amounts = Split(total, {{big, "a"}, {big, "b"}});
  ASSERT_EQ(amounts.size(), 2u);
  EXPECT_EQ(amounts[0] + amounts[1], total);
  EXPECT_EQ(amounts[0], total / 2 + 1);  // the odd unit goes to "a"
}

// The number of random cases; a million by default (the figure), fewer under the
// sanitizers, where each case costs about ten times as much.
int PropertyCases() {
  if (const char* text = std::getenv("ACCORD_PROPERTY_CASES")) return std::atoi(text);
#if defined(__SANITIZE_ADDRESS__)
  return 100'000;
#else
  return 1'000'000;
#endif
}

TEST(SplitLargestRemainderTest, PartsAddUpAreWithinOneUnitAndIgnoreOrder) {
  std::mt19937_64 random(20260101);
  const int cases = PropertyCases();
  std::vector<std::string> keys;
  for (int i = 0; i < 16; ++i) keys.push_back("k" + std::to_string(i));
  for (int c = 0; c < cases; ++c) {
    const size_t count = 1 + random() % 12;
    // Mix small totals (rounding matters most) with huge ones, and weights of every size.
    const int64_t total =
        c % 4 == 0 ? static_cast<int64_t>(random() >> 1) : static_cast<int64_t>(random() % 1000);
    std::vector<WeightedPart> parts;
    Weight sum = 0;
    for (size_t i = 0; i < count; ++i) {
      const int shape = static_cast<int>(random() % 4);
      Weight weight = shape == 0 ? 0 : shape == 1 ? random() % 4 : random() % 1'000'000'000;
      // Up to 2^60 each, so that twelve parts stay below the 2^64 limit on the sum.
      if (shape == 3 && c % 8 == 0) weight = Weight{random() >> 4};
      parts.push_back({weight, keys[i]});
      sum += weight;
    }
    if (sum == 0 && total > 0) parts[0].weight = sum = 1;
    std::vector<int64_t> amounts = Split(total, parts);
    ASSERT_EQ(amounts.size(), count);
    // 1. The parts add up exactly to the whole.
    int64_t added = 0;
    for (int64_t amount : amounts) added += amount;
    ASSERT_EQ(added, total) << "case " << c;
    // 2. Each part is within one unit of its exact share: |amount * sum - total * w| < sum.
    for (size_t i = 0; i < count; ++i) {
      const Weight exact = static_cast<Weight>(total) * parts[i].weight;
      const Weight scaled = static_cast<Weight>(amounts[i]) * sum;
      const Weight gap = exact > scaled ? exact - scaled : scaled - exact;
      if (sum == 0) {
        ASSERT_EQ(amounts[i], 0) << "case " << c;  // nothing to split: total is 0 too
      } else {
        ASSERT_LT(gap, sum) << "case " << c << " part " << i;
      }
    }
    // 3. The result does not depend on the order of the parts.
    std::vector<size_t> order(count);
    for (size_t i = 0; i < count; ++i) order[i] = i;
    std::shuffle(order.begin(), order.end(), random);
    std::vector<WeightedPart> shuffled;
    for (size_t i : order) shuffled.push_back(parts[i]);
    std::vector<int64_t> again = Split(total, shuffled);
    for (size_t k = 0; k < count; ++k) ASSERT_EQ(again[k], amounts[order[k]]) << "case " << c;
  }
}

// The key-order split gives what the keyed split gives when the keys ascend with position.
std::vector<int64_t> SplitInKeyOrder(int64_t total, const std::vector<Weight>& weights) {
  std::vector<int64_t> amounts(weights.size(), -1);
  Status status = SplitLargestRemainderInKeyOrder(total, weights, amounts);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return amounts;
}

TEST(SplitLargestRemainderInKeyOrderTest, PositionBreaksTies) {
  // 10 over 1:1:1: the unit left goes to the first part, as it would to the smallest key.
  EXPECT_EQ(SplitInKeyOrder(10, {1, 1, 1}), (std::vector<int64_t>{4, 3, 3}));
  EXPECT_EQ(SplitInKeyOrder(100, {1, 2, 4}), (std::vector<int64_t>{14, 29, 57}));
  EXPECT_EQ(SplitInKeyOrder(0, {0, 0}), (std::vector<int64_t>{0, 0}));
  EXPECT_EQ(SplitInKeyOrder(0, {}), (std::vector<int64_t>{}));
}

TEST(SplitLargestRemainderInKeyOrderTest, RefusesWhatTheKeyedSplitRefusesWithTheSameMessage) {
  const std::vector<std::pair<int64_t, std::vector<Weight>>> refused = {
      {-1, {1}}, {5, {0}}, {5, {}}, {5, {kMaxWeightSum, 1}}};
  for (const auto& [total, weights] : refused) {
    std::vector<WeightedPart> parts;
    const std::vector<std::string> keys = {"a", "b"};
    for (size_t i = 0; i < weights.size(); ++i) parts.push_back({weights[i], keys[i]});
    std::vector<int64_t> amounts(weights.size());
    const Status ordered = SplitLargestRemainderInKeyOrder(total, weights, amounts);
    const Status keyed = SplitLargestRemainder(total, parts).status();
    EXPECT_EQ(ordered.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(ordered.ToString(), keyed.ToString());
  }
}

TEST(SplitLargestRemainderInKeyOrderTest, AgreesWithTheKeyedSplitOnRandomCases) {
  std::mt19937_64 random(20261205);
  const int cases = PropertyCases() / 10;
  std::vector<std::string> keys;
  for (int i = 0; i < 40; ++i) keys.push_back("k" + std::string(1, static_cast<char>('A' + i)));
  for (int c = 0; c < cases; ++c) {
    // Up to 40 parts, so that both the small (stack) and the large path run.
    const size_t count = 1 + random() % (c % 2 == 0 ? 8 : 40);
    const int64_t total =
        c % 4 == 0 ? static_cast<int64_t>(random() >> 1) : static_cast<int64_t>(random() % 1000);
    std::vector<Weight> weights;
    std::vector<WeightedPart> parts;
    for (size_t i = 0; i < count; ++i) {
      const int shape = static_cast<int>(random() % 4);
      Weight weight = shape == 0 ? 0 : shape == 1 ? random() % 4 : random() % 1'000'000'000;
      if (shape == 3 && c % 8 == 0) weight = Weight{random() >> 7};
      weights.push_back(weight);
      parts.push_back({weight, keys[i]});
    }
    Result<std::vector<int64_t>> keyed = SplitLargestRemainder(total, parts);
    std::vector<int64_t> ordered(count);
    const Status status = SplitLargestRemainderInKeyOrder(total, weights, ordered);
    ASSERT_EQ(status.ok(), keyed.ok()) << "case " << c;
    if (keyed.ok()) {
      ASSERT_EQ(ordered, *keyed) << "case " << c;
    }
  }
}

}  // namespace
}  // namespace accord::royalties
