// Q4_K_R8 (model/quant/repack.h): the repacked layout byte by byte as repack.h describes it, the
// round trip, and dot_rows / dot_rows_cols on repacked rows against the same calls on the plain
// Q4_K rows, bit for bit, at every SIMD level this CPU has (random sizes, misaligned buffers).
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "model/quant/repack.h"
#include "model/quant/rows.h"
#include "tests/support/quant_blocks.h"

namespace coderx::model::quant {
namespace {

using testing::OffsetBuffer;

struct Matrix {
  std::int64_t n = 0, rows = 0;
  std::size_t stride = 0;
  OffsetBuffer plain, packed;
};

Matrix random_matrix(std::mt19937& rng, std::int64_t rows) {
  std::uniform_int_distribution<int> blocks(1, 14), off(1, 63);
  const std::int64_t n = 256 * blocks(rng);
  const std::size_t stride = row_bytes(Type::Q4_K, n);
  Matrix m{n, rows, stride, OffsetBuffer(stride * rows, off(rng)),
           OffsetBuffer(stride * rows, off(rng))};
  const auto bytes =
      testing::random_quant_row(static_cast<std::uint32_t>(Type::Q4_K), n / 256 * rows, rng);
  std::memcpy(m.plain.data(), bytes.data(), bytes.size());
  repack_rows(Type::Q4_K, m.plain.data(), rows, n, m.packed.data());
  return m;
}

std::vector<std::uint8_t> activation(std::mt19937& rng, std::int64_t n) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> x(static_cast<std::size_t>(n));
  for (float& v : x) v = normal(rng);
  std::vector<std::uint8_t> a(activation_bytes(Type::Q4_K, n));
  quantize_activation(Type::Q4_K, x.data(), a.data(), n);
  return a;
}

TEST(QuantRepack, TypeIsInternalWithQ4KRowSizes) {
  EXPECT_EQ(row_bytes(Type::Q4_K_R8, 2816), row_bytes(Type::Q4_K, 2816));
  EXPECT_EQ(info(Type::Q4_K_R8).activation_type, Type::Q8_K);
  EXPECT_FALSE(type_info(static_cast<std::uint32_t>(Type::Q4_K_R8)).has_value());
  for (const TypeInfo& t : all_types()) EXPECT_NE(t.type, Type::Q4_K_R8);
  EXPECT_TRUE(can_repack(Type::Q4_K, 16));
  EXPECT_FALSE(can_repack(Type::Q4_K, 12));
  EXPECT_FALSE(can_repack(Type::Q5_K, 16));
  EXPECT_FALSE(can_repack(Type::Q4_K, 0));
}

// Every byte of every row found where repack.h's layout comment puts it.
TEST(QuantRepack, LayoutIsTheDocumentedOne) {
  std::mt19937 rng(7);
  Matrix m = random_matrix(rng, 16);
  for (std::int64_t row = 0; row < m.rows; ++row) {
    const std::int64_t g = row / 8, r = row % 8;
    for (std::int64_t b = 0; b < m.n / 256; ++b) {
      const std::uint8_t* plain = m.plain.data() + row * m.stride + b * 144;
      const std::uint8_t* block = m.packed.data() + g * 8 * m.stride + b * 1152;
      ASSERT_EQ(std::memcmp(block + 2 * r, plain, 2), 0) << "d of row " << row;
      ASSERT_EQ(std::memcmp(block + 16 + 2 * r, plain + 2, 2), 0) << "dmin of row " << row;
      for (int k = 0; k < 12; ++k)
        ASSERT_EQ(block[32 + 8 * k + r], plain[4 + k]) << "scale byte " << k;
      for (int q = 0; q < 128; ++q)
        ASSERT_EQ(block[128 + 256 * (q / 32) + 32 * (q % 32 / 4) + 4 * r + q % 4], plain[16 + q])
            << "qs byte " << q << " of row " << row;
    }
  }
}

TEST(QuantRepack, UnpackRestoresTheRows) {
  std::mt19937 rng(8);
  Matrix m = random_matrix(rng, 24);
  std::vector<std::uint8_t> back(m.stride * 24);
  for (int g = 0; g < 3; ++g)
    unpack_q4_k_r8(m.packed.data() + g * 8 * m.stride, m.n, back.data() + g * 8 * m.stride,
                   m.stride);
  EXPECT_EQ(std::memcmp(back.data(), m.plain.data(), back.size()), 0);
}

void check_level(SimdLevel level) {
  ASSERT_EQ(set_simd_level(level), level);
  std::mt19937 rng(20 + static_cast<int>(level));
  for (int rep = 0; rep < 8; ++rep) {
    const std::int64_t rows = 8 * (1 + rep % 4);
    Matrix m = random_matrix(rng, rows);
    const auto a = activation(rng, m.n);
    std::vector<float> plain(rows), packed(rows, -1.0f);
    dot_rows(Type::Q4_K, m.plain.data(), m.stride, rows, a.data(), m.n, plain.data());
    dot_rows(Type::Q4_K_R8, m.packed.data(), m.stride, rows, a.data(), m.n, packed.data());
    ASSERT_EQ(std::memcmp(plain.data(), packed.data(), rows * sizeof(float)), 0)
        << "n=" << m.n << " rows=" << rows << " " << simd_level();
    for (std::int64_t r = 0; r < rows; ++r)  // and the plain path is the tested one
      ASSERT_EQ(plain[r], dot_row(Type::Q4_K, m.plain.data() + r * m.stride, a.data(), m.n));
  }
  set_simd_level(cpu_simd_level());
}

TEST(QuantRepack, DotRowsEqualsPlainRowsScalar) {
  check_level(SimdLevel::Scalar);
}

TEST(QuantRepack, DotRowsEqualsPlainRowsAvx2) {
  if (cpu_simd_level() < SimdLevel::Avx2) GTEST_SKIP() << "this CPU has no AVX2+FMA";
  check_level(SimdLevel::Avx2);
}

TEST(QuantRepack, DotRowsEqualsPlainRowsAvx512) {
  if (cpu_simd_level() < SimdLevel::Avx512)
    GTEST_SKIP() << "this CPU has no AVX-512 F/BW/VL: the AVX-512 kernels are not exercised here";
  check_level(SimdLevel::Avx512);
}

// Several activations (decode streams, prefill tiles from eight on): the plain rows' column
// kernels on the unpacked rows, so again the same bits as the plain matrix.
TEST(QuantRepack, DotRowsColsEqualsPlainRows) {
  std::mt19937 rng(9);
  for (const std::int64_t n_act : {2, 4, 5, 9, 16}) {
    Matrix m = random_matrix(rng, 64);
    std::vector<std::vector<std::uint8_t>> acts;
    std::vector<const void*> ptrs;
    for (std::int64_t c = 0; c < n_act; ++c) acts.push_back(activation(rng, m.n));
    for (const auto& a : acts) ptrs.push_back(a.data());
    std::vector<float> plain(64 * n_act), packed(64 * n_act, -1.0f), one(64);
    dot_rows_cols(Type::Q4_K, m.plain.data(), m.stride, 64, ptrs.data(), n_act, m.n, plain.data(),
                  64);
    dot_rows_cols(Type::Q4_K_R8, m.packed.data(), m.stride, 64, ptrs.data(), n_act, m.n,
                  packed.data(), 64);
    ASSERT_EQ(std::memcmp(plain.data(), packed.data(), plain.size() * sizeof(float)), 0) << n_act;
    for (std::int64_t c = 0; c < n_act; ++c) {  // = decode's dot8 on the same activation
      dot_rows(Type::Q4_K_R8, m.packed.data(), m.stride, 64, ptrs[c], m.n, one.data());
      ASSERT_EQ(std::memcmp(one.data(), packed.data() + c * 64, 64 * sizeof(float)), 0) << n_act;
    }
  }
}

}  // namespace
}  // namespace coderx::model::quant
