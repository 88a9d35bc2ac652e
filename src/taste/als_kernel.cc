#include "taste/als_kernel.h"

#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "core/memory.h"

namespace accord::taste::internal {
namespace {

// Rows are prefetched this many entries before they are copied: a gathered row is a few
// cache lines at a random address (the item half reads 359K listener rows, far more than the
// cache holds), and the copy loop would otherwise wait for each miss in turn.
constexpr int64_t kPrefetchEntries = 8;

void PrefetchRow(const float* row, int width) {
  // Training rows are 64-byte aligned (AlignedFloats, a width of 8 floats), so these are
  // exactly the row's lines.
  const char* begin = reinterpret_cast<const char*>(row);
  const char* end = begin + static_cast<size_t>(width) * sizeof(float);
  for (const char* line = begin; line < end; line += 64) __builtin_prefetch(line);
}

// --- Portable loops -----------------------------------------------------------------------

void SymmetricTimesPortable(const float* gram, int width, const float* vs, int64_t count,
                            float* outs) {
  for (int64_t i = 0; i < count; ++i) {
    const float* v = vs + i * width;
    float* out = outs + i * width;
    std::fill(out, out + width, 0.0f);
    for (int l = 0; l < width; ++l) {
      const float scale = v[l];
      const float* row = gram + static_cast<size_t>(l) * width;
      for (int j = 0; j < width; ++j) out[j] += scale * row[j];
    }
  }
}

void GatherPortable(const float* factors, int width, const uint32_t* rows, int64_t count,
                    float* block) {
  for (int64_t e = 0; e < count; ++e) {
    if (e + kPrefetchEntries < count) {
      PrefetchRow(factors + size_t{rows[e + kPrefetchEntries]} * width, width);
    }
    std::memcpy(block + e * width, factors + size_t{rows[e]} * width, sizeof(float) * width);
  }
}

float DotPortable(const float* a, const float* b, int width) {
  float sum = 0;
  for (int l = 0; l < width; ++l) sum += a[l] * b[l];
  return sum;
}

template <bool kResidual>
void AddDataPortable(const float* block, const float* confidence, int64_t count, int width,
                     const float* v, float* out) {
  for (int64_t e = 0; e < count; ++e) {
    const float* y = block + e * width;
    const float weight = confidence[e] - 1.0f;
    const float projected = DotPortable(y, v, width);
    const float coefficient = kResidual ? confidence[e] - weight * projected : weight * projected;
    for (int l = 0; l < width; ++l) out[l] += coefficient * y[l];
  }
}

float StepPortable(float step, const float* p, const float* ap, int width, float* x, float* r) {
  float norm = 0;
  for (int l = 0; l < width; ++l) {
    x[l] += step * p[l];
    r[l] -= step * ap[l];
    norm += r[l] * r[l];
  }
  return norm;
}

void NextDirectionPortable(const float* r, float beta, int width, float* p) {
  for (int l = 0; l < width; ++l) p[l] = r[l] + beta * p[l];
}

// --- AVX2 + FMA loops ---------------------------------------------------------------------
// Compiled for AVX2 whatever the global flags (which stay x86-64 baseline); only called after
// Avx2AlsKernels() has checked the CPU.

#define ACCORD_AVX2 __attribute__((target("avx2,fma")))

// outs[b][j0, j0 + 8 kVectors) = sum_l vs[b][l] G[l][j0, ...) for kRows vectors b: a tile of
// kRows x kVectors accumulators, one FMA chain per output lane, G's rows in order. Tiles of
// 4 x 2 (a batch) or 1 x 8 (a lone vector) are eight independent chains, enough to hide the
// FMA latency, and a 4 x 2 tile reads each G row once for four vectors.
template <int kRows, int kVectors>
ACCORD_AVX2 void SymmetricTile(const float* gram, int width, const float* vs, float* outs, int j0) {
  __m256 acc[kRows][kVectors];
#pragma GCC unroll 8
  for (int b = 0; b < kRows; ++b) {
#pragma GCC unroll 8
    for (int t = 0; t < kVectors; ++t) acc[b][t] = _mm256_setzero_ps();
  }
  const float* row = gram + j0;
  for (int l = 0; l < width; ++l, row += width) {
    __m256 g[kVectors];
#pragma GCC unroll 8
    for (int t = 0; t < kVectors; ++t) g[t] = _mm256_loadu_ps(row + 8 * t);
#pragma GCC unroll 8
    for (int b = 0; b < kRows; ++b) {
      const __m256 scale = _mm256_broadcast_ss(vs + b * width + l);
#pragma GCC unroll 8
      for (int t = 0; t < kVectors; ++t) acc[b][t] = _mm256_fmadd_ps(scale, g[t], acc[b][t]);
    }
  }
#pragma GCC unroll 8
  for (int b = 0; b < kRows; ++b) {
#pragma GCC unroll 8
    for (int t = 0; t < kVectors; ++t) _mm256_storeu_ps(outs + b * width + j0 + 8 * t, acc[b][t]);
  }
}

// All columns of kRows vectors, in tiles of kRows x 2 (kRows x 8 for one vector) and an
// 8-column tail.
template <int kRows>
ACCORD_AVX2 void SymmetricRows(const float* gram, int width, const float* vs, float* outs) {
  int j0 = 0;
  if constexpr (kRows == 1) {
    for (; j0 + 64 <= width; j0 += 64) SymmetricTile<1, 8>(gram, width, vs, outs, j0);
  }
  for (; j0 + 16 <= width; j0 += 16) SymmetricTile<kRows, 2>(gram, width, vs, outs, j0);
  if (j0 < width) SymmetricTile<kRows, 1>(gram, width, vs, outs, j0);
}

ACCORD_AVX2 void SymmetricTimesAvx2(const float* gram, int width, const float* vs, int64_t count,
                                    float* outs) {
  int64_t i = 0;
  for (; i + 4 <= count; i += 4) SymmetricRows<4>(gram, width, vs + i * width, outs + i * width);
  for (; i < count; ++i) SymmetricRows<1>(gram, width, vs + i * width, outs + i * width);
}

ACCORD_AVX2 void GatherAvx2(const float* factors, int width, const uint32_t* rows, int64_t count,
                            float* block) {
  for (int64_t e = 0; e < count; ++e) {
    if (e + kPrefetchEntries < count) {
      PrefetchRow(factors + size_t{rows[e + kPrefetchEntries]} * width, width);
    }
    const float* in = factors + size_t{rows[e]} * width;
    float* out = block + e * width;
    for (int l = 0; l < width; l += 8) _mm256_storeu_ps(out + l, _mm256_loadu_ps(in + l));
  }
}

ACCORD_AVX2 float HorizontalSum(__m256 v) {
  const __m128 half = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 pair = _mm_add_ps(half, _mm_movehl_ps(half, half));
  return _mm_cvtss_f32(_mm_add_ss(pair, _mm_movehdup_ps(pair)));
}

ACCORD_AVX2 float DotAvx2(const float* a, const float* b, int width) {
  __m256 acc0 = _mm256_setzero_ps();
  __m256 acc1 = _mm256_setzero_ps();
  int l = 0;
  for (; l + 16 <= width; l += 16) {
    acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + l), _mm256_loadu_ps(b + l), acc0);
    acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + l + 8), _mm256_loadu_ps(b + l + 8), acc1);
  }
  if (l < width) acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + l), _mm256_loadu_ps(b + l), acc0);
  return HorizontalSum(_mm256_add_ps(acc0, acc1));
}

