// GPU: post_attention_norm and ffn_output_norm against the same chains built from the float64
// rms_norm_ref of reference_ops.h (composed as model/forward.cpp composes ops_ref's rms_norm),
// over the real width, odd widths and several rows, weighted and unweighted, in place too.
#include <gtest/gtest.h>

#if defined(CODERX_HAVE_CUDA)

#include <random>

#include "gpu_test_util.h"
#include "kernels/norm_chain.h"
#include "reference_ops.h"

namespace coderx::kernels {
namespace {

using testing::DeviceArray;

const std::pair<std::int64_t, std::int64_t> kShapes[] = {{1, 2816}, {8, 2816}, {3, 100}, {2, 4096}, {5, 32}};

std::vector<double> norm_ref(const std::vector<float>& x, const std::vector<float>* w, std::int64_t rows, std::int64_t n,
                             const std::vector<float>* residual = nullptr, double scale = 1.0) {
  testing::RmsRefArgs r{&x};
  r.w = w;
  r.residual = residual;
  r.scale = scale;
  return testing::rms_norm_ref(r, rows, n);
}

std::vector<float> as_floats(const std::vector<double>& v) { return {v.begin(), v.end()}; }

TEST(NormChainGpu, PostAttention) {
  CODERX_REQUIRE_GPU();
  std::mt19937 rng(31);
  for (auto [rows, n] : kShapes) {
    for (bool in_place : {false, true}) {
      SCOPED_TRACE(::testing::Message() << rows << "x" << n << (in_place ? " in place" : ""));
      const auto att = testing::random_floats(rows * n, rng, -4.0f, 4.0f);
      const auto x = testing::random_floats(rows * n, rng);
      const auto w_post = testing::random_floats(n, rng, 0.0f, 2.0f);
      const auto w_dense = testing::random_floats(n, rng, 0.0f, 2.0f);
      DeviceArray<float> attd(att), xd(x), wp(w_post), wd(w_dense), h(rows * n), dense_in(rows * n), expert_in(rows * n);
      PostAttentionNormParams p;
      p.att = attd.get();
      p.post_norm = wp.get();
      p.residual = xd.get();
      p.h = in_place ? xd.get() : h.get();  // the backend writes h over nothing it reads again
      p.dense_norm = wd.get();
      p.dense_in = dense_in.get();
      p.expert_norm = nullptr;  // unweighted
      p.expert_in = expert_in.get();
      p.rows = rows;
      p.n = n;
      CODERX_EXPECT_OK(post_attention_norm(p, nullptr));
      const auto want_h = norm_ref(att, &w_post, rows, n, &x);
      const auto hf = as_floats(want_h);
      EXPECT_LT(testing::nmse((in_place ? xd : h).download(), want_h), 1e-11);
      EXPECT_LT(testing::nmse(dense_in.download(), norm_ref(hf, &w_dense, rows, n)), 1e-11);
      EXPECT_LT(testing::nmse(expert_in.download(), norm_ref(hf, nullptr, rows, n)), 1e-11);
    }
  }
}

TEST(NormChainGpu, FfnOutputAndNextLayerInput) {
  CODERX_REQUIRE_GPU();
  std::mt19937 rng(32);
  for (auto [rows, n] : kShapes) {
    for (bool next : {false, true}) {
      SCOPED_TRACE(::testing::Message() << rows << "x" << n << (next ? " with the next layer's norm" : ""));
      const auto dense = testing::random_floats(rows * n, rng, -5.0f, 5.0f);
      const auto moe = testing::random_floats(rows * n, rng, -0.1f, 0.1f);
      const auto h = testing::random_floats(rows * n, rng);
      std::vector<std::vector<float>> w;
      for (int i = 0; i < 4; ++i) w.push_back(testing::random_floats(n, rng, 0.0f, 2.0f));
      const std::vector<float> scale = {0.71f};
      DeviceArray<float> dd(dense), md(moe), hd(h), w0(w[0]), w1(w[1]), w2(w[2]), w3(w[3]), sd(scale), x(rows * n),
          next_in(rows * n);
      FfnOutputNormParams p;
      p.dense = dd.get();
      p.dense_norm = w0.get();
      p.moe = md.get();
      p.moe_norm = w1.get();
      p.out_norm = w2.get();
      p.h = hd.get();
      p.out_scale = sd.get();
      p.x = x.get();
      if (next) {
        p.next_norm = w3.get();
        p.next_in = next_in.get();
      }
      p.rows = rows;
      p.n = n;
      CODERX_EXPECT_OK(ffn_output_norm(p, nullptr));
      const auto dn = norm_ref(dense, &w[0], rows, n), mn = norm_ref(moe, &w[1], rows, n);
      std::vector<float> sum(dn.size());
      for (std::size_t i = 0; i < sum.size(); ++i) sum[i] = static_cast<float>(dn[i] + mn[i]);
      const auto want_x = norm_ref(sum, &w[2], rows, n, &h, scale[0]);
      EXPECT_LT(testing::nmse(x.download(), want_x), 1e-11);
      if (next) {
        EXPECT_LT(testing::nmse(next_in.download(), norm_ref(as_floats(want_x), &w[3], rows, n)), 1e-11);
      } else {
        const auto untouched = next_in.download();  // still the NaN poison
        EXPECT_TRUE(std::isnan(untouched[0]) && std::isnan(untouched.back()));
      }
    }
  }
}

TEST(NormChainGpu, RefusesRowsPastSharedMemory) {
  CODERX_REQUIRE_GPU();
  DeviceArray<float> buf(16);
  FfnOutputNormParams p;
  p.dense = p.moe = p.h = buf.get();
  p.x = buf.get();
  p.rows = 1;
  p.n = kNormChainMaxN + 32;
  EXPECT_EQ(ffn_output_norm(p, nullptr).code, StatusCode::invalid_argument);
}

}  // namespace
}  // namespace coderx::kernels

#else
TEST(NormChainGpu, Skipped) { GTEST_SKIP() << "built without CUDA (CODERX_HAVE_CUDA unset)"; }
#endif
