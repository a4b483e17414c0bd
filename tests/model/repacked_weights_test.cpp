// RepackedWeights (model/repacked_weights.h): which matrices it repacks, and that the fast path
// on its view gives the same bits as on the file's layout (one-shot prefill, chunked prefill
// with small batches, token-by-token decode); CpuBackend's background build switches layouts
// between calls without changing a logit; the engine's warmer skips the replaced ranges.
#include "model/repacked_weights.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>

#include "model/backend_cpu.h"
#include "model/forward.h"
#include "model/model_file.h"
#include "model/ops_cpu.h"
#include "model/page_warmer.h"
#include "model/test_model.h"
#include "tests/support/paths.h"
#include "tiny_model.h"

namespace coderx::model {
namespace {

using testing::TinyModel;
using testing::TinySpec;

TinySpec q4_k_spec(bool fused, std::int64_t n_ff_exp) {
  TinySpec s;
  s.type = quant::Type::Q4_K;
  s.n_embd = 256, s.hd_swa = 64, s.hd_full = 64, s.n_head = 4, s.n_ff = 256;
  s.n_ff_exp = n_ff_exp, s.n_expert = 8, s.n_expert_used = 3, s.fused = fused;
  return s;
}

std::vector<std::int32_t> tokens(std::int64_t n, std::int64_t vocab) {
  std::mt19937 rng(11);
  std::vector<std::int32_t> t(static_cast<std::size_t>(n));
  for (auto& v : t) v = static_cast<std::int32_t>(rng() % vocab);
  return t;
}

std::vector<float> logits(const ModelView& m, Ops& ops, const std::vector<std::int32_t>& toks,
                          std::int64_t chunk) {
  KvCache cache(m, KvCacheOptions{64, 4});
  Forward f(m, ops);
  std::vector<float> out(toks.size() * static_cast<std::size_t>(m.dims.n_vocab));
  f.prefill(toks, cache, out.data(), true, chunk);
  return out;
}

// The same ranges (start and size) in the same order.
bool same_ranges(const std::vector<std::span<const std::byte>>& a,
                 const std::vector<std::span<const std::byte>>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].data() != b[i].data() || a[i].size() != b[i].size()) return false;
  return true;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

TEST(RepackedWeights, RepacksTheQ4KMatricesOfWholeGroupsOnly) {
  TinyModel tiny(q4_k_spec(true, 256));
  ThreadPool pool(2);
  const RepackedModel r(tiny.view(), &pool);
  const ModelView& v = r.view;
  for (const LayerView& l : v.layers) {
    EXPECT_EQ(l.wq.type, quant::Type::Q4_K_R8);
    EXPECT_EQ(l.wk.type, quant::Type::Q4_K_R8);
    EXPECT_EQ(l.wo.type, quant::Type::Q4_K_R8);
    EXPECT_EQ(l.ffn_down.type, quant::Type::Q4_K_R8);
    EXPECT_EQ(l.experts.gate_up.type, quant::Type::Q4_K_R8);
    EXPECT_EQ(l.router.type, quant::Type::F32);
  }
  EXPECT_EQ(v.token_embd.type, quant::Type::Q4_K);  // read a row at a time
  EXPECT_EQ(v.token_embd.data, tiny.view().token_embd.data);
  // wq wk wv wo gate up down gate_up down; no wv on full layers
  EXPECT_EQ(r.weights.tensors(), 2u * 9u + 8u);
  EXPECT_EQ(r.weights.sources().size(), r.weights.tensors());
  EXPECT_EQ(r.weights.sources()[0].data(), tiny.view().layers[0].wq.data);

  // Fused experts whose gate and up halves are not whole groups (12 rows each) stay.
  TinySpec s = q4_k_spec(true, 12);
  TinyModel odd(s);
  const RepackedModel r2(odd.view(), &pool);
  EXPECT_EQ(r2.view.layers[0].experts.gate_up.type, quant::Type::Q4_K);
  EXPECT_EQ(r2.view.layers[0].wq.type, quant::Type::Q4_K_R8);
}

// Q4_K, and Q5_0 / Q8_0 rows of 320 (a group of eight blocks and a tail of two), fused and split.
TEST(RepackedWeights, FastPathGivesTheSameBits) {
  ThreadPool pool(2);
  CpuOps ops(pool);
  std::vector<TinySpec> specs{q4_k_spec(true, 256), q4_k_spec(false, 256)};
  for (const quant::Type t : {quant::Type::Q5_0, quant::Type::Q8_0}) {
    TinySpec s = q4_k_spec(t == quant::Type::Q5_0, 64);
    s.type = t, s.n_embd = 320, s.n_ff = 320;
    specs.push_back(s);
  }
  for (const TinySpec& spec : specs) {
    TinyModel tiny(spec);
    EXPECT_EQ(RepackedWeights(tiny.view()).tensors(), spec.fused ? 26u : 29u)  // all
        << quant::info(spec.type).name;
    const RepackedModel r(tiny.view(), &pool);
    const auto toks = tokens(21, tiny.view().dims.n_vocab);
    for (const std::int64_t chunk : {512, 5, 1}) {  // tiles, a few activations, one
      const auto want = logits(tiny.view(), ops, toks, chunk);
      EXPECT_TRUE(same_bits(logits(r.view, ops, toks, chunk), want))
          << quant::info(spec.type).name << " fused " << spec.fused << " chunk " << chunk;
    }
  }
}

// Tensor by tensor: after each copy, a view adopted so far (some tensors repacked, the rest
// the file's) gives the same bits; a stop between tensors leaves the rest unadopted.
TEST(RepackedWeights, EveryPartlyAdoptedViewGivesTheSameBits) {
  TinyModel tiny(q4_k_spec(false, 256));
  ThreadPool pool(2);
  CpuOps ops(pool);
  const auto toks = tokens(7, tiny.view().dims.n_vocab);
  const auto want = logits(tiny.view(), ops, toks, 512);
  RepackedWeights r(tiny.view());
  ModelView view = tiny.view();
  std::size_t adopted = r.adopt(view, 0);
  EXPECT_EQ(adopted, 0u);
  for (std::size_t step = 0; r.build_next(step % 2 ? &pool : nullptr); ++step) {
    adopted = r.adopt(view, adopted);
    EXPECT_EQ(adopted, step + 1);
    if (step % 7 == 0) {
      EXPECT_TRUE(same_bits(logits(view, ops, toks, 512), want)) << "after " << adopted;
    }
  }
  EXPECT_EQ(adopted, r.tensors());
  EXPECT_EQ(view.layers[2].experts.down.type, quant::Type::Q4_K_R8);
  EXPECT_TRUE(same_bits(logits(view, ops, toks, 1), want));

  std::stop_source stop;
  stop.request_stop();
  RepackedWeights stopped(tiny.view());
  stopped.build(&pool, stop.get_token());
  ModelView untouched = tiny.view();
  EXPECT_EQ(stopped.adopt(untouched, 0), 0u);
  EXPECT_EQ(untouched.layers[0].wq.type, quant::Type::Q4_K);
  EXPECT_EQ(untouched.layers[0].wq.data, tiny.view().layers[0].wq.data);
}

TEST(RepackedWeights, BackgroundBuildSwitchesBetweenCallsWithTheSameLogits) {
  TinyModel tiny(q4_k_spec(false, 256));
  const auto toks = tokens(9, tiny.view().dims.n_vocab);
  const std::size_t v = static_cast<std::size_t>(tiny.view().dims.n_vocab);
  CpuBackendOptions o{2, false, KvCacheOptions{64, 4}};
  o.repack_in_background = true;
  CpuBackend backend(tiny.view(), o);
  EXPECT_TRUE(same_ranges(backend.unread_weights(), RepackedWeights(tiny.view()).sources()));
  std::vector<float> first(toks.size() * v), second(toks.size() * v);
  auto a = backend.new_sequence();
  ASSERT_TRUE(backend.prefill(toks, *a, first.data(), true, 512));  // either layout
  EXPECT_TRUE(backend.uses_repacked_weights(true));
  auto b = backend.new_sequence();
  ASSERT_TRUE(backend.prefill(toks, *b, second.data(), true, 512));
  EXPECT_TRUE(same_bits(first, second));

  o.repack = false;
  CpuBackend plain(tiny.view(), o);
  EXPECT_FALSE(plain.uses_repacked_weights(true));
  EXPECT_TRUE(plain.unread_weights().empty());
}

long minor_faults() {
  rusage u{};
  getrusage(RUSAGE_THREAD, &u);
  return u.ru_minflt;
}

// Minor faults taken reading one byte of every whole page inside bytes.
long faults_reading(std::span<const std::byte> bytes) {
  const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  const auto at = reinterpret_cast<std::uintptr_t>(bytes.data());
  const std::size_t skip = (page - at % page) % page;
  volatile std::uint8_t sink = 0;
  const long before = minor_faults();
  for (std::size_t i = skip; i + page <= bytes.size(); i += page)
    sink = sink + static_cast<std::uint8_t>(bytes[i]);
  return minor_faults() - before;
}

// On a real GGUF mapping: the copied tensors' pages leave this process (reading them maps them
// again), the others stay mapped, and the logits are still the same bits.
TEST(RepackedWeights, ReleasesTheCopiedPagesOfTheFileMapping) {
  coderx::testing::TempDir dir;
  TestModelParams p;
  p.n_layer = 2;
  p.n_ff_exp = 512;  // expert tensors of several pages
  p.preset = "Q4_K_M";
  const auto path = dir / "q4km.gguf";
  ASSERT_TRUE(write_test_model(p, path));
  auto file = ModelFile::open(path);
  ASSERT_TRUE(file) << file.error().message;
  const ModelView& m = (*file)->view();
  const std::span<const std::byte> mapping = (*file)->gguf().bytes();
  ASSERT_EQ(populate_pages(mapping), mapping.size());
  ThreadPool pool(2);
  CpuOps ops(pool);
  const auto toks = tokens(6, m.dims.n_vocab);
  const auto want = logits(m, ops, toks, 512);
  const RepackedModel r(m, &pool, mapping);
  ASSERT_GT(r.weights.tensors(), 0u);
  const auto gate_up = m.layers[0].experts.gate_up;
  const std::span<const std::byte> copied(gate_up.data,
                                          gate_up.row_bytes * gate_up.rows * gate_up.n_expert);
  const std::span<const std::byte> kept(m.token_embd.data,
                                        m.token_embd.row_bytes * m.token_embd.rows);
  // Populated, so reading maps nothing new, unless released (one fault then maps a whole folio
  // of the page cache, or 16 pages around: at least one).
  EXPECT_EQ(faults_reading(kept), 0);
  EXPECT_GE(faults_reading(copied), 1);
  EXPECT_TRUE(same_bits(logits(r.view, ops, toks, 512), want));
  EXPECT_TRUE(same_bits(logits(r.view, ops, toks, 1), want));
}

TEST(RepackedWeights, WarmerSkipsTheReplacedRanges) {
  std::vector<std::byte> file(100);
  const std::span<const std::byte> whole(file);
  const auto parts =
      ranges_outside(whole, {whole.subspan(60, 10), whole.subspan(10, 20), whole.subspan(90, 10)});
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].data(), file.data());
  EXPECT_EQ(parts[0].size(), 10u);
  EXPECT_EQ(parts[1].data(), file.data() + 30);
  EXPECT_EQ(parts[1].size(), 30u);
  EXPECT_EQ(parts[2].data(), file.data() + 70);
  EXPECT_EQ(parts[2].size(), 20u);
  EXPECT_EQ(ranges_outside(whole, {}).size(), 1u);
}

}  // namespace
}  // namespace coderx::model
