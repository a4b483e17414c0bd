// Attention kernels (decode and prefill share them). Must match model/ops_ref attention
// (spec §2.3 step 6: scale 1.0, causal, sliding window, contiguous GQA) with K and V rounded to
// f16 as stored in the cache; scores, softmax and the V sum are f32.
// Launch geometry:
//   partial: grid (n_splits, n_kv · head_blocks, ceil(n_q / tq)), 256 threads = 8 warps, dynamic
//            shared memory (opt-in above 48 KB). A block serves 8 item slots (query, head) of
//            one KV head (split_k.h: hpb heads × tq queries) over one split's keys, narrowed to
//            what its queries can see. Tiles of 32 keys of K and V are staged with 16-byte
//            cp.async copies in a ring of 2–4 stages (rows padded by 16 bytes). Per tile:
//            scores: thread = (2 keys, 1/16 of the dims), every item, q from shared memory;
//            softmax: warp w updates item w's (max, sum) and writes its probabilities;
//            values: thread = (8 dims, a key group), accumulating every item in registers.
//            After the last tile the key groups are summed in shared memory; with one split the
//            block writes the normalised output, else the (max, sum, acc) partials.
//   combine: grid (n_q · n_head, head_dim / 32), 128 threads = 4 warps over the splits, lane =
//            dim; merges the splits' (max, sum, acc) triples (only launched when n_splits > 1).
//   kv_append: one thread per element.
// Masked keys get probability 0 and their V rows are still read: V rows in a block's key range
// must be finite (they are: every position there has been appended).
#include <cuda_fp16.h>

#include <climits>
#include <cmath>
#include <mutex>
#include <type_traits>

#include "kernels/attention.h"
#include "kernels/attention_mask.cuh"
#include "kernels/attention_tc.h"
#include "kernels/cuda_util.cuh"
#include "kernels/launch_shape.h"
#include "kernels/split_k.h"

namespace coderx::kernels {

namespace {

constexpr int kItems = kAttnWarps;  // item slots per block
constexpr int kWarps = kAttnWarps;
constexpr int kThreads = kWarps * 32;
constexpr int kKeys = kAttnKeyTile;  // keys per tile (= lanes of a warp)
constexpr int kMaxDevices = 16;
static_assert(kKeys == 32 && kItems == 8, "the tile code assumes 32 keys and 8 item slots");

// Per head-dim constants of the partial kernel.
template <int HD>
struct Cfg {
  static constexpr int kRow = HD + 8;                       // halfs per staged row (16 B pad)
  static constexpr int kChunks = HD / 8;                    // 16-byte chunks per row
  static constexpr int kKeyGroups = kThreads / kChunks;     // value phase: threads per chunk column
  static constexpr int kStageBytes = 2 * kKeys * kRow * 2;  // K tile then V tile, f16
  static constexpr int kRedBytes = kKeyGroups * kItems * HD * 4;  // end-of-block sums: 64 KB
  static constexpr int kStages = HD == 512 ? 3 : HD == 256 ? 2 : HD == 128 ? 3 : 4;  // preferred
  static constexpr int kMinBlocks = HD == 512 ? 1 : 2;  // resident blocks per SM aimed at
};

struct Geometry {
  KeyRange keys;
  SplitPlan plan;
  AttentionBlocks b;
  int stages = 2;
};

// Byte size of the dynamic shared memory for a stage count: the stage ring (which the end-of-
// block sums reuse), then q, partial scores, probabilities and per-item scalars.
template <int HD>
__host__ __device__ constexpr int pipe_bytes(int stages) {
  return stages * Cfg<HD>::kStageBytes > Cfg<HD>::kRedBytes ? stages * Cfg<HD>::kStageBytes
                                                            : Cfg<HD>::kRedBytes;
}
template <int HD>
__host__ __device__ constexpr int smem_bytes(int stages) {
  return pipe_bytes<HD>(stages) + kItems * HD * 4 + kWarps * kItems * kKeys * 4 +
         kKeys * kItems * 4 + 4 * kItems * 4;
}

template <int HD>
struct Smem {
  unsigned char* pipe;  // stages × [K: 32 × kRow, V: 32 × kRow] f16
  float* q;             // [8 items][HD]
  float* part;          // [8 warps][8 items][32 keys] partial dot products
  float* prob;          // [32 keys][8 items] softmax numerators of the tile
  float* corr;          // [8] rescale of the running sums for this tile
  float* m;             // [8] final running max (end of block)
  float* l;             // [8] final running sum
  int* pos;             // [8] query positions of the slots
  float* red;           // [kKeyGroups][8][HD], aliases pipe after the last tile

