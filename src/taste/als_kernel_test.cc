#include "taste/als_kernel.h"

#include <gtest/gtest.h>

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "taste/als.h"
#include "taste/taste_test_util.h"

namespace accord::taste::internal {
namespace {

// Every kernel set this CPU can run: the portable loops always, the AVX2 ones where supported.
std::vector<const AlsKernels*> RunnableKernels() {
  std::vector<const AlsKernels*> kernels = {&PortableAlsKernels()};
  if (Avx2AlsKernels() != nullptr) kernels.push_back(Avx2AlsKernels());
  return kernels;
}

// Factor counts that exercise the padding (not a multiple of 8), one and several 64-column
// tiles, and a tile plus a tail.
const int kFactorCounts[] = {1, 5, 8, 16, 20, 64, 70, 128};

std::vector<float> RandomFloats(size_t size, std::mt19937_64* rng) {
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::vector<float> v(size);
  for (float& x : v) x = uniform(*rng);
  return v;
}

// A padded vector: `factors` random values, then zeros up to the width.
AlignedFloats PaddedRandom(int factors, std::mt19937_64* rng) {
  AlignedFloats v(static_cast<size_t>(PaddedWidth(factors)));
  const std::vector<float> values = RandomFloats(static_cast<size_t>(factors), rng);
  std::copy(values.begin(), values.end(), v.data());
  return v;
}

// A random symmetric positive definite G, padded with zeros.
AlignedFloats PaddedGram(int factors, std::mt19937_64* rng) {
  const int width = PaddedWidth(factors);
  const std::vector<float> y = RandomFloats(static_cast<size_t>(3 * factors * factors), rng);
  AlignedFloats gram(static_cast<size_t>(width) * width);
  for (int i = 0; i < factors; ++i) {
    for (int j = 0; j < factors; ++j) {
      double sum = i == j ? 0.5 : 0.0;
      for (int r = 0; r < 3 * factors; ++r) {
        sum += double{y[size_t(r) * factors + i]} * y[size_t(r) * factors + j];
      }
      gram.data()[size_t(i) * width + j] = static_cast<float>(sum / factors);
    }
  }
  return gram;
}

TEST(AlsKernelTest, AlignedFloatsAreAlignedAndZeroed) {
  AlignedFloats v(37);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(v.data()) % 64, 0u);
  for (size_t i = 0; i < v.size(); ++i) EXPECT_EQ(v.data()[i], 0.0f);
  v.data()[3] = 1.0f;
  v.Resize(20);  // shrinking keeps the allocation and zeroes again
  EXPECT_EQ(v.data()[3], 0.0f);
  EXPECT_EQ(v.size(), 20u);
}

// Factor matrices are read at random rows; 2 MiB alignment lets the kernel back them with huge
// pages (fewer TLB misses).
TEST(AlsKernelTest, LargeBuffersAreHugePageAlignedAndZeroed) {
  AlignedFloats v(size_t{3} << 20);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(v.data()) % (size_t{2} << 20), 0u);
  EXPECT_EQ(v.data()[0], 0.0f);
  EXPECT_EQ(v.data()[v.size() - 1], 0.0f);
}

TEST(AlsKernelTest, SymmetricTimesMatchesDoublePrecision) {
  std::mt19937_64 rng(1);
  for (const AlsKernels* kernels : RunnableKernels()) {
    for (int factors : kFactorCounts) {
      const int width = PaddedWidth(factors);
      const AlignedFloats gram = PaddedGram(factors, &rng);
      // Counts around the four-vector tiles: alone, a tail only, exact, both.
      for (int count : {1, 3, 4, 6, 9}) {
        AlignedFloats vs(static_cast<size_t>(count) * width);
        for (int i = 0; i < count; ++i) {
          const AlignedFloats v = PaddedRandom(factors, &rng);
          std::copy(v.data(), v.data() + width, vs.data() + i * width);
        }
        AlignedFloats outs(static_cast<size_t>(count) * width);
        kernels->symmetric_times(gram.data(), width, vs.data(), count, outs.data());
        for (int i = 0; i < count; ++i) {
          for (int j = 0; j < width; ++j) {
            double expected = 0;
            for (int l = 0; l < width; ++l) {
              expected += double{gram.data()[l * width + j]} * vs.data()[i * width + l];
            }
            EXPECT_NEAR(outs.data()[i * width + j], expected, 1e-4 * (1 + std::abs(expected)))
                << kernels->name << " factors " << factors << " count " << count << " vector " << i
                << " column " << j;
          }
        }
      }
    }
  }
}

