// The inner steps shared by the decode GEMV kernels (quant_gemv, moe_gemv).
//   chunk_dot / row_chunk_dot: one lane decodes one 32-element chunk of a quantised weight row
//     into registers (kernels/block_decode.h) and dots it with 32 f32 activations.
//   staged_rows_dot: a warp's dots of a few whole rows with x, both from shared memory. Lanes reading
//     their own chunks straight from global memory touch a different 128-byte line per lane and
//     load, so the L1 serves 8-32 wavefronts per instruction; instead the warp copies the row in
//     segments of whole blocks with coalesced 4-byte loads (one line per instruction), and x is
//     staged once per block with a row pitch of 36 floats per chunk, so a lane's float4 reads of
//     its chunk hit distinct banks. The next segment's loads are in flight while a warp decodes
//     the current one.
#pragma once

#include "kernels/cuda_util.cuh"
#include "kernels/decode.cuh"
#include "kernels/gemv_stage.h"

namespace coderx::kernels::detail {

// Σ_{i<32} w[i] · x[i]; x 16-byte aligned (global or shared memory).
__device__ __forceinline__ float chunk_dot(const float* w, const float* x) {
  const float4* xv = reinterpret_cast<const float4*>(x);
  float s = 0.0f;
#pragma unroll
  for (int q = 0; q < 8; ++q) {
    const float4 v = xv[q];
    s += w[4 * q] * v.x + w[4 * q + 1] * v.y + w[4 * q + 2] * v.z + w[4 * q + 3] * v.w;
  }
  return s;
}

// Chunk c of a row of type T dotted with x[32c … 32c+31].
template <WeightType T>
__device__ __forceinline__ float row_chunk_dot(const u8* row, int c, const float* x) {
  float w[32];
  Decoder<T>::chunk(row, c, w);
  return chunk_dot(w, x + 32 * c);
}

// Block-wide: xs[c·kStagePitch + i] = x[32c + i] for the n_cols (a multiple of 32) values of x,
// then a barrier.
__device__ __forceinline__ void stage_x(const float* x, int n_cols, float* xs) {
  for (int i = threadIdx.x; i < n_cols; i += blockDim.x) xs[(i >> 5) * kStagePitch + (i & 31)] = x[i];
  __syncthreads();
}

// Words of a staged segment each lane loads: a segment's bytes plus up to 3 on each side for
// the 4-byte alignment fill kStageSegBytes + 16 bytes at most.
constexpr int kStageWordsPerLane = (kStageSegBytes + 16) / 4 / 32 + 1;
static_assert(kStageWordsPerLane * 32 * 4 >= kStageSegBytes + 6, "a lane's registers hold its share of a segment");

// One lane's share of a segment in flight: words lane, lane + 32, … of the aligned span.
struct SegmentWords {
  unsigned int w[kStageWordsPerLane];
  int offset;   // where the segment's first byte lies in its first word
  int n_words;  // words of the span
};

// Warp-wide: issues the aligned 4-byte loads of the len bytes at src (len <= kStageSegBytes)
// into registers, without waiting for them.
__device__ __forceinline__ void load_segment(const u8* src, int len, SegmentWords& s) {
  const auto addr = reinterpret_cast<std::uintptr_t>(src);
  const auto* g = reinterpret_cast<const unsigned int*>(addr & ~std::uintptr_t(3));
  const int lane = threadIdx.x & 31;
  s.offset = static_cast<int>(addr & 3);
  s.n_words = (s.offset + len + 3) / 4;
#pragma unroll
  for (int j = 0; j < kStageWordsPerLane; ++j)
    if (lane + 32 * j < s.n_words) s.w[j] = __ldg(g + lane + 32 * j);
}

// Warp-wide: the loaded words into seg (kStageSegBytes + 16 bytes); returns where the segment's
// first byte landed. The caller makes sure no lane still reads seg's previous contents.
__device__ __forceinline__ const u8* store_segment(const SegmentWords& s, u8* seg) {
  auto* dst = reinterpret_cast<unsigned int*>(seg);
  const int lane = threadIdx.x & 31;
#pragma unroll
  for (int j = 0; j < kStageWordsPerLane; ++j)
    if (lane + 32 * j < s.n_words) dst[lane + 32 * j] = s.w[j];
  __syncwarp();
  return seg + s.offset;
}

// The rows a warp dots with x, in order: row i = first + i·stride, or with `second` set, rows
// alternate between the two bases (gate and up rows of one output row): row 2j = first +
// j·stride, row 2j+1 = second + j·stride.
struct RowSet {
  const u8* first = nullptr;
  const u8* second = nullptr;
  std::int64_t stride = 0;
  __device__ const u8* row(int i) const {
    if (!second) return first + i * stride;
    return ((i & 1) ? second : first) + (i >> 1) * stride;
  }
};

// Warp-wide sums[i] = Σ_c row(i)[c] · x[c] for the n_rows (<= kMaxRows) rows of `rows`, each of
// n_chunks chunks of type T, x staged by stage_x; every lane gets every sum. The rows are walked
// in segments of whole units through seg (this warp's kStageSegBytes + 16 bytes of shared
// memory); the next segment's loads are issued before the current one is decoded, so a warp
// keeps a segment in flight while it computes.
template <WeightType T, int kMaxRows>
__device__ void staged_rows_dot(const RowSet& rows, int n_rows, int n_chunks, const float* xs, u8* seg,
                                const StageGeometry& sg, float (&sums)[kMaxRows]) {
  const int lane = threadIdx.x & 31;
  const int n_units = n_chunks / sg.chunks_per_unit;
  const int segs = (n_units + sg.units_per_segment - 1) / sg.units_per_segment;
  const int total = n_rows * segs;
  auto bytes_of = [&](int s, int& u0) {
    const int r = s / segs;
    u0 = (s - r * segs) * sg.units_per_segment;
    return min(sg.units_per_segment, n_units - u0) * sg.unit_bytes;
  };
  float acc[kMaxRows];
#pragma unroll
  for (int r = 0; r < kMaxRows; ++r) acc[r] = 0.0f;
  SegmentWords next;
  int u0 = 0;
  if (total > 0) load_segment(rows.row(0), bytes_of(0, u0), next);
  for (int s = 0; s < total; ++s) {
    const int r = s / segs;
    const int len = bytes_of(s, u0);
    const u8* data = store_segment(next, seg);
    if (s + 1 < total) {
      int u1 = 0;
      const int len1 = bytes_of(s + 1, u1);
      load_segment(rows.row((s + 1) / segs) + static_cast<std::int64_t>(u1) * sg.unit_bytes, len1, next);
    }
    const int c0 = u0 * sg.chunks_per_unit, nc = len / sg.unit_bytes * sg.chunks_per_unit;
    float part = 0.0f;
    for (int c = lane; c < nc; c += 32) {
      float w[32];
      Decoder<T>::chunk(data, c, w);
      part += chunk_dot(w, xs + (c0 + c) * kStagePitch);
    }
#pragma unroll
    for (int i = 0; i < kMaxRows; ++i)
      if (i == r) acc[i] += part;
    __syncwarp();  // every lane is done with seg before the next segment is stored
  }
#pragma unroll
  for (int i = 0; i < kMaxRows; ++i) sums[i] = warp_sum(acc[i]);
}

}  // namespace coderx::kernels::detail
