// Exact splitting of money: largest remainder with a deterministic tie-break.
//
// Every split in a royalty run (a pool over statement lines, a listener's share over that
// listener's lines, a line over its rights holders) goes through SplitLargestRemainder, so that
// three facts hold at every level:
//   1. the parts add up exactly to the whole;
//   2. each part is within one minor unit of its exact share (total * weight / sum of weights);
//   3. the result does not depend on the order of the parts: ties between equal remainders are
//      broken by the parts' keys, which must be distinct, never by their position.
//
//   std::vector<WeightedPart> parts = {{3, "QZDEM2600001"}, {1, "QZDEM2600002"}};
//   ACCORD_ASSIGN_OR_RETURN(std::vector<int64_t> amounts, SplitLargestRemainder(100, parts));
//   // amounts == {75, 25}
//
// Integer arithmetic only (128-bit intermediates); no floating point touches money here.
// Thread safety: pure functions.
#ifndef ACCORD_ROYALTIES_ALLOCATION_H_
#define ACCORD_ROYALTIES_ALLOCATION_H_

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace accord::royalties {

// Weights are non-negative integers; 128 bits so that sums of use weights (parts per million),
// boosts and fixed-point caps never overflow while they are added up.
using Weight = unsigned __int128;

struct WeightedPart {
  Weight weight = 0;
  std::string_view key;  // distinct among the parts of one split: the tie-break
};

// Splits `total` (minor units, >= 0) over `parts` in proportion to their weights; the result is
// index-aligned with `parts`. Each part first gets floor(total * weight / sum); the units left
// over go one each to the parts with the largest remainders, ties to the smaller key.
// InvalidArgument: negative total, a total > 0 with no weight at all, duplicate keys, or a
// weight sum above 2^64 (it keeps total * weight exact in 128 bits; a month of 10^9 uses at
// 10^6 parts per million each, boosted 4x, sums to about 2^52).
Result<std::vector<int64_t>> SplitLargestRemainder(int64_t total,
                                                   const std::vector<WeightedPart>& parts);

// SplitLargestRemainder for parts whose keys ascend with their position, so that position breaks
// ties and no key is built or compared: the royalty engine numbers its statement lines and
// holders in key order once per run, then splits hundreds of thousands of times. Writes
// amounts[i] for weights[i]; `amounts` must have weights.size() elements. The result and the
// errors are SplitLargestRemainder's for the same weights with any distinct keys in that order
// (duplicate keys cannot be expressed). Allocates only for splits of more than 16 parts that
// leave units over.
Status SplitLargestRemainderInKeyOrder(int64_t total, std::span<const Weight> weights,
                                       std::span<int64_t> amounts);

// The largest weight sum SplitLargestRemainder accepts.
inline constexpr Weight kMaxWeightSum = Weight{1} << 64;

}  // namespace accord::royalties

#endif  // ACCORD_ROYALTIES_ALLOCATION_H_
