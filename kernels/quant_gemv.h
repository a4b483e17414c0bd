// Quantised matrix-vector product for decode, straight from GGUF blocks (dequantised in
// registers): y[t][r] = Σ_i W[r][i] · x[t][i] for up to 8 tokens at once, so each weight row is
// read once per step. Optional fused epilogue: the `.scale` {1} second-level scale, the final
// logit softcap (LM head), accumulate into y.
// Called by the CUDA backend (attention projections, dense MLP, LM head). Errors: Status.
#pragma once

#include <cstdint>

#include "kernels/status.h"
#include "kernels/weight_type.h"

namespace coderx::kernels {

constexpr int kGemvMaxTokens = 8;

struct GemvParams {
  const void* w = nullptr;            // [n_rows, n_cols] of `type`
  WeightType type = WeightType::F32;
  std::int64_t row_stride = 0;        // bytes between rows; 0 = weight_row_bytes(type, n_cols)
  const float* x = nullptr;           // [n_tokens, n_cols] f32, rows 16-byte aligned
  float* y = nullptr;                 // [n_tokens, n_rows] f32
  std::int64_t n_rows = 0;
  std::int64_t n_cols = 0;            // a whole number of blocks and of 32-element chunks
  int n_tokens = 1;                   // 1 … kGemvMaxTokens
  const float* out_scale = nullptr;   // [1] f32 device or null: y *= out_scale[0]
  float softcap = 0.0f;               // > 0: y = softcap · tanh(y / softcap) (after out_scale)
  bool accumulate = false;            // y += result instead of y = result
};

// Reference: model/ops_ref linear (dequantise_row_ref then a dot product), plus
// model/ops_ref softcap for the LM head. Launch geometry: one warp per output row; one token:
// 4 warps per block, 1–4 rows per warp, x and the row staged in shared memory; more tokens:
// 8 warps per block, lane k decodes chunks k, k+32, … of the row (see quant_gemv.cu).
Status quant_gemv(const GemvParams& p, void* stream);

// Up to kGemvGroupMax projections in one launch (a layer's Q, K and V): each part as quant_gemv
// computes it, its blocks after the previous part's. The parts share the weight type, n_cols and
// n_tokens; their rows, weights, x, y and epilogues may differ.
constexpr int kGemvGroupMax = 3;
Status quant_gemv_group(const GemvParams* parts, int count, void* stream);

}  // namespace coderx::kernels
