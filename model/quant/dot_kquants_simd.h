// Textual template: included once per SIMD level (dot_avx2.cpp, dot_avx512.cpp) after
// simd_helpers.h, with CODERX_KERNEL / CODERX_VNNI defined there; no include guard.
// Dot products of the k-quants and IQ4_XS with Q8_K activations. Same exact integer sums
// per super-block as dot_ref_kquants.cpp (sub-block sums times integer scales, mins through the
// Q8_K bsums); only the order of the f32 accumulation differs.

#include "model/quant/block_layout.h"
#include "model/quant/kernel_table.h"
#include "model/quant/kquant_scales.h"
#include "model/quant/value_tables.h"

namespace coderx::model::quant {
namespace {

namespace L = layout;

CODERX_KERNEL inline float q8k_d(const std::uint8_t* a) {
  float d;
  std::memcpy(&d, a + L::q8_k::kD, 4);
  return d;
}
CODERX_KERNEL inline __m256i q8k_bsums(const std::uint8_t* a) {
  return load32(a + L::q8_k::kBsums);
}
CODERX_KERNEL inline const std::uint8_t* q8k_qs(const std::uint8_t* a) {
  return a + L::q8_k::kQs;
}

// Two i16 scales as a vector: lanes 0–7 = lo, lanes 8–15 = hi (one per 16-element half of a
// 32-byte maddubs result).
CODERX_KERNEL inline __m256i scale_pair(int lo, int hi) {
  return _mm256_set_m128i(_mm_set1_epi16(static_cast<short>(hi)),
                          _mm_set1_epi16(static_cast<short>(lo)));
}

// vpshufb controls that spread one i16 element of each 128-bit half over that half: pair[p]
// picks element 2p in the low half and 2p + 1 in the high half. Kept in memory so that the
// shuffles take them as operands (built from set1 constants, gcc rematerialises them in loops).
struct LaneControls {
  alignas(32) std::uint8_t pair[4][32];
};
constexpr LaneControls make_lane_controls() {
  LaneControls c{};
  for (int p = 0; p < 4; ++p)
    for (int b = 0; b < 32; ++b) c.pair[p][b] = static_cast<std::uint8_t>(2 * (2 * p + (b >= 16)) + (b & 1));
  return c;
}
alignas(32) inline constexpr LaneControls kLaneControls = make_lane_controls();

// Low half: element 2p everywhere; high half: element 2p + 1.
CODERX_KERNEL inline __m256i i16_pair(__m256i v, int p) {
  return _mm256_shuffle_epi8(v, _mm256_load_si256(reinterpret_cast<const __m256i*>(kLaneControls.pair[p])));
}

// vpshufb controls that spread i16 element j of each 128-bit half over that whole half.
struct BroadcastControls {
  alignas(32) std::uint8_t of[8][32];
};
constexpr BroadcastControls make_broadcast_controls() {
  BroadcastControls c{};
  for (int j = 0; j < 8; ++j)
    for (int b = 0; b < 32; ++b) c.of[j][b] = static_cast<std::uint8_t>(2 * j + (b & 1));
  return c;
}
alignas(32) inline constexpr BroadcastControls kBroadcastControls = make_broadcast_controls();

CODERX_KERNEL inline __m256i i16_broadcast(__m256i v, int j) {
  return _mm256_shuffle_epi8(
      v, _mm256_load_si256(reinterpret_cast<const __m256i*>(kBroadcastControls.of[j])));
}

// The sub-block scales and mins of a Q4_K / Q5_K super-block (scales[12], gemma4-moe.md §8.4)
// as i16 lanes: `scales` holds the 8 scales in both 128-bit halves (ready for i16_broadcast);
// `mins` holds each min twice in a row (m0 m0 m1 m1 … m7 m7), to pair with the Q8_K bsums of
// 16 elements. Unpacked in general registers, widened in one step each.
struct K45Scales {
  __m256i scales, mins;
};
// The 8 scales then the 8 mins, one byte each.
CODERX_KERNEL inline __m128i k45_scale_bytes(const std::uint8_t* s) {
  std::uint32_t w0, w1, w2;
  std::memcpy(&w0, s, 4);
  std::memcpy(&w1, s + 4, 4);
  std::memcpy(&w2, s + 8, 4);
  const std::uint32_t k6 = 0x3f3f3f3f, k4 = 0x0f0f0f0f, k2 = 0x03030303;
  const std::uint32_t sc_lo = w0 & k6, sc_hi = (w2 & k4) | (((w0 >> 6) & k2) << 4);
  const std::uint32_t m_lo = w1 & k6, m_hi = ((w2 >> 4) & k4) | (((w1 >> 6) & k2) << 4);
  return _mm_set_epi32(static_cast<int>(m_hi), static_cast<int>(m_lo), static_cast<int>(sc_hi),
                       static_cast<int>(sc_lo));
}
CODERX_KERNEL inline K45Scales k45_scales(const std::uint8_t* s) {
  const __m128i bytes = k45_scale_bytes(s);
  return {_mm256_broadcastsi128_si256(_mm_cvtepu8_epi16(bytes)),
          _mm256_cvtepu8_epi16(_mm_unpackhi_epi8(bytes, bytes))};
}

// 8 lanes that sum to Σ_j m_j·(bsum 2j + bsum 2j+1) = Σ m·y over the super-block.
CODERX_KERNEL inline __m256i k45_min_lanes(__m256i mins, const std::uint8_t* a) {
  return _mm256_madd_epi16(q8k_bsums(a), mins);
}

// Group g (64 elements, sub-blocks 2g and 2g+1) of a Q4_K / Q5_K super-block as two vectors of
// values 0…15 (0…31 with the Q5_K high bits from hb, which is shifted on for the next group).
template <bool kFive>
CODERX_KERNEL inline void k45_group(const std::uint8_t* qs, int g, __m256i& hb, __m256i& lo,
                                    __m256i& hi) {
  const __m256i m4 = _mm256_set1_epi8(15), one = _mm256_set1_epi8(1);
  const __m256i q = load32(qs + 32 * g);
  lo = _mm256_and_si256(q, m4);
  hi = _mm256_and_si256(_mm256_srli_epi16(q, 4), m4);
  if (kFive) {  // bit 2g of qh[l] → low-nibble element, bit 2g+1 → high-nibble element
    lo = _mm256_or_si256(lo, _mm256_slli_epi16(_mm256_and_si256(hb, one), 4));
    hi = _mm256_or_si256(hi, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 1), one), 4));
    hb = _mm256_srli_epi16(hb, 2);
  }
}