// One fused pass over the block: for four rows at a time, their four dot products with v
// (two accumulators each: eight independent FMA chains), reduced together, then the four
// scaled rows added to `out` while they are still in L1. Fusing the dot and the update halves
// the passes over the block per CG step, and updating `out` once per four rows quarters its
// loads and stores.
template <bool kResidual>
ACCORD_AVX2 void AddDataAvx2(const float* block, const float* confidence, int64_t count, int width,
                             const float* v, float* out) {
  const __m128 one = _mm_set1_ps(1.0f);
  int64_t e = 0;
  for (; e + 4 <= count; e += 4) {
    const float* y0 = block + e * width;
    const float* y1 = y0 + width;
    const float* y2 = y1 + width;
    const float* y3 = y2 + width;
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
    __m256 a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
    __m256 b0 = _mm256_setzero_ps(), b1 = _mm256_setzero_ps();
    __m256 b2 = _mm256_setzero_ps(), b3 = _mm256_setzero_ps();
    int l = 0;
    for (; l + 16 <= width; l += 16) {
      const __m256 va = _mm256_loadu_ps(v + l);
      const __m256 vb = _mm256_loadu_ps(v + l + 8);
      a0 = _mm256_fmadd_ps(_mm256_loadu_ps(y0 + l), va, a0);
      a1 = _mm256_fmadd_ps(_mm256_loadu_ps(y1 + l), va, a1);
      a2 = _mm256_fmadd_ps(_mm256_loadu_ps(y2 + l), va, a2);
      a3 = _mm256_fmadd_ps(_mm256_loadu_ps(y3 + l), va, a3);
      b0 = _mm256_fmadd_ps(_mm256_loadu_ps(y0 + l + 8), vb, b0);
      b1 = _mm256_fmadd_ps(_mm256_loadu_ps(y1 + l + 8), vb, b1);
      b2 = _mm256_fmadd_ps(_mm256_loadu_ps(y2 + l + 8), vb, b2);
      b3 = _mm256_fmadd_ps(_mm256_loadu_ps(y3 + l + 8), vb, b3);
    }
    if (l < width) {
      const __m256 va = _mm256_loadu_ps(v + l);
      a0 = _mm256_fmadd_ps(_mm256_loadu_ps(y0 + l), va, a0);
      a1 = _mm256_fmadd_ps(_mm256_loadu_ps(y1 + l), va, a1);
      a2 = _mm256_fmadd_ps(_mm256_loadu_ps(y2 + l), va, a2);
      a3 = _mm256_fmadd_ps(_mm256_loadu_ps(y3 + l), va, a3);
    }
    a0 = _mm256_add_ps(a0, b0);
    a1 = _mm256_add_ps(a1, b1);
    a2 = _mm256_add_ps(a2, b2);
    a3 = _mm256_add_ps(a3, b3);
    // [a0 a1 a2 a3] lane sums, in that order, by two rounds of pairwise adds.
    const __m256 h = _mm256_hadd_ps(_mm256_hadd_ps(a0, a1), _mm256_hadd_ps(a2, a3));
    const __m128 projected = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
    const __m128 c = _mm_loadu_ps(confidence + e);
    const __m128 weight = _mm_sub_ps(c, one);
    const __m128 coefficient =
        kResidual ? _mm_fnmadd_ps(weight, projected, c) : _mm_mul_ps(weight, projected);
    const __m256 s0 = _mm256_broadcastss_ps(coefficient);
    const __m256 s1 = _mm256_broadcastss_ps(_mm_shuffle_ps(coefficient, coefficient, 0x55));
    const __m256 s2 = _mm256_broadcastss_ps(_mm_shuffle_ps(coefficient, coefficient, 0xAA));
    const __m256 s3 = _mm256_broadcastss_ps(_mm_shuffle_ps(coefficient, coefficient, 0xFF));
    for (l = 0; l < width; l += 8) {
      __m256 o = _mm256_loadu_ps(out + l);
      o = _mm256_fmadd_ps(s0, _mm256_loadu_ps(y0 + l), o);
      o = _mm256_fmadd_ps(s1, _mm256_loadu_ps(y1 + l), o);
      o = _mm256_fmadd_ps(s2, _mm256_loadu_ps(y2 + l), o);
      o = _mm256_fmadd_ps(s3, _mm256_loadu_ps(y3 + l), o);
      _mm256_storeu_ps(out + l, o);
    }
  }
  for (; e < count; ++e) {
    const float* y = block + e * width;
    const float weight = confidence[e] - 1.0f;
    const float projected = DotAvx2(y, v, width);
    const __m256 s =
        _mm256_set1_ps(kResidual ? confidence[e] - weight * projected : weight * projected);
    for (int l = 0; l < width; l += 8) {
      _mm256_storeu_ps(out + l,
                       _mm256_fmadd_ps(s, _mm256_loadu_ps(y + l), _mm256_loadu_ps(out + l)));
    }
  }
}

