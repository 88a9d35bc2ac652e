#include "taste/vector_index.h"

#include <gtest/gtest.h>

#include <numeric>
#include <random>
#include <set>

namespace accord::taste {
namespace {

// Gaussian vectors; with `length_sigma` > 0 each is rescaled to a lognormal length, as ALS item
// factors have (the case the length-ordered scan is built for).
FactorMatrix RandomVectors(Eigen::Index rows, Eigen::Index dim, uint64_t seed,
                           float length_sigma = 0) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> gauss;
  std::lognormal_distribution<float> length(0.0f, length_sigma > 0 ? length_sigma : 1.0f);
  FactorMatrix m(rows, dim);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = gauss(rng);
  if (length_sigma > 0) {
    for (Eigen::Index r = 0; r < rows; ++r) m.row(r) *= length(rng) / m.row(r).norm();
  }
  return m;
}

// Like the benchmark's generator: `clusters` directions, noise, lognormal lengths.
FactorMatrix ClusteredVectors(Eigen::Index rows, Eigen::Index dim, int clusters, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> gauss;
  std::lognormal_distribution<float> length(0.0f, 0.5f);
  FactorMatrix centers = RandomVectors(clusters, dim, seed + 1);
  FactorMatrix m(rows, dim);
  for (Eigen::Index r = 0; r < rows; ++r) {
    const auto c = static_cast<Eigen::Index>(rng() % static_cast<uint64_t>(clusters));
    for (Eigen::Index d = 0; d < dim; ++d) m(r, d) = centers(c, d) + 0.7f * gauss(rng);
    m.row(r) *= length(rng) / m.row(r).norm();
  }
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

std::unique_ptr<ItemIndex> BuildOrDie(const FactorMatrix& vectors, const IndexOptions& options) {
  Result<std::unique_ptr<ItemIndex>> index = ItemIndex::Build(vectors, options);
  EXPECT_TRUE(index.ok()) << index.status().ToString();
  return index.ok() ? std::move(*index) : nullptr;
}

IndexOptions WithMethod(IndexOptions::Method method) {
  IndexOptions options;
  options.method = method;
  return options;
}

class ItemIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    vectors_ = RandomVectors(3000, 16, 1, 0.5f);
    queries_ = RandomVectors(50, 16, 2);
    index_ = BuildOrDie(vectors_, WithMethod(IndexOptions::Method::kLengthOrder));
    ASSERT_NE(index_, nullptr);
  }
  struct Outcome {
    double recall = 0;
    bool all_allowed = true;
    bool all_unique = true;
    int ordered = 0;  // queries answered by the length-ordered scan alone
    int handed_over = 0;
  };
  Outcome Run(const rights::RecordingBitmap* allowed, int k = 10) {
    Outcome outcome;
    const size_t count = allowed != nullptr ? allowed->Count() : vectors_.rows();
    for (Eigen::Index q = 0; q < queries_.rows(); ++q) {
      SearchStats stats;
      Result<std::vector<SearchHit>> hits =
          index_->Search(queries_.row(q).data(), k, allowed, count, &stats);
      EXPECT_TRUE(hits.ok()) << hits.status().ToString();
      if (!hits.ok()) return outcome;
      outcome.ordered += stats.exact ? 0 : 1;
      outcome.handed_over += stats.handed_over ? 1 : 0;
      std::set<uint32_t> seen;
      for (const SearchHit& hit : *hits) {
        if (allowed != nullptr && !allowed->Test(hit.item)) outcome.all_allowed = false;
        if (!seen.insert(hit.item).second) outcome.all_unique = false;
      }
      outcome.recall += Recall(*hits, index_->ExactSearch(queries_.row(q).data(), k, allowed));
    }
    outcome.recall /= static_cast<double>(queries_.rows());
    return outcome;
  }
  void SetOptions(const IndexOptions& options) {
    ASSERT_TRUE(index_->SetSearchOptions(options).ok());
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
    // Our kernel and Eigen sum in different orders.
    EXPECT_NEAR(hits[n].score, scores(order[n]), 1e-4f * (1 + std::abs(scores(order[n]))));
  }
}

TEST_F(ItemIndexTest, ExactSearchBreaksTiesByLowerId) {
  FactorMatrix twins = FactorMatrix::Ones(2000, 4);  // every score ties
  std::unique_ptr<ItemIndex> index = BuildOrDie(twins, IndexOptions{});
  ASSERT_NE(index, nullptr);
  const float query[4] = {1, 0, 0, 0};
  std::vector<SearchHit> hits = index->ExactSearch(query, 3, nullptr);
  ASSERT_EQ(hits.size(), 3u);
  EXPECT_EQ(hits[0].item, 0u);
  EXPECT_EQ(hits[1].item, 1u);
  EXPECT_EQ(hits[2].item, 2u);
  // The length-ordered scan cannot stop early on ties, so it agrees.
  Result<std::vector<SearchHit>> searched = index->Search(query, 3, nullptr, 2000);
  ASSERT_TRUE(searched.ok());
  EXPECT_EQ(*searched, hits);
}