// The scales of group g (i16 elements 2g and 2g + 1 of group_scales, in both 128-bit halves)
// spread over every lane; group_scales is then shifted by four bytes for the next group. The
// shuffle controls stay in registers across the loop.
CODERX_KERNEL inline void k45_group_scales(__m256i& group_scales, __m256i& s_lo, __m256i& s_hi) {
  s_lo = i16_broadcast(group_scales, 0);
  s_hi = i16_broadcast(group_scales, 1);
  group_scales = _mm256_srli_si256(group_scales, 4);
}

// One super-block's two integers as lanes 0 and 1: S = Σ sc·q·y (from 8 lanes of sums) and
// M = Σ m·y (from 8 lanes of mins). Exact, whatever order the lanes were summed in.
CODERX_KERNEL inline __m128i k45_totals(__m256i sums, __m256i mins) {
  // s0+s2, m0+m2, s1+s3, m1+m3 | s4+s6, m4+m6, s5+s7, m5+m7 (no hadd: 3 µops each on Zen 3)
  const __m256i t =
      _mm256_add_epi32(_mm256_unpacklo_epi32(sums, mins), _mm256_unpackhi_epi32(sums, mins));
  const __m128i q = _mm_add_epi32(_mm256_castsi256_si128(t), _mm256_extracti128_si256(t, 1));
  return _mm_add_epi32(q, _mm_unpackhi_epi64(q, q));
}

// [dy·d, dy·(−dmin)] of a super-block whose f16 d and dmin are at x, against the Q8_K
// activation block a (its dy broadcast from memory, the sign flipped in lane 1).
CODERX_KERNEL inline __m128 k45_products(const std::uint8_t* x, const std::uint8_t* a) {
  std::int32_t pair;
  std::memcpy(&pair, x, 4);
  const __m128 dy = _mm_broadcast_ss(reinterpret_cast<const float*>(a + L::q8_k::kD));
  const __m128 sign = _mm_castsi128_ps(_mm_setr_epi32(0, INT32_MIN, 0, 0));
  return _mm_mul_ps(_mm_cvtph_ps(_mm_cvtsi32_si128(pair)), _mm_xor_ps(dy, sign));
}

// Lane 0 of acc + S·(dy·d) + M·(dy·(−dmin)), fused, in this order (S, M = lanes 0, 1 of totals
// as from k45_totals; products as from k45_products): the only rounding of a super-block's terms
// in every Q4_K / Q5_K kernel, so that they all agree bit for bit: per row and activation the
// f32 steps are these, one super-block after another.
CODERX_KERNEL inline __m128 k45_accumulate(__m128 acc, __m128i totals, __m128 products) {
  const __m128 t = _mm_cvtepi32_ps(totals);
  acc = _mm_fmadd_ss(t, products, acc);
  return _mm_fmadd_ss(_mm_movehdup_ps(t), _mm_movehdup_ps(products), acc);
}

// acc + Σ of adjacent pairs of p·s (i16 → i32): one vpdpwssd with VNNI.
CODERX_KERNEL inline __m256i add_madd(__m256i acc, __m256i p, __m256i s) {
#if CODERX_VNNI
  return _mm256_dpwssd_epi32(acc, p, s);
#else
  return _mm256_add_epi32(acc, _mm256_madd_epi16(p, s));
#endif
}

