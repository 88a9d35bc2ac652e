#include "royalties/allocation.h"

#include <algorithm>
#include <array>
#include <numeric>
#include <string>
#include <unordered_set>

namespace accord::royalties {
namespace {

Status NegativeTotalError(int64_t total) {
  return InvalidArgumentError("cannot split a negative amount (" + std::to_string(total) + ")");
}

Status WeightSumError() { return InvalidArgumentError("split weights add up to more than 2^64"); }

Status NoWeightError(int64_t total) {
  return InvalidArgumentError("cannot split " + std::to_string(total) +
                              " minor units: no part has any weight");
}

}  // namespace

Result<std::vector<int64_t>> SplitLargestRemainder(int64_t total,
                                                   const std::vector<WeightedPart>& parts) {
  if (total < 0) return NegativeTotalError(total);
  Weight sum = 0;
  for (const WeightedPart& part : parts) {
    if (part.weight > kMaxWeightSum - sum) return WeightSumError();
    sum += part.weight;
  }
  // Distinct keys are what makes the result independent of the parts' order. (A hash set:
  // splits over hundreds of thousands of lines are common, and sorting the keys was a
  // measurable share of a run.)
  std::unordered_set<std::string_view> keys;
  keys.reserve(parts.size());
  for (const WeightedPart& part : parts) {
    if (!keys.insert(part.key).second) {
      return InvalidArgumentError("split keys must be distinct; \"" + std::string(part.key) +
                                  "\" appears twice");
    }
  }
  std::vector<int64_t> amounts(parts.size(), 0);
  if (total == 0) return amounts;
  if (sum == 0) return NoWeightError(total);
  // sum <= 2^64 and total < 2^63, so total * weight < 2^127 is exact in 128 bits.
  const Weight whole = static_cast<Weight>(total);
  std::vector<Weight> remainders(parts.size(), 0);
  int64_t given = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    const Weight product = whole * parts[i].weight;
    amounts[i] = static_cast<int64_t>(product / sum);
    remainders[i] = product % sum;
    given += amounts[i];
  }
  int64_t left = total - given;  // < parts.size(): each floor lost less than one unit
  if (left == 0) return amounts;
  // Only which parts get the `left` extra units matters, not their order among themselves:
  // nth_element finds the first `left` in (remainder descending, key ascending) order in
  // linear time.
  std::vector<size_t> order(parts.size());
  std::iota(order.begin(), order.end(), size_t{0});
  auto before = [&](size_t a, size_t b) {
    if (remainders[a] != remainders[b]) return remainders[a] > remainders[b];
    return parts[a].key < parts[b].key;
  };
  const auto cut = order.begin() + static_cast<std::ptrdiff_t>(left);
  std::nth_element(order.begin(), cut - 1, order.end(), before);
  for (auto it = order.begin(); it != cut; ++it) ++amounts[*it];
  return amounts;
}

Status SplitLargestRemainderInKeyOrder(int64_t total, std::span<const Weight> weights,
                                       std::span<int64_t> amounts) {
  if (total < 0) return NegativeTotalError(total);
  Weight sum = 0;
  for (const Weight weight : weights) {
    if (weight > kMaxWeightSum - sum) return WeightSumError();
    sum += weight;
  }
  std::fill(amounts.begin(), amounts.end(), int64_t{0});
  if (total == 0) return OkStatus();
  if (sum == 0) return NoWeightError(total);
  const size_t count = weights.size();
  // The remainders are kept only while units are left to hand out; small splits (a line over
  // its holders) keep them on the stack.
  constexpr size_t kSmall = 16;
  std::array<Weight, kSmall> small_remainders;
  std::vector<Weight> large_remainders;
  Weight* remainders = small_remainders.data();
  if (count > kSmall) {
    large_remainders.resize(count);
    remainders = large_remainders.data();
  }
  const Weight whole = static_cast<Weight>(total);
  // Most products fit 64 bits (a pool of 10^8 minor units over weights below 10^11), and a
  // 64-bit division is several times cheaper than a 128-bit one; the results are the same.
  const bool narrow_sum = (sum >> 64) == 0;
  const uint64_t sum64 = static_cast<uint64_t>(sum);
  int64_t given = 0;
  for (size_t i = 0; i < count; ++i) {
    const Weight product = whole * weights[i];
    if (narrow_sum && (product >> 64) == 0) {
      const uint64_t product64 = static_cast<uint64_t>(product);
      amounts[i] = static_cast<int64_t>(product64 / sum64);
      remainders[i] = product64 % sum64;
    } else {
      amounts[i] = static_cast<int64_t>(product / sum);
      remainders[i] = product % sum;
    }
    given += amounts[i];
  }
  int64_t left = total - given;  // < count: each floor lost less than one unit
  if (left == 0) return OkStatus();
  // The `left` parts first in (remainder descending, position ascending) order get a unit each;
  // which ones is all that matters, as in SplitLargestRemainder.
  auto before = [&](size_t a, size_t b) {
    if (remainders[a] != remainders[b]) return remainders[a] > remainders[b];
    return a < b;
  };
  if (count <= kSmall) {
    std::array<size_t, kSmall> order;
    std::iota(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(count), size_t{0});
    std::partial_sort(order.begin(), order.begin() + left,
                      order.begin() + static_cast<std::ptrdiff_t>(count), before);
    for (int64_t k = 0; k < left; ++k) ++amounts[order[static_cast<size_t>(k)]];
    return OkStatus();
  }
  std::vector<size_t> order(count);
  std::iota(order.begin(), order.end(), size_t{0});
  const auto cut = order.begin() + static_cast<std::ptrdiff_t>(left);
  std::nth_element(order.begin(), cut - 1, order.end(), before);
  for (auto it = order.begin(); it != cut; ++it) ++amounts[*it];
  return OkStatus();
}

}  // namespace accord::royalties
