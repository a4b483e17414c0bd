// The device block decoders (kernels/block_decode.h), compiled for the host, against the
// reference dequantiser model::quant::dequantize_row_ref on random blocks of every type the
// kernels read. This verifies every layout the GPU kernels use without needing a GPU.
#include "kernels/block_decode.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "kernels/decode.cuh"
#include "weight_gen.h"
#include "model/quant/rows.h"

namespace coderx::kernels {
namespace {

std::vector<float> device_decoder(WeightType t, const std::uint8_t* row, std::int64_t n) {
  std::vector<float> out(n);
  detail::dispatch_weight_type(t, [&](auto tag) {
    constexpr WeightType T = decltype(tag)::value;
    for (std::int64_t c = 0; c < n / 32; ++c) detail::Decoder<T>::chunk(row, static_cast<int>(c), &out[32 * c]);
  });
  return out;
}

TEST(BlockDecode, EveryTypeMatchesReferenceDequantiser) {
  std::mt19937 rng(2024);
  int count = 0;
  const WeightTypeInfo* types = weight_types(&count);
  for (int i = 0; i < count; ++i) {
    const WeightType t = types[i].type;
    SCOPED_TRACE(std::string(types[i].name));
    for (std::int64_t n : {256, 512, 2816}) {
      if (!row_supported(t, n)) continue;
      for (int trial = 0; trial < 4; ++trial) {
        const auto row = testing::random_weight_rows(t, 1, n, rng);
        std::vector<float> want(n);
        model::quant::dequantize_row_ref(static_cast<model::quant::Type>(t), row.data(), want.data(), n);
        const std::vector<float> got = device_decoder(t, row.data(), n);
        int bad = 0;
        for (std::int64_t j = 0; j < n && bad < 5; ++j) {
          const bool same = (std::isnan(want[j]) && std::isnan(got[j])) ||
                            std::fabs(want[j] - got[j]) <= 1e-6f * std::max(1.0f, std::fabs(want[j]));
          if (!same) {
            ADD_FAILURE() << "n=" << n << " element " << j << ": reference " << want[j] << ", decoder " << got[j];
            ++bad;
          }
        }
      }
    }
  }
}

TEST(BlockDecode, ScaleHelpersFromTheSpec) {
  // E8M0 "half": 2^(e-128), e = 0, 1 denormal.
  EXPECT_EQ(detail::e8m0_half(128), 1.0f);
  EXPECT_EQ(detail::e8m0_half(130), 4.0f);
  EXPECT_EQ(detail::e8m0_half(0), std::ldexp(1.0f, -128));
  EXPECT_EQ(detail::e8m0_half(1), std::ldexp(1.0f, -127));
  // UE4M3 halved: 0 and 0x7F are zero; E=0 → M·2^-9; else (1 + M/8)·2^(E-7).
  EXPECT_EQ(detail::ue4m3_half(0x00), 0.0f);
  EXPECT_EQ(detail::ue4m3_half(0x7f), 0.0f);
  EXPECT_EQ(detail::ue4m3_half(0x38), 0.5f);                 // E=7, M=0 → 1.0, halved
  EXPECT_EQ(detail::ue4m3_half(0x3d), 0.5f * 1.625f);        // E=7, M=5
  EXPECT_EQ(detail::ue4m3_half(0x03), 0.5f * 3.0f / 512.0f); // E=0, M=3
  // f16 decode, exact.
  EXPECT_EQ(detail::f16_bits_to_f32(0x3c00), 1.0f);
  EXPECT_EQ(detail::f16_bits_to_f32(0xc000), -2.0f);
  EXPECT_EQ(detail::f16_bits_to_f32(0x0001), std::ldexp(1.0f, -24));
  EXPECT_TRUE(std::isinf(detail::f16_bits_to_f32(0x7c00)));
}

}  // namespace
}  // namespace coderx::kernels
