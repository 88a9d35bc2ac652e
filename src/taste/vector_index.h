// ItemIndex: top-k inner-product search over item vectors, under an allow-list bitmap.
//
// A search takes the allowed set as a bitmap over item ids (bit i set = item i may be
// returned), exactly the layout of rights::RecordingBitmap, so the policy engine's batch filter
// output is used as is, without a copy. The filter is tested before an item is scored, so no
// disallowed item is ever returned, and every score is the inner product ExactSearch computes
// (one dot-product kernel for both).
//
// An item's inner product with a query q is |q| |x| cos(q, x). Item factors have widely
// varying lengths (popular items are long), so the best items of a query are almost always
// among the longest ones or among those pointing its way. The index stores the items longest
// first and groups them into direction lists (spherical k-means, trained with FAISS). A
// search (1) scores the allowed items of the IndexOptions::probe_lists lists whose centroids
// point nearest the query, then (2) scores the allowed items of the other lists in decreasing
// length, and stops when even a row pointing the query's way at the largest cosine it expects
// outside the probed lists cannot enter the top k:
//     |q| |x_next| max(cos_cap, largest cosine seen in step 2) < k-th best score.
// With cos_cap = 1 the stop is exact (Cauchy-Schwarz) but late; the default (derived from the
// spread of the data's cosines: 0.45 on the benchmark's vectors; 2 lists) trades a little recall,
// >= 0.99 measured at 1%, 10% and 50% allowed on 1M ALS-like vectors, for reading a few percent of
// the rows. Each query chooses the cheaper of this and an exact scan of the allowed items by their
// estimated costs (the exact scan wins when very few items are allowed); a scan that runs past the
// exact scan's cost hands its remaining rows to the exact scan, so a filter or query the model
// misjudges costs at most about twice the exact scan and is answered exactly. docs/taste.md
// ("Filtered top-10") has the measurements, and those of the designs this replaced: FAISS HNSW
// (inner product, or L2 after the MIPS-to-L2 reduction) and IVF, which on vectors whose lengths
// vary like this read many times more rows for lower recall.
//
//   ACCORD_ASSIGN_OR_RETURN(auto index, ItemIndex::Build(model.item_factors(), {}));
//   rights::RecordingBitmap allowed = ...;            // one bit per item
//   ACCORD_ASSIGN_OR_RETURN(auto hits, index->Search(query, 10, &allowed, allowed.Count()));
//
// Errors: FAISS reports failures by exception; Build catches them and returns Internal.
// Memory: one copy of the vectors, 24 bytes per item and sqrt(items) centroids. Thread safety:
// Build once; Search and ExactSearch are const and may run on many threads at once (each
// thread keeps a small scratch buffer); each runs on the calling thread only.
#ifndef ACCORD_TASTE_VECTOR_INDEX_H_
#define ACCORD_TASTE_VECTOR_INDEX_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "core/status.h"
#include "rights/snapshot.h"
#include "taste/als.h"

namespace accord::taste {

struct IndexOptions {
  // The stop rule's floor on the best cosine an unscanned item outside the probed lists may
  // have with the query, in [0, 1]. Lower stops sooner; 1 makes every search exact. 0 = set by
  // Build from the data: kCosCapPerRms times the root mean square cosine between random pairs
  // of items (0.45 on the benchmark's 64-d vectors; higher in fewer dimensions, where
  // cosines spread wider).
  float cos_cap = 0;
  static constexpr float kCosCapPerRms = 3.55f;
  // Direction lists probed in full before the length-ordered scan (0 = none): they hold the
  // items pointing the query's way, whose cosines the stop rule's cap would not cover.
  int probe_lists = 2;
  // Number of direction lists (spherical k-means, trained with FAISS); 0 = round(sqrt(items)).
  // Catalogs under kMinItemsForLists items get none.
  uint32_t lists = 0;
  // OpenMP threads for the build (k-means); 0 = OpenMP's default. Searches use none.
  int build_threads = 0;
  static constexpr uint32_t kMinItemsForLists = 1000;
  // Forces the method, for tests and measurements: kAuto picks the cheaper per query.
  enum class Method { kAuto, kLengthOrder, kExact };
  Method method = Method::kAuto;
};

struct SearchHit {
  uint32_t item;
  float score;  // inner product
  friend bool operator==(const SearchHit&, const SearchHit&) = default;
};

struct SearchStats {
  bool exact = false;        // true: answered (or finished) by the exact scan
  bool handed_over = false;  // the length-ordered scan ran past its budget; the exact scan
                             // finished the rows it had not read
  size_t rows_scored = 0;    // item vectors read (dot products computed)
  size_t items_checked = 0;  // filter bits tested by the probes and the length-ordered scan
};

class ItemIndex {
 public:
  ~ItemIndex();
  ItemIndex(const ItemIndex&) = delete;
  ItemIndex& operator=(const ItemIndex&) = delete;

