#include "taste/vector_index.h"

#include <faiss/Clustering.h>
#include <faiss/IndexFlat.h>
#include <omp.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <exception>
#include <limits>
#include <numeric>
#include <random>
#include <string>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "core/memory.h"

namespace accord::taste {
namespace {

constexpr int kMaxK = 10000;

// The cost model, in nanoseconds, measured on the benchmark machine at 1M x 64 (docs/taste.md,
// "Filtered top-10"): scoring one allowed row in the exact scan (rows visited in id order,
// so scattered, prefetched), testing one filter bit in the length-ordered scan, and scoring one
// of its allowed rows (rows close together).
constexpr double kExactRowNs = 40;
constexpr double kCheckNs = 1.3;
constexpr double kOrderedRowNs = 15;
constexpr double kCentroidNs = 5;  // scoring one centroid (they stay in cache)
// The share of the rows the length-ordered scan reads before it stops, as a function of the
// allowed fraction f: kStopShare * f^-kStopExponent (fitted at cos_cap 0.45, 2 probed lists,
// on 1M items: 0.9% of the rows at 50% allowed, 2.9% at 10%, 14% at 1%). Only the choice of
// method uses it, and a scan that runs past the exact scan's cost hands over to it.
constexpr double kStopShare = 0.005;
constexpr double kStopExponent = 0.72;

// ---- Dot products ----------------------------------------------------------------------
// The whole index uses one kernel, chosen once per process, so that Search and ExactSearch
// agree bit for bit on every score. The build flags target baseline x86-64; AVX2 is chosen at
// run time where the CPU has it.

float DotPortable(const float* a, const float* b, int n) {
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int j = 0; j < 8; ++j) acc[j] += a[i + j] * b[i + j];
  }
  float sum = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
  for (; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("avx2,fma"))) float DotAvx2(const float* a, const float* b, int n) {
  __m256 acc0 = _mm256_setzero_ps();
  __m256 acc1 = _mm256_setzero_ps();
  int i = 0;
  for (; i + 16 <= n; i += 16) {
    acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
    acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), acc1);
  }
  if (i + 8 <= n) {
    acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
    i += 8;
  }
  const __m256 acc = _mm256_add_ps(acc0, acc1);
  __m128 sum4 = _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1));
  sum4 = _mm_add_ps(sum4, _mm_movehl_ps(sum4, sum4));
  sum4 = _mm_add_ss(sum4, _mm_shuffle_ps(sum4, sum4, 1));
  float sum = _mm_cvtss_f32(sum4);
  for (; i < n; ++i) sum += a[i] * b[i];
  return sum;
}
#endif

using DotFn = float (*)(const float*, const float*, int);

DotFn ChooseDot() {
#if defined(__x86_64__) && defined(__GNUC__)
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return DotAvx2;
#endif
  return DotPortable;
}

const DotFn kDot = ChooseDot();

// Asks for the `bytes` at `p` ahead of use: the allowed rows of a sparse filter are far apart,
// and the hardware prefetcher does not follow them.
inline void PrefetchRow(const float* p, size_t bytes) {
  const char* c = reinterpret_cast<const char*>(p);
  for (size_t offset = 0; offset < bytes; offset += 64) __builtin_prefetch(c + offset, 0, 3);
}

inline bool Allowed(const uint64_t* words, uint32_t item) {
  return words == nullptr || ((words[item >> 6] >> (item & 63)) & 1u);
}

// ---- Top-k ------------------------------------------------------------------------------

// Keeps the k best (score, item) pairs; ties go to the lower item id.
class TopHits {
 public:
  explicit TopHits(int k) : k_(static_cast<size_t>(k)) { heap_.reserve(k_); }
  bool full() const { return heap_.size() == k_; }
  // The score an item must beat to enter (or -inf while fewer than k are held).
  float threshold() const {
    return heap_.size() < k_ ? -std::numeric_limits<float>::infinity() : heap_.front().score;
  }
  void Offer(uint32_t item, float score) {
    if (heap_.size() < k_) {
      heap_.push_back({item, score});
      std::push_heap(heap_.begin(), heap_.end(), Better);
    } else if (Better({item, score}, heap_.front())) {
      std::pop_heap(heap_.begin(), heap_.end(), Better);
      heap_.back() = {item, score};
      std::push_heap(heap_.begin(), heap_.end(), Better);
    }
  }
  std::vector<SearchHit> Take() {
    std::sort_heap(heap_.begin(), heap_.end(), Better);
    return std::move(heap_);
  }
  static bool Better(const SearchHit& a, const SearchHit& b) {
    return a.score != b.score ? a.score > b.score : a.item < b.item;
  }

