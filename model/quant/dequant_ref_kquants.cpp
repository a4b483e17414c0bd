// Scalar reference decoders for the k-quants Q2_K, Q3_K, Q4_K, Q5_K, Q6_K and the Q8_K
// activation block (spec gemma4-moe.md §8.4, formats-extra.md §1.1–1.5).
#include "model/quant/block_layout.h"
#include "model/quant/kernel_table.h"
#include "model/quant/kquant_scales.h"

namespace coderx::model::quant {
namespace {

using namespace layout;

// Q2_K / Q3_K "2-bit plane" order: element e sits in qs[32·(e/128) + e%32] at bits 2·((e%128)/32).
inline int plane2(const std::uint8_t* qs, int e) {
  return (qs[32 * (e / 128) + e % 32] >> (2 * ((e % 128) / 32))) & 3;
}

void dequant_q2_k(const std::uint8_t* src, float* y, std::int64_t n) {
  for (std::int64_t b = 0; b < n / 256; ++b, src += q2_k::kBytes, y += 256) {
    const float d = load_f16(src + q2_k::kD);
    const float dmin = load_f16(src + q2_k::kDmin);
    for (int k = 0; k < 16; ++k) {
      const std::uint8_t sm = src[q2_k::kScales + k];
      const float dl = d * static_cast<float>(sm & 15);
      const float ml = dmin * static_cast<float>(sm >> 4);
      for (int e = 16 * k; e < 16 * k + 16; ++e)
        y[e] = dl * static_cast<float>(plane2(src + q2_k::kQs, e)) - ml;
    }
  }
}

void dequant_q3_k(const std::uint8_t* src, float* y, std::int64_t n) {
  for (std::int64_t b = 0; b < n / 256; ++b, src += q3_k::kBytes, y += 256) {
    const float d = load_f16(src + q3_k::kD);
    for (int k = 0; k < 16; ++k) {
      const float dl = d * static_cast<float>(k3_scale_code(src + q3_k::kScales, k) - 32);
      for (int e = 16 * k; e < 16 * k + 16; ++e) {
        const int h = (src[q3_k::kHmask + e % 32] >> (e / 32)) & 1;
        const int q = plane2(src + q3_k::kQs, e) + 4 * h - 4;
        y[e] = dl * static_cast<float>(q);
      }
    }
  }
}

// Q4_K and Q5_K share scales and nibble layout; qh is null for Q4_K.
void decode_k45(const std::uint8_t* src, const std::uint8_t* scales, const std::uint8_t* qh,
                const std::uint8_t* qs, float* y) {
  const float d = load_f16(src);
  const float dmin = load_f16(src + 2);
  for (int j = 0; j < 8; ++j) {
    int sc, m;
    k4_scale_min(scales, j, sc, m);
    const float d1 = d * static_cast<float>(sc);
    const float m1 = dmin * static_cast<float>(m);
    const int c = j / 2, shift = 4 * (j % 2);
    for (int l = 0; l < 32; ++l) {
      int q = (qs[32 * c + l] >> shift) & 15;
      if (qh) q |= ((qh[l] >> j) & 1) << 4;  // bit 2c (low nibbles) or 2c+1 (high) = bit j
      y[32 * j + l] = d1 * static_cast<float>(q) - m1;
    }
  }
}

void dequant_q4_k(const std::uint8_t* src, float* y, std::int64_t n) {
  for (std::int64_t b = 0; b < n / 256; ++b, src += q4_k::kBytes, y += 256)
    decode_k45(src, src + q4_k::kScales, nullptr, src + q4_k::kQs, y);
}

void dequant_q5_k(const std::uint8_t* src, float* y, std::int64_t n) {
  for (std::int64_t b = 0; b < n / 256; ++b, src += q5_k::kBytes, y += 256)
    decode_k45(src, src + q5_k::kScales, src + q5_k::kQh, src + q5_k::kQs, y);
}

void dequant_q6_k(const std::uint8_t* src, float* y, std::int64_t n) {
  for (std::int64_t b = 0; b < n / 256; ++b, src += q6_k::kBytes, y += 256) {
    const float d = load_f16(src + q6_k::kD);
    const auto* scales = reinterpret_cast<const std::int8_t*>(src + q6_k::kScales);
    for (int half = 0; half < 2; ++half) {
      const std::uint8_t* ql = src + q6_k::kQl + 64 * half;
      const std::uint8_t* qh = src + q6_k::kQh + 32 * half;
      const std::int8_t* sc = scales + 8 * half;
      float* out = y + 128 * half;
      for (int l = 0; l < 32; ++l) {
        const int is = l / 16, h = qh[l];
        const int q1 = ((ql[l] & 15) | ((h & 3) << 4)) - 32;
        const int q2 = ((ql[l + 32] & 15) | (((h >> 2) & 3) << 4)) - 32;
        const int q3 = ((ql[l] >> 4) | (((h >> 4) & 3) << 4)) - 32;
        const int q4 = ((ql[l + 32] >> 4) | (((h >> 6) & 3) << 4)) - 32;
        out[l] = d * static_cast<float>(sc[is]) * static_cast<float>(q1);
        out[l + 32] = d * static_cast<float>(sc[is + 2]) * static_cast<float>(q2);
        out[l + 64] = d * static_cast<float>(sc[is + 4]) * static_cast<float>(q3);
        out[l + 96] = d * static_cast<float>(sc[is + 6]) * static_cast<float>(q4);
      }
    }
  }
}

void dequant_q8_k(const std::uint8_t* src, float* y, std::int64_t n) {
  for (std::int64_t b = 0; b < n / 256; ++b, src += q8_k::kBytes, y += 256) {
    const float d = load_f32(src + q8_k::kD);
    const auto* qs = reinterpret_cast<const std::int8_t*>(src + q8_k::kQs);
    for (int i = 0; i < 256; ++i) y[i] = d * static_cast<float>(qs[i]);
  }
}

}  // namespace

void add_dequant_ref_kquants(KernelTable& t) {
  t.dequant[slot(Type::Q2_K)] = dequant_q2_k;
  t.dequant[slot(Type::Q3_K)] = dequant_q3_k;
  t.dequant[slot(Type::Q4_K)] = dequant_q4_k;
  t.dequant[slot(Type::Q5_K)] = dequant_q5_k;
  t.dequant[slot(Type::Q6_K)] = dequant_q6_k;
  t.dequant[slot(Type::Q8_K)] = dequant_q8_k;
}

}  // namespace coderx::model::quant