ACCORD_AVX2 float StepAvx2(float step, const float* p, const float* ap, int width, float* x,
                           float* r) {
  const __m256 s = _mm256_set1_ps(step);
  __m256 norm = _mm256_setzero_ps();
  for (int l = 0; l < width; l += 8) {
    _mm256_storeu_ps(x + l, _mm256_fmadd_ps(s, _mm256_loadu_ps(p + l), _mm256_loadu_ps(x + l)));
    const __m256 rl = _mm256_fnmadd_ps(s, _mm256_loadu_ps(ap + l), _mm256_loadu_ps(r + l));
    _mm256_storeu_ps(r + l, rl);
    norm = _mm256_fmadd_ps(rl, rl, norm);
  }
  return HorizontalSum(norm);
}

ACCORD_AVX2 void NextDirectionAvx2(const float* r, float beta, int width, float* p) {
  const __m256 b = _mm256_set1_ps(beta);
  for (int l = 0; l < width; l += 8) {
    _mm256_storeu_ps(p + l, _mm256_fmadd_ps(b, _mm256_loadu_ps(p + l), _mm256_loadu_ps(r + l)));
  }
}

#undef ACCORD_AVX2

const AlsKernels kPortable = {
    .name = "portable",
    .symmetric_times = SymmetricTimesPortable,
    .gather = GatherPortable,
    .add_residual = AddDataPortable<true>,
    .add_product = AddDataPortable<false>,
    .dot = DotPortable,
    .step = StepPortable,
    .next_direction = NextDirectionPortable,
};

