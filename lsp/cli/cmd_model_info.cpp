// `coderx model info MODEL [--json]`: what a GGUF file holds — metadata (long arrays
// summarised), the tensor table with types and sizes, and for a Gemma 4 model the layer pattern,
// expert layout and memory estimate. MODEL is a path, ollama:NAME[:TAG] or hf:OWNER/REPO/FILE.
// Exit codes: 0 described; 1 the model cannot be found, read or is not a runnable Gemma 4 file
// (the file part is still printed when the container itself is readable); 2 usage.
#include <boost/json.hpp>

#include <cstdio>
#include <map>
#include <optional>
#include <string>

#include "lsp/cli/args.h"
#include "lsp/cli/commands.h"
#include "lsp/server/model_ref.h"
#include "model/config.h"
#include "model/gguf.h"
#include "model/weights.h"

namespace coderx::cli {

namespace {

using namespace model;
namespace json = boost::json;

constexpr std::uint64_t kShownElements = 6;

std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (c == '"' || c == '\\') out += std::string("\\") + c;
    else if (static_cast<unsigned char>(c) < 32) out += "\\x" + std::to_string(c);
    else out += c;
  }
  return out + "\"";
}

std::string scalar_text(const Value& v) {
  if (v.type == ValueType::string) return quoted(v.str);
  if (v.type == ValueType::boolean) return v.u ? "true" : "false";
  if (is_float(v.type)) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v.f);
    return buf;
  }
  bool is_signed = v.type == ValueType::i8 || v.type == ValueType::i16 ||
                   v.type == ValueType::i32 || v.type == ValueType::i64;
  return is_signed ? std::to_string(v.i) : std::to_string(v.u);
}

std::string element_text(const Value& v, std::uint64_t k) {
  if (v.elem_type == ValueType::string) return quoted(v.strings[k]);
  if (v.elem_type == ValueType::array) return describe_type(v.arrays[k]);
  if (v.elem_type == ValueType::boolean) return v.int_at(k) ? "true" : "false";
  if (is_float(v.elem_type)) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v.float_at(k));
    return buf;
  }
  return std::to_string(v.int_at(k));
}

std::string value_text(const Value& v) {
  if (v.type != ValueType::array) {
    std::string s = scalar_text(v);
    return s.size() > 80 ? s.substr(0, 77) + "...\" (" + std::to_string(v.str.size()) + " bytes)"
                         : s;
  }
  std::string s = "[";
  std::uint64_t shown = v.count <= kShownElements + 2 ? v.count : kShownElements;
  for (std::uint64_t k = 0; k < shown; ++k) s += (k ? ", " : "") + element_text(v, k);
  if (shown < v.count) s += ", ... " + std::to_string(v.count - shown) + " more";
  return s + "]";
}

std::string mib(std::uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return buf;
}

void print_container(const GgufFile& f) {
  std::printf("file:       %s\n", f.label().c_str());
  std::printf("size:       %zu bytes (%s), GGUF v%u, alignment %u, data at %llu\n",
              f.bytes().size(), mib(f.bytes().size()).c_str(), f.version(), f.alignment(),
              static_cast<unsigned long long>(f.data_offset()));
  std::printf("\nmetadata (%zu keys):\n", f.metadata().size());
  for (const KeyValue& kv : f.metadata())
    std::printf("  %-44.*s %-18s %s\n", static_cast<int>(kv.key.size()), kv.key.data(),
                describe_type(kv.value).c_str(), value_text(kv.value).c_str());
}

void print_tensors(const GgufFile& f) {
  std::printf("\ntensors (%zu):\n", f.tensors().size());
  std::map<std::string, std::pair<int, std::uint64_t>> by_type;
  for (const TensorInfo& t : f.tensors()) {
    std::string type(quant::info(t.type).name);
    std::printf("  %-40.*s %-7s %-20s %12llu\n", static_cast<int>(t.name.size()), t.name.data(),
                type.c_str(), format_shape(t.shape()).c_str(),
                static_cast<unsigned long long>(t.n_bytes));
    by_type[type].first += 1;
    by_type[type].second += t.n_bytes;
  }
  std::printf("\ntypes:\n");
  for (const auto& [type, n] : by_type)
    std::printf("  %-7s %4d tensors %14s\n", type.c_str(), n.first, mib(n.second).c_str());
}

