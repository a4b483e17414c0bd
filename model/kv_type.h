// How the K/V cache stores its rows: f32, IEEE half, or Q8_0 blocks (32 signed bytes and one
// half scale, spec §8's Q8_0 layout: 34 bytes per 32 values, what llama.cpp's
// `--cache-type-k/v q8_0` keeps). Names as the CLI spells them, and the bytes a row takes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "model/quant/types.h"

namespace coderx::model {

enum class KvType { f32, f16, q8_0 };

constexpr std::string_view kv_type_name(KvType t) {
  return t == KvType::f32 ? "f32" : t == KvType::f16 ? "f16" : "q8_0";
}

constexpr std::optional<KvType> parse_kv_type(std::string_view s) {
  if (s == "f32") return KvType::f32;
  if (s == "f16") return KvType::f16;
  if (s == "q8_0") return KvType::q8_0;
  return std::nullopt;
}

// Bytes of `n` values stored as `t` (n a multiple of 32 for Q8_0).
inline std::size_t kv_row_bytes(KvType t, std::int64_t n) {
  switch (t) {
    case KvType::f32:
      return static_cast<std::size_t>(n) * 4;
    case KvType::f16:
      return static_cast<std::size_t>(n) * 2;
    case KvType::q8_0:
      return quant::row_bytes(quant::Type::Q8_0, n);
  }
  return 0;
}

// Whether rows of `head_dim` values can be stored as `t` (Q8_0 needs whole blocks; a cache asked
// for Q8_0 keeps such a layer in half instead).
inline KvType kv_type_for(KvType t, std::int64_t head_dim) {
  return t == KvType::q8_0 && !quant::row_fits(quant::Type::Q8_0, head_dim) ? KvType::f16 : t;
}

}  // namespace coderx::model
