// ops_cpu against ops_ref, op by op, swept over sizes, thread counts and every weight type the
// quantiser can write (float types today; block types as they arrive). Quantised activations
// bound the agreement (spec §7.13), hence NMSE thresholds per activation type.
#include "model/ops_cpu.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <mutex>
#include <numeric>
#include <random>
#include <vector>

#include "model/ops_cpu_vec.h"
#include "model/ops_ref.h"
#include "model/quant/half.h"
#include "model/quant/rows.h"
#include "test_weights.h"

namespace coderx::model {
namespace {

using testing::make_matrix;
using testing::nmse;
using testing::random_floats;

std::vector<quant::Type> weight_types() {
  std::vector<quant::Type> out;
  for (const auto& info : quant::all_types())
    if (info.weight_type && quant::can_quantize(info.type)) out.push_back(info.type);
  return out;
}

double tolerance(quant::Type t) {
  switch (quant::info(t).activation_type) {
    case quant::Type::F32: return 1e-10;
    case quant::Type::F16: return 1e-6;
    case quant::Type::BF16: return 1e-4;
    default: return 5e-3;  // 8-bit activations (Q8_K against Q2_K weights is the coarsest)
  }
}

std::int64_t block_cols(quant::Type t, std::int64_t want) {
  const std::int64_t b = quant::info(t).block_elems;
  return std::max(b, (want + b - 1) / b * b);
}

TEST(OpsCpu, ThreadPoolCoversEveryIndexOnce) {
  for (int threads : {1, 2, 3}) {
    ThreadPool pool(threads);
    for (std::int64_t n : {1, 7, 100, 1000}) {
      std::vector<int> hits(static_cast<std::size_t>(n), 0);
      pool.parallel_for(n, 3, [&](std::int64_t b, std::int64_t e) {
        for (std::int64_t i = b; i < e; ++i) ++hits[i];
      });
      for (int h : hits) EXPECT_EQ(h, 1);
    }
  }
}

// Guided chunks: every index once; each chunk starts at a multiple of the grain and is a whole
// number of grains (the last may be cut by n); the first chunks are long and the sizes never
// grow as the job goes on (a thread's later claims are no larger than its earlier ones).
TEST(OpsCpu, GuidedChunksCoverEveryIndexOnceInShrinkingWholeGrains) {
  for (int threads : {1, 2, 3}) {
    ThreadPool pool(threads);
    for (std::int64_t n : {1, 7, 16, 100, 1000, 100000}) {
      for (std::int64_t grain : {1, 4, 16}) {
        std::vector<int> hits(static_cast<std::size_t>(n), 0);
        std::mutex m;
        std::vector<std::pair<std::int64_t, std::int64_t>> chunks;
        pool.parallel_for_guided(n, grain, [&](std::int64_t b, std::int64_t e) {
          for (std::int64_t i = b; i < e; ++i) ++hits[i];
          std::lock_guard lock(m);
          chunks.emplace_back(b, e);
        });
        for (int h : hits) ASSERT_EQ(h, 1) << "n " << n << " grain " << grain;
        std::sort(chunks.begin(), chunks.end());
        for (std::size_t c = 0; c < chunks.size(); ++c) {
          const auto [b, e] = chunks[c];
          EXPECT_EQ(b % grain, 0) << "n " << n << " grain " << grain;
          if (e != n) {
            EXPECT_EQ((e - b) % grain, 0) << "n " << n << " grain " << grain;
          }
          if (c > 0 && e != n) {
            EXPECT_LE(e - b, chunks[c - 1].second - chunks[c - 1].first);
          }
        }
        if (threads > 1 && n >= 16 * grain) {  // the first claim is a share, not one grain
          EXPECT_GE(chunks.front().second, n / (2 * threads) / grain * grain);
          EXPECT_GT(chunks.size(), 1u);
        }
      }
    }
  }
}

TEST(OpsCpu, VectorKernelsMatchDoubleSums) {
  for (std::int64_t n : {1, 7, 8, 33, 256, 1000}) {
    auto a = random_floats(n, 1), b = random_floats(n, 2);
    double want = 0, sq = 0;
    for (std::int64_t i = 0; i < n; ++i) want += double(a[i]) * b[i], sq += double(a[i]) * a[i];
    EXPECT_NEAR(vec::dot(a.data(), b.data(), n), want, 1e-4 * (1 + std::abs(want)));
    EXPECT_NEAR(vec::sum_squares(a.data(), n), sq, 1e-9 * sq);
    auto y = b;
    vec::axpy(0.5f, a.data(), y.data(), n);
    for (std::int64_t i = 0; i < n; ++i) EXPECT_NEAR(y[i], b[i] + 0.5 * a[i], 1e-6);
    // Four at a time (attention): dot4 against four rows, axpy4 with four coefficients.
    auto c = random_floats(n, 3), d = random_floats(n, 4);
    const float* rows[4] = {a.data(), b.data(), c.data(), d.data()};
    float dots[4];
    vec::dot4(b.data(), rows, n, dots);
    for (int j = 0; j < 4; ++j) {
      double w = 0;
      for (std::int64_t i = 0; i < n; ++i) w += double(b[i]) * rows[j][i];
      EXPECT_NEAR(dots[j], w, 1e-4 * (1 + std::abs(w))) << "dot4 row " << j << " n " << n;
    }
    const float coef[4] = {0.5f, -1.25f, 2.0f, 0.125f};
    auto z = d;
    vec::axpy4(coef, rows, z.data(), n);
    for (std::int64_t i = 0; i < n; ++i)
      EXPECT_NEAR(z[i], d[i] + 0.5 * a[i] - 1.25 * b[i] + 2.0 * c[i] + 0.125 * d[i], 1e-5) << "axpy4 " << i;
  }
}

TEST(OpsCpu, MatmulMatchesReferenceForEveryWeightType) {
  for (int threads : {1, 2}) {
    ThreadPool pool(threads);
    CpuOps ops(pool);
    for (quant::Type type : weight_types()) {
      for (auto [rows, want_cols, tokens] : {std::tuple{1, 32, 1}, {17, 256, 1}, {40, 512, 5}, {70, 768, 33}}) {
        const std::int64_t cols = block_cols(type, want_cols);
        auto m = make_matrix(type, rows, cols, 100 + rows);
        auto x = random_floats(static_cast<std::size_t>(cols * tokens), 200 + tokens);
        std::vector<float> want(static_cast<std::size_t>(rows * tokens)), got(want.size());
        ref::matmul(m.view(0.75f), x.data(), tokens, want.data());
        ops.matmul(m.view(0.75f), x.data(), tokens, got.data());
        EXPECT_LE(nmse(got, want), tolerance(type)) << quant::info(type).name << " " << rows << "x" << cols;
      }
    }
  }
}

// A group of projections of one input (one pass over all rows in decode) gives exactly what
// separate matmuls give: row counts that are not whole chunks, mixed weight types of one
// activation type (Q4_K and Q6_K; Q5_0 and Q8_0 with its four-row kernel), 1-7 tokens.
TEST(OpsCpu, MatmulGroupEqualsSeparateMatmulsBitForBit) {
  ThreadPool pool(2);
  CpuOps ops(pool);
  for (auto [t0, t1, t2] : {std::tuple{quant::Type::Q4_K, quant::Type::Q4_K, quant::Type::Q6_K},
                            {quant::Type::Q5_0, quant::Type::Q8_0, quant::Type::Q5_0}}) {
    const std::int64_t cols = 512;
    auto a = make_matrix(t0, 70, cols, 51), b = make_matrix(t1, 33, cols, 52),
         c = make_matrix(t2, 129, cols, 53);
    const Matrix ma = a.view(0.5f), mb = b.view(1.0f), mc = c.view(2.0f);
    for (std::int64_t tokens : {1, 3, 7}) {
      auto x = random_floats(static_cast<std::size_t>(cols * tokens), 54);
      std::vector<float> ya(70 * tokens), yb(33 * tokens), yc(129 * tokens);
      std::vector<float> ga(ya.size()), gb(yb.size()), gc(yc.size());
      ops.matmul(ma, x.data(), tokens, ya.data());
      ops.matmul(mb, x.data(), tokens, yb.data());
      ops.matmul(mc, x.data(), tokens, yc.data());
      const Projection group[3] = {{&ma, ga.data()}, {&mb, gb.data()}, {&mc, gc.data()}};
      ops.matmul_group(group, x.data(), tokens);
      EXPECT_EQ(ga, ya) << quant::info(t0).name << " tokens " << tokens;
      EXPECT_EQ(gb, yb) << quant::info(t1).name << " tokens " << tokens;
      EXPECT_EQ(gc, yc) << quant::info(t2).name << " tokens " << tokens;
    }
  }
}

// llama.cpp's lookup GELU by its definition (spec §7.13): fp16(gelu_tanh(x)) at the fp16
// rounding of x, for −10 < x < 10; 0 at or below, x at or above.
float lookup_gelu(float x) {
  if (x <= -10.0f) return 0.0f;
  if (x >= 10.0f) return x;
  const float h = quant::f16_to_f32(quant::f32_to_f16(x));
  const float g =
      0.5f * h *
      (1.0f + std::tanh(0.79788456080286535587989211986876f * h * (1.0f + 0.044715f * h * h)));
  return quant::f16_to_f32(quant::f32_to_f16(g));
}

TEST(OpsCpu, NormGegluRopeEmbedMatchReference) {
  ThreadPool pool(2);
  CpuOps ops(pool);
  for (std::int64_t n : {4, 64, 256, 2816}) {
    auto x = random_floats(static_cast<std::size_t>(5 * n), 3, 3.0f), w = random_floats(n, 4);
    std::vector<float> a(x.size()), b(x.size());
    ref::rms_norm(x.data(), w.data(), a.data(), 5, n, 1e-6f);
    ops.rms_norm(x.data(), w.data(), b.data(), 5, n, 1e-6f);
    EXPECT_LE(nmse(b, a), 1e-12);
    ref::geglu(x.data(), x.data() + n, a.data(), 2, n, 2 * n, n);
    ops.geglu(x.data(), x.data() + n, b.data(), 2, n, 2 * n, n);
    EXPECT_LE(nmse(b.data(), a.data(), 2 * n), 1e-6);  // fp16 GELU table, as llama.cpp's CPU
  }
  // Rows split into chunks for the threads: each row exactly as the vector kernel gives it.
  for (std::int64_t n : {704, 1024, 2112, 3000}) {
    for (std::int64_t rows : {1, 3, 8}) {
      const auto gu = random_floats(static_cast<std::size_t>(rows * 2 * n), 7, 4.0f);
      std::vector<float> got(static_cast<std::size_t>(rows * n), -1.0f), want(got.size());
      ops.geglu(gu.data(), gu.data() + n, got.data(), rows, n, 2 * n, n);
      for (std::int64_t r = 0; r < rows; ++r)
        for (std::int64_t i = 0; i < n; ++i)
          want[r * n + i] = lookup_gelu(gu[r * 2 * n + i]) * gu[r * 2 * n + n + i];
      EXPECT_EQ(std::memcmp(got.data(), want.data(), got.size() * sizeof(float)), 0)
          << "n " << n << " rows " << rows;
    }
  }
  std::vector<float> ff(64, 1.0f);
  for (int i = 16; i < 64; ++i) ff[i] = 1e30f;
  for (RopeSpec spec : {RopeSpec{64, 10000.0f, nullptr}, RopeSpec{128, 1e6f, ff.data()}}) {
    auto x = random_floats(static_cast<std::size_t>(3 * 2 * spec.n_dims), 5);
    auto a = x, b = x;
    std::vector<std::int32_t> pos{0, 9, 1000};
    ref::rope(a.data(), 3, 2, spec.n_dims, pos.data(), spec);
    ops.rope(b.data(), 3, 2, spec.n_dims, pos.data(), spec);
    EXPECT_LE(nmse(b, a), 1e-13);
    // Decode-sized calls (memoised angles) and a prefill-sized one, at repeated positions.
    for (std::int64_t n_tok : {1, 4, 20}) {
      auto xs = random_floats(static_cast<std::size_t>(n_tok * 2 * spec.n_dims), 6);
      auto want = xs, got = xs;
      std::vector<std::int32_t> ps(static_cast<std::size_t>(n_tok));
      for (std::int64_t t = 0; t < n_tok; ++t) ps[t] = static_cast<std::int32_t>(5 + t % 3);
      ref::rope(want.data(), n_tok, 2, spec.n_dims, ps.data(), spec);
      ops.rope(got.data(), n_tok, 2, spec.n_dims, ps.data(), spec);
      EXPECT_LE(nmse(got, want), 1e-13) << "tokens " << n_tok;
    }
  }
  auto e = make_matrix(quant::Type::F16, 50, 64, 6);
  std::vector<std::int32_t> tok{4, 49, 0};
  std::vector<float> a(3 * 64), b(3 * 64);
  ref::embed(e.view(), tok.data(), 3, 8.0f, a.data());
  ops.embed(e.view(), tok.data(), 3, 8.0f, b.data());
  EXPECT_EQ(a, b);
}

TEST(OpsCpu, AttentionMatchesReferenceOnRingsAndSharedLayers) {
  ThreadPool pool(2);
  CpuOps ops(pool);
  const std::int64_t n_head = 8, n_kv = 2, hd = 64, cap = 10;
  auto k = random_floats(cap * n_kv * hd, 7), v = random_floats(cap * n_kv * hd, 8);
  auto kn = random_floats(hd, 9);
  std::vector<float> ff(hd / 2, 1.0f);
  for (std::int64_t i = 8; i < hd / 2; ++i) ff[i] = 1e30f;
  RopeSpec rope{hd, 1e6f, ff.data()};
  const std::int64_t rot = ref::rope_rotating_pairs(rope);
  ASSERT_EQ(rot, 8);
  std::vector<float> kc(cap * rot), ks(cap * rot), c(hd / 2), s(hd / 2);
  for (std::int64_t p = 0; p < cap; ++p) {  // shared layer: positions 0..9 in slots 0..9
    ref::rope_angles(p, rope, c.data(), s.data());
    std::copy_n(c.data(), rot, kc.data() + p * rot);
    std::copy_n(s.data(), rot, ks.data() + p * rot);
  }
  KvLayerView ring{k.data(), v.data(), cap, true, nullptr, {}};
  KvLayerView shared{nullptr, v.data(), cap, false, kn.data(), rope, kc.data(), ks.data(), rot};
  std::vector<std::int32_t> pos{3, 9, 25};  // 25 only valid for the ring
  auto q = random_floats(3 * n_head * hd, 10, 0.3f);
  for (auto [view, window, n_tok] : {std::tuple{ring, 6, 3}, {shared, 0, 2}, {ring, 0, 2}}) {
    std::vector<float> a(q.size()), b(q.size());
    AttentionArgs args{q.data(), a.data(), n_tok, n_head, n_kv, hd, pos.data(), &view, nullptr, window, 1.0f};
    ref::attention(args);
    args.out = b.data();
    ops.attention(args);
    EXPECT_LE(nmse(b.data(), a.data(), n_tok * n_head * hd), 1e-11);
  }
}

// Prefill attention goes in blocks of tokens over key tiles; every token's output must equal,
// bit for bit, the same token attended alone (a decode step), and match the reference. Long
// enough for several blocks of 16 tokens (the last of an odd count) and tiles of 32 keys; with
// two query heads per kv head a block takes its tokens two by two (dot4x4 and axpy4x4 over both
// tokens' heads); plain, windowed (a window of 45
// spans two tiles, so a block's tokens start their groups of four at different tile offsets)
// and K = V layers; two sequences interleaved in one batch; f32, f16 and q8_0 caches (the
// reference reads the same rows, so the two agree as closely as on f32). Groups of 8, 4, 2 and 1
// query heads per kv head: decode reads f16 rows in place (dot4x4/dot4x2 on half rows; values
// through axpy_heads from four heads on, axpy4x2 below), plainly stored or interleaved by four
// slots as KvCache stores them.
TEST(OpsCpu, BlockedAttentionEqualsOneTokenStepsBitForBit) {
  ThreadPool pool(2);
  CpuOps ops(pool);
  const std::int64_t n_kv = 2, hd = 64, cap = 96, n_tok = 91;  // blocks of 16, the last odd
  auto k = random_floats(cap * n_kv * hd, 21), v = random_floats(cap * n_kv * hd, 22);
  auto k2 = random_floats(cap * n_kv * hd, 23), v2 = random_floats(cap * n_kv * hd, 24);
  auto kn = random_floats(hd, 25);
  std::vector<float> ff(hd / 2, 1.0f);
  RopeSpec rope{hd, 1e6f, ff.data()};
  const std::int64_t rot = ref::rope_rotating_pairs(rope);
  std::vector<float> kc(cap * rot), ks(cap * rot), c(hd / 2), s(hd / 2);
  for (std::int64_t p = 0; p < cap; ++p) {
    ref::rope_angles(p, rope, c.data(), s.data());
    std::copy_n(c.data(), rot, kc.data() + p * rot);
    std::copy_n(s.data(), rot, ks.data() + p * rot);
  }
  KvLayerView plain{k.data(), v.data(), cap, false, nullptr, {}};
  KvLayerView other{k2.data(), v2.data(), cap, false, nullptr, {}};
  KvLayerView shared{nullptr, v.data(), cap, false, kn.data(), rope, kc.data(), ks.data(), rot};
  // The same rows as an f16 cache.
  auto half = [](const std::vector<float>& x) {
    std::vector<std::uint16_t> h(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) h[i] = quant::f32_to_f16(x[i]);
    return h;
  };
  const auto k16 = half(k), v16 = half(v);
  KvLayerView plain16{}, shared16 = shared;
  plain16.capacity = cap;
  plain16.k16 = k16.data(), plain16.v16 = v16.data();
  shared16.v = nullptr, shared16.v16 = v16.data();
  // And interleaved: head-major, slots 4s … 4s+3 of a head chunk by chunk, eight elements each.
  auto interleave = [&](const std::vector<std::uint16_t>& x) {
    std::vector<std::uint16_t> y(x.size());
    for (std::int64_t slot = 0; slot < cap; ++slot)
      for (std::int64_t g = 0; g < n_kv; ++g)
        for (std::int64_t i = 0; i < hd; ++i)
          y[(g * cap + slot / 4 * 4) * hd + i / 8 * 32 + slot % 4 * 8 + i % 8] =
              x[(slot * n_kv + g) * hd + i];
    return y;
  };
  const auto k16i = interleave(k16), v16i = interleave(v16);
  KvLayerView mixed16 = plain16, shared16i = shared16;
  mixed16.head_major = mixed16.interleaved = true;
  mixed16.k16 = k16i.data(), mixed16.v16 = v16i.data();
  shared16i.head_major = shared16i.interleaved = true;
  shared16i.v16 = v16i.data();
  // And as a q8_0 cache: Q8_0 blocks of the reference quantiser, rows in the f32 order.
  auto q8 = [](const std::vector<float>& x) {
    std::vector<std::uint8_t> b(x.size() / 32 * 34);
    quant::quantize_row(quant::Type::Q8_0, x.data(), b.data(), static_cast<std::int64_t>(x.size()));
    return b;
  };
  const auto k8 = q8(k), v8 = q8(v);
  KvLayerView plain8{}, shared8 = shared;
  plain8.capacity = cap;
  plain8.k8 = k8.data(), plain8.v8 = v8.data();
  shared8.v = nullptr, shared8.v8 = v8.data();
  std::vector<std::int32_t> pos(n_tok), seq(n_tok);
  for (std::int64_t t = 0; t < n_tok; ++t) pos[t] = static_cast<std::int32_t>(t);
  for (std::int64_t n_head : {16, 8, 4, 2}) {
    std::map<std::pair<int, bool>, std::vector<float>> by_layout;  // f16 outputs by window, K = V
    auto q = random_floats(n_tok * n_head * hd, 26, 0.3f);
    const std::int64_t row = n_head * hd;
    for (auto [first, second, window, two_seqs] : {std::tuple{plain, plain, 0, false},
                                                   {plain, plain, 13, false},
                                                   {plain, plain, 45, false},
                                                   {shared, shared, 0, false},
                                                   {plain, other, 0, true},
                                                   {plain16, plain16, 45, false},
                                                   {shared16, shared16, 0, false},
                                                   {mixed16, mixed16, 45, false},
                                                   {mixed16, mixed16, 0, false},
                                                   {shared16i, shared16i, 0, false},
                                                   {plain8, plain8, 45, false},
                                                   {plain8, plain8, 0, false},
                                                   {shared8, shared8, 0, false}}) {
      const KvLayerView views[2] = {first, second};
      std::vector<std::int32_t> positions = pos;
      if (two_seqs)  // tokens alternate between the sequences: 0,0,1,1,2,2,... in each
        for (std::int64_t t = 0; t < n_tok; ++t)
          seq[t] = t % 2, positions[t] = static_cast<std::int32_t>(t / 2);
      std::vector<float> batch(q.size()), steps(q.size()), want(q.size());
      AttentionArgs args{q.data(),         batch.data(), n_tok,
                         n_head,           n_kv,         hd,
                         positions.data(), views,        two_seqs ? seq.data() : nullptr,
                         window,           1.0f};
      ops.attention(args);
      args.out = want.data();
      ref::attention(args);
      EXPECT_LE(nmse(batch.data(), want.data(), n_tok * row), 1e-11) << "window " << window;
      for (std::int64_t t = 0; t < n_tok; ++t) {
        AttentionArgs one = args;
        one.q = q.data() + t * row;
        one.out = steps.data() + t * row;
        one.n_tokens = 1;
        one.positions = positions.data() + t;
        one.seq = two_seqs ? seq.data() + t : nullptr;
        ops.attention(one);
      }
      EXPECT_EQ(std::memcmp(batch.data(), steps.data(), batch.size() * sizeof(float)), 0)
          << "window " << window << " shared " << first.shared() << " two sequences " << two_seqs
          << " f16 " << first.f16() << " q8 " << first.q8() << " heads " << n_head;
      // The same rows interleaved: the same bits as stored plainly.
      if (first.f16()) {
        auto& seen = by_layout[{window, first.shared()}];
        if (seen.empty())
          seen = batch;
        else
          EXPECT_EQ(seen, batch) << "window " << window << " shared " << first.shared();
      }
    }
  }
}

TEST(OpsCpu, MoeGroupedPerExpertMatchesReference) {
  ThreadPool pool(2);
  CpuOps ops(pool);
  for (quant::Type type : weight_types()) {
    for (auto [n_exp, k, tokens] : {std::tuple{4, 1, 1}, {8, 2, 7}, {32, 8, 20}}) {
      const bool common = type == quant::Type::F16 || type == quant::Type::Q4_K || type == quant::Type::Q8_0;
      if (n_exp == 32 && !common) continue;  // the wide case for the types of real files only
      const std::int64_t n_embd = block_cols(type, 64), n_ff = block_cols(type, 32);
      auto gu = make_matrix(type, 2 * n_ff, n_embd, 11, 0.2f, n_exp);
      auto down = make_matrix(type, n_embd, n_ff, 12, 0.2f, n_exp);
      auto scale = random_floats(n_exp, 13);
      ExpertWeights w{gu.experts(), {}, {}, down.experts(scale.data())};
      auto x = random_floats(static_cast<std::size_t>(tokens * n_embd), 14);
      std::mt19937 rng(tokens);
      std::vector<ExpertChoice> ch;
      for (int t = 0; t < tokens; ++t) {
        std::vector<int> ids(n_exp);
        std::iota(ids.begin(), ids.end(), 0);
        std::shuffle(ids.begin(), ids.end(), rng);
        for (int s = 0; s < k; ++s) ch.push_back({ids[s], 1.0f / (s + 1)});
      }
      std::vector<float> a(x.size()), b(x.size());
      ref::moe({x.data(), ch.data(), tokens, k, &w, a.data()});
      ops.moe({x.data(), ch.data(), tokens, k, &w, b.data()});
      // + 1e-6: the fp16 GELU table (llama.cpp's) inside the experts
      EXPECT_LE(nmse(b, a), tolerance(type) + 1e-6) << quant::info(type).name << " " << n_exp;
    }
  }
}

}  // namespace
}  // namespace coderx::model