// Σ sc·q·y of one super-block as 8 lanes (the integer part of dot_k45). The two sub-blocks of a
// group go to two sums, so that the chains of multiply-adds are half as long.
template <bool kFive>
CODERX_KERNEL inline __m256i k45_block_sums(const std::uint8_t* w, const std::uint8_t* y,
                                            __m256i scales) {
  constexpr int kQs = kFive ? L::q5_k::kQs : L::q4_k::kQs;
  __m256i hb = kFive ? load32(w + L::q5_k::kQh) : _mm256_setzero_si256();
  __m256i sum_lo = _mm256_setzero_si256(), sum_hi = _mm256_setzero_si256();
#if !CODERX_VNNI
  __m256i group_scales = scales;
#endif
#pragma GCC unroll 8
  for (int g = 0; g < 4; ++g) {
    __m256i lo, hi, s_lo, s_hi;
    k45_group<kFive>(w + kQs, g, hb, lo, hi);
#if CODERX_VNNI  // AVX-512: each scale spread by one vpermw (no shift of the scales between groups)
    s_lo = _mm256_permutexvar_epi16(_mm256_set1_epi16(static_cast<short>(2 * g)), scales);
    s_hi = _mm256_permutexvar_epi16(_mm256_set1_epi16(static_cast<short>(2 * g + 1)), scales);
#else
    k45_group_scales(group_scales, s_lo, s_hi);
#endif
    sum_lo = add_madd(sum_lo, _mm256_maddubs_epi16(lo, load32(y + 64 * g)), s_lo);
    sum_hi = add_madd(sum_hi, _mm256_maddubs_epi16(hi, load32(y + 64 * g + 32)), s_hi);
  }
  return _mm256_add_epi32(sum_lo, sum_hi);
}

// One super-block of dot_k45: its 8 lanes of sums and of mins, and its scale products.
struct K45Block {
  __m256i sums, mins;
  __m128 products;
};
template <bool kFive>
CODERX_KERNEL inline K45Block k45_block(const std::uint8_t* x, const std::uint8_t* y) {
  constexpr int kScales = kFive ? L::q5_k::kScales : L::q4_k::kScales;
  const K45Scales sc = k45_scales(x + kScales);
  return {k45_block_sums<kFive>(x, q8k_qs(y), sc.scales), k45_min_lanes(sc.mins, y),
          k45_products(x, y)};
}

template <bool kFive>
CODERX_KERNEL inline float dot_k45(const std::uint8_t* w, const std::uint8_t* a, std::int64_t n) {
  constexpr int kBytes = kFive ? L::q5_k::kBytes : L::q4_k::kBytes;
  __m128 acc = _mm_setzero_ps();
  for (std::int64_t b = 0; b < n / 256; ++b, w += kBytes, a += L::q8_k::kBytes) {
    const K45Block p = k45_block<kFive>(w, a);
    acc = k45_accumulate(acc, k45_totals(p.sums, p.mins), p.products);
  }
  return _mm_cvtss_f32(acc);
}

// One row against kDotCols activations: the row's nibbles (and Q5_K high bits) are decoded
// once per group for every activation. Per activation, the same f32 steps as dot_k45.
template <bool kFive>
CODERX_KERNEL inline void dot_cols_k45(const std::uint8_t* w, const std::uint8_t* const* acts,
                                       std::int64_t n, float* out) {
  constexpr int kBytes = kFive ? L::q5_k::kBytes : L::q4_k::kBytes;
  constexpr int kScales = kFive ? L::q5_k::kScales : L::q4_k::kScales;
  constexpr int kQs = kFive ? L::q5_k::kQs : L::q4_k::kQs;
  constexpr int C = kDotCols;
  __m128 acc[C];
  for (int c = 0; c < C; ++c) acc[c] = _mm_setzero_ps();
  for (std::int64_t b = 0; b < n / 256; ++b, w += kBytes) {
    const std::size_t ab = static_cast<std::size_t>(b) * L::q8_k::kBytes;
    const K45Scales sc = k45_scales(w + kScales);
    __m256i hb = kFive ? load32(w + L::q5_k::kQh) : _mm256_setzero_si256();
    __m256i sumi[C];
    for (int c = 0; c < C; ++c) sumi[c] = _mm256_setzero_si256();
    __m256i group_scales = sc.scales;
#pragma GCC unroll 1
    for (int g = 0; g < 4; ++g) {
      __m256i lo, hi, s_lo, s_hi;
      k45_group<kFive>(w + kQs, g, hb, lo, hi);
      k45_group_scales(group_scales, s_lo, s_hi);
#pragma GCC unroll 8
      for (int c = 0; c < C; ++c) {
        const std::uint8_t* y = q8k_qs(acts[c] + ab) + 64 * g;
        const __m256i p_lo = _mm256_madd_epi16(_mm256_maddubs_epi16(lo, load32(y)), s_lo);
        const __m256i p_hi = _mm256_madd_epi16(_mm256_maddubs_epi16(hi, load32(y + 32)), s_hi);
        sumi[c] = _mm256_add_epi32(_mm256_add_epi32(sumi[c], p_lo), p_hi);
      }
    }
#pragma GCC unroll 8
    for (int c = 0; c < C; ++c)
      acc[c] = k45_accumulate(acc[c], k45_totals(sumi[c], k45_min_lanes(sc.mins, acts[c] + ab)),
                              k45_products(w, acts[c] + ab));
  }
  for (int c = 0; c < C; ++c) out[c] = _mm_cvtss_f32(acc[c]);
}

