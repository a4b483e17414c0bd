// Dense prefill GEMMs at f32 accuracy on f16 tensor cores (the "split f16" product).
// Each row v of an operand is held as s · (hi + lo): s a power of two chosen per row so that
// max|v|/s lies in [2^13, 2^14) (no f16 overflow, whatever the activations' range),
// hi = f16(v/s) and lo = f16(v/s − hi), together about 22 significant bits. Then
//   x·wᵀ = sx · sw · (x_hi·w_hiᵀ + x_hi·w_loᵀ + x_lo·w_hiᵀ)
// which is one cuBLAS f16 GEMM with f32 accumulation over K' = 3k, rows laid out as
// x' = [hi | hi | lo] and w' = [hi | lo | hi], followed by the row and column scales. Only the
// x_lo·w_lo term (about 2^-22 relative) is dropped. 11-bit inputs alone (plain fp16 or TF32)
// are not enough for this model: see CudaBackend::dense_linear.
// Called by the CUDA backend for prefill projections. Errors: Status.
#pragma once

#include <cstdint>

#include "kernels/dense_gemm.h"
#include "kernels/status.h"
#include "kernels/weight_type.h"

namespace coderx::kernels {

// One operand in split form: rows × 3·cols f16 (as bits), and one f32 scale per row.
struct SplitOperand {
  std::uint16_t* halves = nullptr;  // [rows, 3 · cols]
  float* scale = nullptr;           // [rows], powers of two
  std::int64_t rows = 0;
  std::int64_t cols = 0;            // k of the product; a multiple of 32
};

// Bytes of a SplitOperand's halves for rows · cols elements, and of its scales for rows rows
// (each 256-byte aligned).
std::uint64_t split_halves_bytes(std::int64_t elements);
std::uint64_t split_scale_bytes(std::int64_t rows);

// w' = [hi | lo | hi] of weight rows decoded straight from their GGUF blocks (row_stride bytes
// apart, 0 = packed). Reference: model::quant::dequantize_row_ref. Launch geometry: one warp
// per row, 8 rows per 256-thread block; each lane decodes chunks of 32 twice (row maximum,
// then split).
Status split_weight(const void* w, WeightType type, std::int64_t row_stride, const SplitOperand& out, void* stream);

// x' = [hi | hi | lo] of f32 rows (packed, cols apart). Same geometry as split_weight.
Status split_activations(const float* x, const SplitOperand& out, void* stream);

// y[m][n] = Σ_k x[m][k] · w[n][k] · (out_scale ? *out_scale : 1), y f32 [x.rows, w.rows].
// One cublasGemmEx (f16 in, CUBLAS_COMPUTE_32F), then one pass applying the scales (one thread
// per element, 256-thread blocks).
Status split_gemm(const BlasHandle& blas, const SplitOperand& x, const SplitOperand& w, const float* out_scale,
                  float* y, void* stream);

}  // namespace coderx::kernels
