// MoE feed-forward for decode (up to 8 tokens), with no sort or align pass (spec §2.3 step 11):
//   act[t][j] = gelu(W_gate[e]·x[t]) ⊙ (W_up[e]·x[t])   for each selected expert e = ids[t][j]
//   y[t] = Σ_j weights[t][j] · (W_down[e]·act[t][j])     (slots summed in top-k order)
// Each block reads only the selected experts' rows. Two launches: gate+up with GeGLU, then
// down with the routing weight applied.
// Called by the CUDA backend. Errors: Status.
#pragma once

#include <cstdint>

#include "kernels/moe_weights.h"
#include "kernels/status.h"

namespace coderx::kernels {

constexpr int kMoeDecodeMaxTokens = 8;

struct MoeDecodeParams {
  MoeExpertWeights w;
  const float* x = nullptr;             // [n_tokens, n_embd] f32, expert input (pre_ffw_norm_2)
  const std::int32_t* ids = nullptr;    // [n_tokens, k] i32 from moe_router
  const float* weights = nullptr;       // [n_tokens, k] f32 from moe_router
  float* act = nullptr;                 // scratch [n_tokens, k, n_ff] f32
  float* y = nullptr;                   // out [n_tokens, n_embd] f32
  int n_tokens = 0;                     // 1 … kMoeDecodeMaxTokens
  int k = 0;                            // experts per token
  int n_embd = 0;
  int n_ff = 0;
  int n_expert = 0;                     // ids outside [0, n_expert) give NaN output
};

// Reference: model/ops_ref expert FFN summed with the routing weights (the moe step of the
// forward pass). Launch geometry: gate/up kernel grid (ceil(n_ff/8), n_tokens·k), 4 warps per
// block, 2 rows per warp, staged in shared memory; down kernel grid ceil(n_embd/8), 8 warps per
// block, one warp per output row (see moe_gemv.cu).
Status moe_decode(const MoeDecodeParams& p, void* stream);

// The first launch of moe_decode alone: act only (weights, y and down are not read). The CUDA
// backend runs the dense MLP's gate, up and GeGLU through it as one expert (ids all 0, stride 0).
Status moe_gate_up(const MoeDecodeParams& p, void* stream);

}  // namespace coderx::kernels
