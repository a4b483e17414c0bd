// Top-k / arg-max over logits. Must agree with a stable descending sort of the reference
// logits (model/ops_ref): same ids, ties broken by the lower id.
// Launch geometry: see logits.h. Each round of block arg-max reduces (value, id) pairs in
// registers, then across the 8 warps through shared memory; the winner is marked taken (NaN).
#include <cmath>

#include "kernels/cuda_util.cuh"
#include "kernels/launch_shape.h"
#include "kernels/logits.h"

namespace coderx::kernels {

namespace {

constexpr int kThreads = 256;

struct Cand {
  float v;
  int i;  // index into the block's candidate array; -1: none
};

__device__ __forceinline__ bool better(Cand a, Cand b) {
  if (a.i < 0) return false;
  if (b.i < 0) return true;
  return a.v > b.v || (a.v == b.v && a.i < b.i);
}

// `key` orders ties (the token id of candidate i); vals[i] NaN means taken or NaN.
__device__ Cand block_argmax(const float* vals, const std::int32_t* key, int n, Cand* scratch) {
  Cand best{0.0f, -1};
  for (int i = threadIdx.x; i < n; i += blockDim.x) {
    const float v = vals[i];
    if (isnan(v)) continue;
    const bool take = best.i < 0 || v > best.v || (v == best.v && key[i] < key[best.i]);
    if (take) best = Cand{v, i};
  }
  // Compare by (value, token id): translate index to token id for the reductions.
  int tok = best.i < 0 ? -1 : key[best.i];
  for (int off = 16; off > 0; off >>= 1) {
    Cand o{__shfl_xor_sync(0xffffffffu, best.v, off), __shfl_xor_sync(0xffffffffu, best.i, off)};
    const int otok = __shfl_xor_sync(0xffffffffu, tok, off);
    if (better(Cand{o.v, o.i < 0 ? -1 : otok}, Cand{best.v, best.i < 0 ? -1 : tok})) {
      best = o;
      tok = otok;
    }
  }
  __syncthreads();
  if ((threadIdx.x & 31) == 0) scratch[threadIdx.x >> 5] = best;
  __syncthreads();
  Cand r{0.0f, -1};
  for (int w = 0; w < static_cast<int>(blockDim.x >> 5); ++w) {
    const Cand c = scratch[w];
    if (c.i < 0) continue;
    if (r.i < 0 || c.v > r.v || (c.v == r.v && key[c.i] < key[r.i])) r = c;
  }
  return r;
}

// k rounds of arg-max over vals[0..n) (in shared memory), writing ids/values.
__device__ void select_k(float* vals, const std::int32_t* key, int n, int k, std::int32_t* ids, float* values) {
  __shared__ Cand scratch[kThreads / 32];
  for (int j = 0; j < k; ++j) {
    const Cand c = block_argmax(vals, key, n, scratch);
    __syncthreads();
    if (threadIdx.x == 0) {
      ids[j] = c.i < 0 ? -1 : key[c.i];
      values[j] = c.i < 0 ? -INFINITY : c.v;
      if (c.i >= 0) vals[c.i] = NAN;
    }
    __syncthreads();
  }
}

__global__ void topk_stage1(TopKParams p, std::int32_t* cand_ids, float* cand_vals, int n_chunks) {
  __shared__ float vals[kTopKChunk];
  __shared__ std::int32_t key[kTopKChunk];
  const std::int64_t begin = static_cast<std::int64_t>(blockIdx.x) * kTopKChunk;
  const int n = static_cast<int>(min(static_cast<std::int64_t>(kTopKChunk), p.n_vocab - begin));
  const float* row = p.logits + static_cast<std::int64_t>(blockIdx.y) * p.n_vocab + begin;
  for (int i = threadIdx.x; i < n; i += blockDim.x) {
    vals[i] = row[i];
    key[i] = static_cast<std::int32_t>(begin + i);
  }
  __syncthreads();
  const std::int64_t out = (static_cast<std::int64_t>(blockIdx.y) * n_chunks + blockIdx.x) * p.k;
  select_k(vals, key, n, p.k, cand_ids + out, cand_vals + out);
}

__global__ void topk_stage2(TopKParams p, const std::int32_t* cand_ids, const float* cand_vals, int n_chunks) {
  CODERX_DYNAMIC_SHARED(float, smem);
  const int n = n_chunks * p.k;
  float* vals = smem;
  auto* key = reinterpret_cast<std::int32_t*>(smem + n);
  const std::int64_t base = static_cast<std::int64_t>(blockIdx.x) * n;
  for (int i = threadIdx.x; i < n; i += blockDim.x) {
    const std::int32_t id = cand_ids[base + i];
    vals[i] = id < 0 ? NAN : cand_vals[base + i];
    key[i] = id < 0 ? 0x7fffffff : id;
  }
  __syncthreads();
  const std::int64_t out = static_cast<std::int64_t>(blockIdx.x) * p.k;
  select_k(vals, key, n, p.k, p.ids + out, p.values + out);
}

}  // namespace

std::size_t top_k_workspace_bytes(int n_tokens, std::int64_t n_vocab, int k) {
  const std::int64_t n_chunks = blocks_for(n_vocab, kTopKChunk);
  return static_cast<std::size_t>(n_tokens) * n_chunks * k * (sizeof(std::int32_t) + sizeof(float));
}

Status top_k(const TopKParams& p, void* stream) {
  if (!p.logits || !p.ids || !p.values || !p.workspace) return invalid("top_k: missing pointer");
  if (p.n_tokens <= 0 || p.n_vocab <= 0) return invalid("top_k: empty shape");
  if (p.k < 1 || p.k > kTopKMax || p.k > p.n_vocab) return invalid("top_k: k must be 1..64 and <= n_vocab");
  const int n_chunks = static_cast<int>(blocks_for(p.n_vocab, kTopKChunk));
  const std::size_t smem2 = static_cast<std::size_t>(n_chunks) * p.k * 8;
  if (smem2 > 48 * 1024) return unsupported("top_k: n_vocab · k too large for the second stage");
  auto* cand_ids = static_cast<std::int32_t*>(p.workspace);
  auto* cand_vals = reinterpret_cast<float*>(cand_ids + static_cast<std::int64_t>(p.n_tokens) * n_chunks * p.k);
  cudaStream_t s = detail::as_stream(stream);
  CODERX_LAUNCH(dim3(n_chunks, p.n_tokens), kThreads, 0, s, topk_stage1)(p, cand_ids, cand_vals, n_chunks);
  if (Status st = detail::launch_status("top_k stage 1"); !st.ok()) return st;
  CODERX_LAUNCH(p.n_tokens, kThreads, smem2, s, topk_stage2)(p, cand_ids, cand_vals, n_chunks);
  return detail::launch_status("top_k stage 2");
}

}  // namespace coderx::kernels
