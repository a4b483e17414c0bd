// Scalar reference decoder for IQ4_XS (formats-extra.md §1.4): eight 32-element sub-blocks with
// 6-bit signed scales over the IQ4_NL grid, nibbles in the legacy per-sub-block order.
#include "model/quant/block_layout.h"
#include "model/quant/kernel_table.h"
#include "model/quant/kquant_scales.h"
#include "model/quant/value_tables.h"

namespace coderx::model::quant {
namespace {

using namespace layout;

void dequant_iq4_xs(const std::uint8_t* src, float* y, std::int64_t n) {
  for (std::int64_t b = 0; b < n / 256; ++b, src += iq4_xs::kBytes, y += 256) {
    const float d = load_f16(src + iq4_xs::kD);
    const std::uint16_t scales_h = load_u16(src + iq4_xs::kScalesH);
    for (int ib = 0; ib < 8; ++ib) {
      const int ls = iq4xs_scale_code(scales_h, src + iq4_xs::kScalesL, ib);
      const float dl = d * static_cast<float>(ls - 32);
      const std::uint8_t* qs = src + iq4_xs::kQs + 16 * ib;
      for (int j = 0; j < 16; ++j) {
        y[32 * ib + j] = dl * static_cast<float>(kIq4Values[qs[j] & 15]);
        y[32 * ib + j + 16] = dl * static_cast<float>(kIq4Values[qs[j] >> 4]);
      }
    }
  }
}

}  // namespace

void add_dequant_ref_iq4_xs(KernelTable& t) {
  t.dequant[slot(Type::IQ4_XS)] = dequant_iq4_xs;
}

}  // namespace coderx::model::quant
