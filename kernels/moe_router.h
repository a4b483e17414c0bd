// The Gemma 4 MoE router (spec §2.3 step 10, §7.7):
//   r = RMSNorm(h) · input_mult ⊙ in_scale      (unweighted norm, input_mult = 1/√n_embd)
//   logits = W · r;  p = softmax(logits) over all experts
//   S = the k largest p (ties: lower expert id first)
//   w_e = p_e / max(Σ_{S} p, 6.103515625e-5) · expert_scale[e]
// Called by the CUDA backend once per layer. Errors: Status.
#pragma once

#include <cstddef>
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
  // Device scratch of moe_router_workspace_bytes(n', n_expert) bytes for some n' >= n_tokens,
  // zero-filled once when allocated (each launch leaves it ready for the next; launches that
  // share one workspace must not run concurrently).
  void* workspace = nullptr;
  std::int64_t n_tokens = 0;
  int n_embd = 0;    // multiple of 32; h, w and in_scale 16-byte aligned
  int n_expert = 0;  // 1 … kRouterMaxExperts
  int k = 0;         // 1 … min(n_expert, kRouterMaxTopK)
  float eps = 1e-6f;
  float input_mult = 1.0f;  // 1/√n_embd for Gemma 4
};

// Bytes of MoeRouterParams::workspace for batches of up to n_tokens tokens.
std::size_t moe_router_workspace_bytes(std::int64_t n_tokens, int n_expert);

// Reference: model/moe.h (router input, route_experts) and tests/kernels/reference_ops.h
// router_probs_ref; selections may differ from them only at (near-)ties. n_embd is cut into
// `splits` parts: part[s][t][e] = Σ_{i in s} W[e][i]·(h[t][i]·in_scale[i]), ss[s][t] = Σ_{i in s}
// h[t][i]² (workspace); the selection takes logit = Σ_s part · rsqrt(Σ_s ss / n_embd + eps) ·
// input_mult, then softmax and top-k, one warp per token.
// Launch geometry: n_tokens <= 8: one launch, grid (ceil(n_expert/8), splits) × 256 threads,
// one warp per expert over all tokens; the last block to finish selects (one warp per token).
// Larger batches: a tiled f32 GEMM, grid (ceil(n_tokens/BM), ceil(n_expert/64), splits) × 256
// threads (BM = 64, or 128 from 2048 tokens), then grid ceil(n_tokens/4) × 128 threads to select.
Status moe_router(const MoeRouterParams& p, void* stream);

}  // namespace coderx::kernels
