// Scalar reference dot products of the legacy 32-element weight blocks with Q8_0 / Q8_1
// activations, with the arithmetic of llama.cpp's generic CPU kernels: an exact integer sum per
// block, then one f32 multiply-add by the block scales (formats-extra.md §1.5, §1.6).
#include "model/quant/block_layout.h"
#include "model/quant/kernel_table.h"
#include "model/quant/value_tables.h"

namespace coderx::model::quant {
namespace {

using namespace layout;

inline const std::int8_t* q8_of(const std::uint8_t* block, int offset) {
  return reinterpret_cast<const std::int8_t*>(block + offset);
}

float dot_q4_0(const std::uint8_t* w, const std::uint8_t* a, std::int64_t n) {
  float sumf = 0;
  for (std::int64_t b = 0; b < n / 32; ++b, w += q4_0::kBytes, a += q8_0::kBytes) {
    const std::uint8_t* qs = w + q4_0::kQs;
    const std::int8_t* y = q8_of(a, q8_0::kQs);
    int sumi = 0;
    for (int j = 0; j < 16; ++j) sumi += ((qs[j] & 15) - 8) * y[j] + ((qs[j] >> 4) - 8) * y[j + 16];
    sumf += static_cast<float>(sumi) * load_f16(w + q4_0::kD) * load_f16(a + q8_0::kD);
  }
  return sumf;
}

float dot_q4_1(const std::uint8_t* w, const std::uint8_t* a, std::int64_t n) {
  float sumf = 0;
  for (std::int64_t b = 0; b < n / 32; ++b, w += q4_1::kBytes, a += q8_1::kBytes) {
    const std::uint8_t* qs = w + q4_1::kQs;
    const std::int8_t* y = q8_of(a, q8_1::kQs);
    int sumi = 0;
    for (int j = 0; j < 16; ++j) sumi += (qs[j] & 15) * y[j] + (qs[j] >> 4) * y[j + 16];
    sumf += (load_f16(w + q4_1::kD) * load_f16(a + q8_1::kD)) * static_cast<float>(sumi) +
            load_f16(w + q4_1::kM) * load_f16(a + q8_1::kS);
  }
  return sumf;
}

// Σ q5·y over one block, q5 = nibble + 16·qh bit, minus `offset` from every q5.
int sum_q5(const std::uint8_t* qs, std::uint32_t qh, const std::int8_t* y, int offset) {
  int sumi = 0;
  for (int j = 0; j < 16; ++j) {
    const int lo = ((qs[j] & 15) | static_cast<int>(((qh >> j) & 1) << 4)) - offset;
    const int hi = ((qs[j] >> 4) | static_cast<int>(((qh >> (j + 16)) & 1) << 4)) - offset;
    sumi += lo * y[j] + hi * y[j + 16];
  }
  return sumi;
}

float dot_q5_0(const std::uint8_t* w, const std::uint8_t* a, std::int64_t n) {
  float sumf = 0;
  for (std::int64_t b = 0; b < n / 32; ++b, w += q5_0::kBytes, a += q8_0::kBytes) {
    const int sumi = sum_q5(w + q5_0::kQs, load_u32(w + q5_0::kQh), q8_of(a, q8_0::kQs), 16);
    sumf += (load_f16(w + q5_0::kD) * load_f16(a + q8_0::kD)) * static_cast<float>(sumi);
  }
  return sumf;
}

float dot_q5_1(const std::uint8_t* w, const std::uint8_t* a, std::int64_t n) {
  float sumf = 0;
  for (std::int64_t b = 0; b < n / 32; ++b, w += q5_1::kBytes, a += q8_1::kBytes) {
    const int sumi = sum_q5(w + q5_1::kQs, load_u32(w + q5_1::kQh), q8_of(a, q8_1::kQs), 0);
    sumf += (load_f16(w + q5_1::kD) * load_f16(a + q8_1::kD)) * static_cast<float>(sumi) +
            load_f16(w + q5_1::kM) * load_f16(a + q8_1::kS);
  }
  return sumf;
}

float dot_q8_0(const std::uint8_t* w, const std::uint8_t* a, std::int64_t n) {
  float sumf = 0;
  for (std::int64_t b = 0; b < n / 32; ++b, w += q8_0::kBytes, a += q8_0::kBytes) {
    const std::int8_t* x = q8_of(w, q8_0::kQs);
    const std::int8_t* y = q8_of(a, q8_0::kQs);
    int sumi = 0;
    for (int j = 0; j < 32; ++j) sumi += x[j] * y[j];
    sumf += static_cast<float>(sumi) * (load_f16(w + q8_0::kD) * load_f16(a + q8_0::kD));
  }
  return sumf;
}

float dot_q8_1(const std::uint8_t* w, const std::uint8_t* a, std::int64_t n) {
  float sumf = 0;
  for (std::int64_t b = 0; b < n / 32; ++b, w += q8_1::kBytes, a += q8_1::kBytes) {
    const std::int8_t* x = q8_of(w, q8_1::kQs);
    const std::int8_t* y = q8_of(a, q8_1::kQs);
    int sumi = 0;
    for (int j = 0; j < 32; ++j) sumi += x[j] * y[j];
    sumf += static_cast<float>(sumi) * (load_f16(w + q8_1::kD) * load_f16(a + q8_1::kD));
  }
  return sumf;
}

float dot_iq4_nl(const std::uint8_t* w, const std::uint8_t* a, std::int64_t n) {
  float sumf = 0;
  for (std::int64_t b = 0; b < n / 32; ++b, w += iq4_nl::kBytes, a += q8_0::kBytes) {
    const std::uint8_t* qs = w + iq4_nl::kQs;
    const std::int8_t* y = q8_of(a, q8_0::kQs);
    int sumi1 = 0, sumi2 = 0;
    for (int j = 0; j < 16; ++j) {
      sumi1 += y[j] * kIq4Values[qs[j] & 15];
      sumi2 += y[j + 16] * kIq4Values[qs[j] >> 4];
    }
    sumf += (load_f16(w + iq4_nl::kD) * load_f16(a + q8_0::kD)) * static_cast<float>(sumi1 + sumi2);
  }
  return sumf;
}

}  // namespace

void add_dot_ref_legacy(KernelTable& t) {
  t.dot[slot(Type::Q4_0)] = dot_q4_0;
  t.dot[slot(Type::Q4_1)] = dot_q4_1;
  t.dot[slot(Type::Q5_0)] = dot_q5_0;
  t.dot[slot(Type::Q5_1)] = dot_q5_1;
  t.dot[slot(Type::Q8_0)] = dot_q8_0;
  t.dot[slot(Type::Q8_1)] = dot_q8_1;
  t.dot[slot(Type::IQ4_NL)] = dot_iq4_nl;
}

}  // namespace coderx::model::quant
