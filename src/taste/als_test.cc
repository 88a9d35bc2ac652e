#include "taste/als.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "taste/taste_test_util.h"

namespace accord::taste {
namespace {

AlsOptions SmallOptions() {
  AlsOptions o;
  o.factors = 8;
  o.regularization = 0.1f;
  o.iterations = 10;
  o.threads = 2;
  return o;
}

// The training objective, computed densely (small matrices only).
double Objective(const SparseMatrix& plays, const AlsModel& model, const AlsOptions& o) {
  const Eigen::MatrixXf predicted = model.user_factors() * model.item_factors().transpose();
  double loss = 0;
  for (uint32_t u = 0; u < plays.rows; ++u) {
    std::vector<float> row(plays.cols, 0.0f);
    for (uint64_t e = plays.offsets[u]; e < plays.offsets[u + 1]; ++e) {
      row[plays.columns[e]] = plays.values[e];
    }
    for (uint32_t i = 0; i < plays.cols; ++i) {
      const double c = row[i] > 0 ? ConfidenceOf(row[i], o) : 1.0;
      const double p = row[i] > 0 ? 1.0 : 0.0;
      loss += c * (p - predicted(u, i)) * (p - predicted(u, i));
    }
  }
  loss +=
      o.regularization * (model.user_factors().squaredNorm() + model.item_factors().squaredNorm());
  return loss;
}

TEST(AlsTest, RejectsBadOptions) {
  SparseMatrix m = BlockMatrix(10, 20, 2, 3, 1);
  AlsOptions o = SmallOptions();
  o.factors = 0;
  EXPECT_NE(TrainAls(m, o).status().message().find("factors"), std::string::npos);
  o = SmallOptions();
  o.threads = 0;
  EXPECT_EQ(TrainAls(m, o).status().code(), StatusCode::kInvalidArgument);
  o = SmallOptions();
  o.regularization = -1;
  EXPECT_EQ(TrainAls(m, o).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(TrainAls(SparseMatrix{}, SmallOptions()).status().code(),
            StatusCode::kFailedPrecondition);
}

TEST(AlsTest, DeterministicWhateverTheThreadCount) {
  SparseMatrix m = BlockMatrix(300, 120, 3, 8, 7);
  AlsOptions one = SmallOptions();
  one.threads = 1;
  AlsOptions two = SmallOptions();
  two.threads = 2;
  Result<AlsModel> a = TrainAls(m, one);
  Result<AlsModel> b = TrainAls(m, two);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->user_factors(), b->user_factors());
  EXPECT_EQ(a->item_factors(), b->item_factors());
  AlsOptions other_seed = two;
  other_seed.seed = 2;
  Result<AlsModel> c = TrainAls(m, other_seed);
  ASSERT_TRUE(c.ok());
  EXPECT_NE(a->item_factors(), c->item_factors());
}

TEST(AlsTest, ObjectiveDecreasesWithIterations) {
  SparseMatrix m = BlockMatrix(60, 40, 2, 6, 3);
  double previous = 1e300;
  for (int iterations : {1, 3, 10}) {
    AlsOptions o = SmallOptions();
    o.iterations = iterations;
    Result<AlsModel> model = TrainAls(m, o);
    ASSERT_TRUE(model.ok());
    const double objective = Objective(m, *model, o);
    EXPECT_LT(objective, previous) << iterations << " iterations";
    previous = objective;
  }
}

TEST(AlsTest, RecoversBlockStructure) {
  const uint32_t groups = 3;
  SparseMatrix m = BlockMatrix(300, 150, groups, 10, 11);
  Result<AlsModel> model = TrainAls(m, SmallOptions());
  ASSERT_TRUE(model.ok());
  // For every listener, the best-scored item they have not played is in their own group.
  int correct = 0;
  for (uint32_t u = 0; u < m.rows; ++u) {
    const Eigen::VectorXf scores = model->item_factors() * model->user_factors().row(u).transpose();
    std::vector<bool> played(m.cols, false);
    for (uint64_t e = m.offsets[u]; e < m.offsets[u + 1]; ++e) played[m.columns[e]] = true;
    int best = -1;
    for (uint32_t i = 0; i < m.cols; ++i) {
      if (!played[i] && (best < 0 || scores(i) > scores(best))) best = static_cast<int>(i);
    }
    correct += GroupOf(static_cast<uint32_t>(best), groups) == GroupOf(u, groups);
  }
  EXPECT_EQ(correct, static_cast<int>(m.rows));
}

TEST(AlsTest, FoldInMatchesTrainedVectorAtConvergence) {
  SparseMatrix m = BlockMatrix(120, 60, 3, 6, 5);
  AlsOptions o = SmallOptions();
  o.iterations = 40;
  o.cg_steps = o.factors;  // CG is exact in k steps: rows are solved, not approximated
  Result<AlsModel> model = TrainAls(m, o);
  ASSERT_TRUE(model.ok());
  for (uint32_t u : {0u, 17u, 101u}) {
    std::vector<std::pair<uint32_t, float>> history;
    for (uint64_t e = m.offsets[u]; e < m.offsets[u + 1]; ++e) {
      history.emplace_back(m.columns[e], m.values[e]);
    }
    const Eigen::VectorXf folded = model->FoldIn(history);
    const Eigen::VectorXf trained = model->user_factors().row(u).transpose();
    EXPECT_LT((folded - trained).norm(), 0.02f * trained.norm()) << "listener " << u;
  }
  EXPECT_EQ(model->FoldIn({}).squaredNorm(), 0.0f);
  EXPECT_EQ(model->FoldIn({{100000, 3.0f}}).squaredNorm(), 0.0f);
}

class AlsFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() /
             (std::string("taste_model_") +
              ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".bin"))
                .string();
  }
  void TearDown() override { std::filesystem::remove(path_); }
  std::string path_;
};

