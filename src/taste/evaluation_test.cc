#include "taste/evaluation.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "taste/taste_test_util.h"

namespace accord::taste {
namespace {

TEST(MetricsTest, HandComputedList) {
  // Hits at ranks 2 and 3 of a list against two held-out items.
  RankingMetrics m = MetricsOfList({5, 1, 7}, {1, 7}, 10);
  EXPECT_DOUBLE_EQ(m.precision, 1.0);
  const double dcg = 1 / std::log2(3.0) + 1 / std::log2(4.0);
  const double idcg = 1 + 1 / std::log2(3.0);
  EXPECT_NEAR(m.ndcg, dcg / idcg, 1e-12);
  EXPECT_NEAR(m.map, (1.0 / 2 + 2.0 / 3) / 2, 1e-12);
}

TEST(MetricsTest, PrecisionDividesByMinOfKAndHeldOut) {
  std::vector<uint32_t> heldout;
  for (uint32_t i = 0; i < 20; ++i) heldout.push_back(i * 2);
  // 3 hits in the top 10 with 20 held out: 3 / min(10, 20).
  RankingMetrics m = MetricsOfList({0, 1, 2, 3, 4, 5, 7, 9, 11, 13}, heldout, 10);
  EXPECT_DOUBLE_EQ(m.precision, 0.3);
  EXPECT_EQ(MetricsOfList({}, {}, 10).listeners, 0u);
}

TEST(TopKTest, ExcludesAndBreaksTiesByLowerId) {
  std::vector<float> scores{1, 5, 5, 3, 9};
  std::vector<bool> excluded{false, false, false, false, true};
  EXPECT_EQ(TopK(scores, excluded, 3), (std::vector<uint32_t>{1, 2, 3}));
  EXPECT_EQ(TopK(scores, {}, 2), (std::vector<uint32_t>{4, 1}));
}

TEST(SplitTest, PartitionsPairsDeterministically) {
  SparseMatrix m = BlockMatrix(100, 60, 3, 10, 1);
  Split a = SplitPairs(m, 0.2, 1);
  Split b = SplitPairs(m, 0.2, 1);
  Split c = SplitPairs(m, 0.2, 2);
  uint64_t heldout = 0;
  for (const auto& h : a.heldout) heldout += h.size();
  EXPECT_EQ(heldout, static_cast<uint64_t>(std::llround(0.2 * static_cast<double>(m.nnz()))));
  EXPECT_EQ(a.train.nnz() + heldout, m.nnz());
  EXPECT_EQ(a.heldout, b.heldout);
  EXPECT_NE(a.heldout, c.heldout);
  // Every pair lands on exactly one side.
  for (uint32_t u = 0; u < m.rows; ++u) {
    std::set<uint32_t> all(m.columns.begin() + static_cast<long>(m.offsets[u]),
                           m.columns.begin() + static_cast<long>(m.offsets[u + 1]));
    std::set<uint32_t> parts(a.heldout[u].begin(), a.heldout[u].end());
    for (uint64_t e = a.train.offsets[u]; e < a.train.offsets[u + 1]; ++e) {
      EXPECT_TRUE(parts.insert(a.train.columns[e]).second);
    }
    EXPECT_EQ(parts, all);
  }
}

TEST(ScorersTest, ModelsBeatPopularityOnBlockData) {
  SparseMatrix m = BlockMatrix(400, 200, 4, 12, 9);
  Split split = SplitPairs(m, 0.2, 1);
  PopularityScorer popularity;
  ItemKnnScorer knn(50);
  AlsOptions options;
  options.factors = 8;
  options.regularization = 0.1f;
  options.iterations = 10;
  AlsScorer als(options);
  ASSERT_TRUE(popularity.Fit(split.train).ok());
  ASSERT_TRUE(knn.Fit(split.train).ok());
  ASSERT_TRUE(als.Fit(split.train).ok());
  const RankingMetrics p = EvaluateRanking(split, popularity, 10, 2);
  const RankingMetrics k = EvaluateRanking(split, knn, 10, 2);
  const RankingMetrics a = EvaluateRanking(split, als, 10, 2);
  // Popularity recommends one list to all four groups; the models find each group's items.
  EXPECT_GT(k.precision, p.precision + 0.05);
  EXPECT_GT(a.precision, p.precision + 0.05);
  EXPECT_GT(a.coverage, p.coverage);
  EXPECT_EQ(EvaluateRanking(split, als, 10, 1).precision, a.precision);
}

TEST(ProtocolTest, RejectsBadSettings) {
  SparseMatrix m = BlockMatrix(20, 10, 2, 3, 1);
  ProtocolOptions o;
  o.seeds.clear();
  EXPECT_EQ(RunProtocol(m, o).status().code(), StatusCode::kInvalidArgument);
  o = ProtocolOptions{};
  o.test_fraction = 1.5;
  EXPECT_EQ(RunProtocol(m, o).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace accord::taste
