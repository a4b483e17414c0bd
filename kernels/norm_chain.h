// The chains of RMSNorms around a layer's feed-forward part, each in one launch (spec §2.3):
//   after attention (steps 8, 9, 11):
//     h = residual + RMSNorm(att; post_norm)
//     dense_in = RMSNorm(h; dense_norm)       (ffn_norm: the dense MLP's input)
//     expert_in = RMSNorm(h; expert_norm)     (pre_ffw_norm_2: the experts' input)
//   after the feed-forward part (steps 12–13), and the next layer's first norm (step 1):
//     x = (h + RMSNorm(RMSNorm(dense; dense_norm) + RMSNorm(moe; moe_norm); out_norm)) · out_scale
//     next_in = RMSNorm(x; next_norm)         (optional: the next layer's attn_norm)
// Replace three and four rms_norm launches. Null norm weights mean unweighted.
// Called by the CUDA backend. Errors: Status.
#pragma once

#include <cstdint>

#include "kernels/status.h"

namespace coderx::kernels {

struct PostAttentionNormParams {
  const float* att = nullptr;          // [rows, n] f32: the attention output projection
  const float* post_norm = nullptr;    // [n] post_attention_norm
  const float* residual = nullptr;     // [rows, n] f32: the layer input x
  float* h = nullptr;                  // [rows, n] f32 out (may alias residual)
  const float* dense_norm = nullptr;   // [n] ffn_norm
  float* dense_in = nullptr;           // [rows, n] f32 out
  const float* expert_norm = nullptr;  // [n] pre_ffw_norm_2
  float* expert_in = nullptr;          // [rows, n] f32 out
  std::int64_t rows = 0;
  std::int64_t n = 0;
  float eps = 1e-6f;
};

struct FfnOutputNormParams {
  const float* dense = nullptr;        // [rows, n] f32: the dense MLP's output
  const float* dense_norm = nullptr;   // [n] post_ffw_norm_1
  const float* moe = nullptr;          // [rows, n] f32: the experts' output
  const float* moe_norm = nullptr;     // [n] post_ffw_norm_2
  const float* out_norm = nullptr;     // [n] post_ffw_norm
  const float* h = nullptr;            // [rows, n] f32: the residual after attention
  const float* out_scale = nullptr;    // [1] f32 device (layer_output_scale) or null
  float* x = nullptr;                  // [rows, n] f32 out: the layer output (may alias h)
  const float* next_norm = nullptr;    // [n] the next layer's attn_norm, with next_in
  float* next_in = nullptr;            // [rows, n] f32 out or null: RMSNorm(x; next_norm)
  std::int64_t rows = 0;
  std::int64_t n = 0;
  float eps = 1e-6f;
};

constexpr std::int64_t kNormChainMaxN = 8192;  // a row lives in shared memory

// Reference: model/ops_ref rms_norm chained as model/forward.cpp does. Launch geometry: one block
// of 256 threads per row, the row's intermediate in shared memory (n floats).
Status post_attention_norm(const PostAttentionNormParams& p, void* stream);
Status ffn_output_norm(const FfnOutputNormParams& p, void* stream);

}  // namespace coderx::kernels
