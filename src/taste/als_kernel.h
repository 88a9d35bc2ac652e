// The inner loops of ALS training (als.cc): conjugate-gradient steps on one row of the
// implicit-feedback normal equations, over plain float pointers.
//
// This header and als_kernel.cc do not include Eigen on purpose. The AVX2/FMA loops are
// compiled with __attribute__((target("avx2,fma"))) and chosen at run time; compiling a
// translation unit that includes Eigen with -mavx2 changes Eigen's alignment assumptions in that
// unit only and corrupted the heap once (docs/decisions/0005-taste-model-and-index.md).
//
// Internal to the taste module: nothing outside als.cc and its test includes it.
#ifndef ACCORD_TASTE_ALS_KERNEL_H_
#define ACCORD_TASTE_ALS_KERNEL_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>

namespace accord::taste::internal {

// Vectors and the gathered block are padded with zeros to a multiple of this many floats, so
// that the SIMD loops have no tails; the padding stays zero through every operation.
constexpr int kSimdLanes = 8;
inline int PaddedWidth(int factors) { return (factors + kSimdLanes - 1) / kSimdLanes * kSimdLanes; }

// One instruction set's loops. All widths are multiples of kSimdLanes; a "vector" is `width`
// floats and a matrix of vectors has row stride `width`.
struct AlsKernels {
  const char* name;
  // outs_i = G vs_i for `count` vectors, G symmetric width x width row-major. Each output is
  // summed over G's rows in order by one FMA chain, whatever `count`: a vector's result does
  // not depend on which others share the call (so batching rows cannot change the factors).
  void (*symmetric_times)(const float* gram, int width, const float* vs, int64_t count,
                          float* outs);
  // Copies rows `rows[0..count)` of `factors` into `block`, prefetching the rows a few entries
  // ahead.
  void (*gather)(const float* factors, int width, const uint32_t* rows, int64_t count,
                 float* block);
  // out += sum_e (c_e - (c_e - 1) (y_e . v)) y_e over the block's rows y_e: the data part of
  // the residual b - A v.
  void (*add_residual)(const float* block, const float* confidence, int64_t count, int width,
                       const float* v, float* out);
  // out += sum_e (c_e - 1) (y_e . v) y_e: the data part of A v.
  void (*add_product)(const float* block, const float* confidence, int64_t count, int width,
                      const float* v, float* out);
  float (*dot)(const float* a, const float* b, int width);
  // One CG update: x += step p, r -= step ap; returns |r|^2.
  float (*step)(float step, const float* p, const float* ap, int width, float* x, float* r);
  // p = r + beta p.
  void (*next_direction)(const float* r, float beta, int width, float* p);
};

// Plain C++ loops: any x86-64 (or other) CPU.
const AlsKernels& PortableAlsKernels();
// AVX2 + FMA loops, or null when this CPU lacks either.
const AlsKernels* Avx2AlsKernels();
// The fastest that this CPU runs: the AVX2 loops where available. Results differ in the last
// bits between the two (the sums are taken in another order), never between runs or threads.
const AlsKernels& BestAlsKernels();

// Frees what ::operator new[](bytes, alignment) returned.
struct AlignedFree {
  std::align_val_t alignment{64};
  void operator()(float* p) const { ::operator delete[](p, alignment); }
};

// 64-byte aligned floats, zero-initialised; a growable scratch buffer. Buffers of 2 MiB and
// more are 2 MiB aligned and asked to be backed by transparent huge pages (Linux, where THP is
// "madvise" or "always"): training reads rows of a factor matrix of 75-180 MB at random, and
// with 4 KiB pages nearly every row costs a TLB miss and a page walk besides its cache misses.
class AlignedFloats {
 public:
  AlignedFloats() = default;
  explicit AlignedFloats(size_t size) { Resize(size); }
  // Grows to at least `size` floats (contents not kept) and zeroes the first `size`.
  void Resize(size_t size);
  float* data() { return data_.get(); }
  const float* data() const { return data_.get(); }
  size_t size() const { return size_; }

 private:
  std::unique_ptr<float[], AlignedFree> data_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

// What every row of one half-step shares. `other` is the fixed side's factors, row-major with
// stride `width` and zero padding; `gram` is Y^T Y + regularization I of those factors, width x
// width with zero padding (the padding lanes of every vector then stay zero); the sparse rows
// are CSR with `confidence` aligned to `columns`.
struct HalfStep {
  const float* other = nullptr;
  const float* gram = nullptr;
  int width = 0;
  int cg_steps = 0;
  const uint64_t* offsets = nullptr;
  const uint32_t* columns = nullptr;
  const float* confidence = nullptr;
};

// Rows with up to this many entries are gathered once into a contiguous block that the
// 1 + cg_steps passes then read from cache; longer rows (a few head items under a power law)
// are gathered segment by segment in every pass, so the block stays bounded. The segment
// length is a multiple of the kernels' four-row grouping, so a segmented row sums in exactly
// the order of a gathered one.
constexpr int64_t kGatherMaxEntries = 16384;
constexpr int64_t kSegmentEntries = 2048;
// Consecutive short rows are solved in lock step, up to this many rows and this many gathered
// floats: the G p products of a batch are then one register-tiled matrix product that reads G
// once for four rows, instead of one pass over G (64 KiB at 128 factors, twice L1) per row.
// Four is the tile height, so more rows would not read G less; the block limit (128 KiB) keeps
// a batch's gathered rows and G together in L2 across the CG steps. (Measured on Last.fm-like
// data at 128 factors: 8 rows and 512 KiB were no faster; one row at a time ~25% slower.)
constexpr int kBatchRows = 4;
constexpr int64_t kBatchBlockFloats = 32 * 1024;

// Moves rows towards their least-squares solution by `cg_steps` warm-started conjugate-gradient
// steps (Takacs et al. 2011). One per thread: it owns the scratch buffers. The result for a row
// depends only on the row, the HalfStep and the kernels, never on which solver runs it, on the
// range it is part of or on the rows batched with it.
class RowSolver {
 public:
  RowSolver(const HalfStep& step, const AlsKernels& kernels);
  // Rows [begin, end) of `self` (stride width, zero padding) are read as the starting points
  // and overwritten.
  void SolveRows(uint32_t begin, uint32_t end, float* self);

 private:
  int64_t Entries(uint32_t row) const {
    return static_cast<int64_t>(step_.offsets[row + 1] - step_.offsets[row]);
  }
  // Rows [first, first + count) in lock step; `segmented` (count 1 only) for a row too long to
  // gather whole.
  void SolveBatch(uint32_t first, int count, bool segmented, float* self);
  // out += the data part of A v (product) or of b - A v (residual) over `row`'s entries, whose
  // gathered copy starts `block_offset` entries into the block.
  void AddData(bool residual, uint32_t row, int64_t block_offset, bool segmented, const float* v,
               float* out);

  const HalfStep step_;
  const AlsKernels& kernels_;
  AlignedFloats block_;
  AlignedFloats r_, p_, ap_;  // kBatchRows vectors each
};

}  // namespace accord::taste::internal

#endif  // ACCORD_TASTE_ALS_KERNEL_H_
