// Warp-level dot product of one quantised weight row with one f32 vector, shared by the MoE
// decode kernels. Every lane of the warp gets the full sum. Lane k decodes chunks k, k+32, …
#pragma once

#include "kernels/cuda_util.cuh"
#include "kernels/decode.cuh"

namespace coderx::kernels::detail {

// Σ_i row[i] · x[i] over n_chunks · 32 elements; x 16-byte aligned.
template <WeightType T>
__device__ __forceinline__ float warp_row_dot(const u8* row, const float* x, int n_chunks) {
  const int lane = threadIdx.x & 31;
  float acc = 0.0f;
  for (int c = lane; c < n_chunks; c += 32) {
    float w[32];
    Decoder<T>::chunk(row, c, w);
    const float4* xv = reinterpret_cast<const float4*>(x + 32 * c);
#pragma unroll
    for (int q = 0; q < 8; ++q) {
      const float4 v = xv[q];
      acc += w[4 * q] * v.x + w[4 * q + 1] * v.y + w[4 * q + 2] * v.z + w[4 * q + 3] * v.w;
    }
  }
  return warp_sum(acc);
}

}  // namespace coderx::kernels::detail
