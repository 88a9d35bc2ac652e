// Offline evaluation of taste models under the protocol of docs/taste.md ("Quality"):
// split all (listener, item) pairs at random, train on one part, and for every listener with
// held-out items rank every item not in their training set; report precision, nDCG and MAP
// at k, and catalog coverage.
//
//   Split split = SplitPairs(data.plays(), 0.2, /*seed=*/1);
//   PopularityScorer popularity;  popularity.Fit(split.train);
//   RankingMetrics m = EvaluateRanking(split, popularity, 10, /*threads=*/2);
//
// The scorers here are the baselines and the ALS wrapper that the evaluation compares; the
// product features (discovery.h) use the same scoring through AlsScorer.
// Thread safety: a fitted scorer is read-only in Score and may be shared between threads.
#ifndef ACCORD_TASTE_EVALUATION_H_
#define ACCORD_TASTE_EVALUATION_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "taste/als.h"
#include "taste/listening.h"

namespace accord::taste {

struct Split {
  SparseMatrix train;                          // same shape as the input
  std::vector<std::vector<uint32_t>> heldout;  // per listener, ascending item ids
};
// Shuffles all non-zero pairs with a seeded generator and holds out round(test_fraction * nnz)
// of them. Deterministic for a seed.
Split SplitPairs(const SparseMatrix& plays, double test_fraction, uint64_t seed);

class Scorer {
 public:
  virtual ~Scorer() = default;
  virtual std::string name() const = 0;
  // Learns from `train` (listener x item plays). Errors come from the model (bad options).
  virtual Status Fit(const SparseMatrix& train) = 0;
  // Fills scores (resized to the item count) for one listener of the training matrix; higher
  // ranks first.
  virtual void Score(uint32_t listener, std::vector<float>* scores) const = 0;
};

// Items ranked by how many training listeners played them.
class PopularityScorer : public Scorer {
 public:
  std::string name() const override { return "popularity"; }
  Status Fit(const SparseMatrix& train) override;
  void Score(uint32_t listener, std::vector<float>* scores) const override;
  const std::vector<float>& counts() const { return counts_; }

 private:
  std::vector<float> counts_;
};

// Item-item cosine similarity over log1p(plays) columns, each item keeping its `neighbors`
// most similar items; a listener's score for j is sum_i log1p(plays_i) * sim(i, j).
class ItemKnnScorer : public Scorer {
 public:
  explicit ItemKnnScorer(int neighbors = 100) : neighbors_(neighbors) {}
  std::string name() const override { return "item-kNN cosine"; }
  Status Fit(const SparseMatrix& train) override;
  void Score(uint32_t listener, std::vector<float>* scores) const override;

 private:
  int neighbors_;
  SparseMatrix train_;
  SparseMatrix similar_;  // item x item, top neighbors_ per row
};

// Scores x_u . y_i from ALS; a listener with no training plays (cold start) gets popularity.
class AlsScorer : public Scorer {
 public:
  explicit AlsScorer(AlsOptions options) : options_(options) {}
  std::string name() const override { return "ALS"; }
  Status Fit(const SparseMatrix& train) override;
  void Score(uint32_t listener, std::vector<float>* scores) const override;
  const AlsModel& model() const { return model_; }

 private:
  AlsOptions options_;
  AlsModel model_;
  PopularityScorer popularity_;
  std::vector<bool> has_history_;
};

struct RankingMetrics {
  double precision = 0;  // hits in top k / min(k, held-out count), averaged over listeners
  double ndcg = 0;
  double map = 0;       // sum over hits of precision at the hit's rank / min(k, held-out)
  double coverage = 0;  // distinct items in any top-k list / item count
  uint32_t listeners = 0;
};

// Ranks, for each listener with held-out items, every item not in their training row.
RankingMetrics EvaluateRanking(const Split& split, const Scorer& scorer, int k, int threads);

// Metrics of one ranked list against a held-out set (exposed for tests).
RankingMetrics MetricsOfList(const std::vector<uint32_t>& ranked,
                             const std::vector<uint32_t>& heldout_sorted, int k);

// The item ids of the k best scores not excluded, best first; ties go to the lower id.
std::vector<uint32_t> TopK(const std::vector<float>& scores, const std::vector<bool>& excluded,
                           int k);

struct ProtocolOptions {
  std::vector<uint64_t> seeds{1, 2, 3};
  double test_fraction = 0.2;
  int k = 10;
  int threads = 2;
  int knn_neighbors = 100;
  AlsOptions als;
};
struct ProtocolResult {
  std::string name;
  RankingMetrics mean;  // averaged over listeners, then over seeds
  std::vector<RankingMetrics> per_seed;
  double fit_seconds = 0;  // total over seeds
};
// The whole protocol for popularity, item-kNN and ALS, in that order. InvalidArgument for bad
// settings (no seeds, fraction outside (0, 1), k < 1, bad ALS options).
Result<std::vector<ProtocolResult>> RunProtocol(const SparseMatrix& plays,
                                                const ProtocolOptions& options);

}  // namespace accord::taste

#endif  // ACCORD_TASTE_EVALUATION_H_
