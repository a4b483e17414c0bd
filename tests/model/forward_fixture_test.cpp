// Acceptance against llama.cpp's reference logits (../shared/fixtures/logits, README there):
//  - expert selections first: a different choice is only allowed where llama.cpp's router gap
//    between the k-th and (k+1)-th logit is below 1e-3;
//  - the reference path vs the float reference (`exactgelu`, or the `-dequant-F32` twin for
//    quantised files): NMSE ≤ 1e-6;
//  - the fast path vs the same float reference: within 1.5× of the NMSE llama.cpp's own fast
//    path (`X.exact`) shows against it.
// Every measured NMSE is printed (the numbers in the engine report come from here).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

#include "model/forward.h"
#include "model/kv_cache.h"
#include "model/model_file.h"
#include "model/ops_cpu.h"
#include "model/ops_ref.h"
#include "model/repacked_weights.h"
#include "test_weights.h"
#include "tests/support/paths.h"

namespace coderx::model {
namespace {

const std::vector<std::int32_t> kTokens{
    2,   316, 360, 264, 345, 349, 337, 445, 374, 346, 408, 342, 377, 343, 352, 264, 338, 349,
    407, 347, 366, 436, 364, 375, 329, 354, 353, 470, 431, 278, 437, 336, 376, 395, 364, 388,
    499, 404, 264, 493, 295, 385, 388, 499, 404, 264, 493, 395, 469, 406, 384, 278};

std::vector<float> read_f32(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  in.seekg(0, std::ios::end);
  std::vector<float> v(static_cast<std::size_t>(in.tellg()) / 4);
  in.seekg(0);
  in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(v.size() * 4));
  return v;
}

struct RoutingRow {
  std::set<int> experts;
  double gap;
};
// "ffn_moe_logits-L token T experts a b ... gap G" → [layer][token]
std::vector<std::vector<RoutingRow>> read_routing(const std::filesystem::path& p) {
  std::vector<std::vector<RoutingRow>> out;
  std::ifstream in(p);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream s(line);
    std::string name, word;
    int token;
    s >> name >> word >> token >> word;
    const int layer = std::stoi(name.substr(name.rfind('-') + 1));
    RoutingRow row;
    while (s >> word && word != "gap") row.experts.insert(std::stoi(word));
    s >> row.gap;
    if (static_cast<int>(out.size()) <= layer) out.resize(layer + 1);
    if (static_cast<int>(out[layer].size()) <= token) out[layer].resize(token + 1);
    out[layer][token] = row;
  }
  return out;
}

struct FixtureRun {
  std::vector<float> logits;
  std::vector<std::vector<std::set<int>>> routing;  // [layer][token]
};

// kv: how K/V is stored (EngineOptions::kv_type); the acceptance runs keep f32, and the
// quantised models are checked with half K/V too (the engine's default for them) and q8_0 (an
// option).
FixtureRun run(const ModelView& m, Ops& ops, KvType kv) {
  FixtureRun r;
  KvCache cache(m, KvCacheOptions{64, 64, kv});
  Forward f(m, ops);
  r.routing.resize(static_cast<std::size_t>(m.dims.n_layer));
  f.on_routing = [&](std::int64_t l, std::int64_t n, const ExpertChoice* c, const float*) {
    const std::int64_t k = m.dims.n_expert_used;
    for (std::int64_t t = 0; t < n; ++t) {
      std::set<int> s;
      for (std::int64_t j = 0; j < k; ++j) s.insert(c[t * k + j].expert);
      r.routing[l].push_back(s);
    }
  };
  r.logits.resize(kTokens.size() * static_cast<std::size_t>(m.dims.n_vocab));
  f.prefill(kTokens, cache, r.logits.data(), true);
  return r;
}

// Counts selections that differ from the file's. With strict (float-math paths) every flip must
// be at a router gap below 1e-3. Quantised paths round activations: a rounding tie decided the
// other way can move a later router logit by more than that (llama.cpp's own quantised path
// differs from its float path in 14–15 selections here, at gaps up to 0.3), so for them the
// caller bounds the count instead.
int check_routing(const FixtureRun& r, const std::filesystem::path& routing_file, const char* what,
                  bool strict = true) {
  const auto want = read_routing(routing_file);
  int flips = 0;
  EXPECT_EQ(want.size(), r.routing.size());
  for (std::size_t l = 0; l < want.size() && l < r.routing.size(); ++l)
    for (std::size_t t = 0; t < want[l].size() && t < r.routing[l].size(); ++t) {
      if (want[l][t].experts == r.routing[l][t]) continue;
      ++flips;
      if (strict) {
        EXPECT_LT(want[l][t].gap, 1e-3) << what << ": layer " << l << " token " << t;
      }
    }
  return flips;
}

struct FixtureCase {
  const char* model;
  const char* float_ref;   // float-math reference logits
  const char* llama_fast;  // llama.cpp's fast path on the same file
  const char* routing;       // llama.cpp's expert choices in float math (reference path)
  const char* fast_routing;  // llama.cpp's expert choices with quantised activations
  bool half_kv;              // KvCache::half_suits: the engine keeps K/V in half by default
};

class ForwardFixture : public ::testing::TestWithParam<FixtureCase> {};

