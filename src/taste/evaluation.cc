#include "taste/evaluation.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <mutex>
#include <numeric>
#include <random>
#include <thread>

namespace accord::taste {

Split SplitPairs(const SparseMatrix& plays, double test_fraction, uint64_t seed) {
  const uint64_t nnz = plays.nnz();
  std::vector<uint64_t> order(nnz);
  std::iota(order.begin(), order.end(), 0);
  // Fisher-Yates with our own bounded draw: std::shuffle's use of the generator is not
  // specified, and the split must be the same on every standard library.
  std::mt19937_64 rng(seed);
  for (uint64_t i = nnz; i > 1; --i) {
    const uint64_t j = rng() % i;
    std::swap(order[i - 1], order[j]);
  }
  const uint64_t test_count =
      static_cast<uint64_t>(std::llround(test_fraction * static_cast<double>(nnz)));
  std::vector<bool> is_test(nnz, false);
  for (uint64_t t = 0; t < test_count; ++t) is_test[order[t]] = true;
  Split split;
  split.heldout.resize(plays.rows);
  std::vector<SparseMatrix::Entry> train;
  train.reserve(nnz - test_count);
  for (uint32_t u = 0; u < plays.rows; ++u) {
    for (uint64_t e = plays.offsets[u]; e < plays.offsets[u + 1]; ++e) {
      if (is_test[e]) {
        split.heldout[u].push_back(plays.columns[e]);
      } else {
        train.push_back({u, plays.columns[e], plays.values[e]});
      }
    }
  }
  split.train = SparseMatrix::FromEntries(plays.rows, plays.cols, std::move(train));
  return split;
}

Status PopularityScorer::Fit(const SparseMatrix& train) {
  counts_.assign(train.cols, 0.0f);
  for (uint32_t c : train.columns) counts_[c] += 1.0f;
  return OkStatus();
}

void PopularityScorer::Score(uint32_t /*listener*/, std::vector<float>* scores) const {
  *scores = counts_;
}

Status ItemKnnScorer::Fit(const SparseMatrix& train) {
  if (neighbors_ < 1) return InvalidArgumentError("neighbors: must be >= 1");
  train_ = train;
  for (float& v : train_.values) v = std::log1p(v);
  const SparseMatrix by_item = train_.Transposed();
  std::vector<float> norm(train.cols, 0.0f);
  for (uint32_t i = 0; i < by_item.rows; ++i) {
    double sum = 0;
    for (uint64_t e = by_item.offsets[i]; e < by_item.offsets[i + 1]; ++e) {
      sum += double{by_item.values[e]} * by_item.values[e];
    }
    norm[i] = static_cast<float>(std::sqrt(sum));
  }
  std::vector<SparseMatrix::Entry> kept;
  std::vector<float> dot(train.cols, 0.0f);
  std::vector<uint32_t> touched;
  std::vector<std::pair<float, uint32_t>> candidates;
  for (uint32_t i = 0; i < by_item.rows; ++i) {
    touched.clear();
    for (uint64_t e = by_item.offsets[i]; e < by_item.offsets[i + 1]; ++e) {
      const uint32_t u = by_item.columns[e];
      const float w = by_item.values[e];
      for (uint64_t f = train_.offsets[u]; f < train_.offsets[u + 1]; ++f) {
        const uint32_t j = train_.columns[f];
        if (j == i) continue;
        if (dot[j] == 0.0f) touched.push_back(j);
        dot[j] += w * train_.values[f];
      }
    }
    candidates.clear();
    for (uint32_t j : touched) {
      candidates.emplace_back(dot[j] / (norm[i] * norm[j]), j);
      dot[j] = 0.0f;
    }
    const size_t keep = std::min(candidates.size(), static_cast<size_t>(neighbors_));
    std::partial_sort(candidates.begin(), candidates.begin() + keep, candidates.end(),
                      [](const auto& a, const auto& b) {
                        return a.first != b.first ? a.first > b.first : a.second < b.second;
                      });
    for (size_t n = 0; n < keep; ++n)
      kept.push_back({i, candidates[n].second, candidates[n].first});
  }
  similar_ = SparseMatrix::FromEntries(train.cols, train.cols, std::move(kept));
  return OkStatus();
}

void ItemKnnScorer::Score(uint32_t listener, std::vector<float>* scores) const {
  scores->assign(train_.cols, 0.0f);
  for (uint64_t e = train_.offsets[listener]; e < train_.offsets[listener + 1]; ++e) {
    const uint32_t i = train_.columns[e];
    const float w = train_.values[e];
    for (uint64_t f = similar_.offsets[i]; f < similar_.offsets[i + 1]; ++f) {
      (*scores)[similar_.columns[f]] += w * similar_.values[f];
    }
  }
}

Status AlsScorer::Fit(const SparseMatrix& train) {
  ACCORD_ASSIGN_OR_RETURN(model_, TrainAls(train, options_));
  ACCORD_RETURN_IF_ERROR(popularity_.Fit(train));
  has_history_.assign(train.rows, false);
  for (uint32_t u = 0; u < train.rows; ++u) has_history_[u] = train.RowSize(u) > 0;
  return OkStatus();
}

void AlsScorer::Score(uint32_t listener, std::vector<float>* scores) const {
  if (!has_history_[listener]) {
    popularity_.Score(listener, scores);
    return;
  }
  const FactorMatrix& items = model_.item_factors();
  scores->resize(items.rows());
  Eigen::Map<Eigen::VectorXf> out(scores->data(), items.rows());
  out.noalias() = items * model_.user_factors().row(listener).transpose();
}

std::vector<uint32_t> TopK(const std::vector<float>& scores, const std::vector<bool>& excluded,
                           int k) {
  std::vector<uint32_t> candidates;
  candidates.reserve(scores.size());
  for (uint32_t i = 0; i < scores.size(); ++i) {
    if (!excluded.empty() && excluded[i]) continue;
    if (std::isnan(scores[i])) continue;
    candidates.push_back(i);
  }
  const size_t keep = std::min(candidates.size(), static_cast<size_t>(std::max(k, 0)));
  auto better = [&scores](uint32_t a, uint32_t b) {
    return scores[a] != scores[b] ? scores[a] > scores[b] : a < b;
  };
  std::partial_sort(candidates.begin(), candidates.begin() + keep, candidates.end(), better);
  candidates.resize(keep);
  return candidates;
}

RankingMetrics MetricsOfList(const std::vector<uint32_t>& ranked,
                             const std::vector<uint32_t>& heldout_sorted, int k) {
  RankingMetrics m;
  if (heldout_sorted.empty()) return m;
  const size_t ideal = std::min(static_cast<size_t>(k), heldout_sorted.size());
  double hits = 0, dcg = 0, idcg = 0, precision_sum = 0;
  for (size_t rank = 0; rank < ranked.size() && rank < static_cast<size_t>(k); ++rank) {
    if (std::binary_search(heldout_sorted.begin(), heldout_sorted.end(), ranked[rank])) {
      hits += 1;
      dcg += 1.0 / std::log2(static_cast<double>(rank) + 2.0);
      precision_sum += hits / static_cast<double>(rank + 1);
    }
  }
  for (size_t rank = 0; rank < ideal; ++rank)
    idcg += 1.0 / std::log2(static_cast<double>(rank) + 2.0);
  m.precision = hits / static_cast<double>(ideal);
  m.ndcg = dcg / idcg;
  m.map = precision_sum / static_cast<double>(ideal);
  m.listeners = 1;
  return m;
}

RankingMetrics EvaluateRanking(const Split& split, const Scorer& scorer, int k, int threads) {
  const SparseMatrix& train = split.train;
  std::vector<uint32_t> listeners;
  for (uint32_t u = 0; u < train.rows; ++u) {
    if (!split.heldout[u].empty()) listeners.push_back(u);
  }
  std::vector<RankingMetrics> per_listener(listeners.size());
  std::vector<std::vector<uint32_t>> lists(listeners.size());
  std::atomic<size_t> next{0};
  auto worker = [&] {
    std::vector<float> scores;
    std::vector<bool> excluded(train.cols, false);
    while (true) {
      const size_t index = next.fetch_add(1);
      if (index >= listeners.size()) return;
      const uint32_t u = listeners[index];
      scorer.Score(u, &scores);
      for (uint64_t e = train.offsets[u]; e < train.offsets[u + 1]; ++e) {
        excluded[train.columns[e]] = true;
      }
      lists[index] = TopK(scores, excluded, k);
      for (uint64_t e = train.offsets[u]; e < train.offsets[u + 1]; ++e) {
        excluded[train.columns[e]] = false;
      }
      per_listener[index] = MetricsOfList(lists[index], split.heldout[u], k);
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& thread : pool) thread.join();

  // Summed in listener order, so the figures do not depend on the thread count.
  RankingMetrics total;
  std::vector<bool> recommended(train.cols, false);
  for (size_t index = 0; index < listeners.size(); ++index) {
    total.precision += per_listener[index].precision;
    total.ndcg += per_listener[index].ndcg;
    total.map += per_listener[index].map;
    for (uint32_t item : lists[index]) recommended[item] = true;
  }
  total.listeners = static_cast<uint32_t>(listeners.size());
  if (total.listeners > 0) {
    total.precision /= total.listeners;
    total.ndcg /= total.listeners;
    total.map /= total.listeners;
  }
  total.coverage =
      train.cols == 0
          ? 0
          : static_cast<double>(std::count(recommended.begin(), recommended.end(), true)) /
                train.cols;
  return total;
}

Result<std::vector<ProtocolResult>> RunProtocol(const SparseMatrix& plays,
                                                const ProtocolOptions& options) {
  if (options.seeds.empty()) return InvalidArgumentError("seeds: give at least one");
  if (!(options.test_fraction > 0 && options.test_fraction < 1)) {
    return InvalidArgumentError("test fraction: must be between 0 and 1");
  }
  if (options.k < 1 || options.k > 1000) return InvalidArgumentError("k: must be 1..1000");
  ACCORD_RETURN_IF_ERROR(ValidateAlsOptions(options.als));
  std::vector<ProtocolResult> results(3);
  results[0].name = "popularity";
  results[1].name = "item-kNN cosine";
  results[2].name = "ALS";
  for (uint64_t seed : options.seeds) {
    const Split split = SplitPairs(plays, options.test_fraction, seed);
    PopularityScorer popularity;
    ItemKnnScorer knn(options.knn_neighbors);
    AlsScorer als(options.als);
    Scorer* scorers[3] = {&popularity, &knn, &als};
    for (size_t s = 0; s < 3; ++s) {
      const auto start = std::chrono::steady_clock::now();
      ACCORD_RETURN_IF_ERROR(scorers[s]->Fit(split.train));
      results[s].fit_seconds +=
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      results[s].per_seed.push_back(
          EvaluateRanking(split, *scorers[s], options.k, options.threads));
    }
  }
  for (ProtocolResult& result : results) {
    for (const RankingMetrics& m : result.per_seed) {
      result.mean.precision += m.precision / static_cast<double>(result.per_seed.size());
      result.mean.ndcg += m.ndcg / static_cast<double>(result.per_seed.size());
      result.mean.map += m.map / static_cast<double>(result.per_seed.size());
      result.mean.coverage += m.coverage / static_cast<double>(result.per_seed.size());
      result.mean.listeners = m.listeners;
    }
  }
  return results;
}

}  // namespace accord::taste
