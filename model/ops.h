// The op set interface the forward pass is written against (spec gemma4-moe.md §2). Two
// implementations with the same semantics: RefOps (ops_ref.h: naive, f64 accumulation, the
// oracle) and CpuOps (ops_cpu.h: threaded, quantised activations, SIMD). Batched: every
// activation is [n_tokens, width] row-major f32.
// Threading: an Ops object is used by one thread at a time (the forward pass); CpuOps fans
// out internally. x and y may alias where noted.
#pragma once

#include <cstdint>
#include <span>

#include "model/op_args.h"

namespace coderx::model {

class Ops {
 public:
  virtual ~Ops() = default;

  // y[r] = x[r] · (mean(x[r]²) + eps)^(-1/2) (· w when w != null), rows of n; y may alias x.
  virtual void rms_norm(const float* x, const float* w, float* y, std::int64_t rows,
                        std::int64_t n, float eps) = 0;
  // y[t] = W · x[t] · W.out_scale; x [n_tokens, W.cols], y [n_tokens, W.rows].
  virtual void matmul(const Matrix& w, const float* x, std::int64_t n_tokens, float* y) = 0;
  // Several projections of the same input (q, k, v; gate, up): each p.y = matmul(*p.w, x).
  // Results equal the separate matmul calls bit for bit; CpuOps runs a decode step's group as
  // one pass over all the rows.
  virtual void matmul_group(std::span<const Projection> ps, const float* x, std::int64_t n_tokens) {
    for (const Projection& p : ps) matmul(*p.w, x, n_tokens, p.y);
  }
  // y[r][i] = gelu_tanh(g[r][i]) · u[r][i]; g, u, y have row strides (elements); y may alias g.
  virtual void geglu(const float* g, const float* u, float* y, std::int64_t rows, std::int64_t n,
                     std::int64_t in_stride, std::int64_t out_stride) = 0;
  // In place NEOX RoPE on x [n_tokens, n_heads, head_dim] at positions[t].
  virtual void rope(float* x, std::int64_t n_tokens, std::int64_t n_heads, std::int64_t head_dim,
                    const std::int32_t* positions, const RopeSpec& spec) = 0;
  virtual void attention(const AttentionArgs& args) = 0;
  virtual void moe(const MoeArgs& args) = 0;
  // out[t] = dequantised row tokens[t] of e, times scale; out [n_tokens, e.cols].
  virtual void embed(const Matrix& e, const std::int32_t* tokens, std::int64_t n_tokens,
                     float scale, float* out) = 0;
  // x[i] = cap · tanh(x[i] / cap) for i < n (the final logit softcap, spec §2.5).
  virtual void softcap(float* x, std::int64_t n, float cap) = 0;
};

}  // namespace coderx::model
