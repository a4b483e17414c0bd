// Key ranges and split-K partitions of attention: every visible key in exactly one split, no
// empty split, chunks a multiple of the key tile, sensible split counts.
#include "kernels/split_k.h"

#include <gtest/gtest.h>

#include <vector>

namespace coderx::kernels {
namespace {

TEST(SplitK, KeyRangeCausalAndWindowed) {
  EXPECT_EQ(key_range(0, 0, 0).begin, 0);
  EXPECT_EQ(key_range(0, 0, 0).end, 1);
  EXPECT_EQ(key_range(5000, 5000, 0).size(), 5001);
  // Sliding window 1024: the query at p sees p-1023 … p.
  EXPECT_EQ(key_range(5000, 5000, 1024).begin, 5000 - 1023);
  EXPECT_EQ(key_range(5000, 5000, 1024).size(), 1024);
  EXPECT_EQ(key_range(10, 10, 1024).begin, 0);
  // A batch of queries 100…163 with window 64: union of their windows.
  EXPECT_EQ(key_range(100, 163, 64).begin, 37);
  EXPECT_EQ(key_range(100, 163, 64).end, 164);
}

TEST(SplitK, SplitsPartitionTheRange) {
  for (std::int64_t n_keys : {1, 15, 16, 17, 255, 1024, 1025, 5000, 131072}) {
    for (int requested : {0, 1, 2, 3, 7, 64, 1000}) {
      for (std::int64_t base_blocks : {1, 2, 16, 1000}) {
        const KeyRange keys{100, 100 + n_keys};
        const SplitPlan plan = plan_splits(n_keys, base_blocks, 132, requested);
        SCOPED_TRACE(::testing::Message() << n_keys << " keys, requested " << requested);
        ASSERT_GE(plan.n_splits, 1);
        ASSERT_LE(plan.n_splits, kAttnMaxSplits);
        EXPECT_EQ(plan.chunk % kAttnKeyTile, 0);
        std::int64_t next = keys.begin;
        for (int s = 0; s < plan.n_splits; ++s) {
          const KeyRange r = split_range(keys, plan, s);
          EXPECT_EQ(r.begin, next);
          EXPECT_GT(r.size(), 0);
          next = r.end;
        }
        EXPECT_EQ(next, keys.end);
        if (requested > 0) {
          EXPECT_LE(plan.n_splits, requested);
        }
      }
    }
  }
}

TEST(SplitK, AutoPlanFillsTheDeviceForLongDecode) {
  // One query, 8 KV heads (GQA 2 → 8 blocks), 132 block slots: a long cache is split, a short
  // one is not.
  EXPECT_GE(plan_splits(32768, 8, 132, 0).n_splits, 16);
  EXPECT_EQ(plan_splits(100, 8, 132, 0).n_splits, 1);
  // The blocks fill one wave of the device's block slots without spilling into a second.
  const SplitPlan wave = plan_splits(32768, 8, 264, 0, kAttnKeyTile);
  EXPECT_LE(wave.n_splits * 8, 264);
  EXPECT_GE(wave.n_splits * 8, 200);
  // Prefill with thousands of blocks needs no split.
  EXPECT_EQ(plan_splits(4096, 4096, 132, 0).n_splits, 1);
  // The workspace capacity caps both the automatic and the requested count.
  EXPECT_LE(plan_splits(32768, 8, 132, 0, 256, 4).n_splits, 4);
  EXPECT_EQ(plan_splits(32768, 8, 132, 50, 256, 3).n_splits, 3);
}

}  // namespace
}  // namespace coderx::kernels

namespace coderx::kernels {
namespace {

// Every (query, head) item is served by exactly one (block, warp), and each block's warps share
// one KV head — replaying the mapping documented in split_k.h.
TEST(AttentionBlocks, EveryItemOnceAndOneKvHeadPerBlock) {
  struct Case { int n_q, n_head, n_kv; };
  for (Case c : {Case{1, 16, 8}, Case{1, 16, 2}, Case{5, 16, 8}, Case{37, 16, 2}, Case{3, 8, 8}, Case{9, 32, 2},
                 Case{2, 16, 1}, Case{4, 4, 1}}) {
    ASSERT_TRUE(attention_group_supported(c.n_head, c.n_kv));
    const AttentionBlocks b = attention_blocks(c.n_q, c.n_head, c.n_kv);
    const int group = c.n_head / c.n_kv;
    std::vector<int> seen(c.n_q * c.n_head, 0);
    for (int y = 0; y < c.n_kv * b.head_blocks; ++y) {
      for (int z = 0; z < b.q_tiles; ++z) {
        const int g = y / b.head_blocks, hb = y % b.head_blocks;
        for (int w = 0; w < kAttnWarps; ++w) {
          const int token = z * b.tq + w / b.hpb;
          const int head = g * group + hb * b.hpb + w % b.hpb;
          if (w >= b.tq * b.hpb || token >= c.n_q) continue;
          ASSERT_LT(head, c.n_head);
          EXPECT_EQ(head / group, g);  // GQA: contiguous grouping
          ++seen[token * c.n_head + head];
        }
      }
    }
    for (int s : seen) EXPECT_EQ(s, 1);
  }
  EXPECT_FALSE(attention_group_supported(12, 4));  // group 3
  EXPECT_FALSE(attention_group_supported(16, 3));
  EXPECT_TRUE(attention_group_supported(64, 4));   // group 16
}

}  // namespace
}  // namespace coderx::kernels
