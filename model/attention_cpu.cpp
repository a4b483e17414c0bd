#include "model/attention_cpu.h"

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <vector>

#include "model/huge_page_allocator.h"
#include "model/ops_cpu_vec.h"
#include "model/quant/rows.h"

namespace coderx::model {

namespace {

constexpr std::int64_t kKeyTile = 32;              // keys per tile
constexpr std::int64_t kMaxBlockTokens = 16;       // queries per block share every key tile
constexpr std::int64_t kMaxScoreFloats = 1 << 18;  // 1 MiB of scores per block at most
constexpr std::int64_t kMinParallelWork = 1 << 17;
constexpr std::int64_t kDecodeValueTile = 32;  // keys per vec::axpy_heads call in decode

template <class Vector>
auto* grow(Vector& v, std::size_t n) {
  if (v.size() < n) v.resize(n);
  return v.data();
}

// One work item: tokens [t0, t1) of one sequence, every query head of kv head g.
struct Block {
  const AttentionArgs& a;
  const KvLayerView& c;
  std::int64_t t0, t1, g, group;

  std::int64_t pos(std::int64_t t) const { return a.positions[t]; }
  std::int64_t lo(std::int64_t t) const {
    return a.window > 0 ? std::max<std::int64_t>(0, pos(t) - a.window + 1) : 0;
  }
  std::int64_t n_keys(std::int64_t t) const { return pos(t) - lo(t) + 1; }
  // Token t's keys go four at a time in the runs of four positions 4s … 4s+3 that lie wholly in
  // its range, the rest one at a time. Relative to lo: [0, head) and [groups_end, n_keys) alone.
  // (Four slots of an interleaved cache are one run, so a group reads one stream; a key's score
  // and its value's weighting are the same bits however the keys are grouped.)
  std::int64_t head(std::int64_t t) const { return std::min(n_keys(t), (4 - lo(t) % 4) % 4); }
  std::int64_t groups_end(std::int64_t t) const { return head(t) + (n_keys(t) - head(t)) / 4 * 4; }
  const float* query(std::int64_t t, std::int64_t h) const {
    return a.q + ((t * a.n_head) + g * group + h) * a.head_dim;
  }
  float* out(std::int64_t t, std::int64_t h) const {
    return a.out + ((t * a.n_head) + g * group + h) * a.head_dim;
  }
  // Keys per tile: kKeyTile, fewer for one token, whose tile's f32 rows (keys derived on K = V
  // layers, rows converted otherwise) are read by every pair of query heads and so should stay
  // within 16 KiB (L1); a multiple of 4.
  std::int64_t key_tile() const {
    if (t1 - t0 > 1) return kKeyTile;
    const std::int64_t fit = (16 << 10) / (a.head_dim * static_cast<std::int64_t>(sizeof(float)));
    return std::clamp<std::int64_t>(fit / 4 * 4, 4, kKeyTile);
  }
  std::int64_t offset(std::int64_t key) const {
    return c.row_offset(c.slot(key), g, a.n_kv_head, a.head_dim);
  }
};

// Whether the K (or V) rows of a block are read as IEEE half by the kernels themselves (decode
// on an f16 cache, query heads in pairs) rather than converted into scratch first: one token
// uses each row once, so a converting pass would only add a write and a read of every row.
// Shared layers derive their keys into scratch anyway.
bool reads_half_rows(const Block& b, bool keys) {
  return b.c.f16() && b.t1 - b.t0 == 1 && b.group % 2 == 0 && !(keys && b.c.shared());
}

// Row k of kv head g as f32 into `out`, from an f16 or a q8_0 cache (quant::dequantize_row: the
// reference decoder's bits).
void convert_row(const Block& b, bool keys, std::int64_t k, float* out) {
  const KvLayerView& c = b.c;
  if (c.q8()) {
    quant::dequantize_row(quant::Type::Q8_0, KvLayerView::q8_row(keys ? c.k8 : c.v8, b.offset(k)),
                          out, b.a.head_dim);
    return;
  }
  vec::f16_chunks_to_f32((keys ? c.k16 : c.v16) + b.offset(k), c.chunk_stride(), out, b.a.head_dim);
}

// The rows of positions [k0, k1) of kv head g: f32 pointers into the cache when it is f32, into
// `scratch` (converted) when it is f16 or q8_0, or (reads_half_rows) the f16 rows themselves in
// `half`.
void load_rows(const Block& b, bool keys, std::int64_t k0, std::int64_t k1,
               AlignedVector<float>& scratch, std::vector<const float*>& rows,
               std::vector<const std::uint16_t*>& half) {
  const KvLayerView& c = b.c;
  const std::int64_t hd = b.a.head_dim;
  if (reads_half_rows(b, keys)) {
    half.resize(static_cast<std::size_t>(k1 - k0));
    for (std::int64_t k = k0; k < k1; ++k) half[k - k0] = (keys ? c.k16 : c.v16) + b.offset(k);
    return;
  }
  rows.resize(static_cast<std::size_t>(k1 - k0));
  const bool convert = c.f16() || c.q8();
  if (convert) grow(scratch, static_cast<std::size_t>((k1 - k0) * hd));
  for (std::int64_t k = k0; k < k1; ++k) {
    if (!convert) {
      rows[k - k0] = (keys ? c.k : c.v) + b.offset(k);
      continue;
    }
    float* row = scratch.data() + (k - k0) * hd;
    convert_row(b, keys, k, row);
    rows[k - k0] = row;
  }
}

// Row pointers of keys [k0, k1) (absolute positions) of kv head g; shared layers derive each
// key as RoPE(v ⊙ k_norm) from its slot's table into `scratch`.
void load_keys(const Block& b, std::int64_t k0, std::int64_t k1, AlignedVector<float>& scratch,
               std::vector<const float*>& rows, std::vector<const std::uint16_t*>& half) {
  const KvLayerView& c = b.c;
  const std::int64_t hd = b.a.head_dim;
  if (!c.shared()) return load_rows(b, true, k0, k1, scratch, rows, half);
  rows.resize(static_cast<std::size_t>(k1 - k0));
  grow(scratch, static_cast<std::size_t>((k1 - k0) * hd));
  for (std::int64_t k = k0; k < k1; ++k) {
    const std::int64_t slot = c.slot(k);
    float* key = scratch.data() + (k - k0) * hd;
    if (c.f16()) {
      vec::half_mul(c.v16 + b.offset(k), c.chunk_stride(), c.k_norm, key, hd);
    } else if (c.q8()) {
      convert_row(b, false, k, key);
      vec::mul(key, c.k_norm, key, hd);
    } else {
      vec::mul(c.v + b.offset(k), c.k_norm, key, hd);
    }
    vec::rotate_pairs(key, c.rope.n_dims / 2, c.key_cos + slot * c.rot_pairs,
                      c.key_sin + slot * c.rot_pairs, c.rot_pairs);
    rows[k - k0] = key;
  }
}

// Calls step(t, j, width) for the keys of token t whose step starts in tile [k0, k1), in key
// order: width 1 for the keys before the first group, width 4 for the groups (Block::head),
// width 1 for the keys after the last.
template <class Step>
void for_each_step_in_tile(const Block& b, std::int64_t t, std::int64_t k0, std::int64_t k1,
                           Step&& step) {
  const std::int64_t lo = b.lo(t), head = b.head(t), end = b.groups_end(t), n = b.n_keys(t);
  const std::int64_t first = std::max<std::int64_t>(0, k0 - lo), last = std::min(n, k1 - lo);
  std::int64_t j = first;
  for (; j < std::min(last, head); ++j) step(t, j, 1);
  for (j = head + (std::max(j, head) - head + 3) / 4 * 4; j < std::min(last, end); j += 4)
    step(t, j, 4);
  for (j = std::max(first, end); j < last; ++j) step(t, j, 1);
}

// One token's step in a tile: keys lo_t + j … + width − 1, the first of them at index `first`
// among the tile's fetched rows; `rows`: the token's rows of per_head_rows (one per query head).
struct TileStep {
  std::int64_t t, j, first;
  int width;
  float* const* rows;
};

// Tokens t and t + 1 of a block together: their steps in the tile in key order, each token's in
// its own order, and the four-key steps both have at the same key as one call of pair(x, y) (every
// token's groups of four start at multiples of four, Block::head); the rest one by one.
template <class One, class Pair>
void for_each_pair_step_in_tile(const Block& b, std::int64_t t, std::int64_t k0, std::int64_t k1,
                                float* const* per_head_rows, One&& one, Pair&& pair) {
  thread_local std::vector<TileStep> steps[2];
  for (int i = 0; i < 2; ++i) {
    steps[i].clear();
    if (t + i < b.t1)
      for_each_step_in_tile(b, t + i, k0, k1, [&](std::int64_t tt, std::int64_t j, int width) {
        steps[i].push_back(
            {tt, j, b.lo(tt) + j - k0, width, per_head_rows + (tt - b.t0) * b.group});
      });
  }
  std::size_t x = 0, y = 0;
  while (x < steps[0].size() || y < steps[1].size()) {
    const bool take_x =
        y == steps[1].size() || (x < steps[0].size() && steps[0][x].first <= steps[1][y].first);
    if (x < steps[0].size() && y < steps[1].size() && steps[0][x].first == steps[1][y].first &&
        steps[0][x].width == 4 && steps[1][y].width == 4) {
      pair(steps[0][x++], steps[1][y++]);
    } else if (take_x) {
      one(steps[0][x++]);
    } else {
      one(steps[1][y++]);
    }
  }
}

// Walks keys [key_lo, key_hi] of the block in tiles of key_tile(): load(k0, k_end) fetches the
// rows of keys [k0, k_end) (a group of four that starts in a tile may run 3 keys past it), then
// one(step) runs for every token's steps in that tile (TileStep), each token's in key order. With
// `pairs`, consecutive tokens go two by two and their four-key steps at the same keys run as
// pair(x, y) instead (for_each_pair_step_in_tile).
template <class Load, class One, class Pair>
void walk_tiles(const Block& b, std::int64_t key_lo, std::int64_t key_hi,
                float* const* per_head_rows, bool pairs, Load&& load, One&& one, Pair&& pair) {
  const std::int64_t tile = b.key_tile();
  // With one token and key_lo a multiple of 4, every group ends in its tile.
  const std::int64_t overhang = b.t1 - b.t0 > 1 || key_lo % 4 != 0 ? 3 : 0;
  for (std::int64_t k0 = key_lo; k0 <= key_hi; k0 += tile) {
    const std::int64_t k1 = std::min(key_hi + 1, k0 + tile);
    load(k0, std::min(key_hi + 1, k1 + overhang));
    for (std::int64_t t = b.t0; t < b.t1; t += pairs ? 2 : 1) {
      if (pairs) {
        for_each_pair_step_in_tile(b, t, k0, k1, per_head_rows, one, pair);
        continue;
      }
      for_each_step_in_tile(b, t, k0, k1, [&](std::int64_t tt, std::int64_t j, int width) {
        one(TileStep{tt, j, b.lo(tt) + j - k0, width, per_head_rows + (tt - b.t0) * b.group});
      });
    }
  }
}

// Whether a block's tokens go two by two (walk_tiles): batches with two query heads per kv head
// (the sliding layers), whose rows are f32 (in the cache or converted), so that the four-query
// kernels (dot4x4, axpy4x4) load each row once for two tokens.
bool pairs_tokens(const Block& b) {
  return b.group == 2 && b.t1 - b.t0 > 1;
}

// Scores of token t against keys lo_t + j … + 3 (Row: float, or half when the group is even),
// query heads in fours, then pairs, so each key row is loaded once for several.
template <class Row>
void scores_step4(const Block& b, std::int64_t t, std::int64_t j, const Row* const* keys,
                  float* const* row) {
  const std::int64_t hd = b.a.head_dim;
  const float scale = b.a.scale;
  float d[4][4];
  std::int64_t h = 0;
  for (; h + 4 <= b.group; h += 4) {
    const float* q[4] = {b.query(t, h), b.query(t, h + 1), b.query(t, h + 2), b.query(t, h + 3)};
    float* out[4] = {d[0], d[1], d[2], d[3]};
    if constexpr (std::is_same_v<Row, float>)
      vec::dot4x4(q, keys, hd, out);
    else
      vec::dot4x4(q, keys, hd, out, b.c.chunk_stride());
    for (int r = 0; r < 4; ++r)
      for (int i = 0; i < 4; ++i) row[h + r][j + i] = d[r][i] * scale;
  }
  for (; h + 2 <= b.group; h += 2) {
    if constexpr (std::is_same_v<Row, float>)
      vec::dot4x2(b.query(t, h), b.query(t, h + 1), keys, hd, d[0], d[1]);
    else
      vec::dot4x2(b.query(t, h), b.query(t, h + 1), keys, hd, d[0], d[1], b.c.chunk_stride());
    for (int i = 0; i < 4; ++i)
      row[h][j + i] = d[0][i] * scale, row[h + 1][j + i] = d[1][i] * scale;
  }
  if constexpr (std::is_same_v<Row, float>) {
    if (h < b.group) {
      vec::dot4(b.query(t, h), keys, hd, d[0]);
      for (int i = 0; i < 4; ++i) row[h][j + i] = d[0][i] * scale;
    }
  }
}

// Scores s[(t − t0)·group + h][j] = q_{t,h} · key(lo_t + j) · scale.
void block_scores(const Block& b, std::int64_t key_lo, std::int64_t key_hi, float* const* s) {
  thread_local AlignedVector<float> scratch;
  thread_local std::vector<const float*> rows;
  thread_local std::vector<const std::uint16_t*> half;
  const std::int64_t hd = b.a.head_dim;
  const float scale = b.a.scale;
  const bool as_half = reads_half_rows(b, true);
  const auto load = [&](std::int64_t k0, std::int64_t k_end) {
    load_keys(b, k0, k_end, scratch, rows, half);
  };
  const auto one = [&](const TileStep& x) {
    if (x.width == 4) {
      if (as_half) return scores_step4(b, x.t, x.j, half.data() + x.first, x.rows);
      return scores_step4(b, x.t, x.j, rows.data() + x.first, x.rows);
    }
    // One key: the bits its group of four would give it (dot1x2), heads in pairs (an odd last
    // head pairs with itself).
    for (std::int64_t h = 0; h < b.group; h += 2) {
      const std::int64_t h1 = std::min(h + 1, b.group - 1);
      float d0, d1;
      if (as_half)
        vec::dot1x2(b.query(x.t, h), b.query(x.t, h1), half[x.first], hd, &d0, &d1,
                    b.c.chunk_stride());
      else
        vec::dot1x2(b.query(x.t, h), b.query(x.t, h1), rows[x.first], hd, &d0, &d1);
      x.rows[h][x.j] = d0 * scale;
      x.rows[h1][x.j] = d1 * scale;
    }
  };
  // Two tokens' two heads against the same four keys: the bits of each token's dot4x2.
  const auto pair = [&](const TileStep& x, const TileStep& y) {
    const float* q[4] = {b.query(x.t, 0), b.query(x.t, 1), b.query(y.t, 0), b.query(y.t, 1)};
    float d[4][4];
    float* out[4] = {d[0], d[1], d[2], d[3]};
    vec::dot4x4(q, rows.data() + x.first, hd, out);
    for (int i = 0; i < 4; ++i) {
      x.rows[0][x.j + i] = d[0][i] * scale, x.rows[1][x.j + i] = d[1][i] * scale;
      y.rows[0][y.j + i] = d[2][i] * scale, y.rows[1][y.j + i] = d[3][i] * scale;
    }
  };
  walk_tiles(b, key_lo, key_hi, s, pairs_tokens(b) && !as_half, load, one, pair);
}

void softmax_in_place(float* s, std::int64_t n) {
  const double total = vec::exp_shifted(s, n, vec::max_value(s, n));
  vec::scale(s, static_cast<float>(1.0 / total), s, n);
}

// out_{t,h} += the values lo_t + j … + 3 weighted by their probabilities (Row as in
// scores_step4).
template <class Row>
void values_step4(const Block& b, std::int64_t t, std::int64_t j, const Row* const* vals,
                  float* const* row) {
  const std::int64_t hd = b.a.head_dim;
  std::int64_t h = 0;
  for (; h + 2 <= b.group; h += 2)
    if constexpr (std::is_same_v<Row, float>)
      vec::axpy4x2(row[h] + j, row[h + 1] + j, vals, b.out(t, h), b.out(t, h + 1), hd);
    else
      vec::axpy4x2(row[h] + j, row[h + 1] + j, vals, b.out(t, h), b.out(t, h + 1), hd,
                   b.c.chunk_stride());
  if constexpr (std::is_same_v<Row, float>) {
    if (h < b.group) vec::axpy4(row[h] + j, vals, b.out(t, h), hd);
  }
}

// Decode on half rows with four or more query heads per kv head: every head's sum in one walk
// over each tile of keys, in key order (vec::axpy_heads: each row converted once for all heads;
// the same bits as values_step4). With two heads values_step4 converts each row once already,
// and reads a run of four slots as one stream where axpy_heads strides across the tile's rows
// (30 % slower on the sliding layers, whose rows come from memory).
void decode_values(const Block& b, float* const* p) {
  thread_local std::vector<const std::uint16_t*> half;
  thread_local std::vector<const float*> probs;
  thread_local std::vector<float*> outs;
  const std::int64_t lo = b.lo(b.t0), hi = b.pos(b.t0);
  probs.resize(static_cast<std::size_t>(b.group));
  outs.resize(static_cast<std::size_t>(b.group));
  for (std::int64_t h = 0; h < b.group; ++h) outs[h] = b.out(b.t0, h);
  for (std::int64_t k0 = lo; k0 <= hi; k0 += kDecodeValueTile) {
    const std::int64_t k1 = std::min(hi + 1, k0 + kDecodeValueTile);
    half.resize(static_cast<std::size_t>(k1 - k0));
    for (std::int64_t k = k0; k < k1; ++k) half[k - k0] = b.c.v16 + b.offset(k);
    for (std::int64_t h = 0; h < b.group; ++h) probs[h] = p[h] + (k0 - lo);
    vec::axpy_heads(probs.data(), b.group, half.data(), k1 - k0, outs.data(), b.a.head_dim,
                    b.c.chunk_stride());
  }
}

// out_{t,h} = Σ_j p[(t − t0)·group + h][j] · value(lo_t + j), in key order.
void block_values(const Block& b, std::int64_t key_lo, std::int64_t key_hi, float* const* p) {
  thread_local AlignedVector<float> scratch;
  thread_local std::vector<const float*> values;
  thread_local std::vector<const std::uint16_t*> half;
  const std::int64_t hd = b.a.head_dim;
  for (std::int64_t t = b.t0; t < b.t1; ++t)
    for (std::int64_t h = 0; h < b.group; ++h) std::fill_n(b.out(t, h), hd, 0.0f);
  const bool as_half = reads_half_rows(b, false);
  if (as_half && b.group >= 4) return decode_values(b, p);
  const auto load = [&](std::int64_t k0, std::int64_t k_end) {
    load_rows(b, false, k0, k_end, scratch, values, half);
  };
  const auto one = [&](const TileStep& x) {
    if (x.width == 4) {
      if (as_half) return values_step4(b, x.t, x.j, half.data() + x.first, x.rows);
      return values_step4(b, x.t, x.j, values.data() + x.first, x.rows);
    }
    const float* value =
        as_half ? vec::half_row_as_f32(half[x.first], hd, b.c.chunk_stride()) : values[x.first];
    for (std::int64_t h = 0; h < b.group; ++h) vec::axpy(x.rows[h][x.j], value, b.out(x.t, h), hd);
  };
  // Two tokens' two heads weighting the same four values: the bits of each token's axpy4x2.
  const auto pair = [&](const TileStep& x, const TileStep& y) {
    const float* w[4] = {x.rows[0] + x.j, x.rows[1] + x.j, y.rows[0] + y.j, y.rows[1] + y.j};
    float* out[4] = {b.out(x.t, 0), b.out(x.t, 1), b.out(y.t, 0), b.out(y.t, 1)};
    vec::axpy4x4(w, values.data() + x.first, out, hd);
  };
  walk_tiles(b, key_lo, key_hi, p, pairs_tokens(b) && !as_half, load, one, pair);
}

void attend_block(const Block& b) {
  thread_local AlignedVector<float> scores;
  thread_local std::vector<float*> rows;
  std::int64_t key_lo = b.lo(b.t0), key_hi = b.pos(b.t0), total = 0;
  for (std::int64_t t = b.t0; t < b.t1; ++t) {
    key_lo = std::min(key_lo, b.lo(t));
    key_hi = std::max(key_hi, b.pos(t));
    total += b.n_keys(t) * b.group;
  }
  float* s = grow(scores, static_cast<std::size_t>(total));
  rows.resize(static_cast<std::size_t>((b.t1 - b.t0) * b.group));
  for (std::int64_t t = b.t0; t < b.t1; ++t)
    for (std::int64_t h = 0; h < b.group; ++h, s += b.n_keys(t)) rows[(t - b.t0) * b.group + h] = s;
  block_scores(b, key_lo, key_hi, rows.data());
  for (std::int64_t t = b.t0; t < b.t1; ++t)
    for (std::int64_t h = 0; h < b.group; ++h)
      softmax_in_place(rows[(t - b.t0) * b.group + h], b.n_keys(t));
  block_values(b, key_lo, key_hi, rows.data());
}

// Consecutive runs of tokens of one sequence, each at most `limit` long: [starts[i], starts[i+1]).
std::vector<std::int64_t> block_starts(const AttentionArgs& a, std::int64_t limit) {
  std::vector<std::int64_t> starts{0};
  for (std::int64_t t = 1; t < a.n_tokens; ++t) {
    const bool same_seq = !a.seq || a.seq[t] == a.seq[t - 1];
    if (!same_seq || t - starts.back() >= limit) starts.push_back(t);
  }
  starts.push_back(a.n_tokens);
  return starts;
}

}  // namespace

void attention_cpu(ThreadPool& pool, const AttentionArgs& a) {
  if (a.n_tokens <= 0) return;
  const std::int64_t group = a.n_head / a.n_kv_head;
  const std::int64_t ctx = a.window > 0 ? a.window : a.positions[a.n_tokens - 1] + 1;
  const std::int64_t limit = std::clamp<std::int64_t>(
      kMaxScoreFloats / std::max<std::int64_t>(1, group * ctx), 1, kMaxBlockTokens);
  const std::vector<std::int64_t> starts = block_starts(a, limit);
  const std::int64_t n_blocks = static_cast<std::int64_t>(starts.size()) - 1;
  const std::int64_t per_item = std::max<std::int64_t>(1, limit * ctx * a.head_dim * group * 2);
  const std::int64_t grain = std::max<std::int64_t>(1, kMinParallelWork / per_item);
  pool.parallel_for(n_blocks * a.n_kv_head, grain, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end; ++i) {
      const std::int64_t blk = i / a.n_kv_head, t0 = starts[blk];
      const KvLayerView& c = a.caches[a.seq ? a.seq[t0] : 0];
      attend_block(Block{a, c, t0, starts[blk + 1], i % a.n_kv_head, group});
    }
  });
}

}  // namespace coderx::model
