// The engine on a generated random-weight model (model/test_model.h, built-in vocabulary with
// the Gemma 4 control tokens): greedy generation is reproducible and independent of prefix
// reuse and of batching with other requests; each budget ends generation with its own finish
// reason; a stop request ends it within one token; the thinking budget forces `<channel|>`
// after exactly N thought tokens.
#include "model/engine.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <future>
#include <sstream>
#include <thread>

#include "model/backend_cuda.h"
#include "model/test_model.h"
#include "tests/support/paths.h"

namespace coderx::model {
namespace {

class EngineTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new coderx::testing::TempDir();
    TestModelParams p;
    p.n_layer = 3;
    p.sliding_window = 8;
    p.n_embd = 128;
    p.n_ff = 256;
    p.n_ff_exp = 64;
    path_ = (*dir_ / "tiny.gguf").string();
    auto ok = write_test_model(p, path_);
    ASSERT_TRUE(ok) << ok.error().message;
  }
  static void TearDownTestSuite() { delete dir_; }

  std::unique_ptr<Engine> load(EngineOptions o = {}) {
    o.threads = 2;
    o.max_context = 256;
    o.sliding_slack = 8;
    auto e = Engine::load(path_, o);
    EXPECT_TRUE(e) << (e ? "" : e.error().message);
    return e ? std::move(*e) : nullptr;
  }

  static GenerationRequest greedy(std::vector<TokenId> prompt, std::int64_t answer = 12) {
    GenerationRequest r;
    r.prompt = std::move(prompt);
    r.sampling = SamplingParams{0.0f, 0, 1.0f, 0.0f, 0};
    r.budgets.answer_tokens = answer;
    return r;
  }

  static std::vector<TokenId> prompt(int n, int salt) {
    std::vector<TokenId> p{2};
    for (int i = 1; i < n; ++i) p.push_back(200 + (i * 7 + salt) % 250);
    return p;
  }

  static coderx::testing::TempDir* dir_;
  static std::string path_;
};

coderx::testing::TempDir* EngineTest::dir_ = nullptr;
std::string EngineTest::path_;

TEST_F(EngineTest, LoadReportsMemory) {
  auto e = load();
  ASSERT_TRUE(e);
  const MemoryReport m = e->memory();
  EXPECT_GT(m.mapped_weight_bytes, 0u);
  EXPECT_GT(m.kv_bytes_per_position, 0u);
  EXPECT_FALSE(Engine::load(*dir_ / "missing.gguf"));
}

// Routes spdlog's default logger into a string for the lifetime of the object.
class CapturedLog {
 public:
  CapturedLog() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(text_);
    sink->set_pattern("%l: %v");
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("captured", sink));
    spdlog::set_level(spdlog::level::info);
  }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  std::string text() const { return text_.str(); }

 private:
  std::ostringstream text_;
  std::shared_ptr<spdlog::logger> previous_;
};

// Without a usable CUDA device (this machine, CI), `cuda` falls back to the CPU with a warning
// that names the reason; `auto` does so with an info line; both generate the same tokens as
// `cpu`. (With a device the CUDA backend runs: backend_cuda_gpu_test covers that.)
TEST_F(EngineTest, CudaWithoutADeviceFallsBackToTheCpu) {
  const DeviceProbe probe = probe_cuda();
  if (probe.cuda_built && probe.unavailable.empty()) GTEST_SKIP() << "a CUDA device is present: " << probe.name;
  const auto x = prompt(12, 9);
  auto cpu = load();
  auto want = cpu->submit(greedy(x, 6));
  ASSERT_TRUE(want);
  for (DeviceKind kind : {DeviceKind::cuda, DeviceKind::auto_select}) {
    std::string log;
    std::unique_ptr<Engine> e;
    {
      CapturedLog captured;
      EngineOptions o;
      o.device = kind;
      e = load(o);
      log = captured.text();
    }
    ASSERT_TRUE(e);
    EXPECT_EQ(e->backend().rfind("cpu", 0), 0u) << e->backend();
    const std::string level = kind == DeviceKind::cuda ? "warning: " : "info: ";
    EXPECT_NE(log.find(level + "CUDA backend unavailable: "), std::string::npos) << log;
    EXPECT_NE(log.find("; running on the CPU"), std::string::npos) << log;
    EXPECT_NE(log.find(probe.unavailable), std::string::npos) << log;
    auto got = e->submit(greedy(x, 6));
    ASSERT_TRUE(got);
    EXPECT_EQ(got->tokens, want->tokens);
  }
}

