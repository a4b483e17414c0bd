// GPU: head_prep (per-head norms, RoPE, V norm, cache append in one launch) against the float64
// rms_norm_ref and rope_ref of reference_ops.h: both RoPE forms, partial rotation, head dims
// 64-512, K = V layers, the cache ring written at position % slots and nowhere else.
#include <gtest/gtest.h>

#if defined(CODERX_HAVE_CUDA)

#include <cmath>
#include <deque>
#include <random>

#include "gpu_test_util.h"
#include "kernels/head_prep.h"
#include "model/quant/half.h"
#include "reference_ops.h"

namespace coderx::kernels {
namespace {

using testing::DeviceArray;

struct Case {
  int n_head, n_kv, head_dim, n_dims;
  bool proportional, k_is_v, append;
};

// RMSNorm(x; w) of every head_dim row, then RoPE when rotate: double, for `pos`.
std::vector<double> norm_rope_ref(const std::vector<float>& x, const std::vector<float>* w, int heads, const Case& c,
                                  const std::vector<std::int32_t>& pos, const std::vector<float>* ff, bool rotate) {
  testing::RmsRefArgs r{&x};
  r.w = w;
  const auto normed = testing::rms_norm_ref(r, static_cast<std::int64_t>(x.size()) / c.head_dim, c.head_dim);
  if (!rotate) return normed;
  const std::vector<float> as_float(normed.begin(), normed.end());
  return testing::rope_ref(as_float, pos, heads, c.head_dim, c.n_dims, 1e6, ff);
}

TEST(HeadPrepGpu, NormsRopeAndCacheAppend) {
  CODERX_REQUIRE_GPU();
  std::mt19937 rng(21);
  const std::vector<std::int32_t> pos = {0, 3, 17, 1023, 40000};
  const std::int64_t slots = 24, n = static_cast<std::int64_t>(pos.size());
  for (Case c : {Case{16, 8, 256, 256, false, false, true}, Case{16, 2, 512, 512, true, true, true},
                 Case{4, 2, 64, 64, false, false, false}, Case{8, 4, 128, 64, false, false, true},
                 Case{8, 1, 512, 512, true, false, false}}) {
    SCOPED_TRACE(::testing::Message() << c.n_head << "/" << c.n_kv << " heads of " << c.head_dim << ", rotating "
                                      << c.n_dims << (c.k_is_v ? ", K = V" : "") << (c.append ? ", append" : ""));
    const std::size_t qn = n * c.n_head * c.head_dim, kn = n * c.n_kv * c.head_dim;
    const auto q = testing::random_floats(qn, rng, -3.0f, 3.0f);
    const auto k = testing::random_floats(kn, rng, -3.0f, 3.0f);
    const auto v = testing::random_floats(kn, rng, -3.0f, 3.0f);
    const auto qw = testing::random_floats(c.head_dim, rng, 0.0f, 2.0f);
    const auto kw = testing::random_floats(c.head_dim, rng, 0.0f, 2.0f);
    std::vector<float> ff(c.n_dims / 2, 1.0f);
    for (int i = c.n_dims / 8; i < c.n_dims / 2; ++i) ff[i] = 1e30f;  // rope_freqs of the full layers
    DeviceArray<float> qd(q), kd(k), vd(v), vout(kn), qwd(qw), kwd(kw), ffd(ff);
    DeviceArray<std::int32_t> pd(pos);
    DeviceArray<std::uint16_t> kc(slots * c.n_kv * c.head_dim), vc(slots * c.n_kv * c.head_dim);
    HeadPrepParams p;
    p.q = qd.get();
    p.k = kd.get();
    p.v_src = c.k_is_v ? kd.get() : vd.get();
    p.v = vout.get();
    p.q_norm = qwd.get();
    p.k_norm = kwd.get();
    p.positions = pd.get();
    p.freq_factors = c.proportional ? ffd.get() : nullptr;
    p.n_tokens = n;
    p.n_head = c.n_head;
    p.n_kv = c.n_kv;
    p.head_dim = c.head_dim;
    p.n_dims = c.n_dims;
    p.base = 1e6f;
    if (c.append) p.cache[0] = {kc.get(), vc.get(), slots};
    CODERX_EXPECT_OK(head_prep(p, nullptr));
    const std::vector<float>* ffp = c.proportional ? &ff : nullptr;
    const auto want_q = norm_rope_ref(q, &qw, c.n_head, c, pos, ffp, true);
    const auto want_k = norm_rope_ref(k, &kw, c.n_kv, c, pos, ffp, true);
    const auto want_v = norm_rope_ref(c.k_is_v ? k : v, nullptr, c.n_kv, c, pos, nullptr, false);
    // The f32 angle at position 40000 carries ~1e-3 rad of rounding (as in ggml): NMSE ~1e-7.
    const auto got_k = kd.download(), got_v = vout.download();
    EXPECT_LT(testing::nmse(qd.download(), want_q), 1e-6);
    EXPECT_LT(testing::nmse(got_k, want_k), 1e-6);
    EXPECT_LT(testing::nmse(got_v, want_v), 1e-11);
    if (!c.append) continue;
    // The cache holds exactly the f16 rounding of the rows written to k and v.
    const auto kcache = kc.download(), vcache = vc.download();
    const std::size_t row = static_cast<std::size_t>(c.n_kv) * c.head_dim;
    std::vector<bool> written(slots, false);
    for (std::int64_t t = 0; t < n; ++t) {
      const std::size_t slot = static_cast<std::size_t>(pos[t] % slots);
      written[slot] = true;
      for (std::size_t i = 0; i < row; ++i) {
        ASSERT_EQ(kcache[slot * row + i], model::quant::f32_to_f16(got_k[t * row + i])) << "K slot " << slot << " element " << i;
        ASSERT_EQ(vcache[slot * row + i], model::quant::f32_to_f16(got_v[t * row + i])) << "V slot " << slot << " element " << i;
      }
    }
    for (std::int64_t s = 0; s < slots; ++s) {
      if (written[s]) continue;
      for (std::size_t i = 0; i < row; ++i)
        ASSERT_EQ(kcache[s * row + i] & vcache[s * row + i], 0xffff) << "slot " << s << " was written";
    }
  }
}

TEST(HeadPrepGpu, RefusesBadShapes) {
  CODERX_REQUIRE_GPU();
  DeviceArray<float> buf(64);
  DeviceArray<std::int32_t> pos(1);
  HeadPrepParams p;
  p.q = p.k = p.v = buf.get();
  p.v_src = buf.get();
  p.positions = pos.get();
  p.n_tokens = 1, p.n_head = 1, p.n_kv = 1, p.head_dim = 32, p.n_dims = 34;
  EXPECT_EQ(head_prep(p, nullptr).code, StatusCode::invalid_argument);
  p.n_dims = 32;
  p.cache[0] = {buf.get(), nullptr, 4};  // K without V
  EXPECT_EQ(head_prep(p, nullptr).code, StatusCode::invalid_argument);
  p.cache[0] = {buf.get(), buf.get(), 4};
  p.n_tokens = 2;
  p.per_token_cache = true;  // token 1 has no cache
  EXPECT_EQ(head_prep(p, nullptr).code, StatusCode::invalid_argument);
  p.n_tokens = kHeadPrepMaxTokenCaches + 1;
  EXPECT_EQ(head_prep(p, nullptr).code, StatusCode::invalid_argument);
}

// A decode batch of three sequences: each token's K/V rows land in its own sequence's ring at
// its position, and no other slot of any ring changes.
TEST(HeadPrepGpu, PerTokenCachesOfABatch) {
  CODERX_REQUIRE_GPU();
  std::mt19937 rng(22);
  const int n_head = 4, n_kv = 2, hd = 64;
  const std::vector<std::int32_t> pos = {7, 40, 41, 3};
  const int owner[4] = {0, 1, 1, 2};  // token → sequence
  const std::int64_t slots[3] = {16, 24, 8};
  const std::size_t n = pos.size(), row = std::size_t(n_kv) * hd;
  const auto q = testing::random_floats(n * n_head * hd, rng), k = testing::random_floats(n * row, rng);
  const auto v = testing::random_floats(n * row, rng);
  DeviceArray<float> qd(q), kd(k), vd(v);
  DeviceArray<std::int32_t> pd(pos);
  std::deque<DeviceArray<std::uint16_t>> kc, vc;
  for (std::int64_t s : slots) {
    kc.emplace_back(s * row);
    vc.emplace_back(s * row);
  }
  HeadPrepParams p;
  p.q = qd.get();
  p.k = kd.get();
  p.v_src = p.v = vd.get();
  p.positions = pd.get();
  p.n_tokens = static_cast<std::int64_t>(n);
  p.n_head = n_head;
  p.n_kv = n_kv;
  p.head_dim = p.n_dims = hd;
  p.per_token_cache = true;
  for (std::size_t t = 0; t < n; ++t) p.cache[t] = {kc[owner[t]].get(), vc[owner[t]].get(), slots[owner[t]]};
  CODERX_EXPECT_OK(head_prep(p, nullptr));
  const auto got_k = kd.download(), got_v = vd.download();
  for (int s = 0; s < 3; ++s) {
    const auto kcache = kc[s].download(), vcache = vc[s].download();
    for (std::int64_t slot = 0; slot < slots[s]; ++slot) {
      int token = -1;
      for (std::size_t t = 0; t < n; ++t)
        if (owner[t] == s && pos[t] % slots[s] == slot) token = static_cast<int>(t);
      for (std::size_t i = 0; i < row; ++i) {
        const std::uint16_t want_k = token < 0 ? 0xffff : model::quant::f32_to_f16(got_k[token * row + i]);
        const std::uint16_t want_v = token < 0 ? 0xffff : model::quant::f32_to_f16(got_v[token * row + i]);
        ASSERT_EQ(kcache[slot * row + i], want_k) << "sequence " << s << " slot " << slot;
        ASSERT_EQ(vcache[slot * row + i], want_v) << "sequence " << s << " slot " << slot;
      }
    }
  }
}

}  // namespace
}  // namespace coderx::kernels

#else
TEST(HeadPrepGpu, Skipped) { GTEST_SKIP() << "built without CUDA (CODERX_HAVE_CUDA unset)"; }
#endif
