// Weight quantisers for the k-quants Q2_K, Q3_K, Q4_K, Q5_K, Q6_K and IQ4_XS. A simple, correct
// scheme (not llama-quantize's iterative search): per sub-block an ideal scale (and min for the
// affine types) is found, the super-block scale is the largest one over the code range, the
// sub-block codes are rounded from it, and elements are rounded against the stored (rounded)
// scales. Used to write test models; error bounds are stated in the tests.
#include <cmath>
#include <cstring>

#include "model/quant/block_layout.h"
#include "model/quant/kernel_table.h"
#include "model/quant/kquant_scales.h"
#include "model/quant/quant_search.h"
#include "model/quant/value_tables.h"

namespace coderx::model::quant {
namespace {

using namespace layout;

// Affine sub-blocks (Q2_K, Q4_K, Q5_K): value = d·sc·q − dmin·m with q in 0…qmax and sc, m in
// 0…smax. Writes d, dmin (f16, at d_at/dmin_at), the codes sc[]/m[] and q[] for `subs` sub-blocks
// of `len` elements.
struct AffineCodes {
  std::uint8_t sc[16], m[16], q[256];
};
void quantize_affine_sub(const float* x, int subs, int len, int qmax, int smax, std::uint8_t* d_at,
                         std::uint8_t* dmin_at, AffineCodes& out) {
  float scale[16], min[16], max_scale = 0, max_min = 0;
  for (int s = 0; s < subs; ++s) {
    float lo = 0.0f, hi = 0.0f;  // the min is never positive (m ≥ 0)
    for (int i = 0; i < len; ++i)
      lo = std::min(lo, x[s * len + i]), hi = std::max(hi, x[s * len + i]);
    min[s] = -lo;
    scale[s] = (hi - lo) / static_cast<float>(qmax);
    max_scale = std::max(max_scale, scale[s]);
    max_min = std::max(max_min, min[s]);
  }
  store_f16(d_at, max_scale / static_cast<float>(smax));
  store_f16(dmin_at, max_min / static_cast<float>(smax));
  const float d = load_f16(d_at), dmin = load_f16(dmin_at);
  for (int s = 0; s < subs; ++s) {
    // Round the min up so the lowest element stays reachable, then size the scale to the rest.
    out.m[s] =
        static_cast<std::uint8_t>(dmin > 0 ? std::min<float>(smax, std::ceil(min[s] / dmin)) : 0);
    const float offset = dmin * static_cast<float>(out.m[s]);
    float hi = 0.0f;
    for (int i = 0; i < len; ++i) hi = std::max(hi, x[s * len + i] + offset);
    out.sc[s] = static_cast<std::uint8_t>(
        d > 0 ? std::min<float>(smax, std::ceil(hi / (qmax * d) - 1e-4f)) : 0);
    const float step = d * static_cast<float>(out.sc[s]);
    const float inv = step > 0 ? 1.0f / step : 0.0f;
    for (int i = 0; i < len; ++i)
      out.q[s * len + i] =
          static_cast<std::uint8_t>(round_clamp((x[s * len + i] + offset) * inv, 0, qmax));
  }
}

// Symmetric sub-blocks (Q3_K, Q6_K): value = d·sc·q with q in qlo…qhi and sc in −smax…smax.
struct SymmetricCodes {
  int sc[16], q[256];
};
void quantize_symmetric_sub(const float* x, int subs, int len, int qlo, int qhi, int smax,
                            std::uint8_t* d_at, SymmetricCodes& out) {
  float scale[16], max_abs = 0;
  for (int s = 0; s < subs; ++s) {
    scale[s] = signed_abs_max(x + s * len, len) / static_cast<float>(qlo);  // M ↦ qlo
    max_abs = std::max(max_abs, std::fabs(scale[s]));
  }
  store_f16(d_at, max_abs / static_cast<float>(smax));
  const float d = load_f16(d_at);
  for (int s = 0; s < subs; ++s) {
    out.sc[s] = d > 0 ? round_clamp(scale[s] / d, -smax, smax) : 0;
    const float step = d * static_cast<float>(out.sc[s]);
    const float inv = step != 0 ? 1.0f / step : 0.0f;
    for (int i = 0; i < len; ++i) out.q[s * len + i] = round_clamp(x[s * len + i] * inv, qlo, qhi);
  }
}

// Q2_K / Q3_K 2-bit planes: element e at qs[32·(e/128) + e%32], bits 2·((e%128)/32).
void put_plane2(std::uint8_t* qs, const int* low2) {
  std::memset(qs, 0, 64);
  for (int e = 0; e < 256; ++e)
    qs[32 * (e / 128) + e % 32] |=
        static_cast<std::uint8_t>((low2[e] & 3) << (2 * ((e % 128) / 32)));
}

void quantize_q2_k(const float* x, std::uint8_t* dst, std::int64_t n) {
  for (std::int64_t b = 0; b < n / 256; ++b, x += 256, dst += q2_k::kBytes) {
    AffineCodes c;
    quantize_affine_sub(x, 16, 16, 3, 15, dst + q2_k::kD, dst + q2_k::kDmin, c);
    int low[256];
    for (int e = 0; e < 256; ++e) low[e] = c.q[e];
    put_plane2(dst + q2_k::kQs, low);
    for (int k = 0; k < 16; ++k)
      dst[q2_k::kScales + k] = static_cast<std::uint8_t>(c.sc[k] | (c.m[k] << 4));
  }
}

void quantize_q3_k(const float* x, std::uint8_t* dst, std::int64_t n) {
  for (std::int64_t b = 0; b < n / 256; ++b, x += 256, dst += q3_k::kBytes) {
    SymmetricCodes c;
    quantize_symmetric_sub(x, 16, 16, -4, 3, 31, dst + q3_k::kD, c);
    int low[256];
    std::memset(dst + q3_k::kHmask, 0, 32);
    for (int e = 0; e < 256; ++e) {
      const int h = c.q[e] >= 0 ? 1 : 0;  // set bit: q = low; clear bit: q = low − 4
      low[e] = c.q[e] + 4 - 4 * h;
      dst[q3_k::kHmask + e % 32] |= static_cast<std::uint8_t>(h << (e / 32));
    }
    put_plane2(dst + q3_k::kQs, low);
    std::uint8_t code[16];
    for (int k = 0; k < 16; ++k) code[k] = static_cast<std::uint8_t>(c.sc[k] + 32);
    k3_pack_scales(code, dst + q3_k::kScales);
  }
}

// Q4_K / Q5_K; qh is null for Q4_K.
void quantize_k45_block(const float* x, std::uint8_t* blk, std::uint8_t* scales, std::uint8_t* qh,
                        std::uint8_t* qs) {
  AffineCodes c;
  quantize_affine_sub(x, 8, 32, qh ? 31 : 15, 63, blk, blk + 2, c);
  k4_pack_scales(c.sc, c.m, scales);
  if (qh) std::memset(qh, 0, 32);
  for (int g = 0; g < 4; ++g)
    for (int l = 0; l < 32; ++l) {
      const int lo = c.q[64 * g + l], hi = c.q[64 * g + 32 + l];
      qs[32 * g + l] = static_cast<std::uint8_t>((lo & 15) | ((hi & 15) << 4));
      if (qh)
        qh[l] |= static_cast<std::uint8_t>(((lo >> 4) << (2 * g)) | ((hi >> 4) << (2 * g + 1)));
    }
}

void quantize_q4_k(const float* x, std::uint8_t* dst, std::int64_t n) {
  for (std::int64_t b = 0; b < n / 256; ++b, x += 256, dst += q4_k::kBytes)
    quantize_k45_block(x, dst, dst + q4_k::kScales, nullptr, dst + q4_k::kQs);
}

void quantize_q5_k(const float* x, std::uint8_t* dst, std::int64_t n) {
  for (std::int64_t b = 0; b < n / 256; ++b, x += 256, dst += q5_k::kBytes)
    quantize_k45_block(x, dst, dst + q5_k::kScales, dst + q5_k::kQh, dst + q5_k::kQs);
}

void quantize_q6_k(const float* x, std::uint8_t* dst, std::int64_t n) {
  for (std::int64_t b = 0; b < n / 256; ++b, x += 256, dst += q6_k::kBytes) {
    SymmetricCodes c;
    quantize_symmetric_sub(x, 16, 16, -32, 31, 127, dst + q6_k::kD, c);
    std::memset(dst, 0, q6_k::kScales);  // ql and qh
    for (int e = 0; e < 256; ++e) {
      const int v = c.q[e] + 32, half = e / 128, l = e % 32, p = (e % 128) / 32;
      dst[q6_k::kQl + 64 * half + l + 32 * (p % 2)] |=
          static_cast<std::uint8_t>((v & 15) << (p >= 2 ? 4 : 0));
      dst[q6_k::kQh + 32 * half + l] |= static_cast<std::uint8_t>((v >> 4) << (2 * p));
    }
    for (int k = 0; k < 16; ++k)
      dst[q6_k::kScales + k] = static_cast<std::uint8_t>(static_cast<std::int8_t>(c.sc[k]));
  }
}

void quantize_iq4_xs(const float* x, std::uint8_t* dst, std::int64_t n) {
  for (std::int64_t b = 0; b < n / 256; ++b, x += 256, dst += iq4_xs::kBytes) {
    float scale[8], max_abs = 0;
    for (int ib = 0; ib < 8; ++ib) {
      scale[ib] = iq4_best_scale(x + 32 * ib, 32);
      max_abs = std::max(max_abs, std::fabs(scale[ib]));
    }
    store_f16(dst + iq4_xs::kD, max_abs / 31.0f);
    const float d = load_f16(dst + iq4_xs::kD);
    std::uint16_t scales_h = 0;
    std::memset(dst + iq4_xs::kScalesL, 0, 4);
    for (int ib = 0; ib < 8; ++ib) {
      const int ls = (d > 0 ? round_clamp(scale[ib] / d, -32, 31) : 0) + 32;
      dst[iq4_xs::kScalesL + ib / 2] |= static_cast<std::uint8_t>((ls & 15) << (4 * (ib % 2)));
      scales_h |= static_cast<std::uint16_t>((ls >> 4) << (2 * ib));
      std::uint8_t codes[32];
      iq4_assign(x + 32 * ib, 32, d * static_cast<float>(ls - 32), codes);
      for (int j = 0; j < 16; ++j)
        dst[iq4_xs::kQs + 16 * ib + j] = static_cast<std::uint8_t>(codes[j] | (codes[j + 16] << 4));
    }
    store_u16(dst + iq4_xs::kScalesH, scales_h);
  }
}

}  // namespace

void add_quantizers_kquants(KernelTable& t) {
  t.quantize[slot(Type::Q2_K)] = quantize_q2_k;
  t.quantize[slot(Type::Q3_K)] = quantize_q3_k;
  t.quantize[slot(Type::Q4_K)] = quantize_q4_k;
  t.quantize[slot(Type::Q5_K)] = quantize_q5_k;
  t.quantize[slot(Type::Q6_K)] = quantize_q6_k;
  t.quantize[slot(Type::IQ4_XS)] = quantize_iq4_xs;
}

}  // namespace coderx::model::quant
