#include "model/forward.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>

#include "model/moe.h"

namespace coderx::model {

float* Forward::buf(AlignedVector<float>& v, std::int64_t n) {
  if (v.size() < static_cast<std::size_t>(n)) v.resize(static_cast<std::size_t>(n));
  return v.data();
}

void Forward::run(const ForwardBatch& b) {
  const ModelDims& d = model_.dims;
  const std::int64_t n = static_cast<std::int64_t>(b.tokens.size()), e = d.n_embd;
  float* x = buf(x_, n * e);
  ops_.embed(model_.token_embd, b.tokens.data(), n, std::sqrt(static_cast<float>(e)), x);
  for (std::int64_t l = 0; l < d.n_layer; ++l) {
    attention_block(l, b, n);
    ffn_block(l, n);
  }
  for (std::int64_t t = 0; t < n; ++t) {
    KvCache* c = b.caches[b.seq.empty() ? 0 : b.seq[t]];
    c->set_n_past(std::max<std::int64_t>(c->n_past(), b.positions[t] + 1));
  }
  output(b);
}

// Spec §2.3 steps 1–8: x → h = x + post_attention_norm(W_o · attention).
void Forward::attention_block(std::int64_t l, const ForwardBatch& b, std::int64_t n) {
  const ModelDims& d = model_.dims;
  const LayerDims& ld = d.layers[l];
  const LayerView& w = model_.layers[l];
  const std::int64_t e = d.n_embd, hd = ld.head_dim, nh = d.n_head, nkv = ld.n_kv_head;
  const std::int32_t* pos = b.positions.data();
  float *x = x_.data(), *a = buf(a_, n * e), *q = buf(q_, n * nh * hd);
  float *k = buf(k_, n * nkv * hd), *v = buf(v_, n * nkv * hd), *o = buf(o_, n * nh * hd);
  ops_.rms_norm(x, w.attn_norm, a, n, e, d.eps);
  const Projection qkv[3] = {{&w.wq, q}, {&w.wk, k}, {&w.wv, v}};
  ops_.matmul_group(std::span(qkv, w.wv.valid() ? 3 : 2), a, n);
  if (!w.wv.valid())
    std::memcpy(v, k, static_cast<std::size_t>(n * nkv * hd) * sizeof(float));  // V = raw K
  ops_.rms_norm(q, w.q_norm, q, n * nh, hd, d.eps);
  ops_.rope(q, n, nh, hd, pos, ld.rope);
  ops_.rms_norm(v, nullptr, v, n * nkv, hd, d.eps);
  if (w.wv.valid()) {  // on K = V layers the cache derives the key from v (kv_cache.h)
    ops_.rms_norm(k, w.k_norm, k, n * nkv, hd, d.eps);
    ops_.rope(k, n, nkv, hd, pos, ld.rope);
  }
  for (std::int64_t t = 0; t < n; ++t)
    b.caches[b.seq.empty() ? 0 : b.seq[t]]->store(l, pos[t], k + t * nkv * hd, v + t * nkv * hd);
  views_.clear();
  for (KvCache* c : b.caches) views_.push_back(c->view(l));
  AttentionArgs args{q, o, n, nh, nkv, hd, pos, views_.data(), b.seq.empty() ? nullptr : b.seq.data(),
                     ld.swa ? d.window : 0, 1.0f};
  ops_.attention(args);
  float* att = buf(att_, n * e);
  ops_.matmul(w.wo, o, n, att);
  ops_.rms_norm(att, w.post_attn_norm, att, n, e, d.eps);
  float* h = buf(h_, n * e);
  for (std::int64_t i = 0; i < n * e; ++i) h[i] = x[i] + att[i];
}

// Spec §2.3 steps 9–13: dense MLP and routed experts in parallel on h, then the output scale.
void Forward::ffn_block(std::int64_t l, std::int64_t n) {
  const ModelDims& d = model_.dims;
  const LayerView& w = model_.layers[l];
  const std::int64_t e = d.n_embd, ff = d.layers[l].n_ff, ne = d.n_expert, k = d.n_expert_used;
  float *h = h_.data(), *m = buf(m_, n * e), *g = buf(g_, n * ff), *u = buf(u_, n * ff);
  ops_.rms_norm(h, w.ffn_norm, m, n, e, d.eps);
  const Projection gate_up[2] = {{&w.ffn_gate, g}, {&w.ffn_up, u}};
  ops_.matmul_group(gate_up, m, n);
  ops_.geglu(g, u, g, n, ff, ff, ff);
  ops_.matmul(w.ffn_down, g, n, m);
  ops_.rms_norm(m, w.post_ffw_norm_1, m, n, e, d.eps);

  float *r = buf(r_, n * e), *rl = buf(rl_, n * ne);
  ops_.rms_norm(h, nullptr, r, n, e, d.eps);
  scale_router_input(r, w.router_scale, r, n, e);
  ops_.matmul(w.router, r, n, rl);
  if (choices_.size() < static_cast<std::size_t>(n * k)) choices_.resize(static_cast<std::size_t>(n * k));
  route_experts(rl, n, ne, k, choices_.data());
  if (on_routing) on_routing(l, n, choices_.data(), rl);

  float *xe = buf(xe_, n * e), *moe = buf(moe_, n * e);
  ops_.rms_norm(h, w.pre_ffw_norm_2, xe, n, e, d.eps);
  ops_.moe(MoeArgs{xe, choices_.data(), n, k, &w.experts, moe});
  ops_.rms_norm(moe, w.post_ffw_norm_2, moe, n, e, d.eps);
  for (std::int64_t i = 0; i < n * e; ++i) m[i] += moe[i];
  ops_.rms_norm(m, w.post_ffw_norm, m, n, e, d.eps);
  float* x = x_.data();
  for (std::int64_t i = 0; i < n * e; ++i) x[i] = (h[i] + m[i]) * w.output_scale;
}

// Spec §2.5: final norm, tied LM head, softcap — only for the rows asked for.
void Forward::output(const ForwardBatch& b) {
  const ModelDims& d = model_.dims;
  const std::int64_t rows = static_cast<std::int64_t>(b.logit_rows.size()), e = d.n_embd;
  if (rows == 0) return;
  float* y = buf(y_, rows * e);
  for (std::int64_t i = 0; i < rows; ++i)
    std::memcpy(y + i * e, x_.data() + b.logit_rows[i] * e, static_cast<std::size_t>(e) * sizeof(float));
  ops_.rms_norm(y, model_.output_norm, y, rows, e, d.eps);
  const Matrix& head = model_.lm_head();
  ops_.matmul(head, y, rows, b.logits);
  if (d.softcap > 0) ops_.softcap(b.logits, rows * head.rows, d.softcap);
}

void Forward::prefill(std::span<const std::int32_t> tokens, KvCache& cache, float* logits,
                      bool all_logits, std::int64_t max_chunk) {
  const std::int64_t total = static_cast<std::int64_t>(tokens.size());
  const std::int64_t chunk = std::max<std::int64_t>(1, std::min(cache.max_batch(), max_chunk));
  const std::int64_t vocab = model_.lm_head().rows;
  KvCache* caches[1] = {&cache};
  for (std::int64_t start = 0; start < total; start += chunk) {
    const std::int64_t n = std::min(chunk, total - start);
    pos_.resize(static_cast<std::size_t>(n));
    for (std::int64_t t = 0; t < n; ++t) pos_[t] = static_cast<std::int32_t>(cache.n_past() + t);
    rows_.clear();
    for (std::int64_t t = 0; t < n; ++t)
      if (all_logits || start + t == total - 1) rows_.push_back(static_cast<std::int32_t>(t));
    ForwardBatch b{tokens.subspan(start, n), pos_, {}, caches, rows_,
                   logits + (all_logits ? start * vocab : 0)};
    run(b);
  }
}

}  // namespace coderx::model