  __device__ __half* stage(int s) const {
    return reinterpret_cast<__half*>(pipe + s * Cfg<HD>::kStageBytes);
  }
};

template <int HD>
__device__ Smem<HD> smem_layout(unsigned char* base, int stages) {
  Smem<HD> s;
  s.pipe = base;
  s.red = reinterpret_cast<float*>(base);
  s.q = reinterpret_cast<float*>(base + pipe_bytes<HD>(stages));
  s.part = s.q + kItems * HD;
  s.prob = s.part + kWarps * kItems * kKeys;
  s.corr = s.prob + kKeys * kItems;
  s.m = s.corr + kItems;
  s.l = s.m + kItems;
  s.pos = reinterpret_cast<int*>(s.l + kItems);
  return s;
}

// --- cp.async (sm_80+): 16-byte copies global → shared; src_bytes 0 zero-fills ---

// A `stages`-deep ring has stages - 1 tiles in flight; waiting for the oldest leaves the newest
// stages - 2 groups pending (at most 2: the ring has 2-4 stages).
__host__ __device__ constexpr int groups_left_pending(int stages) { return stages >= 4 ? 2 : stages == 3 ? 1 : 0; }

// The CPU emulation (tests/kernels/emu/fiber_grid.h) lands each copy only at the wait that
// completes its group, with the destination NaN until then.
#if defined(CODERX_CUDA_EMU)
inline void cp_async16(void* dst, const void* src, int src_bytes) { ::coderx::emu::async_copy16(dst, src, src_bytes); }
inline void cp_async_commit() { ::coderx::emu::async_commit(); }
inline void cp_async_wait_tile(int stages) { ::coderx::emu::async_wait(groups_left_pending(stages)); }
#else
__device__ __forceinline__ void cp_async16(void* dst, const void* src, int src_bytes) {
  const unsigned d = static_cast<unsigned>(__cvta_generic_to_shared(dst));
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(d), "l"(src), "r"(src_bytes)
               : "memory");
}
__device__ __forceinline__ void cp_async_commit() {
  asm volatile("cp.async.commit_group;\n" ::: "memory");
}

// Waits until the oldest outstanding tile of a `stages`-deep ring has landed (this thread's part).
__device__ __forceinline__ void cp_async_wait_tile(int stages) {
  const int pending = groups_left_pending(stages);  // wait_group takes an immediate
  if (pending == 2)
    asm volatile("cp.async.wait_group 2;\n" ::: "memory");
  else if (pending == 1)
    asm volatile("cp.async.wait_group 1;\n" ::: "memory");
  else
    asm volatile("cp.async.wait_group 0;\n" ::: "memory");
}
#endif

// W consecutive f16 (W = 4 or 8, 8·W-bit aligned) → f32.
template <int W>
__device__ __forceinline__ void load_halfs(const __half* src, float* dst) {
  static_assert(W == 4 || W == 8, "one 8- or 16-byte load");
  using Raw = std::conditional_t<W == 8, uint4, uint2>;
  const Raw raw = *reinterpret_cast<const Raw*>(src);
  const __half2* h = reinterpret_cast<const __half2*>(&raw);
#pragma unroll
  for (int k = 0; k < W / 2; ++k) {
    const float2 f = __half22float2(h[k]);
    dst[2 * k] = f.x;
    dst[2 * k + 1] = f.y;
  }
}

// --- which items and keys a block serves ---

struct BlockCtx {
  int g = 0;           // KV head
  int n_active = 0;    // slots 0 … n_active-1 have a query
  int lo = 0, hi = 0;  // keys [lo, hi) visited (positions < INT_MAX)
};

// Row of slot `slot` in q / out: token · n_head + head.
__device__ std::int64_t slot_row(const AttentionParams& p, const AttentionBlocks& b, int slot) {
  const int group = p.n_head / p.n_kv;
  const int g = blockIdx.y / b.head_blocks, hb = blockIdx.y % b.head_blocks;
  const int token = blockIdx.z * b.tq + slot / b.hpb;
  const int head = g * group + hb * b.hpb + slot % b.hpb;
  return static_cast<std::int64_t>(token) * p.n_head + head;
}

// Narrows the split to the keys the block's queries can see. With one query tile (decode) they
// are the batch, whose host pos_min / pos_max need no device read before the copies start; with
// plan_keys the batch's range and the split chunk come from q_pos (the same in every block).
__device__ BlockCtx block_ctx(const AttentionParams& p, const Geometry& geo) {
  BlockCtx bc;
  bc.g = blockIdx.y / geo.b.head_blocks;
  const int first = blockIdx.z * geo.b.tq, n_tok = min(geo.b.tq, p.n_q - first);
  bc.n_active = n_tok * geo.b.hpb;
  std::int64_t lo_pos = p.pos_min, hi_pos = p.pos_max;
  std::int64_t keys_begin = geo.keys.begin, keys_end = geo.keys.end, chunk = geo.plan.chunk;
  if (p.plan_keys > 0) {
    lo_pos = INT_MAX;
    hi_pos = INT_MIN;
    for (int t = 0; t < p.n_q; ++t) {
      const std::int64_t pq = p.q_pos[t];
      lo_pos = min(lo_pos, pq);
      hi_pos = max(hi_pos, pq);
    }
    keys_begin = detail::first_visible_key(lo_pos, p.window);
    keys_end = hi_pos + 1;
    const std::int64_t n_splits = geo.plan.n_splits;
    chunk = ((keys_end - keys_begin + n_splits - 1) / n_splits + kAttnKeyTile - 1) / kAttnKeyTile * kAttnKeyTile;
    chunk = max(chunk, static_cast<std::int64_t>(kAttnKeyTile));
  }
  if (geo.b.q_tiles > 1) {
    lo_pos = INT_MAX;
    hi_pos = INT_MIN;
    for (int t = 0; t < n_tok; ++t) {
      const std::int64_t pq = p.q_pos[first + t];
      lo_pos = min(lo_pos, pq);
      hi_pos = max(hi_pos, pq);
    }
  }
  const std::int64_t split_begin = keys_begin + blockIdx.x * chunk;
  const std::int64_t split_end = min(keys_end, split_begin + chunk);
  const std::int64_t lo = p.window > 0 ? lo_pos - p.window + 1 : std::int64_t{0};
  bc.lo = static_cast<int>(max(split_begin, lo));
  bc.hi = static_cast<int>(min(split_end, hi_pos + 1));
  return bc;
}

// Starts copying tile t (keys lo + 32t …, slot = position % n_slots, may wrap the ring) of KV
// head g into a stage; keys at or past hi are zero-filled.
template <int HD>
__device__ void issue_tile(const AttentionParams& p, const BlockCtx& bc, int t, __half* stage) {
  using C = Cfg<HD>;
  const auto* k = static_cast<const __half*>(p.k_cache);
  const auto* v = static_cast<const __half*>(p.v_cache);
  const int t0 = bc.lo + t * kKeys;
  const std::int64_t slot0 = t0 % p.n_slots;
#pragma unroll
  for (int r = 0; r < kKeys * C::kChunks / kThreads; ++r) {
    const int idx = threadIdx.x + r * kThreads;
    const int j = idx / C::kChunks, c = idx % C::kChunks;
    const bool ok = t0 + j < bc.hi;
    std::int64_t slot = slot0 + j;  // j < hi - lo <= n_slots for valid keys: one wrap at most
    if (slot >= p.n_slots) slot -= p.n_slots;
    const std::int64_t off = (slot * p.n_kv + bc.g) * HD + c * 8;
    __half* dk = stage + j * C::kRow + c * 8;
    cp_async16(dk, ok ? k + off : k, ok ? 16 : 0);
    cp_async16(dk + kKeys * C::kRow, ok ? v + off : v, ok ? 16 : 0);
  }
}

// q of the active slots into shared memory (zeros for the others), their positions, and
// corr = 1 (inactive slots keep it). Visible after the next barrier.
template <int HD>
__device__ void load_queries(const AttentionParams& p, const Geometry& geo, const BlockCtx& bc,
                             const Smem<HD>& sm) {
  const int n = bc.n_active;
  if (threadIdx.x < kItems) {
    const int i = threadIdx.x;
    sm.pos[i] = i < n ? p.q_pos[slot_row(p, geo.b, i) / p.n_head] : 0;
    sm.corr[i] = 1.0f;
  }
  for (int idx = threadIdx.x; idx < kItems * HD; idx += kThreads) {
    const int i = idx / HD, d = idx % HD;
    sm.q[idx] = i < n ? p.q[slot_row(p, geo.b, i) * HD + d] : 0.0f;
  }
}

// --- per-tile phases ---

// Merges the two dim halves (lanes l and l^16 hold the same keys) into part[item][key] of the
// warp: with 8 items half h keeps items 4h … 4h+3 and receives the other half's sums for them;
// with fewer, half 0 receives every item's.
template <int NI>
__device__ __forceinline__ void merge_halves(const float (&s0)[kItems], const float (&s1)[kItems],
                                             float* part) {
  const int lane = threadIdx.x & 31, kp = lane & 15, h = lane >> 4;
  if constexpr (NI == kItems) {
#pragma unroll
    for (int i = 0; i < kItems / 2; ++i) {
      const float a = __shfl_xor_sync(0xffffffffu, h ? s0[i] : s0[i + 4], 16);
      const float b = __shfl_xor_sync(0xffffffffu, h ? s1[i] : s1[i + 4], 16);
      float* row = part + (h * 4 + i) * kKeys;
      row[kp] = (h ? s0[i + 4] : s0[i]) + a;
      row[kp + 16] = (h ? s1[i + 4] : s1[i]) + b;
    }
  } else {
#pragma unroll
    for (int i = 0; i < NI; ++i) {
      const float a = __shfl_xor_sync(0xffffffffu, s0[i], 16);
      const float b = __shfl_xor_sync(0xffffffffu, s1[i], 16);
      if (h == 0) {
        part[i * kKeys + kp] = s0[i] + a;
        part[i * kKeys + kp + 16] = s1[i] + b;
      }
    }
  }
}

// Scores: lane = (key pair kp, half h), warp w; the thread dots keys kp and kp+16 with items
// 0 … NI-1 over its dims (chunks 2w+h, 2w+h+16, …), the two halves are merged with a shuffle,
// and part[w][item][key] receives the warp's partial sums. NI is a compile-time item count (no
// per-item branches, so all 2·NI accumulation chains interleave); slots past n_active have q = 0.
template <int HD, int NI>
__device__ void tile_scores(const __half* ks, const Smem<HD>& sm) {
  constexpr int D = HD / 16;         // dims per thread
  constexpr int W = D >= 8 ? 8 : D;  // dims per load
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  const int kp = lane & 15, h = lane >> 4, dg = warp * 2 + h;
  float s0[kItems] = {}, s1[kItems] = {};
#pragma unroll
  for (int r = 0; r < D / W; ++r) {
    const int d0 = (dg + 16 * r) * W;
    float ka[W], kb[W];
    load_halfs<W>(ks + kp * Cfg<HD>::kRow + d0, ka);
    load_halfs<W>(ks + (kp + 16) * Cfg<HD>::kRow + d0, kb);
#pragma unroll
    for (int i = 0; i < NI; ++i) {
#pragma unroll
      for (int e = 0; e < W; e += 4) {
        const float4 q = *reinterpret_cast<const float4*>(sm.q + i * HD + d0 + e);
        s0[i] = fmaf(q.x, ka[e],
                     fmaf(q.y, ka[e + 1], fmaf(q.z, ka[e + 2], fmaf(q.w, ka[e + 3], s0[i]))));
        s1[i] = fmaf(q.x, kb[e],
                     fmaf(q.y, kb[e + 1], fmaf(q.z, kb[e + 2], fmaf(q.w, kb[e + 3], s1[i]))));
      }
    }
  }
  merge_halves<NI>(s0, s1, sm.part + warp * kItems * kKeys);
}

// Softmax: warp i (an active item) takes lane = key, sums the 8 partials, masks, and updates its
// running (m, l); prob[key][i] and corr[i] feed the value phase.
template <int HD>
__device__ void tile_softmax(const AttentionParams& p, const BlockCtx& bc, int t0,
                             const Smem<HD>& sm, float& m, float& l) {
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  if (warp >= bc.n_active) return;
  float s = 0.0f;
#pragma unroll
  for (int w = 0; w < kWarps; ++w) s += sm.part[(w * kItems + warp) * kKeys + lane];
  const int pos = t0 + lane;
  const int pq = sm.pos[warp];
  const bool ok = pos < bc.hi && detail::key_visible(pq, pos, p.window);
  s = ok ? s * p.scale : -INFINITY;
  const float m_new = fmaxf(m, detail::warp_max(s));
  const float e = ok ? expf(s - m_new) : 0.0f;
  const float corr = m == -INFINITY ? 0.0f : expf(m - m_new);
  l = l * corr + detail::warp_sum(e);
  m = m_new;
  sm.prob[lane * kItems + warp] = e;
  if (lane == 0) sm.corr[warp] = corr;
}

// Values: thread = (chunk c of 8 dims, key group kg); acc[i][·] = acc·corr[i] + Σ_j prob[j][i]·v_j
// over the tile's keys j ≡ kg (mod kKeyGroups), for items i < NI (the accumulators of slots past
// n_active may hold garbage: they are never written out).
template <int HD, int NI>
__device__ void tile_values(const __half* vs, const Smem<HD>& sm, float (&acc)[kItems][8]) {
  using C = Cfg<HD>;
  const int c = threadIdx.x % C::kChunks, kg = threadIdx.x / C::kChunks;
  const float4 c0 = *reinterpret_cast<const float4*>(sm.corr),
               c1 = *reinterpret_cast<const float4*>(sm.corr + 4);
  const float cr[kItems] = {c0.x, c0.y, c0.z, c0.w, c1.x, c1.y, c1.z, c1.w};
  bool rescale = false;  // no running max moved (the usual case): nothing to rescale
#pragma unroll
  for (int i = 0; i < kItems; ++i) rescale |= cr[i] != 1.0f;
  if (rescale) {
#pragma unroll
    for (int i = 0; i < NI; ++i) {
#pragma unroll
      for (int e = 0; e < 8; ++e) acc[i][e] *= cr[i];
    }
  }
#pragma unroll 2  // two keys' loads in flight: all 8·8 accumulators stay in registers
  for (int r = 0; r < kKeys / C::kKeyGroups; ++r) {
    const int j = kg + r * C::kKeyGroups;
    float v[8];
    load_halfs<8>(vs + j * C::kRow + c * 8, v);
    const float4 pa = *reinterpret_cast<const float4*>(sm.prob + j * kItems);
    const float4 pb = *reinterpret_cast<const float4*>(sm.prob + j * kItems + 4);
    const float pw[kItems] = {pa.x, pa.y, pa.z, pa.w, pb.x, pb.y, pb.z, pb.w};
#pragma unroll
    for (int i = 0; i < NI; ++i) {
#pragma unroll
      for (int e = 0; e < 8; ++e) acc[i][e] = fmaf(pw[i], v[e], acc[i][e]);
    }
  }
}

// --- end of block: sum the key groups, write the output or the split's partials ---

template <int HD>
__device__ void finish(const AttentionParams& p, const Geometry& geo, const BlockCtx& bc,
                       const Smem<HD>& sm, const float (&acc)[kItems][8], float m, float l) {
  using C = Cfg<HD>;
  const int warp = threadIdx.x >> 5;
  const int c = threadIdx.x % C::kChunks, kg = threadIdx.x / C::kChunks;
  __syncthreads();  // every thread is past its last read of the stages, which red reuses
  if ((threadIdx.x & 31) == 0 && warp < bc.n_active) {
    sm.m[warp] = m;
    sm.l[warp] = l;
  }
#pragma unroll
  for (int i = 0; i < kItems; ++i) {
    if (i >= bc.n_active) continue;
    float* dst = sm.red + (kg * kItems + i) * HD + c * 8;
    *reinterpret_cast<float4*>(dst) = make_float4(acc[i][0], acc[i][1], acc[i][2], acc[i][3]);
    *reinterpret_cast<float4*>(dst + 4) = make_float4(acc[i][4], acc[i][5], acc[i][6], acc[i][7]);
  }
  __syncthreads();
  const bool direct = geo.plan.n_splits == 1;
  for (int o = threadIdx.x; o < bc.n_active * HD; o += kThreads) {
    const int i = o / HD, d = o % HD;
    float sum = 0.0f;
#pragma unroll
    for (int g = 0; g < C::kKeyGroups; ++g) sum += sm.red[g * kItems * HD + o];
    const std::int64_t row = slot_row(p, geo.b, i);
    if (direct) {
      p.out[row * HD + d] = sm.l[i] > 0.0f ? sum / sm.l[i] : 0.0f;
    } else {
      float* part = p.workspace + (row * geo.plan.n_splits + blockIdx.x) * (HD + 2);
      part[2 + d] = sum;
      if (d == 0) {
        part[0] = sm.m[i];
        part[1] = sm.l[i];
      }
    }
  }
}

// The tile loop for NI computed item slots (n_active rounded up to 1, 2, 4 or 8).
template <int HD, int NI>
__device__ __forceinline__ void run_tiles(const AttentionParams& p, const Geometry& geo,
                                          const BlockCtx& bc, const Smem<HD>& sm, int n_tiles,
                                          float (&acc)[kItems][8], float& m, float& l) {
  for (int t = 0; t < n_tiles; ++t) {
    cp_async_wait_tile(geo.stages);
    __syncthreads();  // tile t (and q, pos) visible; every thread is done with tile t-1's stage
    const int next = t + geo.stages - 1;
    if (next < n_tiles) issue_tile<HD>(p, bc, next, sm.stage(next % geo.stages));
    cp_async_commit();
    const __half* ks = sm.stage(t % geo.stages);
    tile_scores<HD, NI>(ks, sm);
    __syncthreads();
    tile_softmax<HD>(p, bc, bc.lo + t * kKeys, sm, m, l);
    __syncthreads();
    tile_values<HD, NI>(ks + kKeys * Cfg<HD>::kRow, sm, acc);
  }
}

template <int HD>
__global__ void __launch_bounds__(kThreads, Cfg<HD>::kMinBlocks)
    attn_partial_kernel(AttentionParams p, Geometry geo) {
  CODERX_DYNAMIC_SHARED(unsigned char, smem_raw);
  const Smem<HD> sm = smem_layout<HD>(smem_raw, geo.stages);
  const BlockCtx bc = block_ctx(p, geo);
  const int n_tiles = bc.hi > bc.lo ? (bc.hi - bc.lo + kKeys - 1) / kKeys : 0;
  for (int s = 0; s + 1 < geo.stages; ++s) {
    if (s < n_tiles) issue_tile<HD>(p, bc, s, sm.stage(s));
    cp_async_commit();
  }
  load_queries<HD>(p, geo, bc, sm);
  float acc[kItems][8] = {};
  float m = -INFINITY, l = 0.0f;
  if (bc.n_active <= 1)  // uniform over the block
    run_tiles<HD, 1>(p, geo, bc, sm, n_tiles, acc, m, l);
  else if (bc.n_active <= 2)
    run_tiles<HD, 2>(p, geo, bc, sm, n_tiles, acc, m, l);
  else if (bc.n_active <= 4)
    run_tiles<HD, 4>(p, geo, bc, sm, n_tiles, acc, m, l);
  else
    run_tiles<HD, kItems>(p, geo, bc, sm, n_tiles, acc, m, l);
  finish<HD>(p, geo, bc, sm, acc, m, l);
}

// --- combine ---

constexpr int kCombineWarps = 4;
constexpr int kCombineSplits = kAttnMaxSplits / kCombineWarps;  // splits per warp at most

// weight[s] = exp(m_s - max m) (0 for an empty split) for every split; returns Σ weight·l_s.
// Called by a whole warp; each warp computes the same values.
__device__ float split_weights(const float* part, int n_splits, int stride, float* weight) {
  const int lane = threadIdx.x & 31;
  float mx = -INFINITY;
  for (int s = lane; s < n_splits; s += 32) mx = fmaxf(mx, part[s * stride]);
  mx = detail::warp_max(mx);
  float l = 0.0f;
  for (int s = lane; s < n_splits; s += 32) {
    const float ms = part[s * stride];
    const float w = ms == -INFINITY ? 0.0f : expf(ms - mx);
    weight[s] = w;
    l += w * part[s * stride + 1];
  }
  return detail::warp_sum(l);
}

// Block = (item, 32 dims); warp w sums the splits s ≡ w (mod 4), then warp 0 adds the four.
__global__ void __launch_bounds__(kCombineWarps * 32)
    attn_combine_kernel(AttentionParams p, int n_splits) {
  __shared__ float weight[kCombineWarps][kAttnMaxSplits];
  __shared__ float sums[kCombineWarps][32];
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  const std::int64_t item = blockIdx.x;  // token · n_head + head
  const int hd = p.head_dim, stride = hd + 2;
  const int d = blockIdx.y * 32 + lane;  // head_dim is a multiple of 32
  const float* part = p.workspace + item * n_splits * stride;
  float a[kCombineSplits];
#pragma unroll
  for (int r = 0; r < kCombineSplits; ++r) {
    const int s = warp + r * kCombineWarps;
    a[r] = s < n_splits ? part[s * stride + 2 + d] : 0.0f;
  }
  const float l_all = split_weights(part, n_splits, stride, weight[warp]);
  __syncwarp();
  float v = 0.0f;
#pragma unroll
  for (int r = 0; r < kCombineSplits; ++r) {
    const int s = warp + r * kCombineWarps;
    if (s < n_splits) v += weight[warp][s] * a[r];
  }
  sums[warp][lane] = v;
  __syncthreads();
  if (warp != 0) return;
  v = sums[0][lane] + sums[1][lane] + sums[2][lane] + sums[3][lane];
  p.out[item * hd + d] = l_all > 0.0f ? v / l_all : 0.0f;
}

// --- host side ---

// Per device and head dim: stages, dynamic shared memory and the blocks the device runs at once.
struct KernelSetup {
  int stages = 0;
  int smem = 0;
  int block_slots = 0;
};

// The preferred stage count, fewer where the device's opt-in shared memory is smaller.
template <int HD>
int stages_for(int optin) {
  int stages = Cfg<HD>::kStages;
  while (stages > 2 && smem_bytes<HD>(stages) > optin) --stages;
  return stages;
}

template <int HD>
Status compute_setup(int dev, KernelSetup& out) {
  const auto kernel = attn_partial_kernel<HD>;
  int optin = 0, n_sms = 0, per_sm = 0;
  cudaError_t err = cudaDeviceGetAttribute(&optin, cudaDevAttrMaxSharedMemoryPerBlockOptin, dev);
  if (err == cudaSuccess) err = cudaDeviceGetAttribute(&n_sms, cudaDevAttrMultiProcessorCount, dev);
  const int stages = stages_for<HD>(optin), smem = smem_bytes<HD>(stages);
  if (err == cudaSuccess && smem > optin)
    return unsupported("attention: the device has too little shared memory for this head_dim");
  if (err == cudaSuccess)
    err = cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, smem);
  if (err == cudaSuccess)  // L1 is not used by the kernel: give the SM's memory to the blocks
    err = cudaFuncSetAttribute(kernel, cudaFuncAttributePreferredSharedMemoryCarveout,
                               cudaSharedmemCarveoutMaxShared);
  if (err == cudaSuccess)
    err = cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, kernel, kThreads, smem);
  if (err != cudaSuccess) return detail::cuda_status(err, "attention setup");
  if (per_sm < 1) return unsupported("attention: the partial kernel does not fit on an SM");
  out = KernelSetup{stages, smem, n_sms * per_sm};
  return Status::success();
}