TEST_P(ForwardFixture, MatchesLlamaCppReferenceLogits) {
  const FixtureCase& c = GetParam();
  auto path = [](const char* f) { return coderx::testing::fixture(std::string("logits/") + f); };
  auto model = ModelFile::open(coderx::testing::fixture(std::string("models/") + c.model));
  ASSERT_TRUE(model) << model.error().message;
  const auto float_ref = read_f32(path(c.float_ref));
  const auto llama_fast = read_f32(path(c.llama_fast));
  ASSERT_EQ(float_ref.size(), kTokens.size() * 512);

  ref::RefOps ref_ops;
  const FixtureRun ref_run = run((*model)->view(), ref_ops, KvType::f32);
  const int ref_flips = check_routing(ref_run, path(c.routing), "reference");
  const double ref_nmse = testing::nmse(ref_run.logits, float_ref);

  ThreadPool pool(2);
  CpuOps cpu_ops(pool);
  const FixtureRun fast_run = run((*model)->view(), cpu_ops, KvType::f32);
  const int fast_flips = check_routing(fast_run, path(c.fast_routing), "fast", false);
  // llama.cpp's quantised path against its float path: the divergence a correct quantised
  // implementation shows; ours against llama.cpp's quantised path must not exceed it.
  FixtureRun llama_fast_routing;
  for (const auto& layer : read_routing(path(c.fast_routing))) {
    llama_fast_routing.routing.emplace_back();
    for (const auto& row : layer) llama_fast_routing.routing.back().push_back(row.experts);
  }
  const int llama_flips = check_routing(llama_fast_routing, path(c.routing), "llama", false);
  EXPECT_LE(fast_flips, std::max(1, llama_flips));
  const double fast_nmse = testing::nmse(fast_run.logits, float_ref);
  const double llama_nmse = testing::nmse(llama_fast, float_ref);

  std::printf("%s: reference NMSE %.3g (flips %d); fast NMSE %.3g (flips vs llama.cpp fast %d); "
              "llama.cpp fast NMSE %.3g (flips vs its float path %d); fast/llama %.2f\n",
              c.model, ref_nmse, ref_flips, fast_nmse, fast_flips, llama_nmse, llama_flips,
              fast_nmse / llama_nmse);
  EXPECT_LE(ref_nmse, 1e-6);
  EXPECT_LE(fast_nmse, 1.5 * llama_nmse);

  // The CPU engine runs the fast path on its repacked copy of the weights: the same bits.
  const RepackedModel repacked((*model)->view(), &pool);
  const auto repacked_logits = run(repacked.view, cpu_ops, KvType::f32).logits;
  EXPECT_EQ(std::memcmp(repacked_logits.data(), fast_run.logits.data(),
                        fast_run.logits.size() * sizeof(float)),
            0)
      << "repacked: " << repacked.weights.tensors() << " tensors";

  // What the engine runs by default: half K/V on quantised weights, and it still holds there.
  ASSERT_EQ(KvCache::half_suits((*model)->view()), c.half_kv);
  if (c.half_kv) {
    const double half_nmse =
        testing::nmse(run((*model)->view(), cpu_ops, KvType::f16).logits, float_ref);
    std::printf("%s: fast NMSE with half K/V %.3g\n", c.model, half_nmse);
    EXPECT_LE(half_nmse, 1.5 * llama_nmse);
    // q8_0 K/V (an option, EngineOptions::kv_type) costs more than half: the storage's own
    // rounding is measured by the reference path on a q8_0 cache, and the fast path must stay
    // as close to that as it stays to the float reference on f32 K/V.
    const FixtureRun ref_q8 = run((*model)->view(), ref_ops, KvType::q8_0);
    const FixtureRun fast_q8 = run((*model)->view(), cpu_ops, KvType::q8_0);
    const double q8_nmse = testing::nmse(fast_q8.logits, ref_q8.logits);
    std::printf(
        "%s: q8_0 K/V: reference path %.3g and fast path %.3g from the float reference "
        "(flips %d); fast from reference on q8_0 K/V %.3g\n",
        c.model, testing::nmse(ref_q8.logits, float_ref), testing::nmse(fast_q8.logits, float_ref),
        check_routing(fast_q8, path(c.fast_routing), "q8_0", false), q8_nmse);
    EXPECT_LE(q8_nmse, 1.5 * llama_nmse);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Fixtures, ForwardFixture,
    ::testing::Values(
        FixtureCase{"gemma4-tiny-moe-F16.gguf", "gemma4-tiny-moe-F16.exactgelu.f32",
                    "gemma4-tiny-moe-F16.exact.f32", "gemma4-tiny-moe-F16.exact.routing.txt",
                    "gemma4-tiny-moe-F16.exact.routing.txt", false},
        FixtureCase{"gemma4-tiny-moe-Q8_0.gguf", "gemma4-tiny-moe-Q8_0-dequant-F32.exactgelu.f32",
                    "gemma4-tiny-moe-Q8_0.exact.f32",
                    "gemma4-tiny-moe-Q8_0-dequant-F32.exact.routing.txt",
                    "gemma4-tiny-moe-Q8_0.exact.routing.txt", true},
        FixtureCase{"gemma4-tiny-fb-Q4_K_M.gguf", "gemma4-tiny-fb-Q4_K_M-dequant-F32.exactgelu.f32",
                    "gemma4-tiny-fb-Q4_K_M.exact.f32",
                    "gemma4-tiny-fb-Q4_K_M-dequant-F32.exact.routing.txt",
                    "gemma4-tiny-fb-Q4_K_M.exact.routing.txt", true}),
    [](const auto& info) {
      std::string n = info.param.model;
      n = n.substr(0, n.find(".gguf"));
      for (char& ch : n)
        if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
      return n;
    });

}  // namespace
}  // namespace coderx::model
