// Implicit-feedback matrix factorization by alternating least squares (Hu, Koren and Volinsky
// 2008), each row solved by a few warm-started conjugate-gradient steps (Takacs, Pilaszy and
// Tikk 2011) instead of a full k x k solve.
//
// Each observed (listener, item) pair with play count n gets preference 1 and confidence
// c = 1 + alpha * log1p(n) (or 1 + alpha * n, AlsOptions::confidence); unobserved pairs have
// preference 0 and confidence 1. Training minimises
//   sum_{u,i} c_ui (p_ui - x_u . y_i)^2 + regularization * (|x_u|^2 + |y_i|^2).
//
//   AlsOptions options;  options.factors = 64;  options.threads = 2;
//   ACCORD_ASSIGN_OR_RETURN(AlsModel model, TrainAls(data.plays(), options));
//   Eigen::VectorXf x = model.FoldIn(history);    // a listener the model has not seen
//   ACCORD_RETURN_IF_ERROR(model.Save(dir + "/taste/model.bin"));
//
// Determinism: the result depends only on the matrix and the options (seed included), never
// on the thread count or scheduling: every row update reads only the other side's factors and
// its own previous value. The inner loops are chosen at run time (AVX2 + FMA where the CPU has
// them, portable C++ otherwise: als_kernel.h), and the two sum in different orders, so factors
// trained on CPUs with and without AVX2 differ in the last bits (same quality, not the same
// bytes). Thread safety: a trained AlsModel is immutable and safe to share.
#ifndef ACCORD_TASTE_ALS_H_
#define ACCORD_TASTE_ALS_H_

#include <Eigen/Core>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "taste/listening.h"

namespace accord::taste {

using FactorMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

enum class Confidence : uint8_t {
  kLog1p = 0,   // c = 1 + alpha * log1p(plays): tames listeners with thousands of plays
  kLinear = 1,  // c = 1 + alpha * plays, as in Hu et al.
};

struct AlsOptions {
  int factors = 64;
  float regularization = 0.05f;
  float alpha = 1.0f;
  Confidence confidence = Confidence::kLog1p;
  int iterations = 15;
  int cg_steps = 3;  // conjugate-gradient steps per row and half-iteration
  int threads = 2;
  uint64_t seed = 1;
  // Limits, so a typo cannot ask for a terabyte.
  static constexpr int kMaxFactors = 1024;
  static constexpr int kMaxIterations = 1000;
  static constexpr int kMaxThreads = 256;
};
// InvalidArgument naming the setting that is out of range.
Status ValidateAlsOptions(const AlsOptions& options);

// Confidence of one observed pair.
float ConfidenceOf(float plays, const AlsOptions& options);

struct AlsIterationStats {
  int iteration = 0;         // 1-based
  double seconds_users = 0;  // wall time of the listener half-step
  double seconds_items = 0;  // wall time of the item half-step
  // Processor time of the whole process during the iteration, all threads: the work done,
  // which unlike wall time does not grow when other processes take the cores.
  double cpu_seconds = 0;
};

class AlsModel;
namespace internal {
struct AlsKernels;  // als_kernel.h
// TrainAls with the given inner loops instead of the fastest this CPU runs (tests and the
// benchmark compare them).
Result<AlsModel> TrainAlsWithKernels(
    const SparseMatrix& plays, const AlsOptions& options, const AlsKernels& kernels,
    const std::function<void(const AlsIterationStats&)>& on_iteration = {});
}  // namespace internal

class AlsModel {
 public:
  AlsModel() = default;
  int factors() const { return static_cast<int>(item_factors_.cols()); }
  const FactorMatrix& user_factors() const { return user_factors_; }
  const FactorMatrix& item_factors() const { return item_factors_; }
  const AlsOptions& options() const { return options_; }

  // The listener vector that the training objective gives for `history` (item, plays) with
  // the item factors held fixed: an exact k x k solve, no retraining. Items out of range are
  // ignored. An empty history gives the zero vector (use popularity: cold start).
  Eigen::VectorXf FoldIn(const std::vector<std::pair<uint32_t, float>>& history) const;

  // Binary format in docs/formats/listening.md ("taste/model.bin"). `fingerprint` ties the
  // factors to the listening data they were trained on (ListeningFingerprint).
  Status Save(const std::string& path, uint64_t fingerprint) const;
  // NotFound / DataLoss naming the file; FailedPrecondition when `expected_fingerprint` is not
  // 0 and differs (the listening data changed since training).
  static Result<AlsModel> Load(const std::string& path, uint64_t expected_fingerprint);

 private:
  friend Result<AlsModel> internal::TrainAlsWithKernels(
      const SparseMatrix&, const AlsOptions&, const internal::AlsKernels&,
      const std::function<void(const AlsIterationStats&)>&);
  AlsOptions options_;
  FactorMatrix user_factors_;
  FactorMatrix item_factors_;
  Eigen::MatrixXf item_gram_;  // Y^T Y, kept for FoldIn
};

// Trains on `plays` (listener x item). InvalidArgument for bad options; FailedPrecondition for
// an empty matrix. `on_iteration` (may be empty) is called after each iteration.
Result<AlsModel> TrainAls(const SparseMatrix& plays, const AlsOptions& options,
                          const std::function<void(const AlsIterationStats&)>& on_iteration = {});

// A 64-bit digest of the matrix shape and entries (for model.bin's fingerprint).
uint64_t ListeningFingerprint(const SparseMatrix& plays);

}  // namespace accord::taste

#endif  // ACCORD_TASTE_ALS_H_
