// Which quantisation type each tensor of a generated test model gets: the explicit per-class
// types of TestModelParams, or a llama-quantize preset name ("Q4_K_M", "Q6_K", …) resolved as
// formats-extra.md §2.1–2.2 describe, including the per-layer use_more_bits rules and the
// fallbacks for row lengths that are not a multiple of the block size.
// Used only by model/test_model.cpp. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string_view>

#include "model/error.h"
#include "model/quant/types.h"
#include "model/test_model.h"

namespace coderx::model {

enum class TensorClass {
  token_embd, output, attn_q, attn_k, attn_v, attn_output, ffn_gate_up, ffn_down,
  ffn_gate_up_exps, ffn_down_exps,
};

struct TypeQuery {
  TensorClass cls;
  std::int64_t row_len;       // ne[0]
  std::uint32_t layer = 0;    // layer number (ffn_down rules)
  std::uint32_t n_layer = 1;
  std::uint32_t v_index = 0;  // running index among attn_v tensors
  std::uint32_t n_v = 1;      // number of attn_v tensors
};

bool is_known_preset(std::string_view preset);
// Type for one tensor; with a preset, the fallback is applied when the row does not fit.
Result<quant::Type> choose_type(const TestModelParams& p, const TypeQuery& q);
// general.file_type (llama_ftype) for the file: the preset's, or derived from the main type.
std::uint32_t file_type_of(const TestModelParams& p);

}  // namespace coderx::model
