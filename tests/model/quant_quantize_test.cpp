// quantize_row for every weight type: quantise → reference-dequantise error within the format's
// bound, and re-quantising dequantised data is stable.
//   Per-element bounds (round to nearest against the stored f16 scale d of each block):
//     Q8_0 ≤ 0.57·|d| (the activation-style quantiser rounds with 1/d before d's f16 rounding:
//          0.5 + 127·2^-11), Q4_0/Q5_0 ≤ |d| (d/2 inside the range, one step at the far end),
//     Q4_1/Q5_1 ≤ 0.5·d + 2^-10·(|min| + d·2^bits) (f16 rounding of the min and of d).
//   RMS relative error ceilings (sqrt(Σ(x−y)²/Σx²)) on Gaussian data, ~1.25× what this
//   implementation measured (printed by the test), far below what a wrong layout would give.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <map>
#include <random>
#include <vector>

#include "model/quant/rows.h"
#include "tests/support/quant_blocks.h"

namespace coderx::model::quant {
namespace {

const std::map<Type, double> kRmsCeiling = {
    {Type::F32, 0.0},      {Type::F16, 3e-4},   {Type::BF16, 2.2e-3},  {Type::Q8_0, 0.009},
    {Type::Q4_0, 0.14},    {Type::Q4_1, 0.11},  {Type::Q5_0, 0.073},   {Type::Q5_1, 0.055},
    {Type::IQ4_NL, 0.113}, {Type::Q2_K, 0.50},  {Type::Q3_K, 0.23},    {Type::Q4_K, 0.115},
    {Type::Q5_K, 0.056},   {Type::Q6_K, 0.029}, {Type::IQ4_XS, 0.116}, {Type::MXFP4, 0.16},
    {Type::NVFP4, 0.112},
};

std::vector<float> gaussian(std::mt19937& rng, std::int64_t n) {
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> x(n);
  for (float& v : x) v = dist(rng);
  // Some rows of real weights have outliers and near-constant stretches.
  for (std::int64_t i = 0; i < n; i += 97) x[i] *= 6.0f;
  for (std::int64_t i = 512; i < 544 && i < n; ++i) x[i] = 0.0f;
  return x;
}

std::vector<float> round_trip(Type t, const std::vector<float>& x,
                              std::vector<std::uint8_t>* bytes = nullptr) {
  const auto n = static_cast<std::int64_t>(x.size());
  std::vector<std::uint8_t> q(row_bytes(t, n));
  quantize_row(t, x.data(), q.data(), n);
  std::vector<float> y(x.size());
  dequantize_row_ref(t, q.data(), y.data(), n);
  if (bytes) *bytes = q;
  return y;
}

double rms_rel(const std::vector<float>& x, const std::vector<float>& y) {
  double num = 0, den = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    num += (static_cast<double>(x[i]) - y[i]) * (static_cast<double>(x[i]) - y[i]);
    den += static_cast<double>(x[i]) * x[i];
  }
  return std::sqrt(num / den);
}

TEST(QuantQuantize, EveryWeightTypeCanBeQuantized) {
  for (const TypeInfo& t : all_types()) EXPECT_TRUE(can_quantize(t.type)) << t.name;
}

TEST(QuantQuantize, RmsErrorWithinCeilingOnGaussianData) {
  std::mt19937 rng(31);
  const auto x = gaussian(rng, 256 * 24);
  for (const auto& [type, ceiling] : kRmsCeiling) {
    const auto y = round_trip(type, x);
    const double err = rms_rel(x, y);
    std::printf("  %-7s rms relative error %.5f (ceiling %.5f)\n",
                std::string(info(type).name).c_str(), err, ceiling);
    EXPECT_LE(err, ceiling) << info(type).name;
    for (float v : y) ASSERT_TRUE(std::isfinite(v)) << info(type).name;
  }
}

double f16_at(const std::vector<std::uint8_t>& b, std::size_t off) {
  return testing::f16_bits_value(static_cast<std::uint16_t>(b[off] | (b[off + 1] << 8)));
}

TEST(QuantQuantize, LegacyPerElementBounds) {
  std::mt19937 rng(32);
  const auto x = gaussian(rng, 32 * 64);
  for (Type t : {Type::Q4_0, Type::Q5_0, Type::Q4_1, Type::Q5_1}) {
    std::vector<std::uint8_t> q;
    const auto y = round_trip(t, x, &q);
    const int bytes = static_cast<int>(info(t).block_bytes);
    for (std::size_t i = 0; i < x.size(); ++i) {
      const std::size_t b = i / 32;
      const double d = std::fabs(f16_at(q, b * bytes));
      double bound = t == Type::Q8_0 ? 0.57 * d : d;
      if (t == Type::Q4_1 || t == Type::Q5_1)
        bound = 0.5 * d + std::ldexp(std::fabs(f16_at(q, b * bytes + 2)) + d * 32, -10);
      ASSERT_LE(std::fabs(x[i] - y[i]), bound + 1e-12) << info(t).name << " element " << i;
    }
  }
}

TEST(QuantQuantize, RequantisingIsStable) {
  std::mt19937 rng(33);
  const auto x = gaussian(rng, 256 * 8);
  for (const auto& [type, ceiling] : kRmsCeiling) {
    std::vector<std::uint8_t> q1, q2;
    const auto y1 = round_trip(type, x, &q1);
    const auto y2 = round_trip(type, y1, &q2);
    // Second pass: no worse than the first (usually exact).
    EXPECT_LE(rms_rel(y1, y2), std::max(0.5 * rms_rel(x, y1), 1e-7)) << info(type).name;
    if (type == Type::Q8_0 || type == Type::Q4_0 || type == Type::Q5_0 || type == Type::F16 ||
        type == Type::BF16 || type == Type::MXFP4) {
      EXPECT_EQ(q1, q2) << info(type).name << ": re-quantising a grid point changed its bytes";
    }
  }
}

TEST(QuantQuantize, ZerosAndConstantsAreExact) {
  for (const auto& [type, ceiling] : kRmsCeiling) {
    const std::vector<float> zeros(512, 0.0f);
    for (float v : round_trip(type, zeros)) ASSERT_EQ(v, 0.0f) << info(type).name;
  }
  const std::vector<float> ones(512, 1.0f);
  for (Type t : {Type::Q4_0, Type::Q5_0, Type::Q4_1, Type::Q5_1, Type::MXFP4})
    for (float v : round_trip(t, ones)) ASSERT_EQ(v, 1.0f) << info(t).name << " " << v;
}

}  // namespace
}  // namespace coderx::model::quant