const AlsKernels kAvx2 = {
    .name = "avx2+fma",
    .symmetric_times = SymmetricTimesAvx2,
    .gather = GatherAvx2,
    .add_residual = AddDataAvx2<true>,
    .add_product = AddDataAvx2<false>,
    .dot = DotAvx2,
    .step = StepAvx2,
    .next_direction = NextDirectionAvx2,
};

}  // namespace

const AlsKernels& PortableAlsKernels() { return kPortable; }

const AlsKernels* Avx2AlsKernels() {
  static const bool supported = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return supported ? &kAvx2 : nullptr;
}

const AlsKernels& BestAlsKernels() {
  const AlsKernels* avx2 = Avx2AlsKernels();
  return avx2 != nullptr ? *avx2 : kPortable;
}

void AlignedFloats::Resize(size_t size) {
  if (size > capacity_) {
    const size_t bytes = size * sizeof(float);
    const std::align_val_t alignment{bytes >= kHugePageBytes ? kHugePageBytes : 64};
    data_ = std::unique_ptr<float[], AlignedFree>(
        static_cast<float*>(::operator new[](bytes, alignment)), AlignedFree{alignment});
    AdviseHugePages(data_.get(), bytes);  // before the first touch: the fill below
    capacity_ = size;
  }
  size_ = size;
  std::fill(data_.get(), data_.get() + size, 0.0f);
}

RowSolver::RowSolver(const HalfStep& step, const AlsKernels& kernels)
    : step_(step),
      kernels_(kernels),
      block_(static_cast<size_t>(step.width)),
      r_(size_t{kBatchRows} * step.width),
      p_(size_t{kBatchRows} * step.width),
      ap_(size_t{kBatchRows} * step.width) {}

void RowSolver::SolveRows(uint32_t begin, uint32_t end, float* self) {
  const int64_t width = step_.width;
  uint32_t row = begin;
  while (row < end) {
    // A row too large for a batch block is solved alone.
    if (Entries(row) * width > kBatchBlockFloats) {
      SolveBatch(row, 1, Entries(row) > kGatherMaxEntries, self);
      ++row;
      continue;
    }
    uint32_t batch_end = row;
    int64_t floats = 0;
    while (batch_end < end && batch_end - row < kBatchRows &&
           floats + Entries(batch_end) * width <= kBatchBlockFloats) {
      floats += Entries(batch_end) * width;
      ++batch_end;
    }
    SolveBatch(row, static_cast<int>(batch_end - row), /*segmented=*/false, self);
    row = batch_end;
  }
}