// The solver batches rows for speed; the factors must not depend on the batching.
TEST(AlsKernelTest, SymmetricTimesOfAVectorIsTheSameBitsAloneAndInABatch) {
  std::mt19937_64 rng(11);
  for (const AlsKernels* kernels : RunnableKernels()) {
    for (int factors : kFactorCounts) {
      const int width = PaddedWidth(factors);
      const AlignedFloats gram = PaddedGram(factors, &rng);
      constexpr int kCount = 7;
      AlignedFloats vs(size_t{kCount} * width);
      for (int i = 0; i < kCount; ++i) {
        const AlignedFloats v = PaddedRandom(factors, &rng);
        std::copy(v.data(), v.data() + width, vs.data() + i * width);
      }
      AlignedFloats batched(size_t{kCount} * width);
      kernels->symmetric_times(gram.data(), width, vs.data(), kCount, batched.data());
      for (int i = 0; i < kCount; ++i) {
        AlignedFloats alone(static_cast<size_t>(width));
        kernels->symmetric_times(gram.data(), width, vs.data() + i * width, 1, alone.data());
        for (int j = 0; j < width; ++j) {
          ASSERT_EQ(alone.data()[j], batched.data()[i * width + j])
              << kernels->name << " factors " << factors << " vector " << i << " column " << j;
        }
      }
    }
  }
}

TEST(AlsKernelTest, GatherCopiesRows) {
  std::mt19937_64 rng(2);
  for (const AlsKernels* kernels : RunnableKernels()) {
    for (int factors : kFactorCounts) {
      const int width = PaddedWidth(factors);
      const uint32_t rows = 50;
      const std::vector<float> factor_matrix = RandomFloats(size_t{rows} * width, &rng);
      // More entries than the prefetch distance, repeats included.
      const std::vector<uint32_t> picked = {7, 0, 49, 7, 13, 2, 31, 31, 5, 48, 11, 20, 1};
      std::vector<float> block(picked.size() * width, -1.0f);
      kernels->gather(factor_matrix.data(), width, picked.data(),
                      static_cast<int64_t>(picked.size()), block.data());
      for (size_t e = 0; e < picked.size(); ++e) {
        for (int l = 0; l < width; ++l) {
          ASSERT_EQ(block[e * width + l], factor_matrix[picked[e] * width + l])
              << kernels->name << " factors " << factors << " entry " << e << " lane " << l;
        }
      }
    }
  }
}

TEST(AlsKernelTest, StepAndNextDirectionMatchTheirDefinitions) {
  std::mt19937_64 rng(12);
  for (const AlsKernels* kernels : RunnableKernels()) {
    for (int factors : kFactorCounts) {
      const int width = PaddedWidth(factors);
      const AlignedFloats p = PaddedRandom(factors, &rng);
      const AlignedFloats ap = PaddedRandom(factors, &rng);
      AlignedFloats x = PaddedRandom(factors, &rng);
      AlignedFloats r = PaddedRandom(factors, &rng);
      std::vector<double> x_expected(x.data(), x.data() + width);
      std::vector<double> r_expected(r.data(), r.data() + width);
      double norm_expected = 0;
      for (int l = 0; l < width; ++l) {
        x_expected[l] += 0.75 * p.data()[l];
        r_expected[l] -= 0.75 * ap.data()[l];
        norm_expected += r_expected[l] * r_expected[l];
      }
      const float norm = kernels->step(0.75f, p.data(), ap.data(), width, x.data(), r.data());
      EXPECT_NEAR(norm, norm_expected, 1e-5 * (1 + norm_expected)) << kernels->name;
      for (int l = 0; l < width; ++l) {
        EXPECT_NEAR(x.data()[l], x_expected[l], 1e-6) << kernels->name << " lane " << l;
        EXPECT_NEAR(r.data()[l], r_expected[l], 1e-6) << kernels->name << " lane " << l;
      }
      AlignedFloats direction = PaddedRandom(factors, &rng);
      std::vector<double> direction_expected(width);
      for (int l = 0; l < width; ++l) {
        direction_expected[l] = r.data()[l] + 0.5 * direction.data()[l];
      }
      kernels->next_direction(r.data(), 0.5f, width, direction.data());
      for (int l = 0; l < width; ++l) {
        EXPECT_NEAR(direction.data()[l], direction_expected[l], 1e-6)
            << kernels->name << " lane " << l;
      }
    }
  }
}