// Eight Q4_K / Q5_K rows packed side by side (kK45TileRows), per super-block: the values in
// chunks of four elements, each chunk of the eight rows in one vector (one maddubs against four
// activation bytes broadcast covers 32 products of 8 rows), then per sub-block the rows' scales
// and per pair of sub-blocks their mins as i16 pairs, and the rows' d and −dmin.
inline constexpr int kK45TileRows = 8;
struct K45Tile {
  __m256i q[8][8];     // [sub-block j][chunk l]: dword r = row r's elements 32j + 4l … + 3
  __m256i scale[8];    // [sub-block j]: i16 lanes 2r, 2r + 1 = row r's scale of sub-block j
  __m256i mins[4];     // [pair i]: i16 lanes 2r, 2r + 1 = row r's mins of sub-blocks 2i, 2i + 1
  __m256 d, neg_dmin;  // lane r: row r's d and −dmin
};

template <bool kFive>
CODERX_KERNEL void pack_k45_tile(const std::uint8_t* w, std::size_t stride, std::int64_t n,
                                 std::uint8_t* dst) {
  constexpr int kBytes = kFive ? L::q5_k::kBytes : L::q4_k::kBytes;
  constexpr int kScales = kFive ? L::q5_k::kScales : L::q4_k::kScales;
  constexpr int kQs = kFive ? L::q5_k::kQs : L::q4_k::kQs;
  auto* tile = reinterpret_cast<K45Tile*>(dst);
  for (std::int64_t b = 0; b < n / 256; ++b, ++tile) {
    __m256i values[8][8];  // [sub-block j][row r]
    __m256i scales[8];     // [row r]: dword j = (sc_j, sc_j)
    __m256i mins[8];       // [row r]: dword i = (m_2i, m_2i+1), i < 4
    __m256i unused[8];
    alignas(32) float d[8], neg_dmin[8];
    for (int r = 0; r < kK45TileRows; ++r) {
      const std::uint8_t* x = w + r * stride + b * kBytes;
      __m256i hb = kFive ? load32(x + L::q5_k::kQh) : _mm256_setzero_si256();
      for (int g = 0; g < 4; ++g)
        k45_group<kFive>(x + kQs, g, hb, values[2 * g][r], values[2 * g + 1][r]);
      const __m128i bytes = k45_scale_bytes(x + kScales);
      const __m128i sc = _mm_cvtepu8_epi16(bytes);
      scales[r] = _mm256_set_m128i(_mm_unpackhi_epi16(sc, sc), _mm_unpacklo_epi16(sc, sc));
      mins[r] = _mm256_zextsi128_si256(_mm_cvtepu8_epi16(_mm_srli_si128(bytes, 8)));
      d[r] = f16(x);
      neg_dmin[r] = -f16(x + 2);
    }
    for (int j = 0; j < 8; ++j) transpose_dwords(values[j], tile->q[j]);
    transpose_dwords(scales, tile->scale);
    transpose_dwords(mins, unused);
    for (int i = 0; i < 4; ++i) tile->mins[i] = unused[i];
    tile->d = _mm256_load_ps(d);
    tile->neg_dmin = _mm256_load_ps(neg_dmin);
  }
}

// What dot_cols_k45_tile needs of four Q8_K activations, per super-block (kK45Prep bytes):
// their scales dy, then per activation and pair of sub-blocks (2i, 2i + 1) the sums of y over
// the two sub-blocks as one i16 pair, to multiply with the mins' pairs.
inline constexpr int kK45Prep = 16 + 4 * 16;
CODERX_KERNEL void col_prep_k45(const std::uint8_t* const* acts, std::int64_t n,
                                std::uint8_t* dst) {
  for (std::int64_t b = 0; b < n / 256; ++b, dst += kK45Prep) {
    const std::size_t ab = static_cast<std::size_t>(b) * L::q8_k::kBytes;
    for (int c = 0; c < kDotCols; ++c) {
      const float dy = q8k_d(acts[c] + ab);
      std::memcpy(dst + 4 * c, &dy, 4);
      // bsums 2j and 2j + 1 added: sub-block j's Σy, j = 0…3 in the low lane, 4…7 in the high
      const __m256i sums = _mm256_hadd_epi16(q8k_bsums(acts[c] + ab), _mm256_setzero_si256());
      _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + 16 + 16 * c),
                       _mm256_castsi256_si128(_mm256_permute4x64_epi64(sums, 0x08)));
    }
  }
}

