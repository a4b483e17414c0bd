// vec::mul and vec::rotate_pairs against plain scalar loops written here: bit-identical for
// every length 0–40 (the vector body, the tail and both together), since both round every
// product (no fused multiply-add). dot4 / axpy4 against float64 sums within f32 rounding; their
// two-query forms against them bit for bit, and the four-query and all-heads forms against those
// bit for bit; exp_shifted against the f64 exponential in ulp.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "model/ops_cpu_vec.h"
#include "model/quant/half.h"
#include "model/quant/rows.h"

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

TEST(OpsCpuVec, ScaleAndScaleMulMatchScalarBitForBit) {
  for (std::int64_t n = 0; n <= 40; ++n) {
    const auto x = random_floats(n, 6), w = random_floats(n, 7);
    const float s = 0.37f;
    std::vector<float> scaled(n), weighted(n);
    vec::scale(x.data(), s, scaled.data(), n);
    vec::scale_mul(x.data(), s, w.data(), weighted.data(), n);
    for (std::int64_t i = 0; i < n; ++i) {
      ASSERT_EQ(scaled[i], x[i] * s) << "n " << n << " i " << i;
      ASSERT_EQ(weighted[i], (x[i] * s) * w[i]) << "n " << n << " i " << i;
    }
  }
}

