// `coderx model make-test --out F [shape and type options]`: writes a random-weight Gemma 4 MoE
// GGUF (model/test_model.h) — the converter's keys and tensor layout, deterministic for a seed,
// streamed tensor by tensor so a real-size (--real-size, ~13 GB at Q4_K_M) file needs little
// memory. Each shape option is bounded, and a file larger than the free space is refused before
// anything is written. Exit codes: 0 written; 1 generation or write failed (no partial file);
// 2 usage.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>

#include "lsp/cli/args.h"
#include "lsp/cli/commands.h"
#include "model/gguf.h"
#include "model/gguf_writer.h"
#include "model/test_model.h"

namespace coderx::cli {

namespace {

using model::TestModelParams;
using model::quant::Type;

// The real gemma-4-26B-A4B text model (spec gemma4-moe.md §1).
void real_size(TestModelParams& p) {
  p.n_layer = 30;
  p.sliding_window = 1024;
  p.n_embd = 2816;
  p.n_head = 16;
  p.n_head_kv_swa = 8;
  p.n_head_kv_full = 2;
  p.head_dim_swa = 256;
  p.head_dim_full = 512;
  p.n_ff = 2112;
  p.n_expert = 128;
  p.n_expert_used = 8;
  p.n_ff_exp = 704;
  p.n_vocab = 262144;
  p.n_ctx_train = 262144;
}

Type* class_slot(model::TestModelTypes& t, const std::string& cls) {
  if (cls == "token_embd") return &t.token_embd;
  if (cls == "output") return &t.output;
  if (cls == "attn_q") return &t.attn_q;
  if (cls == "attn_k") return &t.attn_k;
  if (cls == "attn_v") return &t.attn_v;
  if (cls == "attn_output") return &t.attn_output;
  if (cls == "ffn_gate_up") return &t.ffn_gate_up;
  if (cls == "ffn_down") return &t.ffn_down;
  if (cls == "ffn_gate_up_exps") return &t.ffn_gate_up_exps;
  if (cls == "ffn_down_exps") return &t.ffn_down_exps;
  return nullptr;
}

// "CLASS=TYPE" or "all=TYPE"; returns an error message or "".
std::string set_type(model::TestModelTypes& t, const std::string& spec) {
  auto eq = spec.find('=');
  if (eq == std::string::npos) return "expected CLASS=TYPE, got '" + spec + "'";
  std::string cls = spec.substr(0, eq);
  auto type = model::quant::type_from_name(spec.substr(eq + 1));
  if (!type) return "unknown type '" + spec.substr(eq + 1) + "'";
  if (cls == "all") {
    for (const char* c : {"token_embd", "output", "attn_q", "attn_k", "attn_v", "attn_output",
                          "ffn_gate_up", "ffn_down", "ffn_gate_up_exps", "ffn_down_exps"})
      *class_slot(t, c) = *type;
    return "";
  }
  Type* slot = class_slot(t, cls);
  if (!slot) return "unknown tensor class '" + cls + "'";
  *slot = *type;
  return "";
}

std::string parse_pattern(const std::string& text, std::vector<bool>& out) {
  out.clear();
  for (char c : text) {
    if (c == 'S' || c == 's') out.push_back(true);
    else if (c == 'F' || c == 'f') out.push_back(false);
    else return "sliding pattern takes S (sliding) and F (full) letters, e.g. SSSSSF";
  }
  return "";
}

// Shape options; -1 = not given (the default or --real-size value stays).
struct ShapeOptions {
  std::int64_t layers = -1, window = -1, n_embd = -1, heads = -1, kv_sliding = -1, kv_full = -1,
               hd_sliding = -1, hd_full = -1, ffn = -1, experts = -1, top_k = -1,
               expert_ffn = -1, vocab = -1, context = -1, seed = -1;
};

// Each size between 1 and a limit far above any real model's (the real 26B-A4B has 30 layers,
// n_embd 2816, 128 experts, vocab 262144), so that no shape allocates without bound.
std::string apply(const ShapeOptions& o, TestModelParams& p) {
  struct Field {
    const char* option;
    std::int64_t value;
    std::uint32_t* out;
    std::int64_t max;
  };
  for (Field f : {Field{"--layers", o.layers, &p.n_layer, 1024},
                  Field{"--window", o.window, &p.sliding_window, 1 << 24},
                  Field{"--n-embd", o.n_embd, &p.n_embd, 1 << 16},
                  Field{"--heads", o.heads, &p.n_head, 1024},
                  Field{"--kv-heads-sliding", o.kv_sliding, &p.n_head_kv_swa, 1024},
                  Field{"--kv-heads-full", o.kv_full, &p.n_head_kv_full, 1024},
                  Field{"--head-dim-sliding", o.hd_sliding, &p.head_dim_swa, 1 << 14},
                  Field{"--head-dim-full", o.hd_full, &p.head_dim_full, 1 << 14},
                  Field{"--ffn", o.ffn, &p.n_ff, 1 << 20},
                  Field{"--experts", o.experts, &p.n_expert, 1 << 14},
                  Field{"--top-k", o.top_k, &p.n_expert_used, 1 << 14},
                  Field{"--expert-ffn", o.expert_ffn, &p.n_ff_exp, 1 << 20},
                  Field{"--vocab", o.vocab, &p.n_vocab, 1 << 22},
                  Field{"--context", o.context, &p.n_ctx_train, 0xFFFFFFFFll}}) {
    if (f.value == -1) continue;
    if (f.value <= 0 || f.value > f.max)
      return std::string(f.option) + " " + std::to_string(f.value) + ": must be between 1 and " +
             std::to_string(f.max);
    *f.out = static_cast<std::uint32_t>(f.value);
  }
  if (o.seed != -1) p.seed = static_cast<std::uint64_t>(o.seed);
  return "";
}

// "" when the file system that will hold `out` has room for `bytes`, else why not (a shape
// that asks for terabytes is refused before an hour of writing fills the disk).
std::string check_room(const std::filesystem::path& out, std::uint64_t bytes) {
  std::error_code ec;
  std::filesystem::path dir = out.parent_path().empty() ? "." : out.parent_path();
  const std::filesystem::space_info space = std::filesystem::space(dir, ec);
  if (ec) return "";  // a missing folder is reported by the write itself
  if (bytes <= space.available) return "";
  return out.string() + " would take " + std::to_string(bytes) + " bytes, but " + dir.string() +
         " has only " + std::to_string(space.available) + " bytes free (make the shape smaller)";
}

void add_shape_options(ArgParser& ap, ShapeOptions& o) {
  ap.option("--layers", &o.layers, "N", "number of layers (default 6)");
  ap.option("--window", &o.window, "N", "sliding window (default 16)");
  ap.option("--n-embd", &o.n_embd, "N", "hidden size (default 256)");
  ap.option("--heads", &o.heads, "N", "query heads (default 4)");
  ap.option("--kv-heads-sliding", &o.kv_sliding, "N", "kv heads on sliding layers (default 2)");
  ap.option("--kv-heads-full", &o.kv_full, "N", "kv heads on full layers (default 1)");
  ap.option("--head-dim-sliding", &o.hd_sliding, "N", "head dim of sliding layers (default 64)");
  ap.option("--head-dim-full", &o.hd_full, "N", "head dim of full layers (default 128)");
  ap.option("--ffn", &o.ffn, "N", "dense MLP width (default 512)");
  ap.option("--experts", &o.experts, "N", "expert count (default 8)");
  ap.option("--top-k", &o.top_k, "N", "experts used per token (default 2)");
  ap.option("--expert-ffn", &o.expert_ffn, "N", "expert width (default 256)");
  ap.option("--vocab", &o.vocab, "N", "built-in vocabulary size, >= 512 (default 512)");
  ap.option("--context", &o.context, "N", "training context length (default 4096)");
  ap.option("--seed", &o.seed, "N", "random seed (default 1)");
}

}  // namespace

int run_model_make_test(Args args) {
  ArgParser ap("coderx model make-test",
               "Write a random-weight Gemma 4 MoE GGUF (deterministic for a seed).");
  std::string out, preset, pattern, vocab_from, name;
  bool real = false, split = false, expert_scales = false, linear_scales = false, untied = false;
  ShapeOptions shape;
  TestModelParams p;
  ap.option("--out", &out, "FILE", "where to write the GGUF (required)");
  ap.flag("--real-size", &real, "start from the real 26B-A4B shape (30 layers, 128 experts, ...)");
  add_shape_options(ap, shape);
  ap.option("--sliding-pattern", &pattern, "SF...", "per-layer S/F letters (default SSSSSF...F)");
  ap.option("--preset", &preset, "NAME", "llama-quantize preset: Q4_K_M, Q6_K, Q8_0, F16, ...");
  ap.option("--type", "CLASS=TYPE",
            "type of a tensor class (token_embd, output, attn_q, attn_k, attn_v, attn_output, "
            "ffn_gate_up, ffn_down, ffn_gate_up_exps, ffn_down_exps, all); repeatable",
            [&](const std::string& v) { return set_type(p.types, v); });
  ap.option("--vocab-from", &vocab_from, "FILE", "copy tokenizer.* keys from this GGUF");
  ap.option("--name", &name, "TEXT", "general.name");
  ap.flag("--split-experts", &split, "write ffn_gate_exps + ffn_up_exps instead of the fused form");
  ap.flag("--expert-scales", &expert_scales, "add .scale {n_expert} to gate/up expert tensors");
  ap.flag("--linear-scales", &linear_scales, "add .scale {1} to attention and dense MLP weights");
  ap.flag("--untied-output", &untied, "write a separate output.weight");
  if (auto rc = ap.parse(args)) return *rc;
  auto usage = [](const std::string& m) {
    std::fprintf(stderr, "coderx model make-test: %s\n", m.c_str());
    return 2;
  };
  if (out.empty()) return usage("--out FILE is required");
  if (real) real_size(p);
  if (std::string e = apply(shape, p); !e.empty()) return usage(e);
  if (!pattern.empty())
    if (std::string e = parse_pattern(pattern, p.sliding_pattern); !e.empty()) return usage(e);
  p.preset = preset;
  p.vocab_from = vocab_from;
  if (!name.empty()) p.name = name;
  p.split_experts = split;
  p.expert_scales = expert_scales;
  p.linear_scales = linear_scales;
  p.untied_output = untied;
  auto start = std::chrono::steady_clock::now();
  model::GgufWriter writer;
  auto fail = [](const std::string& m) {
    std::fprintf(stderr, "coderx model make-test: %s\n", m.c_str());
    return 1;
  };
  if (auto r = model::build_test_model(p, writer); !r) return fail(r.error().message);
  if (std::string e = check_room(out, writer.file_bytes()); !e.empty()) return fail(e);
  if (auto r = writer.write(out); !r) return fail(r.error().message);
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  auto file = model::GgufFile::open(out);
  std::printf("wrote %s: %zu tensors, %zu bytes in %.1f s\n", out.c_str(),
              file ? file->tensors().size() : 0, file ? file->bytes().size() : 0, s);
  return 0;
}

}  // namespace coderx::cli
