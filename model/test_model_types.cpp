#include "model/test_model_types.h"

#include <array>
#include <string>

namespace coderx::model {

namespace {

using quant::Type;

struct Preset {
  std::string_view name;
  std::uint32_t ftype;  // llama_ftype
  Type base;            // attn_q/k, ffn_gate/up, experts
};

constexpr std::array<Preset, 17> kPresets{{
    {"F32", 0, Type::F32},       {"F16", 1, Type::F16},       {"BF16", 32, Type::BF16},
    {"Q4_0", 2, Type::Q4_0},     {"Q8_0", 7, Type::Q8_0},     {"Q2_K", 10, Type::Q2_K},
    {"Q3_K_S", 11, Type::Q3_K},  {"Q3_K_M", 12, Type::Q3_K},  {"Q3_K_L", 13, Type::Q3_K},
    {"Q4_K_S", 14, Type::Q4_K},  {"Q4_K_M", 15, Type::Q4_K},  {"Q5_K_S", 16, Type::Q5_K},
    {"Q5_K_M", 17, Type::Q5_K},  {"Q6_K", 18, Type::Q6_K},    {"IQ4_NL", 25, Type::IQ4_NL},
    {"IQ4_XS", 30, Type::IQ4_XS}, {"MXFP4_MOE", 38, Type::MXFP4},
}};

const Preset* find_preset(std::string_view name) {
  if (name == "Q3_K") name = "Q3_K_M";
  if (name == "Q4_K") name = "Q4_K_M";
  if (name == "Q5_K") name = "Q5_K_M";
  for (const Preset& p : kPresets)
    if (p.name == name) return &p;
  return nullptr;
}

// llama-quant use_more_bits(i, n).
bool more_bits(std::uint32_t i, std::uint32_t n) {
  return i < n / 8 || i >= 7 * n / 8 || (static_cast<std::int64_t>(i) - n / 8) % 3 == 2;
}

bool is_float(Type t) { return t == Type::F32 || t == Type::F16 || t == Type::BF16; }

Type fallback(Type t) {
  switch (t) {
    case Type::Q2_K:
    case Type::Q3_K: return Type::Q4_0;
    case Type::Q4_K: return Type::Q5_0;
    case Type::Q5_K: return Type::Q5_1;
    case Type::Q6_K: return Type::Q8_0;
    case Type::IQ4_XS: return Type::IQ4_NL;
    default: return Type::F16;
  }
}

Type attn_v_type(std::string_view n, Type base, const TypeQuery& q) {
  if (n == "Q2_K" || n == "Q3_K_S") return Type::Q3_K;
  if (n == "Q3_K_M") return q.v_index < 2 ? Type::Q5_K : Type::Q4_K;
  if (n == "Q3_K_L") return Type::Q5_K;
  if (n == "Q4_K_S") return q.v_index < 4 ? Type::Q5_K : Type::Q4_K;
  if (n == "Q4_K_M") return more_bits(q.v_index, q.n_v) ? Type::Q6_K : Type::Q4_K;
  if (n == "Q5_K_M") return more_bits(q.v_index, q.n_v) ? Type::Q6_K : Type::Q5_K;
  return base;
}

Type ffn_down_type(std::string_view n, Type base, const TypeQuery& q) {
  std::uint32_t i = q.layer, L = q.n_layer;
  if (n == "Q2_K" || n == "Q3_K_S") return Type::Q3_K;
  if (n == "Q3_K_M") return i < L / 16 ? Type::Q5_K : Type::Q4_K;
  if (n == "Q3_K_L" || n == "Q5_K_S") return Type::Q5_K;
  if (n == "Q4_K_S") return i < L / 8 ? Type::Q5_K : Type::Q4_K;
  if (n == "Q4_K_M") return more_bits(i, L) ? Type::Q6_K : Type::Q4_K;
  if (n == "Q5_K_M") return more_bits(i, L) ? Type::Q6_K : Type::Q5_K;
  if (n == "IQ4_XS" || n == "IQ4_NL") return i < L / 8 ? Type::Q5_K : base;
  return base;
}

Type attn_output_type(std::string_view n, Type base) {
  if (n == "Q2_K" || n == "Q3_K_S") return Type::Q3_K;
  if (n == "Q3_K_M") return Type::Q4_K;
  if (n == "Q3_K_L") return Type::Q5_K;
  return base;
}

Type preset_type(const Preset& p, const TypeQuery& q) {
  if (is_float(p.base)) return p.base;
  switch (q.cls) {
    case TensorClass::token_embd:
    case TensorClass::output: return p.base == Type::Q8_0 ? Type::Q8_0 : Type::Q6_K;
    case TensorClass::attn_v: return attn_v_type(p.name, p.base, q);
    case TensorClass::attn_output: return attn_output_type(p.name, p.base);
    case TensorClass::ffn_down:
    case TensorClass::ffn_down_exps: return ffn_down_type(p.name, p.base, q);
    default: return p.base;
  }
}

Type explicit_type(const TestModelTypes& t, TensorClass c) {
  switch (c) {
    case TensorClass::token_embd: return t.token_embd;
    case TensorClass::output: return t.output;
    case TensorClass::attn_q: return t.attn_q;
    case TensorClass::attn_k: return t.attn_k;
    case TensorClass::attn_v: return t.attn_v;
    case TensorClass::attn_output: return t.attn_output;
    case TensorClass::ffn_gate_up: return t.ffn_gate_up;
    case TensorClass::ffn_down: return t.ffn_down;
    case TensorClass::ffn_gate_up_exps: return t.ffn_gate_up_exps;
    case TensorClass::ffn_down_exps: return t.ffn_down_exps;
  }
  return Type::F16;
}

}  // namespace

bool is_known_preset(std::string_view preset) { return find_preset(preset) != nullptr; }

Result<Type> choose_type(const TestModelParams& p, const TypeQuery& q) {
  if (p.preset.empty()) {
    Type t = explicit_type(p.types, q.cls);
    if (!quant::row_fits(t, q.row_len))
      return make_error(Errc::invalid_argument,
                        "type " + std::string(quant::info(t).name) + " needs rows that are a "
                        "multiple of " + std::to_string(quant::info(t).block_elems) +
                        ", a row here has " + std::to_string(q.row_len) + " elements");
    return t;
  }
  const Preset* preset = find_preset(p.preset);
  if (!preset) return make_error(Errc::invalid_argument, "unknown preset " + p.preset);
  Type t = preset_type(*preset, q);
  if (!quant::row_fits(t, q.row_len)) t = fallback(t);
  if (!quant::row_fits(t, q.row_len)) t = Type::F16;
  return t;
}

std::uint32_t file_type_of(const TestModelParams& p) {
  if (const Preset* preset = find_preset(p.preset)) return preset->ftype;
  Type main = p.types.ffn_gate_up_exps;
  for (const Preset& pr : kPresets)
    if (pr.base == main && pr.name != "Q3_K_S" && pr.name != "Q3_K_L" && pr.name != "Q4_K_S" &&
        pr.name != "Q5_K_S")
      return pr.ftype;
  switch (main) {
    case Type::Q4_1: return 3;
    case Type::Q5_0: return 8;
    case Type::Q5_1: return 9;
    default: return 1;
  }
}

}  // namespace coderx::model
