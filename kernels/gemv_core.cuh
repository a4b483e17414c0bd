// The inner step shared by the decode GEMV kernels (quant_gemv, moe_gemv): one lane decodes one
// 32-element chunk of a quantised weight row into registers (kernels/block_decode.h) and dots it
// with 32 f32 activations read as float4 through the read-only cache.
#pragma once

#include "kernels/cuda_util.cuh"
#include "kernels/decode.cuh"

namespace coderx::kernels::detail {

// Σ_{i<32} w[i] · x[i]; x 16-byte aligned.
__device__ __forceinline__ float chunk_dot(const float* w, const float* x) {
  const float4* xv = reinterpret_cast<const float4*>(x);
  float s = 0.0f;
#pragma unroll
  for (int q = 0; q < 8; ++q) {
    const float4 v = __ldg(xv + q);
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

}  // namespace coderx::kernels::detail
