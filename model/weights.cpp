#include "model/weights.h"

#include <spdlog/spdlog.h>

#include <string>
#include <unordered_set>

namespace coderx::model {

namespace {

using Shape = std::vector<std::int64_t>;

enum class Kind { vector_f32, matrix };

std::string display_name(std::string_view name) {
  constexpr std::string_view suffix = ".weight";
  if (name.size() > suffix.size() && name.substr(name.size() - suffix.size()) == suffix)
    name.remove_suffix(suffix.size());
  return std::string(name);
}

bool ignored_prefix(std::string_view name) {
  for (std::string_view p : {"v.", "a.", "mm.", "mtp.", "s."})
    if (name.rfind(p, 0) == 0) return true;
  return false;
}

TensorView view_of(const TensorInfo& t) {
  TensorView v;
  v.info = &t;
  v.type = t.type;
  v.data = t.data;
  v.ne = t.ne;
  v.row_bytes = t.row_bytes;
  v.n_bytes = t.n_bytes;
  return v;
}

// Looks tensors up by name, checks shape and type, and remembers which were used.
class Binder {
 public:
  explicit Binder(const GgufFile& f) : f_(f) {}

  Result<TensorView> optional(const std::string& name, const Shape& shape, Kind kind) {
    const TensorInfo* t = f_.find_tensor(name);
    if (!t) return TensorView{};
    Shape have = t->shape();
    if (have != shape)
      return make_error(Errc::format, "tensor " + display_name(name) + ": expected " +
                                          format_shape(shape) + ", file has " +
                                          format_shape(have));
    if (kind == Kind::vector_f32 && t->type != quant::Type::F32)
      return make_error(Errc::format, "tensor " + display_name(name) + ": type " +
                                          std::string(quant::info(t->type).name) +
                                          ", expected F32");
    if (kind == Kind::matrix && !quant::info(t->type).weight_type)
      return make_error(Errc::format, "tensor " + display_name(name) + ": type " +
                                          std::string(quant::info(t->type).name) +
                                          " is not a weight type");
    used_.insert(t->name);
    return view_of(*t);
  }

  Result<TensorView> required(const std::string& name, const Shape& shape, Kind kind) {
    auto v = optional(name, shape, kind);
    if (v && !v->present())
      return make_error(Errc::format, "tensor " + display_name(name) + ": missing");
    return v;
  }

  // `base.weight` plus an optional `base.scale` of {1} (or {n_expert} when n_expert > 0).
  Result<Linear> linear(const std::string& base, const Shape& shape, bool required_weight,
                        std::int64_t n_expert = 0) {
    Linear l;
    auto w = required_weight ? required(base + ".weight", shape, Kind::matrix)
                             : optional(base + ".weight", shape, Kind::matrix);
    if (!w) return w.error();
    l.weight = *w;
    std::string scale_name = base + ".scale";
    const TensorInfo* s = f_.find_tensor(scale_name);
    Shape scale_shape{1};
    if (s && n_expert > 0 && s->n_dims == 1 && s->ne[0] != 1) scale_shape = {n_expert};
    auto sc = optional(scale_name, scale_shape, Kind::vector_f32);
    if (!sc) return sc.error();
    l.scale = *sc;
    return l;
  }

  bool used(std::string_view name) const { return used_.count(name) != 0; }

