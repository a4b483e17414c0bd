// GPU: MoE decode (moe_decode) and prefill (moe_prefill) against the float64 expert FFN
// reference, over weight-type pairs, shapes (including the real 2816/704/128 top-8 shape),
// token counts, fused and split gate/up layouts, empty and hot experts; and the device grouping
// against kernels::group_by_expert_chunked (its CPU specification).
#include <gtest/gtest.h>

#if defined(CODERX_HAVE_CUDA)

#include <algorithm>
#include <cstring>
#include <memory>
#include <numeric>
#include <random>

#include "gpu_test_util.h"
#include "kernels/moe_gemm.h"
#include "kernels/moe_gemv.h"
#include "kernels/moe_routing.h"
#include "reference_ops.h"
#include "weight_gen.h"

namespace coderx::kernels {
namespace {

using testing::DeviceArray;

struct MoeCase {
  int n_embd, n_ff, n_expert, k;
  WeightType gate_up, down;
  bool split;  // separate gate / up tensors instead of the fused one
};

// Device weights + dequantised reference of one MoE layer.
struct Layer {
  std::vector<std::uint8_t> gu_bytes, up_bytes, down_bytes;
  std::unique_ptr<DeviceArray<std::uint8_t>> gu, up, down;
  std::unique_ptr<DeviceArray<float>> down_scale;
  testing::ExpertRef ref;
  MoeExpertWeights w;
};

Layer make_layer(const MoeCase& c, std::mt19937& rng) {
  Layer l;
  const std::int64_t gu_row = weight_row_bytes(c.gate_up, c.n_embd);
  const std::int64_t d_row = weight_row_bytes(c.down, c.n_ff);
  l.ref.n_embd = c.n_embd;
  l.ref.n_ff = c.n_ff;
  l.ref.gate.resize(std::size_t(c.n_expert) * c.n_ff * c.n_embd);
  l.ref.up.resize(l.ref.gate.size());
  if (c.split) {
    l.gu_bytes = testing::random_weight_rows(c.gate_up, std::int64_t(c.n_expert) * c.n_ff, c.n_embd, rng);
    l.up_bytes = testing::random_weight_rows(c.gate_up, std::int64_t(c.n_expert) * c.n_ff, c.n_embd, rng);
    l.ref.gate = testing::reference_rows(c.gate_up, l.gu_bytes, std::int64_t(c.n_expert) * c.n_ff, c.n_embd);
    l.ref.up = testing::reference_rows(c.gate_up, l.up_bytes, std::int64_t(c.n_expert) * c.n_ff, c.n_embd);
  } else {
    l.gu_bytes = testing::random_weight_rows(c.gate_up, std::int64_t(c.n_expert) * 2 * c.n_ff, c.n_embd, rng);
    const auto all = testing::reference_rows(c.gate_up, l.gu_bytes, std::int64_t(c.n_expert) * 2 * c.n_ff, c.n_embd);
    const std::size_t per = std::size_t(c.n_ff) * c.n_embd;
    for (int e = 0; e < c.n_expert; ++e) {
      std::copy_n(&all[2 * e * per], per, &l.ref.gate[e * per]);
      std::copy_n(&all[(2 * e + 1) * per], per, &l.ref.up[e * per]);
    }
  }
  l.down_bytes = testing::random_weight_rows(c.down, std::int64_t(c.n_expert) * c.n_embd, c.n_ff, rng);
  l.ref.down = testing::reference_rows(c.down, l.down_bytes, std::int64_t(c.n_expert) * c.n_embd, c.n_ff);
  l.ref.down_scale = testing::random_floats(c.n_expert, rng, 0.5f, 1.5f);
  l.gu = std::make_unique<DeviceArray<std::uint8_t>>(l.gu_bytes);
  if (c.split) l.up = std::make_unique<DeviceArray<std::uint8_t>>(l.up_bytes);
  l.down = std::make_unique<DeviceArray<std::uint8_t>>(l.down_bytes);
  l.down_scale = std::make_unique<DeviceArray<float>>(l.ref.down_scale);
  l.w.gate = l.gu->get();
  l.w.up = c.split ? static_cast<const void*>(l.up->get()) : l.gu->get() + c.n_ff * gu_row;
  l.w.gate_up_type = c.gate_up;
  l.w.gate_up_expert_stride = (c.split ? 1 : 2) * c.n_ff * gu_row;
  l.w.down = l.down->get();
  l.w.down_type = c.down;
  l.w.down_expert_stride = c.n_embd * d_row;
  l.w.down_scale = l.down_scale->get();
  return l;
}

// Distinct experts per token; `hot` routes every token's first slot to expert 0.
std::vector<std::int32_t> routing(int n_tokens, int k, int n_expert, bool hot, std::mt19937& rng) {
  std::vector<std::int32_t> ids, pool(n_expert);
  std::iota(pool.begin(), pool.end(), 0);
  for (int t = 0; t < n_tokens; ++t) {
    std::shuffle(pool.begin(), pool.end(), rng);
    if (hot) std::iter_swap(pool.begin(), std::find(pool.begin(), pool.end(), 0));
    ids.insert(ids.end(), pool.begin(), pool.begin() + k);
  }
  return ids;
}

const char* name(WeightType t) { return weight_type_info(static_cast<std::uint32_t>(t))->name.data(); }

const MoeCase kCases[] = {
    {256, 96, 8, 2, WeightType::Q8_0, WeightType::Q5_0, false},
    {512, 256, 16, 4, WeightType::Q4_K, WeightType::Q6_K, false},
    {256, 64, 8, 8, WeightType::BF16, WeightType::BF16, true},
    {256, 128, 6, 3, WeightType::MXFP4, WeightType::IQ4_NL, false},
    {512, 128, 12, 2, WeightType::NVFP4, WeightType::Q5_1, true},
    {256, 64, 4, 2, WeightType::Q4_0, WeightType::F16, false},
    {2816, 64, 4, 2, WeightType::BF16, WeightType::Q8_0, true},  // gate/up rows of three staged segments
    {2816, 704, 32, 8, WeightType::Q4_K, WeightType::Q5_0, false},  // the real widths (32 of the 128 experts)
};

TEST(MoeDecodeGpu, MatchesReferenceOverTypesShapesAndTokenCounts) {
  CODERX_REQUIRE_GPU();
  std::mt19937 rng(11);
  for (const MoeCase& c : kCases) {
    Layer l = make_layer(c, rng);
    for (int n_tokens : {1, 3, 8}) {
      SCOPED_TRACE(::testing::Message() << name(c.gate_up) << "/" << name(c.down) << " " << c.n_embd << "x" << c.n_ff
                                        << " E" << c.n_expert << " k" << c.k << " tokens " << n_tokens);
      const auto ids = routing(n_tokens, c.k, c.n_expert, n_tokens > 1, rng);
      const auto wts = testing::random_floats(ids.size(), rng, 0.0f, 1.0f);
      const auto x = testing::random_floats(std::size_t(n_tokens) * c.n_embd, rng);
      DeviceArray<float> xd(x), wd(wts), act(ids.size() * c.n_ff), y(std::size_t(n_tokens) * c.n_embd);
      DeviceArray<std::int32_t> idd(ids);
      MoeDecodeParams p;
      p.w = l.w;
      p.x = xd.get();
      p.ids = idd.get();
      p.weights = wd.get();
      p.act = act.get();
      p.y = y.get();
      p.n_tokens = n_tokens;
      p.k = c.k;
      p.n_embd = c.n_embd;
      p.n_ff = c.n_ff;
      p.n_expert = c.n_expert;
      CODERX_EXPECT_OK(moe_decode(p, nullptr));
      EXPECT_LT(testing::nmse(y.download(), testing::moe_ref(l.ref, x, ids, wts, n_tokens, c.k)), 1e-9);
    }
  }
}

TEST(MoePrefillGpu, MatchesReferenceAndGroupsLikeTheCpuSpecification) {
  CODERX_REQUIRE_GPU();
  std::mt19937 rng(12);
  for (const MoeCase& c : kCases) {
    Layer l = make_layer(c, rng);
    const bool real = c.n_embd == 2816;
    for (int n_tokens : real ? std::vector<int>{40} : std::vector<int>{1, 9, 130, 300}) {
      for (bool hot : {false, true}) {
        SCOPED_TRACE(::testing::Message() << name(c.gate_up) << "/" << name(c.down) << " " << c.n_embd << "x"
                                          << c.n_ff << " E" << c.n_expert << " k" << c.k << " tokens " << n_tokens
                                          << (hot ? " hot" : ""));
        const auto ids = routing(n_tokens, c.k, c.n_expert, hot, rng);
        const auto wts = testing::random_floats(ids.size(), rng, 0.0f, 1.0f);
        const auto x = testing::random_floats(std::size_t(n_tokens) * c.n_embd, rng);
        const MoePrefillWorkspace layout = moe_prefill_workspace(n_tokens, c.k, c.n_expert, c.n_embd, c.n_ff);
        DeviceArray<float> xd(x), wd(wts), y(std::size_t(n_tokens) * c.n_embd);
        DeviceArray<std::int32_t> idd(ids);
        DeviceArray<std::uint8_t> ws(layout.total);
        MoePrefillParams p;
        p.w = l.w;
        p.x = xd.get();
        p.ids = idd.get();
        p.weights = wd.get();
        p.y = y.get();
        p.workspace = ws.get();
        p.n_tokens = n_tokens;
        p.k = c.k;
        p.n_embd = c.n_embd;
        p.n_ff = c.n_ff;
        p.n_expert = c.n_expert;
        CODERX_EXPECT_OK(moe_prefill(p, nullptr));
        // Split-bf16 operands (about 16 significant bits), f32 accumulation: NMSE about 1e-10;
        // dropping any of the three products, or rounding to TF32, gives 1e-7 or more.
        EXPECT_LT(testing::nmse(y.download(), testing::moe_ref(l.ref, x, ids, wts, n_tokens, c.k)), 1e-8);
        const auto bytes = ws.download();
        const ExpertGroups want = group_by_expert_chunked(ids, c.n_expert, kMoeGroupChunk);
        auto ints = [&](std::size_t at, std::size_t n) {
          std::vector<std::int32_t> v(n);
          std::memcpy(v.data(), bytes.data() + at, n * 4);
          return v;
        };
        EXPECT_EQ(ints(layout.counts, c.n_expert), want.counts);
        EXPECT_EQ(ints(layout.offsets, c.n_expert + 1), want.offsets);
        EXPECT_EQ(ints(layout.perm, ids.size()), want.perm);
        EXPECT_EQ(ints(layout.inv, ids.size()), want.inv);
        EXPECT_EQ(ints(layout.n_tiles, 1)[0], static_cast<std::int32_t>(expert_tiles(want.counts, kMoeTileM).size()));
      }
    }
  }
}

TEST(MoePrefillGpu, RejectsMisalignedOrOutOfRangeArguments) {
  CODERX_REQUIRE_GPU();
  std::mt19937 rng(13);
  const MoeCase c = kCases[0];
  Layer l = make_layer(c, rng);
  const int n_tokens = 2;
  DeviceArray<float> x(std::size_t(n_tokens) * c.n_embd + 1), wts(n_tokens * c.k), y(std::size_t(n_tokens) * c.n_embd);
  DeviceArray<std::int32_t> ids(std::vector<std::int32_t>(n_tokens * c.k, 0));
  DeviceArray<std::uint8_t> ws(moe_prefill_workspace(n_tokens, c.k, c.n_expert, c.n_embd, c.n_ff).total);
  MoePrefillParams p{l.w, x.get(), ids.get(), wts.get(), y.get(), ws.get(), n_tokens, c.k, c.n_embd, c.n_ff, c.n_expert};
  CODERX_EXPECT_OK(moe_prefill(p, nullptr));
  MoePrefillParams bad = p;
  bad.x = x.get() + 1;  // 4-byte aligned only: the A tiles load 16 bytes at a time
  EXPECT_FALSE(moe_prefill(bad, nullptr).ok());
  bad = p;
  bad.n_expert = 0;
  EXPECT_FALSE(moe_prefill(bad, nullptr).ok());
  bad = p;
  bad.n_ff = c.n_ff + 16;  // not a multiple of 32
  EXPECT_FALSE(moe_prefill(bad, nullptr).ok());
}

}  // namespace
}  // namespace coderx::kernels

#else
TEST(MoeGpu, Skipped) { GTEST_SKIP() << "built without CUDA (CODERX_HAVE_CUDA unset)"; }
#endif
