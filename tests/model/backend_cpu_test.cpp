// The CPU backend (model/backend_cpu.h) is the forward pass unchanged: its run() and prefill()
// give bit-identical logits to Forward over the same op set, for batched decode of several
// sequences and chunked prefill; Backend::prefill's own chunking through run() (what the CUDA
// backend uses) matches Forward::prefill bit for bit, including when max_tokens() bounds the
// chunk.
#include "model/backend_cpu.h"

#include <gtest/gtest.h>

#include <random>

#include "model/ops_cpu.h"
#include "model/ops_ref.h"
#include "tiny_model.h"

namespace coderx::model {
namespace {

std::vector<std::int32_t> tokens(std::int64_t n, std::int64_t vocab, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<std::int32_t> t(static_cast<std::size_t>(n));
  for (auto& v : t) v = static_cast<std::int32_t>(rng() % vocab);
  return t;
}

// A backend that only implements run() (by a CpuBackend), so prefill is Backend's default.
class RunOnly final : public Backend {
 public:
  RunOnly(CpuBackend& inner, std::int64_t max_tokens) : inner_(inner), max_tokens_(max_tokens) {}
  std::string describe() const override { return "run-only"; }
  bool on_device() const override { return false; }
  std::unique_ptr<KvState> new_sequence() override { return inner_.new_sequence(); }
  Result<void> run(const BackendBatch& b) override {
    EXPECT_LE(static_cast<std::int64_t>(b.tokens.size()), max_tokens_);
    return inner_.run(b);
  }
  std::int64_t max_tokens() const override { return max_tokens_; }
  std::int64_t n_vocab() const override { return inner_.n_vocab(); }

 private:
  CpuBackend& inner_;
  std::int64_t max_tokens_;
};

class BackendCpu : public ::testing::TestWithParam<bool> {};  // reference ops or CpuOps

TEST_P(BackendCpu, PrefillIsForwardPrefillBitForBit) {
  testing::TinyModel tiny(testing::TinySpec{});
  const ModelView& m = tiny.view();
  const KvCacheOptions kv{64, 4};
  const auto toks = tokens(23, m.dims.n_vocab, 7);
  const std::size_t v = static_cast<std::size_t>(m.dims.n_vocab);

  ThreadPool pool(2);
  CpuOps cpu(pool);
  ref::RefOps refops;
  Forward f(m, GetParam() ? static_cast<Ops&>(refops) : cpu);
  KvCache want_cache(m, kv);
  std::vector<float> want(toks.size() * v);
  f.prefill(toks, want_cache, want.data(), true, 5);

  CpuBackend backend(m, CpuBackendOptions{2, GetParam(), kv});
  auto cache = backend.new_sequence();
  std::vector<float> got(toks.size() * v);
  ASSERT_TRUE(backend.prefill(toks, *cache, got.data(), true, 5));
  EXPECT_EQ(got, want);
  EXPECT_EQ(cache->n_past(), 23);
  EXPECT_EQ(cache->max_batch(), 4);

  for (std::int64_t max_tokens : {std::int64_t{1000}, std::int64_t{3}}) {
    KvCache c2(m, kv);
    std::vector<float> want2(toks.size() * v), got2(toks.size() * v);
    f.prefill(toks, c2, want2.data(), true, std::min<std::int64_t>(5, max_tokens));
    RunOnly run_only(backend, max_tokens);
    auto c3 = run_only.new_sequence();
    ASSERT_TRUE(run_only.prefill(toks, *c3, got2.data(), true, 5));
    EXPECT_EQ(got2, want2) << "max_tokens " << max_tokens;
  }
}

TEST_P(BackendCpu, BatchedDecodeIsForwardRunBitForBit) {
  testing::TinyModel tiny(testing::TinySpec{});
  const ModelView& m = tiny.view();
  const KvCacheOptions kv{64, 8};
  const std::size_t v = static_cast<std::size_t>(m.dims.n_vocab);
  const auto a = tokens(9, m.dims.n_vocab, 1), b = tokens(5, m.dims.n_vocab, 2);

  ThreadPool pool(2);
  CpuOps cpu(pool);
  ref::RefOps refops;
  Forward f(m, GetParam() ? static_cast<Ops&>(refops) : cpu);
  CpuBackend backend(m, CpuBackendOptions{2, GetParam(), kv});

  KvCache wa(m, kv), wb(m, kv);
  auto ga = backend.new_sequence(), gb = backend.new_sequence();
  std::vector<float> want(2 * v), got(2 * v);
  f.prefill(a, wa, want.data(), false);
  f.prefill(b, wb, want.data(), false);
  ASSERT_TRUE(backend.prefill(a, *ga, got.data(), false, 512));
  ASSERT_TRUE(backend.prefill(b, *gb, got.data(), false, 512));
  for (int step = 0; step < 4; ++step) {
    const std::vector<std::int32_t> toks{static_cast<std::int32_t>(10 + step), static_cast<std::int32_t>(20 + step)};
    const std::vector<std::int32_t> pos{static_cast<std::int32_t>(wa.n_past()), static_cast<std::int32_t>(wb.n_past())};
    const std::vector<std::int32_t> seq{0, 1}, rows{0, 1};
    KvCache* wc[2] = {&wa, &wb};
    KvState* gc[2] = {ga.get(), gb.get()};
    f.run(ForwardBatch{toks, pos, seq, wc, rows, want.data()});
    ASSERT_TRUE(backend.run(BackendBatch{toks, pos, seq, gc, rows, got.data()}));
    EXPECT_EQ(got, want) << "step " << step;
  }
  EXPECT_EQ(ga->n_past(), 13);
  EXPECT_EQ(gb->n_past(), 9);
}

INSTANTIATE_TEST_SUITE_P(Ops, BackendCpu, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Reference" : "Fast"; });

TEST(BackendCpuDescribe, NamesTheDeviceAndThreads) {
  testing::TinyModel tiny(testing::TinySpec{});
  CpuBackend backend(tiny.view(), CpuBackendOptions{3, false, KvCacheOptions{}});
  EXPECT_EQ(backend.describe(), "cpu (3 threads)");
  EXPECT_EQ(backend.n_vocab(), tiny.view().dims.n_vocab);
}

}  // namespace
}  // namespace coderx::model