 private:
  const GgufFile& f_;
  std::unordered_set<std::string_view> used_;
};

std::string blk(std::uint32_t l, const char* base) {
  return "blk." + std::to_string(l) + "." + base;
}

struct LayerShapes {
  std::int64_t e, q, kv, ff, ffe, nx, hd;
};

Result<void> bind_attention(Binder& b, std::uint32_t l, const LayerShapes& s, LayerWeights& w) {
  auto v = [&](const char* n, std::int64_t len, TensorView& out) -> Result<void> {
    auto r = b.required(blk(l, n), {len}, Kind::vector_f32);
    if (!r) return r.error();
    out = *r;
    return {};
  };
  auto m = [&](const char* n, Shape shape, bool req, Linear& out) -> Result<void> {
    auto r = b.linear(blk(l, n), shape, req);
    if (!r) return r.error();
    out = *r;
    return {};
  };
  if (auto r = v("attn_norm.weight", s.e, w.attn_norm); !r) return r;
  if (auto r = m("attn_q", {s.e, s.q}, true, w.attn_q); !r) return r;
  if (auto r = m("attn_k", {s.e, s.kv}, true, w.attn_k); !r) return r;
  if (auto r = m("attn_v", {s.e, s.kv}, w.sliding, w.attn_v); !r) return r;
  w.k_eq_v = !w.attn_v.weight.present();
  if (auto r = m("attn_output", {s.q, s.e}, true, w.attn_output); !r) return r;
  if (auto r = v("attn_q_norm.weight", s.hd, w.attn_q_norm); !r) return r;
  if (auto r = v("attn_k_norm.weight", s.hd, w.attn_k_norm); !r) return r;
  return v("post_attention_norm.weight", s.e, w.post_attention_norm);
}

Result<void> bind_dense(Binder& b, std::uint32_t l, const LayerShapes& s, LayerWeights& w) {
  auto v = [&](const char* n, std::int64_t len, TensorView& out) -> Result<void> {
    auto r = b.required(blk(l, n), {len}, Kind::vector_f32);
    if (!r) return r.error();
    out = *r;
    return {};
  };
  auto m = [&](const char* n, Shape shape, Linear& out) -> Result<void> {
    auto r = b.linear(blk(l, n), shape, true);
    if (!r) return r.error();
    out = *r;
    return {};
  };
  if (auto r = v("ffn_norm.weight", s.e, w.ffn_norm); !r) return r;
  if (auto r = m("ffn_gate", {s.e, s.ff}, w.ffn_gate); !r) return r;
  if (auto r = m("ffn_up", {s.e, s.ff}, w.ffn_up); !r) return r;
  if (auto r = m("ffn_down", {s.ff, s.e}, w.ffn_down); !r) return r;
  if (auto r = v("post_ffw_norm_1.weight", s.e, w.post_ffw_norm_1); !r) return r;
  if (auto r = v("post_ffw_norm.weight", s.e, w.post_ffw_norm); !r) return r;
  return v("layer_output_scale.weight", 1, w.layer_output_scale);
}

Result<void> bind_experts(Binder& b, std::uint32_t l, const LayerShapes& s, LayerWeights& w) {
  auto router = b.required(blk(l, "ffn_gate_inp.weight"), {s.e, s.nx}, Kind::matrix);
  if (!router) return router.error();
  w.ffn_gate_inp = *router;
  auto router_scale = b.required(blk(l, "ffn_gate_inp.scale"), {s.e}, Kind::vector_f32);
  if (!router_scale) return router_scale.error();
  w.ffn_gate_inp_scale = *router_scale;
  for (auto [n, out] : {std::pair{"pre_ffw_norm_2.weight", &w.pre_ffw_norm_2},
                        std::pair{"post_ffw_norm_2.weight", &w.post_ffw_norm_2}}) {
    auto r = b.required(blk(l, n), {s.e}, Kind::vector_f32);
    if (!r) return r.error();
    *out = *r;
  }
  auto fused = b.linear(blk(l, "ffn_gate_up_exps"), {s.e, 2 * s.ffe, s.nx}, false, s.nx);
  if (!fused) return fused.error();
  w.ffn_gate_up_exps = *fused;
  bool split = !fused->weight.present();
  auto gate = b.linear(blk(l, "ffn_gate_exps"), {s.e, s.ffe, s.nx}, split, s.nx);
  if (!gate) {
    if (split && gate.error().message.ends_with(": missing"))
      return make_error(Errc::format, "tensor " + blk(l, "ffn_gate_up_exps") +
                                          ": missing (nor split ffn_gate_exps/ffn_up_exps)");
    return gate.error();
  }
  auto up = b.linear(blk(l, "ffn_up_exps"), {s.e, s.ffe, s.nx}, split, s.nx);
  if (!up) return up.error();
  if (!split && (gate->weight.present() || up->weight.present()))
    return make_error(Errc::format, "layer " + std::to_string(l) +
                                        ": both fused ffn_gate_up_exps and split expert tensors");
  w.ffn_gate_exps = *gate;
  w.ffn_up_exps = *up;
  auto down = b.linear(blk(l, "ffn_down_exps"), {s.ffe, s.e, s.nx}, true, s.nx);
  if (!down) return down.error();
  w.ffn_down_exps = *down;
  return {};
}

Result<LayerWeights> bind_layer(Binder& b, const Gemma4Config& c, std::uint32_t l) {
  const LayerConfig& lc = c.layers[l];
  LayerShapes s{c.n_embd,
                static_cast<std::int64_t>(lc.n_head) * lc.head_dim,
                static_cast<std::int64_t>(lc.n_head_kv) * lc.head_dim,
                lc.n_ff,
                c.n_ff_exp,
                c.n_expert,
                lc.head_dim};
  LayerWeights w;
  w.sliding = lc.sliding;
  if (auto r = bind_attention(b, l, s, w); !r) return r.error();
  if (auto r = bind_dense(b, l, s, w); !r) return r.error();
  if (auto r = bind_experts(b, l, s, w); !r) return r.error();
  return w;
}

Result<void> bind_globals(Binder& b, const GgufFile& f, const Gemma4Config& c,
                          Gemma4Weights& w) {
  const TensorInfo* embd = f.find_tensor("token_embd.weight");
  if (!embd) return make_error(Errc::format, "tensor token_embd: missing");
  if (embd->n_dims != 2 || embd->ne[0] != c.n_embd)
    return make_error(Errc::format, "tensor token_embd: expected [" + std::to_string(c.n_embd) +
                                        ",n_vocab], file has " + format_shape(embd->shape()));
  std::int64_t n_vocab = embd->ne[1];
  if (c.n_vocab != 0 && c.n_vocab != n_vocab)
    return make_error(Errc::format, "tensor token_embd: expected [" + std::to_string(c.n_embd) +
                                        "," + std::to_string(c.n_vocab) + "], file has " +
                                        format_shape(embd->shape()) +
                                        " (the vocabulary has " + std::to_string(c.n_vocab) +
                                        " tokens)");
  w.n_vocab = static_cast<std::uint32_t>(n_vocab);
  auto te = b.required("token_embd.weight", {c.n_embd, n_vocab}, Kind::matrix);
  if (!te) return te.error();
  w.token_embd = *te;
  auto out = b.optional("output.weight", {c.n_embd, n_vocab}, Kind::matrix);
  if (!out) return out.error();
  w.output = *out;
  auto norm = b.required("output_norm.weight", {c.n_embd}, Kind::vector_f32);
  if (!norm) return norm.error();
  w.output_norm = *norm;
  bool need_freqs = c.n_full_layers() > 0;
  std::int64_t n_freqs = c.rope_dims_full / 2;
  auto freqs = need_freqs ? b.required("rope_freqs.weight", {n_freqs}, Kind::vector_f32)
                          : b.optional("rope_freqs.weight", {n_freqs}, Kind::vector_f32);
  if (!freqs) return freqs.error();
  w.rope_freqs = *freqs;
  return {};
}

std::uint64_t bytes(const TensorView& v) { return v.present() ? v.n_bytes : 0; }
std::uint64_t bytes(const Linear& l) { return bytes(l.weight) + bytes(l.scale); }

// Bytes a decode step reads from one layer: everything but the experts, plus k of n experts.
std::uint64_t active_layer_bytes(const LayerWeights& w, const Gemma4Config& c) {
  std::uint64_t dense = 0;
  for (const TensorView* v :
       {&w.attn_norm, &w.attn_q_norm, &w.attn_k_norm, &w.post_attention_norm, &w.ffn_norm,
        &w.post_ffw_norm_1, &w.ffn_gate_inp, &w.ffn_gate_inp_scale, &w.pre_ffw_norm_2,
        &w.post_ffw_norm_2, &w.post_ffw_norm, &w.layer_output_scale})
    dense += bytes(*v);
  for (const Linear* l : {&w.attn_q, &w.attn_k, &w.attn_v, &w.attn_output, &w.ffn_gate,
                          &w.ffn_up, &w.ffn_down})
    dense += bytes(*l);
  std::uint64_t experts = 0;
  for (const Linear* l : {&w.ffn_gate_up_exps, &w.ffn_gate_exps, &w.ffn_up_exps,
                          &w.ffn_down_exps})
    experts += bytes(l->weight) / c.n_expert * c.n_expert_used + bytes(l->scale);
  return dense + experts;
}

void summarise(const GgufFile& f, const Binder& b, const Gemma4Config& c, Gemma4Weights& w) {
  MemorySummary& m = w.memory;
  m.file_bytes = f.bytes().size();
  for (const TensorInfo& t : f.tensors()) {
    if (b.used(t.name)) {
      m.weight_bytes += t.n_bytes;
      continue;
    }
    m.ignored_bytes += t.n_bytes;
    ++m.ignored_tensors;
    if (!ignored_prefix(t.name)) spdlog::debug("{}: tensor {} is not used", f.label(), t.name);
  }
  m.active_bytes_per_token = w.token_embd.row_bytes + bytes(w.lm_head()) +
                             bytes(w.output_norm) + bytes(w.rope_freqs);
  for (const LayerWeights& l : w.layers) m.active_bytes_per_token += active_layer_bytes(l, c);
}

}  // namespace

Result<Gemma4Weights> load_weights(const GgufFile& file, const Gemma4Config& config) {
  Binder binder(file);
  Gemma4Weights w;
  if (auto r = bind_globals(binder, file, config, w); !r) return r.error();
  w.layers.reserve(config.n_layer);
  for (std::uint32_t l = 0; l < config.n_layer; ++l) {
    auto layer = bind_layer(binder, config, l);
    if (!layer) return layer.error();
    w.layers.push_back(std::move(*layer));
  }
  summarise(file, binder, config, w);
  return w;
}

}  // namespace coderx::model
