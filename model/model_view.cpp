#include "model/model_view.h"

#include <algorithm>
#include <string>

#include "model/config.h"
#include "model/weights.h"

namespace coderx::model {

namespace {

Matrix matrix(const Linear& l) {
  const TensorView& w = l.weight;
  if (!w.present()) return Matrix{};
  return Matrix{w.type, w.data, w.ne[0], w.ne[1], w.row_bytes,
                l.scale.present() ? l.scale.f32()[0] : 1.0f};
}

Matrix matrix(const TensorView& w) { return matrix(Linear{w, {}}); }

ExpertMatrices experts(const Linear& l) {
  const TensorView& w = l.weight;
  if (!w.present()) return ExpertMatrices{};
  return ExpertMatrices{w.type, w.data, w.ne[0], w.ne[1], w.ne[2], w.row_bytes,
                        l.scale.present() ? l.scale.f32() : nullptr};
}

const float* f32(const TensorView& t) { return t.present() ? t.f32() : nullptr; }

LayerView layer_view(const LayerWeights& w) {
  LayerView o;
  o.attn_norm = f32(w.attn_norm);
  o.wq = matrix(w.attn_q);
  o.wk = matrix(w.attn_k);
  o.wv = matrix(w.attn_v);
  o.wo = matrix(w.attn_output);
  o.q_norm = f32(w.attn_q_norm);
  o.k_norm = f32(w.attn_k_norm);
  o.post_attn_norm = f32(w.post_attention_norm);
  o.ffn_norm = f32(w.ffn_norm);
  o.ffn_gate = matrix(w.ffn_gate);
  o.ffn_up = matrix(w.ffn_up);
  o.ffn_down = matrix(w.ffn_down);
  o.post_ffw_norm_1 = f32(w.post_ffw_norm_1);
  o.router = matrix(w.ffn_gate_inp);
  o.router_scale = f32(w.ffn_gate_inp_scale);
  o.pre_ffw_norm_2 = f32(w.pre_ffw_norm_2);
  o.experts.gate_up = experts(w.ffn_gate_up_exps);
  o.experts.gate = experts(w.ffn_gate_exps);
  o.experts.up = experts(w.ffn_up_exps);
  o.experts.down = experts(w.ffn_down_exps);
  o.post_ffw_norm_2 = f32(w.post_ffw_norm_2);
  o.post_ffw_norm = f32(w.post_ffw_norm);
  o.output_scale = w.layer_output_scale.present() ? w.layer_output_scale.f32()[0] : 1.0f;
  return o;
}

}  // namespace

Result<ModelView> make_model_view(const Gemma4Config& c, const Gemma4Weights& w) {
  ModelView v;
  ModelDims& d = v.dims;
  d.n_embd = c.n_embd;
  d.n_layer = c.n_layer;
  d.n_head = c.layers.empty() ? 0 : c.layers[0].n_head;
  d.n_vocab = w.lm_head().ne[1];
  d.n_expert = c.n_expert;
  d.n_expert_used = c.n_expert_used;
  d.n_ff_exp = c.n_ff_exp;
  d.window = c.sliding_window;
  d.eps = c.rms_eps;
  d.softcap = c.final_softcap;
  for (std::size_t i = 0; i < c.layers.size(); ++i) {
    const LayerConfig& lc = c.layers[i];
    if (lc.n_head != d.n_head)
      return make_error(Errc::unsupported, "layer " + std::to_string(i) + ": " +
                                               std::to_string(lc.n_head) + " query heads, layer 0 has " +
                                               std::to_string(d.n_head));
    RopeSpec rope{lc.rope_dims, lc.rope_base, lc.sliding ? nullptr : f32(w.rope_freqs)};
    d.layers.push_back(LayerDims{lc.sliding, lc.n_head_kv, lc.head_dim, rope, lc.n_ff});
    d.n_ff_max = std::max<std::int64_t>(d.n_ff_max, lc.n_ff);
    v.layers.push_back(layer_view(w.layers[i]));
    const ExpertWeights& ex = v.layers.back().experts;
    if (!ex.fused() && ex.gate.type != ex.up.type)
      return make_error(Errc::unsupported, "layer " + std::to_string(i) +
                                               ": ffn_gate_exps and ffn_up_exps have different types");
  }
  v.token_embd = matrix(w.token_embd);
  v.output = matrix(w.output);
  v.output_norm = f32(w.output_norm);
  return v;
}

}  // namespace coderx::model
