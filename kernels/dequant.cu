// Row dequantisation. Must match model::quant::dequantize_row_ref exactly for f32 output (the
// decoders do the same f32 multiply per element) and to bf16 rounding for bf16 output.
// Launch geometry: one thread per chunk of 32 elements, 256-thread blocks, 1-D grid.
#include <cuda_bf16.h>

#include "kernels/cuda_util.cuh"
#include "kernels/decode.cuh"
#include "kernels/dequant.h"
#include "kernels/launch_shape.h"

namespace coderx::kernels {

namespace {

template <WeightType T>
__global__ void dequant_kernel(DequantParams p, std::int64_t stride) {
  const std::int64_t chunks_per_row = p.n_cols / 32;
  const std::int64_t idx = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (idx >= p.n_rows * chunks_per_row) return;
  const std::int64_t row = idx / chunks_per_row;
  const int c = static_cast<int>(idx % chunks_per_row);
  float v[32];
  detail::Decoder<T>::chunk(static_cast<const std::uint8_t*>(p.w) + row * stride, c, v);
  const std::int64_t base = row * p.n_cols + 32 * c;
  if (p.out_bf16) {
    __nv_bfloat16* out = static_cast<__nv_bfloat16*>(p.out) + base;
    for (int i = 0; i < 32; ++i) out[i] = __float2bfloat16_rn(v[i]);
  } else {
    float* out = static_cast<float*>(p.out) + base;
    for (int i = 0; i < 32; ++i) out[i] = v[i];
  }
}

}  // namespace

Status dequantize(const DequantParams& p, void* stream) {
  if (!p.w || !p.out) return invalid("dequantize: w and out are required");
  if (p.n_rows <= 0) return invalid("dequantize: n_rows must be positive");
  if (!row_supported(p.type, p.n_cols)) return unsupported("dequantize: row length / type not supported");
  const std::int64_t stride = p.row_stride ? p.row_stride : weight_row_bytes(p.type, p.n_cols);
  const auto grid = static_cast<unsigned>(blocks_for(p.n_rows * (p.n_cols / 32), 256));
  cudaStream_t s = detail::as_stream(stream);
  detail::dispatch_weight_type(p.type, [&](auto tag) {
    constexpr WeightType T = decltype(tag)::value;
    CODERX_LAUNCH(grid, 256, 0, s, dequant_kernel<T>)(p, stride);
  });
  return detail::launch_status("dequantize");
}

}  // namespace coderx::kernels
