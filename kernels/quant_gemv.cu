// Quantised GEMV for decode. Must match model/ops_ref linear (+ softcap) within the per-type
// NMSE of tests/kernels/quant_gemv_gpu_test.cpp; f32 accumulation throughout (spec §7.10).
// Launch geometry:
//   one token (batch-1 decode, n_cols <= kStageMaxCols): block = 128 threads = 4 warps, warp w of
//     block b computes rows (4b + w)·R … +R-1 (R = 1…4, staged_rows_per_warp); x and each row's
//     segments go through shared memory (gemv_core.cuh staged_rows_dot); grid = ceil(n_rows / 4R).
//   2…8 tokens: block = 256 threads = 8 warps, warp w of block b computes row 8b + w for all
//     tokens; grid = ceil(n_rows / 8); each lane walks the row in 32-element chunks.
//   A group (quant_gemv_group) concatenates its parts' grids: block b serves the part whose
//     range [first_block[i], first_block[i+1]) holds b, as block b - first_block[i] of it.
#include "kernels/cuda_util.cuh"
#include "kernels/gemv_core.cuh"
#include "kernels/launch_shape.h"
#include "kernels/quant_gemv.h"

namespace coderx::kernels {

namespace {

constexpr int kWarps = 8;
constexpr int kStageWarps = 4;
constexpr int kMaxRowsPerWarp = 4;  // staged kernel

// acc[t] += Σ_i w[i] · x[t][32c + i] for the chunk c already decoded into w.
__device__ __forceinline__ void dot_chunk(const float* w, const float* x, std::int64_t n_cols, int c,
                                          int n_tokens, float* acc) {
#pragma unroll
  for (int t = 0; t < kGemvMaxTokens; ++t) {
    if (t >= n_tokens) break;
    acc[t] += detail::chunk_dot(w, x + t * n_cols + 32 * c);
  }
}

// The projections of one launch (quant_gemv_group): part i owns blocks first_block[i] … first_block[i+1]-1.
struct GemvGroup {
  GemvParams part[kGemvGroupMax];
  std::int64_t row_stride[kGemvGroupMax] = {};
  int rows_per_warp[kGemvGroupMax] = {};  // staged kernel only
  unsigned first_block[kGemvGroupMax + 1] = {};
  int count = 0;

