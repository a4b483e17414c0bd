// dequantize_row (the SIMD decoders) equals dequantize_row_ref bit for bit, for every type and
// every SIMD level this CPU has, over random rows of 1…40 blocks at misaligned addresses.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "model/quant/rows.h"
#include "tests/support/quant_blocks.h"

namespace coderx::model::quant {
namespace {

void check_level(SimdLevel level) {
  ASSERT_EQ(set_simd_level(level), level);
  std::mt19937 rng(200 + static_cast<int>(level));
  std::uniform_int_distribution<int> blocks(1, 40), off(1, 63);
  for (const TypeInfo& t : all_types()) {
    for (int rep = 0; rep < 8; ++rep) {
      const std::int64_t nb = t.block_elems == 1 ? blocks(rng) * 37 : blocks(rng);
      const std::int64_t n = nb * t.block_elems;
      const auto row = testing::random_quant_row(static_cast<std::uint32_t>(t.type), nb, rng);
      testing::OffsetBuffer src(row.size(), off(rng));
      std::memcpy(src.data(), row.data(), row.size());
      testing::OffsetBuffer out_buf(4 * n, 4 * (off(rng) % 8));  // f32 aligned, not 32-byte aligned
      auto* fast = reinterpret_cast<float*>(out_buf.data());
      std::vector<float> ref(n);
      dequantize_row_ref(t.type, src.data(), ref.data(), n);
      dequantize_row(t.type, src.data(), fast, n);
      ASSERT_EQ(std::memcmp(ref.data(), fast, 4 * n), 0)
          << t.name << " n=" << n << " " << simd_level();
    }
  }
  set_simd_level(cpu_simd_level());
}

TEST(QuantDequantFast, Scalar) {
  check_level(SimdLevel::Scalar);
}

TEST(QuantDequantFast, Avx2) {
  if (cpu_simd_level() < SimdLevel::Avx2) GTEST_SKIP() << "this CPU has no AVX2+FMA";
  check_level(SimdLevel::Avx2);
}

TEST(QuantDequantFast, Avx512) {
  if (cpu_simd_level() < SimdLevel::Avx512)
    GTEST_SKIP() << "this CPU has no AVX-512 F/BW/VL: the AVX-512 decoders are not exercised here";
  check_level(SimdLevel::Avx512);
}

}  // namespace
}  // namespace coderx::model::quant
