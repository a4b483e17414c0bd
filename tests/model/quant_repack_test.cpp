// The repacked row layouts (model/quant/repack.h: Q4_K_R8, Q5_0_R8, Q8_0_R8): every byte (and
// Q5_0 high bit) where repack.h's comment puts it, the round trip, and dot_rows / dot_rows_cols
// on repacked rows against the same calls on the plain rows, bit for bit, at every SIMD level
// this CPU has (random sizes with and without a tail of blocks past a multiple of eight,
// misaligned buffers, one to sixteen activations).
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

constexpr Type kPlain[] = {Type::Q4_K, Type::Q5_0, Type::Q8_0};

struct Matrix {
  Type type;
  std::int64_t n = 0, rows = 0;
  std::size_t stride = 0;
  OffsetBuffer plain, packed;
};

Matrix random_matrix(Type type, std::mt19937& rng, std::int64_t rows) {
  const std::int64_t be = info(type).block_elems;
  std::uniform_int_distribution<int> blocks(1, be == 256 ? 14 : 100), off(1, 63);
  const std::int64_t n = be * blocks(rng);
  const std::size_t stride = row_bytes(type, n);
  Matrix m{type,
           n,
           rows,
           stride,
           OffsetBuffer(stride * rows, off(rng)),
           OffsetBuffer(stride * rows, off(rng))};
  const auto bytes =
      testing::random_quant_row(static_cast<std::uint32_t>(type), n / be * rows, rng);
  std::memcpy(m.plain.data(), bytes.data(), bytes.size());
  repack_rows(type, m.plain.data(), rows, n, m.packed.data());
  return m;
}

std::vector<std::uint8_t> activation(Type type, std::mt19937& rng, std::int64_t n) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> x(static_cast<std::size_t>(n));
  for (float& v : x) v = normal(rng);
  std::vector<std::uint8_t> a(activation_bytes(type, n));
  quantize_activation(type, x.data(), a.data(), n);
  return a;
}

