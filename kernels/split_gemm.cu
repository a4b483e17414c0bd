// Split-f16 operands and their product (split_gemm.h). Must match model/ops_ref linear within
// f32-level rounding: each element keeps about 22 significant bits (hi + lo); the GEMM sums in
// f32. Launch geometry: split kernels one warp per row, 8 rows per 256-thread block, chunks of
// 32 elements per lane (decoded twice: once for the row maximum, once to split); the scale pass
// one thread per output element, 256-thread blocks.
#include <cuda_fp16.h>

#include <cmath>
#include <string>

#include "kernels/cuda_util.cuh"
#include "kernels/decode.cuh"
#include "kernels/hi_lo.cuh"
#include "kernels/launch_shape.h"
#include "kernels/split_gemm.h"

namespace coderx::kernels {

namespace {

constexpr int kThreads = 256;
constexpr int kRowsPerBlock = kThreads / 32;  // split kernels: one warp per row

// Which thirds of a split row hold hi and which lo: weights [hi | lo | hi], activations
// [hi | hi | lo], so that the three products are hi·hi, lo·hi and hi·lo.
struct SplitOrder {
  bool lo_second;  // weights: the middle third is lo, else the last third
};

// 32 halves (64 bytes, 16-byte aligned: rows are 3 · cols halves, cols a multiple of 32) as
// four 16-byte stores.
__device__ __forceinline__ void store_chunk(const __half* v, __half* dst) {
  const uint4* src = reinterpret_cast<const uint4*>(v);
  uint4* out = reinterpret_cast<uint4*>(dst);
#pragma unroll
  for (int i = 0; i < 4; ++i) out[i] = src[i];
}

// Largest |v| of a row, over the whole warp (lane l takes chunks l, l + 32, …).
template <WeightType T>
__device__ float row_max_abs(const std::uint8_t* row, int chunks, int lane) {
  float m = 0.0f;
  for (int c = lane; c < chunks; c += 32) {
    float v[32];
    detail::Decoder<T>::chunk(row, c, v);
    for (int i = 0; i < 32; ++i) m = fmaxf(m, fabsf(v[i]));  // fmaxf drops NaN: NaN stays in hi
  }
  return detail::warp_max(m);
}

// One warp per row: the row maximum, the scale, then every chunk decoded again and split.
template <WeightType T>
__global__ void __launch_bounds__(kThreads) split_kernel(const std::uint8_t* rows, std::int64_t stride,
                                                         SplitOperand out, SplitOrder order) {
  const int lane = threadIdx.x & 31;
  const std::int64_t r = static_cast<std::int64_t>(blockIdx.x) * kRowsPerBlock + (threadIdx.x >> 5);
  if (r >= out.rows) return;  // whole warps: the shuffles below see all 32 lanes
  const std::uint8_t* row = rows + r * stride;
  const int chunks = static_cast<int>(out.cols / 32);
  const int e = detail::row_scale_exponent(row_max_abs<T>(row, chunks, lane));
  if (lane == 0) out.scale[r] = ldexpf(1.0f, e);
  const float inv_scale = ldexpf(1.0f, -e);
  __half* dst = reinterpret_cast<__half*>(out.halves) + r * 3 * out.cols;
  __half* lo_dst = dst + (order.lo_second ? out.cols : 2 * out.cols);
  __half* hi_copy = dst + (order.lo_second ? 2 * out.cols : out.cols);
  for (int c = lane; c < chunks; c += 32) {
    float v[32];
    detail::Decoder<T>::chunk(row, c, v);
    alignas(16) __half hi[32], lo[32];
#pragma unroll
    for (int i = 0; i < 32; ++i) {
      detail::split_f16(v[i] * inv_scale, hi[i], lo[i]);  // scaling by a power of two is exact
    }
    store_chunk(hi, dst + 32 * c);
    store_chunk(hi, hi_copy + 32 * c);
    store_chunk(lo, lo_dst + 32 * c);
  }
}

__global__ void scale_kernel(float* y, std::int64_t m, std::int64_t n, const float* sx, const float* sw,
                             const float* out_scale) {
  const std::int64_t idx = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (idx >= m * n) return;
  const std::int64_t i = idx / n, j = idx % n;
  const float s = out_scale ? *out_scale : 1.0f;
  y[idx] = y[idx] * sx[i] * sw[j] * s;
}

Status check(const SplitOperand& o, const char* what) {
  if (!o.halves || !o.scale) return invalid(std::string(what) + ": halves and scale are required");
  if (o.rows <= 0 || o.rows > 0x7fffffff) return invalid(std::string(what) + ": rows must be 1 … 2^31 − 1");
  if (o.cols <= 0 || o.cols % 32 != 0 || 3 * o.cols > 0x7fffffff)
    return invalid(std::string(what) + ": cols must be a positive multiple of 32");
  return Status::success();
}

Status launch_split(const void* rows, WeightType type, std::int64_t stride, const SplitOperand& out, SplitOrder order,
                    void* stream, const char* what) {
  if (Status st = check(out, what); !st.ok()) return st;
  if (!rows) return invalid(std::string(what) + ": input rows are required");
  if (!row_supported(type, out.cols)) return unsupported(std::string(what) + ": row length / type not supported");
  cudaStream_t s = detail::as_stream(stream);
  const auto* bytes = static_cast<const std::uint8_t*>(rows);
  const auto grid = static_cast<unsigned>(blocks_for(out.rows, kRowsPerBlock));
  detail::dispatch_weight_type(type, [&](auto tag) {
    constexpr WeightType T = decltype(tag)::value;
    CODERX_LAUNCH(grid, kThreads, 0, s, split_kernel<T>)(bytes, stride, out, order);
  });
  return detail::launch_status(what);
}

std::uint64_t aligned(std::uint64_t bytes) { return (bytes + 255) / 256 * 256; }

}  // namespace

std::uint64_t split_halves_bytes(std::int64_t elements) { return aligned(static_cast<std::uint64_t>(elements) * 3 * 2); }

std::uint64_t split_scale_bytes(std::int64_t rows) { return aligned(static_cast<std::uint64_t>(rows) * 4); }

Status split_weight(const void* w, WeightType type, std::int64_t row_stride, const SplitOperand& out, void* stream) {
  const std::int64_t stride = row_stride ? row_stride : weight_row_bytes(type, out.cols);
  return launch_split(w, type, stride, out, SplitOrder{true}, stream, "split_weight");
}

Status split_activations(const float* x, const SplitOperand& out, void* stream) {
  return launch_split(x, WeightType::F32, out.cols * 4, out, SplitOrder{false}, stream, "split_activations");
}

Status split_gemm(const BlasHandle& blas, const SplitOperand& x, const SplitOperand& w, const float* out_scale,
                  float* y, void* stream) {
  if (Status st = check(x, "split_gemm x"); !st.ok()) return st;
  if (Status st = check(w, "split_gemm w"); !st.ok()) return st;
  if (x.cols != w.cols) return invalid("split_gemm: x and w disagree on k");
  if (!y) return invalid("split_gemm: y is required");
  DenseGemmParams gemm{x.halves, w.halves, y, x.rows, w.rows, 3 * x.cols};
  gemm.fp16 = true;
  if (Status st = dense_gemm(blas, gemm, stream); !st.ok()) return st;
  const auto grid = static_cast<unsigned>(blocks_for(x.rows * w.rows, 256));
  CODERX_LAUNCH(grid, 256, 0, detail::as_stream(stream), scale_kernel)(y, x.rows, w.rows, x.scale, w.scale, out_scale);
  return detail::launch_status("split_gemm scale");
}

}  // namespace coderx::kernels
