// Host-side arithmetic of split-K attention: which cached key positions a batch of queries can
// see, and how that range is cut into splits (flash-decoding) so that enough blocks run on the
// device. Plain C++, unit-tested on the CPU (tests/kernels/split_k_test.cpp).
// Pure functions; thread-safe.
#pragma once

#include <cstdint>

namespace coderx::kernels {

constexpr int kAttnKeyTile = 32;  // keys per shared-memory tile; splits are multiples of it
constexpr int kAttnMaxSplits = 64;

// Key positions [begin, end) that queries at positions pos_min … pos_max may attend to
// (causal; with window > 0 a query at p sees keys j with p - j < window).
struct KeyRange {
  std::int64_t begin = 0;
  std::int64_t end = 0;
  std::int64_t size() const { return end - begin; }
};
KeyRange key_range(std::int64_t pos_min, std::int64_t pos_max, std::int64_t window);

// The range cut into n_splits pieces of `chunk` keys (the last may be shorter; none is empty).
struct SplitPlan {
  int n_splits = 1;
  std::int64_t chunk = 0;  // a multiple of kAttnKeyTile
};

// Splits so that base_blocks · n_splits fills one wave of block_slots (the blocks the device
// runs at once: SMs × resident blocks per SM) without exceeding it, each split keeping at least
// min_keys keys; requested > 0 forces that many splits. Never more than max_splits (the
// workspace capacity) nor than the range allows (no empty split).
SplitPlan plan_splits(std::int64_t n_keys, std::int64_t base_blocks, int block_slots, int requested = 0,
                      std::int64_t min_keys = 256, int max_splits = kAttnMaxSplits);

// The begin/end of split s under a plan (absolute positions).
KeyRange split_range(const KeyRange& keys, const SplitPlan& plan, int s);

// How the attention kernel maps (query, head) items to blocks of 8 item slots: a block serves
// hpb query heads of one KV head (hpb = min(group, 8)) for tq = 8 / hpb queries, so every item
// of a block reads the same K/V tiles. Block (x = split, y, z) with y = kv_head · head_blocks +
// hb, z = query tile; slot w → query z·tq + w / hpb, head kv_head·group + hb·hpb + w % hpb
// (the slots whose query exists form a prefix). Valid for group dividing 8 or a multiple of 8.
struct AttentionBlocks {
  int hpb = 1;
  int tq = 8;
  int head_blocks = 1;
  int q_tiles = 1;
};
constexpr int kAttnWarps = 8;  // item slots per block (the kernel also runs 8 warps)
bool attention_group_supported(int n_head, int n_kv);
AttentionBlocks attention_blocks(int n_q, int n_head, int n_kv);

}  // namespace coderx::kernels
