// MoE prefill: device-side grouping, grouped GEMM with in-register dequantisation on tensor
// cores, weighted un-permute. Must match model/ops_ref's expert FFN within split-bf16 rounding:
// each GEMM operand is held as bf16 hi + lo (16 significant bits), the products hi·hi, hi·lo and
// lo·hi are summed in f32 (about 2^-16 relative; TF32's 11 bits took most of the end-to-end
// tests' error budget). The grouping must equal kernels::group_by_expert_chunked exactly.
// Launch geometry (constants below): grouping chunks of kMoeGroupChunk entries; GEMM tiles of
// kMoeTileM = 64 rows × 64 weight rows (gate_up: 32 gate + 32 up rows → 32 outputs), K step 64
// (two decoded chunks per weight row, one per thread), 4 warps each owning 32 × 32 of the
// tile as 2 × 2 bf16 16×16×16 fragments.
#include <cuda_bf16.h>
#include <mma.h>

#include <cmath>

#include "kernels/cuda_util.cuh"
#include "kernels/decode.cuh"
#include "kernels/hi_lo.cuh"
#include "kernels/launch_shape.h"
#include "kernels/moe_gemm.h"
#include "kernels/moe_routing.h"

namespace coderx::kernels {

namespace {

using namespace nvcuda;

constexpr int kThreads = 128;  // 4 warps, 2 × 2 over the 64 × 64 tile
constexpr int kStepK = 64;     // K columns per step: two decoded chunks per weight row
constexpr int kLdh = kStepK + 8;  // smem row pitch (bf16) of the K tiles: 144 bytes, rows 4 banks apart
constexpr int kLdc = 68;       // smem row pitch (floats) of the 64-wide output tile

struct Workspace {
  std::int32_t* chunk_counts;
  std::int32_t* chunk_base;
  std::int32_t* counts;
  std::int32_t* offsets;
  std::int32_t* perm;
  std::int32_t* inv;
  ExpertTile* tiles;
  std::int32_t* n_tiles;
  float* act;
  float* y_perm;
};

Workspace carve(void* base, const MoePrefillWorkspace& l) {
  auto* b = static_cast<char*>(base);
  return {reinterpret_cast<std::int32_t*>(b + l.chunk_counts), reinterpret_cast<std::int32_t*>(b + l.chunk_base),
          reinterpret_cast<std::int32_t*>(b + l.counts),       reinterpret_cast<std::int32_t*>(b + l.offsets),
          reinterpret_cast<std::int32_t*>(b + l.perm),         reinterpret_cast<std::int32_t*>(b + l.inv),
          reinterpret_cast<ExpertTile*>(b + l.tiles),          reinterpret_cast<std::int32_t*>(b + l.n_tiles),
          reinterpret_cast<float*>(b + l.act),                 reinterpret_cast<float*>(b + l.y_perm)};
}

// --- grouping ----------------------------------------------------------------------------

__global__ void count_kernel(const std::int32_t* ids, int entries, int n_expert, std::int32_t* chunk_counts) {
  CODERX_DYNAMIC_SHARED(std::int32_t, hist);
  for (int e = threadIdx.x; e < n_expert; e += blockDim.x) hist[e] = 0;
  __syncthreads();
  const int i = blockIdx.x * kMoeGroupChunk + threadIdx.x;
  // Ids outside [0, n_expert) are left out of every group; combine turns them into NaN.
  if (i < entries && static_cast<unsigned>(ids[i]) < static_cast<unsigned>(n_expert)) atomicAdd(&hist[ids[i]], 1);
  __syncthreads();
  for (int e = threadIdx.x; e < n_expert; e += blockDim.x) chunk_counts[blockIdx.x * n_expert + e] = hist[e];
}

// One block: per-expert running sums over chunks, offsets, bases, and the tile list.
__global__ void scan_kernel(Workspace w, int n_chunks, int n_expert) {
  for (int e = threadIdx.x; e < n_expert; e += blockDim.x) {
    std::int32_t run = 0;
    for (int c = 0; c < n_chunks; ++c) {
      w.chunk_base[c * n_expert + e] = run;
      run += w.chunk_counts[c * n_expert + e];
    }
    w.counts[e] = run;
  }
  __syncthreads();
  if (threadIdx.x == 0) {
    std::int32_t off = 0, n_tiles = 0;
    for (int e = 0; e < n_expert; ++e) {
      w.offsets[e] = off;
      for (std::int32_t r = 0; r < w.counts[e]; r += kMoeTileM) w.tiles[n_tiles++] = ExpertTile{e, r};
      off += w.counts[e];
    }
    w.offsets[n_expert] = off;
    *w.n_tiles = n_tiles;
  }
  __syncthreads();
  for (int e = threadIdx.x; e < n_expert; e += blockDim.x) {
    for (int c = 0; c < n_chunks; ++c) w.chunk_base[c * n_expert + e] += w.offsets[e];
  }
}

__global__ void scatter_kernel(const std::int32_t* ids, int entries, int n_expert, Workspace w) {
  __shared__ std::int32_t chunk_ids[kMoeGroupChunk];
  const int i = blockIdx.x * kMoeGroupChunk + threadIdx.x;
  chunk_ids[threadIdx.x] = i < entries ? ids[i] : -1;
  __syncthreads();
  if (i >= entries) return;
  const std::int32_t e = chunk_ids[threadIdx.x];
  if (static_cast<unsigned>(e) >= static_cast<unsigned>(n_expert)) {
    w.inv[i] = -1;
    return;
  }
  std::int32_t rank = 0;
  for (int j = 0; j < static_cast<int>(threadIdx.x); ++j) rank += chunk_ids[j] == e;
  const std::int32_t pos = w.chunk_base[blockIdx.x * n_expert + e] + rank;
  w.perm[pos] = i;
  w.inv[i] = pos;
}

// --- grouped GEMM ------------------------------------------------------------------------

struct GemmArgs {
  const float* a;             // rows of A: kGlu ? x[perm[pos] / k] : a[pos]; row length n_k
  const std::int32_t* perm;   // gather (gate_up) or null (down)
  int k_route;                // k for perm → token
  const void* w0;             // kGlu: gate, else down
  const void* w1;             // kGlu: up
  std::int64_t expert_stride;
  std::int64_t row_bytes;
  const float* scale0;        // per-expert output scale of w0 (gate / down) or null
  const float* scale1;        // up scale or null
  float* out;                 // [entries, n_out]
  int n_k;                    // reduction length (n_embd or n_ff)
  int n_out;                  // output columns (n_ff or n_embd)
  Workspace ws;               // by value: kernel parameters, nothing to copy (graph-safe)
};

using bf16 = __nv_bfloat16;

// Shared tiles of one K step: A (64 entries) and B (64 weight rows) × kStepK, each as bf16 hi and
// lo parts; the f32 output tile reuses the same memory after the last step.
union __align__(32) GemmSmem {
  struct {
    bf16 a_hi[kMoeTileM * kLdh], a_lo[kMoeTileM * kLdh];
    bf16 b_hi[64 * kLdh], b_lo[64 * kLdh];
  } in;
  float c[kMoeTileM * kLdc];
};

// v (32 floats) as bf16 hi = bf16(v) and lo = bf16(v − hi): 16 significant bits together.
__device__ __forceinline__ void split_store(const float* v, bf16* hi, bf16* lo) {
  alignas(16) bf16 h[32], l[32];
#pragma unroll
  for (int i = 0; i < 32; ++i) detail::split_bf16(v[i], h[i], l[i]);
  const uint4* hs = reinterpret_cast<const uint4*>(h);
  const uint4* ls = reinterpret_cast<const uint4*>(l);
  uint4* hd = reinterpret_cast<uint4*>(hi);
  uint4* ld = reinterpret_cast<uint4*>(lo);
#pragma unroll
  for (int i = 0; i < 4; ++i) {
    hd[i] = hs[i];
    ld[i] = ls[i];
  }
}

// A tile: 64 rows × columns k0 … k0 + 63 (rows past the group and columns past n_k are zero).
// Thread t: row t / 2, 32 columns (t % 2).
template <bool kGlu>
__device__ void load_a(const GemmArgs& g, int pos0, int rows, int k0, GemmSmem& sm) {
  const int row = threadIdx.x >> 1, part = threadIdx.x & 1;
  const int col = k0 + 32 * part;
  float v[32];
  if (row < rows && col < g.n_k) {
    const int pos = pos0 + row;
    const std::int64_t src_row = kGlu ? g.perm[pos] / g.k_route : pos;
    const float4* src = reinterpret_cast<const float4*>(g.a + src_row * g.n_k + col);
#pragma unroll
    for (int i = 0; i < 8; ++i) {
      const float4 q = src[i];
      v[4 * i] = q.x, v[4 * i + 1] = q.y, v[4 * i + 2] = q.z, v[4 * i + 3] = q.w;
    }
  } else {
#pragma unroll
    for (int i = 0; i < 32; ++i) v[i] = 0.0f;
  }
  const int at = row * kLdh + 32 * part;
  split_store(v, sm.in.a_hi + at, sm.in.a_lo + at);
}

// B tile: 64 weight rows × columns k0 … k0 + 63, decoded in registers (kGlu: rows 0–31 gate
// n0…, 32–63 up n0…). Thread t: row t % 64, chunk k0 / 32 + t / 64.
template <WeightType T, bool kGlu>
__device__ void load_b(const GemmArgs& g, int e, int n0, int k0, GemmSmem& sm) {
  const int r = threadIdx.x & 63, part = threadIdx.x >> 6;
  const int out_row = kGlu ? n0 + (r & 31) : n0 + r;
  const int kc = k0 / 32 + part;
  const void* base = (kGlu && r >= 32) ? g.w1 : g.w0;
  float v[32];
  if (out_row < g.n_out && kc < g.n_k / 32) {
    const auto* row = static_cast<const detail::u8*>(base) + e * g.expert_stride + out_row * g.row_bytes;
    detail::Decoder<T>::chunk(row, kc, v);
  } else {
#pragma unroll
    for (int i = 0; i < 32; ++i) v[i] = 0.0f;
  }
  const int at = r * kLdh + 32 * part;
  split_store(v, sm.in.b_hi + at, sm.in.b_lo + at);
}

template <bool kGlu>
__device__ void store_out(const GemmArgs& g, int e, int pos0, int rows, int n0, const float* c) {
  const int cols = kGlu ? 32 : 64;
  for (int idx = threadIdx.x; idx < kMoeTileM * cols; idx += blockDim.x) {
    const int row = idx / cols, col = idx % cols;
    if (row >= rows || n0 + col >= g.n_out) continue;
    float v = c[row * kLdc + col] * (g.scale0 ? g.scale0[e] : 1.0f);
    if (kGlu) {
      const float u = c[row * kLdc + 32 + col] * (g.scale1 ? g.scale1[e] : 1.0f);
      v = detail::gelu_tanh(v) * u;
    }
    g.out[static_cast<std::int64_t>(pos0 + row) * g.n_out + n0 + col] = v;
  }
}

using FragA = wmma::fragment<wmma::matrix_a, 16, 16, 16, bf16, wmma::row_major>;
using FragB = wmma::fragment<wmma::matrix_b, 16, 16, 16, bf16, wmma::col_major>;
using FragC = wmma::fragment<wmma::accumulator, 16, 16, 16, float>;

// One K step of 64 for this warp's 32 × 32 part of the tile: per 16-wide slice, the products
// hi·hi, hi·lo and lo·hi of each of its 2 × 2 fragment pairs.
__device__ void mma_step(const GemmSmem& sm, int wm, int wn, FragC (&acc)[2][2]) {
#pragma unroll
  for (int kk = 0; kk < kStepK; kk += 16) {
    FragA a_hi[2], a_lo[2];
#pragma unroll
    for (int i = 0; i < 2; ++i) {
      wmma::load_matrix_sync(a_hi[i], sm.in.a_hi + (32 * wm + 16 * i) * kLdh + kk, kLdh);
      wmma::load_matrix_sync(a_lo[i], sm.in.a_lo + (32 * wm + 16 * i) * kLdh + kk, kLdh);
    }
#pragma unroll
    for (int j = 0; j < 2; ++j) {
      FragB b_hi, b_lo;
      wmma::load_matrix_sync(b_hi, sm.in.b_hi + (32 * wn + 16 * j) * kLdh + kk, kLdh);
      wmma::load_matrix_sync(b_lo, sm.in.b_lo + (32 * wn + 16 * j) * kLdh + kk, kLdh);
#pragma unroll
      for (int i = 0; i < 2; ++i) {
        wmma::mma_sync(acc[i][j], a_hi[i], b_hi, acc[i][j]);
        wmma::mma_sync(acc[i][j], a_hi[i], b_lo, acc[i][j]);
        wmma::mma_sync(acc[i][j], a_lo[i], b_hi, acc[i][j]);
      }
    }
  }
}

// At least 4 resident blocks per SM: caps the registers at 128 (uncapped, ptxas takes 132-159
// and only 3 blocks fit; capped, half the instantiations spill 4-16 bytes).
template <WeightType T, bool kGlu>
__global__ void __launch_bounds__(kThreads, 4) grouped_gemm_kernel(GemmArgs g) {
  __shared__ GemmSmem sm;
  const Workspace& ws = g.ws;
  if (static_cast<int>(blockIdx.y) >= *ws.n_tiles) return;
  const ExpertTile tile = ws.tiles[blockIdx.y];
  const int e = tile.expert;
  const int pos0 = ws.offsets[e] + tile.row_begin;
  const int rows = min(kMoeTileM, ws.counts[e] - tile.row_begin);
  const int n0 = blockIdx.x * (kGlu ? 32 : 64);
  const int warp = threadIdx.x >> 5, wm = warp >> 1, wn = warp & 1;
  FragC acc[2][2];
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j) wmma::fill_fragment(acc[i][j], 0.0f);
  for (int k0 = 0; k0 < g.n_k; k0 += kStepK) {
    load_a<kGlu>(g, pos0, rows, k0, sm);
    load_b<T, kGlu>(g, e, n0, k0, sm);
    __syncthreads();
    mma_step(sm, wm, wn, acc);
    __syncthreads();  // the next step overwrites the tiles (and the output tile aliases them)
  }
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j)
      wmma::store_matrix_sync(sm.c + (32 * wm + 16 * i) * kLdc + 32 * wn + 16 * j, acc[i][j], kLdc,
                              wmma::mem_row_major);
  __syncthreads();
  store_out<kGlu>(g, e, pos0, rows, n0, sm.c);
}

