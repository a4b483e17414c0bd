// Textual template: included once per SIMD level (dot_avx2.cpp, dot_avx512.cpp) after
// simd_helpers.h, with CODERX_KERNEL / CODERX_VNNI defined there; no include guard.
// Dot products of the k-quants and IQ4_XS with Q8_K activations. Same exact integer sums
// per super-block as dot_ref_kquants.cpp (sub-block sums times integer scales, mins through the
// Q8_K bsums); only the order of the f32 accumulation differs.
#include <utility>

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
CODERX_KERNEL inline K45Scales k45_scales(const std::uint8_t* s) {
  std::uint32_t w0, w1, w2;
  std::memcpy(&w0, s, 4);
  std::memcpy(&w1, s + 4, 4);
  std::memcpy(&w2, s + 8, 4);
  const std::uint32_t k6 = 0x3f3f3f3f, k4 = 0x0f0f0f0f, k2 = 0x03030303;
  const std::uint32_t sc_lo = w0 & k6, sc_hi = (w2 & k4) | (((w0 >> 6) & k2) << 4);
  const std::uint32_t m_lo = w1 & k6, m_hi = ((w2 >> 4) & k4) | (((w1 >> 6) & k2) << 4);
  const __m128i bytes = _mm_set_epi32(static_cast<int>(m_hi), static_cast<int>(m_lo),
                                      static_cast<int>(sc_hi), static_cast<int>(sc_lo));
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

// Adds one super-block's terms to the 8 lanes of acc: (dy·d)·Σ sc·q·y, then −(dy·dmin)·Σ m·y
// (sums and mins as from k45_block_sums and k45_min_lanes). dy_d and neg_dy_dmin are the
// products dy·d and dy·(−dmin) in every lane. The one place these terms are rounded, so the
// row and column kernels agree bit for bit.
CODERX_KERNEL inline __m256 k45_accumulate(__m256 acc, __m256i sums, __m256i mins, __m256 dy_d,
                                           __m256 neg_dy_dmin) {
  acc = _mm256_fmadd_ps(to_float(sums), dy_d, acc);
  return _mm256_fmadd_ps(to_float(mins), neg_dy_dmin, acc);
}

// Σ sc·q·y of one super-block as 8 lanes (the integer part of dot_k45).
template <bool kFive>
CODERX_KERNEL inline __m256i k45_block_sums(const std::uint8_t* w, const std::uint8_t* y,
                                            __m256i scales) {
  constexpr int kQs = kFive ? L::q5_k::kQs : L::q4_k::kQs;
  __m256i hb = kFive ? load32(w + L::q5_k::kQh) : _mm256_setzero_si256();
  __m256i sumi = _mm256_setzero_si256(), group_scales = scales;
#pragma GCC unroll 8
  for (int g = 0; g < 4; ++g) {
    __m256i lo, hi, s_lo, s_hi;
    k45_group<kFive>(w + kQs, g, hb, lo, hi);
    k45_group_scales(group_scales, s_lo, s_hi);
    const __m256i p_lo = _mm256_maddubs_epi16(lo, load32(y + 64 * g));
    const __m256i p_hi = _mm256_maddubs_epi16(hi, load32(y + 64 * g + 32));
    sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(p_lo, s_lo));
    sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(p_hi, s_hi));
  }
  return sumi;
}

// k45_accumulate for activations c…: their scale products spread from lane c of dy_d and
// neg_dy_dmin.
template <int... c>
CODERX_KERNEL inline void k45_accumulate_cols(__m256* acc, const __m256i* sums, const __m256i* mins,
                                              __m256 dy_d, __m256 neg_dy_dmin,
                                              std::integer_sequence<int, c...>) {
  ((acc[c] = k45_accumulate(acc[c], sums[c], mins[c], _mm256_permute_ps(dy_d, c * 0x55),
                            _mm256_permute_ps(neg_dy_dmin, c * 0x55))),
   ...);
}

