// The Gemma 4 MoE router in one kernel (spec §2.3 step 10, §7.7):
//   r = RMSNorm(h) · input_mult ⊙ in_scale      (unweighted norm, input_mult = 1/√n_embd)
//   logits = W · r;  p = softmax(logits) over all experts
//   S = the k largest p (ties: lower expert id first)
//   w_e = p_e / max(Σ_{S} p, 6.103515625e-5) · expert_scale[e]
// Called by the CUDA backend once per layer. Errors: Status.
#pragma once

#include <cstdint>

#include "kernels/status.h"

namespace coderx::kernels {

constexpr int kRouterMaxExperts = 1024;
constexpr int kRouterMaxTopK = 32;

struct MoeRouterParams {
  const float* h = nullptr;             // [n_tokens, n_embd] f32: the residual stream
  const float* in_scale = nullptr;      // [n_embd] f32 (ffn_gate_inp.scale) or null
  const float* w = nullptr;             // [n_expert, n_embd] f32 (ffn_gate_inp.weight)
  const float* expert_scale = nullptr;  // [n_expert] f32 (ffn_down_exps.scale) or null
  std::int32_t* ids = nullptr;          // out [n_tokens, k] i32, in descending p order
  float* weights = nullptr;             // out [n_tokens, k] f32
  float* probs = nullptr;               // out [n_tokens, n_expert] f32 softmax, or null
  std::int64_t n_tokens = 0;
  int n_embd = 0;                       // multiple of 32 (vector loads)
  int n_expert = 0;                     // 1 … kRouterMaxExperts
  int k = 0;                            // 1 … min(n_expert, kRouterMaxTopK)
  float eps = 1e-6f;
  float input_mult = 1.0f;              // 1/√n_embd for Gemma 4
};

// Reference: model/ops_ref router. Launch geometry: one block of 256 threads per token; dynamic
// shared memory (n_embd + n_expert) floats; logits one warp per expert; top-k by k rounds of a
// warp arg-max in warp 0.
Status moe_router(const MoeRouterParams& p, void* stream);

}  // namespace coderx::kernels
