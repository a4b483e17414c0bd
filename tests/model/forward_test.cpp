// The forward pass on in-memory random models: the fast op set against the reference op set
// across shapes (expert counts, top-k, head dims, windows shorter than the sequence, weight
// types, fused and split experts); token-by-token decode against one-shot prefill; decoding
// far past the sliding window through the ring against a linear reference cache.
#include "model/forward.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "model/ops_cpu.h"
#include "model/ops_ref.h"
#include "tiny_model.h"

namespace coderx::model {
namespace {

using testing::TinyModel;
using testing::TinySpec;

std::vector<std::int32_t> token_sequence(std::int64_t n, std::int64_t vocab, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<std::int32_t> t(static_cast<std::size_t>(n));
  for (auto& v : t) v = static_cast<std::int32_t>(rng() % vocab);
  return t;
}

std::vector<float> all_logits(const ModelView& m, Ops& ops, const std::vector<std::int32_t>& toks,
                              KvCacheOptions opt, std::int64_t max_chunk = 512) {
  KvCache cache(m, opt);
  Forward f(m, ops);
  std::vector<float> logits(toks.size() * static_cast<std::size_t>(m.dims.n_vocab));
  f.prefill(toks, cache, logits.data(), true, max_chunk);
  return logits;
}

std::vector<float> decode_logits(const ModelView& m, Ops& ops, const std::vector<std::int32_t>& toks,
                                 KvCacheOptions opt) {
  KvCache cache(m, opt);
  Forward f(m, ops);
  const std::size_t v = static_cast<std::size_t>(m.dims.n_vocab);
  std::vector<float> logits(toks.size() * v);
  for (std::size_t i = 0; i < toks.size(); ++i)
    f.prefill(std::span(toks).subspan(i, 1), cache, logits.data() + i * v, false);
  return logits;
}

// Argmax per row must agree wherever the reference's top-2 gap exceeds 1e-3.
void expect_same_greedy(const std::vector<float>& fast, const std::vector<float>& ref, std::int64_t vocab) {
  for (std::size_t r = 0; r * vocab < ref.size(); ++r) {
    const float* a = fast.data() + r * vocab;
    const float* b = ref.data() + r * vocab;
    std::vector<float> sorted(b, b + vocab);
    std::partial_sort(sorted.begin(), sorted.begin() + 2, sorted.end(), std::greater<>());
    if (sorted[0] - sorted[1] <= 1e-3f) continue;
    EXPECT_EQ(std::max_element(a, a + vocab) - a, std::max_element(b, b + vocab) - b) << "row " << r;
  }
}

struct Case {
  const char* name;
  TinySpec spec;
  double max_nmse;
};

std::vector<Case> cases() {
  std::vector<Case> c;
  TinySpec s;
  c.push_back({"default_f16", s, 1e-4});
  s.type = quant::Type::F32; s.n_expert = 4; s.n_expert_used = 1; s.fused = false;
  c.push_back({"f32_split_4x1", s, 1e-6});  // the fp16 GELU table is the only rounding
  s = TinySpec{}; s.type = quant::Type::BF16; s.n_expert = 16; s.n_expert_used = 8; s.hd_swa = 32; s.hd_full = 64;
  c.push_back({"bf16_16x8_wide_heads", s, 1e-3});
  s = TinySpec{}; s.n_expert = 128; s.n_expert_used = 8; s.window = 3; s.kv_swa = 4; s.kv_full = 2;
  c.push_back({"f16_128x8_window3", s, 1e-4});
  // Block-quantised weights: the fast path rounds activations to 8 bits (spec §7.13).
  s = TinySpec{}; s.type = quant::Type::Q8_0; s.n_expert = 8; s.n_expert_used = 4;
  c.push_back({"q8_0_8x4", s, 1e-2});
  s = TinySpec{}; s.type = quant::Type::Q4_K; s.n_embd = 256; s.hd_swa = 64; s.hd_full = 64;
  s.n_head = 4; s.n_ff = 256; s.n_ff_exp = 256; s.n_expert = 4; s.n_expert_used = 2; s.fused = false;
  c.push_back({"q4_k_split_4x2", s, 1e-2});
  return c;
}

TEST(Forward, FastPathMatchesReferenceAcrossShapes) {
  ThreadPool pool(2);
  for (const Case& c : cases()) {
    TinyModel model(c.spec);
    const auto toks = token_sequence(20, c.spec.n_vocab, 7);
    ref::RefOps ref_ops;
    CpuOps cpu_ops(pool);
    KvCacheOptions opt{64, 4};
    const auto want = all_logits(model.view(), ref_ops, toks, opt);
    const auto got = all_logits(model.view(), cpu_ops, toks, opt);
    EXPECT_LE(testing::nmse(got, want), c.max_nmse) << c.name;
    if (c.max_nmse < 1e-3) expect_same_greedy(got, want, c.spec.n_vocab);
  }
}

// Also with an f16 or a q8_0 K/V cache (EngineOptions::kv_type) on the fast path, whose logits
// stay close to the f32 cache's (rounding of K and V only). The q8_0 case uses head dims of 32
// and 64, whole Q8_0 blocks, so that every layer really is q8_0.
TEST(Forward, TokenByTokenDecodeEqualsOneShotPrefill) {
  ThreadPool pool(2);
  ref::RefOps ref_ops;
  CpuOps cpu_ops(pool);
  const KvCacheOptions opt{64, 8}, half{64, 8, KvType::f16}, q8{64, 8, KvType::q8_0};
  for (const std::int64_t hd_swa : {16, 32}) {
    TinySpec s;
    s.hd_swa = hd_swa, s.hd_full = 2 * hd_swa;
    TinyModel model(s);
    const auto toks = token_sequence(19, s.n_vocab, 3);
    for (auto [ops, kv] : {std::pair<Ops*, KvCacheOptions>{&ref_ops, opt},
                           {&cpu_ops, opt},
                           {&cpu_ops, half},
                           {&cpu_ops, q8}}) {
      SCOPED_TRACE(::testing::Message() << "hd " << hd_swa << " " << kv_type_name(kv.type));
      const auto batch = all_logits(model.view(), *ops, toks, kv);
      const auto steps = decode_logits(model.view(), *ops, toks, kv);
      const auto chunked = all_logits(model.view(), *ops, toks, kv, 5);
      EXPECT_LE(testing::nmse(steps, batch), 1e-12);
      EXPECT_LE(testing::nmse(chunked, batch), 1e-12);
    }
    const auto exact = all_logits(model.view(), cpu_ops, toks, opt);
    const double half_drift = testing::nmse(all_logits(model.view(), cpu_ops, toks, half), exact);
    const double q8_drift = testing::nmse(all_logits(model.view(), cpu_ops, toks, q8), exact);
    std::printf("hd %lld: K/V drift from f32: f16 %.3g, q8_0 %.3g\n",
                static_cast<long long>(hd_swa), half_drift, q8_drift);
    EXPECT_GT(half_drift, 0.0);  // the cache really is half
    EXPECT_LE(half_drift, 1e-5);
    EXPECT_GT(q8_drift, half_drift);  // and this one really is 8-bit
    EXPECT_LE(q8_drift, 1e-3);
  }
}

TEST(Forward, DecodingFarPastTheWindowStaysExact) {
  ThreadPool pool(2);
  TinySpec s;
  s.window = 4;
  TinyModel model(s);
  const auto toks = token_sequence(48, s.n_vocab, 11);
  ref::RefOps ref_ops;
  CpuOps cpu_ops(pool);
  // Reference: linear cache (no ring). Fast: ring of window + 2 slots, wrapped 8 times.
  const auto want = all_logits(model.view(), ref_ops, toks, KvCacheOptions{64, 64});
  const auto got = decode_logits(model.view(), cpu_ops, toks, KvCacheOptions{64, 2});
  const auto ref_ring = decode_logits(model.view(), ref_ops, toks, KvCacheOptions{64, 2});
  EXPECT_LE(testing::nmse(ref_ring, want), 1e-12);
  EXPECT_LE(testing::nmse(got, want), 1e-4);
  expect_same_greedy(got, want, s.n_vocab);
}

TEST(Forward, KvCacheTruncationRules) {
  TinySpec s;
  s.window = 4;
  TinyModel model(s);
  KvCache cache(model.view(), KvCacheOptions{64, 3});
  EXPECT_EQ(cache.max_batch(), 3);
  cache.set_n_past(20);
  EXPECT_TRUE(cache.can_truncate_to(17));
  EXPECT_FALSE(cache.can_truncate_to(16));
  EXPECT_FALSE(cache.can_truncate_to(21));
  EXPECT_GT(cache.bytes_per_full_position(), 0u);
}

}  // namespace
}  // namespace coderx::model
