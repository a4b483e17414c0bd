// Lookup tables and scale decoders shared by the IQ4 and FP4 formats (spec gemma4-moe.md §8.3,
// §8.5; formats-extra.md §1.4). Internal to model/quant. Constants and pure functions.
#pragma once

#include <cstdint>

#include "model/quant/half.h"

namespace coderx::model::quant {

// IQ4_NL / IQ4_XS non-linear 4-bit grid (kvalues_iq4nl).
inline constexpr std::int8_t kIq4Values[16] = {-127, -104, -83, -65, -49, -35, -22, -10,
                                               1,    13,   25,  38,  53,  69,  89,  113};

// E2M1 code table, stored doubled (true E2M1 value = half of these).
inline constexpr std::int8_t kFp4Values[16] = {0, 1,  2,  3,  4,  6,  8,  12,
                                               0, -1, -2, -3, -4, -6, -8, -12};

// E8M0 exponent byte -> 2^(e-128) ("half" conversion that pairs with the doubled table);
// e = 0 and 1 give the f32 denormals 2^-128 and 2^-127.
inline float e8m0_to_f32_half(std::uint8_t e) {
  if (e < 2) return fp32_from_bits(0x00200000u << e);
  return fp32_from_bits(static_cast<std::uint32_t>(e - 1) << 23);
}

// UE4M3 scale byte -> its value (byte 0 and 0x7F decode to 0; bit 7 is not part of the value).
inline float ue4m3_to_f32(std::uint8_t b) {
  if (b == 0 || b == 0x7f) return 0.0f;
  int e = (b >> 3) & 15;
  int m = b & 7;
  if (e == 0) return static_cast<float>(m) * (1.0f / 512.0f);
  float mant = 1.0f + static_cast<float>(m) * 0.125f;
  return e >= 7 ? mant * static_cast<float>(1 << (e - 7)) : mant / static_cast<float>(1 << (7 - e));
}

// The per-sub-block multiplier of NVFP4 that pairs with the doubled kFp4Values table.
inline float nvfp4_scale(std::uint8_t b) {
  return ue4m3_to_f32(b) * 0.5f;
}

}  // namespace coderx::model::quant
