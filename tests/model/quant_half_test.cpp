// half.h conversions against independent references: every binary16 pattern decoded by an
// ldexp formula and round-tripped; float → binary16 against the CPU's F16C instruction (when
// present) over a sweep of float bit patterns; bfloat16 against integer rounding.
#include "model/quant/half.h"

#include <gtest/gtest.h>
#include <immintrin.h>

#include <cmath>
#include <random>

namespace coderx::model::quant {
namespace {

double f16_formula(std::uint16_t h) {
  const int e = (h >> 10) & 31, m = h & 1023;
  const double mag = e == 0 ? std::ldexp(m, -24) : std::ldexp(1024 + m, e - 25);
  return (h & 0x8000) ? -mag : mag;
}

TEST(QuantHalf, EveryF16DecodesAndRoundTrips) {
  for (std::uint32_t h = 0; h < 65536; ++h) {
    const auto bits = static_cast<std::uint16_t>(h);
    const float f = f16_to_f32(bits);
    const int e = (h >> 10) & 31;
    if (e == 31) {
      EXPECT_TRUE((h & 1023) ? std::isnan(f) : std::isinf(f)) << h;
      if (h & 1023)
        EXPECT_EQ(f32_to_f16(f) & 0x7c00, 0x7c00) << h;
      else
        EXPECT_EQ(f32_to_f16(f), bits) << h;
      continue;
    }
    ASSERT_EQ(static_cast<double>(f), f16_formula(bits)) << h;
    ASSERT_EQ(f32_to_f16(f), bits) << h;
  }
}

__attribute__((target("f16c"))) std::uint16_t hw_f32_to_f16(float f) {
  return static_cast<std::uint16_t>(_cvtss_sh(f, _MM_FROUND_TO_NEAREST_INT));
}

TEST(QuantHalf, F32ToF16MatchesF16C) {
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("f16c")) GTEST_SKIP() << "no F16C on this CPU to compare with";
  std::mt19937 rng(7);
  std::uniform_int_distribution<std::uint32_t> bits_dist;
  for (int i = 0; i < 2000000; ++i) {
    std::uint32_t bits = bits_dist(rng);
    if (i % 2) bits = (bits & 0x80000000u) | (0x33000000u + bits % 0x14800000u);  // f16 range
    const float f = fp32_from_bits(bits);
    if (std::isnan(f)) continue;
    ASSERT_EQ(f32_to_f16(f), hw_f32_to_f16(f)) << std::hex << bits;
  }
  // Boundaries: largest finite, overflow tie, smallest subnormal and the tie below it.
  for (float f : {65504.0f, 65519.996f, 65520.0f, 5.9604645e-8f, 2.9802322e-8f, 2.9802326e-8f,
                  6.1035156e-5f, 6.1035152e-5f})
    EXPECT_EQ(f32_to_f16(f), hw_f32_to_f16(f)) << f;
}

TEST(QuantHalf, Bf16RoundsToNearestEven) {
  EXPECT_EQ(f32_to_bf16(1.0f), 0x3f80);
  EXPECT_EQ(f32_to_bf16(fp32_from_bits(0x3f808000u)), 0x3f80);  // tie → even
  EXPECT_EQ(f32_to_bf16(fp32_from_bits(0x3f818000u)), 0x3f82);  // tie → even (up)
  EXPECT_EQ(f32_to_bf16(fp32_from_bits(0x3f808001u)), 0x3f81);
  EXPECT_EQ(f32_to_bf16(fp32_from_bits(0x7f7fffffu)), 0x7f80);  // rounds to infinity
  EXPECT_TRUE(std::isnan(bf16_to_f32(f32_to_bf16(std::nanf("")))));
  EXPECT_TRUE(std::isnan(bf16_to_f32(f32_to_bf16(fp32_from_bits(0x7f800001u)))));  // sNaN stays NaN
  for (std::uint32_t h = 0; h < 65536; ++h) {
    if (((h >> 7) & 0xff) == 0xff && (h & 0x7f)) continue;  // NaN payloads get quietened
    ASSERT_EQ(f32_to_bf16(bf16_to_f32(static_cast<std::uint16_t>(h))), h);
  }
}

}  // namespace
}  // namespace coderx::model::quant
