// Activation quantisation exactly as llama.cpp's CPU reference does it (spec gemma4-moe.md §7.13,
// formats-extra.md §1.5, §1.6), plus the float activation types:
//   Q8_0: d = max|x|/127, q = roundf(x·(1/d))            (also the Q8_0 weight quantiser)
//   Q8_1: as Q8_0, plus s = f16(d·Σq) with d the f32 value
//   Q8_K: M = signed value of largest magnitude (first wins), iscale = −127/M, q = nearest-even
//         (iscale·x) capped at 127, d = 1/iscale (f32), bsums over 16-element groups
//   F32 / F16 / BF16: plain conversion (round to nearest even).
#include <algorithm>
#include <cmath>
#include <cstring>

#include "model/quant/block_layout.h"
#include "model/quant/kernel_table.h"

namespace coderx::model::quant {
namespace {

using namespace layout;

float abs_max(const float* x, int count) {
  float amax = 0.0f;
  for (int j = 0; j < count; ++j) amax = std::max(amax, std::fabs(x[j]));
  return amax;
}

// One 32-block of Q8_0 / Q8_1 quants; returns Σq and the f32 scale d.
int quantize_block_q8(const float* x, std::int8_t* qs, float& d) {
  d = abs_max(x, 32) / 127.0f;
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  int sum = 0;
  for (int j = 0; j < 32; ++j) {
    qs[j] = static_cast<std::int8_t>(std::roundf(x[j] * id));
    sum += qs[j];
  }
  return sum;
}

void quantize_q8_0(const float* x, std::uint8_t* dst, std::int64_t n) {
  for (std::int64_t b = 0; b < n / 32; ++b, x += 32, dst += q8_0::kBytes) {
    float d;
    quantize_block_q8(x, reinterpret_cast<std::int8_t*>(dst + q8_0::kQs), d);
    store_f16(dst + q8_0::kD, d);
  }
}

void quantize_q8_1(const float* x, std::uint8_t* dst, std::int64_t n) {
  for (std::int64_t b = 0; b < n / 32; ++b, x += 32, dst += q8_1::kBytes) {
    float d;
    const int sum = quantize_block_q8(x, reinterpret_cast<std::int8_t*>(dst + q8_1::kQs), d);
    store_f16(dst + q8_1::kD, d);
    store_f16(dst + q8_1::kS, d * static_cast<float>(sum));
  }
}

void quantize_block_q8_k(const float* x, std::uint8_t* dst) {
  float amax = 0.0f, max = 0.0f;
  for (int j = 0; j < 256; ++j) {
    if (std::fabs(x[j]) > amax) {
      amax = std::fabs(x[j]);
      max = x[j];
    }
  }
  auto* qs = reinterpret_cast<std::int8_t*>(dst + q8_k::kQs);
  if (amax == 0.0f) {
    store_f32(dst + q8_k::kD, 0.0f);
    std::memset(dst + q8_k::kQs, 0, 256 + 32);  // qs and bsums
    return;
  }
  const float iscale = -127.0f / max;
  for (int j = 0; j < 256; ++j) {
    const long v = std::lrint(iscale * x[j]);  // nearest-even in the default rounding mode
    qs[j] = static_cast<std::int8_t>(std::min(127L, v));
  }
  for (int g = 0; g < 16; ++g) {
    int sum = 0;
    for (int i = 0; i < 16; ++i) sum += qs[16 * g + i];
    store_i16(dst + q8_k::kBsums + 2 * g, static_cast<std::int16_t>(sum));
  }
  store_f32(dst + q8_k::kD, 1.0f / iscale);
}

void quantize_q8_k(const float* x, std::uint8_t* dst, std::int64_t n) {
  for (std::int64_t b = 0; b < n / 256; ++b)
    quantize_block_q8_k(x + 256 * b, dst + q8_k::kBytes * b);
}

void convert_f32(const float* x, std::uint8_t* dst, std::int64_t n) {
  std::memcpy(dst, x, static_cast<std::size_t>(n) * 4);
}
void convert_f16(const float* x, std::uint8_t* dst, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) store_f16(dst + 2 * i, x[i]);
}
void convert_bf16(const float* x, std::uint8_t* dst, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) store_u16(dst + 2 * i, f32_to_bf16(x[i]));
}

}  // namespace

void add_activation_quantizers(KernelTable& t) {
  t.quantize[slot(Type::Q8_0)] = quantize_q8_0;
  t.quantize[slot(Type::Q8_1)] = quantize_q8_1;
  t.quantize[slot(Type::Q8_K)] = quantize_q8_k;
  t.quantize[slot(Type::F32)] = convert_f32;
  t.quantize[slot(Type::F16)] = convert_f16;
  t.quantize[slot(Type::BF16)] = convert_bf16;
}

}  // namespace coderx::model::quant
