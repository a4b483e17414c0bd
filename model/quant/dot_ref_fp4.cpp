// Scalar reference dot products of MXFP4 and NVFP4 weights with Q8_0 activations (spec
// gemma4-moe.md §7.13, §8.5): integer sums of doubled E2M1 codes times q8 per (sub-)block, then
// f32 scaling. An NVFP4 block (64 elements) spans two Q8_0 blocks; its sub-blocks 0,1 pair with
// the first and 2,3 with the second.
#include "model/quant/block_layout.h"
#include "model/quant/kernel_table.h"
#include "model/quant/value_tables.h"

namespace coderx::model::quant {
namespace {

using namespace layout;

float dot_mxfp4(const std::uint8_t* w, const std::uint8_t* a, std::int64_t n) {
  float sumf = 0;
  for (std::int64_t b = 0; b < n / 32; ++b, w += mxfp4::kBytes, a += q8_0::kBytes) {
    const std::uint8_t* qs = w + mxfp4::kQs;
    const auto* y = reinterpret_cast<const std::int8_t*>(a + q8_0::kQs);
    int sumi1 = 0, sumi2 = 0;
    for (int j = 0; j < 16; ++j) {
      sumi1 += y[j] * kFp4Values[qs[j] & 15];
      sumi2 += y[j + 16] * kFp4Values[qs[j] >> 4];
    }
    const float d = e8m0_to_f32_half(w[mxfp4::kE]) * load_f16(a + q8_0::kD);
    sumf += d * static_cast<float>(sumi1 + sumi2);
  }
  return sumf;
}

float dot_nvfp4(const std::uint8_t* w, const std::uint8_t* a, std::int64_t n) {
  float sumf = 0;
  for (std::int64_t b = 0; b < n / 64; ++b, w += nvfp4::kBytes) {
    for (int s = 0; s < 4; ++s) {
      const std::uint8_t* ya = a + q8_0::kBytes * (2 * b + s / 2);
      const auto* y = reinterpret_cast<const std::int8_t*>(ya + q8_0::kQs) + 16 * (s % 2);
      const std::uint8_t* qs = w + nvfp4::kQs + 8 * s;
      int sumi = 0;
      for (int j = 0; j < 8; ++j)
        sumi += y[j] * kFp4Values[qs[j] & 15] + y[j + 8] * kFp4Values[qs[j] >> 4];
      sumf += (nvfp4_scale(w[nvfp4::kD + s]) * load_f16(ya + q8_0::kD)) * static_cast<float>(sumi);
    }
  }
  return sumf;
}

}  // namespace

void add_dot_ref_fp4(KernelTable& t) {
  t.dot[slot(Type::MXFP4)] = dot_mxfp4;
  t.dot[slot(Type::NVFP4)] = dot_nvfp4;
}

}  // namespace coderx::model::quant
