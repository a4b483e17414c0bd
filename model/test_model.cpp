#include "model/test_model.h"

#include <cmath>
#include <memory>
#include <string>

#include "model/gguf.h"
#include "model/quant/rows.h"
#include "model/test_model_types.h"

namespace coderx::model {

namespace {

using quant::Type;

// splitmix64: a tiny deterministic generator (identical on every platform, unlike std::
// distributions).
struct Rng {
  std::uint64_t s;
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  float uniform() {  // [-1, 1)
    return static_cast<float>(static_cast<double>(next() >> 11) * 0x1.0p-52 - 1.0);
  }
};

std::uint64_t seed_for(std::uint64_t seed, const std::string& name) {
  std::uint64_t h = 1469598103934665603ull ^ seed;
  for (unsigned char c : name) h = (h ^ c) * 1099511628211ull;
  return h;
}

// How a tensor's values are drawn.
enum class Init { matrix, norm, scale, layer_scale, rope_freqs };

struct TensorSpec {
  std::string name;
  Type type;
  std::vector<std::int64_t> shape;
  Init init;
};

float draw(Init init, Rng& rng, std::int64_t i, std::int64_t n_rotated, float matrix_scale) {
  switch (init) {
    case Init::matrix: return rng.uniform() * matrix_scale;
    case Init::norm: return 1.0f + 0.2f * rng.uniform();
    case Init::scale: return 1.0f + 0.4f * rng.uniform();
    case Init::layer_scale: return 0.75f + 0.25f * std::fabs(rng.uniform());
    case Init::rope_freqs: return i < n_rotated ? 1.0f : 1e30f;
  }
  return 0.0f;
}

TensorFill make_fill(TensorSpec spec, std::uint64_t seed, std::int64_t n_rotated) {
  return [spec = std::move(spec), seed, n_rotated](TensorSink& sink) -> Result<void> {
    Rng rng{seed_for(seed, spec.name)};
    std::int64_t n = spec.shape[0];
    std::int64_t rows = 1;
    for (std::size_t d = 1; d < spec.shape.size(); ++d) rows *= spec.shape[d];
    float matrix_scale = std::sqrt(3.0f / static_cast<float>(n));
    std::vector<float> row(static_cast<std::size_t>(n));
    std::vector<std::byte> out(quant::row_bytes(spec.type, n));
    for (std::int64_t r = 0; r < rows; ++r) {
      for (std::int64_t i = 0; i < n; ++i) row[i] = draw(spec.init, rng, i, n_rotated, matrix_scale);
      quant::quantize_row(spec.type, row.data(), out.data(), n);
      if (auto w = sink.write(out.data(), out.size()); !w) return w;
    }
    return {};
  };
}

class Builder {
 public:
  Builder(const TestModelParams& p, GgufWriter& w) : p_(p), w_(w), pattern_(sliding_pattern(p)) {
    for (bool s : pattern_) n_v_ += s ? 1 : 0;
  }

  Result<void> run(std::uint32_t n_vocab);

 private:
  Result<void> add(const std::string& name, Type type, std::vector<std::int64_t> shape,
                   Init init) {
    if (!quant::can_quantize(type))
      return make_error(Errc::unsupported, "tensor " + name + ": cannot write type " +
                                               std::string(quant::info(type).name) +
                                               " (no quantiser for it in this build)");
    std::int64_t rotated = static_cast<std::int64_t>(p_.partial_rotary * p_.head_dim_full / 2);
    auto fill = make_fill({name, type, shape, init}, p_.seed, rotated);
    return w_.add_tensor(name, type, shape, std::move(fill));
  }
  Result<void> vec(const std::string& name, std::int64_t n, Init init = Init::norm) {
    return add(name, Type::F32, {n}, init);
  }
  // A weight of class `cls` and, when asked, its .scale of `scale_len` entries.
  Result<void> mat(const std::string& base, TensorClass cls, std::vector<std::int64_t> shape,
                   std::uint32_t layer, bool scale, std::int64_t scale_len = 1) {
    TypeQuery q{cls, shape[0], layer, p_.n_layer, v_index_, n_v_};
    auto type = choose_type(p_, q);
    if (!type) return make_error(Errc::invalid_argument, "tensor " + base + ": " + type.error().message);
    if (auto r = add(base + ".weight", *type, std::move(shape), Init::matrix); !r) return r;
    if (scale) return vec(base + ".scale", scale_len, Init::scale);
    return {};
  }
  Result<void> globals(std::uint32_t n_vocab);
  Result<void> layer(std::uint32_t l);
  Result<void> layer_attention(std::uint32_t l, const std::string& b);
  Result<void> layer_ffn(std::uint32_t l, const std::string& b);
  void metadata();

