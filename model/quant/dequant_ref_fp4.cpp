// Scalar reference decoders for MXFP4 and NVFP4 (spec gemma4-moe.md §8.5): E2M1 codes from the
// doubled table, scaled by an E8M0 exponent (MXFP4, 32-blocks) or four UE4M3 scales (NVFP4,
// 64-blocks of four 16-element sub-blocks).
#include "model/quant/block_layout.h"
#include "model/quant/kernel_table.h"
#include "model/quant/value_tables.h"

namespace coderx::model::quant {
namespace {

using namespace layout;

void dequant_mxfp4(const std::uint8_t* src, float* y, std::int64_t n) {
  for (std::int64_t b = 0; b < n / 32; ++b, src += mxfp4::kBytes, y += 32) {
    const float d = e8m0_to_f32_half(src[mxfp4::kE]);
    const std::uint8_t* qs = src + mxfp4::kQs;
    for (int j = 0; j < 16; ++j) {
      y[j] = static_cast<float>(kFp4Values[qs[j] & 15]) * d;
      y[j + 16] = static_cast<float>(kFp4Values[qs[j] >> 4]) * d;
    }
  }
}

void dequant_nvfp4(const std::uint8_t* src, float* y, std::int64_t n) {
  for (std::int64_t b = 0; b < n / 64; ++b, src += nvfp4::kBytes, y += 64) {
    for (int s = 0; s < 4; ++s) {
      const float d = nvfp4_scale(src[nvfp4::kD + s]);
      const std::uint8_t* qs = src + nvfp4::kQs + 8 * s;
      for (int j = 0; j < 8; ++j) {
        y[16 * s + j] = static_cast<float>(kFp4Values[qs[j] & 15]) * d;
        y[16 * s + j + 8] = static_cast<float>(kFp4Values[qs[j] >> 4]) * d;
      }
    }
  }
}

}  // namespace

void add_dequant_ref_fp4(KernelTable& t) {
  t.dequant[slot(Type::MXFP4)] = dequant_mxfp4;
  t.dequant[slot(Type::NVFP4)] = dequant_nvfp4;
}

}  // namespace coderx::model::quant
