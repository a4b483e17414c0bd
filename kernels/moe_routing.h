// Host-side arithmetic of MoE prefill: grouping (token, slot) entries by expert (counts →
// offsets → permutation → inverse), the GEMM tile schedule, and the device workspace layout.
// The device kernels of moe_gemm.cu implement exactly group_by_expert_chunked(); these
// functions are their specification and are unit-tested on the CPU against a naive stable sort.
// Kept C++17 (included by moe_gemm.cu). Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace coderx::kernels {

// Entries are numbered entry = token · k + slot. Within an expert, entries keep entry order.
struct ExpertGroups {
  std::vector<std::int32_t> counts;   // [n_expert] entries routed to each expert
  std::vector<std::int32_t> offsets;  // [n_expert + 1] exclusive prefix sum of counts
  std::vector<std::int32_t> perm;     // [entries] perm[pos] = entry; expert e owns pos in [offsets[e], offsets[e+1])
  std::vector<std::int32_t> inv;      // [entries] inv[entry] = pos
};

// Straightforward stable counting sort. ids [entries], each in [0, n_expert).
ExpertGroups group_by_expert(const std::vector<std::int32_t>& ids, int n_expert);

// The chunked algorithm the device runs (per-chunk histograms, per-(chunk, expert) bases, rank
// within the chunk). Same result as group_by_expert for any chunk >= 1.
ExpertGroups group_by_expert_chunked(const std::vector<std::int32_t>& ids, int n_expert, int chunk);

// One GEMM tile: rows [row_begin, row_begin + tile_m) of expert `expert`'s group.
struct ExpertTile {
  std::int32_t expert;
  std::int32_t row_begin;
};

// Tiles in expert order, ceil(count/tile_m) per expert (none for an empty expert).
std::vector<ExpertTile> expert_tiles(const std::vector<std::int32_t>& counts, int tile_m);

// Upper bound on expert_tiles().size() for any routing of `entries` entries (grid size).
std::int64_t max_expert_tiles(std::int64_t entries, int n_expert, int tile_m);

// Device workspace of moe_prefill: byte offsets of each array inside one allocation, every
// array 256-byte aligned.
struct MoePrefillWorkspace {
  std::size_t chunk_counts;  // [n_chunks, n_expert] i32
  std::size_t chunk_base;    // [n_chunks, n_expert] i32
  std::size_t counts;        // [n_expert] i32
  std::size_t offsets;       // [n_expert + 1] i32
  std::size_t perm;          // [entries] i32
  std::size_t inv;           // [entries] i32
  std::size_t tiles;         // [max_tiles] ExpertTile
  std::size_t n_tiles;       // [1] i32
  std::size_t act;           // [entries, n_ff] f32
  std::size_t y_perm;        // [entries, n_embd] f32
  std::size_t total;         // bytes to allocate
};

constexpr int kMoeGroupChunk = 256;  // entries per grouping chunk (one block)
constexpr int kMoeTileM = 64;        // rows per grouped-GEMM tile

MoePrefillWorkspace moe_prefill_workspace(std::int64_t n_tokens, int k, int n_expert, int n_embd, int n_ff);

}  // namespace coderx::kernels
