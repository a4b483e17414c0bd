// MoE router. Must match model/ops_ref router (spec §2.3 step 10) — expert ids as a valid top-k
// of the probabilities, weights renormalised with the 6.103515625e-5 clamp and multiplied by the
// per-expert scale. Launch geometry: grid = n_tokens, block = 256 threads (8 warps); dynamic
// shared memory holds r (n_embd floats) and p (n_expert floats).
#include <cfloat>

#include "kernels/cuda_util.cuh"
#include "kernels/moe_router.h"

namespace coderx::kernels {

namespace {

constexpr int kThreads = 256;

__device__ float block_max(float v, float* scratch) {
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  v = detail::warp_max(v);
  __syncthreads();
  if (lane == 0) scratch[warp] = v;
  __syncthreads();
  v = lane < static_cast<int>(blockDim.x >> 5) ? scratch[lane] : -FLT_MAX;
  return detail::warp_max(v);
}

// r = RMSNorm(h) · input_mult ⊙ in_scale into shared memory.
__device__ void router_input(const MoeRouterParams& p, const float* h, float* r, float* scratch) {
  float ss = 0.0f;
  for (int i = threadIdx.x; i < p.n_embd; i += blockDim.x) ss += h[i] * h[i];
  ss = detail::block_sum(ss, scratch);
  const float inv = rsqrtf(ss / static_cast<float>(p.n_embd) + p.eps) * p.input_mult;
  for (int i = threadIdx.x; i < p.n_embd; i += blockDim.x) r[i] = h[i] * inv * (p.in_scale ? p.in_scale[i] : 1.0f);
  __syncthreads();
}

// Softmax of the logits held in prob[], in place.
__device__ void softmax(float* prob, int n, float* scratch) {
  float m = -FLT_MAX;
  for (int e = threadIdx.x; e < n; e += blockDim.x) m = fmaxf(m, prob[e]);
  m = block_max(m, scratch);
  float s = 0.0f;
  for (int e = threadIdx.x; e < n; e += blockDim.x) {
    const float v = expf(prob[e] - m);
    prob[e] = v;
    s += v;
  }
  s = detail::block_sum(s, scratch);
  for (int e = threadIdx.x; e < n; e += blockDim.x) prob[e] /= s;
  __syncthreads();
}

// Warp 0: k rounds of arg-max over prob (ties → lower id), taken entries marked -1.
__device__ void top_k(const MoeRouterParams& p, float* prob, std::int64_t token) {
  if (threadIdx.x >= 32) return;
  const int lane = threadIdx.x;
  float picked[kRouterMaxTopK];
  int picked_id[kRouterMaxTopK];
  float sum = 0.0f;
  for (int j = 0; j < p.k; ++j) {
    float best = -2.0f;
    int best_id = 0x7fffffff;
    for (int e = lane; e < p.n_expert; e += 32) {
      if (prob[e] > best) { best = prob[e]; best_id = e; }
    }
    for (int off = 16; off > 0; off >>= 1) {
      const float ov = __shfl_xor_sync(0xffffffffu, best, off);
      const int oi = __shfl_xor_sync(0xffffffffu, best_id, off);
      if (ov > best || (ov == best && oi < best_id)) { best = ov; best_id = oi; }
    }
    if (best_id >= p.n_expert) {  // only when every remaining p is NaN
      best_id = j;
      best = 0.0f;
    }
    __syncwarp();
    if (lane == 0) prob[best_id] = -1.0f;
    __syncwarp();
    picked[j] = best;
    picked_id[j] = best_id;
    sum += best;
  }
  const float denom = fmaxf(sum, 6.103515625e-5f);
  if (lane != 0) return;
  for (int j = 0; j < p.k; ++j) {
    const int e = picked_id[j];
    p.ids[token * p.k + j] = e;
    p.weights[token * p.k + j] = picked[j] / denom * (p.expert_scale ? p.expert_scale[e] : 1.0f);
  }
}

__global__ void router_kernel(MoeRouterParams p) {
  extern __shared__ float smem[];
  __shared__ float scratch[32];
  float* r = smem;
  float* prob = smem + p.n_embd;
  const std::int64_t token = blockIdx.x;
  router_input(p, p.h + token * p.n_embd, r, scratch);
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  for (int e = warp; e < p.n_expert; e += blockDim.x >> 5) {
    const float* we = p.w + static_cast<std::int64_t>(e) * p.n_embd;
    float acc = 0.0f;
    for (int i = lane; i < p.n_embd; i += 32) acc += we[i] * r[i];
    acc = detail::warp_sum(acc);
    if (lane == 0) prob[e] = acc;
  }
  __syncthreads();
  softmax(prob, p.n_expert, scratch);
  if (p.probs) {
    for (int e = threadIdx.x; e < p.n_expert; e += blockDim.x) p.probs[token * p.n_expert + e] = prob[e];
    __syncthreads();
  }
  top_k(p, prob, token);
}

}  // namespace

Status moe_router(const MoeRouterParams& p, void* stream) {
  if (!p.h || !p.w || !p.ids || !p.weights) return invalid("moe_router: h, w, ids and weights are required");
  if (p.n_tokens <= 0 || p.n_embd <= 0) return invalid("moe_router: empty shape");
  if (p.n_expert < 1 || p.n_expert > kRouterMaxExperts) return invalid("moe_router: n_expert out of range");
  if (p.k < 1 || p.k > p.n_expert || p.k > kRouterMaxTopK) return invalid("moe_router: k out of range");
  const std::size_t smem = static_cast<std::size_t>(p.n_embd + p.n_expert) * sizeof(float);
  if (smem > 48 * 1024) return unsupported("moe_router: n_embd + n_expert too large for shared memory");
  router_kernel<<<static_cast<unsigned>(p.n_tokens), kThreads, smem, detail::as_stream(stream)>>>(p);
  return detail::launch_status("moe_router");
}

}  // namespace coderx::kernels