  const TestModelParams& p_;
  GgufWriter& w_;
  std::vector<bool> pattern_;
  std::uint32_t n_v_ = 0;
  std::uint32_t v_index_ = 0;
};

void Builder::metadata() {
  const std::string a = "gemma4.";
  w_.set_string("general.architecture", "gemma4");
  w_.set_string("general.name", p_.name);
  w_.set_u32("general.file_type", file_type_of(p_));
  w_.set_u32("general.quantization_version", 2);
  w_.set_i32("general.sampling.top_k", 64);
  w_.set_f32("general.sampling.top_p", 0.95f);
  w_.set_f32("general.sampling.temp", 1.0f);
  w_.set_u32(a + "block_count", p_.n_layer);
  w_.set_u32(a + "context_length", p_.n_ctx_train);
  w_.set_u32(a + "embedding_length", p_.n_embd);
  w_.set_u32(a + "feed_forward_length", p_.n_ff);
  w_.set_u32(a + "attention.head_count", p_.n_head);
  std::vector<std::int32_t> kv;
  for (bool s : pattern_) kv.push_back(static_cast<std::int32_t>(s ? p_.n_head_kv_swa : p_.n_head_kv_full));
  w_.set_i32_array(a + "attention.head_count_kv", kv);
  std::vector<bool> pat(pattern_);
  std::unique_ptr<bool[]> flags(new bool[pat.size()]);
  for (std::size_t i = 0; i < pat.size(); ++i) flags[i] = pat[i];
  w_.set_bool_array(a + "attention.sliding_window_pattern", {flags.get(), pat.size()});
  w_.set_f32(a + "rope.freq_base", p_.rope_base_full);
  w_.set_f32(a + "rope.freq_base_swa", p_.rope_base_swa);
  w_.set_f32(a + "attention.layer_norm_rms_epsilon", 1e-6f);
  w_.set_u32(a + "expert_count", p_.n_expert);
  w_.set_u32(a + "expert_used_count", p_.n_expert_used);
  w_.set_u32(a + "attention.key_length", p_.head_dim_full);
  w_.set_u32(a + "attention.value_length", p_.head_dim_full);
  w_.set_u32(a + "attention.key_length_swa", p_.head_dim_swa);
  w_.set_u32(a + "attention.value_length_swa", p_.head_dim_swa);
  w_.set_f32(a + "final_logit_softcapping", 30.0f);
  w_.set_u32(a + "attention.sliding_window", p_.sliding_window);
  w_.set_u32(a + "attention.shared_kv_layers", 0);
  w_.set_u32(a + "embedding_length_per_layer_input", 0);
  w_.set_u32(a + "expert_feed_forward_length", p_.n_ff_exp);
  w_.set_u32(a + "rope.dimension_count", p_.head_dim_full);
  w_.set_u32(a + "rope.dimension_count_swa", p_.head_dim_swa);
}

Result<void> Builder::globals(std::uint32_t n_vocab) {
  std::int64_t e = p_.n_embd;
  if (auto r = mat("token_embd", TensorClass::token_embd, {e, n_vocab}, 0, false); !r) return r;
  if (auto r = vec("rope_freqs.weight", p_.head_dim_full / 2, Init::rope_freqs); !r) return r;
  if (auto r = vec("output_norm.weight", e); !r) return r;
  if (p_.untied_output)
    return mat("output", TensorClass::output, {e, n_vocab}, 0, false);
  return {};
}

Result<void> Builder::layer_attention(std::uint32_t l, const std::string& b) {
  bool sliding = pattern_[l];
  std::int64_t e = p_.n_embd;
  std::int64_t hd = sliding ? p_.head_dim_swa : p_.head_dim_full;
  std::int64_t q = hd * p_.n_head;
  std::int64_t kv = hd * (sliding ? p_.n_head_kv_swa : p_.n_head_kv_full);
  bool sc = p_.linear_scales;
  if (auto r = vec(b + "attn_norm.weight", e); !r) return r;
  if (auto r = mat(b + "attn_q", TensorClass::attn_q, {e, q}, l, sc); !r) return r;
  if (auto r = mat(b + "attn_k", TensorClass::attn_k, {e, kv}, l, sc); !r) return r;
  if (sliding) {
    if (auto r = mat(b + "attn_v", TensorClass::attn_v, {e, kv}, l, sc); !r) return r;
    ++v_index_;
  }
  if (auto r = mat(b + "attn_output", TensorClass::attn_output, {q, e}, l, sc); !r) return r;
  if (auto r = vec(b + "attn_q_norm.weight", hd); !r) return r;
  if (auto r = vec(b + "attn_k_norm.weight", hd); !r) return r;
  return vec(b + "post_attention_norm.weight", e);
}

Result<void> Builder::layer_ffn(std::uint32_t l, const std::string& b) {
  std::int64_t e = p_.n_embd, ff = p_.n_ff, fx = p_.n_ff_exp, nx = p_.n_expert;
  bool sc = p_.linear_scales, xs = p_.expert_scales;
  if (auto r = vec(b + "ffn_norm.weight", e); !r) return r;
  if (auto r = mat(b + "ffn_gate", TensorClass::ffn_gate_up, {e, ff}, l, sc); !r) return r;
  if (auto r = mat(b + "ffn_up", TensorClass::ffn_gate_up, {e, ff}, l, sc); !r) return r;
  if (auto r = mat(b + "ffn_down", TensorClass::ffn_down, {ff, e}, l, sc); !r) return r;
  if (auto r = vec(b + "post_ffw_norm_1.weight", e); !r) return r;
  if (auto r = add(b + "ffn_gate_inp.weight", Type::F32, {e, nx}, Init::matrix); !r) return r;
  if (auto r = vec(b + "ffn_gate_inp.scale", e, Init::scale); !r) return r;
  if (auto r = vec(b + "pre_ffw_norm_2.weight", e); !r) return r;
  if (p_.split_experts) {
    if (auto r = mat(b + "ffn_gate_exps", TensorClass::ffn_gate_up_exps, {e, fx, nx}, l, xs, nx); !r)
      return r;
    if (auto r = mat(b + "ffn_up_exps", TensorClass::ffn_gate_up_exps, {e, fx, nx}, l, xs, nx); !r)
      return r;
  } else if (auto r = mat(b + "ffn_gate_up_exps", TensorClass::ffn_gate_up_exps, {e, 2 * fx, nx},
                          l, xs, nx);
             !r) {
    return r;
  }
  if (auto r = mat(b + "ffn_down_exps", TensorClass::ffn_down_exps, {fx, e, nx}, l, true, nx); !r)
    return r;
  if (auto r = vec(b + "post_ffw_norm_2.weight", e); !r) return r;
  if (auto r = vec(b + "post_ffw_norm.weight", e); !r) return r;
  return vec(b + "layer_output_scale.weight", 1, Init::layer_scale);
}

Result<void> Builder::layer(std::uint32_t l) {
  std::string b = "blk." + std::to_string(l) + ".";
  if (auto r = layer_attention(l, b); !r) return r;
  return layer_ffn(l, b);
}

Result<void> Builder::run(std::uint32_t n_vocab) {
  metadata();
  if (auto r = globals(n_vocab); !r) return r;
  for (std::uint32_t l = 0; l < p_.n_layer; ++l)
    if (auto r = layer(l); !r) return r;
  return {};
}

Result<void> check_params(const TestModelParams& p) {
  auto bad = [](const std::string& m) { return make_error(Errc::invalid_argument, m); };
  if (!p.n_layer || !p.n_embd || !p.n_head || !p.n_head_kv_swa || !p.n_head_kv_full ||
      !p.head_dim_swa || !p.head_dim_full || !p.n_ff || !p.n_expert || !p.n_ff_exp ||
      !p.sliding_window)
    return bad("every size must be positive");
  if (p.n_expert_used == 0 || p.n_expert_used > p.n_expert)
    return bad("top-k must be between 1 and the expert count");
  if (!p.sliding_pattern.empty() && p.sliding_pattern.size() != p.n_layer)
    return bad("the sliding pattern has " + std::to_string(p.sliding_pattern.size()) +
               " entries for " + std::to_string(p.n_layer) + " layers");
  if (p.n_head % p.n_head_kv_swa || p.n_head % p.n_head_kv_full)
    return bad("query heads must be a multiple of the kv heads");
  if (p.head_dim_full % 2 || p.head_dim_swa % 2) return bad("head dims must be even");
  if (!p.preset.empty() && !is_known_preset(p.preset)) return bad("unknown preset " + p.preset);
  return {};
}

Result<std::uint32_t> add_vocab(const TestModelParams& p, GgufWriter& w) {
  if (p.vocab_from.empty()) {
    if (auto r = add_builtin_vocab(w, p.n_vocab); !r) return r.error();
    return p.n_vocab;
  }
  auto src = GgufFile::open(p.vocab_from);
  if (!src) return src.error();
  auto tokens = src->get_string_array("tokenizer.ggml.tokens");
  if (!tokens) return make_error(Errc::format, p.vocab_from.string() + ": " + tokens.error().message);
  for (const KeyValue& kv : src->metadata())
    if (kv.key.rfind("tokenizer.", 0) == 0) w.set_value(kv.key, kv.value);
  return static_cast<std::uint32_t>(tokens->size());
}

}  // namespace

std::vector<bool> sliding_pattern(const TestModelParams& p) {
  if (!p.sliding_pattern.empty()) return p.sliding_pattern;
  std::vector<bool> out(p.n_layer);
  for (std::uint32_t l = 0; l < p.n_layer; ++l) out[l] = (l + 1) % 6 != 0 && l + 1 != p.n_layer;
  return out;
}

Result<void> build_test_model(const TestModelParams& p, GgufWriter& writer) {
  if (auto r = check_params(p); !r) return r;
  Builder builder(p, writer);
  auto n_vocab = add_vocab(p, writer);  // tokenizer keys first, as in the fixture files
  if (!n_vocab) return n_vocab.error();
  return builder.run(*n_vocab);
}

Result<void> write_test_model(const TestModelParams& p, const std::filesystem::path& out) {
  GgufWriter writer;
  if (auto r = build_test_model(p, writer); !r) return r;
  return writer.write(out);
}

}  // namespace coderx::model
