#include "kernels/moe_routing.h"

#include <cassert>

namespace coderx::kernels {

namespace {

std::vector<std::int32_t> exclusive_scan(const std::vector<std::int32_t>& counts) {
  std::vector<std::int32_t> offsets(counts.size() + 1, 0);
  for (std::size_t e = 0; e < counts.size(); ++e) offsets[e + 1] = offsets[e] + counts[e];
  return offsets;
}

std::size_t align_up(std::size_t v, std::size_t a) { return (v + a - 1) / a * a; }

}  // namespace

ExpertGroups group_by_expert(const std::vector<std::int32_t>& ids, int n_expert) {
  ExpertGroups g;
  g.counts.assign(n_expert, 0);
  for (std::int32_t e : ids) {
    assert(e >= 0 && e < n_expert);
    ++g.counts[e];
  }
  g.offsets = exclusive_scan(g.counts);
  std::vector<std::int32_t> next(g.offsets.begin(), g.offsets.end() - 1);
  g.perm.resize(ids.size());
  g.inv.resize(ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const std::int32_t pos = next[ids[i]]++;
    g.perm[pos] = static_cast<std::int32_t>(i);
    g.inv[i] = pos;
  }
  return g;
}

ExpertGroups group_by_expert_chunked(const std::vector<std::int32_t>& ids, int n_expert, int chunk) {
  const std::size_t n = ids.size();
  const std::size_t n_chunks = (n + chunk - 1) / chunk;
  // Pass 1 (count kernel): one histogram per chunk.
  std::vector<std::int32_t> chunk_counts(n_chunks * n_expert, 0);
  for (std::size_t i = 0; i < n; ++i) ++chunk_counts[(i / chunk) * n_expert + ids[i]];
  // Pass 2 (scan kernel): per-expert totals, offsets, and per-(chunk, expert) bases.
  ExpertGroups g;
  g.counts.assign(n_expert, 0);
  std::vector<std::int32_t> base(n_chunks * n_expert, 0);
  for (int e = 0; e < n_expert; ++e) {
    for (std::size_t c = 0; c < n_chunks; ++c) {
      base[c * n_expert + e] = g.counts[e];
      g.counts[e] += chunk_counts[c * n_expert + e];
    }
  }
  g.offsets = exclusive_scan(g.counts);
  for (std::size_t c = 0; c < n_chunks; ++c) {
    for (int e = 0; e < n_expert; ++e) base[c * n_expert + e] += g.offsets[e];
  }
  // Pass 3 (scatter kernel): rank = earlier entries of the same chunk with the same expert.
  g.perm.resize(n);
  g.inv.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t c = i / chunk;
    std::int32_t rank = 0;
    for (std::size_t j = c * chunk; j < i; ++j) rank += ids[j] == ids[i];
    const std::int32_t pos = base[c * n_expert + ids[i]] + rank;
    g.perm[pos] = static_cast<std::int32_t>(i);
    g.inv[i] = pos;
  }
  return g;
}

std::vector<ExpertTile> expert_tiles(const std::vector<std::int32_t>& counts, int tile_m) {
  std::vector<ExpertTile> tiles;
  for (std::size_t e = 0; e < counts.size(); ++e) {
    for (std::int32_t r = 0; r < counts[e]; r += tile_m) tiles.push_back({static_cast<std::int32_t>(e), r});
  }
  return tiles;
}

std::int64_t max_expert_tiles(std::int64_t entries, int n_expert, int tile_m) {
  // Σ ceil(c_e / m) <= Σ (c_e / m) + (number of non-empty experts) <= entries / m + min(E, entries),
  // and the floor of the first term is enough because the fractional parts are counted in the second.
  const std::int64_t busy = entries < n_expert ? entries : n_expert;
  return entries / tile_m + busy;
}

MoePrefillWorkspace moe_prefill_workspace(std::int64_t n_tokens, int k, int n_expert, int n_embd, int n_ff) {
  const std::size_t entries = static_cast<std::size_t>(n_tokens) * k;
  const std::size_t n_chunks = (entries + kMoeGroupChunk - 1) / kMoeGroupChunk;
  const std::size_t tiles = static_cast<std::size_t>(max_expert_tiles(static_cast<std::int64_t>(entries), n_expert, kMoeTileM));
  MoePrefillWorkspace w{};
  std::size_t at = 0;
  auto take = [&at](std::size_t bytes) {
    const std::size_t here = at;
    at = align_up(at + bytes, 256);
    return here;
  };
  w.chunk_counts = take(n_chunks * n_expert * 4);
  w.chunk_base = take(n_chunks * n_expert * 4);
  w.counts = take(static_cast<std::size_t>(n_expert) * 4);
  w.offsets = take((static_cast<std::size_t>(n_expert) + 1) * 4);
  w.perm = take(entries * 4);
  w.inv = take(entries * 4);
  w.tiles = take(tiles * sizeof(ExpertTile));
  w.n_tiles = take(4);
  w.act = take(entries * static_cast<std::size_t>(n_ff) * 4);
  w.y_perm = take(entries * static_cast<std::size_t>(n_embd) * 4);
  w.total = at;
  return w;
}

}  // namespace coderx::kernels
