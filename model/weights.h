// Gemma-4-only tensor views over a mapped GGUF (spec gemma4-moe.md §3.2): for each global and
// per-layer weight its type (read from the file, so mixed per-tensor/per-layer quantisation
// just works), data pointer, shape and row size, checked against the config.
// Callers: the engine (ops_ref, ops_cpu, backend_cuda upload), `coderx model info`.
//
// Shapes are in ggml order (ne[0] contiguous). Accepted forms: fused `ffn_gate_up_exps` or split
// `ffn_gate_exps` + `ffn_up_exps`; any expert count; optional `<name>.scale` tensors ({1}, or
// {n_expert} on expert tensors) that multiply the matmul output; full layers without `attn_v`
// (K = V); tied embeddings or an `output.weight`. Tensors prefixed `v.`, `a.`, `mm.`, `mtp.`,
// `s.` (multimodal / draft parts) and any other unused tensor are ignored and counted.
//
// Lifetime: views point into the GgufFile; keep it alive (and unmoved is not required: the
// mapping stays put when the GgufFile object moves). Plain values, thread-safe to read.
// Errors (Errc::format), in the architecture.md style:
//   "tensor blk.3.ffn_down_exps: expected [704,2816,98], file has [704,2816,64]"
//   "tensor blk.0.attn_q: missing"   "tensor output_norm: type F16, expected F32"
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "model/config.h"
#include "model/error.h"
#include "model/gguf.h"

namespace coderx::model {

struct TensorView {
  const TensorInfo* info = nullptr;  // nullptr: the tensor is absent (optional ones only)
  quant::Type type = quant::Type::F32;
  const std::byte* data = nullptr;
  std::array<std::int64_t, 4> ne{1, 1, 1, 1};
  std::size_t row_bytes = 0;  // bytes of ne[0] elements
  std::uint64_t n_bytes = 0;

  bool present() const { return info != nullptr; }
  std::string_view name() const { return info ? info->name : std::string_view(); }
  const std::byte* row(std::int64_t r) const { return data + r * row_bytes; }
  // 3-D expert tensors: one expert's [ne[0], ne[1]] slice.
  std::uint64_t expert_bytes() const { return static_cast<std::uint64_t>(ne[1]) * row_bytes; }
  const std::byte* expert(std::int64_t e) const { return data + e * expert_bytes(); }
  const float* f32() const { return reinterpret_cast<const float*>(data); }  // type F32 only
};

// A weight and its optional output scale ({1}, or {n_expert} for expert tensors; f32).
struct Linear {
  TensorView weight;
  TensorView scale;
};

struct LayerWeights {
  bool sliding = true;
  bool k_eq_v = false;             // no attn_v: V is the raw K projection (full layers)
  TensorView attn_norm;            // [n_embd] f32
  Linear attn_q;                   // [n_embd, n_head·head_dim]
  Linear attn_k;                   // [n_embd, n_head_kv·head_dim]
  Linear attn_v;                   // [n_embd, n_head_kv·head_dim]; absent when k_eq_v
  Linear attn_output;              // [n_head·head_dim, n_embd]
  TensorView attn_q_norm;          // [head_dim] f32
  TensorView attn_k_norm;          // [head_dim] f32
  TensorView post_attention_norm;  // [n_embd] f32
  TensorView ffn_norm;             // [n_embd] f32 (pre-feedforward norm of the dense MLP)
  Linear ffn_gate;                 // [n_embd, n_ff]
  Linear ffn_up;                   // [n_embd, n_ff]
  Linear ffn_down;                 // [n_ff, n_embd]
  TensorView post_ffw_norm_1;      // [n_embd] f32
  TensorView ffn_gate_inp;         // [n_embd, n_expert] router projection (usually f32)
  TensorView ffn_gate_inp_scale;   // [n_embd] f32 router input scale
  TensorView pre_ffw_norm_2;       // [n_embd] f32
  Linear ffn_gate_up_exps;         // [n_embd, 2·n_ff_exp, n_expert] fused: rows 0..n_ff_exp-1 gate
  Linear ffn_gate_exps;            // [n_embd, n_ff_exp, n_expert] split form
  Linear ffn_up_exps;              // [n_embd, n_ff_exp, n_expert] split form
  Linear ffn_down_exps;            // [n_ff_exp, n_embd, n_expert]; .scale = per-expert scale
  TensorView post_ffw_norm_2;      // [n_embd] f32
  TensorView post_ffw_norm;        // [n_embd] f32
  TensorView layer_output_scale;   // [1] f32

  bool fused_gate_up() const { return ffn_gate_up_exps.weight.present(); }
};

struct MemorySummary {
  std::uint64_t file_bytes = 0;
  std::uint64_t weight_bytes = 0;           // mapped bytes of every tensor used
  std::uint64_t ignored_bytes = 0;          // tensors present but unused (v., mm., …)
  std::uint32_t ignored_tensors = 0;
  std::uint64_t active_bytes_per_token = 0; // decode: attention + dense MLP + router + top-k
                                            // experts + norms + one embedding row + LM head
};

struct Gemma4Weights {
  std::uint32_t n_vocab = 0;
  TensorView token_embd;   // [n_embd, n_vocab]
  TensorView output;       // [n_embd, n_vocab]; absent when tied (use lm_head())
  TensorView output_norm;  // [n_embd] f32
  TensorView rope_freqs;   // [rope_dims_full/2] f32 frequency factors of full layers
  std::vector<LayerWeights> layers;
  MemorySummary memory;

  const TensorView& lm_head() const { return output.present() ? output : token_embd; }
  bool tied_embeddings() const { return !output.present(); }
};

Result<Gemma4Weights> load_weights(const GgufFile& file, const Gemma4Config& config);

}  // namespace coderx::model