 private:
  size_t k_;
  std::vector<SearchHit> heap_;  // worst on top under Better
};

// Scores the rows picked[0..count) of `rows` into `top`, prefetching kAhead rows ahead (picked
// rows are far apart when the filter is sparse). When best_cos is not null, raises it to the
// largest cosine with the query among them.
void ScorePicked(const FactorMatrix& rows, const std::vector<float>& lengths,
                 const std::vector<uint32_t>& items, const uint32_t* picked, size_t count,
                 const float* query, float query_length, TopHits* top, float* best_cos) {
  constexpr size_t kAhead = 8;
  const int dim = static_cast<int>(rows.cols());
  const size_t row_bytes = static_cast<size_t>(dim) * sizeof(float);
  const float* data = rows.data();
  for (size_t j = 0; j < std::min(count, kAhead); ++j) {
    PrefetchRow(data + static_cast<size_t>(picked[j]) * dim, row_bytes);
  }
  for (size_t j = 0; j < count; ++j) {
    if (j + kAhead < count) {
      PrefetchRow(data + static_cast<size_t>(picked[j + kAhead]) * dim, row_bytes);
    }
    const uint32_t row = picked[j];
    const float score = kDot(data + static_cast<size_t>(row) * dim, query, dim);
    top->Offer(items[row], score);
    if (best_cos != nullptr) {
      const float length = lengths[row] * query_length;
      if (length > 0) *best_cos = std::max(*best_cos, score / length);
    }
  }
}

// Per-thread scratch of the list probe, reused so that a query allocates only its result.
struct ProbeScratch {
  std::vector<float> list_scores;
  std::vector<uint32_t> list_order;
  std::vector<uint8_t> probed;  // by list: 1 = probed by this query
  std::vector<uint32_t> picked;
};

ProbeScratch& ThreadScratch() {
  thread_local ProbeScratch scratch;
  return scratch;
}

// IndexOptions::kCosCapPerRms times the root mean square cosine between random pairs of
// items (a fixed sample, so the same vectors always give the same cap), at most 1.
float DataCosCap(const FactorMatrix& rows, const std::vector<float>& lengths) {
  constexpr int kPairs = 20000;
  const auto n = static_cast<uint64_t>(rows.rows());
  if (n < 2) return 1;
  std::mt19937_64 rng(42);
  double sum = 0;
  int pairs = 0;
  for (int p = 0; p < kPairs; ++p) {
    const uint64_t a = rng() % n;
    const uint64_t b = rng() % n;
    const double length = static_cast<double>(lengths[a]) * lengths[b];
    if (a == b || length <= 0) continue;
    const double cos =
        rows.row(static_cast<Eigen::Index>(a)).dot(rows.row(static_cast<Eigen::Index>(b))) / length;
    sum += cos * cos;
    ++pairs;
  }
  if (pairs == 0) return 1;
  return std::min(1.0f, IndexOptions::kCosCapPerRms * static_cast<float>(std::sqrt(sum / pairs)));
}

}  // namespace

ItemIndex::~ItemIndex() = default;