// Cached compute_setup for the current device; thread-safe.
template <int HD>
Status kernel_setup(KernelSetup& out) {
  static std::mutex mu;
  static KernelSetup cache[kMaxDevices];
  int dev = 0;
  if (Status st = detail::cuda_status(cudaGetDevice(&dev), "attention"); !st.ok()) return st;
  if (dev < 0 || dev >= kMaxDevices) return unsupported("attention: device index out of range");
  std::lock_guard<std::mutex> lock(mu);
  if (cache[dev].block_slots == 0) {
    if (Status st = compute_setup<HD>(dev, cache[dev]); !st.ok()) return st;
  }
  out = cache[dev];
  return Status::success();
}

template <int HD>
Status launch_partial(const AttentionParams& p, Geometry geo, cudaStream_t s, int& n_splits) {
  KernelSetup ks;
  if (Status st = kernel_setup<HD>(ks); !st.ok()) return st;
  const std::int64_t base_blocks =
      static_cast<std::int64_t>(p.n_kv) * geo.b.head_blocks * geo.b.q_tiles;
  geo.plan = plan_splits(p.plan_keys > 0 ? p.plan_keys : geo.keys.size(), base_blocks, ks.block_slots, p.n_splits, kAttnKeyTile,
                         p.max_splits);
  geo.stages = ks.stages;
  n_splits = geo.plan.n_splits;
  const dim3 grid(geo.plan.n_splits, p.n_kv * geo.b.head_blocks, geo.b.q_tiles);
  CODERX_LAUNCH(grid, kThreads, ks.smem, s, attn_partial_kernel<HD>)(p, geo);
  return detail::launch_status("attention partial");
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
  if (p.max_splits < 1 || p.max_splits > kAttnMaxSplits)
    return invalid("attention: max_splits out of range");
  if (p.pos_min < 0 || p.pos_max < p.pos_min || p.pos_max >= INT_MAX)
    return invalid("attention: bad position range");
  if ((reinterpret_cast<std::uintptr_t>(p.k_cache) | reinterpret_cast<std::uintptr_t>(p.v_cache)) %
          16 !=
      0)
    return invalid("attention: K/V cache must be 16-byte aligned");
  if (p.plan_keys < 0 || (p.plan_keys > 0 && (p.n_q > 8 || p.plan_keys > p.n_slots)))
    return invalid("attention: plan_keys needs n_q <= 8 and at most n_slots keys");
  if (attention_blocks(p.n_q, p.n_head, p.n_kv).q_tiles > 65535)
    return invalid("attention: too many queries for one launch");
  const KeyRange keys = key_range(p.pos_min, p.pos_max, p.window);
  if (keys.size() > p.n_slots)
    return invalid("attention: visible keys exceed the cache ring (n_slots too small)");
  return Status::success();
}

}  // namespace

