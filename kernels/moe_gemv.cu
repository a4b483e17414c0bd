// MoE decode kernels. Must match the expert part of the reference forward pass
// (model/ops_ref expert FFN + weighted sum, spec §2.3 step 11) to f32 accumulation error.
// Launch geometry:
//   gate_up: grid (ceil(n_ff / 8), n_tokens·k), block 128 = 4 warps; warp → rows 2w', 2w'+1 of
//            the slot's expert: act[slot][r] = gelu(gate_r·x)·(up_r·x), x and the rows staged in
//            shared memory (gemv_core.cuh staged_rows_dot). For n_embd > kStageMaxCols: block 256
//            = 8 warps, warp → one row, lane → chunks lane, lane+32, … of both rows.
//   down:    grid ceil(n_embd / 8), block 256; warp → output row r for every token; lane → the
//            (slot, chunk) pairs lane, lane+32, … of the token's k selected expert rows r.
#include <cmath>

#include "kernels/gemv_core.cuh"
#include "kernels/launch_shape.h"
#include "kernels/moe_gemv.h"

namespace coderx::kernels {

namespace {

constexpr int kWarps = 8;

// Lanes take the chunks of the gate and the up row together, so each lane has both rows' loads
// in flight; one warp sum per row at the end.
// Row r of expert e's gate (up = false) or up projection.
__device__ __forceinline__ const detail::u8* gate_up_row(const MoeDecodeParams& p, bool up, int e, int r,
                                                          std::int64_t row_bytes) {
  return static_cast<const detail::u8*>(up ? p.w.up : p.w.gate) + e * p.w.gate_up_expert_stride + r * row_bytes;
}

// act = gelu(gate·x · gate_scale[e]) · (up·x · up_scale[e]).
__device__ __forceinline__ float gate_up_value(const MoeDecodeParams& p, int e, float gv, float uv) {
  if (p.w.gate_scale) gv *= p.w.gate_scale[e];
  if (p.w.up_scale) uv *= p.w.up_scale[e];
  return detail::gelu_tanh(gv) * uv;
}

template <WeightType T>
__global__ void moe_gate_up_kernel(MoeDecodeParams p, std::int64_t row_bytes) {
  const int r = blockIdx.x * kWarps + (threadIdx.x >> 5);
  if (r >= p.n_ff) return;
  const int lane = threadIdx.x & 31;
  const int slot = blockIdx.y;
  const int token = slot / p.k;
  const int e = p.ids[slot];
  float* out = p.act + static_cast<std::int64_t>(slot) * p.n_ff + r;
  if (e < 0 || e >= p.n_expert) {
    if (lane == 0) *out = NAN;
    return;
  }
  const detail::u8* g = gate_up_row(p, false, e, r, row_bytes);
  const detail::u8* u = gate_up_row(p, true, e, r, row_bytes);
  const float* x = p.x + static_cast<std::int64_t>(token) * p.n_embd;
  float gv = 0.0f, uv = 0.0f;
  const int n_chunks = p.n_embd / 32;
#pragma unroll 2
  for (int c = lane; c < n_chunks; c += 32) {
    gv += detail::row_chunk_dot<T>(g, c, x);
    uv += detail::row_chunk_dot<T>(u, c, x);
  }
  gv = detail::warp_sum(gv);
  uv = detail::warp_sum(uv);
  if (lane == 0) *out = gate_up_value(p, e, gv, uv);
}

// The same with x (the token's expert input) and the rows staged in shared memory
// (gemv_core.cuh staged_rows_dot): warp w of block (b, slot) computes rows (4b + w)·2 and +1.
constexpr int kStageWarps = 4;
constexpr int kStagedRowsPerWarp = 2;

template <WeightType T>
__global__ void __launch_bounds__(kStageWarps * 32)
    moe_gate_up_staged_kernel(MoeDecodeParams p, std::int64_t row_bytes, StageGeometry sg) {
  CODERX_DYNAMIC_SHARED(unsigned char, smem);
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
  const int slot = blockIdx.y;
  const int token = slot / p.k;
  const int e = p.ids[slot];
  const int n_chunks = p.n_embd / 32;
  float* xs = reinterpret_cast<float*>(smem);
  auto* seg = smem + static_cast<std::size_t>(n_chunks) * kStagePitch * sizeof(float) + warp * (kStageSegBytes + 16);
  detail::stage_x(p.x + static_cast<std::int64_t>(token) * p.n_embd, p.n_embd, xs);
  const int r0 = (blockIdx.x * kStageWarps + warp) * kStagedRowsPerWarp;
  const int n_rows = min(kStagedRowsPerWarp, p.n_ff - r0);
  if (n_rows <= 0) return;
  float* out = p.act + static_cast<std::int64_t>(slot) * p.n_ff + r0;
  if (e < 0 || e >= p.n_expert) {
    if (lane < n_rows) out[lane] = NAN;
    return;
  }
  // Rows gate r0, up r0, gate r0 + 1, up r0 + 1.
  const detail::RowSet rows{gate_up_row(p, false, e, r0, row_bytes), gate_up_row(p, true, e, r0, row_bytes), row_bytes};
  float sums[2 * kStagedRowsPerWarp];
  detail::staged_rows_dot<T>(rows, 2 * n_rows, n_chunks, xs, seg, sg, sums);
#pragma unroll
  for (int i = 0; i < kStagedRowsPerWarp; ++i)
    if (i < n_rows && lane == 0) out[i] = gate_up_value(p, e, sums[2 * i], sums[2 * i + 1]);
}

// For each token the lanes take the (slot, chunk) pairs of its k expert rows r in turn: all
// lanes busy even for short rows (n_ff = 704: 22 chunks), loads independent, one warp sum.
template <WeightType T>
__global__ void moe_down_kernel(MoeDecodeParams p, std::int64_t row_bytes) {
  const int r = blockIdx.x * kWarps + (threadIdx.x >> 5);
  if (r >= p.n_embd) return;
  const int lane = threadIdx.x & 31;
  const int n_chunks = p.n_ff / 32;
  const auto* down = static_cast<const detail::u8*>(p.w.down) + r * row_bytes;
  for (int t = 0; t < p.n_tokens; ++t) {
    float sum = 0.0f;
    bool bad = false;
#pragma unroll 2
    for (int task = lane; task < p.k * n_chunks; task += 32) {
      const int j = task / n_chunks, c = task - j * n_chunks;
      const int slot = t * p.k + j;
      const int e = p.ids[slot];
      if (e < 0 || e >= p.n_expert) {
        bad = true;
        continue;
      }
      const float v = detail::row_chunk_dot<T>(down + e * p.w.down_expert_stride, c,
                                               p.act + static_cast<std::int64_t>(slot) * p.n_ff);
      sum += p.weights[slot] * (p.w.down_scale ? p.w.down_scale[e] : 1.0f) * v;
    }
    sum = detail::warp_sum(sum);
    bad = __any_sync(0xffffffffu, bad);
    if (lane == 0) p.y[static_cast<std::int64_t>(t) * p.n_embd + r] = bad ? NAN : sum;
  }
}

Status check_gate_up(const MoeDecodeParams& p) {
  if (!p.x || !p.ids || !p.act) return invalid("moe_decode: x, ids and act required");
  if (!p.w.gate || !p.w.up) return invalid("moe_decode: gate and up weights required");
  if (p.n_tokens < 1 || p.n_tokens > kMoeDecodeMaxTokens) return invalid("moe_decode: n_tokens must be 1..8");
  if (p.k < 1 || p.n_expert < 1) return invalid("moe_decode: k and n_expert must be positive");
  if (!row_supported(p.w.gate_up_type, p.n_embd)) return unsupported("moe_decode: gate/up type or n_embd not supported");
  return Status::success();
}

Status check_down(const MoeDecodeParams& p) {
  if (!p.weights || !p.y || !p.w.down) return invalid("moe_decode: weights, y and down weights required");
  if (!row_supported(p.w.down_type, p.n_ff)) return unsupported("moe_decode: down type or n_ff not supported");
  return Status::success();
}

}  // namespace

Status moe_gate_up(const MoeDecodeParams& p, void* stream) {
  if (Status st = check_gate_up(p); !st.ok()) return st;
  cudaStream_t s = detail::as_stream(stream);
  const std::int64_t gu_bytes = weight_row_bytes(p.w.gate_up_type, p.n_embd);
  const unsigned slots = static_cast<unsigned>(p.n_tokens * p.k);
  const bool staged = p.n_embd <= kStageMaxCols;
  const dim3 grid_gu(static_cast<unsigned>(blocks_for(p.n_ff, kWarps)), slots);
  const dim3 grid_staged(static_cast<unsigned>(blocks_for(p.n_ff, kStageWarps * kStagedRowsPerWarp)), slots);
  const std::size_t smem = stage_smem_bytes(p.n_embd, kStageWarps);
  const StageGeometry sg = stage_geometry(p.w.gate_up_type);
  detail::dispatch_weight_type(p.w.gate_up_type, [&](auto tag) {
    constexpr WeightType T = decltype(tag)::value;
    if (staged)
      CODERX_LAUNCH(grid_staged, kStageWarps * 32, smem, s, moe_gate_up_staged_kernel<T>)(p, gu_bytes, sg);
    else
      CODERX_LAUNCH(grid_gu, kWarps * 32, 0, s, moe_gate_up_kernel<T>)(p, gu_bytes);
  });
  return detail::launch_status("moe_decode gate_up");
}

Status moe_decode(const MoeDecodeParams& p, void* stream) {
  if (Status st = check_down(p); !st.ok()) return st;
  if (Status st = moe_gate_up(p, stream); !st.ok()) return st;
  const auto grid_d = static_cast<unsigned>(blocks_for(p.n_embd, kWarps));
  const std::int64_t d_bytes = weight_row_bytes(p.w.down_type, p.n_ff);
  detail::dispatch_weight_type(p.w.down_type, [&](auto tag) {
    constexpr WeightType T = decltype(tag)::value;
    CODERX_LAUNCH(grid_d, kWarps * 32, 0, detail::as_stream(stream), moe_down_kernel<T>)(p, d_bytes);
  });
  return detail::launch_status("moe_decode down");
}

}  // namespace coderx::kernels
