#include "taste/vector_index.h"

#include <faiss/IndexHNSW.h>
#include <faiss/impl/IDSelector.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <queue>
#include <string>

namespace accord::taste {
namespace {

constexpr int kMaxK = 10000;

// Keeps the k best (score, item) pairs; ties go to the lower item id, as in TopK.
class TopHits {
 public:
  explicit TopHits(int k) : k_(static_cast<size_t>(k)) {}
  void Offer(uint32_t item, float score) {
    if (heap_.size() < k_) {
      heap_.push({item, score});
    } else if (Better({item, score}, heap_.top())) {
      heap_.pop();
      heap_.push({item, score});
    }
  }
  std::vector<SearchHit> Take() {
    std::vector<SearchHit> out;
    out.reserve(heap_.size());
    while (!heap_.empty()) {
      out.push_back(heap_.top());
      heap_.pop();
    }
    std::reverse(out.begin(), out.end());
    return out;
  }

 private:
  static bool Better(const SearchHit& a, const SearchHit& b) {
    return a.score != b.score ? a.score > b.score : a.item < b.item;
  }
  struct Worse {
    bool operator()(const SearchHit& a, const SearchHit& b) const { return Better(a, b); }
  };
  size_t k_;
  std::priority_queue<SearchHit, std::vector<SearchHit>, Worse> heap_;  // worst on top
};

}  // namespace

ItemIndex::~ItemIndex() = default;

Result<std::unique_ptr<ItemIndex>> ItemIndex::Build(const FactorMatrix& vectors,
                                                    const IndexOptions& options) {
  if (vectors.rows() == 0 || vectors.cols() == 0) {
    return InvalidArgumentError("item index: no vectors");
  }
  if (vectors.rows() > (Eigen::Index{1} << 31) - 1) {
    return InvalidArgumentError("item index: more than 2^31 vectors");
  }
  if (options.hnsw_m < 2 || options.hnsw_m > 256 || options.ef_construction < 1 ||
      options.ef_search < 1 || options.ef_search > IndexOptions::kMaxEfSearch ||
      !(options.exact_below_fraction >= 0 && options.exact_below_fraction <= 1) ||
      !(options.ef_widening >= 0 && options.ef_widening <= 2)) {
    return InvalidArgumentError("item index: options out of range");
  }
  if (!vectors.allFinite()) return InvalidArgumentError("item index: vector not finite");
  std::unique_ptr<ItemIndex> index(new ItemIndex());
  index->options_ = options;
  index->vectors_ = vectors;
  if (vectors.rows() < static_cast<Eigen::Index>(options.graph_min_items)) return index;
  try {
    index->hnsw_ = std::make_unique<faiss::IndexHNSWFlat>(
        static_cast<int>(vectors.cols()), options.hnsw_m, faiss::METRIC_INNER_PRODUCT);
    index->hnsw_->hnsw.efConstruction = options.ef_construction;
    index->hnsw_->hnsw.efSearch = options.ef_search;
    index->hnsw_->add(vectors.rows(), index->vectors_.data());
  } catch (const std::exception& e) {
    return InternalError(std::string("item index: FAISS build failed: ") + e.what());
  }
  return index;
}

std::vector<SearchHit> ItemIndex::ExactSearch(const float* query, int k,
                                              const rights::RecordingBitmap* allowed) const {
  TopHits top(std::clamp(k, 1, kMaxK));
  const Eigen::Map<const Eigen::VectorXf> q(query, dim());
  if (allowed == nullptr) {
    for (Eigen::Index i = 0; i < vectors_.rows(); ++i) {
      top.Offer(static_cast<uint32_t>(i), vectors_.row(i).dot(q));
    }
    return top.Take();
  }
  const std::vector<uint64_t>& words = allowed->words();
  for (size_t w = 0; w < words.size(); ++w) {
    uint64_t bits = words[w];
    while (bits != 0) {
      const auto item = static_cast<uint32_t>(w * 64 + static_cast<size_t>(std::countr_zero(bits)));
      bits &= bits - 1;
      if (item >= vectors_.rows()) break;
      top.Offer(item, vectors_.row(item).dot(q));
    }
  }
  return top.Take();
}

Result<std::vector<SearchHit>> ItemIndex::Search(const float* query, int k,
                                                 const rights::RecordingBitmap* allowed,
                                                 size_t allowed_count, SearchStats* stats) const {
  if (k < 1 || k > kMaxK) return InvalidArgumentError("k: must be 1..10000");
  if (allowed != nullptr && allowed->size() != size()) {
    return InvalidArgumentError("allowed bitmap has " + std::to_string(allowed->size()) +
                                " bits for " + std::to_string(size()) + " items");
  }
  const double fraction =
      allowed == nullptr ? 1.0 : static_cast<double>(allowed_count) / static_cast<double>(size());
  SearchStats local;
  SearchStats* out_stats = stats != nullptr ? stats : &local;
  if (allowed_count == 0 && allowed != nullptr) {
    out_stats->exact = true;
    return std::vector<SearchHit>{};
  }
  if (hnsw_ == nullptr || fraction < options_.exact_below_fraction ||
      k >= static_cast<int>(allowed_count)) {
    out_stats->exact = true;
    return ExactSearch(query, k, allowed);
  }
  const double widened = std::max(static_cast<double>(options_.ef_search), 2.0 * k) /
                         std::pow(fraction, options_.ef_widening);
  const int ef = static_cast<int>(std::min<double>(widened, IndexOptions::kMaxEfSearch));
  out_stats->exact = false;
  out_stats->ef_search = ef;
  std::vector<float> distances(static_cast<size_t>(k));
  std::vector<faiss::Index::idx_t> labels(static_cast<size_t>(k));
  try {
    faiss::SearchParametersHNSW params;
    params.efSearch = ef;
    // RecordingBitmap stores bit i of the set at bit (i % 64) of 64-bit word i / 64; on a
    // little-endian machine that is bit (i % 8) of byte i / 8, FAISS's layout.
    std::unique_ptr<faiss::IDSelectorBitmap> selector;
    if (allowed != nullptr) {
      selector = std::make_unique<faiss::IDSelectorBitmap>(
          allowed->words().size() * sizeof(uint64_t),
          reinterpret_cast<const uint8_t*>(allowed->words().data()));
      params.sel = selector.get();
    }
    hnsw_->search(1, query, k, distances.data(), labels.data(), &params);
  } catch (const std::exception& e) {
    return InternalError(std::string("item index: FAISS search failed: ") + e.what());
  }
  std::vector<SearchHit> hits;
  const Eigen::Map<const Eigen::VectorXf> q(query, dim());
  for (int n = 0; n < k; ++n) {
    if (labels[n] < 0) break;  // fewer than k allowed items reached
    const auto item = static_cast<uint32_t>(labels[n]);
    hits.push_back({item, vectors_.row(item).dot(q)});
  }
  // FAISS's inner products and ours differ in summation order; sort by ours, ties by id.
  std::stable_sort(hits.begin(), hits.end(), [](const SearchHit& a, const SearchHit& b) {
    return a.score != b.score ? a.score > b.score : a.item < b.item;
  });
  return hits;
}

}  // namespace accord::taste
