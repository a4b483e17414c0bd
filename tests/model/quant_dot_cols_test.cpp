// dot_rows_cols (the matrix-matrix entry point with column kernels) for every weight type and
// SIMD level this CPU has: bit-identical, activation by activation, to dot_rows over the same
// rows (so batched prefill and token-by-token decode agree exactly), and within tolerance of a
// float64 dot of the reference-dequantised rows. Row and activation counts sweep 1…9, so every
// mix of complete four-groups and remainders is taken; buffers are misaligned.
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

struct Matrix {
  std::int64_t n = 0;
  std::size_t stride = 0;
  OffsetBuffer w{1, 1};
  std::vector<OffsetBuffer> acts;
  std::vector<std::vector<float>> act_values;  // dequantised activations
};

Matrix make_matrix(Type type, std::mt19937& rng, int n_rows, int n_act) {
  const std::int64_t be = info(type).block_elems;
  const std::int64_t unit = be == 1 ? 32 : be;
  std::uniform_int_distribution<int> blocks(1, be == 256 ? 12 : 24), off(1, 63);
  Matrix m;
  m.n = blocks(rng) * unit;
  m.stride = row_bytes(type, m.n);
  m.w = OffsetBuffer(m.stride * n_rows, off(rng));
  const auto rows = testing::random_quant_row(static_cast<std::uint32_t>(type), m.n / be * n_rows, rng);
  std::memcpy(m.w.data(), rows.data(), rows.size());
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> x(m.n);
  for (int a = 0; a < n_act; ++a) {
    for (float& v : x) v = normal(rng);
    m.acts.emplace_back(activation_bytes(type, m.n), off(rng));
    quantize_activation(type, x.data(), m.acts.back().data(), m.n);
    m.act_values.emplace_back(m.n);
    dequantize_row_ref(info(type).activation_type, m.acts.back().data(), m.act_values.back().data(), m.n);
  }
  return m;
}

// float64 Σ w·x and Σ |w·x| for row r against activation a.
std::pair<double, double> exact_dot(Type type, Matrix& m, int r, int a) {
  std::vector<float> wf(m.n);
  dequantize_row_ref(type, m.w.data() + r * m.stride, wf.data(), m.n);
  double sum = 0, mag = 0;
  for (std::int64_t i = 0; i < m.n; ++i) {
    const double p = static_cast<double>(wf[i]) * m.act_values[a][i];
    sum += p;
    mag += std::fabs(p);
  }
  return {sum, mag};
}

void check_type(Type type, std::mt19937& rng, int n_rows, int n_act) {
  Matrix m = make_matrix(type, rng, n_rows, n_act);
  std::vector<const void*> acts;
  for (OffsetBuffer& b : m.acts) acts.push_back(b.data());
  const std::int64_t stride = n_rows + 3;
  std::vector<float> cols(static_cast<std::size_t>(stride * n_act), -1.0f);
  dot_rows_cols(type, m.w.data(), m.stride, n_rows, acts.data(), n_act, m.n, cols.data(), stride);
  std::vector<float> single(n_rows);
  for (int a = 0; a < n_act; ++a) {
    dot_rows(type, m.w.data(), m.stride, n_rows, acts[a], m.n, single.data());
    for (int r = 0; r < n_rows; ++r) {
      ASSERT_EQ(cols[a * stride + r], single[r])
          << info(type).name << " rows " << n_rows << " acts " << n_act << " row " << r << " act " << a;
      const auto [want, mag] = exact_dot(type, m, r, a);
      // Q4_1 / Q5_1 carry the f16 rounding of the activation's sum term (see quant_dot_test).
      const double rel = type == Type::Q4_1 || type == Type::Q5_1 ? 2e-3 : 5e-5;
      ASSERT_NEAR(cols[a * stride + r], want, rel * mag + 1e-30) << info(type).name;
    }
    for (int r = n_rows; r < stride; ++r) ASSERT_EQ(cols[a * stride + r], -1.0f) << "wrote past n_rows";
  }
}

void check_level(SimdLevel level) {
  ASSERT_EQ(set_simd_level(level), level);
  std::mt19937 rng(300 + static_cast<int>(level));
  for (const TypeInfo& t : all_types()) {
    if (!t.weight_type) continue;
    for (int n_rows : {1, 3, 4, 5, 8, 9, 17})
      for (int n_act : {1, 4, 5, 8, 9}) check_type(t.type, rng, n_rows, n_act);
  }
  set_simd_level(cpu_simd_level());
}

TEST(QuantDotCols, Scalar) {
  check_level(SimdLevel::Scalar);
}

TEST(QuantDotCols, Avx2) {
  if (cpu_simd_level() < SimdLevel::Avx2) GTEST_SKIP() << "this CPU has no AVX2+FMA";
  check_level(SimdLevel::Avx2);
}

TEST(QuantDotCols, Avx512) {
  if (cpu_simd_level() < SimdLevel::Avx512)
    GTEST_SKIP() << "this CPU has no AVX-512 F/BW/VL: the AVX-512 kernels are not exercised here";
  check_level(SimdLevel::Avx512);
}

}  // namespace
}  // namespace coderx::model::quant