Result<std::unique_ptr<ItemIndex>> ItemIndex::Build(const FactorMatrix& vectors,
                                                    const IndexOptions& options) {
  if (vectors.rows() == 0 || vectors.cols() == 0) {
    return InvalidArgumentError("item index: no vectors");
  }
  if (vectors.rows() > Eigen::Index{std::numeric_limits<uint32_t>::max()} ||
      vectors.cols() > 65535) {
    return InvalidArgumentError("item index: more than 2^32-1 vectors or 65535 dimensions");
  }
  if (!(options.cos_cap >= 0 && options.cos_cap <= 1) || options.probe_lists < 0 ||
      options.build_threads < 0) {
    return InvalidArgumentError("item index: options out of range");
  }
  if (!vectors.allFinite()) return InvalidArgumentError("item index: vector not finite");
  const auto n = static_cast<uint32_t>(vectors.rows());
  std::unique_ptr<ItemIndex> index(new ItemIndex());
  index->options_ = options;
  std::vector<float> lengths(n);
  for (uint32_t item = 0; item < n; ++item) lengths[item] = vectors.row(item).norm();
  index->row_items_.resize(n);
  std::iota(index->row_items_.begin(), index->row_items_.end(), 0u);
  std::stable_sort(index->row_items_.begin(), index->row_items_.end(),
                   [&](uint32_t a, uint32_t b) { return lengths[a] > lengths[b]; });
  index->rows_.resize(n, vectors.cols());
  // An exact scan reads rows scattered over the whole matrix (256 MB at 1M x 64): with
  // 4 KiB pages nearly every row is also a TLB miss, which the prefetches cannot hide.
  AdviseHugePages(index->rows_.data(), static_cast<size_t>(index->rows_.size()) * sizeof(float));
  index->row_lengths_.resize(n);
  index->item_rows_.resize(n);
  for (uint32_t row = 0; row < n; ++row) {
    const uint32_t item = index->row_items_[row];
    index->rows_.row(row) = vectors.row(item);
    index->row_lengths_[row] = lengths[item];
    index->item_rows_[item] = row;
  }
  index->data_cos_cap_ = DataCosCap(index->rows_, index->row_lengths_);
  if (n >= IndexOptions::kMinItemsForLists) {
    if (Status status = index->BuildLists(options); !status.ok()) return status;
  }
  return index;
}

Status ItemIndex::BuildLists(const IndexOptions& options) {
  const uint32_t n = size();
  const int d = dim();
  uint32_t list_count = options.lists > 0
                            ? options.lists
                            : static_cast<uint32_t>(std::lround(std::sqrt(static_cast<double>(n))));
  list_count = std::clamp<uint32_t>(list_count, 1, n);
  // Lists by direction alone (unit vectors, spherical k-means): they are there to catch the
  // items whose cosine with a query is high, whatever their length.
  FactorMatrix unit = rows_;
  for (uint32_t row = 0; row < n; ++row) {
    if (row_lengths_[row] > 0) unit.row(row) /= row_lengths_[row];
  }
  std::vector<faiss::Index::idx_t> labels(n);
  const int previous_threads = omp_get_max_threads();
  if (options.build_threads > 0) omp_set_num_threads(options.build_threads);
  try {
    faiss::ClusteringParameters params;
    params.niter = 10;
    params.spherical = true;
    params.max_points_per_centroid = 64;  // training sample: 64 items per list
    params.min_points_per_centroid = 1;
    params.seed = 1234;
    faiss::Clustering clustering(d, static_cast<int>(list_count), params);
    faiss::IndexFlatIP trainer(d);
    clustering.train(n, unit.data(), trainer);
    centroids_ = Eigen::Map<const FactorMatrix>(clustering.centroids.data(), list_count, d);
    faiss::IndexFlatIP assigner(d);
    assigner.add(list_count, centroids_.data());
    std::vector<float> scores(n);
    assigner.search(n, unit.data(), 1, scores.data(), labels.data());
  } catch (const std::exception& e) {
    omp_set_num_threads(previous_threads);
    centroids_.resize(0, 0);
    return InternalError(std::string("item index: FAISS k-means failed: ") + e.what());
  }
  omp_set_num_threads(previous_threads);
  row_lists_.resize(n);
  list_offsets_.assign(size_t{list_count} + 1, 0);
  for (uint32_t row = 0; row < n; ++row) {
    // A zero vector scores -inf or NaN against every centroid; any list will do for it.
    const faiss::Index::idx_t label = labels[row];
    row_lists_[row] = label >= 0 && label < static_cast<faiss::Index::idx_t>(list_count)
                          ? static_cast<uint32_t>(label)
                          : 0;
    ++list_offsets_[row_lists_[row] + 1];
  }
  for (size_t l = 0; l < list_count; ++l) list_offsets_[l + 1] += list_offsets_[l];
  list_rows_.resize(n);
  list_items_.resize(n);
  std::vector<uint32_t> next(list_offsets_.begin(), list_offsets_.end() - 1);
  for (uint32_t row = 0; row < n; ++row) {
    const uint32_t position = next[row_lists_[row]]++;
    list_rows_[position] = row;
    list_items_[position] = row_items_[row];
  }
  return OkStatus();
}

Status ItemIndex::SetSearchOptions(const IndexOptions& options) {
  if (!(options.cos_cap >= 0 && options.cos_cap <= 1) || options.probe_lists < 0) {
    return InvalidArgumentError("item index: search options out of range");
  }
  options_.cos_cap = options.cos_cap;
  options_.probe_lists = options.probe_lists;
  options_.method = options.method;
  return OkStatus();
}