  // Copies `vectors` (one row per item). InvalidArgument for an empty matrix, more than 2^32-1
  // items, a non-finite value or options out of range; Internal when FAISS fails.
  static Result<std::unique_ptr<ItemIndex>> Build(const FactorMatrix& vectors,
                                                  const IndexOptions& options);

  uint32_t size() const { return static_cast<uint32_t>(rows_.rows()); }
  int dim() const { return static_cast<int>(rows_.cols()); }
  uint32_t lists() const { return static_cast<uint32_t>(centroids_.rows()); }
  // The cos_cap searches use: IndexOptions::cos_cap, or the one Build derived from the data.
  float cos_cap() const { return options_.cos_cap > 0 ? options_.cos_cap : data_cos_cap_; }

  // Changes the search options without a rebuild, to tune recall against speed.
  // InvalidArgument for a cos_cap outside [0, 1] or a negative probe_lists (lists and
  // build_threads are ignored). Not safe while another thread searches.
  Status SetSearchOptions(const IndexOptions& options);

  // The k allowed items with the largest inner product with `query` (dim() floats), best
  // first, ties to the lower id. `allowed` null = all items; else its size() must equal size()
  // and `allowed_count` must be its Count() (passed in so a filter shared by many queries is
  // counted once; a wrong count only misleads the choice of method, never the filter).
  // InvalidArgument for a size mismatch or k outside 1..10000.
  Result<std::vector<SearchHit>> Search(const float* query, int k,
                                        const rights::RecordingBitmap* allowed,
                                        size_t allowed_count, SearchStats* stats = nullptr) const;
  // The exact answer, by scanning the allowed items (the oracle for recall). Ties go to the
  // lower item id.
  std::vector<SearchHit> ExactSearch(const float* query, int k,
                                     const rights::RecordingBitmap* allowed) const;

 private:
  ItemIndex() = default;
  // Trains the direction lists over rows_ (sorted already). Internal when FAISS fails.
  Status BuildLists(const IndexOptions& options);
  // The exact top k among the allowed items stored at rows first_row and later.
  std::vector<SearchHit> Scan(const float* query, int k, const rights::RecordingBitmap* allowed,
                              uint32_t first_row, SearchStats* stats) const;
  // The top k by probing the lists nearest the query, then the length-ordered scan of the other
  // lists' rows. Sets *end_row to size() when the stop rule ended it,
  // or to the first row not read when it reached max_rows first.
  std::vector<SearchHit> LengthOrderScan(const float* query, int k, const uint64_t* allowed_words,
                                         size_t max_rows, uint32_t* end_row,
                                         SearchStats* stats) const;

  IndexOptions options_;
  float data_cos_cap_ = 1;  // kCosCapPerRms x RMS cosine of random item pairs, at most 1
  // Row r holds item row_items_[r]; rows are in decreasing length (ties by id), and
  // row_lengths_[r] is row r's Euclidean length.
  FactorMatrix rows_;
  std::vector<float> row_lengths_;
  std::vector<uint32_t> row_items_;
  std::vector<uint32_t> item_rows_;  // the inverse of row_items_
  // Direction lists: unit centroids, the list of each row, and each list's rows in increasing
  // order (CSR: list l holds list_rows_[list_offsets_[l]] up to list_offsets_[l + 1]).
  FactorMatrix centroids_;
  std::vector<uint32_t> row_lists_;
  std::vector<uint32_t> list_offsets_;
  std::vector<uint32_t> list_rows_;
  std::vector<uint32_t> list_items_;  // row_items_ of list_rows_, so a probe tests the filter
                                      // without a second random read
};

}  // namespace accord::taste

#endif  // ACCORD_TASTE_VECTOR_INDEX_H_
