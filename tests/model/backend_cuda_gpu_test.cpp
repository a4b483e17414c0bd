// The CUDA backend (model/backend_cuda.h) against the CPU reference ops (RefOps through the CPU
// backend, the f64 oracle) on generated tiny models: several weight types, both head-dim pairs
// (64/128 and 256/512), GQA groups 2/4/8, expert counts and top-k, fused and split experts,
// prompts longer than the sliding window (ring caches, chunked prefill through the grouped MoE
// kernel) and decode steps (8-token GEMV / MoE decode kernels, CUDA graphs). Checks: logits
// NMSE ≤ 1e-4 on every row, greedy tokens identical wherever the reference is not a near tie,
// graph replay bit-identical to direct launches, batched decode equal to solo decode, and a
// GGUF written by model/test_model.h (Q4_K_M preset) through ModelFile.
// Label gpu: skips with the reason when the binary has no CUDA or the machine no device.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "model/backend_cpu.h"
#include "model/backend_cuda.h"
#include "model/model_file.h"
#include "model/test_model.h"
#include "tests/support/paths.h"
#include "tiny_model.h"

namespace coderx::model {
namespace {

#define REQUIRE_CUDA_DEVICE()                                                         \
  do {                                                                                \
    const DeviceProbe probe_ = probe_cuda();                                          \
    if (!probe_.cuda_built || !probe_.unavailable.empty())                            \
      GTEST_SKIP() << "no CUDA device: " << probe_.unavailable;                       \
  } while (0)

constexpr std::int64_t kContext = 96, kSlack = 24;  // prefill chunks of up to 24 tokens (grouped MoE)

double nmse(const float* got, const float* want, std::int64_t n) {
  double num = 0, den = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    if (!std::isfinite(got[i])) return INFINITY;
    num += (double(got[i]) - want[i]) * (double(got[i]) - want[i]);
    den += double(want[i]) * want[i];
  }
  return den > 0 ? num / den : num;
}

std::int32_t argmax(const float* row, std::int64_t n) {
  return static_cast<std::int32_t>(std::max_element(row, row + n) - row);
}

float top2_gap(const float* row, std::int64_t n) {
  std::vector<float> v(row, row + n);
  std::partial_sort(v.begin(), v.begin() + 2, v.end(), std::greater<>());
  return v[0] - v[1];
}

std::vector<std::int32_t> prompt(std::int64_t n, std::int64_t vocab, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<std::int32_t> t(static_cast<std::size_t>(n));
  for (auto& v : t) v = static_cast<std::int32_t>(rng() % vocab);
  return t;
}

// gemm_min_tokens 9: every prefill chunk (at most kSlack = 24 tokens here) takes the cuBLAS path.
std::unique_ptr<Backend> cuda_backend(const ModelView& m, bool graphs = true, std::int64_t gemm_min_tokens = 9) {
  CudaBackendOptions o;
  o.max_context = kContext;
  o.slack = kSlack;
  o.max_tokens = 64;
  o.use_graphs = graphs;
  o.gemm_min_tokens = gemm_min_tokens;
  // Prefills of 9+ tokens (the GEMM threshold) take the tensor-core attention too; the GEMV
  // test (default thresholds) keeps the split-K kernel.
  o.tc_attention_min_rows = gemm_min_tokens < 64 ? 0 : CudaBackendOptions{}.tc_attention_min_rows;
  auto b = make_cuda_backend(m, o);
  EXPECT_TRUE(b) << (b ? "" : b.error().message);
  return b ? std::move(*b) : nullptr;
}

std::unique_ptr<Backend> reference_backend(const ModelView& m) {
  return std::make_unique<CpuBackend>(m, CpuBackendOptions{0, true, KvCacheOptions{kContext, kSlack}});
}

// Logits of every prompt position (chunked prefill), then `steps` decode steps feeding `feed`
// (the reference's greedy tokens, so both backends see the same sequence). Rows: [n_rows, vocab].
std::vector<float> run(Backend& b, const std::vector<std::int32_t>& toks, const std::vector<std::int32_t>& feed) {
  const std::int64_t v = b.n_vocab();
  auto cache = b.new_sequence();
  std::vector<float> out((toks.size() + feed.size()) * static_cast<std::size_t>(v));
  EXPECT_TRUE(b.prefill(toks, *cache, out.data(), true, 512));
  float* row = out.data() + toks.size() * v;
  for (std::int32_t t : feed) {
    const std::vector<std::int32_t> one{t}, pos{static_cast<std::int32_t>(cache->n_past())}, rows{0};
    KvState* caches[1] = {cache.get()};
    EXPECT_TRUE(b.run(BackendBatch{one, pos, {}, caches, rows, row}));
    row += v;
  }
  return out;
}

// Greedy continuation of the reference from the prompt's last row.
std::vector<std::int32_t> greedy_feed(Backend& ref, const std::vector<std::int32_t>& toks, int steps) {
  const std::int64_t v = ref.n_vocab();
  auto cache = ref.new_sequence();
  std::vector<float> row(static_cast<std::size_t>(v));
  EXPECT_TRUE(ref.prefill(toks, *cache, row.data(), false, 512));
  std::vector<std::int32_t> feed;
  for (int s = 0; s < steps; ++s) {
    feed.push_back(argmax(row.data(), v));
    const std::vector<std::int32_t> one{feed.back()}, pos{static_cast<std::int32_t>(cache->n_past())}, rows{0};
    KvState* caches[1] = {cache.get()};
    EXPECT_TRUE(ref.run(BackendBatch{one, pos, {}, caches, rows, row.data()}));
  }
  feed.pop_back();  // the last token is only needed as the next input of nothing
  return feed;
}

void compare_with_reference(const ModelView& m, std::int64_t prompt_len, const std::string& what,
                            std::int64_t gemm_min_tokens = 9) {
  auto ref = reference_backend(m);
  auto gpu = cuda_backend(m, true, gemm_min_tokens);
  ASSERT_TRUE(gpu) << what;
  const std::int64_t v = m.lm_head().rows;
  const auto toks = prompt(prompt_len, m.dims.n_vocab, 11);
  const auto feed = greedy_feed(*ref, toks, 9);
  const auto want = run(*ref, toks, feed);
  const auto got = run(*gpu, toks, feed);
  const std::size_t rows = want.size() / static_cast<std::size_t>(v);
  for (std::size_t r = 0; r < rows; ++r) {
    const float* w = want.data() + r * v;
    const float* g = got.data() + r * v;
    EXPECT_LE(nmse(g, w, v), 1e-4) << what << " row " << r;
    if (top2_gap(w, v) > 1e-3f) {
      EXPECT_EQ(argmax(g, v), argmax(w, v)) << what << " greedy token of row " << r;
    }
  }
}

struct Variant {
  const char* name;
  quant::Type type;
  std::int64_t n_embd, n_head, hd_swa, hd_full, kv_swa, kv_full, n_expert, k;
  bool fused;
};

const Variant kVariants[] = {
    {"F16_hd64_g2g4_e8k2", quant::Type::F16, 256, 4, 64, 128, 2, 1, 8, 2, true},
    {"Q8_0_hd64_split_e16k4", quant::Type::Q8_0, 256, 4, 64, 128, 2, 1, 16, 4, false},
    {"Q4_K_hd256_g2g8_e32k8", quant::Type::Q4_K, 256, 8, 256, 512, 4, 1, 32, 8, true},
    {"Q6_K_hd128_e8k2", quant::Type::Q6_K, 256, 4, 128, 128, 2, 2, 8, 2, true},
    {"Q4_0_hd64_e16k4", quant::Type::Q4_0, 256, 4, 64, 128, 2, 1, 16, 4, true},
    {"Q5_0_hd64_e8k2", quant::Type::Q5_0, 256, 4, 64, 128, 2, 1, 8, 2, false},
    {"BF16_hd256_e8k2", quant::Type::BF16, 256, 8, 256, 512, 4, 1, 8, 2, true},
};

class BackendCudaVsReference : public ::testing::TestWithParam<Variant> {};

TEST_P(BackendCudaVsReference, LogitsAndGreedyTokensMatch) {
  REQUIRE_CUDA_DEVICE();
  const Variant& p = GetParam();
  testing::TinySpec s;
  s.type = p.type;
  s.n_embd = p.n_embd, s.n_head = p.n_head, s.hd_swa = p.hd_swa, s.hd_full = p.hd_full;
  s.kv_swa = p.kv_swa, s.kv_full = p.kv_full, s.n_expert = p.n_expert, s.n_expert_used = p.k;
  s.fused = p.fused;
  s.n_ff = 256, s.n_ff_exp = 256, s.n_vocab = 320, s.window = 16, s.n_layer = 4, s.full_every = 2;
  testing::TinyModel tiny(s);
  compare_with_reference(tiny.view(), 5, std::string(p.name) + " short");
  compare_with_reference(tiny.view(), 41, std::string(p.name) + " past the window");
}

INSTANTIATE_TEST_SUITE_P(Models, BackendCudaVsReference, ::testing::ValuesIn(kVariants),
                         [](const auto& info) { return std::string(info.param.name); });

testing::TinySpec small_spec() {
  testing::TinySpec s;
  s.n_embd = 256, s.n_head = 4, s.hd_swa = 64, s.hd_full = 128, s.n_ff = 256, s.n_ff_exp = 256;
  s.n_vocab = 320, s.window = 16, s.n_layer = 3;
  return s;
}

// With the default threshold the prefill chunks (24 and 17 tokens) run their projections as
// 8-token GEMV slices instead of cuBLAS GEMMs.
TEST(BackendCudaGpu, ShortPrefillsTakeTheGemvPath) {
  REQUIRE_CUDA_DEVICE();
  testing::TinyModel tiny(small_spec());
  compare_with_reference(tiny.view(), 41, "GEMV prefill", CudaBackendOptions{}.gemm_min_tokens);
}

TEST(BackendCudaGpu, GraphReplayIsBitIdenticalToDirectLaunches) {
  REQUIRE_CUDA_DEVICE();
  testing::TinyModel tiny(small_spec());
  auto graphs = cuda_backend(tiny.view(), true), direct = cuda_backend(tiny.view(), false);
  ASSERT_TRUE(graphs && direct);
  const auto toks = prompt(20, 320, 3);
  const std::vector<std::int32_t> feed{5, 17, 99, 5, 230, 8, 8, 41, 300, 2, 7, 1};
  EXPECT_EQ(run(*graphs, toks, feed), run(*direct, toks, feed));
}

TEST(BackendCudaGpu, BatchedDecodeEqualsSoloDecode) {
  REQUIRE_CUDA_DEVICE();
  testing::TinyModel tiny(small_spec());
  auto gpu = cuda_backend(tiny.view());
  ASSERT_TRUE(gpu);
  const std::int64_t v = 320;
  const auto a = prompt(12, v, 4), b = prompt(30, v, 5);
  const std::vector<std::int32_t> fa{3, 9, 27}, fb{44, 12, 200};
  const auto solo_a = run(*gpu, a, fa), solo_b = run(*gpu, b, fb);
  auto ca = gpu->new_sequence(), cb = gpu->new_sequence();
  std::vector<float> scratch(30 * v), pair(2 * v);
  ASSERT_TRUE(gpu->prefill(a, *ca, scratch.data(), true, 512));
  ASSERT_TRUE(gpu->prefill(b, *cb, scratch.data(), true, 512));
  for (std::size_t step = 0; step < fa.size(); ++step) {
    const std::vector<std::int32_t> toks{fa[step], fb[step]}, seq{0, 1}, rows{0, 1};
    const std::vector<std::int32_t> pos{static_cast<std::int32_t>(ca->n_past()), static_cast<std::int32_t>(cb->n_past())};
    KvState* caches[2] = {ca.get(), cb.get()};
    ASSERT_TRUE(gpu->run(BackendBatch{toks, pos, seq, caches, rows, pair.data()}));
    EXPECT_LE(nmse(pair.data(), solo_a.data() + (a.size() + step) * v, v), 1e-10) << "step " << step;
    EXPECT_LE(nmse(pair.data() + v, solo_b.data() + (b.size() + step) * v, v), 1e-10) << "step " << step;
  }
}

TEST(BackendCudaGpu, PrefixTruncationReusesTheDeviceCache) {
  REQUIRE_CUDA_DEVICE();
  testing::TinyModel tiny(small_spec());
  auto gpu = cuda_backend(tiny.view());
  ASSERT_TRUE(gpu);
  const std::int64_t v = 320;
  const auto x = prompt(40, v, 6);
  // Every run takes the same steps (36 tokens, then 4), so the same kernels compute the cache:
  // a 4-token step is a decode-sized batch (GEMV), a 36-token one a prefill (GEMM), and the two
  // round differently (NMSE ~3e-9 on an H200).
  auto cold = gpu->new_sequence();
  std::vector<float> want(v), got(v), scratch(40 * v);
  ASSERT_TRUE(gpu->prefill(std::span(x).first(36), *cold, scratch.data(), false, 512));
  ASSERT_TRUE(gpu->prefill(std::span(x).subspan(36), *cold, want.data(), false, 512));
  auto warm = gpu->new_sequence();
  auto y = x;
  y[36] = static_cast<std::int32_t>((y[36] + 1) % v);  // diverges 4 tokens before the end
  ASSERT_TRUE(gpu->prefill(std::span(y).first(36), *warm, scratch.data(), false, 512));
  ASSERT_TRUE(gpu->prefill(std::span(y).subspan(36), *warm, scratch.data(), false, 512));
  ASSERT_TRUE(warm->can_truncate_to(36));
  EXPECT_FALSE(warm->can_truncate_to(36 - kSlack - 1));
  warm->set_n_past(36);
  ASSERT_TRUE(gpu->prefill(std::span(x).subspan(36), *warm, got.data(), false, 512));
  EXPECT_LE(nmse(got.data(), want.data(), v), 1e-10);
}

// A one-token decode step's graph: the embedding and layer 0's attn_norm; per layer one Q/K/V
// GEMV (one weight type), head_prep, attention (1 launch, or 2 with the split-K combine), the
// O GEMV, post_attention_norm, the dense MLP's gate/up and down, the router, the MoE's gate/up
// and down, ffn_output_norm; then the logit row's copy, output_norm and the LM head. With two
// sequences, attention twice and two row copies.
TEST(BackendCudaGpu, DecodeStepLaunchCount) {
  REQUIRE_CUDA_DEVICE();
  const testing::TinySpec spec = small_spec();
  testing::TinyModel tiny(spec);
  auto gpu = cuda_backend(tiny.view());
  ASSERT_TRUE(gpu);
  EXPECT_EQ(gpu->captured_step_nodes(), 0);
  run(*gpu, prompt(20, 320, 3), {5, 6});
  const std::int64_t nodes = gpu->captured_step_nodes(), fixed = 2 + 3;
  EXPECT_GE(nodes, fixed + 11 * spec.n_layer);
  EXPECT_LE(nodes, fixed + 12 * spec.n_layer);
  // Two sequences in one step: head_prep appends each token to its own cache; attention runs
  // once per sequence; two logit rows are copied.
  auto ca = gpu->new_sequence(), cb = gpu->new_sequence();
  std::vector<float> scratch(20 * 320), pair(2 * 320);
  ASSERT_TRUE(gpu->prefill(prompt(9, 320, 4), *ca, scratch.data(), false, 512));
  ASSERT_TRUE(gpu->prefill(prompt(14, 320, 5), *cb, scratch.data(), false, 512));
  const std::vector<std::int32_t> toks{3, 4}, seq{0, 1}, rows{0, 1}, pos{9, 14};
  KvState* caches[2] = {ca.get(), cb.get()};
  ASSERT_TRUE(gpu->run(BackendBatch{toks, pos, seq, caches, rows, pair.data()}));
  const std::int64_t pair_nodes = gpu->captured_step_nodes();
  EXPECT_GE(pair_nodes, fixed + 1 + 12 * spec.n_layer);
  EXPECT_LE(pair_nodes, fixed + 1 + 14 * spec.n_layer);
}

TEST(BackendCudaGpu, GeneratedQ4KmGgufMatchesTheReference) {
  REQUIRE_CUDA_DEVICE();
  coderx::testing::TempDir dir;
  TestModelParams p;
  p.n_layer = 4;
  p.n_embd = 256;
  p.n_ff = 256;
  p.n_ff_exp = 256;
  p.head_dim_swa = 64;
  p.head_dim_full = 128;
  p.preset = "Q4_K_M";
  p.linear_scales = true;  // .scale on the projections: the GEMV and the split GEMM apply it
  const auto path = dir / "q4km.gguf";
  auto written = write_test_model(p, path);
  ASSERT_TRUE(written) << written.error().message;
  auto file = ModelFile::open(path);
  ASSERT_TRUE(file) << file.error().message;
  compare_with_reference((*file)->view(), 24, "Q4_K_M gguf");
}

}  // namespace
}  // namespace coderx::model
