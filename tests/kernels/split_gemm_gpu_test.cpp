// GPU: the split-f16 operands and GEMM (kernels/split_gemm.h) against the reference dequantiser
// and a float64 product. Rows span magnitudes from 1e-30 to 1e6 (f16 alone overflows at 65504
// and flushes below 6e-8), so a wrong row scale, a missing lo part or a swapped layout each
// fail by orders of magnitude: dropping lo leaves errors of about 2^-12, the split keeps 2^-22.
#include <gtest/gtest.h>

#if defined(CODERX_HAVE_CUDA)

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <string>

#include "gpu_test_util.h"
#include "kernels/split_gemm.h"
#include "model/quant/half.h"
#include "weight_gen.h"

namespace coderx::kernels {
namespace {

using testing::DeviceArray;

// Row r of x: uniform in ±1 times a magnitude that cycles through 1e-30 … 1e6, and row 1 zero.
std::vector<float> wide_range_rows(std::int64_t rows, std::int64_t cols, std::mt19937& rng) {
  const float magnitude[] = {1.0f, 0.0f, 1e6f, 1e-30f, 3e-3f, 250.0f, 1e-7f, 7e4f};
  std::vector<float> v = testing::random_floats(static_cast<std::size_t>(rows * cols), rng);
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t c = 0; c < cols; ++c) v[r * cols + c] *= magnitude[r % 8];
  return v;
}

struct HostSplit {
  std::vector<std::uint16_t> halves;
  std::vector<float> scale;
};

// Device storage of one SplitOperand.
class Split {
 public:
  Split(std::int64_t rows, std::int64_t cols) : halves_(rows * 3 * cols), scale_(rows), rows_(rows), cols_(cols) {}
  SplitOperand operand() const { return {halves_.get(), scale_.get(), rows_, cols_}; }
  HostSplit download() const { return {halves_.download(), scale_.download()}; }

