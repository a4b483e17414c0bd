// Fused per-head norm, NEOX RoPE and cache append. Must match model/ops_ref rms_norm (s = Σx²/n,
// y = x / sqrt(s + eps) · w), rope (rope_angles) and the f16 rounding of kv_append.
// Launch geometry: block b is row b of the n_tokens · (n_head + n_kv) head rows (token-major,
// Q heads then KV heads); its threads stride over the row. A KV row block also normalises the
// matching V row. Every row is read into shared memory before any output is written, so v_src
// may be k (K = V layers) or v (in place).
#include <cuda_fp16.h>

#include <cmath>

#include "kernels/cuda_util.cuh"
#include "kernels/head_prep.h"

namespace coderx::kernels {

namespace {

// The RoPE angle of one pair as model/ops_ref rope_angles computes it, so that GPU and CPU round
// alike even at position 30,000: theta = pos, multiplied in f32 by theta_scale = base^(-2/n_dims)
// once per pair index, then divided by the pair's frequency factor (spec §2.4, §7.13).
__device__ __forceinline__ float rope_theta(std::int32_t pos, int pair, float theta_scale, const float* freq_factors) {
  float theta = static_cast<float>(pos);
  for (int k = 0; k < pair; ++k) theta *= theta_scale;
  if (freq_factors) theta /= freq_factors[pair];
  return theta;
}

// row[i] · rsqrt(Σ row² / n + eps) · w[i] over the block; row in shared memory, normalised in
// place (each thread its own elements), then a barrier.
__device__ void normalise(float* row, int n, const float* w, float eps, float* scratch) {
  float ss = 0.0f;
  for (int i = threadIdx.x; i < n; i += blockDim.x) ss += row[i] * row[i];
  const float inv = detail::block_inv_rms(ss, n, eps, scratch);
  for (int i = threadIdx.x; i < n; i += blockDim.x) {
    float v = row[i] * inv;
    if (w) v *= w[i];
    row[i] = v;
  }
  __syncthreads();
}

// out = RoPE(row) (pairs i, i + n_dims/2 for i < n_dims/2; the rest passes through), and the
// same values rounded to f16 into cache when it is not null.
__device__ void rotate(const float* row, const HeadPrepParams& p, std::int32_t pos, float theta_scale, float* out,
                       __half* cache) {
  const int half = p.n_dims / 2;
  for (int i = threadIdx.x; i < p.head_dim; i += blockDim.x) {
    if (i >= p.n_dims) {
      out[i] = row[i];
      if (cache) cache[i] = __float2half_rn(row[i]);
    } else if (i < half) {
      float s, c;
      sincosf(rope_theta(pos, i, theta_scale, p.freq_factors), &s, &c);
      const float a = row[i], b = row[i + half];
      const float lo = a * c - b * s, hi = a * s + b * c;
      out[i] = lo;
      out[i + half] = hi;
      if (cache) {
        cache[i] = __float2half_rn(lo);
        cache[i + half] = __float2half_rn(hi);
      }
    }
  }
}

__global__ void head_prep_kernel(HeadPrepParams p, float theta_scale) {
  CODERX_DYNAMIC_SHARED(float, smem);  // the row, then (KV rows) the V row
  __shared__ float scratch[32];
  const int heads = p.n_head + p.n_kv, hd = p.head_dim;
  const std::int64_t token = blockIdx.x / heads;
  const int j = static_cast<int>(blockIdx.x % heads);
  const bool is_q = j < p.n_head;
  const int h = is_q ? j : j - p.n_head;
  const std::int64_t at = (token * (is_q ? p.n_head : p.n_kv) + h) * hd;
  float* x = (is_q ? p.q : p.k) + at;
  float* row = smem;
  float* vrow = smem + hd;
  for (int i = threadIdx.x; i < hd; i += blockDim.x) {
    row[i] = x[i];
    if (!is_q) vrow[i] = p.v_src[at + i];
  }
  __syncthreads();
  const std::int32_t pos = p.positions[token];
  const KvTarget& target = p.cache[p.per_token_cache ? token : 0];
  const std::int64_t slot_at = target.k ? ((pos % target.n_slots) * p.n_kv + h) * hd : 0;
  if (!is_q) {
    normalise(vrow, hd, nullptr, p.eps, scratch);
    __half* vc = target.k ? static_cast<__half*>(target.v) + slot_at : nullptr;
    for (int i = threadIdx.x; i < hd; i += blockDim.x) {
      p.v[at + i] = vrow[i];
      if (vc) vc[i] = __float2half_rn(vrow[i]);
    }
  }
  normalise(row, hd, is_q ? p.q_norm : p.k_norm, p.eps, scratch);
  __half* kc = !is_q && target.k ? static_cast<__half*>(target.k) + slot_at : nullptr;
  rotate(row, p, pos, theta_scale, x, kc);
}

Status check(const HeadPrepParams& p) {
  if (!p.q || !p.k || !p.v_src || !p.v || !p.positions) return invalid("head_prep: q, k, v_src, v and positions are required");
  if (p.n_tokens <= 0 || p.n_head <= 0 || p.n_kv <= 0) return invalid("head_prep: empty shape");
  if (p.head_dim <= 0 || p.head_dim % 2 != 0 || p.head_dim > kHeadPrepMaxDim)
    return invalid("head_prep: head_dim must be even and at most 2048");
  if (p.n_dims <= 0 || p.n_dims % 2 != 0 || p.n_dims > p.head_dim)
    return invalid("head_prep: n_dims must be even and within head_dim");
  if (p.per_token_cache && p.n_tokens > kHeadPrepMaxTokenCaches) return invalid("head_prep: per-token caches for at most 8 tokens");
  const std::int64_t targets = p.per_token_cache ? p.n_tokens : 1;
  for (std::int64_t t = 0; t < targets; ++t) {
    const KvTarget& c = p.cache[t];
    if ((c.k == nullptr) != (c.v == nullptr)) return invalid("head_prep: a cache's K and V go together");
    if (c.k && c.n_slots <= 0) return invalid("head_prep: n_slots must be positive");
    if ((c.k == nullptr) != (p.cache[0].k == nullptr)) return invalid("head_prep: every token appends, or none");
  }
  if (p.n_tokens * (p.n_head + p.n_kv) > 0x7fffffff) return invalid("head_prep: too many rows");
  return Status::success();
}

}  // namespace

Status head_prep(const HeadPrepParams& p, void* stream) {
  if (Status st = check(p); !st.ok()) return st;
  const float theta_scale = std::pow(p.base, -2.0f / static_cast<float>(p.n_dims));
  const int threads = std::min(256, (p.head_dim / 2 + 31) / 32 * 32);
  const auto grid = static_cast<unsigned>(p.n_tokens * (p.n_head + p.n_kv));
  const std::size_t smem = 2 * static_cast<std::size_t>(p.head_dim) * sizeof(float);
  CODERX_LAUNCH(grid, threads, smem, detail::as_stream(stream), head_prep_kernel)(p, theta_scale);
  return detail::launch_status("head_prep");
}

}  // namespace coderx::kernels
