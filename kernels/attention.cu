// Attention kernels (decode and prefill share them). Must match model/ops_ref attention
// (spec §2.3 step 6: scale 1.0, causal, sliding window, contiguous GQA) with K and V rounded to
// f16 as stored in the cache; scores, softmax and the V sum are f32.
// Launch geometry:
//   partial: grid (n_splits, n_kv · head_blocks, ceil(n_q / tq)), 256 threads = 8 warps.
//            hpb = min(group, 8) heads of one KV head per block, tq = 8 / hpb queries; warp w
//            owns (query tile·tq + w / hpb, head hb·hpb + w % hpb). Keys of the split (narrowed
//            to what the block's queries can see) are staged 16 at a time in shared memory;
//            each warp runs an online softmax, lane l holding dims l, l+32, … in registers.
//   combine: grid n_q · n_head, 128 threads; merges the splits' (max, sum, acc) triples.
//   kv_append: one thread per element.
#include <cuda_fp16.h>

#include <climits>
#include <cmath>

#include "kernels/attention.h"
#include "kernels/cuda_util.cuh"
#include "kernels/launch_shape.h"
#include "kernels/split_k.h"

namespace coderx::kernels {

namespace {

constexpr int kWarps = kAttnWarps;

struct Geometry {
  KeyRange keys;
  SplitPlan plan;
  AttentionBlocks b;
};

struct Item {
  bool active;
  int token;
  int head;
  int g;
};

__device__ Item block_item(const AttentionParams& p, const Geometry& geo) {
  const int warp = threadIdx.x >> 5;
  const int group = p.n_head / p.n_kv;
  Item it;
  it.g = blockIdx.y / geo.b.head_blocks;
  const int hb = blockIdx.y % geo.b.head_blocks;
  it.token = blockIdx.z * geo.b.tq + warp / geo.b.hpb;
  it.head = it.g * group + hb * geo.b.hpb + warp % geo.b.hpb;
  it.active = warp < geo.b.tq * geo.b.hpb && it.token < p.n_q;
  return it;
}

// Stages keys [t0, t0 + n) of KV head g into shared memory (f16, slot = position % n_slots).
template <int EPL>
__device__ void load_tile(const AttentionParams& p, int g, std::int64_t t0, int n, __half* ks, __half* vs) {
  constexpr int hd = 32 * EPL;
  const auto* k = static_cast<const __half*>(p.k_cache);
  const auto* v = static_cast<const __half*>(p.v_cache);
  for (int idx = threadIdx.x; idx < n * hd; idx += blockDim.x) {
    const int j = idx / hd, d = idx % hd;
    const std::int64_t slot = (t0 + j) % p.n_slots;
    const std::int64_t off = (slot * p.n_kv + g) * hd + d;
    ks[idx] = k[off];
    vs[idx] = v[off];
  }
}

template <int EPL>
__global__ void __launch_bounds__(kWarps * 32) attn_partial_kernel(AttentionParams p, Geometry geo) {
  constexpr int hd = 32 * EPL;
  __shared__ __half ks[kAttnKeyTile * hd];
  __shared__ __half vs[kAttnKeyTile * hd];
  __shared__ int span_min, span_max;
  const int lane = threadIdx.x & 31;
  const Item it = block_item(p, geo);
  const int pq = it.active ? p.q_pos[it.token] : 0;
  if (threadIdx.x == 0) {
    span_min = INT_MAX;
    span_max = INT_MIN;
  }
  __syncthreads();
  if (it.active && lane == 0) {
    atomicMin(&span_min, pq);
    atomicMax(&span_max, pq);
  }
  __syncthreads();
  const std::int64_t split_begin = geo.keys.begin + blockIdx.x * geo.plan.chunk;
  const std::int64_t split_end = min(geo.keys.end, split_begin + geo.plan.chunk);
  const std::int64_t lo = max(split_begin, p.window > 0 ? static_cast<std::int64_t>(span_min) - p.window + 1 : 0);
  const std::int64_t hi = min(split_end, static_cast<std::int64_t>(span_max) + 1);

  float q[EPL], acc[EPL];
  const float* qh = p.q + (static_cast<std::int64_t>(it.token) * p.n_head + it.head) * hd;
#pragma unroll
  for (int c = 0; c < EPL; ++c) {
    q[c] = it.active ? qh[lane + 32 * c] : 0.0f;
    acc[c] = 0.0f;
  }
  float m = -INFINITY, l = 0.0f;
  for (std::int64_t t0 = lo; t0 < hi; t0 += kAttnKeyTile) {
    const int n = static_cast<int>(min(static_cast<std::int64_t>(kAttnKeyTile), hi - t0));
    load_tile<EPL>(p, it.g, t0, n, ks, vs);
    __syncthreads();
    for (int j = 0; it.active && j < n; ++j) {
      const std::int64_t pos = t0 + j;
      if (pos > pq || (p.window > 0 && pq - pos >= p.window)) continue;
      float s = 0.0f;
#pragma unroll
      for (int c = 0; c < EPL; ++c) s += q[c] * __half2float(ks[j * hd + lane + 32 * c]);
      s = detail::warp_sum(s) * p.scale;
      const float m_new = fmaxf(m, s);
      const float corr = expf(m - m_new), e = expf(s - m_new);
      l = l * corr + e;
#pragma unroll
      for (int c = 0; c < EPL; ++c) acc[c] = acc[c] * corr + e * __half2float(vs[j * hd + lane + 32 * c]);
      m = m_new;
    }
    __syncthreads();
  }
  if (!it.active) return;
  float* out = p.workspace +
               ((static_cast<std::int64_t>(it.token) * p.n_head + it.head) * geo.plan.n_splits + blockIdx.x) * (hd + 2);
  if (lane == 0) {
    out[0] = m;
    out[1] = l;
  }
#pragma unroll
  for (int c = 0; c < EPL; ++c) out[2 + lane + 32 * c] = acc[c];
}

__global__ void attn_combine_kernel(AttentionParams p, int n_splits) {
  const std::int64_t item = blockIdx.x;  // token · n_head + head
  const int hd = p.head_dim;
  const float* part = p.workspace + item * n_splits * (hd + 2);
  float m_all = -INFINITY;
  for (int s = 0; s < n_splits; ++s) m_all = fmaxf(m_all, part[s * (hd + 2)]);
  float l_all = 0.0f;
  for (int s = 0; s < n_splits; ++s) {
    const float ms = part[s * (hd + 2)];
    if (ms != -INFINITY) l_all += expf(ms - m_all) * part[s * (hd + 2) + 1];
  }
  for (int d = threadIdx.x; d < hd; d += blockDim.x) {
    float v = 0.0f;
    for (int s = 0; s < n_splits; ++s) {
      const float ms = part[s * (hd + 2)];
      if (ms != -INFINITY) v += expf(ms - m_all) * part[s * (hd + 2) + 2 + d];
    }
    p.out[item * hd + d] = l_all > 0.0f ? v / l_all : 0.0f;
  }
}

int sm_count() {
  int dev = 0, n = 0;
  if (cudaGetDevice(&dev) != cudaSuccess) return 1;
  if (cudaDeviceGetAttribute(&n, cudaDevAttrMultiProcessorCount, dev) != cudaSuccess) return 1;
  return n;
}

Status check(const AttentionParams& p) {
  if (!p.q || !p.k_cache || !p.v_cache || !p.q_pos || !p.out || !p.workspace)
    return invalid("attention: missing pointer");
  if (p.n_q <= 0 || p.n_head <= 0 || p.n_kv <= 0 || p.n_head % p.n_kv != 0)
    return invalid("attention: n_head must be a positive multiple of n_kv");
  if (!attention_group_supported(p.n_head, p.n_kv))
    return unsupported("attention: GQA group must divide 8 or be a multiple of 8");
  if (p.head_dim != 64 && p.head_dim != 128 && p.head_dim != 256 && p.head_dim != 512)
    return unsupported("attention: head_dim must be 64, 128, 256 or 512");
  if (p.max_splits < 1 || p.max_splits > kAttnMaxSplits) return invalid("attention: max_splits out of range");
  if (p.pos_min < 0 || p.pos_max < p.pos_min || p.pos_max >= INT_MAX) return invalid("attention: bad position range");
  const KeyRange keys = key_range(p.pos_min, p.pos_max, p.window);
  if (keys.size() > p.n_slots) return invalid("attention: visible keys exceed the cache ring (n_slots too small)");
  return Status::success();
}

}  // namespace

std::size_t attention_workspace_floats(int n_q, int n_head, int head_dim, int max_splits) {
  return static_cast<std::size_t>(n_q) * n_head * max_splits * (head_dim + 2);
}

Status attention(const AttentionParams& p, void* stream) {
  if (Status st = check(p); !st.ok()) return st;
  Geometry geo;
  geo.b = attention_blocks(p.n_q, p.n_head, p.n_kv);
  geo.keys = key_range(p.pos_min, p.pos_max, p.window);
  const std::int64_t base_blocks = static_cast<std::int64_t>(p.n_kv) * geo.b.head_blocks * geo.b.q_tiles;
  geo.plan = plan_splits(geo.keys.size(), base_blocks, sm_count(), p.n_splits, 256, p.max_splits);
  cudaStream_t s = detail::as_stream(stream);
  const dim3 grid(geo.plan.n_splits, p.n_kv * geo.b.head_blocks, geo.b.q_tiles);
  switch (p.head_dim) {
    case 64: attn_partial_kernel<2><<<grid, kWarps * 32, 0, s>>>(p, geo); break;
    case 128: attn_partial_kernel<4><<<grid, kWarps * 32, 0, s>>>(p, geo); break;
    case 256: attn_partial_kernel<8><<<grid, kWarps * 32, 0, s>>>(p, geo); break;
    default: attn_partial_kernel<16><<<grid, kWarps * 32, 0, s>>>(p, geo); break;
  }
  if (Status st = detail::launch_status("attention partial"); !st.ok()) return st;
  attn_combine_kernel<<<static_cast<unsigned>(p.n_q * p.n_head), 128, 0, s>>>(p, geo.plan.n_splits);
  return detail::launch_status("attention combine");
}

namespace {

__global__ void kv_append_kernel(KvAppendParams p) {
  const std::int64_t row = static_cast<std::int64_t>(p.n_kv) * p.head_dim;
  const std::int64_t idx = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (idx >= p.n_new * row) return;
  const std::int64_t i = idx / row, rest = idx % row;
  const std::int64_t dst = (p.pos[i] % p.n_slots) * row + rest;
  static_cast<__half*>(p.k_cache)[dst] = __float2half_rn(p.k[idx]);
  static_cast<__half*>(p.v_cache)[dst] = __float2half_rn(p.v[idx]);
}

}  // namespace

Status kv_append(const KvAppendParams& p, void* stream) {
  if (!p.k || !p.v || !p.k_cache || !p.v_cache || !p.pos) return invalid("kv_append: missing pointer");
  if (p.n_new <= 0 || p.n_kv <= 0 || p.head_dim <= 0 || p.n_slots <= 0) return invalid("kv_append: empty shape");
  const std::int64_t total = static_cast<std::int64_t>(p.n_new) * p.n_kv * p.head_dim;
  kv_append_kernel<<<static_cast<unsigned>(blocks_for(total, 256)), 256, 0, detail::as_stream(stream)>>>(p);
  return detail::launch_status("kv_append");
}

}  // namespace coderx::kernels
