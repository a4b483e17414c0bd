// Random-weight Gemma 4 MoE GGUF generator: the metadata keys and tensor layout llama.cpp's
// converter writes (spec gemma4-moe.md §3), any shape, per-class quantisation types,
// deterministic for a seed. Used by `coderx model make-test` and by tests of every module that
// need a model in-process (tests/model, engine, tokenizer, LSP).
//
// build_test_model() fills a GgufWriter (metadata + tensor infos + fill callbacks that generate
// and quantise each tensor row by row when written), so a real-size 13 GB file is written in
// bounded memory; callers (tests) may tweak the writer before write(). Weight scales keep a
// forward pass sane: norms ≈ 1, matrices ~ N(0, 1/fan_in), layer_output_scale in (0.5, 1],
// rope_freqs 1.0 for the rotated pairs and 1e30 for the rest (spec §2.4).
// Errors: invalid shapes/types (Errc::invalid_argument), unreadable --vocab-from file, I/O.
// Not thread-safe per writer; the functions themselves are reentrant.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "model/error.h"
#include "model/gguf_writer.h"
#include "model/quant/types.h"

namespace coderx::model {

// Storage type per tensor class (1-D tensors, the router and scales are always F32).
struct TestModelTypes {
  quant::Type token_embd = quant::Type::F16;
  quant::Type output = quant::Type::F16;  // only with untied output
  quant::Type attn_q = quant::Type::F16;
  quant::Type attn_k = quant::Type::F16;
  quant::Type attn_v = quant::Type::F16;
  quant::Type attn_output = quant::Type::F16;
  quant::Type ffn_gate_up = quant::Type::F16;  // dense ffn_gate and ffn_up
  quant::Type ffn_down = quant::Type::F16;     // dense ffn_down
  quant::Type ffn_gate_up_exps = quant::Type::F16;
  quant::Type ffn_down_exps = quant::Type::F16;
};

struct TestModelParams {
  std::string name = "coderx-test-gemma4";
  std::uint32_t n_layer = 6;
  std::vector<bool> sliding_pattern;  // empty: 5 sliding then 1 full, repeated; last layer full
  std::uint32_t sliding_window = 16;
  std::uint32_t n_embd = 256;
  std::uint32_t n_head = 4;
  std::uint32_t n_head_kv_swa = 2;
  std::uint32_t n_head_kv_full = 1;
  std::uint32_t head_dim_swa = 64;
  std::uint32_t head_dim_full = 128;
  std::uint32_t n_ff = 512;      // dense MLP width
  std::uint32_t n_expert = 8;
  std::uint32_t n_expert_used = 2;
  std::uint32_t n_ff_exp = 256;  // expert width
  std::uint32_t n_vocab = 512;   // built-in vocabulary size (ignored with vocab_from)
  std::uint32_t n_ctx_train = 4096;
  float rope_base_full = 1e6f;
  float rope_base_swa = 1e4f;
  float partial_rotary = 0.25f;  // fraction of full-layer rotary pairs that rotate
  bool split_experts = false;    // ffn_gate_exps + ffn_up_exps instead of ffn_gate_up_exps
  bool expert_scales = false;    // .scale {n_expert} on ffn_gate/up(_up)_exps (ffn_down_exps
                                 // always has its per-expert scale)
  bool linear_scales = false;    // .scale {1} on attention and dense MLP weights
  bool untied_output = false;    // write output.weight
  TestModelTypes types;
  std::string preset;            // e.g. "Q4_K_M": overrides `types` per formats-extra §2.2
  std::uint64_t seed = 1;
  std::filesystem::path vocab_from;  // copy tokenizer.* keys from this GGUF
};

// The sliding pattern actually used (expands the default).
std::vector<bool> sliding_pattern(const TestModelParams& p);

Result<void> build_test_model(const TestModelParams& p, GgufWriter& writer);
Result<void> write_test_model(const TestModelParams& p, const std::filesystem::path& out);

// Tokenizer metadata of the small built-in vocabulary (ids 0–4 <pad> <eos> <bos> <unk> <mask>,
// the Gemma 4 control/user-defined tokens at their real ids 46–52, 98, 100, 101, 105, 106, "\n"
// at 107, byte tokens <0x00>..<0xFF> at 108–363, then printable characters, "▁" and merged
// tokens). n_vocab ≥ 512.
Result<void> add_builtin_vocab(GgufWriter& writer, std::uint32_t n_vocab);

}  // namespace coderx::model
