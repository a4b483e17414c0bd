// RoPE launcher, NEOX pairing (spec §2.4): within each head, element i is paired with
// i + n_dims/2 for i < n_dims/2; theta_i = pos · base^(-2i/n_dims) / freq_factors[i].
// Both Gemma 4 forms: sliding layers (n_dims = head_dim, no factors) and the proportional
// full-layer form (n_dims = head_dim, freq_factors = rope_freqs.weight, 1e30 for the pairs that
// must not rotate). Elements at or past n_dims pass through. In place.
// Called by the CUDA backend. Errors: Status.
#pragma once

#include <cstdint>

#include "kernels/status.h"

namespace coderx::kernels {

struct RopeParams {
  float* x = nullptr;                    // [n_tokens, n_heads, head_dim] f32, rotated in place
  const std::int32_t* positions = nullptr;  // [n_tokens] i32, device
  const float* freq_factors = nullptr;   // [n_dims/2] f32 or null (all 1)
  std::int64_t n_tokens = 0;
  int n_heads = 0;
  int head_dim = 0;
  int n_dims = 0;                        // rotated dims, even, <= head_dim
  float base = 10000.0f;
};

// Reference: model/ops_ref rope_neox. Grid covers n_tokens · n_heads · n_dims/2 pairs, one
// thread per pair, 256 threads per block.
Status rope_neox(const RopeParams& p, void* stream);

}  // namespace coderx::kernels
