// RMSNorm kernel. Must match the CPU reference op rms_norm of model/ops_ref (spec §2.1:
// s = Σx²/n, y = x / sqrt(s + eps) · w), with the optional pre-add, residual and output scale.
// Launch geometry: grid = rows, block = 256 threads; each thread strides over the row twice
// (sum of squares, then write). Aliasing y with an input is safe: each element is read before
// the thread that owns it writes it.
#include "kernels/cuda_util.cuh"
#include "kernels/rms_norm.h"

namespace coderx::kernels {

namespace {

constexpr int kThreads = 256;

__global__ void rms_norm_kernel(RmsNormParams p) {
  __shared__ float scratch[32];
  const std::int64_t row = blockIdx.x;
  const float* x = p.x + row * p.n;
  const float* xa = p.x_add ? p.x_add + row * p.n : nullptr;
  float ss = 0.0f;
  for (std::int64_t i = threadIdx.x; i < p.n; i += blockDim.x) {
    float v = x[i] + (xa ? xa[i] : 0.0f);
    ss += v * v;
  }
  const float inv = detail::block_inv_rms(ss, p.n, p.eps, scratch);
  const float scale = p.out_scale ? p.out_scale[0] : 1.0f;
  const float* res = p.residual ? p.residual + row * p.n : nullptr;
  float* y = p.y + row * p.n;
  for (std::int64_t i = threadIdx.x; i < p.n; i += blockDim.x) {
    float v = (x[i] + (xa ? xa[i] : 0.0f)) * inv;
    if (p.weight) v *= p.weight[i];
    if (res) v += res[i];
    y[i] = v * scale;
  }
}

}  // namespace

Status rms_norm(const RmsNormParams& p, void* stream) {
  if (p.rows <= 0 || p.n <= 0) return invalid("rms_norm: rows and n must be positive");
  if (!p.x || !p.y) return invalid("rms_norm: x and y are required");
  if (p.rows > 0x7fffffff) return invalid("rms_norm: too many rows");
  CODERX_LAUNCH(static_cast<unsigned>(p.rows), kThreads, 0, detail::as_stream(stream), rms_norm_kernel)(p);
  return detail::launch_status("rms_norm");
}

}  // namespace coderx::kernels