// Squares of f32 are exact in f64, so the lanes' sums differ from a sequential f64 sum only by
// the rounding of the additions: within n·2^-52 relative (the bound of recursive summation, on
// both sides), the model's 2,816 included.
TEST(OpsCpuVec, SumSquaresMatchesTheFloat64Sum) {
  for (std::int64_t n : {0, 1, 3, 4, 5, 15, 16, 17, 31, 40, 256, 2816, 2819}) {
    const auto x = random_floats(n, 8);
    double want = 0;
    for (const float v : x) want += static_cast<double>(v) * v;
    EXPECT_NEAR(vec::sum_squares(x.data(), n), want, n * 0x1p-52 * want) << "n " << n;
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

// The two-query kernels are the one-query kernels twice, bit for bit (attention relies on it:
// prefill pairs query heads, and must equal a decode step exactly).
TEST(OpsCpuVec, TwoQueryKernelsEqualTheOneQueryKernelsBitForBit) {
  for (std::int64_t n : {8, 64, 256, 512, 13}) {
    auto a0 = random_floats(n, 31), a1 = random_floats(n, 32);
    std::vector<std::vector<float>> rows;
    for (int j = 0; j < 4; ++j) rows.push_back(random_floats(n, 33 + j));
    const float* b[4] = {rows[0].data(), rows[1].data(), rows[2].data(), rows[3].data()};
    float one0[4], one1[4], two0[4], two1[4];
    vec::dot4(a0.data(), b, n, one0);
    vec::dot4(a1.data(), b, n, one1);
    vec::dot4x2(a0.data(), a1.data(), b, n, two0, two1);
    EXPECT_EQ(std::memcmp(one0, two0, sizeof one0), 0) << "n " << n;
    EXPECT_EQ(std::memcmp(one1, two1, sizeof one1), 0) << "n " << n;
    const float c0[4] = {0.5f, -1.25f, 2.0f, 0.75f}, c1[4] = {-0.3f, 0.1f, 1.5f, -2.25f};
    auto y0 = random_floats(n, 40), y1 = random_floats(n, 41);
    auto z0 = y0, z1 = y1;
    vec::axpy4(c0, b, y0.data(), n);
    vec::axpy4(c1, b, y1.data(), n);
    vec::axpy4x2(c0, c1, b, z0.data(), z1.data(), n);
    EXPECT_EQ(y0, z0) << "n " << n;
    EXPECT_EQ(y1, z1) << "n " << n;
    // One row alone: the bits the four-row kernels give it (attention groups keys by aligned
    // runs of four and takes the rest one by one; a key's bits must not depend on which).
    auto w0 = random_floats(n, 40), w1 = random_floats(n, 41);
    for (int j = 0; j < 4; ++j) {
      float r0 = 0, r1 = 0;
      vec::dot1x2(a0.data(), a1.data(), b[j], n, &r0, &r1);
      EXPECT_EQ(std::memcmp(&r0, &two0[j], sizeof r0), 0) << "n " << n << " row " << j;
      EXPECT_EQ(std::memcmp(&r1, &two1[j], sizeof r1), 0) << "n " << n << " row " << j;
      vec::axpy(c0[j], b[j], w0.data(), n);
      vec::axpy(c1[j], b[j], w1.data(), n);
    }
    EXPECT_EQ(w0, z0) << "n " << n;
    EXPECT_EQ(w1, z1) << "n " << n;
  }
}

// Four f16 K/V rows read by the kernels directly, stored plainly or interleaved by four (chunks
// of eight, op_args.h KvLayerView): the same bits as converting them first.
TEST(OpsCpuVec, HalfRowKernelsEqualConvertingFirst) {
  for (std::int64_t n : {8, 256, 512, 13}) {
    for (const std::int64_t stride : {8, 32}) {
      if (stride == 32 && n % 8 != 0) continue;
      auto a0 = random_floats(n, 51), a1 = random_floats(n, 52);
      std::vector<std::uint16_t> stored(static_cast<std::size_t>(4 * n));
      std::vector<std::vector<float>> rows(4, std::vector<float>(n));
      const std::uint16_t* half[4];
      for (int j = 0; j < 4; ++j) {
        const auto values = random_floats(n, 53 + j);
        const std::int64_t start = stride == 8 ? j * n : j * 8;
        half[j] = stored.data() + start;
        for (std::int64_t i = 0; i < n; ++i) {
          const std::uint16_t h = quant::f32_to_f16(values[i]);
          stored[start + i / 8 * stride + i % 8] = h;
          rows[j][i] = quant::f16_to_f32(h);
        }
        std::vector<float> converted(n);
        vec::f16_chunks_to_f32(half[j], stride, converted.data(), n);
        EXPECT_EQ(converted, rows[j]) << "n " << n << " stride " << stride << " row " << j;
        const float* one = vec::half_row_as_f32(half[j], n, stride);
        EXPECT_TRUE(std::equal(one, one + n, rows[j].begin())) << "n " << n << " row " << j;
        // Times a weight (K = V layers' k_norm): one rounding of the exact product.
        const auto weight = random_floats(n, 60);
        std::vector<float> product(n);
        vec::half_mul(half[j], stride, weight.data(), product.data(), n);
        for (std::int64_t i = 0; i < n; ++i)
          ASSERT_EQ(product[i], rows[j][i] * weight[i]) << "n " << n << " stride " << stride;
      }
      const float* f32[4] = {rows[0].data(), rows[1].data(), rows[2].data(), rows[3].data()};
      float want0[4], want1[4], got0[4], got1[4];
      vec::dot4x2(a0.data(), a1.data(), f32, n, want0, want1);
      vec::dot4x2(a0.data(), a1.data(), half, n, got0, got1, stride);
      EXPECT_EQ(std::memcmp(want0, got0, sizeof got0), 0) << "n " << n << " stride " << stride;
      EXPECT_EQ(std::memcmp(want1, got1, sizeof got1), 0) << "n " << n << " stride " << stride;
      for (int j = 0; j < 4; ++j) {
        float one0 = 0, one1 = 0;
        vec::dot1x2(a0.data(), a1.data(), half[j], n, &one0, &one1, stride);
        EXPECT_EQ(std::memcmp(&one0, &want0[j], sizeof one0), 0) << "n " << n << " row " << j;
        EXPECT_EQ(std::memcmp(&one1, &want1[j], sizeof one1), 0) << "n " << n << " row " << j;
      }
      const float c0[4] = {0.75f, -1.5f, 0.25f, 2.0f}, c1[4] = {-0.5f, 1.25f, 3.0f, -0.125f};
      auto y0 = random_floats(n, 54), y1 = random_floats(n, 55);
      auto z0 = y0, z1 = y1;
      vec::axpy4x2(c0, c1, f32, y0.data(), y1.data(), n);
      vec::axpy4x2(c0, c1, half, z0.data(), z1.data(), n, stride);
      EXPECT_EQ(y0, z0) << "n " << n << " stride " << stride;
      EXPECT_EQ(y1, z1) << "n " << n << " stride " << stride;
    }
  }
}

// Half rows of `n` elements for keys 0 … n_keys − 1 in one buffer: stride 8, one row after
// another; stride 32, four rows interleaved per run of four (op_args.h KvLayerView). `rows`
// gets each row converted (exactly) for the f32 references.
struct HalfRows {
  std::vector<std::uint16_t> stored;
  std::vector<std::vector<float>> rows;
  std::vector<const std::uint16_t*> half;
  std::vector<const float*> f32;
  HalfRows(std::int64_t n_keys, std::int64_t n, std::int64_t stride, std::uint32_t seed)
      : stored(static_cast<std::size_t>((n_keys + 3) / 4 * 4 * n)), rows(n_keys) {
    for (std::int64_t k = 0; k < n_keys; ++k) {
      const auto values = random_floats(n, seed + k);
      const std::int64_t start = stride == 8 ? k * n : k / 4 * 4 * n + k % 4 * 8;
      for (std::int64_t i = 0; i < n; ++i) {
        const std::uint16_t h = quant::f32_to_f16(values[i]);
        stored[start + i / 8 * stride + i % 8] = h;
        rows[k].push_back(quant::f16_to_f32(h));
      }
      half.push_back(stored.data() + start);
      f32.push_back(rows[k].data());
    }
  }
};

void check_dot4x4() {
  for (std::int64_t n : {0, 1, 7, 8, 9, 24, 40, 256, 512})
    for (const std::int64_t stride : {8, 32}) {
      if (stride == 32 && n % 8 != 0) continue;
      const HalfRows keys(4, n, stride, 70);
      std::vector<std::vector<float>> q;
      for (int h = 0; h < 4; ++h) q.push_back(random_floats(n, 80 + h));
      const float* a[4] = {q[0].data(), q[1].data(), q[2].data(), q[3].data()};
      float want[4][4], got_f32[4][4], got_half[4][4];
      vec::dot4x2(a[0], a[1], keys.f32.data(), n, want[0], want[1]);
      vec::dot4x2(a[2], a[3], keys.f32.data(), n, want[2], want[3]);
      float* out_f32[4] = {got_f32[0], got_f32[1], got_f32[2], got_f32[3]};
      float* out_half[4] = {got_half[0], got_half[1], got_half[2], got_half[3]};
      vec::dot4x4(a, keys.f32.data(), n, out_f32);
      vec::dot4x4(a, keys.half.data(), n, out_half, stride);
      EXPECT_EQ(std::memcmp(want, got_f32, sizeof want), 0) << "n " << n;
      EXPECT_EQ(std::memcmp(want, got_half, sizeof want), 0) << "n " << n << " stride " << stride;
    }
}

// Four outputs at once against two axpy4x2 calls, bit for bit, lengths with and without a tail;
// two of the outputs 4 KiB apart as two tokens' are in attention.
void check_axpy4x4() {
  for (std::int64_t n : {0, 1, 7, 8, 9, 24, 40, 256, 512}) {
    const HalfRows values(4, n, 8, 130);
    std::vector<std::vector<float>> w;
    for (int h = 0; h < 4; ++h) w.push_back(random_floats(4, 140 + h));
    std::vector<float> want(4096 + 4 * 512), got;
    const auto start = random_floats(static_cast<std::int64_t>(want.size()), 150);
    want = start;
    got = start;
    const std::size_t at[4] = {0, 512, 4096, 4096 + 1024};
    vec::axpy4x2(w[0].data(), w[1].data(), values.f32.data(), want.data() + at[0],
                 want.data() + at[1], n);
    vec::axpy4x2(w[2].data(), w[3].data(), values.f32.data(), want.data() + at[2],
                 want.data() + at[3], n);
    const float* a[4] = {w[0].data(), w[1].data(), w[2].data(), w[3].data()};
    float* y[4] = {got.data() + at[0], got.data() + at[1], got.data() + at[2], got.data() + at[3]};
    vec::axpy4x4(a, values.f32.data(), y, n);
    EXPECT_EQ(std::memcmp(want.data(), got.data(), want.size() * sizeof(float)), 0) << "n " << n;
  }
}

// Every head count 1 … 10 (the vector kernels take eight at a time), key counts across the
// kernels' chunk groupings, lengths with and without a tail: y[h] equals axpy over the same
// keys in order on the converted rows, bit for bit, and stays so when the keys are split
// between two calls.
void check_axpy_heads() {
  for (std::int64_t n_heads = 1; n_heads <= 10; ++n_heads)
    for (std::int64_t n_keys : {0, 1, 3, 4, 9, 33})
      for (std::int64_t n : {8, 13, 40, 56, 512})
        for (const std::int64_t stride : {8, 32}) {
          if (stride == 32 && n % 8 != 0) continue;
          const HalfRows values(n_keys, n, stride, 90);
          std::vector<std::vector<float>> p, want, got, split;
          for (std::int64_t h = 0; h < n_heads; ++h) {
            p.push_back(random_floats(n_keys, 100 + h));
            want.push_back(random_floats(n, 120 + h));
          }
          got = split = want;
          for (std::int64_t k = 0; k < n_keys; ++k)
            for (std::int64_t h = 0; h < n_heads; ++h)
              vec::axpy(p[h][k], values.f32[k], want[h].data(), n);
          std::vector<const float*> probs, later;
          std::vector<float*> y, y_split;
          for (std::int64_t h = 0; h < n_heads; ++h) {
            probs.push_back(p[h].data());
            later.push_back(p[h].data() + n_keys / 2);
            y.push_back(got[h].data());
            y_split.push_back(split[h].data());
          }
          vec::axpy_heads(probs.data(), n_heads, values.half.data(), n_keys, y.data(), n, stride);
          vec::axpy_heads(probs.data(), n_heads, values.half.data(), n_keys / 2, y_split.data(), n,
                          stride);
          vec::axpy_heads(later.data(), n_heads, values.half.data() + n_keys / 2,
                          n_keys - n_keys / 2, y_split.data(), n, stride);
          const std::string where = "heads " + std::to_string(n_heads) + " keys " +
                                    std::to_string(n_keys) + " n " + std::to_string(n) +
                                    " stride " + std::to_string(stride);
          EXPECT_EQ(got, want) << where;
          EXPECT_EQ(split, want) << where;
        }
}

// Runs check() at each SIMD level this CPU has from AVX2 up (dot4x4 and axpy_heads have AVX2
// and AVX-512VL forms), then restores the best.
template <class Check>
void at_each_vector_level(Check&& check) {
  for (const quant::SimdLevel level : {quant::SimdLevel::Avx2, quant::SimdLevel::Avx512}) {
    if (quant::set_simd_level(level) != level) continue;
    SCOPED_TRACE(std::string(quant::simd_level_name(level)));
    check();
  }
  quant::set_simd_level(quant::cpu_simd_level());
}

// Four queries at once against the two-query form (itself checked against dot4 and float64
// above), bit for bit, on f32 and half rows.
TEST(OpsCpuVec, Dot4x4EqualsDot4x2BitForBit) {
  at_each_vector_level(check_dot4x4);
}

TEST(OpsCpuVec, Axpy4x4EqualsAxpy4x2BitForBit) {
  at_each_vector_level(check_axpy4x4);
}

TEST(OpsCpuVec, AxpyHeadsEqualsAxpyInKeyOrderBitForBit) {
  at_each_vector_level(check_axpy_heads);
}

// The lookup GELU against a scalar loop written here: every input class (the clamps at ±10 and
// just inside them, halves' rounding ties, subnormals, zeros) and tails of every length.
TEST(OpsCpuVec, GegluTableMatchesTheScalarLookupBitForBit) {
  std::vector<float> table(65536);
  for (std::size_t h = 0; h < table.size(); ++h)
    table[h] = quant::f16_to_f32(static_cast<std::uint16_t>(h)) * 0.75f + static_cast<float>(h % 7);
  std::vector<float> g = {-10.0f, -10.001f, -9.999f, 10.0f, 9.999f, 10.5f, 0.0f, -0.0f,
                          1.00048828125f, 1.00146484375f /* ties between two halves */, 1e-6f, -3e-7f, 2.5f};
  const auto more = random_floats(290, 61);  // past two blocks of 128 and a tail
  for (float x : more) g.push_back(x * 6.0f);
  const auto u = random_floats(g.size(), 62);
  for (std::int64_t n = 0; n <= static_cast<std::int64_t>(g.size()); ++n) {
    std::vector<float> got(n, -1.0f), want(n);
    for (std::int64_t i = 0; i < n; ++i) {
      const float x = g[i];
      const float gelu = x <= -10.0f ? 0.0f : x >= 10.0f ? x : table[quant::f32_to_f16(x)];
      want[i] = gelu * u[i];
    }
    vec::geglu_table(table.data(), g.data(), u.data(), got.data(), n);
    if (n > 0) {  // (memcmp takes no null pointers, which empty vectors may hold)
      ASSERT_EQ(std::memcmp(got.data(), want.data(), n * sizeof(float)), 0) << "n " << n;
    }
  }
}

// The largest element, as std::max_element finds it, for every length across the four chains of
// eight and their tail, wherever it lies, all values negative (softmax's scores often are).
TEST(OpsCpuVec, MaxValueEqualsMaxElement) {
  for (std::int64_t n = 1; n <= 80; ++n) {
    auto x = random_floats(n, 170 + static_cast<std::uint32_t>(n));
    for (float& v : x) v = -std::fabs(v) - 1.0f;
    for (std::int64_t at : {std::int64_t{0}, n / 2, n - 1}) {
      auto y = x;
      y[at] = -0.5f;
      EXPECT_EQ(vec::max_value(y.data(), n), *std::max_element(y.begin(), y.end()))
          << "n " << n << " at " << at;
    }
    EXPECT_EQ(vec::max_value(x.data(), n), *std::max_element(x.begin(), x.end())) << "n " << n;
  }
}

// exp(s − shift) within 3 ulp of the double-precision exponential, over the range softmax
// sees (shift ≥ s), tails of every length, and a total equal to the sum of the outputs.
TEST(OpsCpuVec, ExpShiftedWithinThreeUlpAndSumsItsOutputs) {
  std::vector<float> s;
  for (float v = -90.0f; v <= 0.0f; v += 0.0173f) s.push_back(v);
  for (float v : {0.0f, -1e-30f, -1e-7f, -0.5f, -0.6931472f, -87.2f}) s.push_back(v);
  for (std::size_t len : {s.size(), std::size_t{1}, std::size_t{7}, std::size_t{9}}) {
    std::vector<float> got(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(len));
    const double total = vec::exp_shifted(got.data(), static_cast<std::int64_t>(len), 0.25f);
    double sum = 0;
    for (std::size_t j = 0; j < len; ++j) {
      const double want = std::exp(static_cast<double>(s[j] - 0.25f));  // of the f32 difference
      sum += got[j];
      if (s[j] - 0.25f < -87.3f) {
        EXPECT_EQ(got[j], 0.0f);
        continue;
      }
      const double ulp = std::nextafter(static_cast<float>(want), 1.0f) - static_cast<float>(want);
      ASSERT_LE(std::fabs(got[j] - want), 3 * ulp) << "s " << s[j];
    }
    EXPECT_NEAR(total, sum, 1e-12 * sum) << "length " << len;
  }
}

// The F16C conversions agree with quant/half.h: every one of the 65,536 halves to f32, and f32
// to half over normal, subnormal, overflowing and tie values (NaN stays NaN).
TEST(OpsCpuVec, HalfConversionsMatchTheScalarOnes) {
  std::vector<std::uint16_t> codes(65536);
  for (std::size_t i = 0; i < codes.size(); ++i) codes[i] = static_cast<std::uint16_t>(i);
  std::vector<float> wide(codes.size());
  vec::f16_to_f32(codes.data(), wide.data(), static_cast<std::int64_t>(codes.size()));
  for (std::size_t i = 0; i < codes.size(); ++i) {
    const float want = quant::f16_to_f32(codes[i]);
    if (std::isnan(want)) {
      ASSERT_TRUE(std::isnan(wide[i])) << i;
    } else {
      ASSERT_EQ(wide[i], want) << i;
    }
  }
  std::vector<float> xs;
  for (double e = -30; e <= 6; e += 0.003)
    xs.push_back(static_cast<float>(std::pow(10.0, e))), xs.push_back(-xs.back());
  for (std::uint16_t h = 0; h < 0x7c00; h += 7)  // halfway between neighbouring halves: ties
    xs.push_back(0.5f *
                 (quant::f16_to_f32(h) + quant::f16_to_f32(static_cast<std::uint16_t>(h + 1))));
  for (float x : {0.0f, -0.0f, 65504.0f, 65520.0f, 1e9f, std::numeric_limits<float>::infinity(),
                  std::nanf("")})
    xs.push_back(x);
  std::vector<std::uint16_t> narrow(xs.size());
  vec::f32_to_f16(xs.data(), narrow.data(), static_cast<std::int64_t>(xs.size()));
  for (std::size_t i = 0; i < xs.size(); ++i) {
    if (std::isnan(xs[i])) {
      ASSERT_TRUE(std::isnan(quant::f16_to_f32(narrow[i])));
    } else {
      ASSERT_EQ(narrow[i], quant::f32_to_f16(xs[i])) << xs[i];
    }
  }
}

}  // namespace
}  // namespace coderx::model
