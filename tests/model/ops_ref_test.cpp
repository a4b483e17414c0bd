// ops_ref against float64 formulas written here from the spec (§2.1, §2.3, §2.4), swept over
// sizes; plus properties the spec states (window masking, contiguous GQA grouping, K=V layers,
// proportional RoPE pass-through).
#include "model/ops_ref.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

#include "model/moe.h"
#include "test_weights.h"

namespace coderx::model {
namespace {

using testing::make_matrix;
using testing::random_floats;

TEST(OpsRef, RmsNormMatchesFormulaWithAndWithoutWeight) {
  for (std::int64_t n : {1, 7, 64, 256, 513, 2816}) {
    auto x = random_floats(static_cast<std::size_t>(3 * n), 1 + n, 2.0f);
    auto w = random_floats(static_cast<std::size_t>(n), 2 + n);
    std::vector<float> y(x.size()), y_nw(x.size());
    ref::rms_norm(x.data(), w.data(), y.data(), 3, n, 1e-6f);
    ref::rms_norm(x.data(), nullptr, y_nw.data(), 3, n, 1e-6f);
    for (std::int64_t r = 0; r < 3; ++r) {
      double ss = 0;
      for (std::int64_t i = 0; i < n; ++i) ss += double(x[r * n + i]) * x[r * n + i];
      const double inv = 1.0 / std::sqrt(ss / n + 1e-6);
      for (std::int64_t i = 0; i < n; ++i) {
        const double want = x[r * n + i] * inv;
        EXPECT_NEAR(y_nw[r * n + i], want, 2e-6 * std::abs(want) + 1e-30) << n;
        EXPECT_NEAR(y[r * n + i], want * w[i], 2e-6 * std::abs(want * w[i]) + 1e-30) << n;
      }
    }
  }
}

TEST(OpsRef, GeluIsTheTanhFormula) {
  EXPECT_NEAR(ref::gelu_tanh(1.0f), 0.8411919906, 1e-7);
  EXPECT_NEAR(ref::gelu_tanh(-1.0f), -0.1588080094, 1e-7);
  EXPECT_EQ(ref::gelu_tanh(0.0f), 0.0f);
  for (float x = -12.0f; x <= 12.0f; x += 0.37f) {
    const double v = x;
    const double want = 0.5 * v * (1 + std::tanh(std::sqrt(2 / M_PI) * (v + 0.044715 * v * v * v)));
    EXPECT_NEAR(ref::gelu_tanh(x), want, 1e-6 * (1 + std::abs(want)));
  }
  std::vector<float> g{-2.0f, 0.5f, 3.0f}, u{1.0f, 2.0f, -1.0f}, y(3);
  ref::geglu(g.data(), u.data(), y.data(), 1, 3, 3, 3);
  for (int i = 0; i < 3; ++i) EXPECT_FLOAT_EQ(y[i], ref::gelu_tanh(g[i]) * u[i]);
}

TEST(OpsRef, MatmulFromEveryFloatWeightType) {
  for (quant::Type type : {quant::Type::F32, quant::Type::F16, quant::Type::BF16}) {
    for (auto [rows, cols, tokens] : {std::tuple{1, 1, 1}, {5, 32, 3}, {33, 256, 2}, {7, 700, 4}}) {
      auto m = make_matrix(type, rows, cols, 10 + rows);
      auto x = random_floats(static_cast<std::size_t>(cols * tokens), 20 + cols);
      std::vector<float> y(static_cast<std::size_t>(rows * tokens));
      ref::matmul(m.view(0.5f), x.data(), tokens, y.data());
      for (int r = 0; r < rows; ++r) {
        auto w = m.decoded_row(0, r);
        for (int t = 0; t < tokens; ++t) {
          double want = 0;
          for (int i = 0; i < cols; ++i) want += double(w[i]) * x[t * cols + i];
          EXPECT_NEAR(y[t * rows + r], 0.5 * want, 1e-6 * (1 + std::abs(want)));
        }
      }
      if (type == quant::Type::F32) {
        EXPECT_EQ(m.decoded_row(0, 0)[0], m.values[0]);
      }
    }
  }
}

// θ_i = p·base^(−2i/n)/ff_i in double, NEOX pairs (i, i+n/2).
std::vector<double> rope_formula(const std::vector<float>& x, int hd, int n_dims, int pos,
                                 double base, const float* ff) {
  std::vector<double> out(x.begin(), x.end());
  for (int i = 0; i < n_dims / 2; ++i) {
    const double theta = pos * std::pow(base, -2.0 * i / n_dims) / (ff ? ff[i] : 1.0);
    const double a = x[i], b = x[i + n_dims / 2];
    out[i] = a * std::cos(theta) - b * std::sin(theta);
    out[i + n_dims / 2] = a * std::sin(theta) + b * std::cos(theta);
  }
  (void)hd;
  return out;
}

TEST(OpsRef, RopeNeoxMatchesFormula) {
  for (int hd : {2, 64, 128, 256}) {
    for (int pos : {0, 1, 17, 100, 255}) {
      auto x = random_floats(static_cast<std::size_t>(hd), pos + hd);
      auto y = x;
      RopeSpec spec{hd, 10000.0f, nullptr};
      ref::rope(y.data(), 1, 1, hd, &pos, spec);
      auto want = rope_formula(x, hd, hd, pos, 10000.0, nullptr);
      for (int i = 0; i < hd; ++i) EXPECT_NEAR(y[i], want[i], 1e-4) << hd << " " << pos << " " << i;
    }
  }
}

TEST(OpsRef, ProportionalRopeRotatesPairsAcrossTheWholeHead) {
  const int hd = 512;
  std::vector<float> ff(256, 1.0f);
  for (int i = 64; i < 256; ++i) ff[i] = 1e30f;
  auto x = random_floats(hd, 5);
  auto y = x;
  const int pos = 37;
  ref::rope(y.data(), 1, 1, hd, &pos, RopeSpec{hd, 1e6f, ff.data()});
  auto want = rope_formula(x, hd, hd, pos, 1e6, ff.data());
  for (int i = 0; i < hd; ++i) EXPECT_NEAR(y[i], want[i], 1e-4) << i;
  for (int i = 64; i < 256; ++i) {
    EXPECT_EQ(y[i], x[i]);
    EXPECT_EQ(y[i + 256], x[i + 256]);
  }
  // Pair 1 mixes dims 1 and 257 (not 1 and 65).
  const double theta = pos * std::pow(1e6, -2.0 / 512);
  EXPECT_NEAR(y[1], x[1] * std::cos(theta) - x[257] * std::sin(theta), 1e-5);
}

// Builds a cache of `n_pos` positions, n_kv heads.
struct TestCache {
  int n_kv, hd, cap;
  std::vector<float> k, v;
  KvLayerView view(bool ring) const { return KvLayerView{k.data(), v.data(), cap, ring, nullptr, {}}; }
};

std::vector<double> attention_formula(const float* q, const TestCache& c, int g, int pos, int lo,
                                      bool ring) {
  std::vector<double> s;
  double mx = -1e300;
  for (int j = lo; j <= pos; ++j) {
    const int slot = ring ? j % c.cap : j;
    double d = 0;
    for (int i = 0; i < c.hd; ++i) d += double(q[i]) * c.k[(slot * c.n_kv + g) * c.hd + i];
    s.push_back(d);
    mx = std::max(mx, d);
  }
  double tot = 0;
  for (double& d : s) tot += (d = std::exp(d - mx));
  std::vector<double> out(c.hd, 0.0);
  for (int j = lo; j <= pos; ++j) {
    const int slot = ring ? j % c.cap : j;
    for (int i = 0; i < c.hd; ++i) out[i] += s[j - lo] / tot * c.v[(slot * c.n_kv + g) * c.hd + i];
  }
  return out;
}

TEST(OpsRef, AttentionCausalWindowAndGrouping) {
  for (auto [n_head, n_kv, hd, window] : {std::tuple{4, 2, 16, 0}, {4, 1, 32, 5}, {8, 2, 8, 3}}) {
    const int n_pos = 12;
    TestCache c{n_kv, hd, n_pos, random_floats(n_pos * n_kv * hd, 1), random_floats(n_pos * n_kv * hd, 2)};
    std::vector<std::int32_t> pos{0, 4, 11};
    auto q = random_floats(3 * n_head * hd, 3, 0.5f);
    std::vector<float> out(q.size());
    KvLayerView view = c.view(false);
    AttentionArgs a{q.data(), out.data(), 3, n_head, n_kv, hd, pos.data(), &view, nullptr, window, 1.0f};
    ref::attention(a);
    for (int t = 0; t < 3; ++t)
      for (int h = 0; h < n_head; ++h) {
        const int lo = window > 0 ? std::max(0, pos[t] - window + 1) : 0;
        auto want = attention_formula(&q[(t * n_head + h) * hd], c, h / (n_head / n_kv), pos[t], lo, false);
        for (int i = 0; i < hd; ++i) EXPECT_NEAR(out[(t * n_head + h) * hd + i], want[i], 1e-5);
      }
  }
}

TEST(OpsRef, AttentionReadsARingBuffer) {
  const int n_kv = 1, hd = 8, cap = 6, window = 4;
  TestCache c{n_kv, hd, cap, random_floats(cap * hd, 4), random_floats(cap * hd, 5)};
  auto q = random_floats(hd, 6);
  std::vector<float> out(hd);
  std::int32_t pos = 13;  // slots of 10..13 are 4,5,0,1
  KvLayerView view = c.view(true);
  ref::attention({q.data(), out.data(), 1, 1, n_kv, hd, &pos, &view, nullptr, window, 1.0f});
  auto want = attention_formula(q.data(), c, 0, pos, pos - window + 1, true);
  for (int i = 0; i < hd; ++i) EXPECT_NEAR(out[i], want[i], 1e-5);
}

TEST(OpsRef, SharedKvLayerDerivesKeyFromNormedRawK) {
  const int hd = 64, n_kv = 2, n_pos = 5;
  auto v = random_floats(n_pos * n_kv * hd, 7);
  auto w = random_floats(hd, 8);
  std::vector<float> ff(hd / 2, 1.0f);
  for (int i = 8; i < hd / 2; ++i) ff[i] = 1e30f;
  RopeSpec rope{hd, 1e6f, ff.data()};
  KvLayerView shared{nullptr, v.data(), n_pos, false, w.data(), rope};
  std::vector<float> key(hd);
  ref::load_key(shared, 3, 1, n_kv, hd, key.data());
  std::vector<float> want(hd);
  for (int i = 0; i < hd; ++i) want[i] = v[(3 * n_kv + 1) * hd + i] * w[i];
  auto rotated = rope_formula(want, hd, hd, 3, 1e6, ff.data());
  for (int i = 0; i < hd; ++i) EXPECT_NEAR(key[i], rotated[i], 1e-5);
}

TEST(OpsRef, RouterSoftmaxTopKRenormalise) {
  std::vector<float> logits{0.1f, 2.0f, -1.0f, 2.0f, 0.5f, 1.0f};
  std::vector<ExpertChoice> out(3);
  route_experts(logits.data(), 1, 6, 3, out.data());
  EXPECT_EQ(out[0].expert, 1);  // tie with 3: lower id first
  EXPECT_EQ(out[1].expert, 3);
  EXPECT_EQ(out[2].expert, 5);
  const double z = std::exp(2.0) * 2 + std::exp(1.0);
  EXPECT_NEAR(out[0].weight, std::exp(2.0) / z, 1e-6);
  EXPECT_NEAR(out[2].weight, std::exp(1.0) / z, 1e-6);
  // The clamp: selected mass below 2^-14 is divided by 2^-14, not by itself.
  std::vector<float> far{0.0f, -30.0f, 30.0f};
  route_experts(far.data(), 1, 3, 1, out.data());
  EXPECT_EQ(out[0].expert, 2);
  EXPECT_NEAR(out[0].weight, 1.0, 1e-6);
  route_experts(far.data(), 1, 3, 2, out.data());
  EXPECT_EQ(out[1].expert, 0);
}

// The selection against a plain stable sort of every expert (the definition: higher logit first,
// ties to the lower id), on logits drawn from a few values so that ties are common.
TEST(OpsRef, RouterTopKIsTheStableSortPrefix) {
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> level(-3, 3);
  for (int n : {1, 2, 5, 8, 98, 128}) {
    for (int k : {1, 2, 4, 8}) {
      if (k > n) continue;
      for (int trial = 0; trial < 20; ++trial) {
        std::vector<float> l(n);
        for (float& v : l) v = 0.5f * static_cast<float>(level(rng));
        std::vector<std::int32_t> order(n);
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return l[a] > l[b]; });
        std::vector<ExpertChoice> out(k);
        route_experts(l.data(), 1, n, k, out.data());
        for (int s = 0; s < k; ++s)
          ASSERT_EQ(out[s].expert, order[s]) << "n " << n << " k " << k << " slot " << s;
      }
    }
  }
}