__global__ void combine_kernel(const float* y_perm, const std::int32_t* inv, const float* weights, int k, int n_embd,
                               float* y) {
  const std::int64_t t = blockIdx.x;
  for (int c = threadIdx.x; c < n_embd; c += blockDim.x) {
    float sum = 0.0f;
    for (int j = 0; j < k; ++j) {
      const std::int32_t pos = inv[t * k + j];
      sum += pos < 0 ? NAN : weights[t * k + j] * y_perm[static_cast<std::int64_t>(pos) * n_embd + c];
    }
    y[t * n_embd + c] = sum;
  }
}

Status check(const MoePrefillParams& p) {
  if (!p.x || !p.ids || !p.weights || !p.y || !p.workspace) return invalid("moe_prefill: missing pointer");
  if (!p.w.gate || !p.w.up || !p.w.down) return invalid("moe_prefill: expert weights required");
  if (reinterpret_cast<std::uintptr_t>(p.x) % 16 != 0) return invalid("moe_prefill: x must be 16-byte aligned");
  if (p.n_tokens <= 0 || p.k <= 0) return invalid("moe_prefill: n_tokens and k must be positive");
  if (p.n_expert < 1 || p.n_expert > 1024) return invalid("moe_prefill: n_expert must be 1..1024");
  if (p.n_tokens * p.k > 0x3fffffff) return invalid("moe_prefill: too many entries");
  if (!row_supported(p.w.gate_up_type, p.n_embd)) return unsupported("moe_prefill: gate/up type or n_embd");
  if (!row_supported(p.w.down_type, p.n_ff)) return unsupported("moe_prefill: down type or n_ff");
  return Status::success();
}

