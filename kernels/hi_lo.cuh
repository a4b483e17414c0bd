// Splitting f32 values into a 16-bit hi part and a 16-bit lo part, for tensor-core products at
// near-f32 accuracy: v ≈ hi + lo, so x·w ≈ x_hi·w_hi + x_hi·w_lo + x_lo·w_hi. f16 parts keep
// about 22 significant bits but need a power-of-two row scale to stay in f16's range
// (row_scale_exponent); bf16 parts keep about 16 bits over f32's whole range.
// Used by split_gemm.cu, moe_gemm.cu and attention_tc.cu. Pure device functions.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cmath>

namespace coderx::kernels::detail {

// e such that a row whose largest magnitude is max_abs, divided by 2^e, has its maximum in
// [2^13, 2^14): no f16 overflow, and small entries keep their bits. 0 for a zero or non-finite
// maximum (the parts then carry inf/NaN as the reference would); within ±100 so that 2^e and
// 2^-e stay normal f32.
__device__ __forceinline__ int row_scale_exponent(float max_abs) {
  if (!(max_abs > 0.0f) || !isfinite(max_abs)) return 0;
  int e = 0;
  frexpf(max_abs, &e);
  return min(100, max(-100, e - 14));
}

// hi = f16(v), lo = f16(v − hi); v − hi is exact in f32.
__device__ __forceinline__ void split_f16(float v, __half& hi, __half& lo) {
  hi = __float2half_rn(v);
  lo = __float2half_rn(v - __half2float(hi));
}

// hi = bf16(v), lo = bf16(v − hi); v − hi is exact in f32.
__device__ __forceinline__ void split_bf16(float v, __nv_bfloat16& hi, __nv_bfloat16& lo) {
  hi = __float2bfloat16_rn(v);
  lo = __float2bfloat16_rn(v - __bfloat162float(hi));
}

}  // namespace coderx::kernels::detail