template <bool kFive>
CODERX_KERNEL inline float dot_k45(const std::uint8_t* w, const std::uint8_t* a, std::int64_t n) {
  constexpr int kBytes = kFive ? L::q5_k::kBytes : L::q4_k::kBytes;
  constexpr int kScales = kFive ? L::q5_k::kScales : L::q4_k::kScales;
  __m256 acc = _mm256_setzero_ps();
  for (std::int64_t b = 0; b < n / 256; ++b, w += kBytes, a += L::q8_k::kBytes) {
    prefetch_ahead(w);
    prefetch_ahead(w + 64);
    if (kBytes > 128) prefetch_ahead(w + 128);
    const K45Scales sc = k45_scales(w + kScales);
    const float dy = q8k_d(a);
    acc = k45_accumulate(acc, k45_block_sums<kFive>(w, q8k_qs(a), sc.scales),
                         k45_min_lanes(sc.mins, a), _mm256_set1_ps(dy * f16(w)),
                         _mm256_set1_ps(dy * -f16(w + 2)));
  }
  return hsum(acc);
}

// One row against kDotCols activations: the row's nibbles (and Q5_K high bits) are decoded
// once per group for every activation; the scale products of the four activations are formed
// in one vector. Per activation, the same f32 steps as dot_k45.
template <bool kFive>
CODERX_KERNEL inline void dot_cols_k45(const std::uint8_t* w, const std::uint8_t* const* acts,
                                       const std::uint8_t* /*prep*/, std::int64_t n, float* out) {
  constexpr int kBytes = kFive ? L::q5_k::kBytes : L::q4_k::kBytes;
  constexpr int kScales = kFive ? L::q5_k::kScales : L::q4_k::kScales;
  constexpr int kQs = kFive ? L::q5_k::kQs : L::q4_k::kQs;
  constexpr int C = kDotCols;
  static_assert(C == 4, "the scale products of four activations share one vector");
  __m256 acc[C];
  for (int c = 0; c < C; ++c) acc[c] = _mm256_setzero_ps();
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
    __m256i mins[C];
#pragma GCC unroll 8
    for (int c = 0; c < C; ++c) mins[c] = k45_min_lanes(sc.mins, acts[c] + ab);
    // dy_c·d and dy_c·(−dmin) in lane c of each 128-bit half
    const __m128 dy = _mm_setr_ps(q8k_d(acts[0] + ab), q8k_d(acts[1] + ab), q8k_d(acts[2] + ab),
                                  q8k_d(acts[3] + ab));
    const __m256 dy2 = _mm256_set_m128(dy, dy);
    k45_accumulate_cols(acc, sumi, mins, _mm256_mul_ps(dy2, _mm256_set1_ps(f16(w))),
                        _mm256_mul_ps(dy2, _mm256_set1_ps(-f16(w + 2))),
                        std::make_integer_sequence<int, C>{});
  }
  for (int c = 0; c < C; ++c) out[c] = hsum(acc[c]);
}

// A Q4_K / Q5_K super-block pre-decoded for dot_cols_k45_packed: the values of each group (low
// and high 32, as k45_group gives them), their scales spread as k45_group_scales gives them,
// the mins as k45_scales gives them, and d and −dmin as floats.
struct K45Packed {
  __m256i q[8];      // group g: 2g = low 32 values, 2g + 1 = high 32
  __m256i scale[8];  // group g: 2g = s_lo, 2g + 1 = s_hi
  __m256i mins;
  float d, neg_dmin;  // then padding to a multiple of 32 bytes
  float pad[6];
};
static_assert(sizeof(K45Packed) % 32 == 0);

template <bool kFive>
CODERX_KERNEL void pack_k45(const std::uint8_t* w, std::int64_t n, std::uint8_t* dst) {
  constexpr int kBytes = kFive ? L::q5_k::kBytes : L::q4_k::kBytes;
  constexpr int kScales = kFive ? L::q5_k::kScales : L::q4_k::kScales;
  constexpr int kQs = kFive ? L::q5_k::kQs : L::q4_k::kQs;
  auto* out = reinterpret_cast<K45Packed*>(dst);
  for (std::int64_t b = 0; b < n / 256; ++b, w += kBytes, ++out) {
    const K45Scales sc = k45_scales(w + kScales);
    __m256i hb = kFive ? load32(w + L::q5_k::kQh) : _mm256_setzero_si256();
    __m256i group_scales = sc.scales;
    for (int g = 0; g < 4; ++g) {
      __m256i lo, hi, s_lo, s_hi;
      k45_group<kFive>(w + kQs, g, hb, lo, hi);
      k45_group_scales(group_scales, s_lo, s_hi);
      _mm256_store_si256(&out->q[2 * g], lo);
      _mm256_store_si256(&out->q[2 * g + 1], hi);
      _mm256_store_si256(&out->scale[2 * g], s_lo);
      _mm256_store_si256(&out->scale[2 * g + 1], s_hi);
    }
    _mm256_store_si256(&out->mins, sc.mins);
    out->d = f16(w);
    out->neg_dmin = -f16(w + 2);
  }
}

