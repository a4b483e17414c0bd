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

}  // namespace

Status geglu(const float* gate, const float* up, float* out, std::int64_t n, void* stream) {
  if (!gate || !up || !out || n <= 0) return invalid("geglu: bad arguments");
  const auto blocks = static_cast<unsigned>(blocks_for(n, 256));
  CODERX_LAUNCH(blocks, 256, 0, detail::as_stream(stream), geglu_kernel)(gate, up, out, n);
  return detail::launch_status("geglu");
}

}  // namespace coderx::kernels