TEST_F(AlsFileTest, SaveLoadRoundTrip) {
  SparseMatrix m = BlockMatrix(50, 30, 2, 5, 2);
  Result<AlsModel> model = TrainAls(m, SmallOptions());
  ASSERT_TRUE(model.ok());
  const uint64_t fingerprint = ListeningFingerprint(m);
  ASSERT_TRUE(model->Save(path_, fingerprint).ok());
  Result<AlsModel> loaded = AlsModel::Load(path_, fingerprint);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->user_factors(), model->user_factors());
  EXPECT_EQ(loaded->item_factors(), model->item_factors());
  EXPECT_EQ(loaded->options().regularization, SmallOptions().regularization);
  EXPECT_EQ(loaded->FoldIn({{1, 4.0f}}), model->FoldIn({{1, 4.0f}}));
}

TEST_F(AlsFileTest, OtherListeningDataIsFailedPrecondition) {
  SparseMatrix m = BlockMatrix(50, 30, 2, 5, 2);
  Result<AlsModel> model = TrainAls(m, SmallOptions());
  ASSERT_TRUE(model.ok());
  ASSERT_TRUE(model->Save(path_, ListeningFingerprint(m)).ok());
  SparseMatrix changed = m;
  changed.values[0] += 1;
  EXPECT_NE(ListeningFingerprint(changed), ListeningFingerprint(m));
  EXPECT_EQ(AlsModel::Load(path_, ListeningFingerprint(changed)).status().code(),
            StatusCode::kFailedPrecondition);
}

TEST_F(AlsFileTest, CorruptFileIsDataLoss) {
  SparseMatrix m = BlockMatrix(50, 30, 2, 5, 2);
  Result<AlsModel> model = TrainAls(m, SmallOptions());
  ASSERT_TRUE(model.ok());
  ASSERT_TRUE(model->Save(path_, 1).ok());
  std::string bytes;
  {
    std::ifstream in(path_, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  bytes[bytes.size() - 100] ^= 1;
  {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out << bytes;
  }
  EXPECT_EQ(AlsModel::Load(path_, 0).status().code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace accord::taste