TEST_F(ItemIndexTest, BuildsDirectionLists) {
  EXPECT_EQ(index_->lists(), 55u);  // round(sqrt(3000))
  EXPECT_EQ(index_->size(), 3000u);
  EXPECT_EQ(index_->dim(), 16);
}

// Cosines between random 16-d directions have an RMS of 1/4, so the cap derived from the
// data is kCosCapPerRms / 4; a cap set in the options replaces it.
TEST_F(ItemIndexTest, CosCapComesFromTheDataUnlessSet) {
  EXPECT_NEAR(index_->cos_cap(), IndexOptions::kCosCapPerRms / 4, 0.05);
  IndexOptions options;
  options.cos_cap = 0.3f;
  SetOptions(options);
  EXPECT_FLOAT_EQ(index_->cos_cap(), 0.3f);
}

TEST_F(ItemIndexTest, UnfilteredRecall) {
  const Outcome outcome = Run(nullptr);
  EXPECT_GE(outcome.recall, 0.99);
  EXPECT_EQ(outcome.ordered, 50);
}

TEST_F(ItemIndexTest, FilteredReturnsOnlyAllowedWithHighRecall) {
  for (double fraction : {0.5, 0.1, 0.02}) {
    const rights::RecordingBitmap allowed = RandomBitmap(3000, fraction, 3);
    const Outcome outcome = Run(&allowed);
    EXPECT_GE(outcome.recall, 0.99) << fraction;
    EXPECT_TRUE(outcome.all_allowed) << fraction;
    EXPECT_TRUE(outcome.all_unique) << fraction;
  }
}

TEST_F(ItemIndexTest, CosCapOneIsExact) {
  IndexOptions options = WithMethod(IndexOptions::Method::kLengthOrder);
  options.cos_cap = 1;
  SetOptions(options);
  const rights::RecordingBitmap allowed = RandomBitmap(3000, 0.2, 4);
  for (Eigen::Index q = 0; q < queries_.rows(); ++q) {
    const float* query = queries_.row(q).data();
    Result<std::vector<SearchHit>> hits = index_->Search(query, 10, &allowed, allowed.Count());
    ASSERT_TRUE(hits.ok());
    EXPECT_EQ(*hits, index_->ExactSearch(query, 10, &allowed)) << q;
  }
}

TEST_F(ItemIndexTest, WithoutProbesStillRespectsTheFilter) {
  IndexOptions options = WithMethod(IndexOptions::Method::kLengthOrder);
  options.probe_lists = 0;
  SetOptions(options);
  const rights::RecordingBitmap allowed = RandomBitmap(3000, 0.3, 5);
  const Outcome outcome = Run(&allowed);
  EXPECT_TRUE(outcome.all_allowed);
  EXPECT_GE(outcome.recall, 0.95);
}

TEST_F(ItemIndexTest, LargeKIsExactAndUnique) {
  const rights::RecordingBitmap allowed = RandomBitmap(3000, 0.1, 6);
  const Outcome outcome = Run(&allowed, 500);  // more than the ~300 allowed: all of them
  EXPECT_DOUBLE_EQ(outcome.recall, 1.0);
  EXPECT_TRUE(outcome.all_unique);
}

TEST_F(ItemIndexTest, AutoScansVerySparseFiltersExactly) {
  SetOptions(IndexOptions{});
  const rights::RecordingBitmap allowed = RandomBitmap(3000, 0.005, 7);
  const Outcome outcome = Run(&allowed);
  EXPECT_EQ(outcome.ordered, 0);
  EXPECT_DOUBLE_EQ(outcome.recall, 1.0);
  EXPECT_TRUE(outcome.all_allowed);
}

