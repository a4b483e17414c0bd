// The per-head work between a layer's Q/K/V projections and attention, in one launch (spec §2.3
// steps 3–4, §2.4):
//   q = RoPE(RMSNorm(q; q_norm))    k = RoPE(RMSNorm(k; k_norm))    v = RMSNorm(v)  (unweighted)
// On K = V layers (no attn_v) v is the unweighted norm of the raw K projection: pass v_src = k.
// Optionally the new K/V rows go straight into their sequence's f16 cache ring at slot
// position % n_slots (what kv_append does): one sequence, or one per token of a decode batch, so a
// decode step needs no separate append.
// Replaces, for the backend, two RoPE launches, four norm launches, a copy and kv_append.
// Called by the CUDA backend. Errors: Status.
#pragma once

#include <cstdint>

#include "kernels/status.h"

namespace coderx::kernels {

// One sequence's f16 cache ring of a layer: [n_slots, n_kv, head_dim] for K and for V.
struct KvTarget {
  void* k = nullptr;
  void* v = nullptr;
  std::int64_t n_slots = 0;
};

constexpr int kHeadPrepMaxDim = 2048;
constexpr int kHeadPrepMaxTokenCaches = 8;  // a decode batch

struct HeadPrepParams {
  float* q = nullptr;                       // [n_tokens, n_head, head_dim] f32, in place
  float* k = nullptr;                       // [n_tokens, n_kv, head_dim] f32, in place
  const float* v_src = nullptr;             // [n_tokens, n_kv, head_dim] raw V (may equal v), or k
  float* v = nullptr;                       // [n_tokens, n_kv, head_dim] f32: RMSNorm(v_src)
  const float* q_norm = nullptr;            // [head_dim] f32 or null (unweighted)
  const float* k_norm = nullptr;            // [head_dim] f32 or null
  const std::int32_t* positions = nullptr;  // [n_tokens] i32, device
  const float* freq_factors = nullptr;      // [n_dims/2] f32 or null (all 1)
  std::int64_t n_tokens = 0;
  int n_head = 0;
  int n_kv = 0;
  int head_dim = 0;                         // even, at most kHeadPrepMaxDim
  int n_dims = 0;                           // rotated dims, even, <= head_dim
  float base = 10000.0f;
  float eps = 1e-6f;
  // Where the new K/V rows go: cache[0] for every token, or with per_token_cache (at most
  // kHeadPrepMaxTokenCaches tokens, one sequence's cache per token) cache[t] for token t.
  // cache[0].k == nullptr: no append.
  KvTarget cache[kHeadPrepMaxTokenCaches];
  bool per_token_cache = false;
};

// Reference: model/ops_ref rms_norm and rope, then KvCache::store. Launch geometry: one block
// per (token, head) row, Q heads first then KV heads: grid n_tokens · (n_head + n_kv), block
// min(256, head_dim / 2) threads rounded up to a warp, the row in shared memory.
Status head_prep(const HeadPrepParams& p, void* stream);

}  // namespace coderx::kernels