std::string layer_pattern(const Gemma4Config& c) {
  std::string s;
  for (const LayerConfig& l : c.layers) s += l.sliding ? 'S' : 'F';
  return s;
}

// KV cache bytes per token at f16: full layers store K once when K = V.
std::uint64_t kv_bytes_per_token(const Gemma4Config& c, const Gemma4Weights& w, bool sliding) {
  std::uint64_t total = 0;
  for (std::size_t l = 0; l < c.layers.size(); ++l) {
    const LayerConfig& L = c.layers[l];
    if (L.sliding != sliding) continue;
    std::uint64_t kv = 2ull * L.n_head_kv * L.head_dim;
    total += w.layers[l].k_eq_v ? kv : 2 * kv;
  }
  return total;
}

void print_model(const Gemma4Config& c, const Gemma4Weights& w) {
  const LayerConfig* swa = nullptr;
  const LayerConfig* full = nullptr;
  for (const LayerConfig& l : c.layers) {
    if (l.sliding && !swa) swa = &l;
    if (!l.sliding && !full) full = &l;
  }
  std::printf("\nmodel:      gemma4 \"%s\"\n", c.name.c_str());
  std::printf("layers:     %u (%u sliding, %u full)  pattern %s\n", c.n_layer,
              c.n_sliding_layers(), c.n_full_layers(), layer_pattern(c).c_str());
  std::printf("attention:  n_embd %u, %u query heads, kv heads %u sliding / %u full, head dim "
              "%u sliding / %u full, window %u\n",
              c.n_embd, c.layers[0].n_head, swa ? swa->n_head_kv : 0, full ? full->n_head_kv : 0,
              c.head_dim_swa, c.head_dim_full, c.sliding_window);
  std::printf("rope:       base %g sliding / %g full, dims %u / %u\n", c.rope_base_swa,
              c.rope_base_full, c.rope_dims_swa, c.rope_dims_full);
  std::printf("ffn:        dense %u; experts %u x %u, top-%u, %s gate/up%s\n", c.layers[0].n_ff,
              c.n_expert, c.n_ff_exp, c.n_expert_used,
              w.layers[0].fused_gate_up() ? "fused" : "split",
              w.layers[0].ffn_gate_up_exps.scale.present() || w.layers[0].ffn_gate_exps.scale.present()
                  ? ", expert .scale tensors"
                  : "");
  std::printf("output:     vocab %u, %s embeddings, softcap %g, eps %g, context %u\n", w.n_vocab,
              w.tied_embeddings() ? "tied" : "separate output", c.final_softcap, c.rms_eps,
              c.n_ctx_train);
  const MemorySummary& m = w.memory;
  std::printf("\nmemory:\n  mapped weights       %s\n", mib(m.weight_bytes).c_str());
  if (m.ignored_tensors)
    std::printf("  ignored tensors      %u (%s)\n", m.ignored_tensors, mib(m.ignored_bytes).c_str());
  std::printf("  active per token     %s (decode: attention, dense MLP, %u of %u experts, "
              "embedding row, LM head)\n",
              mib(m.active_bytes_per_token).c_str(), c.n_expert_used, c.n_expert);
  std::printf("  KV cache (f16)       %llu bytes/token on full layers + %llu bytes/token on "
              "sliding layers (window %u)\n",
              static_cast<unsigned long long>(kv_bytes_per_token(c, w, false)),
              static_cast<unsigned long long>(kv_bytes_per_token(c, w, true)), c.sliding_window);
}

json::value value_json(const Value& v) {
  if (v.type == ValueType::string) return json::string(v.str);
  if (v.type == ValueType::boolean) return v.u != 0;
  if (is_float(v.type)) return v.f;
  if (v.type != ValueType::array) {
    bool is_signed = v.type == ValueType::i8 || v.type == ValueType::i16 ||
                     v.type == ValueType::i32 || v.type == ValueType::i64;
    return is_signed ? json::value(v.i) : json::value(v.u);
  }
  json::array head;
  std::uint64_t shown = v.count <= kShownElements + 2 ? v.count : kShownElements;
  for (std::uint64_t k = 0; k < shown; ++k) {
    if (v.elem_type == ValueType::string) head.emplace_back(json::string(v.strings[k]));
    else if (v.elem_type == ValueType::array) head.emplace_back(describe_type(v.arrays[k]));
    else if (is_float(v.elem_type)) head.emplace_back(v.float_at(k));
    else if (v.elem_type == ValueType::boolean) head.emplace_back(v.int_at(k) != 0);
    else head.emplace_back(v.int_at(k));
  }
  return json::object{{"type", describe_type(v)}, {"count", v.count}, {"head", head}};
}