// out += sum_e coefficient_e y_e in double precision, the oracle of add_residual/add_product.
std::vector<double> AddDataOracle(bool residual, const std::vector<float>& block,
                                  const std::vector<float>& confidence, int width,
                                  const AlignedFloats& v, const AlignedFloats& out) {
  std::vector<double> expected(out.data(), out.data() + width);
  for (size_t e = 0; e < confidence.size(); ++e) {
    double projected = 0;
    for (int l = 0; l < width; ++l) projected += double{block[e * width + l]} * v.data()[l];
    const double weight = double{confidence[e]} - 1.0;
    const double coefficient = residual ? confidence[e] - weight * projected : weight * projected;
    for (int l = 0; l < width; ++l) expected[l] += coefficient * block[e * width + l];
  }
  return expected;
}

TEST(AlsKernelTest, AddResidualAndAddProductMatchDoublePrecision) {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<float> confidence_of(1.0f, 6.0f);
  for (const AlsKernels* kernels : RunnableKernels()) {
    for (int factors : kFactorCounts) {
      const int width = PaddedWidth(factors);
      // Counts around the four-rows-at-a-time grouping: none, a tail only, exact, both.
      for (int count : {0, 1, 3, 4, 5, 13}) {
        std::vector<float> block(size_t(count) * width, 0.0f);
        for (int e = 0; e < count; ++e) {
          const std::vector<float> row = RandomFloats(size_t(factors), &rng);
          std::copy(row.begin(), row.end(), block.begin() + e * width);
        }
        std::vector<float> confidence(static_cast<size_t>(count));
        for (float& c : confidence) c = confidence_of(rng);
        const AlignedFloats v = PaddedRandom(factors, &rng);
        for (bool residual : {true, false}) {
          AlignedFloats out = PaddedRandom(factors, &rng);
          const std::vector<double> expected =
              AddDataOracle(residual, block, confidence, width, v, out);
          (residual ? kernels->add_residual : kernels->add_product)(
              block.data(), confidence.data(), count, width, v.data(), out.data());
          for (int l = 0; l < width; ++l) {
            EXPECT_NEAR(out.data()[l], expected[l], 1e-4 * (1 + std::abs(expected[l])))
                << kernels->name << (residual ? " residual" : " product") << " factors " << factors
                << " count " << count << " lane " << l;
          }
        }
      }
    }
  }
}

TEST(AlsKernelTest, DotMatchesDoublePrecision) {
  std::mt19937_64 rng(4);
  for (const AlsKernels* kernels : RunnableKernels()) {
    for (int factors : kFactorCounts) {
      const AlignedFloats a = PaddedRandom(factors, &rng);
      const AlignedFloats b = PaddedRandom(factors, &rng);
      double expected = 0;
      for (int l = 0; l < factors; ++l) expected += double{a.data()[l]} * b.data()[l];
      EXPECT_NEAR(kernels->dot(a.data(), b.data(), PaddedWidth(factors)), expected, 1e-5 * factors)
          << kernels->name << " factors " << factors;
    }
  }
}

// One row's normal equations solved exactly (Eigen, double), for the RowSolver oracle.
Eigen::VectorXd ExactRowSolution(const std::vector<float>& other, int factors,
                                 const AlignedFloats& gram, const std::vector<uint32_t>& columns,
                                 const std::vector<float>& confidence) {
  const int width = PaddedWidth(factors);
  Eigen::MatrixXd a(factors, factors);
  for (int i = 0; i < factors; ++i) {
    for (int j = 0; j < factors; ++j) a(i, j) = gram.data()[i * width + j];
  }
  Eigen::VectorXd b = Eigen::VectorXd::Zero(factors);
  for (size_t e = 0; e < columns.size(); ++e) {
    Eigen::VectorXd y(factors);
    for (int l = 0; l < factors; ++l) y(l) = other[size_t{columns[e]} * width + l];
    a += (double{confidence[e]} - 1.0) * y * y.transpose();
    b += double{confidence[e]} * y;
  }
  return a.ldlt().solve(b);
}

