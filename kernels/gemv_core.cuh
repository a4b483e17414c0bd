// The inner steps shared by the decode GEMV kernels (quant_gemv, moe_gemv).
//   chunk_dot / row_chunk_dot: one lane decodes one 32-element chunk of a quantised weight row
//     into registers (kernels/block_decode.h) and dots it with 32 f32 activations.
//   staged_row_dot: a warp's dot of a whole row with x, both from shared memory. Lanes reading
//     their own chunks straight from global memory touch a different 128-byte line per lane and
//     load, so the L1 serves 8-32 wavefronts per instruction; instead the warp copies the row in
//     segments of whole blocks with coalesced 4-byte loads (one line per instruction), and x is
//     staged once per block with a row pitch of 36 floats per chunk, so a lane's float4 reads of
//     its chunk hit distinct banks.
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

// Warp-wide: the len bytes at src (len <= kStageSegBytes) into seg (kStageSegBytes + 16 bytes)
// with aligned 4-byte loads, lane i taking words i, i+32, …; returns where src's first byte
// landed (seg + src % 4). Every load of the segment is issued before the first store, so a
// warp has the whole segment in flight (one memory latency per segment, not one per few words).
__device__ __forceinline__ const u8* stage_bytes(const u8* src, int len, u8* seg) {
  const auto addr = reinterpret_cast<std::uintptr_t>(src);
  const auto* g = reinterpret_cast<const unsigned int*>(addr & ~std::uintptr_t(3));
  auto* s = reinterpret_cast<unsigned int*>(seg);
  const int off = static_cast<int>(addr & 3), n_words = (off + len + 3) / 4, lane = threadIdx.x & 31;
  unsigned int words[kStageWordsPerLane];
#pragma unroll
  for (int j = 0; j < kStageWordsPerLane; ++j)
    if (lane + 32 * j < n_words) words[j] = __ldg(g + lane + 32 * j);
#pragma unroll
  for (int j = 0; j < kStageWordsPerLane; ++j)
    if (lane + 32 * j < n_words) s[lane + 32 * j] = words[j];
  __syncwarp();
  return seg + off;
}

// Warp-wide Σ_i row[i] · x[i] over n_chunks chunks of type T, x staged by stage_x; every lane
// gets the sum. seg: this warp's kStageSegBytes + 16 bytes of shared memory.
template <WeightType T>
__device__ float staged_row_dot(const u8* row, int n_chunks, const float* xs, u8* seg, const StageGeometry& sg) {
  const int lane = threadIdx.x & 31;
  const int n_units = n_chunks / sg.chunks_per_unit;
  float acc = 0.0f;
  for (int u0 = 0; u0 < n_units; u0 += sg.units_per_segment) {
    const int nu = min(sg.units_per_segment, n_units - u0);
    const u8* data = stage_bytes(row + static_cast<std::int64_t>(u0) * sg.unit_bytes, nu * sg.unit_bytes, seg);
    const int c0 = u0 * sg.chunks_per_unit, nc = nu * sg.chunks_per_unit;
    for (int c = lane; c < nc; c += 32) {
      float w[32];
      Decoder<T>::chunk(data, c, w);
      acc += chunk_dot(w, xs + (c0 + c) * kStagePitch);
    }
    __syncwarp();  // every lane is done with seg before the next segment overwrites it
  }
  return warp_sum(acc);
}

}  // namespace coderx::kernels::detail
