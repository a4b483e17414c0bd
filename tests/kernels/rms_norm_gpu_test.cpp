// GPU: rms_norm in every variant, geglu and add, against the float64 references of
// reference_ops.h (RoPE is part of head_prep: head_prep_gpu_test.cpp).
#include <gtest/gtest.h>

#if defined(CODERX_HAVE_CUDA)

#include <cmath>
#include <random>

#include "gpu_test_util.h"
#include "kernels/elementwise.h"
#include "kernels/rms_norm.h"
#include "reference_ops.h"

namespace coderx::kernels {
namespace {

using testing::DeviceArray;

TEST(RmsNormGpu, EveryVariantAndShape) {
  CODERX_REQUIRE_GPU();
  std::mt19937 rng(5);
  for (auto [rows, n] : {std::pair<std::int64_t, std::int64_t>{1, 2816}, {16 * 3, 256}, {2 * 7, 512}, {5, 100}, {3, 4096}}) {
    for (int variant = 0; variant < 6; ++variant) {
      SCOPED_TRACE(::testing::Message() << rows << "x" << n << " variant " << variant);
      const auto x = testing::random_floats(rows * n, rng, -3.0f, 3.0f);
      const auto add = testing::random_floats(rows * n, rng);
      const auto w = testing::random_floats(n, rng, 0.0f, 2.0f);
      const auto res = testing::random_floats(rows * n, rng);
      const std::vector<float> scale = {0.37f};
      DeviceArray<float> xd(x), addd(add), wd(w), resd(res), sd(scale), y(rows * n);
      RmsNormParams p;
      p.x = xd.get();
      p.y = y.get();
      p.rows = rows;
      p.n = n;
      testing::RmsRefArgs r{&x};
      if (variant >= 1) { p.weight = wd.get(); r.w = &w; }                 // weighted
      if (variant == 2 || variant == 5) { p.residual = resd.get(); r.residual = &res; }  // + residual
      if (variant >= 3) { p.out_scale = sd.get(); r.scale = scale[0]; }    // · layer output scale
      if (variant >= 4) { p.x_add = addd.get(); r.add = &add; }            // norm(x + add)
      CODERX_EXPECT_OK(rms_norm(p, nullptr));
      EXPECT_LT(testing::nmse(y.download(), testing::rms_norm_ref(r, rows, n)), 1e-11);
    }
  }
}

TEST(RmsNormGpu, InPlaceOverResidual) {
  CODERX_REQUIRE_GPU();
  std::mt19937 rng(6);
  const std::int64_t rows = 4, n = 2816;
  const auto x = testing::random_floats(rows * n, rng);
  const auto res = testing::random_floats(rows * n, rng);
  const auto w = testing::random_floats(n, rng);
  DeviceArray<float> xd(x), resd(res), wd(w);
  RmsNormParams p;
  p.x = xd.get();
  p.weight = wd.get();
  p.residual = resd.get();
  p.y = resd.get();  // h = x_prev + norm(att), written over the residual stream
  p.rows = rows;
  p.n = n;
  CODERX_EXPECT_OK(rms_norm(p, nullptr));
  testing::RmsRefArgs r{&x};
  r.w = &w;
  r.residual = &res;
  EXPECT_LT(testing::nmse(resd.download(), testing::rms_norm_ref(r, rows, n)), 1e-11);
}

TEST(ElementwiseGpu, Geglu) {
  CODERX_REQUIRE_GPU();
  std::mt19937 rng(8);
  const std::int64_t n = 2112 * 3 + 5;
  const auto g = testing::random_floats(n, rng, -12.0f, 12.0f);
  const auto u = testing::random_floats(n, rng);
  DeviceArray<float> gd(g), ud(u), out(n);
  CODERX_EXPECT_OK(geglu(gd.get(), ud.get(), out.get(), n, nullptr));
  std::vector<double> want(n);
  for (std::int64_t i = 0; i < n; ++i) want[i] = testing::gelu_tanh_ref(g[i]) * u[i];
  EXPECT_LT(testing::nmse(out.download(), want), 1e-12);
}

}  // namespace
}  // namespace coderx::kernels

#else
TEST(RmsNormGpu, Skipped) { GTEST_SKIP() << "built without CUDA (CODERX_HAVE_CUDA unset)"; }
#endif