Status group(const MoePrefillParams& p, const Workspace& w, cudaStream_t s) {
  const int entries = static_cast<int>(p.n_tokens * p.k);
  const int n_chunks = static_cast<int>(blocks_for(entries, kMoeGroupChunk));
  const std::size_t hist_bytes = p.n_expert * sizeof(std::int32_t);
  CODERX_LAUNCH(n_chunks, kMoeGroupChunk, hist_bytes, s, count_kernel)(p.ids, entries, p.n_expert, w.chunk_counts);
  CODERX_LAUNCH(1, 1024, 0, s, scan_kernel)(w, n_chunks, p.n_expert);
  CODERX_LAUNCH(n_chunks, kMoeGroupChunk, 0, s, scatter_kernel)(p.ids, entries, p.n_expert, w);
  return detail::launch_status("moe_prefill group");
}

}  // namespace

Status moe_prefill(const MoePrefillParams& p, void* stream) {
  if (Status st = check(p); !st.ok()) return st;
  cudaStream_t s = detail::as_stream(stream);
  const MoePrefillWorkspace layout = moe_prefill_workspace(p.n_tokens, p.k, p.n_expert, p.n_embd, p.n_ff);
  const Workspace w = carve(p.workspace, layout);
  if (Status st = group(p, w, s); !st.ok()) return st;
  const unsigned max_tiles = static_cast<unsigned>(max_expert_tiles(p.n_tokens * p.k, p.n_expert, kMoeTileM));
  GemmArgs gu{p.x, w.perm, p.k, p.w.gate, p.w.up, p.w.gate_up_expert_stride,
              weight_row_bytes(p.w.gate_up_type, p.n_embd), p.w.gate_scale, p.w.up_scale, w.act, p.n_embd, p.n_ff, w};
  const dim3 grid_gu(static_cast<unsigned>(blocks_for(p.n_ff, 32)), max_tiles);
  detail::dispatch_weight_type(p.w.gate_up_type, [&](auto tag) {
    constexpr WeightType T = decltype(tag)::value;
    CODERX_LAUNCH(grid_gu, kThreads, 0, s, grouped_gemm_kernel<T, true>)(gu);
  });
  GemmArgs dn{w.act, nullptr, 1, p.w.down, nullptr, p.w.down_expert_stride,
              weight_row_bytes(p.w.down_type, p.n_ff), p.w.down_scale, nullptr, w.y_perm, p.n_ff, p.n_embd, w};
  const dim3 grid_d(static_cast<unsigned>(blocks_for(p.n_embd, 64)), max_tiles);
  detail::dispatch_weight_type(p.w.down_type, [&](auto tag) {
    constexpr WeightType T = decltype(tag)::value;
    CODERX_LAUNCH(grid_d, kThreads, 0, s, grouped_gemm_kernel<T, false>)(dn);
  });
  CODERX_LAUNCH(static_cast<unsigned>(p.n_tokens), 256, 0, s, combine_kernel)(w.y_perm, w.inv, p.weights, p.k, p.n_embd, p.y);
  return detail::launch_status("moe_prefill");
}

}  // namespace coderx::kernels
