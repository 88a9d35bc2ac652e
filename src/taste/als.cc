#include "taste/als.h"

#include <Eigen/Cholesky>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <ctime>
#include <thread>

#include "taste/als_kernel.h"
#include "taste/section_file.h"

namespace accord::taste {
namespace {

// Section tags of taste/model.bin.
enum ModelSection : uint32_t {
  kOptions = 1,
  kFingerprint = 2,
  kUserShape = 3,
  kUserFactors = 4,
  kItemShape = 5,
  kItemFactors = 6,
};

struct StoredOptions {
  int32_t factors;
  float regularization;
  float alpha;
  int32_t confidence;
  int32_t iterations;
  int32_t cg_steps;
  uint64_t seed;
};

// Rows are claimed in chunks from a shared counter: listeners follow a power law, so a static
// split would leave one thread with the heavy rows. Chunking does not affect the result (each
// row's update is independent of the others in the same half-step).
constexpr uint32_t kRowsPerChunk = 64;

uint64_t SplitMix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// Uniform [0, 0.01) from a counter-based generator: row r's start depends only on (seed, side,
// r), so initialisation is the same whatever the thread count.
void InitFactors(FactorMatrix* m, uint64_t seed, uint64_t side) {
  for (Eigen::Index r = 0; r < m->rows(); ++r) {
    uint64_t state = SplitMix64(seed ^ SplitMix64(side * 0x100000001B3ull + uint64_t(r)));
    for (Eigen::Index c = 0; c < m->cols(); ++c) {
      state = SplitMix64(state);
      (*m)(r, c) = static_cast<float>(state >> 40) / static_cast<float>(1ull << 24) * 0.01f;
    }
  }
}

// fn(worker, begin, end) for chunks of rows; `worker` in [0, threads) lets a caller keep
// per-thread scratch.
template <typename Fn>
void ParallelRows(uint32_t rows, int threads, Fn fn) {
  std::atomic<uint32_t> next{0};
  auto worker = [&](int worker_index) {
    while (true) {
      const uint32_t begin = next.fetch_add(kRowsPerChunk);
      if (begin >= rows) return;
      fn(worker_index, begin, std::min(rows, begin + kRowsPerChunk));
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker, t);
  worker(0);
  for (std::thread& thread : pool) thread.join();
}

// Y^T Y, summed over row blocks in parallel. The blocks and their order are fixed by the row
// count alone, so the sum is the same bits whatever the thread count.
template <typename Derived>
Eigen::MatrixXf Gram(const Eigen::MatrixBase<Derived>& y, int threads) {
  const Eigen::Index k = y.cols();
  constexpr Eigen::Index kBlockRows = 4096;
  const Eigen::Index blocks = (y.rows() + kBlockRows - 1) / kBlockRows;
  std::vector<Eigen::MatrixXf> partial(static_cast<size_t>(blocks));
  std::atomic<Eigen::Index> next{0};
  auto worker = [&] {
    while (true) {
      const Eigen::Index b = next.fetch_add(1);
      if (b >= blocks) return;
      const Eigen::Index begin = b * kBlockRows;
      const Eigen::Index count = std::min(kBlockRows, y.rows() - begin);
      partial[b] = Eigen::MatrixXf::Zero(k, k);
      partial[b].selfadjointView<Eigen::Lower>().rankUpdate(y.middleRows(begin, count).transpose());
      partial[b].triangularView<Eigen::StrictlyUpper>() = partial[b].transpose();
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& thread : pool) thread.join();
  Eigen::MatrixXf gram = Eigen::MatrixXf::Zero(k, k);
  for (const Eigen::MatrixXf& p : partial) gram += p;
  return gram;
}

// A factor matrix as training keeps it: rows padded with zeros to a multiple of 8 floats and
// 64-byte aligned, so that the kernels need no tails and a gathered row touches the fewest
// cache lines (4 at 64 factors; Eigen's 16-byte alignment makes it 5).
struct PaddedFactors {
  explicit PaddedFactors(const FactorMatrix& m)
      : rows(static_cast<uint32_t>(m.rows())),
        factors(static_cast<int>(m.cols())),
        width(internal::PaddedWidth(factors)),
        data(size_t{rows} * static_cast<size_t>(width)) {
    for (uint32_t r = 0; r < rows; ++r) {
      std::copy(m.row(r).data(), m.row(r).data() + factors, Row(r));
    }
  }
  float* Row(uint32_t r) { return data.data() + size_t{r} * static_cast<size_t>(width); }
  const float* Row(uint32_t r) const {
    return data.data() + size_t{r} * static_cast<size_t>(width);
  }
  // All `width` columns, padding included (so Gram() of it is padded with zeros too).
  Eigen::Map<const FactorMatrix> Matrix() const {
    return Eigen::Map<const FactorMatrix>(data.data(), rows, width);
  }
  void CopyTo(FactorMatrix* m) const {
    m->resize(rows, factors);
    for (uint32_t r = 0; r < rows; ++r) std::copy(Row(r), Row(r) + factors, m->row(r).data());
  }

  uint32_t rows;
  int factors;
  int width;
  internal::AlignedFloats data;
};

// One half-step: every row of `self` moves a few CG steps towards the least-squares solution
// given `other`. `confidence` is aligned with m.values. The per-row work is in als_kernel.cc
// (RowSolver), over plain floats with AVX2 loops where the CPU has them.
void UpdateSide(const SparseMatrix& m, const std::vector<float>& confidence,
                const PaddedFactors& other, PaddedFactors* self, const AlsOptions& options,
                const internal::AlsKernels& kernels) {
  const int width = self->width;
  internal::AlignedFloats gram(static_cast<size_t>(width) * width);
  // G is symmetric, so its column-major Eigen result reads the same row-major.
  Eigen::Map<Eigen::MatrixXf>(gram.data(), width, width) = Gram(other.Matrix(), options.threads);
  // Only the real factors are regularised: the padding lanes of G stay zero.
  for (int i = 0; i < self->factors; ++i) {
    gram.data()[static_cast<size_t>(i) * width + i] += options.regularization;
  }
  internal::HalfStep step;
  step.other = other.data.data();
  step.gram = gram.data();
  step.width = width;
  step.cg_steps = options.cg_steps;
  step.offsets = m.offsets.data();
  step.columns = m.columns.data();
  step.confidence = confidence.data();
  std::vector<internal::RowSolver> solvers;
  solvers.reserve(static_cast<size_t>(options.threads));
  for (int t = 0; t < options.threads; ++t) solvers.emplace_back(step, kernels);
  ParallelRows(m.rows, options.threads, [&](int worker, uint32_t begin, uint32_t end) {
    solvers[static_cast<size_t>(worker)].SolveRows(begin, end, self->data.data());
  });
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

}  // namespace

Status ValidateAlsOptions(const AlsOptions& o) {
  if (o.factors < 1 || o.factors > AlsOptions::kMaxFactors) {
    return InvalidArgumentError("factors: must be 1..1024, got " + std::to_string(o.factors));
  }
  if (!(o.regularization >= 0) || !std::isfinite(o.regularization)) {
    return InvalidArgumentError("regularization: must be a finite number >= 0");
  }
  if (!(o.alpha >= 0) || !std::isfinite(o.alpha)) {
    return InvalidArgumentError("alpha: must be a finite number >= 0");
  }
  if (o.iterations < 0 || o.iterations > AlsOptions::kMaxIterations) {
    return InvalidArgumentError("iterations: must be 0..1000");
  }
  if (o.cg_steps < 1 || o.cg_steps > 64) return InvalidArgumentError("cg_steps: must be 1..64");
  if (o.threads < 1 || o.threads > AlsOptions::kMaxThreads) {
    return InvalidArgumentError("threads: must be 1..256");
  }
  return OkStatus();
}

float ConfidenceOf(float plays, const AlsOptions& options) {
  return options.confidence == Confidence::kLog1p ? 1.0f + options.alpha * std::log1p(plays)
                                                  : 1.0f + options.alpha * plays;
}

Result<AlsModel> TrainAls(const SparseMatrix& plays, const AlsOptions& options,
                          const std::function<void(const AlsIterationStats&)>& on_iteration) {
  return internal::TrainAlsWithKernels(plays, options, internal::BestAlsKernels(), on_iteration);
}

Result<AlsModel> internal::TrainAlsWithKernels(
    const SparseMatrix& plays, const AlsOptions& options, const AlsKernels& kernels,
    const std::function<void(const AlsIterationStats&)>& on_iteration) {
  ACCORD_RETURN_IF_ERROR(ValidateAlsOptions(options));
  if (plays.rows == 0 || plays.cols == 0 || plays.nnz() == 0) {
    return FailedPreconditionError("ALS: no listening data to train on");
  }
  const SparseMatrix by_item = plays.Transposed();
  std::vector<float> user_confidence(plays.values.size());
  std::vector<float> item_confidence(by_item.values.size());
  for (size_t e = 0; e < plays.values.size(); ++e) {
    user_confidence[e] = ConfidenceOf(plays.values[e], options);
  }
  for (size_t e = 0; e < by_item.values.size(); ++e) {
    item_confidence[e] = ConfidenceOf(by_item.values[e], options);
  }
  AlsModel model;
  model.options_ = options;
  model.user_factors_.resize(plays.rows, options.factors);
  model.item_factors_.resize(plays.cols, options.factors);
  InitFactors(&model.user_factors_, options.seed, 1);
  InitFactors(&model.item_factors_, options.seed, 2);
  PaddedFactors users(model.user_factors_);
  PaddedFactors items(model.item_factors_);
  // Training works on the padded copies; the model's matrices are refilled at the end (not
  // kept meanwhile: at 128 factors on Last.fm-360K they are 330 MB).
  model.user_factors_ = FactorMatrix();
  model.item_factors_ = FactorMatrix();
  for (int iteration = 1; iteration <= options.iterations; ++iteration) {
    AlsIterationStats stats;
    stats.iteration = iteration;
    const std::clock_t cpu_start = std::clock();
    auto start = std::chrono::steady_clock::now();
    UpdateSide(plays, user_confidence, items, &users, options, kernels);
    stats.seconds_users = Seconds(start);
    start = std::chrono::steady_clock::now();
    UpdateSide(by_item, item_confidence, users, &items, options, kernels);
    stats.seconds_items = Seconds(start);
    stats.cpu_seconds = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
    if (on_iteration) on_iteration(stats);
  }
  users.CopyTo(&model.user_factors_);
  items.CopyTo(&model.item_factors_);
  model.item_gram_ = Gram(model.item_factors_, options.threads);
  return model;
}

Eigen::VectorXf AlsModel::FoldIn(const std::vector<std::pair<uint32_t, float>>& history) const {
  const Eigen::Index k = factors();
  Eigen::MatrixXf a = item_gram_;
  a.diagonal().array() += options_.regularization;
  Eigen::VectorXf b = Eigen::VectorXf::Zero(k);
  bool any = false;
  for (const auto& [item, plays] : history) {
    if (item >= item_factors_.rows() || !(plays > 0)) continue;
    const float c = ConfidenceOf(plays, options_);
    const auto y = item_factors_.row(item);
    a.noalias() += (c - 1.0f) * y.transpose() * y;
    b.noalias() += c * y.transpose();
    any = true;
  }
  if (!any) return Eigen::VectorXf::Zero(k);
  return a.ldlt().solve(b);
}

Status AlsModel::Save(const std::string& path, uint64_t fingerprint) const {
  SectionWriter out(kModelFileKind);
  const StoredOptions stored{options_.factors,    options_.regularization,
                             options_.alpha,      static_cast<int32_t>(options_.confidence),
                             options_.iterations, options_.cg_steps,
                             options_.seed};
  out.AddBytes(kOptions, &stored, sizeof(stored));
  out.AddBytes(kFingerprint, &fingerprint, sizeof(fingerprint));
  const uint64_t user_shape[2] = {static_cast<uint64_t>(user_factors_.rows()),
                                  static_cast<uint64_t>(user_factors_.cols())};
  const uint64_t item_shape[2] = {static_cast<uint64_t>(item_factors_.rows()),
                                  static_cast<uint64_t>(item_factors_.cols())};
  out.AddBytes(kUserShape, user_shape, sizeof(user_shape));
  out.AddBytes(kUserFactors, user_factors_.data(), user_factors_.size() * sizeof(float));
  out.AddBytes(kItemShape, item_shape, sizeof(item_shape));
  out.AddBytes(kItemFactors, item_factors_.data(), item_factors_.size() * sizeof(float));
  return out.WriteFile(path);
}

namespace {

Result<FactorMatrix> ReadFactors(const SectionReader& in, uint32_t shape_tag, uint32_t data_tag,
                                 int factors) {
  ACCORD_ASSIGN_OR_RETURN(std::vector<uint64_t> shape, in.Vector<uint64_t>(shape_tag));
  if (shape.size() != 2 || shape[1] != static_cast<uint64_t>(factors) ||
      shape[0] > (uint64_t{1} << 32)) {
    return in.SectionError(shape_tag, "bad factor matrix shape");
  }
  ACCORD_ASSIGN_OR_RETURN(std::string_view bytes, in.Bytes(data_tag));
  if (bytes.size() != shape[0] * shape[1] * sizeof(float)) {
    return in.SectionError(data_tag, "size does not match the shape");
  }
  FactorMatrix m(static_cast<Eigen::Index>(shape[0]), static_cast<Eigen::Index>(shape[1]));
  if (!bytes.empty()) std::memcpy(m.data(), bytes.data(), bytes.size());
  if (!m.allFinite()) return in.SectionError(data_tag, "factor not finite");
  return m;
}

}  // namespace

Result<AlsModel> AlsModel::Load(const std::string& path, uint64_t expected_fingerprint) {
  ACCORD_ASSIGN_OR_RETURN(SectionReader in, SectionReader::Open(path, kModelFileKind));
  ACCORD_ASSIGN_OR_RETURN(std::vector<StoredOptions> stored, in.Vector<StoredOptions>(kOptions));
  if (stored.size() != 1) return in.SectionError(kOptions, "expected one record");
  AlsModel model;
  model.options_.factors = stored[0].factors;
  model.options_.regularization = stored[0].regularization;
  model.options_.alpha = stored[0].alpha;
  model.options_.confidence = static_cast<Confidence>(stored[0].confidence);
  model.options_.iterations = stored[0].iterations;
  model.options_.cg_steps = stored[0].cg_steps;
  model.options_.seed = stored[0].seed;
  if (stored[0].confidence < 0 || stored[0].confidence > 1 ||
      !ValidateAlsOptions(model.options_).ok()) {
    return in.SectionError(kOptions, "settings out of range");
  }
  ACCORD_ASSIGN_OR_RETURN(std::vector<uint64_t> fingerprint, in.Vector<uint64_t>(kFingerprint));
  if (fingerprint.size() != 1) return in.SectionError(kFingerprint, "expected one value");
  if (expected_fingerprint != 0 && fingerprint[0] != expected_fingerprint) {
    return FailedPreconditionError(path +
                                   ": trained on other listening data; run `accord taste "
                                   "train` again");
  }
  ACCORD_ASSIGN_OR_RETURN(model.user_factors_,
                          ReadFactors(in, kUserShape, kUserFactors, stored[0].factors));
  ACCORD_ASSIGN_OR_RETURN(model.item_factors_,
                          ReadFactors(in, kItemShape, kItemFactors, stored[0].factors));
  model.item_gram_ = Gram(model.item_factors_, 1);
  return model;
}

uint64_t ListeningFingerprint(const SparseMatrix& plays) {
  uint64_t hash = 0xCBF29CE484222325ull;
  auto mix = [&hash](const void* data, size_t size) {
    hash ^= Crc32c(data, size) | (uint64_t{Crc32c(data, size, 0x5EED)} << 32);
    hash *= 0x100000001B3ull;
  };
  mix(&plays.rows, sizeof(plays.rows));
  mix(&plays.cols, sizeof(plays.cols));
  mix(plays.offsets.data(), plays.offsets.size() * sizeof(uint64_t));
  mix(plays.columns.data(), plays.columns.size() * sizeof(uint32_t));
  mix(plays.values.data(), plays.values.size() * sizeof(float));
  return hash == 0 ? 1 : hash;
}

}  // namespace accord::taste
