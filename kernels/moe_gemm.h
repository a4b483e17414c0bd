// MoE feed-forward for prefill (many tokens): tokens grouped by expert on the device, a grouped
// GEMM per projection that dequantises the expert weights in registers and runs on tensor cores
// (split bf16: hi·hi + hi·lo + lo·hi, f32 accumulate), then the weighted un-permute (spec §2.3
// step 11):
//   1. group:   counts, offsets, permutation and inverse of the (token, slot) entries by expert
//               (exactly kernels::group_by_expert_chunked of moe_routing.h)
//   2. gate_up: act[pos] = gelu(W_gate[e]·x[tok]) ⊙ (W_up[e]·x[tok]) for every grouped entry
//   3. down:    y_perm[pos] = W_down[e]·act[pos] · down_scale[e]
//   4. combine: y[t] = Σ_j weights[t][j] · y_perm[inv[t·k + j]]   (slots in top-k order)
// Called by the CUDA backend for batches larger than moe_gemv handles. Errors: Status.
#pragma once

#include <cstdint>

#include "kernels/moe_weights.h"
#include "kernels/status.h"

namespace coderx::kernels {

struct MoePrefillParams {
  MoeExpertWeights w;
  const float* x = nullptr;           // [n_tokens, n_embd] f32, expert input, 16-byte aligned
  const std::int32_t* ids = nullptr;  // [n_tokens, k] i32 in [0, n_expert); others give NaN rows
  const float* weights = nullptr;     // [n_tokens, k] f32
  float* y = nullptr;                 // out [n_tokens, n_embd] f32
  void* workspace = nullptr;          // moe_prefill_workspace(...).total bytes, device
  std::int64_t n_tokens = 0;
  int k = 0;
  int n_embd = 0;                     // multiple of 32
  int n_ff = 0;                       // multiple of 32
  int n_expert = 0;                   // 1 … 1024
};

// Reference: model/ops_ref expert FFN + weighted sum (same as moe_decode). Launch geometry:
// group = 3 kernels (count: one block per 256 entries; scan: one block; scatter: one block per
// 256 entries); gate_up grid (n_ff/32, max tiles), down grid (n_embd/64, max tiles), 128 threads
// (4 warps × 32 × 32 of a 64 × 64 tile), bf16 16×16×16 fragments; combine grid n_tokens.
Status moe_prefill(const MoePrefillParams& p, void* stream);

}  // namespace coderx::kernels