 private:
  DeviceArray<std::uint16_t> halves_;
  DeviceArray<float> scale_;
  std::int64_t rows_, cols_;
};

double row_norm(const float* v, std::int64_t n) {
  double s = 0.0;
  for (std::int64_t i = 0; i < n; ++i) s += double(v[i]) * v[i];
  return std::sqrt(s);
}

// s · (hi + lo) reproduces each row within 2^-21 of its largest magnitude, the scale is the
// power of two putting that maximum in [2^13, 2^14) (within 2^±100; 1 for a zero row), and the
// copies of hi sit where `lo_second` says.
void expect_split_of(const std::vector<float>& want, const HostSplit& got, std::int64_t rows, std::int64_t cols,
                     bool lo_second) {
  for (std::int64_t r = 0; r < rows; ++r) {
    SCOPED_TRACE(::testing::Message() << "row " << r);
    const std::uint16_t* h = got.halves.data() + r * 3 * cols;
    const std::uint16_t* lo = h + (lo_second ? cols : 2 * cols);
    const std::uint16_t* hi2 = h + (lo_second ? 2 * cols : cols);
    float top = 0.0f;
    for (std::int64_t c = 0; c < cols; ++c) top = std::max(top, std::fabs(want[r * cols + c]));
    const float s = got.scale[r];
    int e = 0;
    if (top > 0.0f) std::frexp(top, &e);
    const int want_exp = top > 0.0f ? std::clamp(e - 14, -100, 100) : 0;
    ASSERT_EQ(s, std::ldexp(1.0f, want_exp)) << "row maximum " << top;
    for (std::int64_t c = 0; c < cols; ++c) {
      ASSERT_EQ(h[c], hi2[c]) << "col " << c;
      const double back = double(s) * (double(model::quant::f16_to_f32(h[c])) + model::quant::f16_to_f32(lo[c]));
      ASSERT_LE(std::fabs(back - want[r * cols + c]), std::ldexp(double(top), -21)) << "col " << c;
    }
  }
}

TEST(SplitGemmGpu, ActivationRowsSplitIntoScaledHiHiLo) {
  CODERX_REQUIRE_GPU();
  std::mt19937 rng(31);
  const std::int64_t rows = 16, cols = 96;
  const auto x = wide_range_rows(rows, cols, rng);
  DeviceArray<float> xd(x);
  Split split(rows, cols);
  CODERX_EXPECT_OK(split_activations(xd.get(), split.operand(), nullptr));
  expect_split_of(x, split.download(), rows, cols, false);
}

TEST(SplitGemmGpu, WeightRowsDecodedAndSplitIntoScaledHiLoHi) {
  CODERX_REQUIRE_GPU();
  std::mt19937 rng(32);
  int count = 0;
  const WeightTypeInfo* types = weight_types(&count);
  for (int i = 0; i < count; ++i) {
    const WeightType t = types[i].type;
    const std::int64_t rows = 5, cols = 512;
    if (!row_supported(t, cols)) continue;
    SCOPED_TRACE(std::string(types[i].name));
    const auto bytes = testing::random_weight_rows(t, rows, cols, rng);
    DeviceArray<std::uint8_t> wd(bytes);
    Split split(rows, cols);
    CODERX_EXPECT_OK(split_weight(wd.get(), t, 0, split.operand(), nullptr));
    expect_split_of(testing::reference_rows(t, bytes, rows, cols), split.download(), rows, cols, true);
  }
}

// Every element of y within 1e-6 · ‖x_i‖ · ‖w_j‖ of the float64 product (f32 accumulation
// gives about 6e-8 there; 11-bit operands at least 5e-6 at k = 2816).
TEST(SplitGemmGpu, ProductMatchesFloat64AcrossTypesShapesAndMagnitudes) {
  CODERX_REQUIRE_GPU();
  std::mt19937 rng(33);
  BlasHandle blas;
  CODERX_EXPECT_OK(blas.init());
  struct Case { WeightType type; std::int64_t m, n, k; bool out_scale; };
  const Case cases[] = {{WeightType::F32, 9, 40, 64, false},     {WeightType::Q4_K, 24, 64, 2816, true},
                        {WeightType::Q6_K, 17, 32, 256, false},  {WeightType::Q8_0, 12, 48, 512, false},
                        {WeightType::Q5_0, 10, 32, 704, false},  {WeightType::BF16, 9, 33, 128, true},
                        {WeightType::Q4_0, 16, 24, 2112, false}, {WeightType::F16, 11, 16, 96, false}};
  for (const Case& c : cases) {
    SCOPED_TRACE(::testing::Message() << weight_type_info(static_cast<std::uint32_t>(c.type))->name << " " << c.m
                                      << "x" << c.n << "x" << c.k);
    const auto x = wide_range_rows(c.m, c.k, rng);
    auto bytes = testing::random_weight_rows(c.type, c.n, c.k, rng);
    if (c.type == WeightType::F32) {  // weight rows of wide range too (the quantised types are moderate)
      const auto w = wide_range_rows(c.n, c.k, rng);
      std::memcpy(bytes.data(), w.data(), bytes.size());
    }
    const auto w = testing::reference_rows(c.type, bytes, c.n, c.k);
    const float scale = 0.375f;
    DeviceArray<float> xd(x), y(c.m * c.n), sd(std::vector<float>{scale});
    DeviceArray<std::uint8_t> wd(bytes);
    Split xs(c.m, c.k), ws(c.n, c.k);
    CODERX_EXPECT_OK(split_activations(xd.get(), xs.operand(), nullptr));
    CODERX_EXPECT_OK(split_weight(wd.get(), c.type, 0, ws.operand(), nullptr));
    CODERX_EXPECT_OK(split_gemm(blas, xs.operand(), ws.operand(), c.out_scale ? sd.get() : nullptr, y.get(), nullptr));
    const auto got = y.download();
    for (std::int64_t i = 0; i < c.m; ++i)
      for (std::int64_t j = 0; j < c.n; ++j) {
        double want = 0.0;
        for (std::int64_t q = 0; q < c.k; ++q) want += double(x[i * c.k + q]) * w[j * c.k + q];
        if (c.out_scale) want *= scale;
        const double bound = 1e-6 * row_norm(&x[i * c.k], c.k) * row_norm(&w[j * c.k], c.k) + 1e-37;
        ASSERT_LE(std::fabs(got[i * c.n + j] - want), bound) << "y[" << i << "][" << j << "] = " << got[i * c.n + j]
                                                             << ", want " << want;
      }
  }
}

TEST(SplitGemmGpu, RejectsMismatchedOrMisshapenOperands) {
  CODERX_REQUIRE_GPU();
  BlasHandle blas;
  CODERX_EXPECT_OK(blas.init());
  Split a(4, 64), b(4, 96), odd(4, 48);
  DeviceArray<float> y(16);
  EXPECT_FALSE(split_gemm(blas, a.operand(), b.operand(), nullptr, y.get(), nullptr).ok());
  DeviceArray<float> x(4 * 48);
  EXPECT_FALSE(split_activations(x.get(), odd.operand(), nullptr).ok());
  EXPECT_FALSE(split_gemm(blas, a.operand(), a.operand(), nullptr, nullptr, nullptr).ok());
}

}  // namespace
}  // namespace coderx::kernels

#else
TEST(SplitGemmGpu, Skipped) { GTEST_SKIP() << "built without CUDA (CODERX_HAVE_CUDA unset)"; }
#endif
