// The forward pass's view of a Gemma 4 model: dimensions and borrowed weight pointers, per
// spec §1–§3. Built from a loaded GGUF (model_view.cpp adapts model/weights.h) or by tests
// from in-memory weights. Plain data; borrowed pointers live as long as the weight storage.
#pragma once

#include <cstdint>
#include <vector>

#include "model/error.h"
#include "model/op_args.h"

namespace coderx::model {

struct LayerDims {
  bool swa = true;             // sliding-window layer (gemma4.attention.sliding_window_pattern)
  std::int64_t n_kv_head = 0;  // 8 sliding / 2 full on the 26B
  std::int64_t head_dim = 0;   // 256 sliding / 512 full
  RopeSpec rope;               // n_dims, base and (full layers) rope_freqs
  std::int64_t n_ff = 0;       // dense MLP width
};

struct ModelDims {
  std::int64_t n_embd = 0, n_layer = 0, n_head = 0, n_vocab = 0;
  std::int64_t n_ff_max = 0;               // widest dense MLP (scratch sizing)
  std::int64_t n_expert = 0, n_expert_used = 0, n_ff_exp = 0;
  std::int64_t window = 0;                 // sliding window
  float eps = 1e-6f;
  float softcap = 30.0f;                   // final logit softcap (0 = none)
  std::vector<LayerDims> layers;
};

// One layer's tensors; shapes in ggml order {ne0, ne1, ...}. Vectors are f32.
struct LayerView {
  const float* attn_norm = nullptr;       // {n_embd}
  Matrix wq;                              // {n_embd, n_head·hd}
  Matrix wk;                              // {n_embd, n_kv·hd}
  Matrix wv;                              // {n_embd, n_kv·hd}; !valid() on K=V layers
  Matrix wo;                              // {n_head·hd, n_embd}
  const float* q_norm = nullptr;          // {hd}
  const float* k_norm = nullptr;          // {hd}
  const float* post_attn_norm = nullptr;  // {n_embd}
  const float* ffn_norm = nullptr;        // {n_embd}
  Matrix ffn_gate, ffn_up;                // {n_embd, n_ff}
  Matrix ffn_down;                        // {n_ff, n_embd}
  const float* post_ffw_norm_1 = nullptr; // {n_embd}
  Matrix router;                          // {n_embd, n_expert} f32
  const float* router_scale = nullptr;    // {n_embd}
  const float* pre_ffw_norm_2 = nullptr;  // {n_embd}
  ExpertWeights experts;                  // {n_embd, 2·n_ff_exp, n_expert} / {n_ff_exp, n_embd, n_expert}
  const float* post_ffw_norm_2 = nullptr; // {n_embd}
  const float* post_ffw_norm = nullptr;   // {n_embd}
  float output_scale = 1.0f;              // layer_output_scale (1 when absent)
};

struct ModelView {
  ModelDims dims;
  Matrix token_embd;                      // {n_embd, n_vocab}, also the tied LM head
  Matrix output;                          // {n_embd, n_vocab} when untied, else !valid()
  const float* output_norm = nullptr;     // {n_embd}
  std::vector<LayerView> layers;

  const Matrix& lm_head() const { return output.valid() ? output : token_embd; }
};

struct Gemma4Config;
struct Gemma4Weights;

// The view of a loaded GGUF (config.h + weights.h, which already checked names, shapes and
// types). Fails (Errc::unsupported) only for forms the forward pass does not run: differing
// query head counts across layers, or split gate/up experts of different types.
Result<ModelView> make_model_view(const Gemma4Config& config, const Gemma4Weights& weights);

}  // namespace coderx::model
