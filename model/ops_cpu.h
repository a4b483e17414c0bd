// The fast CPU op set: same semantics as ops_ref (spec §2), computed the way llama.cpp's CPU
// backend does (spec §7.13): each activation row is quantised once to the weight type's
// activation format (quant::quantize_activation) and dotted with the weight rows straight from
// the GGUF blocks (quant::dot_row) — weights are never dequantised as a whole. Work is split
// over output rows on a ThreadPool; batched inputs are tiled so a block of weight rows is read
// once per block of tokens; in the MoE block the tokens are grouped per expert so each expert's
// weights are read once per batch.
// Threading: one caller at a time (owns a workspace reused across calls: no allocation per
// token once warmed up); the pool must outlive the object.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "model/huge_page_allocator.h"
#include "model/ops.h"
#include "model/rope_angle_cache.h"
#include "model/thread_pool.h"

namespace coderx::model {

class CpuOps final : public Ops {
 public:
  explicit CpuOps(ThreadPool& pool) : pool_(pool) {}

  void rms_norm(const float* x, const float* w, float* y, std::int64_t rows, std::int64_t n,
                float eps) override;
  void matmul(const Matrix& w, const float* x, std::int64_t n_tokens, float* y) override;
  void matmul_group(std::span<const Projection> ps, const float* x, std::int64_t n_tokens) override;
  void geglu(const float* g, const float* u, float* y, std::int64_t rows, std::int64_t n,
             std::int64_t in_stride, std::int64_t out_stride) override;
  void rope(float* x, std::int64_t n_tokens, std::int64_t n_heads, std::int64_t head_dim,
            const std::int32_t* positions, const RopeSpec& spec) override;
  void attention(const AttentionArgs& args) override;
  void moe(const MoeArgs& args) override;
  void embed(const Matrix& e, const std::int32_t* tokens, std::int64_t n_tokens, float scale,
             float* out) override;
  void softcap(float* x, std::int64_t n, float cap) override;

  ThreadPool& pool() { return pool_; }

 private:
  // Quantises rows of x [n_rows, cols] for weights of `type` into buf; returns bytes per row.
  std::size_t quantize_rows(quant::Type type, const float* x, std::int64_t n_rows,
                            std::int64_t cols, AlignedVector<std::byte>& buf);
  // hidden_[entry] = [gate·x | up·x] of each (token, slot) entry's expert.
  void moe_gate_up(const MoeArgs& a, std::int64_t n_ff);
  // expert_out_[entry] = down · geglu(gate, up) of each entry (GeGLU and quantising per entry).
  void moe_down(const MoeArgs& a, std::int64_t n_ff);

  ThreadPool& pool_;
  AlignedVector<std::byte> act_;   // quantised activations
  AlignedVector<std::byte> act2_;  // second buffer (MoE down inputs)
  // MoE grouping: entries sorted by expert; entry i = (token, slot).
  std::vector<std::int32_t> entry_token_, entry_of_slot_, expert_begin_, active_experts_;
  std::vector<std::int64_t> group_start_;  // matmul_group: padded row offsets
  AlignedVector<float> hidden_;            // [entries, 2·n_ff]
  AlignedVector<float> expert_out_;        // [entries, n_embd]
  RopeAngleCache rope_angles_;             // decode: one position's angles for every layer
  std::vector<float> token_angles_;        // [token][cos | sin] of one rope call
};

}  // namespace coderx::model
