#include "model/config.h"

#include <string_view>

namespace coderx::model {

namespace {

constexpr std::uint32_t kMaxLayers = 1024;

std::string k(std::string_view suffix) { return "gemma4." + std::string(suffix); }

Error invalid(const std::string& message) { return make_error(Errc::format, message); }

Result<void> check_architecture(const GgufFile& f) {
  bool projector = false;
  for (const KeyValue& kv : f.metadata())
    if (kv.key.rfind("clip.", 0) == 0 || kv.key.find(".projector") != std::string_view::npos)
      projector = true;
  const Value* arch = f.find("general.architecture");
  if (arch && arch->type == ValueType::string && arch->str == "clip") projector = true;
  if (projector)
    return make_error(Errc::unsupported,
                      f.label() + " is a multimodal projector (mmproj) file, not a language "
                                  "model; point coderx at the gemma4 text model GGUF instead");
  auto name = f.get_string("general.architecture");
  if (!name) return name.error();
  if (*name != "gemma4")
    return make_error(Errc::unsupported, f.label() + ": architecture \"" + std::string(*name) +
                                             "\" is not supported (coderx runs gemma4 models)");
  return {};
}

// A per-layer u32: either a scalar (same for every layer) or an integer array of n entries.
Result<std::vector<std::uint32_t>> per_layer(const GgufFile& f, const std::string& key,
                                             std::uint32_t n) {
  const Value* v = f.find(key);
  if (v && v->type == ValueType::array) {
    auto values = f.get_int_array(key);
    if (!values) return values.error();
    if (values->size() != n)
      return invalid("key " + key + ": array has " + std::to_string(values->size()) +
                     " entries, block_count is " + std::to_string(n));
    std::vector<std::uint32_t> out;
    for (std::int64_t x : *values) {
      if (x <= 0 || x > 0xFFFFFFFFll)
        return invalid("key " + key + ": entry " + std::to_string(x) + " is out of range");
      out.push_back(static_cast<std::uint32_t>(x));
    }
    return out;
  }
  auto scalar = f.get_u32(key);
  if (!scalar) return scalar.error();
  return std::vector<std::uint32_t>(n, *scalar);
}

Result<std::uint32_t> positive(const GgufFile& f, const std::string& key) {
  auto v = f.get_u32(key);
  if (!v) return v.error();
  if (*v == 0) return invalid("key " + key + ": must be positive, file has 0");
  return *v;
}

Result<float> f32_or(const GgufFile& f, const std::string& key, float fallback) {
  if (!f.find(key)) return fallback;
  return f.get_f32(key);
}

Result<std::uint32_t> u32_or(const GgufFile& f, const std::string& key, std::uint32_t fallback) {
  if (!f.find(key)) return fallback;
  return f.get_u32(key);
}

Result<void> read_sizes(const GgufFile& f, Gemma4Config& c) {
  auto n_layer = positive(f, k("block_count"));
  if (!n_layer) return n_layer.error();
  if (*n_layer > kMaxLayers)
    return invalid("key " + k("block_count") + ": " + std::to_string(*n_layer) +
                   " layers is implausible (at most " + std::to_string(kMaxLayers) + ")");
  c.n_layer = *n_layer;
  auto n_embd = positive(f, k("embedding_length"));
  if (!n_embd) return n_embd.error();
  c.n_embd = *n_embd;
  auto n_ctx = positive(f, k("context_length"));
  if (!n_ctx) return n_ctx.error();
  c.n_ctx_train = *n_ctx;
  auto window = positive(f, k("attention.sliding_window"));
  if (!window) return window.error();
  c.sliding_window = *window;
  auto eps = f.get_f32(k("attention.layer_norm_rms_epsilon"));
  if (!eps) return eps.error();
  if (!(*eps > 0.0f)) return invalid("key " + k("attention.layer_norm_rms_epsilon") + ": must be > 0");
  c.rms_eps = *eps;
  auto softcap = f32_or(f, k("final_logit_softcapping"), 30.0f);
  if (!softcap) return softcap.error();
  c.final_softcap = *softcap;
  return {};
}

// key_length and value_length must both be present and equal (K = V on full layers).
Result<std::uint32_t> head_dim(const GgufFile& f, const std::string& key_key,
                               const std::string& value_key) {
  auto kd = positive(f, key_key);
  if (!kd) return kd.error();
  auto vd = positive(f, value_key);
  if (!vd) return vd.error();
  if (*kd != *vd)
    return make_error(Errc::unsupported, "key " + key_key + " (" + std::to_string(*kd) +
                                             ") differs from " + value_key + " (" +
                                             std::to_string(*vd) + ")");
  return *kd;
}

Result<void> read_attention(const GgufFile& f, Gemma4Config& c) {
  auto full = head_dim(f, k("attention.key_length"), k("attention.value_length"));
  if (!full) return full.error();
  c.head_dim_full = *full;
  auto swa = head_dim(f, k("attention.key_length_swa"), k("attention.value_length_swa"));
  if (!swa) return swa.error();
  c.head_dim_swa = *swa;
  auto rope_full = u32_or(f, k("rope.dimension_count"), c.head_dim_full);
  if (!rope_full) return rope_full.error();
  c.rope_dims_full = *rope_full;
  auto rope_swa = u32_or(f, k("rope.dimension_count_swa"), c.head_dim_swa);
  if (!rope_swa) return rope_swa.error();
  c.rope_dims_swa = *rope_swa;
  if (c.rope_dims_full > c.head_dim_full || c.rope_dims_full % 2 || c.rope_dims_swa > c.head_dim_swa ||
      c.rope_dims_swa % 2)
    return invalid("rope dimension counts " + std::to_string(c.rope_dims_full) + "/" +
                   std::to_string(c.rope_dims_swa) + " do not fit head dims " +
                   std::to_string(c.head_dim_full) + "/" + std::to_string(c.head_dim_swa));
  auto base_full = f32_or(f, k("rope.freq_base"), 10000.0f);
  if (!base_full) return base_full.error();
  c.rope_base_full = *base_full;
  auto base_swa = f32_or(f, k("rope.freq_base_swa"), 10000.0f);
  if (!base_swa) return base_swa.error();
  c.rope_base_swa = *base_swa;
  return {};
}

Result<void> read_experts(const GgufFile& f, Gemma4Config& c) {
  auto n_expert = positive(f, k("expert_count"));
  if (!n_expert) return n_expert.error();
  c.n_expert = *n_expert;
  auto used = positive(f, k("expert_used_count"));
  if (!used) return used.error();
  if (*used > c.n_expert)
    return invalid("key " + k("expert_used_count") + ": " + std::to_string(*used) +
                   " experts per token but only " + std::to_string(c.n_expert) + " experts");
  c.n_expert_used = *used;
  auto ff = positive(f, k("expert_feed_forward_length"));
  if (!ff) return ff.error();
  c.n_ff_exp = *ff;
  return {};
}

Result<void> read_unsupported(const GgufFile& f) {
  for (const char* key : {"embedding_length_per_layer_input", "attention.shared_kv_layers"}) {
    auto v = u32_or(f, k(key), 0);
    if (!v) return v.error();
    if (*v != 0)
      return make_error(Errc::unsupported, "key " + k(key) + " = " + std::to_string(*v) +
                                               ": this Gemma 4 variant is not supported "
                                               "(the 26B-A4B model has 0)");
  }
  return {};
}

Result<void> read_layers(const GgufFile& f, Gemma4Config& c) {
  auto pattern = f.get_bool_array(k("attention.sliding_window_pattern"));
  if (!pattern) return pattern.error();
  if (pattern->size() != c.n_layer)
    return invalid("key " + k("attention.sliding_window_pattern") + ": array has " +
                   std::to_string(pattern->size()) + " entries, block_count is " +
                   std::to_string(c.n_layer));
  auto n_head = per_layer(f, k("attention.head_count"), c.n_layer);
  if (!n_head) return n_head.error();
  auto n_head_kv = per_layer(f, k("attention.head_count_kv"), c.n_layer);
  if (!n_head_kv) return n_head_kv.error();
  auto n_ff = per_layer(f, k("feed_forward_length"), c.n_layer);
  if (!n_ff) return n_ff.error();
  c.layers.resize(c.n_layer);
  for (std::uint32_t l = 0; l < c.n_layer; ++l) {
    LayerConfig& L = c.layers[l];
    L.sliding = (*pattern)[l];
    L.n_head = (*n_head)[l];
    L.n_head_kv = (*n_head_kv)[l];
    L.n_ff = (*n_ff)[l];
    L.head_dim = L.sliding ? c.head_dim_swa : c.head_dim_full;
    L.rope_dims = L.sliding ? c.rope_dims_swa : c.rope_dims_full;
    L.rope_base = L.sliding ? c.rope_base_swa : c.rope_base_full;
    L.k_eq_v = !L.sliding;
    if (L.n_head % L.n_head_kv != 0)
      return invalid("layer " + std::to_string(l) + ": " + std::to_string(L.n_head) +
                     " query heads are not a multiple of " + std::to_string(L.n_head_kv) +
                     " kv heads");
  }
  return {};
}

Result<void> read_sampling(const GgufFile& f, Gemma4Config& c) {
  auto opt_f32 = [&](const char* key, std::optional<float>& out) -> Result<void> {
    if (!f.find(key)) return {};
    auto v = f.get_f32(key);
    if (!v) return v.error();
    out = *v;
    return {};
  };
  if (auto r = opt_f32("general.sampling.temp", c.sampling.temperature); !r) return r;
  if (auto r = opt_f32("general.sampling.top_p", c.sampling.top_p); !r) return r;
  if (auto r = opt_f32("general.sampling.min_p", c.sampling.min_p); !r) return r;
  if (f.find("general.sampling.top_k")) {
    auto v = f.get_i32("general.sampling.top_k");
    if (!v) return v.error();
    c.sampling.top_k = *v;
  }
  return {};
}

void read_info(const GgufFile& f, Gemma4Config& c) {
  if (auto name = f.get_string("general.name")) c.name = std::string(*name);
  if (auto ft = f.get_u32("general.file_type")) c.file_type = *ft;
  if (auto tokens = f.get_string_array("tokenizer.ggml.tokens"))
    c.n_vocab = static_cast<std::uint32_t>(tokens->size());
  c.add_bos = true;  // llama.cpp forces add_bos for gemma4 whatever the file says (spec §3.1)
}

}  // namespace

std::uint32_t Gemma4Config::n_full_layers() const {
  std::uint32_t n = 0;
  for (const LayerConfig& l : layers) n += l.sliding ? 0 : 1;
  return n;
}

Result<Gemma4Config> load_config(const GgufFile& file) {
  if (auto r = check_architecture(file); !r) return r.error();
  Gemma4Config c;
  if (auto r = read_sizes(file, c); !r) return r.error();
  if (auto r = read_attention(file, c); !r) return r.error();
  if (auto r = read_experts(file, c); !r) return r.error();
  if (auto r = read_unsupported(file); !r) return r.error();
  if (auto r = read_layers(file, c); !r) return r.error();
  if (auto r = read_sampling(file, c); !r) return r.error();
  read_info(file, c);
  return c;
}

}  // namespace coderx::model
