#include "taste/vector_index.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

namespace accord::taste {
namespace {

FactorMatrix RandomVectors(Eigen::Index rows, Eigen::Index dim, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> gauss;
  FactorMatrix m(rows, dim);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = gauss(rng);
  return m;
}

rights::RecordingBitmap RandomBitmap(size_t size, double fraction, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::bernoulli_distribution keep(fraction);
  rights::RecordingBitmap bitmap(size);
  for (size_t i = 0; i < size; ++i) {
    if (keep(rng)) bitmap.mutable_words()[i >> 6] |= uint64_t{1} << (i & 63);
  }
  return bitmap;
}

double Recall(const std::vector<SearchHit>& got, const std::vector<SearchHit>& truth) {
  std::set<uint32_t> expected;
  for (const SearchHit& hit : truth) expected.insert(hit.item);
  int found = 0;
  for (const SearchHit& hit : got) found += expected.count(hit.item);
  return truth.empty() ? 1.0 : static_cast<double>(found) / static_cast<double>(truth.size());
}

class ItemIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    vectors_ = RandomVectors(3000, 16, 1);
    queries_ = RandomVectors(50, 16, 2);
    IndexOptions options;
    options.graph_min_items = 0;  // a graph even for this small test set
    Result<std::unique_ptr<ItemIndex>> index = ItemIndex::Build(vectors_, options);
    ASSERT_TRUE(index.ok()) << index.status().ToString();
    index_ = std::move(*index);
  }
  double MeanRecall(const rights::RecordingBitmap* allowed, bool* all_allowed, bool* any_hnsw) {
    double total = 0;
    const size_t count = allowed ? allowed->Count() : vectors_.rows();
    for (Eigen::Index q = 0; q < queries_.rows(); ++q) {
      SearchStats stats;
      Result<std::vector<SearchHit>> hits =
          index_->Search(queries_.row(q).data(), 10, allowed, count, &stats);
      EXPECT_TRUE(hits.ok());
      if (!hits.ok()) return 0;
      *any_hnsw |= !stats.exact;
      for (const SearchHit& hit : *hits) {
        if (allowed != nullptr && !allowed->Test(hit.item)) *all_allowed = false;
      }
      total += Recall(*hits, index_->ExactSearch(queries_.row(q).data(), 10, allowed));
    }
    return total / static_cast<double>(queries_.rows());
  }
  FactorMatrix vectors_;
  FactorMatrix queries_;
  std::unique_ptr<ItemIndex> index_;
};

TEST_F(ItemIndexTest, ExactSearchIsTheBruteForceTopK) {
  const float* query = queries_.row(0).data();
  std::vector<SearchHit> hits = index_->ExactSearch(query, 5, nullptr);
  ASSERT_EQ(hits.size(), 5u);
  Eigen::VectorXf scores = vectors_ * queries_.row(0).transpose();
  std::vector<uint32_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](uint32_t a, uint32_t b) { return scores(a) > scores(b); });
  for (int n = 0; n < 5; ++n) {
    EXPECT_EQ(hits[n].item, order[n]);
    EXPECT_FLOAT_EQ(hits[n].score, scores(order[n]));
  }
}

TEST_F(ItemIndexTest, UnfilteredHnswRecall) {
  bool all_allowed = true, any_hnsw = false;
  EXPECT_GE(MeanRecall(nullptr, &all_allowed, &any_hnsw), 0.95);
  EXPECT_TRUE(any_hnsw);
}

TEST_F(ItemIndexTest, FilteredHnswReturnsOnlyAllowedWithHighRecall) {
  const rights::RecordingBitmap allowed = RandomBitmap(3000, 0.3, 3);
  bool all_allowed = true, any_hnsw = false;
  EXPECT_GE(MeanRecall(&allowed, &all_allowed, &any_hnsw), 0.95);
  EXPECT_TRUE(all_allowed);
  EXPECT_TRUE(any_hnsw);
}

TEST_F(ItemIndexTest, SparseFilterUsesExactScan) {
  const rights::RecordingBitmap allowed = RandomBitmap(3000, 0.01, 4);
  bool all_allowed = true, any_hnsw = false;
  EXPECT_DOUBLE_EQ(MeanRecall(&allowed, &all_allowed, &any_hnsw), 1.0);
  EXPECT_TRUE(all_allowed);
  EXPECT_FALSE(any_hnsw);
}

TEST_F(ItemIndexTest, EmptyFilterGivesNothing) {
  rights::RecordingBitmap none(3000);
  Result<std::vector<SearchHit>> hits = index_->Search(queries_.row(0).data(), 10, &none, 0);
  ASSERT_TRUE(hits.ok());
  EXPECT_TRUE(hits->empty());
}

TEST_F(ItemIndexTest, BadArguments) {
  rights::RecordingBitmap wrong(10);
  EXPECT_EQ(index_->Search(queries_.row(0).data(), 10, &wrong, 0).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(index_->Search(queries_.row(0).data(), 0, nullptr, 0).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(ItemIndexBuildTest, SmallCatalogScansExactly) {
  const FactorMatrix vectors = RandomVectors(500, 8, 5);
  Result<std::unique_ptr<ItemIndex>> index = ItemIndex::Build(vectors, IndexOptions{});
  ASSERT_TRUE(index.ok());
  EXPECT_FALSE((*index)->has_graph());
  SearchStats stats;
  const FactorMatrix query = RandomVectors(1, 8, 6);
  Result<std::vector<SearchHit>> hits = (*index)->Search(query.data(), 10, nullptr, 500, &stats);
  ASSERT_TRUE(hits.ok());
  EXPECT_TRUE(stats.exact);
  EXPECT_EQ(*hits, (*index)->ExactSearch(query.data(), 10, nullptr));
}

TEST(ItemIndexBuildTest, RejectsBadInput) {
  EXPECT_EQ(ItemIndex::Build(FactorMatrix(0, 4), {}).status().code(), StatusCode::kInvalidArgument);
  FactorMatrix nan = FactorMatrix::Zero(3, 2);
  nan(1, 1) = std::nanf("");
  EXPECT_EQ(ItemIndex::Build(nan, {}).status().code(), StatusCode::kInvalidArgument);
  IndexOptions bad;
  bad.hnsw_m = 1;
  EXPECT_EQ(ItemIndex::Build(FactorMatrix::Ones(3, 2), bad).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace accord::taste
