// Prefill attention on tensor cores (attention_tc.h). Must match model/ops_ref attention within
// f32-level rounding: K and V are exact in f16; each q row is scaled by a power of two (its
// largest magnitude into [2^13, 2^14), so no q overflows f16) and split into f16 hi + lo, as are
// the probabilities; every product is taken as hi·x + lo·x with f32 accumulation.
// Launch geometry (constants below): grid (⌈n_q · G / 16⌉, n_kv), 128 threads = 4 warps, one
// block per 16 (query, head) rows of a KV head; key tiles of 64 staged in shared memory.
//   pass 1, per tile: scores (warp w: keys 16w … 16w + 15, all dims), then the running row
//           maximum and sum (8 threads per row, 8 keys each);
//   pass 2, per tile: scores again, probabilities exp(s − m) / l split into hi + lo, V staged
//           over K, then out += P·V (warp w: dims w·HD/4 … (w + 1)·HD/4 − 1, in registers).
// Masked keys and rows past the batch get probability 0; tiles are zero past the last key.
#include <cuda_fp16.h>
#include <mma.h>

#include <climits>
#include <cmath>
#include <mutex>

#include "kernels/attention_mask.cuh"
#include "kernels/attention_tc.h"
#include "kernels/cuda_util.cuh"
#include "kernels/hi_lo.cuh"
#include "kernels/launch_shape.h"