void RowSolver::AddData(bool residual, uint32_t row, int64_t block_offset, bool segmented,
                        const float* v, float* out) {
  const auto add = residual ? kernels_.add_residual : kernels_.add_product;
  const int width = step_.width;
  const uint64_t first = step_.offsets[row];
  const int64_t count = Entries(row);
  const float* confidence = step_.confidence + first;
  if (!segmented) {
    add(block_.data() + block_offset * width, confidence, count, width, v, out);
    return;
  }
  for (int64_t begin = 0; begin < count; begin += kSegmentEntries) {
    const int64_t n = std::min(kSegmentEntries, count - begin);
    kernels_.gather(step_.other, width, step_.columns + first + begin, n, block_.data());
    add(block_.data(), confidence + begin, n, width, v, out);
  }
}

void RowSolver::SolveBatch(uint32_t first, int count, bool segmented, float* self) {
  // Below this squared residual a row is solved to float precision; more steps only add noise.
  constexpr float kResidualFloor = 1e-20f;
  const int width = step_.width;
  const uint64_t first_entry = step_.offsets[first];
  const int64_t entries = static_cast<int64_t>(step_.offsets[first + count] - first_entry);
  const int64_t block_floats = (segmented ? kSegmentEntries : entries) * width;
  if (block_.size() < static_cast<size_t>(block_floats)) {
    block_.Resize(static_cast<size_t>(block_floats));
  }
  // Consecutive rows' entries are contiguous in CSR: one gather for the whole batch.
  if (!segmented) {
    kernels_.gather(step_.other, width, step_.columns + first_entry, entries, block_.data());
  }
  float* x = self + size_t{first} * width;
  float* r = r_.data();
  float* p = p_.data();
  float* ap = ap_.data();
  // r = b - A x, with A = Y^T Y + reg I + sum_i (c_i - 1) y_i y_i^T and b = sum_i c_i y_i.
  kernels_.symmetric_times(step_.gram, width, x, count, r);
  for (int64_t l = 0; l < int64_t{count} * width; ++l) r[l] = -r[l];
  float rs_old[kBatchRows];
  bool active[kBatchRows];
  int active_count = 0;
  for (int b = 0; b < count; ++b) {
    const uint32_t row = first + static_cast<uint32_t>(b);
    AddData(/*residual=*/true, row, static_cast<int64_t>(step_.offsets[row] - first_entry),
            segmented, x + b * width, r + b * width);
    std::copy(r + b * width, r + (b + 1) * width, p + b * width);
    rs_old[b] = kernels_.dot(r + b * width, r + b * width, width);
    active[b] = rs_old[b] > kResidualFloor;
    active_count += active[b];
  }
  for (int cg_step = 0; cg_step < step_.cg_steps && active_count > 0; ++cg_step) {
    // Finished rows ride along in the product (their results are not used): splitting the
    // batch would cost more than the few wasted lanes.
    kernels_.symmetric_times(step_.gram, width, p, count, ap);
    for (int b = 0; b < count; ++b) {
      if (!active[b]) continue;
      const uint32_t row = first + static_cast<uint32_t>(b);
      float* pb = p + b * width;
      float* apb = ap + b * width;
      AddData(/*residual=*/false, row, static_cast<int64_t>(step_.offsets[row] - first_entry),
              segmented, pb, apb);
      const float denominator = kernels_.dot(pb, apb, width);
      if (!(denominator > 0)) {
        active[b] = false;
        --active_count;
        continue;
      }
      const float rs_new =
          kernels_.step(rs_old[b] / denominator, pb, apb, width, x + b * width, r + b * width);
      kernels_.next_direction(r + b * width, rs_new / rs_old[b], width, pb);
      rs_old[b] = rs_new;
      if (!(rs_old[b] > kResidualFloor)) {
        active[b] = false;
        --active_count;
      }
    }
  }
}

}  // namespace accord::taste::internal
