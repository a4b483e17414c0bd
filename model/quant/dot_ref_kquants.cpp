// Scalar reference dot products of the k-quants and IQ4_XS with Q8_K activations, with the
// arithmetic of llama.cpp's generic CPU kernels (formats-extra.md §1.5): exact integer sums of
// q·q8 per sub-block times the integer sub-block scale, summed over the super-block, then f32
// scaling by d·y.d; the mins of Q2_K/Q4_K/Q5_K go through the Q8_K bsums (one bsum per Q2_K
// sub-block of 16, pairs of bsums per Q4_K/Q5_K sub-block of 32).
#include "model/quant/block_layout.h"
#include "model/quant/kernel_table.h"
#include "model/quant/kquant_scales.h"
#include "model/quant/value_tables.h"

namespace coderx::model::quant {
namespace {

using namespace layout;

struct Q8K {
  float d;
  const std::int8_t* qs;
  const std::uint8_t* bsums;  // 16 × int16 LE
  explicit Q8K(const std::uint8_t* a)
      : d(load_f32(a + q8_k::kD)),
        qs(reinterpret_cast<const std::int8_t*>(a + q8_k::kQs)),
        bsums(a + q8_k::kBsums) {}
  int bsum(int g) const { return load_i16(bsums + 2 * g); }
};

inline int plane2(const std::uint8_t* qs, int e) {
  return (qs[32 * (e / 128) + e % 32] >> (2 * ((e % 128) / 32))) & 3;
}

// Σ_{e in [first, first+count)} q[e]·y[e] for integer weights q.
inline int sum_range(const int* q, const std::int8_t* y, int first, int count) {
  int s = 0;
  for (int e = first; e < first + count; ++e) s += q[e] * y[e];
  return s;
}

float dot_q2_k(const std::uint8_t* w, const std::uint8_t* a, std::int64_t n) {
  float sumf = 0;
  for (std::int64_t b = 0; b < n / 256; ++b, w += q2_k::kBytes, a += q8_k::kBytes) {
    const Q8K y(a);
    int q[256];
    for (int e = 0; e < 256; ++e) q[e] = plane2(w + q2_k::kQs, e);
    int isum = 0, summs = 0;
    for (int k = 0; k < 16; ++k) {
      const std::uint8_t sm = w[q2_k::kScales + k];
      isum += (sm & 15) * sum_range(q, y.qs, 16 * k, 16);
      summs += (sm >> 4) * y.bsum(k);
    }
    const float dall = y.d * load_f16(w + q2_k::kD);
    const float dmin = y.d * load_f16(w + q2_k::kDmin);
    sumf += dall * static_cast<float>(isum) - dmin * static_cast<float>(summs);
  }
  return sumf;
}

float dot_q3_k(const std::uint8_t* w, const std::uint8_t* a, std::int64_t n) {
  float sumf = 0;
  for (std::int64_t b = 0; b < n / 256; ++b, w += q3_k::kBytes, a += q8_k::kBytes) {
    const Q8K y(a);
    int q[256];
    for (int e = 0; e < 256; ++e) {
      const int h = (w[q3_k::kHmask + e % 32] >> (e / 32)) & 1;
      q[e] = plane2(w + q3_k::kQs, e) + 4 * h - 4;
    }
    int isum = 0;
    for (int k = 0; k < 16; ++k)
      isum += (k3_scale_code(w + q3_k::kScales, k) - 32) * sum_range(q, y.qs, 16 * k, 16);
    sumf += (load_f16(w + q3_k::kD) * y.d) * static_cast<float>(isum);
  }
  return sumf;
}

// Q4_K / Q5_K: qh is null for Q4_K.
float dot_k45_block(const std::uint8_t* w, const std::uint8_t* scales, const std::uint8_t* qh,
                    const std::uint8_t* qs, const Q8K& y) {
  int q[256];
  for (int j = 0; j < 8; ++j)
    for (int l = 0; l < 32; ++l) {
      int v = (qs[32 * (j / 2) + l] >> (4 * (j % 2))) & 15;
      if (qh) v |= ((qh[l] >> j) & 1) << 4;
      q[32 * j + l] = v;
    }
  int isum = 0, summs = 0;
  for (int j = 0; j < 8; ++j) {
    int sc, m;
    k4_scale_min(scales, j, sc, m);
    isum += sc * sum_range(q, y.qs, 32 * j, 32);
    summs += m * (y.bsum(2 * j) + y.bsum(2 * j + 1));
  }
  const float d = load_f16(w) * y.d;
  const float dmin = load_f16(w + 2) * y.d;
  return d * static_cast<float>(isum) - dmin * static_cast<float>(summs);
}

float dot_q4_k(const std::uint8_t* w, const std::uint8_t* a, std::int64_t n) {
  float sumf = 0;
  for (std::int64_t b = 0; b < n / 256; ++b, w += q4_k::kBytes, a += q8_k::kBytes)
    sumf += dot_k45_block(w, w + q4_k::kScales, nullptr, w + q4_k::kQs, Q8K(a));
  return sumf;
}

float dot_q5_k(const std::uint8_t* w, const std::uint8_t* a, std::int64_t n) {
  float sumf = 0;
  for (std::int64_t b = 0; b < n / 256; ++b, w += q5_k::kBytes, a += q8_k::kBytes)
    sumf += dot_k45_block(w, w + q5_k::kScales, w + q5_k::kQh, w + q5_k::kQs, Q8K(a));
  return sumf;
}

float dot_q6_k(const std::uint8_t* w, const std::uint8_t* a, std::int64_t n) {
  float sumf = 0;
  for (std::int64_t b = 0; b < n / 256; ++b, w += q6_k::kBytes, a += q8_k::kBytes) {
    const Q8K y(a);
    int q[256];
    for (int half = 0; half < 2; ++half) {
      const std::uint8_t* ql = w + q6_k::kQl + 64 * half;
      const std::uint8_t* qh = w + q6_k::kQh + 32 * half;
      int* out = q + 128 * half;
      for (int l = 0; l < 32; ++l) {
        out[l] = ((ql[l] & 15) | ((qh[l] & 3) << 4)) - 32;
        out[l + 32] = ((ql[l + 32] & 15) | (((qh[l] >> 2) & 3) << 4)) - 32;
        out[l + 64] = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
        out[l + 96] = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
      }
    }
    const auto* scales = reinterpret_cast<const std::int8_t*>(w + q6_k::kScales);
    int isum = 0;
    for (int k = 0; k < 16; ++k) isum += scales[k] * sum_range(q, y.qs, 16 * k, 16);
    sumf += (load_f16(w + q6_k::kD) * y.d) * static_cast<float>(isum);
  }
  return sumf;
}

float dot_iq4_xs(const std::uint8_t* w, const std::uint8_t* a, std::int64_t n) {
  float sumf = 0;
  for (std::int64_t b = 0; b < n / 256; ++b, w += iq4_xs::kBytes, a += q8_k::kBytes) {
    const Q8K y(a);
    const float d4d8 = load_f16(w + iq4_xs::kD) * y.d;
    const std::uint16_t scales_h = load_u16(w + iq4_xs::kScalesH);
    for (int ib = 0; ib < 8; ++ib) {
      const int ls = iq4xs_scale_code(scales_h, w + iq4_xs::kScalesL, ib);
      const std::uint8_t* qs = w + iq4_xs::kQs + 16 * ib;
      const std::int8_t* q8 = y.qs + 32 * ib;
      int sumi1 = 0, sumi2 = 0;
      for (int j = 0; j < 16; ++j) {
        sumi1 += q8[j] * kIq4Values[qs[j] & 15];
        sumi2 += q8[j + 16] * kIq4Values[qs[j] >> 4];
      }
      sumf += d4d8 * static_cast<float>(ls - 32) * static_cast<float>(sumi1 + sumi2);
    }
  }
  return sumf;
}

float dot_q8_k(const std::uint8_t* w, const std::uint8_t* a, std::int64_t n) {
  float sumf = 0;
  for (std::int64_t b = 0; b < n / 256; ++b, w += q8_k::kBytes, a += q8_k::kBytes) {
    const Q8K x(w), y(a);
    int isum = 0;
    for (int i = 0; i < 256; ++i) isum += x.qs[i] * y.qs[i];
    sumf += (x.d * y.d) * static_cast<float>(isum);
  }
  return sumf;
}

}  // namespace

void add_dot_ref_kquants(KernelTable& t) {
  t.dot[slot(Type::Q2_K)] = dot_q2_k;
  t.dot[slot(Type::Q3_K)] = dot_q3_k;
  t.dot[slot(Type::Q4_K)] = dot_q4_k;
  t.dot[slot(Type::Q5_K)] = dot_q5_k;
  t.dot[slot(Type::Q6_K)] = dot_q6_k;
  t.dot[slot(Type::IQ4_XS)] = dot_iq4_xs;
  t.dot[slot(Type::Q8_K)] = dot_q8_k;
}

}  // namespace coderx::model::quant
