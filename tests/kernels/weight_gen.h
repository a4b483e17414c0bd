// Random weight rows in GGUF block layouts for the kernel tests (CPU and GPU): random bytes
// with every f16/E8M0 scale field replaced by a finite, moderate value, so comparisons exercise
// the layouts rather than inf/NaN arithmetic. Header-only, plain C++.
#pragma once

#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "kernels/weight_type.h"
#include "model/quant/half.h"
#include "model/quant/rows.h"

namespace coderx::kernels::testing {

// n_rows rows of n elements of type t, rows packed (weight_row_bytes apart). Scales are drawn
// so that decoded values are O(scale_max · 100) for the quantised types and O(1) for floats.
inline std::vector<std::uint8_t> random_weight_rows(WeightType t, std::int64_t n_rows, std::int64_t n,
                                                    std::mt19937& rng, float scale_max = 0.05f) {
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(weight_row_bytes(t, n) * n_rows));
  for (auto& b : bytes) b = static_cast<std::uint8_t>(rng());
  const WeightTypeInfo* info = weight_type_info(static_cast<std::uint32_t>(t));
  std::uniform_real_distribution<float> scale(-scale_max, scale_max);
  std::uniform_real_distribution<float> val(-2.0f, 2.0f);
  auto put16 = [&](std::size_t at, std::uint16_t h) { std::memcpy(&bytes[at], &h, 2); };
  auto put_f16 = [&](std::size_t at) { put16(at, model::quant::f32_to_f16(scale(rng))); };
  const std::size_t nb = bytes.size() / info->block_bytes;
  for (std::size_t b = 0; b < nb; ++b) {
    const std::size_t at = b * info->block_bytes;
    switch (t) {
      case WeightType::F32: { const float v = val(rng); std::memcpy(&bytes[at], &v, 4); break; }
      case WeightType::F16: put16(at, model::quant::f32_to_f16(val(rng))); break;
      case WeightType::BF16: put16(at, model::quant::f32_to_bf16(val(rng))); break;
      case WeightType::Q4_0: case WeightType::Q5_0: case WeightType::Q8_0: case WeightType::IQ4_NL:
        put_f16(at); break;
      case WeightType::Q4_1: case WeightType::Q5_1: case WeightType::Q4_K: case WeightType::Q5_K:
        put_f16(at); put_f16(at + 2); break;
      case WeightType::Q6_K: put_f16(at + 208); break;
      case WeightType::Q2_K: put_f16(at + 80); put_f16(at + 82); break;
      case WeightType::Q3_K: put_f16(at + 108); break;
      case WeightType::IQ4_XS: put_f16(at); break;
      case WeightType::MXFP4: bytes[at] = static_cast<std::uint8_t>(115 + rng() % 10); break;  // 2^-13 … 2^-4
      case WeightType::NVFP4: break;  // every UE4M3 byte is finite
    }
  }
  return bytes;
}

// The reference dequantisation of such rows (model::quant::dequantize_row_ref), [n_rows, n].
inline std::vector<float> reference_rows(WeightType t, const std::vector<std::uint8_t>& bytes, std::int64_t n_rows,
                                         std::int64_t n) {
  std::vector<float> out(static_cast<std::size_t>(n_rows * n));
  const std::int64_t rb = weight_row_bytes(t, n);
  for (std::int64_t r = 0; r < n_rows; ++r)
    model::quant::dequantize_row_ref(static_cast<model::quant::Type>(t), bytes.data() + r * rb, out.data() + r * n, n);
  return out;
}

}  // namespace coderx::kernels::testing
