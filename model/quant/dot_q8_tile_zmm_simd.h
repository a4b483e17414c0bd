// Q8_0 tiles (and Q5_0's, and the R8 groups packed as them) against four activations with
// 512-bit vectors: dot_cols_q8_0_tile's arithmetic, two activations per vector. Internal to
// model/quant: a textual template included by dot_avx512.cpp only, after dot_legacy_simd.h and
// zmm_pairs_simd.h.
// Lane 2r of a vector is row r against the pair's first activation, lane 2r + 1 against its
// second: each tile chunk is spread to both lanes of its row once and serves both pairs, and one
// vpdpbusd does the work of two 256-bit ones. Every lane takes dot_cols_q8_0_tile's steps for its
// row and activation (the same exact integers, the same f32 scale, accumulator and final sum),
// so the results are the same bits; the eight accumulators of each pair stay in registers.

namespace coderx::model::quant {
namespace {

// col_prep_q8_0's layout, then per block kQ8PairBlock bytes: for each pair p of activations and
// chunk l the four bytes of activation 2p then those of 2p + 1; the four block scales (f32); the
// four negated 128·Σy (i32); in the blocks past the groups of eight, for each pair and chunk the
// two activations' negated 128·Σy over the chunk (i32), what those blocks start each chunk from.
inline constexpr int kQ8PairBlock = 288;
inline constexpr int kQ8ZmmPrep = kQ8Prep + kQ8PairBlock;

CODERX_KERNEL void col_prep_q8_0_zmm(const std::uint8_t* const* acts, std::int64_t n,
                                     std::uint8_t* dst) {
  col_prep_q8_0(acts, n, dst);
  const std::int64_t nb = n / 32;
  const auto* scales = reinterpret_cast<const float*>(dst);
  const auto* bias = reinterpret_cast<const std::int32_t*>(dst) + kDotCols * nb;
  std::uint8_t* pairs = dst + kQ8Prep * nb;
  for (std::int64_t b = 0; b < nb; ++b, pairs += kQ8PairBlock) {
    const std::size_t at = static_cast<std::size_t>(b) * L::q8_0::kBytes + L::q8_0::kQs;
    for (int p = 0; p < 2; ++p)
      interleave_pair(acts[2 * p] + at, acts[2 * p + 1] + at, pairs + 64 * p);
    for (int c = 0; c < kDotCols; ++c) {
      const std::int32_t negated = -bias[c * nb + b];
      std::memcpy(pairs + 128 + 4 * c, &scales[c * nb + b], 4);
      std::memcpy(pairs + 144 + 4 * c, &negated, 4);
    }
    if (b < nb / 8 * 8) continue;
    const __m512i k128 = _mm512_set1_epi8(static_cast<char>(128));
    for (int p = 0; p < 2; ++p) {
      const __m512i y = _mm512_loadu_si512(pairs + 64 * p);
      _mm512_storeu_si512(pairs + 160 + 64 * p,
                          _mm512_sub_epi32(_mm512_setzero_si512(),
                                           _mm512_dpbusd_epi32(_mm512_setzero_si512(), k128, y)));
    }
  }
}

// A block of one of the eight-block groups: acc[p] + its total · scale for both pairs.
CODERX_KERNEL inline void q8_zmm_group_block(const Q8Tile* tile, const std::uint8_t* pairs,
                                             __m512& acc0, __m512& acc1) {
  const __m512 dw = spread_rows(tile->dw);
  __m512i total[2][2];
  for (int p = 0; p < 2; ++p) {
    total[p][0] = pair_broadcast(pairs + 144 + 8 * p);  // the negated 128·Σy
    total[p][1] = _mm512_setzero_si512();
  }
#pragma GCC unroll 8
  for (int l = 0; l < 8; ++l) {
    const __m512i q = spread_rows(_mm256_load_si256(&tile->biased[l]));
    for (int p = 0; p < 2; ++p)
      total[p][l & 1] =
          _mm512_dpbusd_epi32(total[p][l & 1], q, pair_broadcast(pairs + 64 * p + 8 * l));
  }
  const __m512 s0 = _mm512_castsi512_ps(pair_broadcast(pairs + 128));
  const __m512 s1 = _mm512_castsi512_ps(pair_broadcast(pairs + 136));
  acc0 = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_add_epi32(total[0][0], total[0][1])),
                         _mm512_mul_ps(dw, s0), acc0);
  acc1 = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_add_epi32(total[1][0], total[1][1])),
                         _mm512_mul_ps(dw, s1), acc1);
}

