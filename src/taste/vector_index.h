// ItemIndex: top-k inner-product search over item vectors, under an allow-list bitmap.
//
// Backed by a FAISS HNSW graph (IndexHNSWFlat, inner product). A search takes the allowed
// set as a bitmap over item ids (bit i set = item i may be returned), which is exactly the
// layout of rights::RecordingBitmap, so the policy engine's batch filter output is passed to
// FAISS as an IDSelectorBitmap without copying. Each query chooses its method by the
// allowed fraction:
//   - below IndexOptions::exact_below_fraction, an exact scan of the allowed items (a sparse
//     filter makes graph search wander through disallowed nodes, and the scan is cheap);
//   - above it, filtered HNSW with efSearch widened as the allowed fraction shrinks.
//
//   ACCORD_ASSIGN_OR_RETURN(auto index, ItemIndex::Build(model.item_factors(), {}));
//   rights::RecordingBitmap allowed = ...;            // one bit per item
//   ACCORD_ASSIGN_OR_RETURN(auto hits, index->Search(query, 10, &allowed, allowed.Count()));
//
// Errors: FAISS reports failures by exception; every call here catches them and returns
// Internal naming the operation. Thread safety: Build once; Search is const and may run on
// many threads at once (FAISS HNSW search is read-only). FAISS may use OpenMP inside a
// search; callers that want one thread per query set OMP_NUM_THREADS=1.
#ifndef ACCORD_TASTE_VECTOR_INDEX_H_
#define ACCORD_TASTE_VECTOR_INDEX_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "core/status.h"
#include "rights/snapshot.h"
#include "taste/als.h"

namespace faiss {
struct IndexHNSWFlat;
}

namespace accord::taste {

struct IndexOptions {
  int hnsw_m = 32;           // graph degree
  int ef_construction = 80;  // build-time beam width
  int ef_search = 64;        // search beam width when everything is allowed
  // Below this allowed fraction a query scans the allowed items exactly.
  double exact_below_fraction = 0.05;
  // efSearch is raised to ef_search / allowed_fraction^ef_widening, capped at kMaxEfSearch:
  // with a fraction f of nodes allowed, a beam of width ef holds about f * ef allowed ones.
  double ef_widening = 0.5;
  // Catalogs smaller than this get no graph: every query is an exact scan, which at this size
  // costs less than building the graph does (HetRec's 17,632 artists scan in well under a
  // millisecond per query).
  uint32_t graph_min_items = 50000;
  static constexpr int kMaxEfSearch = 4096;
};

struct SearchHit {
  uint32_t item;
  float score;  // inner product
  friend bool operator==(const SearchHit&, const SearchHit&) = default;
};

struct SearchStats {
  bool exact = false;  // true: exact scan; false: filtered HNSW
  int ef_search = 0;
};

class ItemIndex {
 public:
  ~ItemIndex();
  ItemIndex(const ItemIndex&) = delete;
  ItemIndex& operator=(const ItemIndex&) = delete;

  // Copies `vectors` (one row per item). InvalidArgument for an empty matrix or bad options;
  // Internal when FAISS fails.
  static Result<std::unique_ptr<ItemIndex>> Build(const FactorMatrix& vectors,
                                                  const IndexOptions& options);

  uint32_t size() const { return static_cast<uint32_t>(vectors_.rows()); }
  int dim() const { return static_cast<int>(vectors_.cols()); }
  const FactorMatrix& vectors() const { return vectors_; }
  bool has_graph() const { return hnsw_ != nullptr; }

  // The k allowed items with the largest inner product with `query` (dim() floats), best
  // first. `allowed` null = all items; else its size() must equal size() and
  // `allowed_count` must be its Count() (passed in so a filter shared by many queries is
  // counted once). InvalidArgument for a size mismatch or k outside 1..10000.
  Result<std::vector<SearchHit>> Search(const float* query, int k,
                                        const rights::RecordingBitmap* allowed,
                                        size_t allowed_count, SearchStats* stats = nullptr) const;
  // The exact answer, by scanning the allowed items (the oracle for recall).
  std::vector<SearchHit> ExactSearch(const float* query, int k,
                                     const rights::RecordingBitmap* allowed) const;

 private:
  ItemIndex() = default;
  IndexOptions options_;
  FactorMatrix vectors_;
  std::unique_ptr<faiss::IndexHNSWFlat> hnsw_;  // null below graph_min_items
};

}  // namespace accord::taste

#endif  // ACCORD_TASTE_VECTOR_INDEX_H_
