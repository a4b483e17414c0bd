// Chained RMSNorm kernels. Must match model/ops_ref rms_norm (s = Σx²/n, y = x / sqrt(s + eps) · w)
// composed as model/forward.cpp composes it, to f32 rounding.
// Launch geometry: grid = rows, block = 256 threads; each thread strides over the row, keeping
// its elements of the intermediate in shared memory, so it only ever reads back what it wrote
// itself; the block sums are the only cross-thread steps. Outputs may alias inputs of the same
// row: every input element is read by the thread that later writes that element.
#include "kernels/cuda_util.cuh"
#include "kernels/launch_shape.h"
#include "kernels/norm_chain.h"

namespace coderx::kernels {

namespace {

constexpr int kThreads = 256;

__device__ __forceinline__ float weight_at(const float* w, std::int64_t i) { return w ? w[i] : 1.0f; }

__global__ void post_attention_norm_kernel(PostAttentionNormParams p) {
  CODERX_DYNAMIC_SHARED(float, hs);  // this row of h
  __shared__ float scratch[32];
  const std::int64_t off = static_cast<std::int64_t>(blockIdx.x) * p.n;
  float ss = 0.0f;
  for (std::int64_t i = threadIdx.x; i < p.n; i += blockDim.x) ss += p.att[off + i] * p.att[off + i];
  const float inv_att = detail::block_inv_rms(ss, p.n, p.eps, scratch);
  ss = 0.0f;
  for (std::int64_t i = threadIdx.x; i < p.n; i += blockDim.x) {
    const float h = p.att[off + i] * inv_att * weight_at(p.post_norm, i) + p.residual[off + i];
    hs[i] = h;
    p.h[off + i] = h;
    ss += h * h;
  }
  const float inv_h = detail::block_inv_rms(ss, p.n, p.eps, scratch);
  for (std::int64_t i = threadIdx.x; i < p.n; i += blockDim.x) {
    const float v = hs[i] * inv_h;
    p.dense_in[off + i] = v * weight_at(p.dense_norm, i);
    p.expert_in[off + i] = v * weight_at(p.expert_norm, i);
  }
}

__global__ void ffn_output_norm_kernel(FfnOutputNormParams p) {
  CODERX_DYNAMIC_SHARED(float, row);  // dense + moe (normed), then x
  __shared__ float scratch[32];
  const std::int64_t off = static_cast<std::int64_t>(blockIdx.x) * p.n;
  float ss_dense = 0.0f, ss_moe = 0.0f;
  for (std::int64_t i = threadIdx.x; i < p.n; i += blockDim.x) {
    ss_dense += p.dense[off + i] * p.dense[off + i];
    ss_moe += p.moe[off + i] * p.moe[off + i];
  }
  const float inv_dense = detail::block_inv_rms(ss_dense, p.n, p.eps, scratch);
  const float inv_moe = detail::block_inv_rms(ss_moe, p.n, p.eps, scratch);
  float ss = 0.0f;
  for (std::int64_t i = threadIdx.x; i < p.n; i += blockDim.x) {
    const float d = p.dense[off + i] * inv_dense * weight_at(p.dense_norm, i);
    const float c = d + p.moe[off + i] * inv_moe * weight_at(p.moe_norm, i);
    row[i] = c;
    ss += c * c;
  }
  const float inv_sum = detail::block_inv_rms(ss, p.n, p.eps, scratch);
  const float scale = p.out_scale ? p.out_scale[0] : 1.0f;
  ss = 0.0f;
  for (std::int64_t i = threadIdx.x; i < p.n; i += blockDim.x) {
    const float x = (p.h[off + i] + row[i] * inv_sum * weight_at(p.out_norm, i)) * scale;
    row[i] = x;
    p.x[off + i] = x;
    ss += x * x;
  }
  if (!p.next_in) return;  // uniform over the block
  const float inv_x = detail::block_inv_rms(ss, p.n, p.eps, scratch);
  for (std::int64_t i = threadIdx.x; i < p.n; i += blockDim.x) p.next_in[off + i] = row[i] * inv_x * weight_at(p.next_norm, i);
}

Status check_shape(std::int64_t rows, std::int64_t n, const char* what) {
  if (rows <= 0 || n <= 0) return invalid(std::string(what) + ": rows and n must be positive");
  if (n > kNormChainMaxN) return invalid(std::string(what) + ": rows longer than 8192 values");
  if (rows > 0x7fffffff) return invalid(std::string(what) + ": too many rows");
  return Status::success();
}

std::size_t row_bytes(std::int64_t n) { return static_cast<std::size_t>(n) * sizeof(float); }

}  // namespace

Status post_attention_norm(const PostAttentionNormParams& p, void* stream) {
  if (Status st = check_shape(p.rows, p.n, "post_attention_norm"); !st.ok()) return st;
  if (!p.att || !p.residual || !p.h || !p.dense_in || !p.expert_in)
    return invalid("post_attention_norm: att, residual, h, dense_in and expert_in are required");
  CODERX_LAUNCH(static_cast<unsigned>(p.rows), kThreads, row_bytes(p.n), detail::as_stream(stream),
                post_attention_norm_kernel)(p);
  return detail::launch_status("post_attention_norm");
}

Status ffn_output_norm(const FfnOutputNormParams& p, void* stream) {
  if (Status st = check_shape(p.rows, p.n, "ffn_output_norm"); !st.ok()) return st;
  if (!p.dense || !p.moe || !p.h || !p.x) return invalid("ffn_output_norm: dense, moe, h and x are required");
  CODERX_LAUNCH(static_cast<unsigned>(p.rows), kThreads, row_bytes(p.n), detail::as_stream(stream),
                ffn_output_norm_kernel)(p);
  return detail::launch_status("ffn_output_norm");
}

}  // namespace coderx::kernels
