// NEOX RoPE kernel. Must match model/ops_ref rope_neox. The angle follows ggml: the inverse
// frequency base^(-2i/n_dims) is built by repeated f32 multiplication of
// theta_scale = base^(-2/n_dims) (spec §2.4, §7.13), then theta = pos · inv_freq / factor.
// Launch geometry: one thread per (token, head, pair); 256-thread blocks; 1-D grid.
#include <cmath>

#include "kernels/cuda_util.cuh"
#include "kernels/launch_shape.h"
#include "kernels/rope.h"

namespace coderx::kernels {

namespace {

__global__ void rope_kernel(RopeParams p, float theta_scale) {
  const int half = p.n_dims / 2;
  const std::int64_t idx = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  const std::int64_t total = p.n_tokens * p.n_heads * half;
  if (idx >= total) return;
  const int i = static_cast<int>(idx % half);
  const std::int64_t head = idx / half;  // token * n_heads + h
  const std::int64_t token = head / p.n_heads;
  float inv_freq = 1.0f;
  for (int k = 0; k < i; ++k) inv_freq *= theta_scale;
  float theta = static_cast<float>(p.positions[token]) * inv_freq;
  if (p.freq_factors) theta /= p.freq_factors[i];
  float s, c;
  sincosf(theta, &s, &c);
  float* v = p.x + head * p.head_dim;
  const float a = v[i], b = v[i + half];
  v[i] = a * c - b * s;
  v[i + half] = a * s + b * c;
}

}  // namespace

Status rope_neox(const RopeParams& p, void* stream) {
  if (!p.x || !p.positions) return invalid("rope_neox: x and positions are required");
  if (p.n_tokens <= 0 || p.n_heads <= 0 || p.head_dim <= 0) return invalid("rope_neox: empty shape");
  if (p.n_dims <= 0 || p.n_dims % 2 != 0 || p.n_dims > p.head_dim)
    return invalid("rope_neox: n_dims must be even and within head_dim");
  const std::int64_t total = p.n_tokens * p.n_heads * (p.n_dims / 2);
  const float theta_scale = std::pow(p.base, -2.0f / static_cast<float>(p.n_dims));
  const auto blocks = blocks_for(total, 256);
  rope_kernel<<<static_cast<unsigned>(blocks), 256, 0, detail::as_stream(stream)>>>(p, theta_scale);
  return detail::launch_status("rope_neox");
}

}  // namespace coderx::kernels
