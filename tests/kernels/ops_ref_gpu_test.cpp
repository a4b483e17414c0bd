// GPU: the kernels against the engine's reference ops (model/ops_ref, the designated oracle):
// rms_norm, head_prep (norms + rope), geglu, attention and the MoE block (decode and prefill kernels), on random
// inputs. The float64 checks in the other *_gpu_test.cpp files cover more shapes and variants;
// these tie the kernels to the exact semantics the CPU engine uses.
#include <gtest/gtest.h>

#if defined(CODERX_HAVE_CUDA)

#include <algorithm>
#include <cstddef>
#include <numeric>
#include <random>

#include "gpu_test_util.h"
#include "kernels/attention.h"
#include "kernels/elementwise.h"
#include "kernels/head_prep.h"
#include "kernels/moe_gemm.h"
#include "kernels/moe_gemv.h"
#include "kernels/moe_routing.h"
#include "kernels/rms_norm.h"
#include "model/ops_ref.h"
#include "model/quant/half.h"
#include "weight_gen.h"

namespace coderx::kernels {
namespace {

using testing::DeviceArray;

std::vector<double> as_double(const std::vector<float>& v) { return std::vector<double>(v.begin(), v.end()); }

TEST(OpsRefGpu, RmsNormHeadPrepGeglu) {
  CODERX_REQUIRE_GPU();
  std::mt19937 rng(21);
  const std::int64_t rows = 6, n = 512;
  const auto x = testing::random_floats(rows * n, rng, -3.0f, 3.0f);
  const auto w = testing::random_floats(n, rng, 0.0f, 2.0f);
  DeviceArray<float> xd(x), wd(w), y(rows * n);
  RmsNormParams p;
  p.x = xd.get();
  p.weight = wd.get();
  p.y = y.get();
  p.rows = rows;
  p.n = n;
  CODERX_EXPECT_OK(rms_norm(p, nullptr));
  std::vector<float> want(rows * n);
  model::ref::rms_norm(x.data(), w.data(), want.data(), rows, n, 1e-6f);
  EXPECT_LT(testing::nmse(y.download(), as_double(want)), 1e-12);

  // head_prep against ref::rms_norm then ref::rope: a full layer (head_dim 512, rope_freqs 1 for
  // i < 64, 1e30 above, K = V: V is the unweighted norm of the raw K rows).
  const std::vector<std::int32_t> pos = {0, 5, 1000, 30000};
  const std::int64_t n_pos = static_cast<std::int64_t>(pos.size());
  std::vector<float> ff(256, 1.0f);
  for (int i = 64; i < 256; ++i) ff[i] = 1e30f;
  const auto q = testing::random_floats(n_pos * 2 * 512, rng), k = testing::random_floats(n_pos * 512, rng);
  const auto qw = testing::random_floats(512, rng, 0.0f, 2.0f), kw = testing::random_floats(512, rng, 0.0f, 2.0f);
  DeviceArray<float> qd(q), kd(k), vd(k.size()), qwd(qw), kwd(kw), ffd(ff);
  DeviceArray<std::int32_t> pd(pos);
  HeadPrepParams hp;
  hp.q = qd.get();
  hp.k = kd.get();
  hp.v_src = kd.get();
  hp.v = vd.get();
  hp.q_norm = qwd.get();
  hp.k_norm = kwd.get();
  hp.positions = pd.get();
  hp.freq_factors = ffd.get();
  hp.n_tokens = n_pos;
  hp.n_head = 2;
  hp.n_kv = 1;
  hp.head_dim = hp.n_dims = 512;
  hp.base = 1e6f;
  CODERX_EXPECT_OK(head_prep(hp, nullptr));
  std::vector<float> qref(q.size()), kref(k.size()), vref(k.size());
  const model::RopeSpec spec{512, 1e6f, ff.data()};
  model::ref::rms_norm(q.data(), qw.data(), qref.data(), n_pos * 2, 512, 1e-6f);
  model::ref::rope(qref.data(), n_pos, 2, 512, pos.data(), spec);
  model::ref::rms_norm(k.data(), kw.data(), kref.data(), n_pos, 512, 1e-6f);
  model::ref::rope(kref.data(), n_pos, 1, 512, pos.data(), spec);
  model::ref::rms_norm(k.data(), nullptr, vref.data(), n_pos, 512, 1e-6f);
  EXPECT_LT(testing::nmse(qd.download(), as_double(qref)), 1e-10);
  EXPECT_LT(testing::nmse(kd.download(), as_double(kref)), 1e-10);
  EXPECT_LT(testing::nmse(vd.download(), as_double(vref)), 1e-12);

  const auto g = testing::random_floats(2112, rng, -8.0f, 8.0f), u = testing::random_floats(2112, rng);
  DeviceArray<float> gd(g), ud(u), out(2112);
  CODERX_EXPECT_OK(geglu(gd.get(), ud.get(), out.get(), 2112, nullptr));
  std::vector<float> gref(2112);
  model::ref::geglu(g.data(), u.data(), gref.data(), 1, 2112, 2112, 2112);
  EXPECT_LT(testing::nmse(out.download(), as_double(gref)), 1e-12);
}

TEST(OpsRefGpu, AttentionDecodeAndPrefill) {
  CODERX_REQUIRE_GPU();
  std::mt19937 rng(22);
  struct Case { int n_head, n_kv, hd; std::int64_t window; int n_pos, n_q; };
  for (Case c : {Case{16, 8, 256, 64, 200, 1}, Case{16, 2, 512, 0, 200, 1}, Case{16, 8, 256, 50, 120, 120}}) {
    SCOPED_TRACE(::testing::Message() << "hd " << c.hd << " window " << c.window << " queries " << c.n_q);
    const std::size_t row = std::size_t(c.n_kv) * c.hd;
    auto k = testing::random_floats(c.n_pos * row, rng), v = testing::random_floats(c.n_pos * row, rng);
    for (auto* t : {&k, &v})
      for (float& f : *t) f = model::quant::f16_to_f32(model::quant::f32_to_f16(f));  // as the f16 cache holds them
    const auto q = testing::random_floats(std::size_t(c.n_q) * c.n_head * c.hd, rng, -0.6f, 0.6f);
    std::vector<std::int32_t> pos(c.n_q);
    std::iota(pos.begin(), pos.end(), c.n_pos - c.n_q);
    std::vector<std::int32_t> all(c.n_pos);
    std::iota(all.begin(), all.end(), 0);
    DeviceArray<float> kd(k), vd(v), qd(q), out(q.size()), ws(attention_workspace_floats(c.n_q, c.n_head, c.hd, 4));
    DeviceArray<std::uint16_t> kc(c.n_pos * row), vc(c.n_pos * row);
    DeviceArray<std::int32_t> alld(all), pd(pos);
    CODERX_EXPECT_OK(kv_append({kd.get(), vd.get(), kc.get(), vc.get(), alld.get(), c.n_pos, c.n_kv, c.hd, c.n_pos}, nullptr));
    AttentionParams p;
    p.q = qd.get();
    p.k_cache = kc.get();
    p.v_cache = vc.get();
    p.q_pos = pd.get();
    p.out = out.get();
    p.workspace = ws.get();
    p.n_q = c.n_q;
    p.n_head = c.n_head;
    p.n_kv = c.n_kv;
    p.head_dim = c.hd;
    p.n_slots = c.n_pos;
    p.pos_min = pos.front();
    p.pos_max = pos.back();
    p.window = c.window;
    p.max_splits = 4;
    CODERX_EXPECT_OK(attention(p, nullptr));
    model::KvLayerView view;
    view.k = k.data();
    view.v = v.data();
    view.capacity = c.n_pos;
    model::AttentionArgs a;
    std::vector<float> want(q.size());
    a.q = q.data();
    a.out = want.data();
    a.n_tokens = c.n_q;
    a.n_head = c.n_head;
    a.n_kv_head = c.n_kv;
    a.head_dim = c.hd;
    a.positions = pos.data();
    a.caches = &view;
    a.window = c.window;
    model::ref::attention(a);
    EXPECT_LT(testing::nmse(out.download(), as_double(want)), 1e-10);
  }
}

TEST(OpsRefGpu, MoeDecodeAndPrefill) {
  CODERX_REQUIRE_GPU();
  std::mt19937 rng(23);
  const int n_embd = 512, n_ff = 256, n_expert = 16, k = 4;
  const WeightType gu_t = WeightType::Q4_K, dn_t = WeightType::Q5_0;
  const auto gu = testing::random_weight_rows(gu_t, std::int64_t(n_expert) * 2 * n_ff, n_embd, rng);
  const auto dn = testing::random_weight_rows(dn_t, std::int64_t(n_expert) * n_embd, n_ff, rng);
  const auto dscale = testing::random_floats(n_expert, rng, 0.5f, 1.5f);
  const std::int64_t gu_rb = weight_row_bytes(gu_t, n_embd), dn_rb = weight_row_bytes(dn_t, n_ff);
  model::ExpertWeights ew;
  ew.gate_up = {static_cast<model::quant::Type>(gu_t), reinterpret_cast<const std::byte*>(gu.data()), n_embd, 2 * n_ff,
                n_expert, static_cast<std::size_t>(gu_rb), nullptr};
  ew.down = {static_cast<model::quant::Type>(dn_t), reinterpret_cast<const std::byte*>(dn.data()), n_ff, n_embd,
             n_expert, static_cast<std::size_t>(dn_rb), dscale.data()};
  DeviceArray<std::uint8_t> gud(gu), dnd(dn);
  DeviceArray<float> dsd(dscale);
  MoeExpertWeights w;
  w.gate = gud.get();
  w.up = gud.get() + n_ff * gu_rb;
  w.gate_up_type = gu_t;
  w.gate_up_expert_stride = 2 * n_ff * gu_rb;
  w.down = dnd.get();
  w.down_type = dn_t;
  w.down_expert_stride = n_embd * dn_rb;
  w.down_scale = dsd.get();
  for (int n_tokens : {1, 8, 70}) {
    SCOPED_TRACE(::testing::Message() << n_tokens << " tokens");
    std::vector<std::int32_t> ids, pool(n_expert);
    std::iota(pool.begin(), pool.end(), 0);
    std::vector<model::ExpertChoice> choices;
    const auto wts = testing::random_floats(std::size_t(n_tokens) * k, rng, 0.0f, 1.0f);
    for (int t = 0; t < n_tokens; ++t) {
      std::shuffle(pool.begin(), pool.end(), rng);
      for (int j = 0; j < k; ++j) {
        ids.push_back(pool[j]);
        choices.push_back({pool[j], wts[t * k + j]});
      }
    }
    const auto x = testing::random_floats(std::size_t(n_tokens) * n_embd, rng);
    std::vector<float> want(std::size_t(n_tokens) * n_embd);
    model::MoeArgs args{x.data(), choices.data(), n_tokens, k, &ew, want.data()};
    model::ref::moe(args);
    DeviceArray<float> xd(x), wd(wts), y(want.size());
    DeviceArray<std::int32_t> idd(ids);
    if (n_tokens <= kMoeDecodeMaxTokens) {
      DeviceArray<float> act(ids.size() * n_ff);
      CODERX_EXPECT_OK(moe_decode({w, xd.get(), idd.get(), wd.get(), act.get(), y.get(), n_tokens, k, n_embd, n_ff, n_expert},
                                  nullptr));
      EXPECT_LT(testing::nmse(y.download(), as_double(want)), 1e-9);
    }
    const MoePrefillWorkspace layout = moe_prefill_workspace(n_tokens, k, n_expert, n_embd, n_ff);
    DeviceArray<std::uint8_t> ws(layout.total);
    y.poison();
    CODERX_EXPECT_OK(moe_prefill({w, xd.get(), idd.get(), wd.get(), y.get(), ws.get(), n_tokens, k, n_embd, n_ff, n_expert},
                                 nullptr));
    EXPECT_LT(testing::nmse(y.download(), as_double(want)), 1e-8);  // split-bf16 operands
  }
}

}  // namespace
}  // namespace coderx::kernels

#else
TEST(OpsRefGpu, Skipped) { GTEST_SKIP() << "built without CUDA (CODERX_HAVE_CUDA unset)"; }
#endif