json::object container_json(const GgufFile& f) {
  json::object meta;
  for (const KeyValue& kv : f.metadata()) meta[kv.key] = value_json(kv.value);
  json::array tensors;
  for (const TensorInfo& t : f.tensors()) {
    json::array shape;
    for (std::int64_t d : t.shape()) shape.emplace_back(d);
    tensors.emplace_back(json::object{{"name", t.name},
                                      {"type", quant::info(t.type).name},
                                      {"shape", shape},
                                      {"bytes", t.n_bytes},
                                      {"offset", t.offset}});
  }
  return {{"file", f.label()}, {"size", f.bytes().size()}, {"version", f.version()},
          {"alignment", f.alignment()}, {"metadata", meta}, {"tensors", tensors}};
}

json::object model_json(const Gemma4Config& c, const Gemma4Weights& w) {
  const MemorySummary& m = w.memory;
  return {{"layers", c.n_layer},
          {"sliding_layers", c.n_sliding_layers()},
          {"full_layers", c.n_full_layers()},
          {"pattern", layer_pattern(c)},
          {"n_embd", c.n_embd},
          {"head_dim_sliding", c.head_dim_swa},
          {"head_dim_full", c.head_dim_full},
          {"sliding_window", c.sliding_window},
          {"experts", c.n_expert},
          {"experts_used", c.n_expert_used},
          {"expert_ffn", c.n_ff_exp},
          {"fused_gate_up", w.layers[0].fused_gate_up()},
          {"vocab", w.n_vocab},
          {"tied_embeddings", w.tied_embeddings()},
          {"weight_bytes", m.weight_bytes},
          {"active_bytes_per_token", m.active_bytes_per_token},
          {"kv_bytes_per_token_full", kv_bytes_per_token(c, w, false)},
          {"kv_bytes_per_token_sliding", kv_bytes_per_token(c, w, true)}};
}

// The Gemma 4 part: config + weights, or the first error.
struct ModelPart {
  Result<Gemma4Config> config = make_error(Errc::internal, "");
  Result<Gemma4Weights> weights = make_error(Errc::internal, "");
};

ModelPart load_model(const GgufFile& f) {
  ModelPart part;
  part.config = load_config(f);
  if (part.config) part.weights = load_weights(f, *part.config);
  return part;
}

std::optional<Error> model_error(const ModelPart& p) {
  if (!p.config) return p.config.error();
  if (!p.weights) return p.weights.error();
  return std::nullopt;
}

}  // namespace

int run_model_info(Args args) {
  ArgParser parser("coderx model info", "Describe a GGUF model file.");
  std::string ref;
  bool as_json = false;
  parser.positional("MODEL", &ref, "path, ollama:NAME[:TAG] or hf:OWNER/REPO/FILE.gguf");
  parser.flag("--json", &as_json, "print JSON instead of text");
  if (auto rc = parser.parse(args)) return *rc;
  auto path = server::resolve_model_ref(ref);
  if (!path) {
    std::fprintf(stderr, "coderx model info: %s\n", path.error().message.c_str());
    return 1;
  }
  auto file = GgufFile::open(*path);
  if (!file) {
    std::fprintf(stderr, "coderx model info: %s\n", file.error().message.c_str());
    return 1;
  }
  ModelPart part = load_model(*file);
  std::optional<Error> error = model_error(part);
  if (as_json) {
    json::object out = container_json(*file);
    if (error) out["error"] = error->message;
    else out["model"] = model_json(*part.config, *part.weights);
    std::printf("%s\n", json::serialize(out).c_str());
  } else {
    print_container(*file);
    print_tensors(*file);
    if (!error) print_model(*part.config, *part.weights);
  }
  if (error) {
    std::fprintf(stderr, "coderx model info: %s: not a runnable Gemma 4 model: %s\n",
                 file->label().c_str(), error->message.c_str());
    return 1;
  }
  return 0;
}

}  // namespace coderx::cli