#if CODERX_VNNI
// The integer part of dot_cols_k45_tile with VNNI: one vpdpbusd sums a chunk's four products per
// row straight into i32 lanes, so a sub-block's eight chunks need no i16 stage; the sum is then
// scaled by the rows' scales as i32 (the high i16 of each (sc, sc) pair). Two chains per
// activation (even and odd chunks) keep eight multiply-adds in flight. Same integers.
CODERX_KERNEL inline void k45_tile_sums_vnni(const K45Tile* tile, const std::uint8_t* const* acts,
                                             std::size_t ab, __m256i* sumi) {
  constexpr int C = kDotCols;
#pragma GCC unroll 1
  for (int j = 0; j < 8; ++j) {
    __m256i run[C][2];
#pragma GCC unroll 8
    for (int l = 0; l < 8; ++l) {
      const __m256i q = _mm256_load_si256(&tile->q[j][l]);
#pragma GCC unroll 8
      for (int c = 0; c < C; ++c) {
        std::int32_t four;
        std::memcpy(&four, q8k_qs(acts[c] + ab) + 32 * j + 4 * l, 4);
        const __m256i start = l < 2 ? _mm256_setzero_si256() : run[c][l & 1];
        run[c][l & 1] = _mm256_dpbusd_epi32(start, q, _mm256_set1_epi32(four));
      }
    }
    const __m256i scale = _mm256_srli_epi32(_mm256_load_si256(&tile->scale[j]), 16);
#pragma GCC unroll 8
    for (int c = 0; c < C; ++c)
      sumi[c] = _mm256_add_epi32(
          sumi[c], _mm256_mullo_epi32(_mm256_add_epi32(run[c][0], run[c][1]), scale));
  }
}
#endif

// kK45TileRows packed rows against kDotCols activations: out[c·8 + r] = dot(row r, activation
// c), with the f32 steps of dot_k45. Per sub-block and row, the products of four activation
// bytes at a time are summed in i16 lanes (|q·y| pairs ≤ 2·15·128, eight of them < 2^15; Q5_K's
// 2·31·128, four of them) and scaled once by madd, where the row kernels scale each 32 (with
// VNNI: k45_tile_sums_vnni).
template <bool kFive>
CODERX_KERNEL void dot_cols_k45_tile(const std::uint8_t* w, const std::uint8_t* const* acts,
                                     const std::uint8_t* prep, std::int64_t n, float* out) {
  constexpr int C = kDotCols;
  const auto* tile = reinterpret_cast<const K45Tile*>(w);
  __m256 acc[C];
  for (int c = 0; c < C; ++c) acc[c] = _mm256_setzero_ps();
  for (std::int64_t b = 0; b < n / 256; ++b, ++tile, prep += kK45Prep) {
    const std::size_t ab = static_cast<std::size_t>(b) * L::q8_k::kBytes;
    __m256i sumi[C];
    for (int c = 0; c < C; ++c) sumi[c] = _mm256_setzero_si256();
#if CODERX_VNNI
    k45_tile_sums_vnni(tile, acts, ab, sumi);
#else
    constexpr int kRun = kFive ? 4 : 8;  // chunks summed in i16 before madd
#pragma GCC unroll 1
    for (int j = 0; j < 8; ++j) {
      const __m256i scale = _mm256_load_si256(&tile->scale[j]);
#pragma GCC unroll 2
      for (int l0 = 0; l0 < 8; l0 += kRun) {
        __m256i run[C];
#pragma GCC unroll 8
        for (int l = l0; l < l0 + kRun; ++l) {
          const __m256i q = _mm256_load_si256(&tile->q[j][l]);
#pragma GCC unroll 8
          for (int c = 0; c < C; ++c) {
            std::int32_t four;
            std::memcpy(&four, q8k_qs(acts[c] + ab) + 32 * j + 4 * l, 4);
            const __m256i p = _mm256_maddubs_epi16(q, _mm256_set1_epi32(four));
            run[c] = l == l0 ? p : _mm256_add_epi16(run[c], p);
            // Keeps the sums a chain: regrouped into a tree, they take more registers than
            // there are, and spill.
            asm("" : "+x"(run[c]));
          }
        }
#pragma GCC unroll 8
        for (int c = 0; c < C; ++c)
          sumi[c] = _mm256_add_epi32(sumi[c], _mm256_madd_epi16(run[c], scale));
      }
    }
#endif
#pragma GCC unroll 8
    for (int c = 0; c < C; ++c) {
      __m256i mins = _mm256_setzero_si256();
      for (int i = 0; i < 4; ++i) {
        std::int32_t pair;
        std::memcpy(&pair, prep + 16 + 16 * c + 4 * i, 4);
        mins = _mm256_add_epi32(
            mins, _mm256_madd_epi16(_mm256_load_si256(&tile->mins[i]), _mm256_set1_epi32(pair)));
      }
      float dy;
      std::memcpy(&dy, prep + 4 * c, 4);
      const __m256 dyv = _mm256_set1_ps(dy);
      acc[c] = _mm256_fmadd_ps(to_float(sumi[c]), _mm256_mul_ps(tile->d, dyv), acc[c]);
      acc[c] = _mm256_fmadd_ps(to_float(mins), _mm256_mul_ps(tile->neg_dmin, dyv), acc[c]);
    }
  }
  for (int c = 0; c < C; ++c) _mm256_storeu_ps(out + c * kK45TileRows, acc[c]);
}

