// Weight quantisers for MXFP4 (one E8M0 exponent per 32 elements) and NVFP4 (one UE4M3 scale per
// 16 elements), both over the doubled E2M1 table (spec gemma4-moe.md §8.5). The scale is the
// smallest that covers the block's largest magnitude, or the next one down if that gives a
// smaller squared error; codes are the nearest table entries. Used to write test models.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "model/quant/block_layout.h"
#include "model/quant/kernel_table.h"
#include "model/quant/value_tables.h"

namespace coderx::model::quant {
namespace {

using namespace layout;

// Nearest code of kFp4Values to v (v in table units).
int fp4_code(float v) {
  static constexpr float kMag[8] = {0, 1, 2, 3, 4, 6, 8, 12};
  const float a = std::fabs(v);
  int best = 0;
  for (int i = 1; i < 8; ++i)
    if (std::fabs(a - kMag[i]) < std::fabs(a - kMag[best])) best = i;
  return (v < 0 && best != 0) ? best + 8 : best;
}

// Codes for `count` elements at multiplier d; returns the squared error.
float fp4_assign(const float* x, int count, float d, std::uint8_t* codes) {
  const float id = d > 0 ? 1.0f / d : 0.0f;
  float err = 0;
  for (int i = 0; i < count; ++i) {
    codes[i] = static_cast<std::uint8_t>(fp4_code(x[i] * id));
    const float diff = x[i] - d * static_cast<float>(kFp4Values[codes[i]]);
    err += diff * diff;
  }
  return err;
}

float max_abs(const float* x, int count) {
  float m = 0;
  for (int i = 0; i < count; ++i) m = std::max(m, std::fabs(x[i]));
  return m;
}

std::uint8_t mxfp4_exponent(const float* x) {
  const float amax = max_abs(x, 32);
  if (amax == 0) return 0;
  int e = 128 + static_cast<int>(std::ceil(std::log2(amax / 12.0f)));  // 12·2^(e−128) ≥ amax
  e = std::clamp(e, 0, 254);
  std::uint8_t codes[32];
  if (e > 0 && fp4_assign(x, 32, e8m0_to_f32_half(static_cast<std::uint8_t>(e - 1)), codes) <
                   fp4_assign(x, 32, e8m0_to_f32_half(static_cast<std::uint8_t>(e)), codes))
    --e;
  return static_cast<std::uint8_t>(e);
}

void quantize_mxfp4(const float* x, std::uint8_t* dst, std::int64_t n) {
  for (std::int64_t b = 0; b < n / 32; ++b, x += 32, dst += mxfp4::kBytes) {
    dst[mxfp4::kE] = mxfp4_exponent(x);
    std::uint8_t codes[32];
    fp4_assign(x, 32, e8m0_to_f32_half(dst[mxfp4::kE]), codes);
    for (int j = 0; j < 16; ++j)
      dst[mxfp4::kQs + j] = static_cast<std::uint8_t>(codes[j] | (codes[j + 16] << 4));
  }
}

// UE4M3 codes 0x01…0x7e increase with their value.
std::uint8_t nvfp4_scale_code(const float* x) {
  const float amax = max_abs(x, 16);
  if (amax == 0) return 0;
  int code = 1;
  while (code < 0x7e && nvfp4_scale(static_cast<std::uint8_t>(code)) * 12.0f < amax) ++code;
  std::uint8_t codes[16];
  if (code > 1 && fp4_assign(x, 16, nvfp4_scale(static_cast<std::uint8_t>(code - 1)), codes) <
                      fp4_assign(x, 16, nvfp4_scale(static_cast<std::uint8_t>(code)), codes))
    --code;
  return static_cast<std::uint8_t>(code);
}

void quantize_nvfp4(const float* x, std::uint8_t* dst, std::int64_t n) {
  for (std::int64_t b = 0; b < n / 64; ++b, x += 64, dst += nvfp4::kBytes) {
    for (int s = 0; s < 4; ++s) {
      dst[nvfp4::kD + s] = nvfp4_scale_code(x + 16 * s);
      std::uint8_t codes[16];
      fp4_assign(x + 16 * s, 16, nvfp4_scale(dst[nvfp4::kD + s]), codes);
      for (int j = 0; j < 8; ++j)
        dst[nvfp4::kQs + 8 * s + j] = static_cast<std::uint8_t>(codes[j] | (codes[j + 8] << 4));
    }
  }
}

}  // namespace

void add_quantizers_fp4(KernelTable& t) {
  t.quantize[slot(Type::MXFP4)] = quantize_mxfp4;
  t.quantize[slot(Type::NVFP4)] = quantize_nvfp4;
}

}  // namespace coderx::model::quant