// A small half-step problem: `other` (stride width, zero padding), its G, and CSR rows with the
// given entry counts over random columns.
class RowSolverTest : public ::testing::Test {
 protected:
  static constexpr int kFactors = 6;
  static constexpr uint32_t kOtherRows = 300;

  void Build(const std::vector<int64_t>& counts, int cg_steps) {
    std::mt19937_64 rng(5);
    std::uniform_real_distribution<float> confidence_of(1.0f, 3.0f);
    const int width = PaddedWidth(kFactors);
    other_.assign(size_t{kOtherRows} * width, 0.0f);
    for (uint32_t r = 0; r < kOtherRows; ++r) {
      const std::vector<float> row = RandomFloats(kFactors, &rng);
      for (int l = 0; l < kFactors; ++l) other_[r * width + l] = 0.1f * row[l];
    }
    gram_ = PaddedGram(kFactors, &rng);
    offsets_ = {0};
    for (int64_t count : counts) offsets_.push_back(offsets_.back() + count);
    columns_.resize(offsets_.back());
    confidence_.resize(offsets_.back());
    for (size_t e = 0; e < columns_.size(); ++e) {
      columns_[e] = static_cast<uint32_t>(rng() % kOtherRows);
      confidence_[e] = confidence_of(rng);
    }
    step_.other = other_.data();
    step_.gram = gram_.data();
    step_.width = width;
    step_.cg_steps = cg_steps;
    step_.offsets = offsets_.data();
    step_.columns = columns_.data();
    step_.confidence = confidence_.data();
  }
  // Every row starts at 0.01 in each factor.
  AlignedFloats StartingPoint() const {
    const int width = PaddedWidth(kFactors);
    AlignedFloats self((offsets_.size() - 1) * width);
    for (size_t r = 0; r + 1 < offsets_.size(); ++r) {
      std::fill(self.data() + r * width, self.data() + r * width + kFactors, 0.01f);
    }
    return self;
  }
  Eigen::VectorXd Exact(uint32_t row) const {
    return ExactRowSolution(other_, kFactors, gram_,
                            std::vector<uint32_t>(columns_.begin() + offsets_[row],
                                                  columns_.begin() + offsets_[row + 1]),
                            std::vector<float>(confidence_.begin() + offsets_[row],
                                               confidence_.begin() + offsets_[row + 1]));
  }

  std::vector<float> other_;
  AlignedFloats gram_;
  std::vector<uint64_t> offsets_;
  std::vector<uint32_t> columns_;
  std::vector<float> confidence_;
  HalfStep step_;
};

// Entry counts covering every path: batched short rows (empty included), a row too large for
// a batch block (solved alone, gathered whole) and one longer than kGatherMaxEntries (gathered
// segment by segment in every pass).
std::vector<int64_t> MixedRowLengths() {
  const int64_t alone = kBatchBlockFloats / PaddedWidth(6) + 1;
  const int64_t segmented = kGatherMaxEntries + kSegmentEntries / 2 + 3;
  return {40, 0, 3, 17, alone, 9, 1, 5, 2, 8, 30, 11, segmented, 6, 4, 7, 3, 2, 9, 1};
}

// With as many CG steps as factors (and a few more for rounding) every row reaches the exact
// solution, whichever path solved it.
TEST_F(RowSolverTest, ConvergesToTheExactSolutionOnEveryPath) {
  Build(MixedRowLengths(), 3 * kFactors);
  const int width = PaddedWidth(kFactors);
  for (const AlsKernels* kernels : RunnableKernels()) {
    RowSolver solver(step_, *kernels);
    AlignedFloats self = StartingPoint();
    const auto rows = static_cast<uint32_t>(offsets_.size() - 1);
    solver.SolveRows(0, rows, self.data());
    for (uint32_t row = 0; row < rows; ++row) {
      const Eigen::VectorXd exact = Exact(row);
      double error = 0;
      for (int l = 0; l < kFactors; ++l) {
        const double d = self.data()[row * width + l] - exact(l);
        error += d * d;
      }
      EXPECT_LT(std::sqrt(error), 1e-3 * exact.norm() + 1e-6) << kernels->name << " row " << row;
      for (int l = kFactors; l < width; ++l) {
        EXPECT_EQ(self.data()[row * width + l], 0.0f) << "padding of row " << row;
      }
    }
  }
}