CODERX_KERNEL void dot_cols_q4_k(const std::uint8_t* w, const std::uint8_t* const* acts,
                                 const std::uint8_t* /*prep*/, std::int64_t n, float* out) {
  dot_cols_k45<false>(w, acts, n, out);
}
CODERX_KERNEL void dot_cols_q5_k(const std::uint8_t* w, const std::uint8_t* const* acts,
                                 const std::uint8_t* /*prep*/, std::int64_t n, float* out) {
  dot_cols_k45<true>(w, acts, n, out);
}

CODERX_KERNEL float dot_q4_k(const std::uint8_t* w, const std::uint8_t* a, std::int64_t n) {
  return dot_k45<false>(w, a, n);
}
CODERX_KERNEL float dot_q5_k(const std::uint8_t* w, const std::uint8_t* a, std::int64_t n) {
  return dot_k45<true>(w, a, n);
}

// The 6-bit values (0…63) of half h of a Q6_K super-block: q[p] holds elements 128h + 32p
// … 128h + 32p + 31 (low 4 bits from ql, high 2 bits from qh), per gemma4-moe.md §8.
CODERX_KERNEL inline void q6k_half(const std::uint8_t* w, int h, __m256i* q) {
  const __m256i m4 = _mm256_set1_epi8(15), m3 = _mm256_set1_epi8(3), m30 = _mm256_set1_epi8(0x30);
  const __m256i ql0 = load32(w + L::q6_k::kQl + 64 * h);
  const __m256i ql1 = load32(w + L::q6_k::kQl + 64 * h + 32);
  const __m256i qh = load32(w + L::q6_k::kQh + 32 * h);
  q[0] = _mm256_or_si256(_mm256_and_si256(ql0, m4), _mm256_slli_epi16(_mm256_and_si256(qh, m3), 4));
  q[1] = _mm256_or_si256(_mm256_and_si256(ql1, m4),
                         _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2), m3), 4));
  q[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql0, 4), m4), _mm256_and_si256(qh, m30));
  q[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql1, 4), m4),
                         _mm256_and_si256(_mm256_srli_epi16(qh, 2), m30));
}

// −32·Σ_k sc_k·bsum_k as 8 lanes: the offset part of Σ sc·(q − 32)·y for one activation block.
CODERX_KERNEL inline __m256i q6k_offset_sum(__m256i sc16, const std::uint8_t* a) {
  return _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_slli_epi32(_mm256_madd_epi16(q8k_bsums(a), sc16), 5));
}

// The 8 scales (i16) of half h of a Q6_K super-block in both 128-bit halves, from all 16 (sc16).
CODERX_KERNEL inline __m256i q6k_scale_half(__m256i sc16, int h) {
  return h == 0 ? _mm256_permute2x128_si256(sc16, sc16, 0x00) : _mm256_permute2x128_si256(sc16, sc16, 0x11);
}

CODERX_KERNEL float dot_q6_k(const std::uint8_t* w, const std::uint8_t* a, std::int64_t n) {
  __m256 acc = _mm256_setzero_ps();
  for (std::int64_t b = 0; b < n / 256; ++b, w += L::q6_k::kBytes, a += L::q8_k::kBytes) {
    const auto* sc = reinterpret_cast<const std::int8_t*>(w + L::q6_k::kScales);
    const std::uint8_t* y = q8k_qs(a);
    // Σ sc·(q − 32)·y = Σ sc·q·y − 32·Σ_k sc_k·bsum_k.
    const __m256i sc16 =
        _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(sc)));
    __m256i sumi = q6k_offset_sum(sc16, a);
#pragma GCC unroll 8
    for (int h = 0; h < 2; ++h) {
      __m256i q[4];
      q6k_half(w, h, q);
      const __m256i sc_half = q6k_scale_half(sc16, h);
#pragma GCC unroll 8
      for (int p = 0; p < 4; ++p) {
        const __m256i prod = _mm256_maddubs_epi16(q[p], load32(y + 128 * h + 32 * p));
        // sub-blocks 8h + 2p (elements 0–15) and 8h + 2p + 1 (16–31)
        sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(prod, i16_pair(sc_half, p)));
      }
    }
    acc = _mm256_fmadd_ps(_mm256_set1_ps(q8k_d(a) * f16(w + L::q6_k::kD)), to_float(sumi), acc);
  }
  return hsum(acc);
}