TEST_F(EngineTest, CpuDeviceAndReferenceOpsNeverProbeCuda) {
  CapturedLog captured;
  EngineOptions o;
  o.device = DeviceKind::cpu;
  auto e = load(o);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->backend(), "cpu (2 threads)");
  o.device = DeviceKind::cuda;
  o.reference_ops = true;
  auto r = load(o);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->backend(), "cpu (reference ops, 2 threads)");
  EXPECT_EQ(captured.text().find("CUDA"), std::string::npos) << captured.text();
}

TEST_F(EngineTest, PrefixCacheHitEqualsColdAndPastTheWindow) {
  // Short answers: generated tokens extend the cached sequence, and a ring can only go back
  // `slack` (8) positions.
  const auto x = prompt(40, 1);  // 5 sliding windows long
  auto cold = load();
  auto want = cold->submit(greedy(x, 4));
  ASSERT_TRUE(want);
  EXPECT_EQ(want->usage.cached_tokens, 0);
  auto warm = load();
  auto y = x;
  y.resize(36);
  y.push_back(7);  // diverges 4 tokens before the end (within the slack of 8)
  ASSERT_TRUE(warm->submit(greedy(y, 4)));
  auto got = warm->submit(greedy(x, 4));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->usage.cached_tokens, 36);
  EXPECT_EQ(got->tokens, want->tokens);
  // A second identical request reuses all but the last prompt token.
  auto again = warm->submit(greedy(x, 4));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->usage.cached_tokens, 39);
  EXPECT_EQ(again->tokens, want->tokens);
}

TEST_F(EngineTest, ConcurrentRequestsBatchedInDecodeMatchSoloRuns) {
  auto e = load();
  const auto a = prompt(10, 2), b = prompt(14, 3);
  auto solo_a = e->submit(greedy(a, 16)), solo_b = e->submit(greedy(b, 16));
  ASSERT_TRUE(solo_a && solo_b);
  auto fa = std::async(std::launch::async, [&] { return e->submit(greedy(a, 16)); });
  auto fb = std::async(std::launch::async, [&] { return e->submit(greedy(b, 16)); });
  auto ra = fa.get(), rb = fb.get();
  ASSERT_TRUE(ra && rb);
  EXPECT_EQ(ra->tokens, solo_a->tokens);
  EXPECT_EQ(rb->tokens, solo_b->tokens);
}

TEST_F(EngineTest, EachBudgetHasItsFinishReason) {
  auto e = load();
  auto r = e->submit(greedy(prompt(8, 4), 5));
  ASSERT_TRUE(r);
  if (r->finish != FinishReason::stop) {
    EXPECT_EQ(r->finish, FinishReason::answer_budget);
    EXPECT_EQ(r->usage.answer_tokens + r->usage.thinking_tokens, static_cast<std::int64_t>(r->tokens.size()));
  }
  auto ctx = greedy(prompt(8, 4), 100);
  ctx.budgets.context_tokens = 11;
  r = e->submit(ctx);
  ASSERT_TRUE(r);
  if (r->finish != FinishReason::stop) {
    EXPECT_EQ(r->finish, FinishReason::context_budget);
    EXPECT_EQ(r->tokens.size(), 3u);
  }
  auto late = greedy(prompt(8, 4), 100);
  late.budgets.deadline = std::chrono::steady_clock::now();
  r = e->submit(late);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->finish, FinishReason::deadline);
  EXPECT_TRUE(r->tokens.empty());
  auto too_long = greedy(prompt(20, 4));
  too_long.budgets.context_tokens = 20;
  EXPECT_FALSE(e->submit(too_long));
  EXPECT_FALSE(e->submit(greedy({})));
}

TEST_F(EngineTest, StopEndsGenerationWithinOneToken) {
  auto e = load();
  std::stop_source stop;
  std::size_t events = 0;
  auto r = e->submit(greedy(prompt(8, 5), 100), stop.get_token(), [&](const GenerationEvent&) {
    ++events;
    stop.request_stop();
  });
  ASSERT_TRUE(r);
  if (r->finish != FinishReason::stop) {
    EXPECT_EQ(r->finish, FinishReason::cancelled);
    EXPECT_EQ(events, 1u);
    // The token whose text raised the event is the last one: no token after the stop.
    EXPECT_LE(r->tokens.size(), 2u);
  }
  std::stop_source before;
  before.request_stop();
  auto c = e->submit(greedy(prompt(8, 5)), before.get_token());
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, Errc::cancelled);
}

