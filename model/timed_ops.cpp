#include "model/timed_ops.h"

#include <algorithm>
#include <set>

namespace coderx::model {

namespace {

std::uint64_t matrix_bytes(const ExpertMatrices& m) {
  return m.valid() ? static_cast<std::uint64_t>(m.rows) * m.row_bytes : 0;
}

// The K/V bytes a one-token step reads (every row its query sees); 0 for batches, whose tokens
// share rows.
std::uint64_t attention_bytes(const AttentionArgs& a) {
  if (a.n_tokens != 1) return 0;
  const KvLayerView& c = a.caches[a.seq ? a.seq[0] : 0];
  const std::int64_t seen = a.positions[0] + 1;
  const std::int64_t keys = a.window > 0 ? std::min<std::int64_t>(seen, a.window) : seen;
  const KvType type = c.q8() ? KvType::q8_0 : c.f16() ? KvType::f16 : KvType::f32;
  return static_cast<std::uint64_t>(keys * a.n_kv_head * (c.shared() ? 1 : 2)) *
         kv_row_bytes(type, a.head_dim);
}

}  // namespace

std::uint64_t moe_weight_bytes(const MoeArgs& a) {
  std::set<std::int32_t> experts;
  for (std::int64_t i = 0; i < a.n_tokens * a.k; ++i) experts.insert(a.choices[i].expert);
  const ExpertWeights& w = *a.experts;
  const std::uint64_t per_expert =
      matrix_bytes(w.gate_up) + matrix_bytes(w.gate) + matrix_bytes(w.up) + matrix_bytes(w.down);
  return per_expert * experts.size();
}

void TimedOps::rms_norm(const float* x, const float* w, float* y, std::int64_t rows,
                        std::int64_t n, float eps) {
  timed("rms_norm", 0, [&] { inner_.rms_norm(x, w, y, rows, n, eps); });
}

void TimedOps::matmul(const Matrix& w, const float* x, std::int64_t n_tokens, float* y) {
  const std::uint64_t bytes = static_cast<std::uint64_t>(w.rows) * w.row_bytes;
  timed("matmul " + std::string(quant::info(w.type).name), bytes,
        [&] { inner_.matmul(w, x, n_tokens, y); });
}

void TimedOps::matmul_group(std::span<const Projection> ps, const float* x, std::int64_t n_tokens) {
  std::uint64_t bytes = 0;
  std::string kind = "matmul";
  for (const Projection& p : ps) {
    bytes += static_cast<std::uint64_t>(p.w->rows) * p.w->row_bytes;
    kind += (&p == ps.data() ? " " : "+") + std::string(quant::info(p.w->type).name);
  }
  timed(kind, bytes, [&] { inner_.matmul_group(ps, x, n_tokens); });
}

void TimedOps::geglu(const float* g, const float* u, float* y, std::int64_t rows, std::int64_t n,
                     std::int64_t in_stride, std::int64_t out_stride) {
  timed("geglu", 0, [&] { inner_.geglu(g, u, y, rows, n, in_stride, out_stride); });
}

void TimedOps::rope(float* x, std::int64_t n_tokens, std::int64_t n_heads, std::int64_t head_dim,
                    const std::int32_t* positions, const RopeSpec& spec) {
  timed("rope", 0, [&] { inner_.rope(x, n_tokens, n_heads, head_dim, positions, spec); });
}

void TimedOps::attention(const AttentionArgs& args) {
  timed(args.window > 0 ? "attention sliding" : "attention full", attention_bytes(args),
        [&] { inner_.attention(args); });
}

void TimedOps::moe(const MoeArgs& args) {
  const ExpertWeights& w = *args.experts;
  const quant::Type up = w.fused() ? w.gate_up.type : w.gate.type;
  const std::string kind = "moe " + std::string(quant::info(up).name) + "/" +
                           std::string(quant::info(w.down.type).name);
  timed(kind, moe_weight_bytes(args), [&] { inner_.moe(args); });
}

void TimedOps::embed(const Matrix& e, const std::int32_t* tokens, std::int64_t n_tokens,
                     float scale, float* out) {
  timed("embed", static_cast<std::uint64_t>(n_tokens) * e.row_bytes,
        [&] { inner_.embed(e, tokens, n_tokens, scale, out); });
}

void TimedOps::softcap(float* x, std::int64_t n, float cap) {
  timed("softcap", 0, [&] { inner_.softcap(x, n, cap); });
}

}  // namespace coderx::model
