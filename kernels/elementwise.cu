// Element-wise kernels. geglu must match model/ops_ref geglu (tanh GELU evaluated in f32, as
// the CUDA path of llama.cpp does, spec §7.13). Launch geometry: one thread per element.
#include "kernels/cuda_util.cuh"
#include "kernels/elementwise.h"
#include "kernels/launch_shape.h"

namespace coderx::kernels {

namespace {

__global__ void geglu_kernel(const float* gate, const float* up, float* out, std::int64_t n) {
  const std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < n) out[i] = detail::gelu_tanh(gate[i]) * up[i];
}

__global__ void add_kernel(const float* a, const float* b, float* out, std::int64_t n) {
  const std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < n) out[i] = a[i] + b[i];
}

__global__ void scale_kernel(float* y, std::int64_t n, const float* s) {
  const std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < n) y[i] *= s[0];
}

}  // namespace

Status geglu(const float* gate, const float* up, float* out, std::int64_t n, void* stream) {
  if (!gate || !up || !out || n <= 0) return invalid("geglu: bad arguments");
  const auto blocks = static_cast<unsigned>(blocks_for(n, 256));
  CODERX_LAUNCH(blocks, 256, 0, detail::as_stream(stream), geglu_kernel)(gate, up, out, n);
  return detail::launch_status("geglu");
}

Status add(const float* a, const float* b, float* out, std::int64_t n, void* stream) {
  if (!a || !b || !out || n <= 0) return invalid("add: bad arguments");
  const auto blocks = static_cast<unsigned>(blocks_for(n, 256));
  CODERX_LAUNCH(blocks, 256, 0, detail::as_stream(stream), add_kernel)(a, b, out, n);
  return detail::launch_status("add");
}

Status scale(float* y, std::int64_t n, const float* s, void* stream) {
  if (!y || !s || n <= 0) return invalid("scale: bad arguments");
  const auto blocks = static_cast<unsigned>(blocks_for(n, 256));
  CODERX_LAUNCH(blocks, 256, 0, detail::as_stream(stream), scale_kernel)(y, n, s);
  return detail::launch_status("scale");
}

}  // namespace coderx::kernels
