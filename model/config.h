// Gemma 4 (MoE) hyper-parameters, read from GGUF metadata only (spec gemma4-moe.md §1, §3.1).
// Callers: model/weights (shape checks), the engine (forward pass, KV cache, sampler defaults),
// `coderx model info`. Plain value; thread-safe to share once built.
//
// load_config() refuses: another general.architecture (naming it), a multimodal projector file
// (architecture "clip" or projector keys: "this is an mmproj file; the text model is needed"),
// missing or mistyped required keys (the key is named), and values an engine cannot run
// (zero sizes, top-k > experts, per-layer arrays of the wrong length, per-layer embeddings or
// KV sharing, which the 26B-A4B model does not use).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/error.h"
#include "model/gguf.h"

namespace coderx::model {

// general.sampling.* from the file (llama.cpp uses them as defaults); absent → nullopt.
struct SamplingDefaults {
  std::optional<float> temperature;  // general.sampling.temp
  std::optional<float> top_p;        // general.sampling.top_p
  std::optional<std::int32_t> top_k; // general.sampling.top_k
  std::optional<float> min_p;        // general.sampling.min_p
};

struct LayerConfig {
  bool sliding = true;        // sliding-window attention (true) or full attention
  std::uint32_t n_head = 0;   // query heads
  std::uint32_t n_head_kv = 0;
  std::uint32_t head_dim = 0;   // head_dim_swa or head_dim_full
  std::uint32_t rope_dims = 0;  // rotary dims (whole head for gemma4)
  float rope_base = 10000.0f;
  std::uint32_t n_ff = 0;       // dense MLP width
  bool k_eq_v = false;          // full layers: V is derived from K (no attn_v) — set by weights
};

struct Gemma4Config {
  std::string name;               // general.name ("" if absent)
  std::uint32_t n_layer = 0;      // gemma4.block_count
  std::uint32_t n_embd = 0;       // gemma4.embedding_length
  std::uint32_t n_ctx_train = 0;  // gemma4.context_length
  std::uint32_t n_vocab = 0;      // tokenizer.ggml.tokens count (0 if absent; weights decide)
  std::uint32_t head_dim_full = 0;  // gemma4.attention.key_length (= value_length)
  std::uint32_t head_dim_swa = 0;   // gemma4.attention.key_length_swa (= value_length_swa)
  std::uint32_t rope_dims_full = 0; // gemma4.rope.dimension_count
  std::uint32_t rope_dims_swa = 0;  // gemma4.rope.dimension_count_swa
  float rope_base_full = 10000.0f;  // gemma4.rope.freq_base
  float rope_base_swa = 10000.0f;   // gemma4.rope.freq_base_swa
  std::uint32_t sliding_window = 0;
  float rms_eps = 1e-6f;
  float final_softcap = 30.0f;      // gemma4.final_logit_softcapping (default 30)
  std::uint32_t n_expert = 0;       // gemma4.expert_count
  std::uint32_t n_expert_used = 0;  // gemma4.expert_used_count (top-k)
  std::uint32_t n_ff_exp = 0;       // gemma4.expert_feed_forward_length
  std::vector<LayerConfig> layers;  // n_layer entries
  SamplingDefaults sampling;
  bool add_bos = true;  // forced true for gemma4 (old files say false)
  std::optional<std::uint32_t> file_type;  // general.file_type (llama_ftype), informational

  std::uint32_t n_full_layers() const;
  std::uint32_t n_sliding_layers() const { return n_layer - n_full_layers(); }
};

Result<Gemma4Config> load_config(const GgufFile& file);

}  // namespace coderx::model
