// GPU: dequantize, embed and quant_gemv against the reference dequantiser
// (model::quant::dequantize_row_ref) and a float64 dot product, for every weight type the
// kernels read, several shapes and every supported token count.
#include <gtest/gtest.h>

#if defined(CODERX_HAVE_CUDA)

#include <algorithm>
#include <cmath>
#include <deque>
#include <random>

#include "gpu_test_util.h"
#include "kernels/dequant.h"
#include "kernels/embed.h"
#include "kernels/quant_gemv.h"
#include "model/quant/half.h"
#include "weight_gen.h"

namespace coderx::kernels {
namespace {

using testing::DeviceArray;

std::vector<WeightType> all_types() {
  int count = 0;
  const WeightTypeInfo* t = weight_types(&count);
  std::vector<WeightType> out;
  for (int i = 0; i < count; ++i) out.push_back(t[i].type);
  return out;
}

bool close(float got, float want, float rel) {
  return std::fabs(got - want) <= rel * std::fabs(want) + 1e-7f;  // floor: FMA residue of an exact 0
}

const char* name(WeightType t) { return weight_type_info(static_cast<std::uint32_t>(t))->name.data(); }

TEST(DequantGpu, EveryTypeEqualsReferenceExactly) {
  CODERX_REQUIRE_GPU();
  std::mt19937 rng(1);
  for (WeightType t : all_types()) {
    for (std::int64_t n : {256, 2816}) {
      if (!row_supported(t, n)) continue;
      SCOPED_TRACE(::testing::Message() << name(t) << " n=" << n);
      const std::int64_t rows = 37;
      const auto bytes = testing::random_weight_rows(t, rows, n, rng);
      const auto want = testing::reference_rows(t, bytes, rows, n);
      DeviceArray<std::uint8_t> w(bytes);
      DeviceArray<float> out(rows * n);
      CODERX_EXPECT_OK(dequantize({w.get(), t, 0, out.get(), false, rows, n}, nullptr));
      const auto got = out.download();
      // The device may contract d·sc·q − dmin·m into an FMA: allow one rounding.
      for (std::size_t i = 0; i < want.size(); ++i) ASSERT_TRUE(close(got[i], want[i], 1e-6f)) << i << ": " << got[i] << " vs " << want[i];
      // bf16 output: the reference value to bf16 precision.
      DeviceArray<std::uint16_t> out16(rows * n);
      CODERX_EXPECT_OK(dequantize({w.get(), t, 0, out16.get(), true, rows, n}, nullptr));
      const auto got16 = out16.download();
      for (std::size_t i = 0; i < want.size(); ++i)
        ASSERT_TRUE(close(model::quant::bf16_to_f32(got16[i]), want[i], 1.0f / 128)) << i;
    }
  }
}

TEST(EmbedGpu, GatherScaledRowsAndFlagOutOfRangeIds) {
  CODERX_REQUIRE_GPU();
  std::mt19937 rng(2);
  const std::int64_t n_vocab = 300, n_embd = 512;
  const float scale = std::sqrt(static_cast<float>(n_embd));
  for (WeightType t : {WeightType::Q4_K, WeightType::Q8_0, WeightType::BF16, WeightType::Q6_K, WeightType::F32}) {
    SCOPED_TRACE(name(t));
    const auto bytes = testing::random_weight_rows(t, n_vocab, n_embd, rng);
    const auto table = testing::reference_rows(t, bytes, n_vocab, n_embd);
    const std::vector<std::int32_t> tokens = {0, 299, 17, 17, 300, -1};
    DeviceArray<std::uint8_t> w(bytes);
    DeviceArray<std::int32_t> tok(tokens);
    DeviceArray<float> y(tokens.size() * n_embd);
    CODERX_EXPECT_OK(embed({w.get(), t, tok.get(), y.get(), static_cast<std::int64_t>(tokens.size()), n_embd, n_vocab, scale},
                           nullptr));
    const auto got = y.download();
    for (std::size_t r = 0; r < tokens.size(); ++r) {
      for (std::int64_t i = 0; i < n_embd; ++i) {
        const float g = got[r * n_embd + i];
        if (tokens[r] < 0 || tokens[r] >= n_vocab) {
          ASSERT_TRUE(std::isnan(g));
        } else {
          ASSERT_TRUE(close(g, table[tokens[r] * n_embd + i] * scale, 1e-6f)) << r << "," << i;
        }
      }
    }
  }
}

// Float64 reference of y[t][r] = Σ W[r][i] x[t][i].
std::vector<double> gemv_ref(const std::vector<float>& w, const std::vector<float>& x, std::int64_t rows,
                             std::int64_t cols, int n_tokens) {
  std::vector<double> y(n_tokens * rows);
  for (int t = 0; t < n_tokens; ++t)
    for (std::int64_t r = 0; r < rows; ++r) {
      double s = 0.0;
      for (std::int64_t i = 0; i < cols; ++i) s += double(w[r * cols + i]) * x[t * cols + i];
      y[t * rows + r] = s;
    }
  return y;
}

TEST(QuantGemvGpu, EveryTypeShapeAndTokenCount) {
  CODERX_REQUIRE_GPU();
  std::mt19937 rng(3);
  struct Shape { std::int64_t rows, cols; };
  for (WeightType t : all_types()) {
    for (Shape s : {Shape{1, 256}, Shape{67, 512}, Shape{300, 2816}, Shape{129, 704}}) {
      if (!row_supported(t, s.cols)) continue;
      const auto bytes = testing::random_weight_rows(t, s.rows, s.cols, rng);
      const auto wref = testing::reference_rows(t, bytes, s.rows, s.cols);
      DeviceArray<std::uint8_t> w(bytes);
      for (int n_tokens : {1, 2, 5, 8}) {
        SCOPED_TRACE(::testing::Message() << name(t) << " " << s.rows << "x" << s.cols << " tokens " << n_tokens);
        const auto x = testing::random_floats(n_tokens * s.cols, rng);
        DeviceArray<float> xd(x);
        DeviceArray<float> y(n_tokens * s.rows);
        GemvParams p;
        p.w = w.get();
        p.type = t;
        p.x = xd.get();
        p.y = y.get();
        p.n_rows = s.rows;
        p.n_cols = s.cols;
        p.n_tokens = n_tokens;
        CODERX_EXPECT_OK(quant_gemv(p, nullptr));
        const double e = testing::nmse(y.download(), gemv_ref(wref, x, s.rows, s.cols, n_tokens));
        EXPECT_LT(e, 1e-10);
      }
    }
  }
}

TEST(QuantGemvGpu, EpilogueScaleSoftcapAccumulate) {
  CODERX_REQUIRE_GPU();
  std::mt19937 rng(4);
  const std::int64_t rows = 200, cols = 512;
  const WeightType t = WeightType::Q8_0;
  const auto bytes = testing::random_weight_rows(t, rows, cols, rng, 0.5f);
  const auto wref = testing::reference_rows(t, bytes, rows, cols);
  const auto x = testing::random_floats(cols, rng);
  const auto base = gemv_ref(wref, x, rows, cols, 1);
  DeviceArray<std::uint8_t> w(bytes);
  DeviceArray<float> xd(x);
  DeviceArray<float> scale(std::vector<float>{0.25f});
  const auto y0 = testing::random_floats(rows, rng);
  DeviceArray<float> y(y0);
  GemvParams p;
  p.w = w.get();
  p.type = t;
  p.x = xd.get();
  p.y = y.get();
  p.n_rows = rows;
  p.n_cols = cols;
  p.out_scale = scale.get();
  p.softcap = 30.0f;
  p.accumulate = true;
  CODERX_EXPECT_OK(quant_gemv(p, nullptr));
  std::vector<double> want(rows);
  for (std::int64_t r = 0; r < rows; ++r) want[r] = y0[r] + 30.0 * std::tanh(base[r] * 0.25 / 30.0);
  EXPECT_LT(testing::nmse(y.download(), want), 1e-10);
}

// A layer's Q, K and V in one launch: each part as its own launch computes it, bit for bit, and
// as the reference; parts of different row counts (rows per warp 4, 1 and 2 when staged), rows
// of one staged segment (Q4_K, Q6_K) and of two and three (BF16, F32).
TEST(QuantGemvGpu, GroupEqualsSeparateLaunches) {
  CODERX_REQUIRE_GPU();
  std::mt19937 rng(5);
  const std::int64_t cols = 1536, rows[3] = {4300, 67, 2112};
  for (WeightType t : {WeightType::Q4_K, WeightType::Q6_K, WeightType::BF16, WeightType::F32}) {
    std::vector<std::vector<float>> wref;
    std::deque<DeviceArray<std::uint8_t>> w;
    for (std::int64_t r : rows) {
      const auto bytes = testing::random_weight_rows(t, r, cols, rng);
      wref.push_back(testing::reference_rows(t, bytes, r, cols));
      w.emplace_back(bytes);
    }
    for (int n_tokens : {1, 3}) {
      SCOPED_TRACE(::testing::Message() << name(t) << " tokens " << n_tokens);
      const auto x = testing::random_floats(n_tokens * cols, rng);
      DeviceArray<float> xd(x);
      std::deque<DeviceArray<float>> grouped, alone;
      GemvParams parts[3];
      for (int i = 0; i < 3; ++i) {
        grouped.emplace_back(n_tokens * rows[i]);
        alone.emplace_back(n_tokens * rows[i]);
        parts[i].w = w[i].get();
        parts[i].type = t;
        parts[i].x = xd.get();
        parts[i].y = alone[i].get();
        parts[i].n_rows = rows[i];
        parts[i].n_cols = cols;
        parts[i].n_tokens = n_tokens;
        CODERX_EXPECT_OK(quant_gemv(parts[i], nullptr));
        parts[i].y = grouped[i].get();
      }
      CODERX_EXPECT_OK(quant_gemv_group(parts, 3, nullptr));
      for (int i = 0; i < 3; ++i) {
        const auto got = grouped[i].download();
        EXPECT_EQ(got, alone[i].download()) << "part " << i;
        EXPECT_LT(testing::nmse(got, gemv_ref(wref[i], x, rows[i], cols, n_tokens)), 1e-10) << "part " << i;
      }
    }
  }
}

TEST(QuantGemvGpu, GroupRefusesMixedTypes) {
  CODERX_REQUIRE_GPU();
  DeviceArray<float> buf(256);
  GemvParams parts[2];
  for (GemvParams& p : parts) {
    p.w = p.x = p.y = buf.get();
    p.n_rows = 1;
    p.n_cols = 256;
    p.type = WeightType::F32;
  }
  parts[1].type = WeightType::Q8_0;
  EXPECT_EQ(quant_gemv_group(parts, 2, nullptr).code, StatusCode::invalid_argument);
  EXPECT_EQ(quant_gemv_group(parts, 4, nullptr).code, StatusCode::invalid_argument);
}

TEST(QuantGemvGpu, RejectsBadShapes) {
  CODERX_REQUIRE_GPU();
  GemvParams p;
  float dummy[4] = {};
  p.w = dummy;
  p.x = dummy;
  p.y = dummy;
  p.n_rows = 1;
  p.type = WeightType::Q4_K;
  p.n_cols = 704;  // not a whole Q4_K block
  EXPECT_EQ(quant_gemv(p, nullptr).code, StatusCode::unsupported);
  p.type = WeightType::F32;
  p.n_cols = 256;
  p.n_tokens = 9;
  EXPECT_EQ(quant_gemv(p, nullptr).code, StatusCode::invalid_argument);
}

}  // namespace
}  // namespace coderx::kernels

#else
TEST(QuantGemvGpu, Skipped) { GTEST_SKIP() << "built without CUDA (CODERX_HAVE_CUDA unset)"; }
#endif
