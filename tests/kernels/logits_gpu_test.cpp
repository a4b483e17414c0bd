// GPU: top_k / arg-max over soft-capped logits against a stable descending sort, with ties,
// NaN entries, vocabularies that are and are not multiples of the chunk; and the cuBLAS dense
// GEMM against a float64 product of the bf16/fp16-rounded inputs.
#include <gtest/gtest.h>

#if defined(CODERX_HAVE_CUDA)

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "gpu_test_util.h"
#include "kernels/dense_gemm.h"
#include "kernels/logits.h"
#include "model/quant/half.h"

namespace coderx::kernels {
namespace {

using testing::DeviceArray;

TEST(TopKGpu, MatchesStableSortWithTiesAndNaN) {
  CODERX_REQUIRE_GPU();
  std::mt19937 rng(16);
  for (std::int64_t n_vocab : {100, 4096, 5000, 262144}) {
    for (int k : {1, 8, 64}) {
      if (k > n_vocab) continue;
      SCOPED_TRACE(::testing::Message() << "vocab " << n_vocab << " k " << k);
      const int n_tokens = 3;
      auto logits = testing::random_floats(n_tokens * n_vocab, rng, -30.0f, 30.0f);
      // Coarse values make many exact ties; a few NaN must never be chosen.
      for (auto& x : logits) x = std::round(x * 4.0f) / 4.0f;
      for (int i = 0; i < 10; ++i) logits[rng() % logits.size()] = NAN;
      DeviceArray<float> ld(logits), vals(n_tokens * k);
      DeviceArray<std::int32_t> ids(n_tokens * k);
      DeviceArray<std::uint8_t> ws(top_k_workspace_bytes(n_tokens, n_vocab, k));
      CODERX_EXPECT_OK(top_k({ld.get(), ids.get(), vals.get(), ws.get(), n_tokens, n_vocab, k}, nullptr));
      const auto got_ids = ids.download();
      const auto got_vals = vals.download();
      for (int t = 0; t < n_tokens; ++t) {
        std::vector<std::int32_t> order;
        for (std::int64_t i = 0; i < n_vocab; ++i)
          if (!std::isnan(logits[t * n_vocab + i])) order.push_back(static_cast<std::int32_t>(i));
        std::stable_sort(order.begin(), order.end(),
                         [&](int a, int b) { return logits[t * n_vocab + a] > logits[t * n_vocab + b]; });
        for (int j = 0; j < k; ++j) {
          ASSERT_EQ(got_ids[t * k + j], order[j]) << "token " << t << " rank " << j;
          ASSERT_EQ(got_vals[t * k + j], logits[t * n_vocab + order[j]]);
        }
      }
    }
  }
}

TEST(DenseGemmGpu, Bf16AndFp16WithF32Accumulation) {
  CODERX_REQUIRE_GPU();
  std::mt19937 rng(17);
  BlasHandle blas;
  CODERX_EXPECT_OK(blas.init());
  struct Shape { std::int64_t m, n, k; };
  for (Shape s : {Shape{1, 64, 256}, Shape{37, 2112, 2816}, Shape{128, 1024, 2816}, Shape{5, 300, 96}}) {
    for (bool fp16 : {false, true}) {
      for (bool acc : {false, true}) {
        SCOPED_TRACE(::testing::Message() << s.m << "x" << s.n << "x" << s.k << (fp16 ? " fp16" : " bf16")
                                          << (acc ? " accumulate" : ""));
        const auto x = testing::random_floats(s.m * s.k, rng);
        const auto w = testing::random_floats(s.n * s.k, rng);
        const auto y0 = testing::random_floats(s.m * s.n, rng);
        auto bits = [&](const std::vector<float>& v) {
          std::vector<std::uint16_t> out(v.size());
          for (std::size_t i = 0; i < v.size(); ++i)
            out[i] = fp16 ? model::quant::f32_to_f16(v[i]) : model::quant::f32_to_bf16(v[i]);
          return out;
        };
        DeviceArray<float> y(acc ? y0 : std::vector<float>(s.m * s.n));
        if (!acc) y.poison();
        DeviceArray<std::uint16_t> xh(bits(x)), wh(bits(w));
        CODERX_EXPECT_OK(dense_gemm(blas, {xh.get(), wh.get(), y.get(), s.m, s.n, s.k, fp16, acc}, nullptr));
        auto round = [&](float v) {
          return fp16 ? model::quant::f16_to_f32(model::quant::f32_to_f16(v))
                      : model::quant::bf16_to_f32(model::quant::f32_to_bf16(v));
        };
        std::vector<double> want(s.m * s.n);
        for (std::int64_t i = 0; i < s.m; ++i)
          for (std::int64_t j = 0; j < s.n; ++j) {
            double sum = acc ? y0[i * s.n + j] : 0.0;
            for (std::int64_t q = 0; q < s.k; ++q) sum += double(round(x[i * s.k + q])) * round(w[j * s.k + q]);
            want[i * s.n + j] = sum;
          }
        EXPECT_LT(testing::nmse(y.download(), want), 1e-10);
      }
    }
  }
}

}  // namespace
}  // namespace coderx::kernels

#else
TEST(TopKGpu, Skipped) { GTEST_SKIP() << "built without CUDA (CODERX_HAVE_CUDA unset)"; }
#endif
