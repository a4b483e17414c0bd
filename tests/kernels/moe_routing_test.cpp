// Grouping arithmetic of MoE prefill against a naive stable sort over random routings,
// including empty experts, one hot expert, and sizes that straddle the device chunk.
#include "kernels/moe_routing.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>

namespace coderx::kernels {
namespace {

// Entries sorted by expert, ties by entry index — the definition of the grouping.
std::vector<std::int32_t> naive_perm(const std::vector<std::int32_t>& ids) {
  std::vector<std::int32_t> perm(ids.size());
  std::iota(perm.begin(), perm.end(), 0);
  std::stable_sort(perm.begin(), perm.end(), [&](int a, int b) { return ids[a] < ids[b]; });
  return perm;
}

// Random top-k routing: each token picks k distinct experts from the first `used` experts.
std::vector<std::int32_t> random_routing(std::mt19937& rng, int n_tokens, int k, int n_expert, int used) {
  std::vector<std::int32_t> ids;
  std::vector<std::int32_t> pool(used);
  std::iota(pool.begin(), pool.end(), 0);
  for (int t = 0; t < n_tokens; ++t) {
    std::shuffle(pool.begin(), pool.end(), rng);
    for (int j = 0; j < k; ++j) ids.push_back(pool[j] * (n_expert / used));
  }
  return ids;
}

void expect_valid(const ExpertGroups& g, const std::vector<std::int32_t>& ids, int n_expert) {
  ASSERT_EQ(g.counts.size(), static_cast<std::size_t>(n_expert));
  ASSERT_EQ(g.offsets.size(), static_cast<std::size_t>(n_expert + 1));
  EXPECT_EQ(g.offsets.front(), 0);
  EXPECT_EQ(g.offsets.back(), static_cast<std::int32_t>(ids.size()));
  for (int e = 0; e < n_expert; ++e) {
    EXPECT_EQ(g.counts[e], std::count(ids.begin(), ids.end(), e));
    EXPECT_EQ(g.offsets[e + 1] - g.offsets[e], g.counts[e]);
  }
  EXPECT_EQ(g.perm, naive_perm(ids));
  for (std::size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(g.perm[g.inv[i]], static_cast<std::int32_t>(i));
}

TEST(MoeRouting, GroupingMatchesStableSortOverRandomRoutings) {
  std::mt19937 rng(7);
  struct Case { int n_tokens, k, n_expert, used; };
  for (Case c : {Case{1, 8, 128, 128}, Case{3, 2, 4, 4}, Case{17, 8, 98, 98}, Case{40, 8, 128, 16},
                 Case{100, 4, 64, 8}, Case{257, 1, 8, 8}, Case{600, 8, 128, 128}}) {
    SCOPED_TRACE(::testing::Message() << c.n_tokens << "x" << c.k << " of " << c.n_expert);
    const auto ids = random_routing(rng, c.n_tokens, c.k, c.n_expert, c.used);
    expect_valid(group_by_expert(ids, c.n_expert), ids, c.n_expert);
    for (int chunk : {1, 7, 256}) {
      const ExpertGroups g = group_by_expert_chunked(ids, c.n_expert, chunk);
      expect_valid(g, ids, c.n_expert);
    }
  }
}

TEST(MoeRouting, AllEntriesOnOneExpert) {
  std::vector<std::int32_t> ids(1000, 5);
  const ExpertGroups g = group_by_expert_chunked(ids, 16, kMoeGroupChunk);
  expect_valid(g, ids, 16);
  EXPECT_EQ(g.offsets[5], 0);
  EXPECT_EQ(g.offsets[6], 1000);
}

TEST(MoeRouting, TilesCoverEveryRowOnceAndRespectTheBound) {
  std::mt19937 rng(11);
  for (int trial = 0; trial < 50; ++trial) {
    const int n_expert = 1 + static_cast<int>(rng() % 130);
    const int entries = static_cast<int>(rng() % 3000);
    std::vector<std::int32_t> ids(entries);
    for (auto& e : ids) e = static_cast<std::int32_t>(rng() % n_expert);
    const ExpertGroups g = group_by_expert(ids, n_expert);
    const auto tiles = expert_tiles(g.counts, kMoeTileM);
    EXPECT_LE(static_cast<std::int64_t>(tiles.size()), max_expert_tiles(entries, n_expert, kMoeTileM));
    std::vector<int> covered(entries, 0);
    for (const ExpertTile& t : tiles) {
      ASSERT_LT(t.row_begin, g.counts[t.expert]);  // no empty tile
      const int end = std::min(g.counts[t.expert], t.row_begin + kMoeTileM);
      for (int r = t.row_begin; r < end; ++r) ++covered[g.offsets[t.expert] + r];
    }
    for (int c : covered) EXPECT_EQ(c, 1);
  }
}

TEST(MoeRouting, TileBoundIsTightForWorstCase) {
  // Every expert gets tile_m + 1 entries: two tiles each.
  const int n_expert = 10;
  std::vector<std::int32_t> counts(n_expert, kMoeTileM + 1);
  const std::int64_t entries = n_expert * (kMoeTileM + 1);
  EXPECT_EQ(static_cast<std::int64_t>(expert_tiles(counts, kMoeTileM).size()), 2 * n_expert);
  EXPECT_GE(max_expert_tiles(entries, n_expert, kMoeTileM), 2 * n_expert);
  EXPECT_EQ(max_expert_tiles(0, n_expert, kMoeTileM), 0);
}

TEST(MoeRouting, WorkspaceArraysAreAlignedAndDisjoint) {
  const MoePrefillWorkspace w = moe_prefill_workspace(4096, 8, 128, 2816, 704);
  const std::int64_t entries = 4096 * 8;
  const std::int64_t chunks = (entries + kMoeGroupChunk - 1) / kMoeGroupChunk;
  struct Span { std::size_t at, bytes; };
  const Span spans[] = {{w.chunk_counts, static_cast<std::size_t>(chunks * 128 * 4)},
                        {w.chunk_base, static_cast<std::size_t>(chunks * 128 * 4)},
                        {w.counts, 128 * 4}, {w.offsets, 129 * 4},
                        {w.perm, static_cast<std::size_t>(entries * 4)}, {w.inv, static_cast<std::size_t>(entries * 4)},
                        {w.tiles, static_cast<std::size_t>(max_expert_tiles(entries, 128, kMoeTileM)) * sizeof(ExpertTile)},
                        {w.n_tiles, 4},
                        {w.act, static_cast<std::size_t>(entries * 704 * 4)},
                        {w.y_perm, static_cast<std::size_t>(entries * 2816 * 4)}};
  for (std::size_t i = 0; i < std::size(spans); ++i) {
    EXPECT_EQ(spans[i].at % 256, 0u);
    EXPECT_LE(spans[i].at + spans[i].bytes, w.total);
    if (i + 1 < std::size(spans)) {
      EXPECT_LE(spans[i].at + spans[i].bytes, spans[i + 1].at);
    }
  }
}

}  // namespace
}  // namespace coderx::kernels