TEST(OpsRef, RouterInputScale) {
  std::vector<float> normed{1.0f, 2.0f, 3.0f, 4.0f}, scale{1.0f, 0.5f, 2.0f, 0.0f}, out(4);
  scale_router_input(normed.data(), scale.data(), out.data(), 1, 4);
  EXPECT_FLOAT_EQ(out[0], 0.5f);
  EXPECT_FLOAT_EQ(out[1], 0.5f);
  EXPECT_FLOAT_EQ(out[2], 3.0f);
  EXPECT_FLOAT_EQ(out[3], 0.0f);
}

TEST(OpsRef, MoeFusedAndSplitMatchTheFormula) {
  const int n_embd = 32, n_ff = 16, n_exp = 4, k = 2, T = 3;
  auto gate_up = make_matrix(quant::Type::F16, 2 * n_ff, n_embd, 11, 0.2f, n_exp);
  auto down = make_matrix(quant::Type::F32, n_embd, n_ff, 12, 0.2f, n_exp);
  std::vector<float> scale{0.5f, 2.0f, 1.5f, 1.0f};
  ExpertWeights fused{gate_up.experts(), {}, {}, down.experts(scale.data())};
  auto x = random_floats(T * n_embd, 13);
  std::vector<ExpertChoice> ch{{2, 0.7f}, {0, 0.3f}, {1, 1.0f}, {3, 0.0f}, {3, 0.6f}, {2, 0.4f}};
  std::vector<float> out(T * n_embd);
  ref::moe({x.data(), ch.data(), T, k, &fused, out.data()});
  for (int t = 0; t < T; ++t) {
    std::vector<double> want(n_embd, 0.0);
    for (int s = 0; s < k; ++s) {
      const int e = ch[t * k + s].expert;
      std::vector<double> act(n_ff);
      for (int j = 0; j < n_ff; ++j) {
        auto g = gate_up.decoded_row(e, j), u = gate_up.decoded_row(e, j + n_ff);
        double gs = 0, us = 0;
        for (int i = 0; i < n_embd; ++i) gs += g[i] * double(x[t * n_embd + i]), us += u[i] * double(x[t * n_embd + i]);
        act[j] = 0.5 * gs * (1 + std::tanh(std::sqrt(2 / M_PI) * (gs + 0.044715 * gs * gs * gs))) * us;
      }
      for (int o = 0; o < n_embd; ++o) {
        auto d = down.decoded_row(e, o);
        double y = 0;
        for (int j = 0; j < n_ff; ++j) y += d[j] * act[j];
        want[o] += ch[t * k + s].weight * scale[e] * y;
      }
    }
    for (int o = 0; o < n_embd; ++o) EXPECT_NEAR(out[t * n_embd + o], want[o], 1e-5);
  }
  // Split gate/up tensors holding the same rows give the same result.
  testing::OwnedMatrix gate = gate_up, up = gate_up;
  gate.rows = up.rows = n_ff;
  gate.bytes.clear();
  up.bytes.clear();
  for (int e = 0; e < n_exp; ++e) {
    auto at = [&](int r) { return gate_up.bytes.begin() + (e * 2 * n_ff + r) * gate_up.row_bytes(); };
    gate.bytes.insert(gate.bytes.end(), at(0), at(n_ff));
    up.bytes.insert(up.bytes.end(), at(n_ff), at(2 * n_ff));
  }
  ExpertWeights split{{}, gate.experts(), up.experts(), down.experts(scale.data())};
  std::vector<float> out2(out.size());
  ref::moe({x.data(), ch.data(), T, k, &split, out2.data()});
  EXPECT_EQ(out, out2);
}

TEST(OpsRef, EmbedScalesDequantisedRows) {
  auto e = make_matrix(quant::Type::F16, 10, 24, 14);
  std::vector<std::int32_t> tok{3, 0, 9};
  std::vector<float> out(3 * 24);
  ref::embed(e.view(), tok.data(), 3, 2.0f, out.data());
  for (int t = 0; t < 3; ++t) {
    auto row = e.decoded_row(0, tok[t]);
    for (int i = 0; i < 24; ++i) EXPECT_EQ(out[t * 24 + i], row[i] * 2.0f);
  }
}

}  // namespace
}  // namespace coderx::model