// One row against kDotCols activations (the 6-bit values decoded once for all); per activation
// the same f32 steps as dot_q6_k.
CODERX_KERNEL void dot_cols_q6_k(const std::uint8_t* w, const std::uint8_t* const* acts,
                                 const std::uint8_t* /*prep*/, std::int64_t n, float* out) {
  constexpr int C = kDotCols;
  __m256 acc[C];
  for (int c = 0; c < C; ++c) acc[c] = _mm256_setzero_ps();
  for (std::int64_t b = 0; b < n / 256; ++b, w += L::q6_k::kBytes) {
    const std::size_t ab = static_cast<std::size_t>(b) * L::q8_k::kBytes;
    const auto* sc = reinterpret_cast<const std::int8_t*>(w + L::q6_k::kScales);
    const __m256i sc16 =
        _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(sc)));
    __m256i sumi[C];
#pragma GCC unroll 8
    for (int c = 0; c < C; ++c) sumi[c] = q6k_offset_sum(sc16, acts[c] + ab);
#pragma GCC unroll 8
    for (int h = 0; h < 2; ++h) {
      __m256i q[4];
      q6k_half(w, h, q);
      const __m256i sc_half = q6k_scale_half(sc16, h);
#pragma GCC unroll 8
      for (int p = 0; p < 4; ++p) {
        const __m256i scales = i16_pair(sc_half, p);
#pragma GCC unroll 8
        for (int c = 0; c < C; ++c) {
          const __m256i y = load32(q8k_qs(acts[c] + ab) + 128 * h + 32 * p);
          sumi[c] = _mm256_add_epi32(sumi[c], _mm256_madd_epi16(_mm256_maddubs_epi16(q[p], y), scales));
        }
      }
    }
    const float d = f16(w + L::q6_k::kD);
#pragma GCC unroll 8
    for (int c = 0; c < C; ++c)
      acc[c] = _mm256_fmadd_ps(_mm256_set1_ps(q8k_d(acts[c] + ab) * d), to_float(sumi[c]), acc[c]);
  }
  for (int c = 0; c < C; ++c) out[c] = hsum(acc[c]);
}

// Q2_K / Q3_K planes: byte l of a 32-byte half holds elements 32j+l at bits 2j.
CODERX_KERNEL float dot_q2_k(const std::uint8_t* w, const std::uint8_t* a, std::int64_t n) {
  const __m256i m3 = _mm256_set1_epi8(3);
  __m256 acc = _mm256_setzero_ps(), acc_m = _mm256_setzero_ps();
  for (std::int64_t b = 0; b < n / 256; ++b, w += L::q2_k::kBytes, a += L::q8_k::kBytes) {
    const std::uint8_t* sm = w + L::q2_k::kScales;
    const __m128i sm_v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(sm));
    const __m256i mins16 =
        _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(sm_v, 4), _mm_set1_epi8(15)));
    const float dy = q8k_d(a);
    acc_m = _mm256_fmadd_ps(_mm256_set1_ps(dy * f16(w + L::q2_k::kDmin)),
                            to_float(_mm256_madd_epi16(q8k_bsums(a), mins16)), acc_m);
    const std::uint8_t* y = q8k_qs(a);
    __m256i sumi = _mm256_setzero_si256();
#pragma GCC unroll 8
    for (int h = 0; h < 2; ++h) {
      const __m256i v = load32(w + L::q2_k::kQs + 32 * h);
#pragma GCC unroll 8
      for (int j = 0; j < 4; ++j) {
        const __m256i q = _mm256_and_si256(_mm256_srli_epi16(v, 2 * j), m3);
        const __m256i prod = _mm256_maddubs_epi16(q, load32(y + 128 * h + 32 * j));
        const int k = 8 * h + 2 * j;
        sumi =
            _mm256_add_epi32(sumi, _mm256_madd_epi16(prod, scale_pair(sm[k] & 15, sm[k + 1] & 15)));
      }
    }
    acc = _mm256_fmadd_ps(_mm256_set1_ps(dy * f16(w + L::q2_k::kD)), to_float(sumi), acc);
  }
  return hsum(acc) - hsum(acc_m);
}