namespace coderx::kernels {

namespace {

using namespace nvcuda;

constexpr int kRows = 16;  // (query, head) rows per block: one fragment row
constexpr int kTile = 64;  // keys per tile
constexpr int kWarps = 4;
constexpr int kThreads = 32 * kWarps;
constexpr int kLanesPerRow = kThreads / kRows;      // softmax steps: 8 threads per row
constexpr int kKeysPerLane = kTile / kLanesPerRow;  // … of 8 keys each
constexpr int kMaxDevices = 16;
static_assert(kWarps * 16 == kTile, "each warp scores 16 keys of a tile");

using FragA = wmma::fragment<wmma::matrix_a, 16, 16, 16, __half, wmma::row_major>;
using FragKeys = wmma::fragment<wmma::matrix_b, 16, 16, 16, __half, wmma::col_major>;
using FragValues = wmma::fragment<wmma::matrix_b, 16, 16, 16, __half, wmma::row_major>;
using FragC = wmma::fragment<wmma::accumulator, 16, 16, 16, float>;

// Dynamic shared memory, in bytes from the 128-byte aligned base; every region and row pitch
// keeps the 32-byte fragment alignment.
template <int HD>
struct Layout {
  static constexpr int kPitch = HD + 8;      // halves per q / key row (16 bytes of padding)
  static constexpr int kSPitch = kTile + 4;  // floats per score row
  static constexpr int kPPitch = kTile + 8;  // halves per probability row
  static constexpr int kOPitch = HD + 4;     // floats per output staging row (aliases the keys)
  static constexpr int kDims = HD / kWarps;  // output dims per warp
  static constexpr int kQ = 0;               // q hi rows, then q lo rows
  static constexpr int kKeys = kQ + 2 * kRows * kPitch * 2;
  static constexpr int kS = kKeys + kTile * kPitch * 2;
  static constexpr int kP = kS + kRows * kSPitch * 4;  // probabilities hi, then lo
  static constexpr int kStats = kP + 2 * kRows * kPPitch * 2;
  static constexpr int kBytes = kStats + 4 * kRows * 4;  // m, l, q scale (floats), position (int)
  static constexpr int kLaunchBytes = kBytes + 128;       // with the base's alignment slack
  static_assert(kRows * kOPitch * 4 <= kTile * kPitch * 2, "output staging fits the key tile");
};

template <int HD>
struct Tiles {
  __half *q_hi, *q_lo, *keys, *p_hi, *p_lo;
  float *s, *m, *l, *q_scale;
  int* pos;  // query position of each row; -1 past the batch
};

// The dynamic shared memory rounded up to 128 bytes (wmma wants 32-byte aligned fragments;
// the declaration only promises 16). kLaunchBytes leaves room for the rounding.
__device__ __forceinline__ unsigned char* aligned_base(unsigned char* smem) {
  const auto addr = reinterpret_cast<std::uintptr_t>(smem);
  return smem + ((128 - addr % 128) % 128);
}

template <int HD>
__device__ Tiles<HD> tiles(unsigned char* base) {
  using L = Layout<HD>;
  Tiles<HD> t;
  t.q_hi = reinterpret_cast<__half*>(base + L::kQ);
  t.q_lo = t.q_hi + kRows * L::kPitch;
  t.keys = reinterpret_cast<__half*>(base + L::kKeys);
  t.s = reinterpret_cast<float*>(base + L::kS);
  t.p_hi = reinterpret_cast<__half*>(base + L::kP);
  t.p_lo = t.p_hi + kRows * L::kPPitch;
  t.m = reinterpret_cast<float*>(base + L::kStats);
  t.l = t.m + kRows;
  t.q_scale = t.l + kRows;
  t.pos = reinterpret_cast<int*>(t.q_scale + kRows);
  return t;
}

// Row r of block x: query (16x + r) / G, head g·G + (16x + r) % G.
struct RowMap {
  std::int64_t row0;
  int group, g;
  __device__ std::int64_t query(int r) const { return (row0 + r) / group; }
  __device__ int head(int r) const { return g * group + static_cast<int>((row0 + r) % group); }
};

// Max (or sum) over the kLanesPerRow consecutive lanes of a row.
__device__ __forceinline__ float row_max(float v) {
  for (int off = kLanesPerRow / 2; off > 0; off >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, off));
  return v;
}
__device__ __forceinline__ float row_sum(float v) {
  for (int off = kLanesPerRow / 2; off > 0; off >>= 1) v += __shfl_xor_sync(0xffffffffu, v, off);
  return v;
}

// Rows' positions, power-of-two scales, and q / scale split into hi + lo; m = −inf, l = 0.
template <int HD>
__device__ void load_queries(const AttentionParams& p, const RowMap& map, const Tiles<HD>& t) {
  using L = Layout<HD>;
  const int r = threadIdx.x / kLanesPerRow, part = threadIdx.x % kLanesPerRow;
  const std::int64_t i = map.query(r);
  const bool valid = i < p.n_q;
  const float* q = valid ? p.q + (i * p.n_head + map.head(r)) * HD : nullptr;
  float top = 0.0f;
  if (valid)
    for (int d = part; d < HD; d += kLanesPerRow) top = fmaxf(top, fabsf(q[d]));
  top = row_max(top);
  const int e = detail::row_scale_exponent(top);
  const float inv = ldexpf(1.0f, -e);
  for (int d = part; d < HD; d += kLanesPerRow)
    detail::split_f16(valid ? q[d] * inv : 0.0f, t.q_hi[r * L::kPitch + d], t.q_lo[r * L::kPitch + d]);
  if (part == 0) {
    t.pos[r] = valid ? p.q_pos[i] : -1;
    t.q_scale[r] = ldexpf(1.0f, e) * p.scale;
    t.m[r] = -INFINITY;
    t.l[r] = 0.0f;
  }
}

struct KeySpan {
  std::int64_t first, last;  // positions; empty when last < first
};

// The keys the block's rows can see: from the earliest row's window start to the latest row.
__device__ KeySpan block_keys(const AttentionParams& p, const int* pos) {
  KeySpan span{INT_MAX, -1};
  for (int r = 0; r < kRows; ++r) {
    if (pos[r] < 0) continue;
    span.first = min(span.first, detail::first_visible_key(pos[r], p.window));
    span.last = max(span.last, std::int64_t(pos[r]));
  }
  return span;
}

// Key (or value) rows t0 … t0 + 63 of KV head g from the ring; rows past `last` are zero.
template <int HD>
__device__ void load_keys(const void* cache, const AttentionParams& p, int g, std::int64_t t0, std::int64_t last,
                          __half* dst) {
  constexpr int kChunks = HD / 8;  // 16-byte chunks per row
  for (int idx = threadIdx.x; idx < kTile * kChunks; idx += kThreads) {
    const int j = idx / kChunks, c = idx % kChunks;
    uint4 v = make_uint4(0, 0, 0, 0);
    if (t0 + j <= last) {
      const std::int64_t slot = (t0 + j) % p.n_slots;
      v = reinterpret_cast<const uint4*>(static_cast<const __half*>(cache) + (slot * p.n_kv + g) * HD)[c];
    }
    reinterpret_cast<uint4*>(dst + j * Layout<HD>::kPitch)[c] = v;
  }
}

// s[r][j] = (q_r / 2^e_r) · k_j for the staged tile (row_scores multiplies q_scale = 2^e_r ·
// scale back in): warp w takes keys 16w … 16w + 15.
template <int HD>
__device__ void scores(const Tiles<HD>& t) {
  using L = Layout<HD>;
  const int w = threadIdx.x >> 5;
  FragC acc;
  wmma::fill_fragment(acc, 0.0f);
#pragma unroll 4
  for (int d = 0; d < HD; d += 16) {
    FragA a_hi, a_lo;
    FragKeys b;
    wmma::load_matrix_sync(a_hi, t.q_hi + d, L::kPitch);
    wmma::load_matrix_sync(a_lo, t.q_lo + d, L::kPitch);
    wmma::load_matrix_sync(b, t.keys + 16 * w * L::kPitch + d, L::kPitch);
    wmma::mma_sync(acc, a_hi, b, acc);
    wmma::mma_sync(acc, a_lo, b, acc);
  }
  wmma::store_matrix_sync(t.s + 16 * w, acc, L::kSPitch, wmma::mem_row_major);
}

// This thread's 8 scaled scores of its row in the tile at t0; −inf where masked.
template <int HD>
__device__ void row_scores(const Tiles<HD>& t, const AttentionParams& p, std::int64_t t0, float* v) {
  const int r = threadIdx.x / kLanesPerRow, part = threadIdx.x % kLanesPerRow;
  for (int i = 0; i < kKeysPerLane; ++i) {
    const int j = part * kKeysPerLane + i;
    const bool seen = t.pos[r] >= 0 && detail::key_visible(t.pos[r], t0 + j, p.window);
    v[i] = seen ? t.s[r * Layout<HD>::kSPitch + j] * t.q_scale[r] : -INFINITY;
  }
}

// Pass 1: the running maximum m and sum l of exp(s − m) of each row.
template <int HD>
__device__ void update_stats(const Tiles<HD>& t, const AttentionParams& p, std::int64_t t0) {
  const int r = threadIdx.x / kLanesPerRow, part = threadIdx.x % kLanesPerRow;
  float v[kKeysPerLane];
  row_scores(t, p, t0, v);
  float top = -INFINITY;
  for (float x : v) top = fmaxf(top, x);
  const float m_old = t.m[r];
  const float m_new = fmaxf(m_old, row_max(top));
  float sum = 0.0f;
  if (m_new > -INFINITY)
    for (float x : v) sum += expf(x - m_new);  // exp(−inf) = 0 for masked keys
  sum = row_sum(sum);
  if (part == 0 && m_new > -INFINITY) {
    t.l[r] = (m_old > -INFINITY ? t.l[r] * expf(m_old - m_new) : 0.0f) + sum;
    t.m[r] = m_new;
  }
}

// Pass 2: the tile's probabilities exp(s − m) / l, split into hi + lo.
template <int HD>
__device__ void probabilities(const Tiles<HD>& t, const AttentionParams& p, std::int64_t t0) {
  using L = Layout<HD>;
  const int r = threadIdx.x / kLanesPerRow, part = threadIdx.x % kLanesPerRow;
  float v[kKeysPerLane];
  row_scores(t, p, t0, v);
  for (int i = 0; i < kKeysPerLane; ++i) {
    const int j = part * kKeysPerLane + i;
    const float prob = v[i] > -INFINITY ? expf(v[i] - t.m[r]) / t.l[r] : 0.0f;
    detail::split_f16(prob, t.p_hi[r * L::kPPitch + j], t.p_lo[r * L::kPPitch + j]);
  }
}

// out += P·V for this warp's dims of the staged value tile.
template <int HD>
__device__ void accumulate_values(const Tiles<HD>& t, FragC (&acc)[Layout<HD>::kDims / 16]) {
  using L = Layout<HD>;
  const int w = threadIdx.x >> 5;
#pragma unroll
  for (int k = 0; k < kTile; k += 16) {
    FragA a_hi, a_lo;
    wmma::load_matrix_sync(a_hi, t.p_hi + k, L::kPPitch);
    wmma::load_matrix_sync(a_lo, t.p_lo + k, L::kPPitch);
#pragma unroll
    for (int f = 0; f < L::kDims / 16; ++f) {
      FragValues b;
      wmma::load_matrix_sync(b, t.keys + k * L::kPitch + w * L::kDims + 16 * f, L::kPitch);
      wmma::mma_sync(acc[f], a_hi, b, acc[f]);
      wmma::mma_sync(acc[f], a_lo, b, acc[f]);
    }
  }
}

// The output rows, through shared memory (the key tile's space), into out[query][head].
template <int HD>
__device__ void store_rows(const Tiles<HD>& t, const AttentionParams& p, const RowMap& map,
                           FragC (&acc)[Layout<HD>::kDims / 16]) {
  using L = Layout<HD>;
  const int w = threadIdx.x >> 5;
  float* staged = reinterpret_cast<float*>(t.keys);
  __syncthreads();  // every warp is done with the last value tile
  for (int f = 0; f < L::kDims / 16; ++f)
    wmma::store_matrix_sync(staged + w * L::kDims + 16 * f, acc[f], L::kOPitch, wmma::mem_row_major);
  __syncthreads();
  for (int idx = threadIdx.x; idx < kRows * HD; idx += kThreads) {
    const int r = idx / HD, d = idx % HD;
    if (t.pos[r] < 0) continue;
    p.out[(map.query(r) * p.n_head + map.head(r)) * HD + d] = staged[r * L::kOPitch + d];
  }
}

template <int HD>
__global__ void __launch_bounds__(kThreads) attn_tc_kernel(AttentionParams p) {
  CODERX_DYNAMIC_SHARED(unsigned char, smem);
  const Tiles<HD> t = tiles<HD>(aligned_base(smem));
  const int g = blockIdx.y;
  const RowMap map{static_cast<std::int64_t>(blockIdx.x) * kRows, p.n_head / p.n_kv, g};
  load_queries<HD>(p, map, t);
  __syncthreads();
  const KeySpan span = block_keys(p, t.pos);
  for (std::int64_t t0 = span.first; t0 <= span.last; t0 += kTile) {
    load_keys<HD>(p.k_cache, p, g, t0, span.last, t.keys);
    __syncthreads();
    scores<HD>(t);
    __syncthreads();
    update_stats<HD>(t, p, t0);  // the next tile's scores wait behind its load's barrier
  }
  __syncthreads();  // the final m and l, for every row
  FragC acc[Layout<HD>::kDims / 16];
  for (FragC& a : acc) wmma::fill_fragment(a, 0.0f);
  for (std::int64_t t0 = span.first; t0 <= span.last; t0 += kTile) {
    load_keys<HD>(p.k_cache, p, g, t0, span.last, t.keys);
    __syncthreads();
    scores<HD>(t);
    __syncthreads();
    probabilities<HD>(t, p, t0);
    load_keys<HD>(p.v_cache, p, g, t0, span.last, t.keys);
    __syncthreads();
    accumulate_values<HD>(t, acc);
    __syncthreads();
  }
  store_rows<HD>(t, p, map, acc);
}

// Opts the kernel into its dynamic shared memory once per device; thread-safe.
template <int HD>
Status setup() {
  static std::mutex mu;
  static bool done[kMaxDevices] = {};
  int dev = 0;
  if (Status st = detail::cuda_status(cudaGetDevice(&dev), "attention_tc"); !st.ok()) return st;
  if (dev < 0 || dev >= kMaxDevices) return unsupported("attention_tc: device index out of range");
  std::lock_guard<std::mutex> lock(mu);
  if (done[dev]) return Status::success();
  int optin = 0;
  cudaError_t err = cudaDeviceGetAttribute(&optin, cudaDevAttrMaxSharedMemoryPerBlockOptin, dev);
  if (err == cudaSuccess && Layout<HD>::kLaunchBytes > optin)
    return unsupported("attention_tc: the device has too little shared memory for this head_dim");
  if (err == cudaSuccess)
    err = cudaFuncSetAttribute(attn_tc_kernel<HD>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                               Layout<HD>::kLaunchBytes);
  if (err != cudaSuccess) return detail::cuda_status(err, "attention_tc setup");
  done[dev] = true;
  return Status::success();
}

template <int HD>
Status launch(const AttentionParams& p, cudaStream_t s) {
  if (Status st = setup<HD>(); !st.ok()) return st;
  const std::int64_t rows = static_cast<std::int64_t>(p.n_q) * (p.n_head / p.n_kv);
  const dim3 grid(static_cast<unsigned>(blocks_for(rows, kRows)), static_cast<unsigned>(p.n_kv));
  CODERX_LAUNCH(grid, kThreads, Layout<HD>::kLaunchBytes, s, attn_tc_kernel<HD>)(p);
  return detail::launch_status("attention_tc");
}

}  // namespace

bool attention_tc_eligible(const AttentionParams& p) {
  return p.tensor_cores && p.n_q >= kAttnTcMinQueries && static_cast<std::int64_t>(p.n_q) * p.n_head >= p.tc_min_rows &&
         p.n_splits <= 1 && p.plan_keys == 0;
}

Status attention_tc(const AttentionParams& p, void* stream) {
  cudaStream_t s = detail::as_stream(stream);
  switch (p.head_dim) {
    case 64: return launch<64>(p, s);
    case 128: return launch<128>(p, s);
    case 256: return launch<256>(p, s);
    default: return launch<512>(p, s);
  }
}

}  // namespace coderx::kernels
