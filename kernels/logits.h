// Sampling-side reductions over the LM head output (spec §2.5): the softcap
// 30·tanh(x/30) is fused into the LM-head GEMV (GemvParams::softcap); this file finds the
// greedy token (k = 1) or the k best candidates for top-k / top-p sampling.
// Order: larger value first; equal values → lower token id first. NaN logits are never chosen.
// Called by the CUDA backend after the LM head. Errors: Status.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/status.h"

namespace coderx::kernels {

constexpr int kTopKMax = 64;
constexpr int kTopKChunk = 4096;  // vocabulary entries per first-stage block

struct TopKParams {
  const float* logits = nullptr;  // [n_tokens, n_vocab] f32 (already soft-capped)
  std::int32_t* ids = nullptr;    // out [n_tokens, k] i32 (-1 where fewer than k non-NaN values)
  float* values = nullptr;        // out [n_tokens, k] f32
  void* workspace = nullptr;      // top_k_workspace_bytes(...) bytes, device
  int n_tokens = 0;
  std::int64_t n_vocab = 0;
  int k = 1;                      // 1 … kTopKMax
};

std::size_t top_k_workspace_bytes(int n_tokens, std::int64_t n_vocab, int k);

// Reference: model/ops_ref softcap + a stable descending sort of the logits. Launch geometry:
// stage 1 grid (ceil(n_vocab / 4096), n_tokens), 256 threads, chunk in shared memory, k rounds
// of block arg-max; stage 2 grid n_tokens, 256 threads, the same over the stage-1 candidates.
Status top_k(const TopKParams& p, void* stream);

}  // namespace coderx::kernels