CODERX_KERNEL float dot_q3_k(const std::uint8_t* w, const std::uint8_t* a, std::int64_t n) {
  const __m256i m3 = _mm256_set1_epi8(3), one = _mm256_set1_epi8(1);
  __m256 acc = _mm256_setzero_ps();
  for (std::int64_t b = 0; b < n / 256; ++b, w += L::q3_k::kBytes, a += L::q8_k::kBytes) {
    std::int8_t sc[16];
    k3_signed_scales(w + L::q3_k::kScales, sc);
    const __m256i hm = load32(w + L::q3_k::kHmask);
    const std::uint8_t* y = q8k_qs(a);
    __m256i sumi = _mm256_setzero_si256();
#pragma GCC unroll 8
    for (int h = 0; h < 2; ++h) {
      const __m256i v = load32(w + L::q3_k::kQs + 32 * h);
#pragma GCC unroll 8
      for (int j = 0; j < 4; ++j) {
        const __m256i low = _mm256_and_si256(_mm256_srli_epi16(v, 2 * j), m3);
        // element 128h+32j+l: hmask[l] bit 4h+j; a clear bit subtracts 4
        const __m256i bit = _mm256_and_si256(_mm256_srli_epi16(hm, 4 * h + j), one);
        const __m256i minus4 = _mm256_slli_epi16(_mm256_xor_si256(bit, one), 2);
        const __m256i yv = load32(y + 128 * h + 32 * j);
        const __m256i prod =
            _mm256_sub_epi16(_mm256_maddubs_epi16(low, yv), _mm256_maddubs_epi16(minus4, yv));
        const int k = 8 * h + 2 * j;
        sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(prod, scale_pair(sc[k], sc[k + 1])));
      }
    }
    acc = _mm256_fmadd_ps(_mm256_set1_ps(q8k_d(a) * f16(w + L::q3_k::kD)), to_float(sumi), acc);
  }
  return hsum(acc);
}

CODERX_KERNEL float dot_iq4_xs(const std::uint8_t* w, const std::uint8_t* a, std::int64_t n) {
  const __m128i t = _mm_loadu_si128(reinterpret_cast<const __m128i*>(kIq4Values));
  const __m256i table = _mm256_set_m128i(t, t);
  __m256 acc = _mm256_setzero_ps();
  for (std::int64_t b = 0; b < n / 256; ++b, w += L::iq4_xs::kBytes, a += L::q8_k::kBytes) {
    std::uint16_t scales_h;
    std::memcpy(&scales_h, w + L::iq4_xs::kScalesH, 2);
    const std::uint8_t* y = q8k_qs(a);
    __m256i sumi = _mm256_setzero_si256();
#pragma GCC unroll 8
    for (int ib = 0; ib < 8; ++ib) {
      const int ls = iq4xs_scale_code(scales_h, w + L::iq4_xs::kScalesL, ib) - 32;
      const __m256i q = _mm256_shuffle_epi8(table, nibbles32(w + L::iq4_xs::kQs + 16 * ib));
      const __m256i yv = load32(y + 32 * ib);
      const __m256i prod = _mm256_maddubs_epi16(_mm256_sign_epi8(q, q), _mm256_sign_epi8(yv, q));
      sumi = _mm256_add_epi32(sumi,
                              _mm256_madd_epi16(prod, _mm256_set1_epi16(static_cast<short>(ls))));
    }
    acc = _mm256_fmadd_ps(_mm256_set1_ps(q8k_d(a) * f16(w + L::iq4_xs::kD)), to_float(sumi), acc);
  }
  return hsum(acc);
}

}  // namespace

namespace {
inline void add_dot_kquants_simd(KernelTable& t) {
  t.dot[slot(Type::Q2_K)] = dot_q2_k;
  t.dot[slot(Type::Q3_K)] = dot_q3_k;
  t.dot[slot(Type::Q4_K)] = dot_q4_k;
  t.dot[slot(Type::Q5_K)] = dot_q5_k;
  t.dot[slot(Type::Q6_K)] = dot_q6_k;
  t.dot[slot(Type::IQ4_XS)] = dot_iq4_xs;
  t.dot_cols[slot(Type::Q4_K)] = dot_cols_q4_k;
  t.dot_cols[slot(Type::Q5_K)] = dot_cols_q5_k;
  t.dot_cols[slot(Type::Q6_K)] = dot_cols_q6_k;
  t.pack[slot(Type::Q4_K)] = pack_k45_tile<false>;
  t.pack[slot(Type::Q5_K)] = pack_k45_tile<true>;
  t.dot_cols_packed[slot(Type::Q4_K)] = dot_cols_k45_tile<false>;
  t.dot_cols_packed[slot(Type::Q5_K)] = dot_cols_k45_tile<true>;
  t.packed_bytes[slot(Type::Q4_K)] = sizeof(K45Tile) / kK45TileRows / 8;
  t.packed_bytes[slot(Type::Q5_K)] = sizeof(K45Tile) / kK45TileRows / 8;
  t.tile_rows[slot(Type::Q4_K)] = kK45TileRows;
  t.tile_rows[slot(Type::Q5_K)] = kK45TileRows;
  t.col_prep[slot(Type::Q4_K)] = col_prep_k45;
  t.col_prep[slot(Type::Q5_K)] = col_prep_k45;
  t.col_prep_bytes[slot(Type::Q4_K)] = kK45Prep / 8;
  t.col_prep_bytes[slot(Type::Q5_K)] = kK45Prep / 8;
}
}  // namespace

}  // namespace coderx::model::quant