// A block past the groups: chunk l of both pairs into acc[p][l], each chunk from its own
// negated 128·Σy.
CODERX_KERNEL inline void q8_zmm_tail_block(const Q8Tile* tile, const std::uint8_t* pairs,
                                            __m512 (&acc)[2][8]) {
  const __m512 dw = spread_rows(tile->dw);
  __m512 scale[2];
  for (int p = 0; p < 2; ++p)
    scale[p] = _mm512_mul_ps(dw, _mm512_castsi512_ps(pair_broadcast(pairs + 128 + 8 * p)));
#pragma GCC unroll 8
  for (int l = 0; l < 8; ++l) {
    const __m512i q = spread_rows(_mm256_load_si256(&tile->biased[l]));
    for (int p = 0; p < 2; ++p) {
      const __m512i chunk = _mm512_dpbusd_epi32(pair_broadcast(pairs + 160 + 64 * p + 8 * l), q,
                                                pair_broadcast(pairs + 64 * p + 8 * l));
      acc[p][l] = _mm512_fmadd_ps(scale[p], _mm512_cvtepi32_ps(chunk), acc[p][l]);
    }
  }
}

CODERX_KERNEL void dot_cols_q8_0_tile_zmm(const std::uint8_t* w, const std::uint8_t* const*,
                                          const std::uint8_t* prep, std::int64_t n, float* out) {
  const auto* tile = reinterpret_cast<const Q8Tile*>(w);
  const std::int64_t nb = n / 32, grouped = nb / 8 * 8;
  const std::uint8_t* pairs = prep + kQ8Prep * nb;
  __m512 acc[2][8];
  for (auto& p : acc)
    for (__m512& a : p) a = _mm512_setzero_ps();
  for (std::int64_t b = 0; b < grouped; b += 8)
#pragma GCC unroll 8
    for (int j = 0; j < 8; ++j)
      q8_zmm_group_block(tile + b + j, pairs + (b + j) * kQ8PairBlock, acc[0][j], acc[1][j]);
  for (std::int64_t b = grouped; b < nb; ++b)
    q8_zmm_tail_block(tile + b, pairs + b * kQ8PairBlock, acc);
  // hsum's order per lane.
  for (int p = 0; p < 2; ++p) {
    const __m512 a0 = _mm512_add_ps(acc[p][0], acc[p][4]), a1 = _mm512_add_ps(acc[p][1], acc[p][5]);
    const __m512 a2 = _mm512_add_ps(acc[p][2], acc[p][6]), a3 = _mm512_add_ps(acc[p][3], acc[p][7]);
    store_pair_rows(_mm512_add_ps(_mm512_add_ps(a0, a2), _mm512_add_ps(a1, a3)),
                    out + 2 * p * kQ8TileRows);
  }
}

// The 512-bit tile kernel for Q8_0 and Q5_0 tiles (and, through add_repacked_tiles, their R8
// groups), with the preparation it reads.
inline void add_dot_q8_tile_zmm(KernelTable& t) {
  for (const Type type : {Type::Q5_0, Type::Q8_0}) {
    t.dot_cols_packed[slot(type)] = dot_cols_q8_0_tile_zmm;
    t.col_prep[slot(type)] = col_prep_q8_0_zmm;
    t.col_prep_bytes[slot(type)] = kQ8ZmmPrep;
  }
}

}  // namespace
}  // namespace coderx::model::quant
