// Reference ops: naive and obviously correct implementations of every op of spec §2, the
// oracle for ops_cpu and the CUDA kernels. f32 storage, f64 accumulation; weights are read
// one row at a time through quant::dequantize_row_ref. Slow by design (tiny models, tests).
// Free functions are pure; RefOps adapts them to the Ops interface. Thread-safe (no state).
#pragma once

#include <cstdint>

#include "model/op_args.h"
#include "model/ops.h"

namespace coderx::model::ref {

void rms_norm(const float* x, const float* w, float* y, std::int64_t rows, std::int64_t n,
              float eps);
float gelu_tanh(float x);  // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
void geglu(const float* g, const float* u, float* y, std::int64_t rows, std::int64_t n,
           std::int64_t in_stride, std::int64_t out_stride);
void matmul(const Matrix& w, const float* x, std::int64_t n_tokens, float* y);
// cos/sin of pair i at position pos, angles built like ggml: θ = pos·base^(−2/n_dims)^i by
// repeated f32 multiplication, divided by freq_factors[i].
void rope_angles(std::int64_t pos, const RopeSpec& spec, float* cos_out, float* sin_out);
// Leading pairs that actually rotate: pairs whose frequency factor is ≥ 1e20 (the proportional
// full-layer RoPE marks its frozen pairs with 1e30) have angles below 2^-30 at any position up
// to 2^31, so cos rounds to 1 and the sine term is below f32 resolution. Fast paths skip them.
std::int64_t rope_rotating_pairs(const RopeSpec& spec);
void rope(float* x, std::int64_t n_tokens, std::int64_t n_heads, std::int64_t head_dim,
          const std::int32_t* positions, const RopeSpec& spec);
void attention(const AttentionArgs& args);
void moe(const MoeArgs& args);
void embed(const Matrix& e, const std::int32_t* tokens, std::int64_t n_tokens, float scale,
           float* out);
void softcap(float* x, std::int64_t n, float cap);
// Key of kv head g at position pos as attention sees it (derived on shared layers); hd floats.
void load_key(const KvLayerView& cache, std::int64_t pos, std::int64_t g, std::int64_t n_kv_head,
              std::int64_t head_dim, float* out);

class RefOps final : public Ops {
 public:
  void rms_norm(const float* x, const float* w, float* y, std::int64_t rows, std::int64_t n,
                float eps) override {
    ref::rms_norm(x, w, y, rows, n, eps);
  }
  void matmul(const Matrix& w, const float* x, std::int64_t n_tokens, float* y) override {
    ref::matmul(w, x, n_tokens, y);
  }
  void geglu(const float* g, const float* u, float* y, std::int64_t rows, std::int64_t n,
             std::int64_t in_stride, std::int64_t out_stride) override {
    ref::geglu(g, u, y, rows, n, in_stride, out_stride);
  }
  void rope(float* x, std::int64_t n_tokens, std::int64_t n_heads, std::int64_t head_dim,
            const std::int32_t* positions, const RopeSpec& spec) override {
    ref::rope(x, n_tokens, n_heads, head_dim, positions, spec);
  }
  void attention(const AttentionArgs& args) override { ref::attention(args); }
  void moe(const MoeArgs& args) override { ref::moe(args); }
  void embed(const Matrix& e, const std::int32_t* tokens, std::int64_t n_tokens, float scale,
             float* out) override {
    ref::embed(e, tokens, n_tokens, scale, out);
  }
  void softcap(float* x, std::int64_t n, float cap) override { ref::softcap(x, n, cap); }
};

}  // namespace coderx::model::ref
