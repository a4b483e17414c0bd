// NEOX RoPE kernel. Must match model/ops_ref rope (rope_angles). The angle follows ggml's CPU
// path: theta starts at pos and is multiplied in f32 by theta_scale = base^(-2/n_dims) once per
// pair index (spec §2.4, §7.13), then divided by the pair's frequency factor.
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
  // The same f32 operations in the same order as ops_ref's rope_angles: theta = pos, then
  // theta *= theta_scale once per pair index, so both round alike even at position 30,000.
  float theta = static_cast<float>(p.positions[token]);
  for (int k = 0; k < i; ++k) theta *= theta_scale;
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
  CODERX_LAUNCH(static_cast<unsigned>(blocks), 256, 0, detail::as_stream(stream), rope_kernel)(p, theta_scale);
  return detail::launch_status("rope_neox");
}

}  // namespace coderx::kernels