// Batching is a speed device only: a row solved within a range comes out the same bits as the
// row solved alone (the thread-count independence of TrainAls rests on this).
TEST_F(RowSolverTest, RowsAreTheSameBitsWhateverTheRangeTheyAreSolvedIn) {
  Build(MixedRowLengths(), 3);
  const int width = PaddedWidth(kFactors);
  const auto rows = static_cast<uint32_t>(offsets_.size() - 1);
  for (const AlsKernels* kernels : RunnableKernels()) {
    RowSolver solver(step_, *kernels);
    AlignedFloats together = StartingPoint();
    solver.SolveRows(0, rows, together.data());
    AlignedFloats alone = StartingPoint();
    for (uint32_t row = rows; row-- > 0;) solver.SolveRows(row, row + 1, alone.data());
    AlignedFloats in_pairs = StartingPoint();
    solver.SolveRows(0, 1, in_pairs.data());
    for (uint32_t row = 1; row < rows; row += 2) {
      solver.SolveRows(row, std::min(rows, row + 2), in_pairs.data());
    }
    for (size_t i = 0; i < size_t{rows} * width; ++i) {
      ASSERT_EQ(together.data()[i], alone.data()[i]) << kernels->name << " row " << i / width;
      ASSERT_EQ(together.data()[i], in_pairs.data()[i]) << kernels->name << " row " << i / width;
    }
  }
}

// A row with no entries: only the regularised Gram term pulls it, towards zero.
TEST_F(RowSolverTest, EmptyRowShrinksTowardsZero) {
  Build({0}, 3);
  for (const AlsKernels* kernels : RunnableKernels()) {
    RowSolver solver(step_, *kernels);
    AlignedFloats self(static_cast<size_t>(PaddedWidth(kFactors)));
    std::fill(self.data(), self.data() + kFactors, 1.0f);
    solver.SolveRows(0, 1, self.data());
    double norm = 0;
    for (int l = 0; l < kFactors; ++l) norm += double{self.data()[l]} * self.data()[l];
    EXPECT_LT(std::sqrt(norm), 0.5 * std::sqrt(kFactors)) << kernels->name;
  }
}

// The AVX2 and the portable loops sum in different orders, so whole trainings differ in the
// last bits; they must stay close, and each must be deterministic on its own.
TEST(AlsKernelTest, Avx2AndPortableTrainingsAgree) {
  if (Avx2AlsKernels() == nullptr) GTEST_SKIP() << "this CPU has no AVX2+FMA";
  const SparseMatrix m = BlockMatrix(300, 120, 3, 8, 7);
  AlsOptions options;
  options.factors = 20;  // a padded width: exercises the zero lanes through training
  options.iterations = 5;
  options.threads = 2;
  Result<AlsModel> portable = TrainAlsWithKernels(m, options, PortableAlsKernels());
  Result<AlsModel> avx2 = TrainAlsWithKernels(m, options, *Avx2AlsKernels());
  ASSERT_TRUE(portable.ok() && avx2.ok());
  const float user_gap = (portable->user_factors() - avx2->user_factors()).norm();
  const float item_gap = (portable->item_factors() - avx2->item_factors()).norm();
  EXPECT_LT(user_gap, 1e-3f * portable->user_factors().norm());
  EXPECT_LT(item_gap, 1e-3f * portable->item_factors().norm());
  options.threads = 1;
  Result<AlsModel> portable_one_thread = TrainAlsWithKernels(m, options, PortableAlsKernels());
  ASSERT_TRUE(portable_one_thread.ok());
  EXPECT_EQ(portable_one_thread->item_factors(), portable->item_factors());
}

}  // namespace
}  // namespace accord::taste::internal