std::vector<SearchHit> ItemIndex::ExactSearch(const float* query, int k,
                                              const rights::RecordingBitmap* allowed) const {
  SearchStats stats;
  return Scan(query, std::clamp(k, 1, kMaxK), allowed, 0, &stats);
}

std::vector<SearchHit> ItemIndex::Scan(const float* query, int k,
                                       const rights::RecordingBitmap* allowed, uint32_t first_row,
                                       SearchStats* stats) const {
  TopHits top(k);
  const int d = dim();
  const size_t row_bytes = static_cast<size_t>(d) * sizeof(float);
  const float* data = rows_.data();
  const uint32_t n = size();
  stats->exact = true;
  if (allowed == nullptr) {
    for (uint32_t row = first_row; row < n; ++row) {
      top.Offer(row_items_[row], kDot(data + static_cast<size_t>(row) * d, query, d));
    }
    stats->rows_scored += n - std::min(first_row, n);
    return top.Take();
  }
  // Allowed ids are decoded a block at a time into their rows, so that rows can be prefetched
  // kAhead ahead of use.
  constexpr size_t kBlock = 256;
  constexpr size_t kAhead = 8;
  uint32_t rows[kBlock];
  const std::vector<uint64_t>& words = allowed->words();
  const size_t word_count = std::min(words.size(), (size_t{n} + 63) / 64);
  size_t word = 0;
  uint64_t bits = word_count == 0 ? 0 : words[0];
  bool more = true;
  while (more) {
    size_t count = 0;
    while (count < kBlock) {
      while (bits == 0 && ++word < word_count) bits = words[word];
      if (bits == 0) {
        more = false;
        break;
      }
      const size_t item = word * 64 + static_cast<size_t>(std::countr_zero(bits));
      bits &= bits - 1;
      if (item >= n) {  // bits past the end; the last word holds nothing else
        more = false;
        break;
      }
      const uint32_t row = item_rows_[item];
      if (row >= first_row) rows[count++] = row;
    }
    for (size_t j = 0; j < std::min(count, kAhead); ++j) {
      PrefetchRow(data + static_cast<size_t>(rows[j]) * d, row_bytes);
    }
    for (size_t j = 0; j < count; ++j) {
      if (j + kAhead < count)
        PrefetchRow(data + static_cast<size_t>(rows[j + kAhead]) * d, row_bytes);
      top.Offer(row_items_[rows[j]], kDot(data + static_cast<size_t>(rows[j]) * d, query, d));
    }
    stats->rows_scored += count;
  }
  return top.Take();
}

