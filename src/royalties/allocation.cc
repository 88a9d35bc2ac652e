#include "royalties/allocation.h"

#include <algorithm>
#include <numeric>
#include <string>
#include <unordered_set>

namespace accord::royalties {

Result<std::vector<int64_t>> SplitLargestRemainder(int64_t total,
                                                   const std::vector<WeightedPart>& parts) {
  if (total < 0) {
    return InvalidArgumentError("cannot split a negative amount (" + std::to_string(total) + ")");
  }
  Weight sum = 0;
  for (const WeightedPart& part : parts) {
    if (part.weight > kMaxWeightSum - sum) {
      return InvalidArgumentError("split weights add up to more than 2^64");
    }
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
  if (sum == 0) {
    return InvalidArgumentError("cannot split " + std::to_string(total) +
                                " minor units: no part has any weight");
  }
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

}  // namespace accord::royalties