// A filter allowing only the shortest items is the worst case of the length order: the stop
// rule cannot fire before the allowed rows at the end. The scan must hand over to the exact
// scan once it has spent what the exact scan costs, and the answer must then be exact, with
// no item twice (the probed lists' rows are in both halves).
TEST_F(ItemIndexTest, ScanOfShortItemsOnlyHandsOverAndIsExact) {
  SetOptions(IndexOptions{});
  std::vector<uint32_t> by_length(3000);
  std::iota(by_length.begin(), by_length.end(), 0);
  std::sort(by_length.begin(), by_length.end(), [&](uint32_t a, uint32_t b) {
    return vectors_.row(a).norm() < vectors_.row(b).norm();
  });
  rights::RecordingBitmap allowed(3000);
  for (int n = 0; n < 100; ++n) {
    allowed.mutable_words()[by_length[n] >> 6] |= uint64_t{1} << (by_length[n] & 63);
  }
  int handed_over = 0;
  for (Eigen::Index q = 0; q < queries_.rows(); ++q) {
    const float* query = queries_.row(q).data();
    SearchStats stats;
    Result<std::vector<SearchHit>> hits = index_->Search(query, 10, &allowed, 100, &stats);
    ASSERT_TRUE(hits.ok());
    handed_over += stats.handed_over ? 1 : 0;
    if (stats.exact) {
      EXPECT_EQ(*hits, index_->ExactSearch(query, 10, &allowed)) << q;
    }
  }
  EXPECT_GT(handed_over, 0);
}

// Queries that are items themselves point straight at a cluster; its members have cosines
// far above the cap, and only the probed lists find them.
TEST(ItemIndexClusteredTest, QueriesLikeTheItemsKeepRecall) {
  const FactorMatrix vectors = ClusteredVectors(20000, 16, 200, 8);
  std::unique_ptr<ItemIndex> index =
      BuildOrDie(vectors, WithMethod(IndexOptions::Method::kLengthOrder));
  ASSERT_NE(index, nullptr);
  const rights::RecordingBitmap allowed = RandomBitmap(20000, 0.1, 9);
  double recall = 0;
  for (uint32_t q = 0; q < 100; ++q) {
    const float* query = vectors.row(q * 7).data();
    Result<std::vector<SearchHit>> hits = index->Search(query, 10, &allowed, allowed.Count());
    ASSERT_TRUE(hits.ok());
    recall += Recall(*hits, index->ExactSearch(query, 10, &allowed)) / 100;
  }
  EXPECT_GE(recall, 0.99);
}

TEST_F(ItemIndexTest, ZeroQueryGivesTheLowestIds) {
  const float zero[16] = {};
  Result<std::vector<SearchHit>> hits = index_->Search(zero, 3, nullptr, 3000);
  ASSERT_TRUE(hits.ok());
  ASSERT_EQ(hits->size(), 3u);
  EXPECT_EQ((*hits)[0].item, 0u);
  EXPECT_EQ((*hits)[2].item, 2u);
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
  EXPECT_EQ(index_->Search(queries_.row(0).data(), 10001, nullptr, 0).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(ItemIndexTest, SetSearchOptionsRejectsBadValues) {
  IndexOptions bad;
  bad.cos_cap = -0.1f;
  EXPECT_EQ(index_->SetSearchOptions(bad).code(), StatusCode::kInvalidArgument);
  bad.cos_cap = 1.5f;
  EXPECT_EQ(index_->SetSearchOptions(bad).code(), StatusCode::kInvalidArgument);
  bad.cos_cap = 0.5f;
  bad.probe_lists = -1;
  EXPECT_EQ(index_->SetSearchOptions(bad).code(), StatusCode::kInvalidArgument);
}

TEST(ItemIndexBuildTest, SmallCatalogHasNoListsAndStaysCorrect) {
  const FactorMatrix vectors = RandomVectors(500, 8, 5, 0.5f);
  std::unique_ptr<ItemIndex> index = BuildOrDie(vectors, IndexOptions{});
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(index->lists(), 0u);
  const FactorMatrix query = RandomVectors(1, 8, 6);
  const rights::RecordingBitmap allowed = RandomBitmap(500, 0.5, 7);
  Result<std::vector<SearchHit>> hits = index->Search(query.data(), 10, &allowed, allowed.Count());
  ASSERT_TRUE(hits.ok());
  EXPECT_GE(Recall(*hits, index->ExactSearch(query.data(), 10, &allowed)), 0.9);
  for (const SearchHit& hit : *hits) EXPECT_TRUE(allowed.Test(hit.item));
}

TEST(ItemIndexBuildTest, RejectsBadInput) {
  EXPECT_EQ(ItemIndex::Build(FactorMatrix(0, 4), {}).status().code(), StatusCode::kInvalidArgument);
  FactorMatrix nan = FactorMatrix::Zero(3, 2);
  nan(1, 1) = std::nanf("");
  EXPECT_EQ(ItemIndex::Build(nan, {}).status().code(), StatusCode::kInvalidArgument);
  IndexOptions bad;
  bad.cos_cap = 1.5f;
  EXPECT_EQ(ItemIndex::Build(FactorMatrix::Ones(3, 2), bad).status().code(),
            StatusCode::kInvalidArgument);
  bad = IndexOptions{};
  bad.probe_lists = -1;
  EXPECT_EQ(ItemIndex::Build(FactorMatrix::Ones(3, 2), bad).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace accord::taste