// Each event carries the counts so far (coderx serve's continuous_usage_stats): never falling,
// never past the tokens generated, the prompt as submitted, and the last one the final counts.
TEST_F(EngineTest, EventsCarryTheRunningUsage) {
  auto e = load();
  std::vector<Usage> seen;
  auto r = e->submit(greedy(prompt(8, 5), 24), {}, [&](const GenerationEvent& ev) { seen.push_back(ev.usage); });
  ASSERT_TRUE(r);
  ASSERT_FALSE(seen.empty());
  auto generated = [](const Usage& u) { return u.thinking_tokens + u.answer_tokens; };
  std::int64_t last = 0;
  for (const Usage& u : seen) {
    EXPECT_EQ(u.prompt_tokens, r->usage.prompt_tokens);
    EXPECT_EQ(u.cached_tokens, r->usage.cached_tokens);
    EXPECT_GE(generated(u), std::max<std::int64_t>(last, 1));
    EXPECT_LE(generated(u), static_cast<std::int64_t>(r->tokens.size()));
    last = generated(u);
  }
  EXPECT_LE(last, generated(r->usage));
}

TEST_F(EngineTest, ThinkingBudgetForcesChannelEndAtExactlyN) {
  auto e = load();
  const TokenId open = e->tokenizer().vocab().find("<|channel>");
  const TokenId close = e->tokenizer().vocab().find("<channel|>");
  auto thought = e->tokenizer().encode("thought", {false, false});
  ASSERT_NE(open, kNoToken);
  ASSERT_NE(close, kNoToken);
  for (int n : {0, 3, 6}) {
    auto p = prompt(6, 6);
    p.push_back(open);
    p.insert(p.end(), thought.begin(), thought.end());
    auto req = greedy(p, 4);
    req.sampling->temperature = 0.0f;
    req.budgets.thinking_tokens = n;
    auto r = e->submit(req);
    ASSERT_TRUE(r);
    auto it = std::find(r->tokens.begin(), r->tokens.end(), close);
    if (r->finish == FinishReason::stop && it == r->tokens.end()) continue;  // EOG first
    ASSERT_NE(it, r->tokens.end());
    // Forced at N unless the N-th token left an incomplete UTF-8 character pending.
    EXPECT_GE(it - r->tokens.begin(), n);
    EXPECT_LE(it - r->tokens.begin(), n + 3);
    EXPECT_EQ(r->usage.thinking_tokens, (it - r->tokens.begin()) + 1);
  }
}

TEST_F(EngineTest, EndOfGenerationTokenStopsAndStaysOutOfTheText) {
  auto e = load();
  // Sampled (not greedy) runs over seeds until one ends on its own: the random model reaches an
  // end-of-generation token within 48 tokens for some seed (deterministic for a seed).
  for (std::uint64_t seed = 1; seed <= 64; ++seed) {
    auto req = greedy(prompt(6, 7), 48);
    req.sampling = SamplingParams{1.0f, 0, 1.0f, 0.0f, seed};
    auto r = e->submit(req);
    ASSERT_TRUE(r);
    if (r->finish != FinishReason::stop) continue;
    ASSERT_FALSE(r->tokens.empty());
    const TokenId last = r->tokens.back();
    EXPECT_TRUE(e->tokenizer().is_end_of_generation(last));
    for (std::size_t i = 0; i + 1 < r->tokens.size(); ++i)
      EXPECT_FALSE(e->tokenizer().is_end_of_generation(r->tokens[i])) << "generation went past an EOG token";
    const std::vector<TokenId> eog{last};
    auto piece = e->tokenizer().decode(eog, true);
    ASSERT_TRUE(piece);
    EXPECT_EQ(r->answer.find(*piece), std::string::npos) << "the EOG token's text leaked into the answer";
    return;
  }
  FAIL() << "no seed reached an end-of-generation token";
}

}  // namespace
}  // namespace coderx::model
