#include "kernels/split_k.h"

#include <algorithm>

namespace coderx::kernels {

KeyRange key_range(std::int64_t pos_min, std::int64_t pos_max, std::int64_t window) {
  KeyRange r;
  r.begin = window > 0 ? std::max<std::int64_t>(0, pos_min - window + 1) : 0;
  r.end = pos_max + 1;
  return r;
}

namespace {

std::int64_t round_up(std::int64_t v, std::int64_t m) { return (v + m - 1) / m * m; }

// Largest split count whose chunks (rounded up to the tile) leave no split empty.
SplitPlan fit(std::int64_t n_keys, int splits) {
  SplitPlan plan;
  splits = std::max(1, splits);
  std::int64_t chunk = round_up((n_keys + splits - 1) / splits, kAttnKeyTile);
  chunk = std::max<std::int64_t>(chunk, kAttnKeyTile);
  plan.chunk = chunk;
  plan.n_splits = static_cast<int>((n_keys + chunk - 1) / chunk);
  plan.n_splits = std::max(plan.n_splits, 1);
  return plan;
}

}  // namespace

SplitPlan plan_splits(std::int64_t n_keys, std::int64_t base_blocks, int block_slots, int requested,
                      std::int64_t min_keys, int max_splits) {
  if (n_keys <= 0) return SplitPlan{1, kAttnKeyTile};
  int splits = requested;
  if (splits <= 0) {
    const std::int64_t base = std::max<std::int64_t>(base_blocks, 1);  // blocks per split
    const std::int64_t want = std::max<std::int64_t>(1, block_slots / base);  // one wave
    const std::int64_t by_len = std::max<std::int64_t>(1, n_keys / std::max<std::int64_t>(min_keys, 1));
    splits = static_cast<int>(std::min<std::int64_t>({want, by_len, kAttnMaxSplits}));
  }
  splits = std::min({splits, kAttnMaxSplits, std::max(max_splits, 1)});
  return fit(n_keys, splits);
}

KeyRange split_range(const KeyRange& keys, const SplitPlan& plan, int s) {
  KeyRange r;
  r.begin = keys.begin + s * plan.chunk;
  r.end = std::min(keys.end, r.begin + plan.chunk);
  return r;
}

bool attention_group_supported(int n_head, int n_kv) {
  if (n_head <= 0 || n_kv <= 0 || n_head % n_kv != 0) return false;
  const int group = n_head / n_kv;
  return group > kAttnWarps ? group % kAttnWarps == 0 : kAttnWarps % group == 0;
}

AttentionBlocks attention_blocks(int n_q, int n_head, int n_kv) {
  AttentionBlocks b;
  const int group = n_head / n_kv;
  b.hpb = std::min(group, kAttnWarps);
  b.tq = kAttnWarps / b.hpb;
  b.head_blocks = group / b.hpb;
  b.q_tiles = (n_q + b.tq - 1) / b.tq;
  return b;
}

}  // namespace coderx::kernels