std::vector<SearchHit> ItemIndex::LengthOrderScan(const float* query, int k,
                                                  const uint64_t* allowed_words, size_t max_rows,
                                                  uint32_t* end_row, SearchStats* stats) const {
  constexpr uint32_t kBlock = 256;  // rows between two tests of the stop rule
  TopHits top(k);
  const uint32_t n = size();
  const int d = dim();
  float query_length = 0;
  for (int c = 0; c < d; ++c) query_length += query[c] * query[c];
  query_length = std::sqrt(query_length);
  ProbeScratch& s = ThreadScratch();
  s.picked.resize(std::max<size_t>(kBlock, s.picked.size()));

  // The probe: every allowed item of the lists whose centroids point nearest the query's way.
  const uint32_t list_count = lists();
  const auto probes = std::min<uint32_t>(list_count, static_cast<uint32_t>(options_.probe_lists));
  s.probed.assign(list_count, 0);
  if (probes > 0) {
    s.list_scores.resize(list_count);
    s.list_order.resize(list_count);
    for (uint32_t l = 0; l < list_count; ++l) {
      s.list_scores[l] = kDot(centroids_.data() + static_cast<size_t>(l) * d, query, d);
      s.list_order[l] = l;
    }
    std::partial_sort(
        s.list_order.begin(), s.list_order.begin() + probes, s.list_order.end(),
        [&](uint32_t a, uint32_t b) {
          return s.list_scores[a] != s.list_scores[b] ? s.list_scores[a] > s.list_scores[b] : a < b;
        });
    for (uint32_t p = 0; p < probes; ++p) {
      const uint32_t list = s.list_order[p];
      s.probed[list] = 1;
      const uint32_t begin = list_offsets_[list];
      const uint32_t end = list_offsets_[list + 1];
      s.picked.resize(std::max<size_t>(s.picked.size(), end - begin));
      size_t count = 0;
      for (uint32_t j = begin; j < end; ++j) {
        if (Allowed(allowed_words, list_items_[j])) s.picked[count++] = list_rows_[j];
      }
      ScorePicked(rows_, row_lengths_, row_items_, s.picked.data(), count, query, query_length,
                  &top, nullptr);
      stats->rows_scored += count;
      stats->items_checked += end - begin;
    }
    stats->rows_scored += list_count;  // the centroids
  }

  // The length-ordered scan of the other lists. best_cos counts only these rows: the probed
  // lists are there because they point the query's way, and their cosines say nothing about
  // the rows still to come.
  const float cap = cos_cap();
  float best_cos = 0;
  uint32_t row = 0;
  while (row < n) {
    // No row from here on is longer than this one, so none scores above this bound unless its
    // cosine with the query beats every cosine seen so far and cos_cap. The margin covers
    // rounding, so that cos_cap = 1 is exact, ties included.
    const float bound = query_length * row_lengths_[row] * std::max(cap, best_cos) * (1 + 1e-5f);
    if (top.full() && bound < top.threshold()) break;
    if (row >= max_rows) {
      *end_row = row;
      return top.Take();
    }
    const uint32_t end = std::min(n, row + kBlock);
    size_t count = 0;
    if (probes > 0) {
      for (uint32_t r = row; r < end; ++r) {
        if (Allowed(allowed_words, row_items_[r]) && !s.probed[row_lists_[r]])
          s.picked[count++] = r;
      }
    } else {
      for (uint32_t r = row; r < end; ++r) {
        if (Allowed(allowed_words, row_items_[r])) s.picked[count++] = r;
      }
    }
    ScorePicked(rows_, row_lengths_, row_items_, s.picked.data(), count, query, query_length, &top,
                &best_cos);
    stats->rows_scored += count;
    stats->items_checked += end - row;
    row = end;
  }
  *end_row = n;  // complete: the stop rule vouches for the rows not read
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
  SearchStats local;
  SearchStats& out = stats != nullptr ? *stats : local;
  out = SearchStats{};
  allowed_count = allowed == nullptr ? size() : std::min<size_t>(allowed_count, size());
  if (allowed_count == 0) {
    out.exact = true;
    return std::vector<SearchHit>{};
  }
  const double n = size();
  const double fraction = static_cast<double>(allowed_count) / n;
  const double exact_ns = static_cast<double>(allowed_count) * kExactRowNs;
  size_t max_rows = size();
  if (options_.method == IndexOptions::Method::kAuto) {
    const double ordered_rows = std::min(n, n * kStopShare * std::pow(fraction, -kStopExponent));
    const double probed_rows =
        lists() == 0 ? 0 : std::min<double>(options_.probe_lists, lists()) * n / lists();
    const double ordered_ns = lists() * kCentroidNs +
                              (ordered_rows + probed_rows) * (kCheckNs + fraction * kOrderedRowNs);
    if (exact_ns <= ordered_ns) return Scan(query, k, allowed, 0, &out);
    // Past the exact scan's cost the filter or the query is not what the model expects; the
    // exact scan finishes the rows not yet read, so the answer is then exact.
    max_rows = static_cast<size_t>(exact_ns / (kCheckNs + fraction * kOrderedRowNs));
  } else if (options_.method == IndexOptions::Method::kExact) {
    return Scan(query, k, allowed, 0, &out);
  }
  const uint64_t* words = allowed != nullptr ? allowed->words().data() : nullptr;
  uint32_t end_row = 0;
  std::vector<SearchHit> hits = LengthOrderScan(query, k, words, max_rows, &end_row, &out);
  if (end_row >= size()) return hits;
  out.handed_over = true;
  // The probed lists' rows past end_row are in both answers, with the same score.
  std::vector<SearchHit> rest = Scan(query, k, allowed, end_row, &out);
  hits.insert(hits.end(), rest.begin(), rest.end());
  std::sort(hits.begin(), hits.end(), TopHits::Better);
  hits.erase(std::unique(hits.begin(), hits.end()), hits.end());
  if (hits.size() > static_cast<size_t>(k)) hits.resize(static_cast<size_t>(k));
  return hits;
}

}  // namespace accord::taste