  __device__ int part_of(unsigned block) const {
    int i = 0;
    while (i + 1 < count && block >= first_block[i + 1]) ++i;
    return i;
  }
};

template <WeightType T>
__global__ void gemv_kernel(GemvGroup g) {
  const int part = g.part_of(blockIdx.x);
  const GemvParams& p = g.part[part];
  const int lane = threadIdx.x & 31;
  const std::int64_t row = static_cast<std::int64_t>(blockIdx.x - g.first_block[part]) * kWarps + (threadIdx.x >> 5);
  if (row >= p.n_rows) return;
  const auto* wrow = static_cast<const std::uint8_t*>(p.w) + row * g.row_stride[part];
  float acc[kGemvMaxTokens] = {};
  const int n_chunks = static_cast<int>(p.n_cols / 32);
#pragma unroll 2
  for (int c = lane; c < n_chunks; c += 32) {
    float w[32];
    detail::Decoder<T>::chunk(wrow, c, w);
    dot_chunk(w, p.x, p.n_cols, c, p.n_tokens, acc);
  }
  const float scale = p.out_scale ? p.out_scale[0] : 1.0f;
#pragma unroll
  for (int t = 0; t < kGemvMaxTokens; ++t) {
    if (t >= p.n_tokens) break;
    float v = detail::warp_sum(acc[t]) * scale;
    if (p.softcap > 0.0f) v = p.softcap * tanhf(v / p.softcap);
    if (lane == 0) {
      float* out = p.y + t * p.n_rows + row;
      *out = p.accumulate ? *out + v : v;
    }
  }
}

// Batch-1 decode: rows_per_warp consecutive rows per warp, kStageWarps warps per block, x and
// the row segments staged in shared memory (gemv_core.cuh staged_rows_dot).

template <WeightType T>
__global__ void __launch_bounds__(kStageWarps * 32) gemv_staged_kernel(GemvGroup g, StageGeometry sg) {
  CODERX_DYNAMIC_SHARED(unsigned char, smem);
  const int part = g.part_of(blockIdx.x);
  const GemvParams& p = g.part[part];
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
  const int n_chunks = static_cast<int>(p.n_cols / 32);
  float* xs = reinterpret_cast<float*>(smem);
  auto* seg = smem + static_cast<std::size_t>(n_chunks) * kStagePitch * sizeof(float) + warp * (kStageSegBytes + 16);
  detail::stage_x(p.x, static_cast<int>(p.n_cols), xs);
  const float scale = p.out_scale ? p.out_scale[0] : 1.0f;
  const int rows_per_warp = g.rows_per_warp[part];
  const std::int64_t first = (static_cast<std::int64_t>(blockIdx.x - g.first_block[part]) * kStageWarps + warp) * rows_per_warp;
  const int n_rows = static_cast<int>(min(static_cast<std::int64_t>(rows_per_warp), p.n_rows - first));
  if (n_rows <= 0) return;
  float sums[kMaxRowsPerWarp];
  const detail::RowSet rows{static_cast<const std::uint8_t*>(p.w) + first * g.row_stride[part], nullptr, g.row_stride[part]};
  detail::staged_rows_dot<T>(rows, n_rows, n_chunks, xs, seg, sg, sums);
#pragma unroll
  for (int i = 0; i < kMaxRowsPerWarp; ++i) {
    if (i >= n_rows) break;
    float v = sums[i] * scale;
    if (p.softcap > 0.0f) v = p.softcap * tanhf(v / p.softcap);
    float* y = p.y + first + i;
    if (lane == 0) *y = p.accumulate ? *y + v : v;
  }
}

// Rows per warp: up to 4 (x staged once for more rows), fewer when that leaves under ~2 blocks
// per SM of an H100/H200.
int staged_rows_per_warp(std::int64_t n_rows) {
  const std::int64_t per_warp = n_rows / (kStageWarps * 264);
  return static_cast<int>(per_warp < 1 ? 1 : per_warp > kMaxRowsPerWarp ? kMaxRowsPerWarp : per_warp);
}

Status check(const GemvParams& p) {
  if (!p.w || !p.x || !p.y) return invalid("quant_gemv: w, x and y are required");
  if (p.n_rows <= 0) return invalid("quant_gemv: n_rows must be positive");
  if (p.n_tokens < 1 || p.n_tokens > kGemvMaxTokens) return invalid("quant_gemv: n_tokens must be 1..8");
  if (!row_supported(p.type, p.n_cols)) return unsupported("quant_gemv: row length / type not supported");
  if (reinterpret_cast<std::uintptr_t>(p.x) % 16 != 0) return invalid("quant_gemv: x must be 16-byte aligned");
  return Status::success();
}

// The launch plan of a group: strides, rows per warp and block ranges for the chosen kernel.
GemvGroup plan_group(const GemvParams* parts, int count, bool staged) {
  GemvGroup g;
  g.count = count;
  for (int i = 0; i < count; ++i) {
    const GemvParams& p = parts[i];
    g.part[i] = p;
    g.row_stride[i] = p.row_stride ? p.row_stride : weight_row_bytes(p.type, p.n_cols);
    g.rows_per_warp[i] = staged_rows_per_warp(p.n_rows);
    const std::int64_t rows_per_block = staged ? kStageWarps * g.rows_per_warp[i] : kWarps;
    g.first_block[i + 1] = g.first_block[i] + static_cast<unsigned>(blocks_for(p.n_rows, rows_per_block));
  }
  return g;
}

}  // namespace

Status quant_gemv_group(const GemvParams* parts, int count, void* stream) {
  if (count < 1 || count > kGemvGroupMax) return invalid("quant_gemv: a group has 1..3 projections");
  for (int i = 0; i < count; ++i) {
    if (Status st = check(parts[i]); !st.ok()) return st;
    if (parts[i].type != parts[0].type || parts[i].n_cols != parts[0].n_cols || parts[i].n_tokens != parts[0].n_tokens)
      return invalid("quant_gemv: a group's projections share the weight type, n_cols and n_tokens");
  }
  const GemvParams& p = parts[0];
  cudaStream_t s = detail::as_stream(stream);
  const bool staged = p.n_tokens == 1 && p.n_cols <= kStageMaxCols;
  const GemvGroup g = plan_group(parts, count, staged);
  const unsigned grid = g.first_block[count];
  const std::size_t smem = stage_smem_bytes(p.n_cols, kStageWarps);
  const StageGeometry sg = stage_geometry(p.type);
  detail::dispatch_weight_type(p.type, [&](auto tag) {
    constexpr WeightType T = decltype(tag)::value;
    if (staged)
      CODERX_LAUNCH(grid, kStageWarps * 32, smem, s, gemv_staged_kernel<T>)(g, sg);
    else
      CODERX_LAUNCH(grid, kWarps * 32, 0, s, gemv_kernel<T>)(g);
  });
  return detail::launch_status("quant_gemv");
}

Status quant_gemv(const GemvParams& p, void* stream) { return quant_gemv_group(&p, 1, stream); }

}  // namespace coderx::kernels
