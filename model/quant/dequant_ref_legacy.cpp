// Scalar reference decoders for the legacy 32-element blocks Q4_0, Q4_1, Q5_0, Q5_1, Q8_0,
// IQ4_NL (spec gemma4-moe.md §8.3) and the Q8_1 activation block (formats-extra.md §1.6).
// In every 4-bit layout element j (0…15) is the low nibble of qs[j], element j+16 the high one.
#include "model/quant/block_layout.h"
#include "model/quant/kernel_table.h"
#include "model/quant/value_tables.h"

namespace coderx::model::quant {
namespace {

using namespace layout;

void dequant_q4_0(const std::uint8_t* src, float* y, std::int64_t n) {
  for (std::int64_t b = 0; b < n / 32; ++b, src += q4_0::kBytes, y += 32) {
    const float d = load_f16(src + q4_0::kD);
    const std::uint8_t* qs = src + q4_0::kQs;
    for (int j = 0; j < 16; ++j) {
      y[j] = static_cast<float>((qs[j] & 15) - 8) * d;
      y[j + 16] = static_cast<float>((qs[j] >> 4) - 8) * d;
    }
  }
}

void dequant_q4_1(const std::uint8_t* src, float* y, std::int64_t n) {
  for (std::int64_t b = 0; b < n / 32; ++b, src += q4_1::kBytes, y += 32) {
    const float d = load_f16(src + q4_1::kD);
    const float m = load_f16(src + q4_1::kM);
    const std::uint8_t* qs = src + q4_1::kQs;
    for (int j = 0; j < 16; ++j) {
      y[j] = static_cast<float>(qs[j] & 15) * d + m;
      y[j + 16] = static_cast<float>(qs[j] >> 4) * d + m;
    }
  }
}

// 5-bit value of elements j and j+16: nibble + 16·(bit j / bit j+16 of qh).
inline int q5_lo(const std::uint8_t* qs, std::uint32_t qh, int j) {
  return (qs[j] & 15) | static_cast<int>(((qh >> j) & 1) << 4);
}
inline int q5_hi(const std::uint8_t* qs, std::uint32_t qh, int j) {
  return (qs[j] >> 4) | static_cast<int>(((qh >> (j + 16)) & 1) << 4);
}

void dequant_q5_0(const std::uint8_t* src, float* y, std::int64_t n) {
  for (std::int64_t b = 0; b < n / 32; ++b, src += q5_0::kBytes, y += 32) {
    const float d = load_f16(src + q5_0::kD);
    const std::uint32_t qh = load_u32(src + q5_0::kQh);
    const std::uint8_t* qs = src + q5_0::kQs;
    for (int j = 0; j < 16; ++j) {
      y[j] = static_cast<float>(q5_lo(qs, qh, j) - 16) * d;
      y[j + 16] = static_cast<float>(q5_hi(qs, qh, j) - 16) * d;
    }
  }
}

void dequant_q5_1(const std::uint8_t* src, float* y, std::int64_t n) {
  for (std::int64_t b = 0; b < n / 32; ++b, src += q5_1::kBytes, y += 32) {
    const float d = load_f16(src + q5_1::kD);
    const float m = load_f16(src + q5_1::kM);
    const std::uint32_t qh = load_u32(src + q5_1::kQh);
    const std::uint8_t* qs = src + q5_1::kQs;
    for (int j = 0; j < 16; ++j) {
      y[j] = static_cast<float>(q5_lo(qs, qh, j)) * d + m;
      y[j + 16] = static_cast<float>(q5_hi(qs, qh, j)) * d + m;
    }
  }
}

void dequant_q8_0(const std::uint8_t* src, float* y, std::int64_t n) {
  for (std::int64_t b = 0; b < n / 32; ++b, src += q8_0::kBytes, y += 32) {
    const float d = load_f16(src + q8_0::kD);
    const auto* qs = reinterpret_cast<const std::int8_t*>(src + q8_0::kQs);
    for (int j = 0; j < 32; ++j) y[j] = static_cast<float>(qs[j]) * d;
  }
}

void dequant_q8_1(const std::uint8_t* src, float* y, std::int64_t n) {
  for (std::int64_t b = 0; b < n / 32; ++b, src += q8_1::kBytes, y += 32) {
    const float d = load_f16(src + q8_1::kD);
    const auto* qs = reinterpret_cast<const std::int8_t*>(src + q8_1::kQs);
    for (int j = 0; j < 32; ++j) y[j] = static_cast<float>(qs[j]) * d;
  }
}

void dequant_iq4_nl(const std::uint8_t* src, float* y, std::int64_t n) {
  for (std::int64_t b = 0; b < n / 32; ++b, src += iq4_nl::kBytes, y += 32) {
    const float d = load_f16(src + iq4_nl::kD);
    const std::uint8_t* qs = src + iq4_nl::kQs;
    for (int j = 0; j < 16; ++j) {
      y[j] = d * static_cast<float>(kIq4Values[qs[j] & 15]);
      y[j + 16] = d * static_cast<float>(kIq4Values[qs[j] >> 4]);
    }
  }
}

}  // namespace

void add_dequant_ref_legacy(KernelTable& t) {
  t.dequant[slot(Type::Q4_0)] = dequant_q4_0;
  t.dequant[slot(Type::Q4_1)] = dequant_q4_1;
  t.dequant[slot(Type::Q5_0)] = dequant_q5_0;
  t.dequant[slot(Type::Q5_1)] = dequant_q5_1;
  t.dequant[slot(Type::Q8_0)] = dequant_q8_0;
  t.dequant[slot(Type::Q8_1)] = dequant_q8_1;
  t.dequant[slot(Type::IQ4_NL)] = dequant_iq4_nl;
}

}  // namespace coderx::model::quant