// dot_cols_k45 on a row packed by pack_k45: the same integer sums and f32 steps, without the
// decoding.
CODERX_KERNEL void dot_cols_k45_packed(const std::uint8_t* w, const std::uint8_t* const* acts,
                                       const std::uint8_t* /*prep*/, std::int64_t n, float* out) {
  constexpr int C = kDotCols;
  const auto* p = reinterpret_cast<const K45Packed*>(w);
  __m256 acc[C];
  for (int c = 0; c < C; ++c) acc[c] = _mm256_setzero_ps();
  for (std::int64_t b = 0; b < n / 256; ++b, ++p) {
    const std::size_t ab = static_cast<std::size_t>(b) * L::q8_k::kBytes;
    __m256i sumi[C];
    for (int c = 0; c < C; ++c) sumi[c] = _mm256_setzero_si256();
#pragma GCC unroll 1
    for (int g = 0; g < 4; ++g) {
      const __m256i lo = _mm256_load_si256(&p->q[2 * g]), hi = _mm256_load_si256(&p->q[2 * g + 1]);
      const __m256i s_lo = _mm256_load_si256(&p->scale[2 * g]);
      const __m256i s_hi = _mm256_load_si256(&p->scale[2 * g + 1]);
#pragma GCC unroll 8
      for (int c = 0; c < C; ++c) {
        const std::uint8_t* y = q8k_qs(acts[c] + ab) + 64 * g;
        const __m256i p_lo = _mm256_madd_epi16(_mm256_maddubs_epi16(lo, load32(y)), s_lo);
        const __m256i p_hi = _mm256_madd_epi16(_mm256_maddubs_epi16(hi, load32(y + 32)), s_hi);
        sumi[c] = _mm256_add_epi32(_mm256_add_epi32(sumi[c], p_lo), p_hi);
      }
    }
    __m256i mins[C];
    const __m256i m = _mm256_load_si256(&p->mins);
#pragma GCC unroll 8
    for (int c = 0; c < C; ++c) mins[c] = k45_min_lanes(m, acts[c] + ab);
    const __m128 dy = _mm_setr_ps(q8k_d(acts[0] + ab), q8k_d(acts[1] + ab), q8k_d(acts[2] + ab),
                                  q8k_d(acts[3] + ab));
    const __m256 dy2 = _mm256_set_m128(dy, dy);
    k45_accumulate_cols(acc, sumi, mins, _mm256_mul_ps(dy2, _mm256_set1_ps(p->d)),
                        _mm256_mul_ps(dy2, _mm256_set1_ps(p->neg_dmin)),
                        std::make_integer_sequence<int, C>{});
  }
  for (int c = 0; c < C; ++c) out[c] = hsum(acc[c]);
}

CODERX_KERNEL void dot_cols_q4_k(const std::uint8_t* w, const std::uint8_t* const* acts,
                                 const std::uint8_t* /*prep*/, std::int64_t n, float* out) {
  dot_cols_k45<false>(w, acts, nullptr, n, out);
}
CODERX_KERNEL void dot_cols_q5_k(const std::uint8_t* w, const std::uint8_t* const* acts,
                                 const std::uint8_t* /*prep*/, std::int64_t n, float* out) {
  dot_cols_k45<true>(w, acts, nullptr, n, out);
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
    prefetch_ahead(w);
    prefetch_ahead(w + 64);
    prefetch_ahead(w + 128);
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
  t.pack[slot(Type::Q4_K)] = pack_k45<false>;
  t.pack[slot(Type::Q5_K)] = pack_k45<true>;
  t.dot_cols_packed[slot(Type::Q4_K)] = dot_cols_k45_packed;
  t.dot_cols_packed[slot(Type::Q5_K)] = dot_cols_k45_packed;
  t.packed_bytes[slot(Type::Q4_K)] = sizeof(K45Packed) / 8;
  t.packed_bytes[slot(Type::Q5_K)] = sizeof(K45Packed) / 8;
}
}  // namespace

}  // namespace coderx::model::quant
