// vec::mul and vec::rotate_pairs against plain scalar loops written here: bit-identical for
// every length 0–40 (the vector body, the tail and both together), since both round every
// product (no fused multiply-add). dot4 / axpy4 against float64 sums within f32 rounding.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "model/ops_cpu_vec.h"

namespace coderx::model {
namespace {

std::vector<float> random_floats(std::size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-2.0f, 2.0f);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

TEST(OpsCpuVec, MulMatchesScalarBitForBit) {
  for (std::int64_t n = 0; n <= 40; ++n) {
    const auto x = random_floats(n, 1), w = random_floats(n, 2);
    std::vector<float> y(n);
    vec::mul(x.data(), w.data(), y.data(), n);
    for (std::int64_t i = 0; i < n; ++i) ASSERT_EQ(y[i], x[i] * w[i]) << "n " << n << " i " << i;
  }
}

TEST(OpsCpuVec, RotatePairsMatchesScalarBitForBit) {
  for (std::int64_t half = 1; half <= 40; ++half)
    for (std::int64_t n : {std::int64_t{0}, half / 2, half}) {
      auto v = random_floats(2 * half, 3);
      const auto c = random_floats(n, 4), s = random_floats(n, 5);
      std::vector<float> want = v;
      for (std::int64_t i = 0; i < n; ++i) {
        const float a = want[i], b = want[i + half];
        const float pa = a * c[i], pb = b * s[i], qa = a * s[i], qb = b * c[i];
        want[i] = pa - pb;
        want[i + half] = qa + qb;
      }
      vec::rotate_pairs(v.data(), half, c.data(), s.data(), n);
      for (std::int64_t i = 0; i < 2 * half; ++i) ASSERT_EQ(v[i], want[i]) << "half " << half << " n " << n;
    }
}

TEST(OpsCpuVec, Dot4AndAxpy4MatchFloat64) {
  for (std::int64_t n : {1, 7, 8, 9, 64, 255, 256, 512}) {
    const auto a = random_floats(n, 6);
    std::vector<std::vector<float>> rows;
    for (int j = 0; j < 4; ++j) rows.push_back(random_floats(n, 10 + j));
    const float* b[4] = {rows[0].data(), rows[1].data(), rows[2].data(), rows[3].data()};
    float got[4];
    vec::dot4(a.data(), b, n, got);
    const float coef[4] = {0.5f, -1.25f, 2.0f, 0.75f};
    auto y = random_floats(n, 20);
    const auto y0 = y;
    vec::axpy4(coef, b, y.data(), n);
    for (int j = 0; j < 4; ++j) {
      double want = 0;
      for (std::int64_t i = 0; i < n; ++i) want += static_cast<double>(a[i]) * b[j][i];
      EXPECT_NEAR(got[j], want, 1e-5 * n) << "n " << n << " row " << j;
    }
    for (std::int64_t i = 0; i < n; ++i) {
      double want = y0[i];
      for (int j = 0; j < 4; ++j) want += static_cast<double>(coef[j]) * b[j][i];
      ASSERT_NEAR(y[i], want, 1e-5) << "n " << n << " i " << i;
    }
  }
}

}  // namespace
}  // namespace coderx::model
