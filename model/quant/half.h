// IEEE binary16 and bfloat16 <-> float conversions (exact, scalar). Used by every block decoder
// and the float weight paths. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <cstring>

namespace coderx::model::quant {

inline float fp32_from_bits(std::uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

inline std::uint32_t fp32_to_bits(float f) {
  std::uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  return bits;
}

// binary16 -> float, exact for every input including subnormals, infinities and NaN.
inline float f16_to_f32(std::uint16_t h) {
  std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000) << 16;
  std::uint32_t exp = (h >> 10) & 0x1f;
  std::uint32_t mant = h & 0x3ff;
  if (exp == 0x1f) return fp32_from_bits(sign | 0x7f800000 | (mant << 13));
  if (exp == 0) {
    float v = static_cast<float>(mant) * (1.0f / 16777216.0f);  // mant · 2^-24
    return sign ? -v : v;
  }
  return fp32_from_bits(sign | ((exp + 112) << 23) | (mant << 13));
}

// float -> binary16, round to nearest even; overflow to infinity; NaN stays NaN.
inline std::uint16_t f32_to_f16(float f) {
  std::uint32_t x = fp32_to_bits(f);
  std::uint16_t sign = static_cast<std::uint16_t>((x >> 16) & 0x8000);
  std::uint32_t abs = x & 0x7fffffff;
  if (abs >= 0x7f800000) return sign | 0x7c00 | (abs > 0x7f800000 ? 0x200 : 0);
  if (abs >= 0x477ff000) return sign | 0x7c00;    // rounds to >= 65520 -> inf
  if (abs < 0x38800000) {                         // below 2^-14: subnormal or zero
    float v = fp32_from_bits(abs) * 16777216.0f;  // exact scale by 2^24
    std::uint32_t m = static_cast<std::uint32_t>(v);
    float rest = v - static_cast<float>(m);
    if (rest > 0.5f || (rest == 0.5f && (m & 1))) ++m;
    return sign | static_cast<std::uint16_t>(m);
  }
  std::uint32_t rounded = abs + 0xfff + ((abs >> 13) & 1);  // nearest even at bit 13
  return sign | static_cast<std::uint16_t>((rounded - 0x38000000) >> 13);
}

inline float bf16_to_f32(std::uint16_t b) {
  return fp32_from_bits(static_cast<std::uint32_t>(b) << 16);
}

// float -> bfloat16, round to nearest even; NaN stays a quiet NaN.
inline std::uint16_t f32_to_bf16(float f) {
  std::uint32_t x = fp32_to_bits(f);
  if ((x & 0x7fffffff) > 0x7f800000) return static_cast<std::uint16_t>((x >> 16) | 0x40);
  return static_cast<std::uint16_t>((x + 0x7fff + ((x >> 16) & 1)) >> 16);
}

}  // namespace coderx::model::quant
