// dot_row / dot_rows / dot_row_ref for every type and every SIMD level this CPU has, against a
// float64 dot of the reference-dequantised weight and activation rows; random sizes (1…40
// blocks of 256 or 32 elements) and weight/activation buffers misaligned by 1…63 bytes.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "model/quant/rows.h"
#include "tests/support/quant_blocks.h"

namespace coderx::model::quant {
namespace {

using testing::OffsetBuffer;

struct Case {
  std::int64_t n;
  OffsetBuffer w;              // n_rows rows of weight_type
  OffsetBuffer a;              // one activation row
  std::size_t stride;          // bytes per weight row
  std::vector<double> expect;  // float64 dot per row
  std::vector<double> tol;     // allowed |error| per row
};

double f16_at(const std::uint8_t* p) {
  std::uint16_t h;
  std::memcpy(&h, p, 2);
  return testing::f16_bits_value(h);
}

// Extra tolerance for Q4_1/Q5_1: the kernel multiplies the weight's min by the activation's
// f16 sum term s = f16(d·Σq), which carries up to 2^-11 relative rounding.
double min_term_slack(Type type, const std::uint8_t* w, const std::uint8_t* a, std::int64_t n) {
  if (type != Type::Q4_1 && type != Type::Q5_1) return 0;
  const std::int64_t wb = info(type).block_bytes;
  double slack = 0;
  for (std::int64_t b = 0; b < n / 32; ++b)
    slack += std::fabs(f16_at(w + b * wb + 2) * f16_at(a + b * 36 + 2));
  return slack * std::ldexp(1.0, -10);
}

Case make_case(Type type, std::mt19937& rng, int n_rows) {
  const std::int64_t be = info(type).block_elems;
  const std::int64_t unit = be == 1 ? 32 : be;  // float types: whole 32-element groups plus tail
  std::uniform_int_distribution<int> blocks(1, be == 256 ? 40 : 80), off(1, 63);
  std::int64_t n = blocks(rng) * unit;
  if (be == 1) n += blocks(rng) % 32;  // float rows need not be a multiple of anything
  const std::size_t stride = row_bytes(type, n);
  Case c{n,
         OffsetBuffer(stride * n_rows, off(rng)),
         OffsetBuffer(activation_bytes(type, n), off(rng)),
         stride,
         {},
         {}};
  const auto rows =
      testing::random_quant_row(static_cast<std::uint32_t>(type), n / be * n_rows, rng);
  std::memcpy(c.w.data(), rows.data(), rows.size());
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> x(n);
  for (float& v : x) v = normal(rng);
  quantize_activation(type, x.data(), c.a.data(), n);
  std::vector<float> wf(n), af(n);
  dequantize_row_ref(info(type).activation_type, c.a.data(), af.data(), n);
  for (int r = 0; r < n_rows; ++r) {
    dequantize_row_ref(type, c.w.data() + r * stride, wf.data(), n);
    double sum = 0, mag = 0;
    for (std::int64_t i = 0; i < n; ++i) {
      sum += static_cast<double>(wf[i]) * af[i];
      mag += std::fabs(static_cast<double>(wf[i]) * af[i]);
    }
    c.expect.push_back(sum);
    c.tol.push_back(5e-5 * mag + min_term_slack(type, c.w.data() + r * stride, c.a.data(), n) +
                    1e-30);
  }
  return c;
}

void check_level(SimdLevel level) {
  ASSERT_EQ(set_simd_level(level), level);
  std::mt19937 rng(100 + static_cast<int>(level));
  for (const TypeInfo& t : all_types()) {
    for (int rep = 0; rep < 6; ++rep) {
      Case c = make_case(t.type, rng, 5);
      std::vector<float> many(5);
      dot_rows(t.type, c.w.data(), c.stride, 5, c.a.data(), c.n, many.data());
      for (int r = 0; r < 5; ++r) {
        const std::uint8_t* w = c.w.data() + r * c.stride;
        const float ref = dot_row_ref(t.type, w, c.a.data(), c.n);
        const float fast = dot_row(t.type, w, c.a.data(), c.n);
        ASSERT_NEAR(ref, c.expect[r], c.tol[r]) << t.name << " n=" << c.n << " (reference)";
        ASSERT_NEAR(fast, c.expect[r], c.tol[r]) << t.name << " n=" << c.n << " " << simd_level();
        ASSERT_NEAR(many[r], c.expect[r], c.tol[r])
            << t.name << " n=" << c.n << " dot_rows row " << r;
      }
    }
  }
  set_simd_level(cpu_simd_level());
}

TEST(QuantDot, Scalar) {
  check_level(SimdLevel::Scalar);
}

TEST(QuantDot, Avx2) {
  if (cpu_simd_level() < SimdLevel::Avx2) GTEST_SKIP() << "this CPU has no AVX2+FMA";
  check_level(SimdLevel::Avx2);
}

TEST(QuantDot, Avx512) {
  if (cpu_simd_level() < SimdLevel::Avx512)
    GTEST_SKIP() << "this CPU has no AVX-512 F/BW/VL: the AVX-512 kernels are not exercised here";
  check_level(SimdLevel::Avx512);
}

TEST(QuantDot, SimdLevelIsClampedToCpu) {
  const SimdLevel cpu = cpu_simd_level();
  EXPECT_EQ(set_simd_level(SimdLevel::Avx512), cpu);
  EXPECT_EQ(simd_level(), simd_level_name(cpu));
  EXPECT_EQ(set_simd_level(SimdLevel::Scalar), SimdLevel::Scalar);
  EXPECT_EQ(simd_level(), "scalar");
  set_simd_level(cpu);
}

TEST(QuantDot, ZeroActivationGivesZero) {
  std::mt19937 rng(5);
  for (const TypeInfo& t : all_types()) {
    const std::int64_t n = 512;
    const auto w =
        testing::random_quant_row(static_cast<std::uint32_t>(t.type), n / t.block_elems, rng);
    const std::vector<float> x(n, 0.0f);
    std::vector<std::uint8_t> a(activation_bytes(t.type, n));
    quantize_activation(t.type, x.data(), a.data(), n);
    EXPECT_EQ(dot_row(t.type, w.data(), a.data(), n), 0.0f) << t.name;
  }
}

}  // namespace
}  // namespace coderx::model::quant
