// Activation quantisation against the spec's procedures (gemma4-moe.md §7.13, formats-extra.md
// §1.5 Q8_K, §1.6 Q8_1), recomputed here from the text: Q8_0/Q8_1 d = max|x|/127 with roundf
// (half away from zero); Q8_K with the signed maximum, iscale = −127/M, nearest-even, min 127,
// d = 1/iscale and bsums.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "model/quant/rows.h"
#include "tests/support/quant_blocks.h"

namespace coderx::model::quant {
namespace {

using testing::f16_bits_value;

std::uint16_t u16_at(const std::vector<std::uint8_t>& b, std::size_t off) {
  return static_cast<std::uint16_t>(b[off] | (b[off + 1] << 8));
}

// The stored f16 must be the nearest f16 to `exact` (within half an ulp of f16).
void expect_nearest_f16(std::uint16_t bits, float exact) {
  const double v = f16_bits_value(bits);
  if (exact == 0.0f) {
    EXPECT_EQ(v, 0.0);
    return;
  }
  const int e = std::ilogb(exact);
  EXPECT_LE(std::fabs(v - exact), std::ldexp(1.0, e - 11) * 1.0000001) << exact;
}

std::vector<float> gaussian(std::mt19937& rng, int n, float sigma) {
  std::normal_distribution<float> dist(0.0f, sigma);
  std::vector<float> x(n);
  for (float& v : x) v = dist(rng);
  return x;
}

std::vector<std::uint8_t> quantize_as(Type weight, const std::vector<float>& x) {
  std::vector<std::uint8_t> out(activation_bytes(weight, static_cast<std::int64_t>(x.size())));
  quantize_activation(weight, x.data(), out.data(), static_cast<std::int64_t>(x.size()));
  return out;
}

void check_q8_block(const float* x, const std::uint8_t* blk, int qs_offset) {
  float amax = 0;
  for (int j = 0; j < 32; ++j) amax = std::max(amax, std::fabs(x[j]));
  const float d = amax / 127.0f;
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  for (int j = 0; j < 32; ++j)
    ASSERT_EQ(static_cast<std::int8_t>(blk[qs_offset + j]),
              static_cast<int>(std::roundf(x[j] * id)))
        << j;
}

TEST(QuantActivation, Q8_0MatchesSpec) {
  std::mt19937 rng(21);
  auto x = gaussian(rng, 32 * 8, 2.0f);
  std::fill(x.begin() + 64, x.begin() + 96, 0.0f);  // an all-zero block
  const auto q = quantize_as(Type::Q4_0, x);
  ASSERT_EQ(q.size(), 34u * 8);
  for (int b = 0; b < 8; ++b) {
    std::vector<std::uint8_t> blk(q.begin() + 34 * b, q.begin() + 34 * b + 34);
    float amax = 0;
    for (int j = 0; j < 32; ++j) amax = std::max(amax, std::fabs(x[32 * b + j]));
    expect_nearest_f16(u16_at(blk, 0), amax / 127.0f);
    check_q8_block(&x[32 * b], blk.data(), 2);
  }
}

TEST(QuantActivation, Q8_0RoundsHalfAwayFromZero) {
  std::vector<float> x(32, 0.0f);
  x[0] = 127.0f;  // d = 1, id = 1
  x[1] = 2.5f;
  x[2] = -2.5f;
  x[3] = 3.5f;
  const auto q = quantize_as(Type::Q8_0, x);
  EXPECT_EQ(u16_at(q, 0), 0x3c00);  // d = 1.0
  EXPECT_EQ(static_cast<std::int8_t>(q[2 + 1]), 3);
  EXPECT_EQ(static_cast<std::int8_t>(q[2 + 2]), -3);
  EXPECT_EQ(static_cast<std::int8_t>(q[2 + 3]), 4);
}

TEST(QuantActivation, Q8_1SumTermUsesF32Scale) {
  std::mt19937 rng(22);
  const auto x = gaussian(rng, 32 * 4, 1.0f);
  const auto q = quantize_as(Type::Q5_1, x);
  ASSERT_EQ(q.size(), 36u * 4);
  for (int b = 0; b < 4; ++b) {
    const std::uint8_t* blk = q.data() + 36 * b;
    check_q8_block(&x[32 * b], blk, 4);
    float amax = 0;
    for (int j = 0; j < 32; ++j) amax = std::max(amax, std::fabs(x[32 * b + j]));
    const float d = amax / 127.0f;
    int sum = 0;
    for (int j = 0; j < 32; ++j) sum += static_cast<std::int8_t>(blk[4 + j]);
    expect_nearest_f16(static_cast<std::uint16_t>(blk[0] | (blk[1] << 8)), d);
    expect_nearest_f16(static_cast<std::uint16_t>(blk[2] | (blk[3] << 8)),
                       d * static_cast<float>(sum));
  }
}

TEST(QuantActivation, Q8_KMatchesSpec) {
  std::mt19937 rng(23);
  auto x = gaussian(rng, 256 * 3, 3.0f);
  x[5] = 40.0f;      // block 0: positive maximum → d < 0
  x[256 + 7] = -41;  // block 1: negative maximum → d > 0
  const auto q = quantize_as(Type::Q4_K, x);
  ASSERT_EQ(q.size(), 292u * 3);
  for (int b = 0; b < 3; ++b) {
    const std::uint8_t* blk = q.data() + 292 * b;
    const float* xb = &x[256 * b];
    float amax = 0, m = 0;
    for (int j = 0; j < 256; ++j)
      if (std::fabs(xb[j]) > amax) amax = std::fabs(xb[j]), m = xb[j];
    const float iscale = -127.0f / m;
    float d;
    std::memcpy(&d, blk, 4);
    EXPECT_EQ(d, 1.0f / iscale);
    EXPECT_LT(d * m, 0.0f) << "d has the opposite sign to M";
    for (int j = 0; j < 256; ++j) {
      const int expect = std::min(127, static_cast<int>(std::nearbyint(iscale * xb[j])));
      ASSERT_EQ(static_cast<std::int8_t>(blk[4 + j]), expect) << j;
    }
    for (int g = 0; g < 16; ++g) {
      int sum = 0;
      for (int i = 0; i < 16; ++i) sum += static_cast<std::int8_t>(blk[4 + 16 * g + i]);
      EXPECT_EQ(static_cast<std::int16_t>(blk[260 + 2 * g] | (blk[261 + 2 * g] << 8)), sum);
    }
  }
  EXPECT_EQ(static_cast<std::int8_t>(q[4 + 5]), -127);
  EXPECT_EQ(static_cast<std::int8_t>(q[292 + 4 + 7]), -127);
}

TEST(QuantActivation, Q8_KRoundsHalfToEvenAndFirstMaximumWins) {
  std::vector<float> x(256, 0.0f);
  x[0] = -127.0f;  // M = −127 (first of ±127), iscale = 1
  x[1] = 127.0f;
  x[2] = 2.5f;
  x[3] = 3.5f;
  x[4] = -0.5f;
  const auto q = quantize_as(Type::Q6_K, x);
  float d;
  std::memcpy(&d, q.data(), 4);
  EXPECT_EQ(d, 1.0f);
  EXPECT_EQ(static_cast<std::int8_t>(q[4]), -127);
  EXPECT_EQ(static_cast<std::int8_t>(q[5]), 127);
  EXPECT_EQ(static_cast<std::int8_t>(q[6]), 2);
  EXPECT_EQ(static_cast<std::int8_t>(q[7]), 4);
  EXPECT_EQ(static_cast<std::int8_t>(q[8]), 0);
}

TEST(QuantActivation, ZeroBlocksGiveZeroScale) {
  const std::vector<float> x(256, 0.0f);
  for (Type w : {Type::Q4_K, Type::Q8_0, Type::Q4_1}) {
    const auto q = quantize_as(w, x);
    std::vector<float> back(256, 1.0f);
    dequantize_row_ref(info(w).activation_type, q.data(), back.data(), 256);
    for (float v : back) ASSERT_EQ(v, 0.0f) << info(w).name;
  }
}

TEST(QuantActivation, FloatActivationsForFloatWeights) {
  std::mt19937 rng(24);
  const auto x = gaussian(rng, 64, 1.0f);
  EXPECT_EQ(activation_bytes(Type::F32, 64), 256u);
  EXPECT_EQ(activation_bytes(Type::F16, 64), 128u);
  EXPECT_EQ(activation_bytes(Type::BF16, 64), 128u);
  const auto f32 = quantize_as(Type::F32, x);
  EXPECT_EQ(std::memcmp(f32.data(), x.data(), 256), 0);
  const auto f16 = quantize_as(Type::F16, x);
  const auto bf16 = quantize_as(Type::BF16, x);
  for (int i = 0; i < 64; ++i) {
    expect_nearest_f16(u16_at(f16, 2 * i), x[i]);
    std::uint32_t bits;
    std::memcpy(&bits, &x[i], 4);
    const std::uint32_t lower = bits & 0xffff, upper = bits >> 16;
    const std::uint32_t rounded =
        lower > 0x8000 || (lower == 0x8000 && (upper & 1)) ? upper + 1 : upper;
    EXPECT_EQ(u16_at(bf16, 2 * i), rounded) << i;
  }
}

// The SIMD quantisers (quantize_activation at the CPU's level) write the reference's bytes
// (quantize_row) for every activation type: random rows at many scales, rows whose scaled values
// fall on .5 ties, repeated and opposite-signed maxima, zero blocks, and blocks holding an
// infinity or a NaN (which take the reference's own path).
TEST(QuantActivation, FastQuantisersWriteTheReferenceBytes) {
  std::mt19937 rng(31);
  std::vector<std::vector<float>> rows;
  for (float sigma : {1e-30f, 1e-6f, 0.01f, 1.0f, 300.0f, 1e30f})
    rows.push_back(gaussian(rng, 512, sigma));
  std::vector<float> ties(512);
  for (int i = 0; i < 512; ++i)  // max 127 makes the scale 1, so every k + 0.5 is a tie
    ties[i] = i % 16 == 0 ? 127.0f : static_cast<float>(i % 250) - 125.0f + 0.5f;
  rows.push_back(ties);
  std::vector<float> opposite(512, 0.25f);
  opposite[3] = -2.0f, opposite[7] = 2.0f, opposite[300] = 2.0f, opposite[301] = -2.0f;
  rows.push_back(opposite);
  rows.push_back(std::vector<float>(512, 0.0f));
  auto special = gaussian(rng, 512, 1.0f);
  special[5] = std::numeric_limits<float>::infinity();
  special[40] = std::nanf("");
  special[300] = -std::numeric_limits<float>::infinity();
  rows.push_back(special);
  for (Type weight : {Type::Q4_0, Type::Q5_1, Type::Q4_K}) {
    const Type act = info(weight).activation_type;
    for (std::size_t r = 0; r < rows.size(); ++r) {
      std::vector<std::uint8_t> fast(activation_bytes(weight, 512)), ref(fast.size());
      quantize_activation(weight, rows[r].data(), fast.data(), 512);
      quantize_row(act, rows[r].data(), ref.data(), 512);
      EXPECT_EQ(fast, ref) << info(act).name << " row " << r;
    }
  }
}

}  // namespace
}  // namespace coderx::model::quant