std::uint32_t u32_at(const std::uint8_t* p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

TEST(QuantRepack, TypesAreInternalWithThePlainRowSizes) {
  for (const Type t : kPlain) {
    const Type r = repacked_type(t);
    EXPECT_EQ(plain_type(r), t);
    EXPECT_EQ(row_bytes(r, 2816), row_bytes(t, 2816));
    EXPECT_EQ(info(r).activation_type, info(t).activation_type);
    EXPECT_FALSE(type_info(static_cast<std::uint32_t>(r)).has_value());
    for (const TypeInfo& i : all_types()) EXPECT_NE(i.type, r);
    EXPECT_TRUE(can_repack(t, 16));
    EXPECT_FALSE(can_repack(t, 12));
    EXPECT_FALSE(can_repack(t, 0));
  }
  EXPECT_EQ(repacked_type_from_name("q5_0_r8"), Type::Q5_0_R8);
  EXPECT_EQ(repacked_type_from_name("Q4_K_R8"), Type::Q4_K_R8);
  EXPECT_FALSE(repacked_type_from_name("Q4_K").has_value());
  EXPECT_FALSE(repacked_type_from_name("Q5_K_R8").has_value());
  EXPECT_FALSE(can_repack(Type::Q5_K, 16));
  EXPECT_FALSE(plain_type(Type::Q4_K).has_value());
}

// Every byte of every row found where repack.h's layout comment puts it.
TEST(QuantRepack, LayoutsAreTheDocumentedOnes) {
  std::mt19937 rng(7);
  for (const Type t : kPlain) {
    Matrix m = random_matrix(t, rng, 16);
    const std::int64_t be = info(t).block_elems, rb = info(t).block_bytes, gb = 8 * rb;
    for (std::int64_t row = 0; row < m.rows; ++row) {
      const std::int64_t g = row / 8, r = row % 8;
      for (std::int64_t b = 0; b < m.n / be; ++b) {
        const std::uint8_t* plain = m.plain.data() + row * m.stride + b * rb;
        const std::uint8_t* block = m.packed.data() + g * 8 * m.stride + b * gb;
        ASSERT_EQ(std::memcmp(block + 2 * r, plain, 2), 0) << info(t).name << " d of row " << row;
        if (t == Type::Q4_K) {
          ASSERT_EQ(std::memcmp(block + 16 + 2 * r, plain + 2, 2), 0) << "dmin of row " << row;
          for (int k = 0; k < 12; ++k)
            ASSERT_EQ(block[32 + 8 * k + r], plain[4 + k]) << "scale byte " << k;
          for (int q = 0; q < 128; ++q)
            ASSERT_EQ(block[128 + 256 * (q / 32) + 32 * (q % 32 / 4) + 4 * r + q % 4],
                      plain[16 + q])
                << "qs byte " << q << " of row " << row;
        } else if (t == Type::Q5_0) {
          for (int v = 0; v < 32; ++v)
            ASSERT_EQ((u32_at(block + 16 + 4 * (v / 4)) >> (4 * r + v % 4)) & 1,
                      (u32_at(plain + 2) >> v) & 1)
                << "high bit of value " << v << " of row " << row;
          for (int q = 0; q < 16; ++q)
            ASSERT_EQ(block[48 + 32 * (q / 4) + 4 * r + q % 4], plain[6 + q]) << "qs byte " << q;
        } else {
          for (int v = 0; v < 32; ++v)
            ASSERT_EQ(block[16 + 32 * (v / 4) + 4 * r + v % 4], plain[2 + v]) << "value " << v;
        }
      }
    }
  }
}

TEST(QuantRepack, UnpackRestoresTheRows) {
  std::mt19937 rng(8);
  for (const Type t : kPlain) {
    Matrix m = random_matrix(t, rng, 24);
    std::vector<std::uint8_t> back(m.stride * 24);
    for (int g = 0; g < 3; ++g)
      unpack_group(repacked_type(t), m.packed.data() + g * 8 * m.stride, m.n,
                   back.data() + g * 8 * m.stride, m.stride);
    EXPECT_EQ(std::memcmp(back.data(), m.plain.data(), back.size()), 0) << info(t).name;
  }
}

// dot_rows and dot_rows_cols on the repacked rows give the plain rows' bits; one to sixteen
// activations (decode's dot8 and dot8_cols, then the unpacked rows' tiles).
void check_level(SimdLevel level) {
  ASSERT_EQ(set_simd_level(level), level);
  std::mt19937 rng(20 + static_cast<int>(level));
  for (const Type t : kPlain)
    for (int rep = 0; rep < 10; ++rep) {
      const std::int64_t rows = 8 * (1 + rep % 4),
                         n_act = std::vector<int>{1, 2, 3, 4, 5, 7, 8, 9, 16, 1}[rep];
      Matrix m = random_matrix(t, rng, rows);
      std::vector<std::vector<std::uint8_t>> acts;
      std::vector<const void*> ptrs;
      for (std::int64_t c = 0; c < n_act; ++c) acts.push_back(activation(t, rng, m.n));
      for (const auto& a : acts) ptrs.push_back(a.data());
      std::vector<float> plain(rows * n_act), packed(rows * n_act, -1.0f), one(rows, -1.0f);
      dot_rows_cols(t, m.plain.data(), m.stride, rows, ptrs.data(), n_act, m.n, plain.data(), rows);
      dot_rows_cols(repacked_type(t), m.packed.data(), m.stride, rows, ptrs.data(), n_act, m.n,
                    packed.data(), rows);
      ASSERT_EQ(std::memcmp(plain.data(), packed.data(), plain.size() * sizeof(float)), 0)
          << info(t).name << " n=" << m.n << " rows=" << rows << " acts=" << n_act << " "
          << simd_level();
      dot_rows(repacked_type(t), m.packed.data(), m.stride, rows, ptrs[0], m.n, one.data());
      ASSERT_EQ(std::memcmp(one.data(), plain.data(), rows * sizeof(float)), 0) << info(t).name;
      for (std::int64_t r = 0; r < rows; ++r)  // and the plain path is the tested one
        ASSERT_EQ(plain[r], dot_row(t, m.plain.data() + r * m.stride, ptrs[0], m.n))
            << info(t).name;
    }
  set_simd_level(cpu_simd_level());
}

TEST(QuantRepack, DotsEqualThePlainRowsScalar) {
  check_level(SimdLevel::Scalar);
}

TEST(QuantRepack, DotsEqualThePlainRowsAvx2) {
  if (cpu_simd_level() < SimdLevel::Avx2) GTEST_SKIP() << "this CPU has no AVX2+FMA";
  check_level(SimdLevel::Avx2);
}

TEST(QuantRepack, DotsEqualThePlainRowsAvx512) {
  if (cpu_simd_level() < SimdLevel::Avx512)
    GTEST_SKIP() << "this CPU has no AVX-512 F/BW/VL: the AVX-512 kernels are not exercised here";
  check_level(SimdLevel::Avx512);
}

}  // namespace
}  // namespace coderx::model::quant
