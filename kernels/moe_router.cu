// MoE router. Must match the reference router (spec §2.3 step 10: model/moe.h on the logits of
// model/forward.cpp; tests/kernels/reference_ops.h router_probs_ref) — expert ids as a valid
// top-k of the probabilities, weights renormalised with the 6.103515625e-5 clamp and multiplied
// by the per-expert scale. Partial sums over splits of n_embd go to the workspace:
// part = W·(h ⊙ in_scale), ss = Σ h²; one warp per token sums them, scales the logits by
// rsqrt(Σ ss / n_embd + eps) · input_mult, takes the softmax and k rounds of arg-max.
// Launch geometry:
//   n_tokens <= 8: router_small, grid (ceil(n_expert/8), splits) × 256 threads, warp w of block x
//     takes expert 8x + w over split y for all tokens (16-byte loads); the last block to finish
//     (a counter in the workspace) runs the selection, warp t for token t.
//   more tokens: router_gemm, grid (ceil(n_tokens/BM), ceil(n_expert/64), splits) × 256 threads,
//     a BM × 64 (tokens × experts) tile per block, k-steps of 16 through shared memory, 4 × BM/16
//     outputs per thread; then router_select, grid ceil(n_tokens/4) × 128 threads, warp per token.
#include <algorithm>
#include <cfloat>
#include <cstdint>

#include "kernels/cuda_util.cuh"
#include "kernels/moe_router.h"