std::size_t attention_workspace_floats(int n_q, int n_head, int head_dim, int max_splits) {
  return static_cast<std::size_t>(n_q) * n_head * max_splits * (head_dim + 2);
}

Status attention(const AttentionParams& p, void* stream) {
  if (Status st = check(p); !st.ok()) return st;
  if (attention_tc_eligible(p)) return attention_tc(p, stream);
  Geometry geo;
  geo.b = attention_blocks(p.n_q, p.n_head, p.n_kv);
  geo.keys = key_range(p.pos_min, p.pos_max, p.window);
  cudaStream_t s = detail::as_stream(stream);
  int n_splits = 1;
  Status st;
  switch (p.head_dim) {
    case 64:
      st = launch_partial<64>(p, geo, s, n_splits);
      break;
    case 128:
      st = launch_partial<128>(p, geo, s, n_splits);
      break;
    case 256:
      st = launch_partial<256>(p, geo, s, n_splits);
      break;
    default:
      st = launch_partial<512>(p, geo, s, n_splits);
      break;
  }
  if (!st.ok() || n_splits == 1) return st;
  const dim3 grid(static_cast<unsigned>(p.n_q * p.n_head), static_cast<unsigned>(p.head_dim / 32));
  CODERX_LAUNCH(grid, kCombineWarps * 32, 0, s, attn_combine_kernel)(p, n_splits);
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
  if (!p.k || !p.v || !p.k_cache || !p.v_cache || !p.pos)
    return invalid("kv_append: missing pointer");
  if (p.n_new <= 0 || p.n_kv <= 0 || p.head_dim <= 0 || p.n_slots <= 0)
    return invalid("kv_append: empty shape");
  const std::int64_t total = static_cast<std::int64_t>(p.n_new) * p.n_kv * p.head_dim;
  const auto blocks = static_cast<unsigned>(blocks_for(total, 256));
  CODERX_LAUNCH(blocks, 256, 0, detail::as_stream(stream), kv_append_kernel)(p);
  return detail::launch_status("kv_append");
}

}  // namespace coderx::kernels
