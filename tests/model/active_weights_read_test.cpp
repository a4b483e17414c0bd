// active_weight_spans (model/active_weights_read.h) and read_spans (model/read_bandwidth.h): the
// spans of one decode step cover exactly the matrix bytes the file's tensor table says a step
// reads (every attention, dense MLP and router matrix, k of each layer's n experts, one
// embedding row, the LM head), each layer's picks are k distinct whole experts of its stacks
// (pick_experts), and read_spans reads every byte it is given.
#include "model/active_weights_read.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <string_view>

#include "model/model_file.h"
#include "model/read_bandwidth.h"
#include "model/test_model.h"
#include "tests/support/paths.h"

namespace coderx::model {
namespace {

bool ends_with(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

// From the file's tensor table alone: the bytes of the matrices a decode step reads.
std::uint64_t step_matrix_bytes(const GgufFile& f, const TestModelParams& p) {
  std::uint64_t total = 0;
  bool untied = false;
  for (const TensorInfo& t : f.tensors()) {
    const std::string_view n = t.name;
    if (n.substr(0, 4) == "blk." && t.n_dims >= 2 && ends_with(n, ".weight")) {
      total += ends_with(n, "_exps.weight") ? t.n_bytes / p.n_expert * p.n_expert_used : t.n_bytes;
    } else if (n == "output.weight") {
      untied = true;
      total += t.n_bytes;
    }
  }
  for (const TensorInfo& t : f.tensors())
    if (t.name == "token_embd.weight") total += t.row_bytes + (untied ? 0 : t.n_bytes);
  return total;
}

class ActiveWeightSpans : public ::testing::TestWithParam<int> {};

TEST_P(ActiveWeightSpans, CoverTheMatricesOfOneDecodeStep) {
  coderx::testing::TempDir dir;
  TestModelParams p;
  p.n_layer = 3;
  p.n_expert = 6;
  p.n_expert_used = 3;
  p.split_experts = GetParam() & 1;
  p.untied_output = GetParam() & 2;
  p.preset = "Q4_K_M";
  const auto path = dir / "m.gguf";
  ASSERT_TRUE(write_test_model(p, path));
  auto file = ModelFile::open(path);
  ASSERT_TRUE(file) << file.error().message;
  const ModelView& m = (*file)->view();
  std::mt19937 rng(5);
  for (int pick = 0; pick < 20; ++pick) {
    const auto spans = active_weight_spans(m, rng);
    std::uint64_t bytes = 0;
    for (const auto& s : spans) bytes += s.size();
    EXPECT_EQ(bytes, step_matrix_bytes((*file)->gguf(), p));
    // Each layer's down slices: k distinct whole experts of its stack.
    for (const LayerView& l : m.layers) {
      const ExpertMatrices& down = l.experts.down;
      const std::size_t expert_bytes = down.row_bytes * static_cast<std::size_t>(down.rows);
      std::set<std::ptrdiff_t> experts;
      for (const auto& s : spans) {
        const std::ptrdiff_t at = s.data() - down.data;
        if (at < 0 || at >= static_cast<std::ptrdiff_t>(expert_bytes * down.n_expert)) continue;
        EXPECT_EQ(at % static_cast<std::ptrdiff_t>(expert_bytes), 0);
        EXPECT_EQ(s.size(), expert_bytes);
        experts.insert(at);
      }
      EXPECT_EQ(experts.size(), p.n_expert_used);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(FusedSplitTiedUntied, ActiveWeightSpans, ::testing::Values(0, 1, 2, 3));

TEST(PickExperts, DistinctIdsInRangeAtMostAllOfThem) {
  std::mt19937 rng(3);
  for (std::int64_t k : {0, 1, 3, 8, 9}) {
    const auto ids = pick_experts(8, k, rng);
    EXPECT_EQ(ids.size(), static_cast<std::size_t>(std::min<std::int64_t>(k, 8)));
    const std::set<std::int32_t> distinct(ids.begin(), ids.end());
    EXPECT_EQ(distinct.size(), ids.size());
    for (std::int32_t e : ids) EXPECT_TRUE(e >= 0 && e < 8) << e;
  }
}

TEST(ReadSpans, ReadsEveryByteItIsGiven) {
  ThreadPool pool(2);
  std::vector<std::byte> a(200'000), b(77);  // 16 KiB pieces and a short tail; a tiny span
  const std::vector<std::span<const std::byte>> spans{a, b, {}};
  const ReadTiming r = read_spans(pool, spans);
  EXPECT_EQ(r.bytes, a.size() + b.size());
  EXPECT_GT(r.seconds, 0.0);
  EXPECT_GT(r.bytes_per_second(), 0.0);
  EXPECT_EQ(read_spans(pool, {}).bytes, 0u);
  EXPECT_EQ(read_spans(pool, {}).bytes_per_second(), 0.0);
}

}  // namespace
}  // namespace coderx::model