namespace coderx::kernels {

namespace {

constexpr std::size_t kHeaderBytes = 256;  // the workspace starts with the block counter
constexpr int kMaxSplits = 32;
constexpr std::int64_t kSplitRows = 16384;  // splits · n_tokens stays within max(this, n_tokens)
constexpr int kSms = 132;                   // an H100 / H200: the plan does not ask the device
constexpr int kSmallTokens = 8;
constexpr int kSmallExperts = 8;             // warps of a router_small block, one expert each
constexpr int kBK = 16, kBN = 64, kPad = 4;  // router_gemm k-step, experts per tile, row padding
constexpr int kSelectWarps = 4;

// Where the partial sums live in the workspace.
struct Layout {
  unsigned* counter;
  float* part;  // [splits][n_tokens][n_expert]
  float* ss;    // [splits][n_tokens]
  int splits;
};

__device__ __forceinline__ float4 ld4(const float* p) {
  return __ldg(reinterpret_cast<const float4*>(p));
}

__device__ __forceinline__ float4 mul4(float4 a, float4 b) {
  return make_float4(a.x * b.x, a.y * b.y, a.z * b.z, a.w * b.w);
}

__device__ __forceinline__ float dot4(float4 a, float4 b, float c) {
  return fmaf(a.w, b.w, fmaf(a.z, b.z, fmaf(a.y, b.y, fmaf(a.x, b.x, c))));
}

// ---- selection: one warp per token ----------------------------------------------------------

// Warp arg-max of (value, id): larger value, ties → lower id.
__device__ __forceinline__ void warp_argmax(float& best, int& best_id) {
  for (int off = 16; off > 0; off >>= 1) {
    const float ov = __shfl_xor_sync(0xffffffffu, best, off);
    const int oi = __shfl_xor_sync(0xffffffffu, best_id, off);
    if (ov > best || (ov == best && oi < best_id)) {
      best = ov;
      best_id = oi;
    }
  }
}

// v[j] = logit of expert lane + 32j: the split sums times the token's RMSNorm factor.
template <int J>
__device__ __forceinline__ void gather_logits(const MoeRouterParams& p, const Layout& L,
                                              std::int64_t t, float (&v)[J]) {
  const int lane = threadIdx.x & 31, n = p.n_expert;
  float ss = 0.0f;
  for (int s = lane; s < L.splits; s += 32) ss += __ldcg(L.ss + s * p.n_tokens + t);
  ss = detail::warp_sum(ss);
  const float inv = rsqrtf(ss / static_cast<float>(p.n_embd) + p.eps) * p.input_mult;
#pragma unroll
  for (int j = 0; j < J; ++j) v[j] = 0.0f;
  constexpr int U = J <= 4 ? 8 : 1;  // splits loaded at once (U·J loads in flight)
  for (int s0 = 0; s0 < L.splits; s0 += U) {
    float x[U][J];
#pragma unroll
    for (int u = 0; u < U; ++u) {
      const float* row = L.part + ((s0 + u) * p.n_tokens + t) * n;
#pragma unroll
      for (int j = 0; j < J; ++j)
        x[u][j] = s0 + u < L.splits && lane + 32 * j < n ? __ldcg(row + lane + 32 * j) : 0.0f;
    }
#pragma unroll
    for (int u = 0; u < U; ++u) {
#pragma unroll
      for (int j = 0; j < J; ++j) v[j] += x[u][j];
    }
  }
#pragma unroll
  for (int j = 0; j < J; ++j) v[j] *= inv;
}

// v = softmax(v) over the n_expert valid entries (max-subtracted expf); written to probs if asked.
template <int J>
__device__ __forceinline__ void softmax(const MoeRouterParams& p, std::int64_t t, float (&v)[J]) {
  const int lane = threadIdx.x & 31, n = p.n_expert;
  float m = -FLT_MAX;
#pragma unroll
  for (int j = 0; j < J; ++j)
    if (lane + 32 * j < n) m = fmaxf(m, v[j]);
  m = detail::warp_max(m);
  float s = 0.0f;
#pragma unroll
  for (int j = 0; j < J; ++j) {
    if (lane + 32 * j < n) {
      v[j] = expf(v[j] - m);
      s += v[j];
    }
  }
  s = detail::warp_sum(s);
#pragma unroll
  for (int j = 0; j < J; ++j) {
    if (lane + 32 * j < n) {
      v[j] /= s;
      if (p.probs) p.probs[t * n + lane + 32 * j] = v[j];
    }
  }
}

// k rounds of arg-max (taken entries become -1, NaNs are never picked; when every remaining p is
// NaN, pick r is expert r with p 0); lane j keeps pick j; the weights are renormalised over them.
template <int J>
__device__ __forceinline__ void top_k(const MoeRouterParams& p, std::int64_t t, float (&v)[J]) {
  const int lane = threadIdx.x & 31;
  float mine = 0.0f, sum = 0.0f;
  int mine_id = 0;
  for (int r = 0; r < p.k; ++r) {
    float best = -2.0f;
    int best_id = 0x7fffffff;
#pragma unroll
    for (int j = 0; j < J; ++j) {
      if (lane + 32 * j < p.n_expert && v[j] > best) {
        best = v[j];
        best_id = lane + 32 * j;
      }
    }
    warp_argmax(best, best_id);
    if (best_id >= p.n_expert) {  // only when every remaining p is NaN
      best_id = r;
      best = 0.0f;
    }
#pragma unroll
    for (int j = 0; j < J; ++j)
      if (lane + 32 * j == best_id) v[j] = -1.0f;
    if (lane == r) {
      mine = best;
      mine_id = best_id;
    }
    sum += best;
  }
  if (lane >= p.k) return;
  const float denom = fmaxf(sum, 6.103515625e-5f);
  p.ids[t * p.k + lane] = mine_id;
  p.weights[t * p.k + lane] = mine / denom * (p.expert_scale ? p.expert_scale[mine_id] : 1.0f);
}

// The whole selection for token t by the calling warp (J · 32 >= n_expert).
template <int J>
__device__ void select_token(const MoeRouterParams& p, const Layout& L, std::int64_t t) {
  float v[J];
  gather_logits<J>(p, L, t, v);
  softmax<J>(p, t, v);
  top_k<J>(p, t, v);
}

template <int J>
__global__ void __launch_bounds__(kSelectWarps * 32)
    router_select(const MoeRouterParams p, const Layout L) {
  const std::int64_t t = static_cast<std::int64_t>(blockIdx.x) * kSelectWarps + (threadIdx.x >> 5);
  if (t < p.n_tokens) select_token<J>(p, L, t);
}

// ---- small batches: warp per expert, last block selects -------------------------------------

// Partial logits of expert e over split blockIdx.y for all tokens (rows past n_tokens repeat the
// last one and are not written); the sums of squares too when write_ss.
template <int T>
__device__ void small_dot(const MoeRouterParams& p, const Layout& L, int e, bool write_ss) {
  const int lane = threadIdx.x & 31, split = blockIdx.y, nq = p.n_embd / 4;
  const int q0 = split * nq / L.splits, q1 = (split + 1) * nq / L.splits;
  const float* w = p.w + static_cast<std::int64_t>(e) * p.n_embd;
  const int last_row = static_cast<int>(p.n_tokens) - 1;  // n_tokens <= 8 here
  float acc[T] = {}, ss[T] = {};
#pragma unroll 2
  for (int q = q0 + lane; q < q1; q += 32) {
    const float4 wv = ld4(w + 4 * q);
    const float4 s = p.in_scale ? ld4(p.in_scale + 4 * q) : make_float4(1.0f, 1.0f, 1.0f, 1.0f);
#pragma unroll
    for (int t = 0; t < T; ++t) {
      const float4 x = ld4(p.h + static_cast<std::int64_t>(min(t, last_row)) * p.n_embd + 4 * q);
      acc[t] = dot4(wv, mul4(x, s), acc[t]);
      ss[t] = dot4(x, x, ss[t]);
    }
  }
#pragma unroll
  for (int t = 0; t < T; ++t) acc[t] = detail::warp_sum(acc[t]);
  if (lane == 0) {
#pragma unroll
    for (int t = 0; t < T && t < p.n_tokens; ++t)
      L.part[(split * p.n_tokens + t) * p.n_expert + e] = acc[t];
  }
  if (!write_ss) return;
#pragma unroll
  for (int t = 0; t < T; ++t) ss[t] = detail::warp_sum(ss[t]);
  if (lane == 0) {
#pragma unroll
    for (int t = 0; t < T && t < p.n_tokens; ++t) L.ss[split * p.n_tokens + t] = ss[t];
  }
}

// True in the block that finishes last (then the partial sums of all blocks are visible to it);
// that block also resets the counter for the next launch.
__device__ bool arrive_last(unsigned* counter) {
  __shared__ unsigned ticket;
  __threadfence();
  __syncthreads();
  if (threadIdx.x == 0) ticket = atomicAdd(counter, 1u);
  __syncthreads();
  const bool last = ticket == gridDim.x * gridDim.y - 1;
  if (last) {
    __threadfence();
    if (threadIdx.x == 0) atomicExch(counter, 0u);
  }
  return last;
}

template <int T, int J>
__global__ void __launch_bounds__(kSmallExperts * 32, 1)
    router_small(const MoeRouterParams p, const Layout L) {
  const int warp = threadIdx.x >> 5;
  const int e = blockIdx.x * kSmallExperts + warp;
  if (e < p.n_expert) small_dot<T>(p, L, e, blockIdx.x == 0 && warp == 0);
  if (!arrive_last(L.counter)) return;
  for (int t = warp; t < p.n_tokens; t += kSmallExperts) select_token<J>(p, L, t);
}

// ---- large batches: tiled f32 GEMM of the partial logits ------------------------------------

// One k-step's global loads of a thread: h rows (token tid/4 + 64i), a W row (expert tid/4) and
// in_scale, 4 floats each at k + 4·(tid % 4).
template <int BM>
struct GemmLoads {
  float4 h[BM / 64];
  float4 w, s;
};

template <int BM>
__device__ __forceinline__ void gemm_load(const MoeRouterParams& p, std::int64_t m0, int e0, int k,
                                          GemmLoads<BM>& g) {
  const int row = threadIdx.x >> 2, kk = k + (threadIdx.x & 3) * 4;
  const float4 zero = make_float4(0.0f, 0.0f, 0.0f, 0.0f);
#pragma unroll
  for (int i = 0; i < BM / 64; ++i) {
    const std::int64_t t = m0 + row + 64 * i;
    g.h[i] = t < p.n_tokens ? ld4(p.h + t * p.n_embd + kk) : zero;
  }
  const int e = e0 + row;
  g.w = e < p.n_expert ? ld4(p.w + static_cast<std::int64_t>(e) * p.n_embd + kk) : zero;
  g.s = p.in_scale ? ld4(p.in_scale + kk) : make_float4(1.0f, 1.0f, 1.0f, 1.0f);
}

// Into shared memory, k-major: as[k][token] = h · in_scale, bs[k][expert] = W; ss += h².
template <int BM>
__device__ __forceinline__ void gemm_store(const GemmLoads<BM>& g, float (*as)[BM + kPad],
                                           float (*bs)[kBN + kPad], float (&ss)[BM / 64]) {
  const int row = threadIdx.x >> 2, kq = (threadIdx.x & 3) * 4;
#pragma unroll
  for (int i = 0; i < BM / 64; ++i) {
    const float4 a = mul4(g.h[i], g.s);
    as[kq][row + 64 * i] = a.x;
    as[kq + 1][row + 64 * i] = a.y;
    as[kq + 2][row + 64 * i] = a.z;
    as[kq + 3][row + 64 * i] = a.w;
    ss[i] = dot4(g.h[i], g.h[i], ss[i]);
  }
  bs[kq][row] = g.w.x;
  bs[kq + 1][row] = g.w.y;
  bs[kq + 2][row] = g.w.z;
  bs[kq + 3][row] = g.w.w;
}

// acc[i][j] += Σ_k as[k][ty·TM + i] · bs[k][tx·4 + j] over the k-step (ty = tid/16, tx = tid%16).
template <int BM>
__device__ __forceinline__ void gemm_step(const float (*as)[BM + kPad],
                                          const float (*bs)[kBN + kPad], float (&acc)[BM / 16][4]) {
  constexpr int TM = BM / 16;
  const int ty = threadIdx.x >> 4, tx = threadIdx.x & 15;
#pragma unroll
  for (int k = 0; k < kBK; ++k) {
    float a[TM];
#pragma unroll
    for (int i = 0; i < TM; i += 4) {
      const float4 v = *reinterpret_cast<const float4*>(&as[k][ty * TM + i]);
      a[i] = v.x;
      a[i + 1] = v.y;
      a[i + 2] = v.z;
      a[i + 3] = v.w;
    }
    const float4 b = *reinterpret_cast<const float4*>(&bs[k][tx * 4]);
#pragma unroll
    for (int i = 0; i < TM; ++i) {
      acc[i][0] = fmaf(a[i], b.x, acc[i][0]);
      acc[i][1] = fmaf(a[i], b.y, acc[i][1]);
      acc[i][2] = fmaf(a[i], b.z, acc[i][2]);
      acc[i][3] = fmaf(a[i], b.w, acc[i][3]);
    }
  }
}

// The tile's partial logits into part[split]; the first expert tile also writes ss[split].
template <int BM>
__device__ __forceinline__ void gemm_write(const MoeRouterParams& p, const Layout& L,
                                           std::int64_t m0, int e0, const float (&acc)[BM / 16][4],
                                           float (&ss)[BM / 64]) {
  constexpr int TM = BM / 16;
  const int ty = threadIdx.x >> 4, tx = threadIdx.x & 15, split = blockIdx.z;
#pragma unroll
  for (int i = 0; i < TM; ++i) {
    const std::int64_t t = m0 + ty * TM + i;
    if (t >= p.n_tokens) break;
    float* out = L.part + (split * p.n_tokens + t) * p.n_expert;
#pragma unroll
    for (int j = 0; j < 4; ++j)
      if (e0 + tx * 4 + j < p.n_expert) out[e0 + tx * 4 + j] = acc[i][j];
  }
#pragma unroll
  for (int i = 0; i < BM / 64; ++i) {  // the 4 lanes of a row hold 4 interleaved parts
    ss[i] += __shfl_xor_sync(0xffffffffu, ss[i], 1);
    ss[i] += __shfl_xor_sync(0xffffffffu, ss[i], 2);
  }
  if (blockIdx.y != 0 || (threadIdx.x & 3) != 0) return;
#pragma unroll
  for (int i = 0; i < BM / 64; ++i) {
    const std::int64_t t = m0 + (threadIdx.x >> 2) + 64 * i;
    if (t < p.n_tokens) L.ss[split * p.n_tokens + t] = ss[i];
  }
}

template <int BM>
__global__ void __launch_bounds__(256, 2) router_gemm(const MoeRouterParams p, const Layout L) {
  __shared__ __align__(16) float as[kBK][BM + kPad];
  __shared__ __align__(16) float bs[kBK][kBN + kPad];
  const std::int64_t m0 = static_cast<std::int64_t>(blockIdx.x) * BM;
  const int e0 = blockIdx.y * kBN, steps = p.n_embd / kBK;
  const int first = blockIdx.z * steps / L.splits, last = (blockIdx.z + 1) * steps / L.splits;
  float acc[BM / 16][4] = {};
  float ss[BM / 64] = {};
  GemmLoads<BM> g;
  gemm_load<BM>(p, m0, e0, first * kBK, g);
  for (int s = first; s < last; ++s) {
    gemm_store<BM>(g, as, bs, ss);
    __syncthreads();
    if (s + 1 < last) gemm_load<BM>(p, m0, e0, (s + 1) * kBK, g);
    gemm_step<BM>(as, bs, acc);
    __syncthreads();
  }
  gemm_write<BM>(p, L, m0, e0, acc, ss);
}

// ---- host side ------------------------------------------------------------------------------

std::int64_t ceil_div(std::int64_t a, std::int64_t b) {
  return (a + b - 1) / b;
}

// splits (1 … kMaxSplits) and the GEMM tile height (0: router_small): about one small block or
// two GEMM blocks per SM. Depends only on the shape, so results do not depend on the device;
// splits · n_tokens <= max(n_tokens, kSplitRows) (the workspace bound).
struct Plan {
  int splits;
  int bm;
};

Plan make_plan(const MoeRouterParams& p) {
  auto clamp = [](std::int64_t s) {
    return static_cast<int>(std::clamp<std::int64_t>(s, 1, kMaxSplits));
  };
  if (p.n_tokens <= kSmallTokens) {
    const std::int64_t groups = ceil_div(p.n_expert, kSmallExperts);
    return {clamp(std::min<std::int64_t>(kSms / groups, p.n_embd / 128)), 0};  // 1 block/SM
  }
  const int bm = p.n_tokens >= 2048 ? 128 : 64;
  const std::int64_t tiles = ceil_div(p.n_tokens, bm) * ceil_div(p.n_expert, kBN);
  return {
      clamp(std::min({2 * kSms / tiles, kSplitRows / p.n_tokens, std::int64_t{p.n_embd / kBK}})),
      bm};
}

Layout make_layout(const MoeRouterParams& p, const Plan& plan) {
  char* base = static_cast<char*>(p.workspace);
  float* part = reinterpret_cast<float*>(base + kHeaderBytes);
  return {reinterpret_cast<unsigned*>(base), part, part + plan.splits * p.n_tokens * p.n_expert,
          plan.splits};
}

bool aligned16(const void* ptr) {
  return (reinterpret_cast<std::uintptr_t>(ptr) & 15) == 0;
}

Status validate(const MoeRouterParams& p) {
  if (!p.h || !p.w || !p.ids || !p.weights || !p.workspace)
    return invalid("moe_router: h, w, ids, weights and workspace are required");
  if (p.n_tokens <= 0 || p.n_embd <= 0) return invalid("moe_router: empty shape");
  if (p.n_embd % 32 != 0) return invalid("moe_router: n_embd must be a multiple of 32");
  if (!aligned16(p.h) || !aligned16(p.w) || !aligned16(p.in_scale) || !aligned16(p.workspace))
    return invalid("moe_router: h, w, in_scale and workspace must be 16-byte aligned");
  if (p.n_expert < 1 || p.n_expert > kRouterMaxExperts)
    return invalid("moe_router: n_expert out of range");
  if (p.k < 1 || p.k > p.n_expert || p.k > kRouterMaxTopK)
    return invalid("moe_router: k out of range");
  return Status::success();
}

template <int T>
void launch_small(const MoeRouterParams& p, const Layout& L, cudaStream_t st) {
  const dim3 grid(static_cast<unsigned>(ceil_div(p.n_expert, kSmallExperts)),
                  static_cast<unsigned>(L.splits));
  if (p.n_expert <= 128)
    CODERX_LAUNCH(grid, kSmallExperts * 32, 0, st, router_small<T, 4>)(p, L);
  else
    CODERX_LAUNCH(grid, kSmallExperts * 32, 0, st, router_small<T, 32>)(p, L);
}

void launch_small_batch(const MoeRouterParams& p, const Layout& L, cudaStream_t st) {
  if (p.n_tokens == 1) return launch_small<1>(p, L, st);
  if (p.n_tokens == 2) return launch_small<2>(p, L, st);
  if (p.n_tokens <= 4) return launch_small<4>(p, L, st);
  launch_small<8>(p, L, st);
}

void launch_large_batch(const MoeRouterParams& p, const Layout& L, int bm, cudaStream_t st) {
  const dim3 grid(static_cast<unsigned>(ceil_div(p.n_tokens, bm)),
                  static_cast<unsigned>(ceil_div(p.n_expert, kBN)),
                  static_cast<unsigned>(L.splits));
  if (bm == 128)
    CODERX_LAUNCH(grid, 256, 0, st, router_gemm<128>)(p, L);
  else
    CODERX_LAUNCH(grid, 256, 0, st, router_gemm<64>)(p, L);
  const unsigned blocks = static_cast<unsigned>(ceil_div(p.n_tokens, kSelectWarps));
  if (p.n_expert <= 128)
    CODERX_LAUNCH(blocks, kSelectWarps * 32, 0, st, router_select<4>)(p, L);
  else
    CODERX_LAUNCH(blocks, kSelectWarps * 32, 0, st, router_select<32>)(p, L);
}

}  // namespace

std::size_t moe_router_workspace_bytes(std::int64_t n_tokens, int n_expert) {
  const std::int64_t n = std::max<std::int64_t>(n_tokens, 1);
  const std::int64_t rows = std::min<std::int64_t>(kMaxSplits * n, std::max(n, kSplitRows));
  return kHeaderBytes +
         static_cast<std::size_t>(rows) * (static_cast<std::size_t>(n_expert) + 1) * sizeof(float);
}

Status moe_router(const MoeRouterParams& p, void* stream) {
  if (Status st = validate(p); !st.ok()) return st;
  const Plan plan = make_plan(p);
  const Layout L = make_layout(p, plan);
  cudaStream_t st = detail::as_stream(stream);
  if (plan.bm == 0)
    launch_small_batch(p, L, st);
  else
    launch_large_batch(p, L, plan.bm, st);
  return detail::launch_status("moe_router");
}

}  // namespace coderx::kernels
