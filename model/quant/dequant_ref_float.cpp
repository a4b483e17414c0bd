// Scalar reference decoders for the float types F32, F16, BF16 (spec gemma4-moe.md §8.2).
#include <cstring>

#include "model/quant/block_layout.h"
#include "model/quant/kernel_table.h"

namespace coderx::model::quant {
namespace {

void dequant_f32(const std::uint8_t* src, float* dst, std::int64_t n) {
  std::memcpy(dst, src, static_cast<std::size_t>(n) * 4);
}

void dequant_f16(const std::uint8_t* src, float* dst, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) dst[i] = layout::load_f16(src + 2 * i);
}

void dequant_bf16(const std::uint8_t* src, float* dst, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) dst[i] = bf16_to_f32(layout::load_u16(src + 2 * i));
}

}  // namespace

void add_dequant_ref_float(KernelTable& t) {
  t.dequant[slot(Type::F32)] = dequant_f32;
  t.dequant[slot(Type::F16)] = dequant_f16;
  t.dequant[slot(Type::BF16)] = dequant_bf16;
}

}  // namespace coderx::model::quant
