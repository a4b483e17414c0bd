// Textual template: included once per SIMD level (dot_avx2.cpp, dot_avx512.cpp) after
// simd_helpers.h, with CODERX_KERNEL / CODERX_VNNI defined there; no include guard.
// Dot products of the 32-element block types with Q8_0 / Q8_1 activations: Q4_0, Q4_1,
// Q5_0, Q5_1, Q8_0, IQ4_NL, MXFP4, NVFP4. Same integer sums per block as dot_ref_legacy.cpp /
// dot_ref_fp4.cpp; only the order of the f32 accumulation differs (vector lanes).
#include "model/quant/block_layout.h"
#include "model/quant/kernel_table.h"
#include "model/quant/value_tables.h"

namespace coderx::model::quant {
namespace {

namespace L = layout;

// Σ over blocks of scale(block) · int_sum(block). lanes(x, y) gives a block's integer sum as
// 8 lanes of i32. Eight blocks at a time: their lanes are reduced to one vector of 8 block totals
// (hadd tree), converted once and multiplied by the 8 scales at once; the scales come from
// scale8 (8 weight blocks) times 8 gathered f16 activation scales.
using LanesFn = __m256i (*)(const std::uint8_t* x, const std::uint8_t* y);
using Scale8Fn = __m256 (*)(const std::uint8_t* x);  // scales of the 8 weight blocks from x
using ScaleFn = float (*)(const std::uint8_t* x);    // scale of one weight block

// The f16 values at p, p + kStride, …, p + 7·kStride as 8 floats.
template <int kStride>
CODERX_KERNEL inline __m256 f16x8(const std::uint8_t* p) {
  std::uint16_t h[8];
#pragma GCC unroll 8
  for (int i = 0; i < 8; ++i) std::memcpy(&h[i], p + i * kStride, 2);
  return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(h)));
}

// Lanes of 8 blocks → one vector whose lane i is the total of block i.
CODERX_KERNEL inline __m256i block_totals8(const __m256i* p) {
  const __m256i q0 =
      _mm256_hadd_epi32(_mm256_hadd_epi32(p[0], p[1]), _mm256_hadd_epi32(p[2], p[3]));
  const __m256i q1 =
      _mm256_hadd_epi32(_mm256_hadd_epi32(p[4], p[5]), _mm256_hadd_epi32(p[6], p[7]));
  return _mm256_add_epi32(_mm256_permute2x128_si256(q0, q1, 0x20),
                          _mm256_permute2x128_si256(q0, q1, 0x31));
}

template <int kW, int kA, LanesFn lanes, Scale8Fn scale8, ScaleFn scale1>
CODERX_KERNEL inline float sum_blocks(const std::uint8_t* w, const std::uint8_t* a,
                                      std::int64_t nb) {
  __m256 acc = _mm256_setzero_ps();
  std::int64_t b = 0;
  for (; b + 8 <= nb; b += 8, w += 8 * kW, a += 8 * kA) {
    __m256i p[8];
#pragma GCC unroll 8
    for (int i = 0; i < 8; ++i) p[i] = lanes(w + i * kW, a + i * kA);
    const __m256 scale = _mm256_mul_ps(scale8(w), f16x8<kA>(a + L::q8_0::kD));
    acc = _mm256_fmadd_ps(to_float(block_totals8(p)), scale, acc);
  }
  for (; b < nb; ++b, w += kW, a += kA) {
    const float scale = scale1(w) * f16(a + L::q8_0::kD);
    acc = _mm256_fmadd_ps(_mm256_set1_ps(scale), to_float(lanes(w, a)), acc);
  }
  return hsum(acc);
}

// Types whose block scale is an f16 at offset 0.
CODERX_KERNEL inline float f16_scale(const std::uint8_t* x) {
  return f16(x);
}

template <int kW, LanesFn lanes>
CODERX_KERNEL inline float sum_f16_blocks(const std::uint8_t* w, const std::uint8_t* a,
                                          std::int64_t n) {
  return sum_blocks<kW, L::q8_0::kBytes, lanes, f16x8<kW>, f16_scale>(w, a, n / 32);
}

CODERX_KERNEL inline __m256i quants_q4_0(const std::uint8_t* x) {
  return nibbles32(x + L::q4_0::kQs);
}
CODERX_KERNEL inline __m256i quants_q5_0(const std::uint8_t* x) {
#if CODERX_VNNI  // the AVX-512 level: the high bits as a mask register, added under it
  std::uint32_t qh;
  std::memcpy(&qh, x + L::q5_0::kQh, 4);
  const __m256i nib = nibbles32(x + L::q5_0::kQs);
  return _mm256_mask_add_epi8(nib, _cvtu32_mask32(qh), nib, _mm256_set1_epi8(16));
#else
  const __m256i high = _mm256_and_si256(bits32(x + L::q5_0::kQh), _mm256_set1_epi8(16));
  return _mm256_or_si256(nibbles32(x + L::q5_0::kQs), high);
#endif
}

#if CODERX_VNNI
// −Σk·y per four bytes of y (k a constant byte): what vpdpbusd of unsigned q against y starts
// from to give Σ(q − k)·y. y ≠ −128 (Q8_0 activations are within ±127).
CODERX_KERNEL inline __m256i minus_offset_share(int k, __m256i y) {
  const __m256i zero = _mm256_setzero_si256();
  return _mm256_dpbusd_epi32(zero, _mm256_set1_epi8(static_cast<char>(k)), _mm256_sub_epi8(zero, y));
}
#endif

// Q5_0's values q − 16 as signed bytes (the Q8_0-style column kernels and tiles take them).
CODERX_KERNEL inline __m256i signed_q5_0(const std::uint8_t* x) {
  return _mm256_sub_epi8(quants_q5_0(x), _mm256_set1_epi8(16));
}

CODERX_KERNEL inline __m256i lanes_q4_0(const std::uint8_t* x, const std::uint8_t* y) {
  const __m256i q = _mm256_sub_epi8(nibbles32(x + L::q4_0::kQs), _mm256_set1_epi8(8));
  return dot_i8_i8(q, load32(y + L::q8_0::kQs));
}

// Σ(q − 16)·y per four bytes. With VNNI: q·y added onto −16·Σy by vpdpbusd; otherwise the
// signed q − 16 (nibble when the high bit is set, nibble − 16 = nibble | 0xF0 when clear).
CODERX_KERNEL inline __m256i lanes_q5_0(const std::uint8_t* x, const std::uint8_t* y) {
  const __m256i ys = load32(y + L::q8_0::kQs);
#if CODERX_VNNI
  return _mm256_dpbusd_epi32(minus_offset_share(16, ys), quants_q5_0(x), ys);
#else
  const __m256i high =
      _mm256_andnot_si256(bits32(x + L::q5_0::kQh), _mm256_set1_epi8(static_cast<char>(0xF0)));
  const __m256i q = _mm256_or_si256(nibbles32(x + L::q5_0::kQs), high);
  return dot_i8_i8(q, ys);
#endif
}

CODERX_KERNEL inline __m256i lanes_q8_0(const std::uint8_t* x, const std::uint8_t* y) {
  return dot_i8_i8(load32(x + L::q8_0::kQs), load32(y + L::q8_0::kQs));
}

CODERX_KERNEL inline __m256i table_lookup(const std::int8_t* table, __m256i idx) {
  const __m128i t = _mm_loadu_si128(reinterpret_cast<const __m128i*>(table));
  return _mm256_shuffle_epi8(_mm256_set_m128i(t, t), idx);
}

CODERX_KERNEL inline __m256i lanes_iq4_nl(const std::uint8_t* x, const std::uint8_t* y) {
  const __m256i q = table_lookup(kIq4Values, nibbles32(x + L::iq4_nl::kQs));
  return dot_i8_i8(q, load32(y + L::q8_0::kQs));
}

CODERX_KERNEL inline __m256i lanes_mxfp4(const std::uint8_t* x, const std::uint8_t* y) {
  const __m256i q = table_lookup(kFp4Values, nibbles32(x + L::mxfp4::kQs));
  return dot_i8_i8(q, load32(y + L::q8_0::kQs));
}

CODERX_KERNEL inline float mxfp4_scale(const std::uint8_t* x) {
  return e8m0_to_f32_half(x[L::mxfp4::kE]);
}
CODERX_KERNEL inline __m256 mxfp4_scale8(const std::uint8_t* x) {
  constexpr int k = L::mxfp4::kBytes;
  return _mm256_setr_ps(mxfp4_scale(x), mxfp4_scale(x + k), mxfp4_scale(x + 2 * k),
                        mxfp4_scale(x + 3 * k), mxfp4_scale(x + 4 * k), mxfp4_scale(x + 5 * k),
                        mxfp4_scale(x + 6 * k), mxfp4_scale(x + 7 * k));
}

CODERX_KERNEL float dot_q4_0(const std::uint8_t* w, const std::uint8_t* a, std::int64_t n) {
  return sum_f16_blocks<L::q4_0::kBytes, lanes_q4_0>(w, a, n);
}
CODERX_KERNEL float dot_q5_0(const std::uint8_t* w, const std::uint8_t* a, std::int64_t n) {
  return sum_f16_blocks<L::q5_0::kBytes, lanes_q5_0>(w, a, n);
}
CODERX_KERNEL float dot_q8_0(const std::uint8_t* w, const std::uint8_t* a, std::int64_t n) {
  return sum_f16_blocks<L::q8_0::kBytes, lanes_q8_0>(w, a, n);
}
CODERX_KERNEL float dot_iq4_nl(const std::uint8_t* w, const std::uint8_t* a, std::int64_t n) {
  return sum_f16_blocks<L::iq4_nl::kBytes, lanes_iq4_nl>(w, a, n);
}
CODERX_KERNEL float dot_mxfp4(const std::uint8_t* w, const std::uint8_t* a, std::int64_t n) {
  return sum_blocks<L::mxfp4::kBytes, L::q8_0::kBytes, lanes_mxfp4, mxfp4_scale8, mxfp4_scale>(
      w, a, n / 32);
}

// Affine types with Q8_1 activations: Σ d·dy·Σq·y + m·s.
using QuantsFn = __m256i (*)(const std::uint8_t* x);

template <int kW, QuantsFn quants>
CODERX_KERNEL inline float dot_affine(const std::uint8_t* w, const std::uint8_t* a,
                                      std::int64_t nb) {
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  float summs = 0;
  std::int64_t b = 0;
  for (; b < nb; ++b, w += kW, a += L::q8_1::kBytes) {
    const float s = f16(w) * f16(a + L::q8_1::kD);
    summs += f16(w + 2) * f16(a + L::q8_1::kS);
    const __m256i p = dot_u8_i8(quants(w), load32(a + L::q8_1::kQs));
    if (b & 1)
      acc1 = _mm256_fmadd_ps(_mm256_set1_ps(s), to_float(p), acc1);
    else
      acc0 = _mm256_fmadd_ps(_mm256_set1_ps(s), to_float(p), acc0);
  }
  return hsum(_mm256_add_ps(acc0, acc1)) + summs;
}

CODERX_KERNEL inline __m256i quants_q4_1(const std::uint8_t* x) {
  return nibbles32(x + L::q4_1::kQs);
}

CODERX_KERNEL float dot_q4_1(const std::uint8_t* w, const std::uint8_t* a, std::int64_t n) {
  return dot_affine<L::q4_1::kBytes, quants_q4_1>(w, a, n / 32);
}

CODERX_KERNEL inline __m256i quants_q5_1(const std::uint8_t* x) {
  const __m256i high = _mm256_and_si256(bits32(x + L::q5_1::kQh), _mm256_set1_epi8(16));
  return _mm256_or_si256(nibbles32(x + L::q5_1::kQs), high);
}

CODERX_KERNEL float dot_q5_1(const std::uint8_t* w, const std::uint8_t* a, std::int64_t n) {
  return dot_affine<L::q5_1::kBytes, quants_q5_1>(w, a, n / 32);
}

// The offset-binary type Q4_0 (q − 8) four dot products at a time: four rows
// against one Q8_0 activation (dot4_offset) or one row against four (dot_cols_offset). Per block
// and pair (row, activation): Σ(q − k)·y = maddubs(q, y) − maddubs(k, y) as i16 lanes (each at
// most 2·16·127 in magnitude), the four pairs' lanes summed per 128-bit half by one hadd tree
// (i16 sums of four lanes stay below 2^15), widened once, converted once and scaled by the four
// pairs' d·dy in one multiply-add. With VNNI, dot4_offset forms the same integers in i32 lanes
// (vpdpbusd onto −Σk·y) and sums them by an i32 hadd tree. Pair i accumulates in lanes i and
// i + 4, added at the end. Both kernels do the same f32 operations per pair, so their results
// are identical. (Q5_0 went this way too, but four rows read side by side stream from memory at
// ~70 % of the read bandwidth where one row at a time reaches ~85 % (bench_gemv, 2 threads), so
// it runs the row kernel and the Q8_0-style column kernels on its values q − 16.)

// Lane i = total of the low 128-bit half of p[i], lane i + 4 = of its high half (as i32).
CODERX_KERNEL inline __m256i quad_half_totals(const __m256i* p) {
  const __m256i h = _mm256_hadd_epi16(_mm256_hadd_epi16(p[0], p[1]), _mm256_hadd_epi16(p[2], p[3]));
  return _mm256_madd_epi16(h, _mm256_set1_epi16(1));
}

// The f16 values at p0 … p3 as floats, twice: lanes i and i + 4 hold the value at p_i.
CODERX_KERNEL inline __m256 f16x4_twice(const std::uint8_t* p0, const std::uint8_t* p1,
                                        const std::uint8_t* p2, const std::uint8_t* p3) {
  std::uint16_t h[4];
  std::memcpy(&h[0], p0, 2);
  std::memcpy(&h[1], p1, 2);
  std::memcpy(&h[2], p2, 2);
  std::memcpy(&h[3], p3, 2);
  const __m128 f =
      _mm_cvtph_ps(_mm_set_epi16(0, 0, 0, 0, static_cast<short>(h[3]), static_cast<short>(h[2]),
                                 static_cast<short>(h[1]), static_cast<short>(h[0])));
  return _mm256_set_m128(f, f);
}

CODERX_KERNEL inline void store_quad(__m256 acc, float* out) {
  _mm_storeu_ps(out, _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1)));
}

template <int kW, QuantsFn quants, int kOffset>
CODERX_KERNEL inline void dot4_offset(const std::uint8_t* w, std::size_t stride,
                                      const std::uint8_t* a, std::int64_t n, float* out) {
  __m256 acc = _mm256_setzero_ps();
  for (std::int64_t b = 0; b < n / 32; ++b, a += L::q8_0::kBytes, w += kW) {
    // The four rows are read side by side, so the stream ahead of row r is row r + 4 (the next
    // group of four): prefetch the same column there.
    if (b % 2 == 0)
      for (int r = 4; r < 8; ++r)
        _mm_prefetch(reinterpret_cast<const char*>(w + r * stride), _MM_HINT_T0);
    const __m256i y = load32(a + L::q8_0::kQs);
    __m256i p[4];
#if CODERX_VNNI  // −Σk·y per four bytes, then each row's Σq·y added on: Σ(q − k)·y as i32
    const __m256i minus = minus_offset_share(kOffset, y);
#pragma GCC unroll 8
    for (int r = 0; r < 4; ++r) p[r] = _mm256_dpbusd_epi32(minus, quants(w + r * stride), y);
    const __m256i totals = _mm256_hadd_epi32(_mm256_hadd_epi32(p[0], p[1]), _mm256_hadd_epi32(p[2], p[3]));
#else
    const __m256i correction = _mm256_maddubs_epi16(_mm256_set1_epi8(kOffset), y);
#pragma GCC unroll 8
    for (int r = 0; r < 4; ++r)
      p[r] = _mm256_sub_epi16(_mm256_maddubs_epi16(quants(w + r * stride), y), correction);
    const __m256i totals = quad_half_totals(p);
#endif
    const __m256 scale = _mm256_mul_ps(f16x4_twice(w, w + stride, w + 2 * stride, w + 3 * stride),
                                       _mm256_set1_ps(f16(a + L::q8_0::kD)));
    acc = _mm256_fmadd_ps(to_float(totals), scale, acc);
  }
  store_quad(acc, out);
}

CODERX_KERNEL void dot4_q4_0(const std::uint8_t* w, std::size_t stride, const std::uint8_t* a,
                             std::int64_t n, float* out) {
  dot4_offset<L::q4_0::kBytes, quants_q4_0, 8>(w, stride, a, n, out);
}

// What dot_cols_offset needs of four Q8_0 activations, per block (kOffsetPrep bytes): their
// scales as f32, then the i32 lanes of quad_half_totals over maddubs(kOffset, y) of each, the
// offset's share of the sums, to subtract from the lanes of the quants' own share.
inline constexpr int kOffsetPrep = 48;

template <int kOffset>
CODERX_KERNEL void col_prep_offset(const std::uint8_t* const* acts, std::int64_t n,
                                   std::uint8_t* dst) {
  const __m256i offset = _mm256_set1_epi8(kOffset);
  for (std::int64_t b = 0; b < n / 32; ++b, dst += kOffsetPrep) {
    const std::size_t ab = static_cast<std::size_t>(b) * L::q8_0::kBytes;
    float dy[kDotCols];
    __m256i p[kDotCols];
    for (int c = 0; c < kDotCols; ++c) {
      dy[c] = f16(acts[c] + ab + L::q8_0::kD);
      p[c] = _mm256_maddubs_epi16(offset, load32(acts[c] + ab + L::q8_0::kQs));
    }
    std::memcpy(dst, dy, sizeof dy);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + 16), quad_half_totals(p));
  }
}

// One offset-type block's quants (0…2^k − 1) against four activations, added to acc as
// dot4_offset adds a block: Σ(q − k)·y = Σq·y − Σk·y, each share summed exactly in i16 lanes
// (|q·y| pairs ≤ 2·31·128, four of them < 2^15) and widened before the subtraction; the same
// integers as dot4_offset's, so the same f32 steps follow.
CODERX_KERNEL inline __m256 offset_block_cols(__m256 acc, __m256i q, float dw,
                                              const std::uint8_t* const* acts, std::size_t ab,
                                              const std::uint8_t* prep) {
  __m256i p[kDotCols];
#pragma GCC unroll 8
  for (int c = 0; c < kDotCols; ++c)
    p[c] = _mm256_maddubs_epi16(q, load32(acts[c] + ab + L::q8_0::kQs));
  const __m256i totals = _mm256_sub_epi32(quad_half_totals(p), load32(prep + 16));
  const __m128 dy4 = _mm_loadu_ps(reinterpret_cast<const float*>(prep));
  const __m256 scale = _mm256_mul_ps(_mm256_set1_ps(dw), _mm256_set_m128(dy4, dy4));
  return _mm256_fmadd_ps(to_float(totals), scale, acc);
}

template <int kW, QuantsFn quants>
CODERX_KERNEL inline void dot_cols_offset(const std::uint8_t* w, const std::uint8_t* const* acts,
                                          const std::uint8_t* prep, std::int64_t n, float* out) {
  static_assert(kDotCols == 4, "dot_cols_offset pairs one row with four activations");
  __m256 acc = _mm256_setzero_ps();
  for (std::int64_t b = 0; b < n / 32; ++b, w += kW, prep += kOffsetPrep)
    acc = offset_block_cols(acc, quants(w), f16(w), acts,
                            static_cast<std::size_t>(b) * L::q8_0::kBytes, prep);
  store_quad(acc, out);
}

// Eight offset-type rows packed side by side (kOffsetTileRows), per block: the quants in chunks
// of four, each chunk of the eight rows in one vector (one maddubs against four broadcast
// activation bytes covers 32 products of 8 rows), then the rows' scales as f32.
inline constexpr int kOffsetTileRows = 8;
struct OffsetTile {
  __m256i q[8];  // [chunk l]: dword r = row r's quants 4l … 4l + 3
  __m256 dw;     // lane r: row r's scale
};

// Block b of eight rows (kW bytes a block, scale f16 first): their values as quants() gives
// them, in chunks of four (chunks[l]: dword r = row r's values 4l … 4l + 3), and their scales.
template <int kW, QuantsFn quants>
CODERX_KERNEL inline void tile_block(const std::uint8_t* w, std::size_t stride, std::int64_t b,
                                     __m256i* chunks, __m256* scales) {
  __m256i rows[8];
  alignas(32) float dw[8];
  for (int r = 0; r < 8; ++r) {
    const std::uint8_t* x = w + r * stride + b * kW;
    rows[r] = quants(x);
    dw[r] = f16(x);
  }
  transpose_dwords(rows, chunks);
  *scales = _mm256_load_ps(dw);
}

template <int kW, QuantsFn quants>
CODERX_KERNEL void pack_offset_tile(const std::uint8_t* w, std::size_t stride, std::int64_t n,
                                    std::uint8_t* dst) {
  static_assert(kOffsetTileRows == 8);
  auto* tile = reinterpret_cast<OffsetTile*>(dst);
  for (std::int64_t b = 0; b < n / 32; ++b, ++tile)
    tile_block<kW, quants>(w, stride, b, tile->q, &tile->dw);
}

// kOffsetTileRows packed rows against kDotCols activations: out[c·8 + r] = dot(row r,
// activation c), with dot4_offset's f32 steps (each block's two 16-element halves scaled and
// accumulated apart, added at the end). A half's products are summed in i16 lanes (four
// chunks, |q·y| pairs ≤ 2·31·128) and widened once; the offset's share comes from col_prep.
CODERX_KERNEL void dot_cols_offset_tile(const std::uint8_t* w, const std::uint8_t* const* acts,
                                        const std::uint8_t* prep, std::int64_t n, float* out) {
  constexpr int C = kDotCols;
  const auto* tile = reinterpret_cast<const OffsetTile*>(w);
#if !CODERX_VNNI
  const __m256i ones = _mm256_set1_epi16(1);
#endif
  __m256 acc[2][C];  // [half][activation]
  for (int h = 0; h < 2; ++h)
    for (int c = 0; c < C; ++c) acc[h][c] = _mm256_setzero_ps();
  for (std::int64_t b = 0; b < n / 32; ++b, ++tile, prep += kOffsetPrep) {
    const std::size_t ab = static_cast<std::size_t>(b) * L::q8_0::kBytes + L::q8_0::kQs;
#pragma GCC unroll 2
    for (int h = 0; h < 2; ++h) {
      __m256i run[C];
#pragma GCC unroll 4
      for (int l = 4 * h; l < 4 * h + 4; ++l) {
        const __m256i q = _mm256_load_si256(&tile->q[l]);
#pragma GCC unroll 4
        for (int c = 0; c < C; ++c) {
          std::int32_t four;
          std::memcpy(&four, acts[c] + ab + 4 * l, 4);
#if CODERX_VNNI  // straight into i32 lanes
          const __m256i start = l == 4 * h ? _mm256_setzero_si256() : run[c];
          run[c] = _mm256_dpbusd_epi32(start, q, _mm256_set1_epi32(four));
#else
          const __m256i p = _mm256_maddubs_epi16(q, _mm256_set1_epi32(four));
          run[c] = l == 4 * h ? p : _mm256_add_epi16(run[c], p);
          asm("" : "+x"(run[c]));  // a chain, not a tree (see dot_cols_k45_tile)
#endif
        }
      }
#pragma GCC unroll 4
      for (int c = 0; c < C; ++c) {
        std::int32_t offset_share;
        float dy;
        std::memcpy(&offset_share, prep + 16 + 16 * h + 4 * c, 4);
        std::memcpy(&dy, prep + 4 * c, 4);
#if CODERX_VNNI
        const __m256i totals = _mm256_sub_epi32(run[c], _mm256_set1_epi32(offset_share));
#else
        const __m256i totals =
            _mm256_sub_epi32(_mm256_madd_epi16(run[c], ones), _mm256_set1_epi32(offset_share));
#endif
        acc[h][c] = _mm256_fmadd_ps(to_float(totals), _mm256_mul_ps(tile->dw, _mm256_set1_ps(dy)),
                                    acc[h][c]);
      }
    }
  }
  for (int c = 0; c < C; ++c)
    _mm256_storeu_ps(out + c * kOffsetTileRows, _mm256_add_ps(acc[0][c], acc[1][c]));
}

// What dot_cols_q8_0 needs of four activations: activation by activation, its blocks' f16
// scales as f32 (16 bytes per block of the four). With VNNI, then, for dot_cols_q8_0_tile,
// activation by activation, 128·Σy of each block as i32 (another 16 bytes per block).
#if CODERX_VNNI
inline constexpr int kQ8Prep = 32;
#else
inline constexpr int kQ8Prep = 16;
#endif
CODERX_KERNEL void col_prep_q8_0(const std::uint8_t* const* acts, std::int64_t n,
                                 std::uint8_t* dst) {
  const std::int64_t nb = n / 32;
  float* scales = reinterpret_cast<float*>(dst);
  for (int c = 0; c < kDotCols; ++c)
    for (std::int64_t b = 0; b < nb; ++b)
      scales[c * nb + b] = f16(acts[c] + b * L::q8_0::kBytes + L::q8_0::kD);
#if CODERX_VNNI
  auto* bias = reinterpret_cast<std::int32_t*>(dst) + kDotCols * nb;
  const __m256i k128 = _mm256_set1_epi8(static_cast<char>(128));
  for (int c = 0; c < kDotCols; ++c)
    for (std::int64_t b = 0; b < nb; ++b) {
      const __m256i y = load32(acts[c] + b * L::q8_0::kBytes + L::q8_0::kQs);
      bias[c * nb + b] = hsum_i32(_mm256_dpbusd_epi32(_mm256_setzero_si256(), k128, y));
    }
#endif
}

// Eight Q8_0 (or Q5_0) rows packed side by side (kQ8TileRows), per block: the signed values in
// chunks of four, each chunk of the eight rows in one vector, then the rows' scales as f32.
// Without VNNI the chunks hold the magnitudes and the values (the sign goes onto the activation
// bytes); with it, the values plus 128 (unsigned, for vpdpbusd; col_prep_q8_0 gives the 128·Σy
// to take off).
inline constexpr int kQ8TileRows = 8;
struct Q8Tile {
#if CODERX_VNNI
  __m256i biased[8];  // [chunk l]: dword r = row r's q + 128, elements 4l … 4l + 3
#else
  __m256i magnitude[8], value[8];  // [chunk l]: dword r = row r's |q| or q, elements 4l … 4l + 3
#endif
  __m256 dw;  // lane r: row r's scale
};

CODERX_KERNEL inline __m256i quants_q8_0(const std::uint8_t* x) {
  return load32(x + L::q8_0::kQs);
}

// Rows of signed values (Q8_0, and Q5_0's q − 16 from signed_quants) as Q8_0 tiles.
template <int kW, QuantsFn signed_quants>
CODERX_KERNEL void pack_signed_tile(const std::uint8_t* w, std::size_t stride, std::int64_t n,
                                    std::uint8_t* dst) {
  static_assert(kQ8TileRows == 8);
  auto* tile = reinterpret_cast<Q8Tile*>(dst);
  for (std::int64_t b = 0; b < n / 32; ++b, ++tile) {
#if CODERX_VNNI
    tile_block<kW, signed_quants>(w, stride, b, tile->biased, &tile->dw);
    for (int l = 0; l < 8; ++l)
      tile->biased[l] = _mm256_xor_si256(tile->biased[l], _mm256_set1_epi8(static_cast<char>(128)));
#else
    tile_block<kW, signed_quants>(w, stride, b, tile->value, &tile->dw);
    for (int l = 0; l < 8; ++l)
      tile->magnitude[l] = _mm256_sign_epi8(tile->value[l], tile->value[l]);
#endif
  }
}

// acc + Σ q·y per row (i32 lane r) of chunk l of a Q8_0 tile against four activation bytes y;
// with VNNI, Σ (q + 128)·y, the 128·Σy still to be taken off.
CODERX_KERNEL inline __m256i q8_tile_chunk(__m256i acc, const Q8Tile* tile, int l,
                                           const std::uint8_t* y) {
  std::int32_t four;
  std::memcpy(&four, y, 4);
#if CODERX_VNNI
  return _mm256_dpbusd_epi32(acc, _mm256_load_si256(&tile->biased[l]), _mm256_set1_epi32(four));
#else
  const __m256i value = _mm256_load_si256(&tile->value[l]);
  return _mm256_add_epi32(acc, dot_u8_i8(_mm256_load_si256(&tile->magnitude[l]),
                                         _mm256_sign_epi8(_mm256_set1_epi32(four), value)));
#endif
}

// What the VNNI chunks still owe: 128·Σy over the four bytes at y (0 without VNNI).
CODERX_KERNEL inline __m256i q8_tile_chunk_bias(const std::uint8_t* y) {
#if CODERX_VNNI
  std::int32_t four;
  std::memcpy(&four, y, 4);
  return _mm256_dpbusd_epi32(_mm256_setzero_si256(), _mm256_set1_epi8(static_cast<char>(128)),
                             _mm256_set1_epi32(four));
#else
  (void)y;
  return _mm256_setzero_si256();
#endif
}

// kQ8TileRows packed rows against kDotCols activations: out[c·8 + r] = dot(row r, activation c)
// with sum_blocks' f32 steps per row: its 8 accumulator lanes are here 8 vectors (lane r = row r)
// per activation, kept in memory; a block of a whole group of eight goes to accumulator b mod 8
// as its total, a block past them to accumulators 0–7 by chunk; then hsum's order.
CODERX_KERNEL void dot_cols_q8_0_tile(const std::uint8_t* w, const std::uint8_t* const* acts,
                                      const std::uint8_t* prep, std::int64_t n, float* out) {
  constexpr int C = kDotCols;
  const auto* tile = reinterpret_cast<const Q8Tile*>(w);
  const float* scales = reinterpret_cast<const float*>(prep);
  const std::int64_t nb = n / 32, grouped = nb / 8 * 8;
#if CODERX_VNNI
  const auto* bias = reinterpret_cast<const std::int32_t*>(prep) + C * nb;
#endif
  __m256 acc[C][8];
  for (int c = 0; c < C; ++c)
    for (int i = 0; i < 8; ++i) acc[c][i] = _mm256_setzero_ps();
  for (std::int64_t b = 0; b < nb; ++b, ++tile) {
    const std::size_t ab = static_cast<std::size_t>(b) * L::q8_0::kBytes + L::q8_0::kQs;
    __m256 scale[C];
    for (int c = 0; c < C; ++c)
      scale[c] = _mm256_mul_ps(tile->dw, _mm256_set1_ps(scales[c * nb + b]));
    if (b < grouped) {
      // Even and odd chunks in two chains per activation (eight chains in flight), added at the
      // end: exact integers, in any order.
      __m256i total[C][2];
#pragma GCC unroll 4
      for (int c = 0; c < C; ++c) {
#if CODERX_VNNI
        total[c][0] = _mm256_set1_epi32(-bias[c * nb + b]);
#else
        total[c][0] = _mm256_setzero_si256();
#endif
        total[c][1] = _mm256_setzero_si256();
      }
#pragma GCC unroll 8
      for (int l = 0; l < 8; ++l)
#pragma GCC unroll 4
        for (int c = 0; c < C; ++c)
          total[c][l & 1] = q8_tile_chunk(total[c][l & 1], tile, l, acts[c] + ab + 4 * l);
#pragma GCC unroll 4
      for (int c = 0; c < C; ++c)
        acc[c][b % 8] = _mm256_fmadd_ps(to_float(_mm256_add_epi32(total[c][0], total[c][1])),
                                        scale[c], acc[c][b % 8]);
    } else {
      for (int l = 0; l < 8; ++l)
        for (int c = 0; c < C; ++c) {
          const std::uint8_t* y = acts[c] + ab + 4 * l;
          const __m256i chunk = q8_tile_chunk(_mm256_sub_epi32(_mm256_setzero_si256(), q8_tile_chunk_bias(y)), tile, l, y);
          acc[c][l] = _mm256_fmadd_ps(scale[c], to_float(chunk), acc[c][l]);
        }
    }
  }
  for (int c = 0; c < C; ++c) {
    const __m256 a0 = _mm256_add_ps(acc[c][0], acc[c][4]), a1 = _mm256_add_ps(acc[c][1], acc[c][5]);
    const __m256 a2 = _mm256_add_ps(acc[c][2], acc[c][6]), a3 = _mm256_add_ps(acc[c][3], acc[c][7]);
    _mm256_storeu_ps(out + c * kQ8TileRows,
                     _mm256_add_ps(_mm256_add_ps(a0, a2), _mm256_add_ps(a1, a3)));
  }
}

CODERX_KERNEL void dot_cols_q4_0(const std::uint8_t* w, const std::uint8_t* const* acts,
                                 const std::uint8_t* prep, std::int64_t n, float* out) {
  dot_cols_offset<L::q4_0::kBytes, quants_q4_0>(w, acts, prep, n, out);
}

// Q8_0 (or Q5_0 as signed values) against kDotCols activations; per activation the same f32
// steps as dot_q8_0 / dot_q5_0 (sum_blocks: eight blocks at a time, then single blocks). |w| and
// the sign pattern are formed once.
CODERX_KERNEL inline __m256i q8_0_lanes(__m256i abs_w, __m256i w, const std::uint8_t* a) {
  return dot_u8_i8(abs_w, _mm256_sign_epi8(load32(a + L::q8_0::kQs), w));
}

template <int kW, QuantsFn signed_quants>
CODERX_KERNEL void dot_cols_signed(const std::uint8_t* w, const std::uint8_t* const* acts,
                                   const std::uint8_t* prep, std::int64_t n, float* out) {
  const float* scales = reinterpret_cast<const float*>(prep);
  constexpr int C = kDotCols, kA = L::q8_0::kBytes;
  __m256 acc[C];
  for (int c = 0; c < C; ++c) acc[c] = _mm256_setzero_ps();
  const std::int64_t nb = n / 32;
  std::int64_t b = 0;
  for (; b + 8 <= nb; b += 8) {
    const std::uint8_t* x = w + b * kW;
    const std::size_t ab = static_cast<std::size_t>(b) * kA;
    __m256i p[C][8];
#pragma GCC unroll 8
    for (int i = 0; i < 8; ++i) {
      const __m256i q = signed_quants(x + i * kW);
      const __m256i abs_q = _mm256_sign_epi8(q, q);
#pragma GCC unroll 8
      for (int c = 0; c < C; ++c) p[c][i] = q8_0_lanes(abs_q, q, acts[c] + ab + i * kA);
    }
    const __m256 dw = f16x8<kW>(x);
#pragma GCC unroll 8
    for (int c = 0; c < C; ++c) {
      const __m256 scale = _mm256_mul_ps(dw, _mm256_loadu_ps(scales + c * nb + b));
      acc[c] = _mm256_fmadd_ps(to_float(block_totals8(p[c])), scale, acc[c]);
    }
  }
  for (; b < nb; ++b) {
    const std::uint8_t* x = w + b * kW;
    const __m256i q = signed_quants(x);
    const __m256i abs_q = _mm256_sign_epi8(q, q);
    for (int c = 0; c < C; ++c) {
      const std::uint8_t* a = acts[c] + static_cast<std::size_t>(b) * kA;
      const float scale = f16(x) * scales[c * nb + b];
      acc[c] = _mm256_fmadd_ps(_mm256_set1_ps(scale), to_float(q8_0_lanes(abs_q, q, a)), acc[c]);
    }
  }
  for (int c = 0; c < C; ++c) out[c] = hsum(acc[c]);
}

// NVFP4: one 64-block = two Q8_0 blocks; within a Q8_0 block the 16 qs bytes are two sub-blocks
// of 8 bytes, each giving 8 low-nibble then 8 high-nibble elements.
CODERX_KERNEL float dot_nvfp4(const std::uint8_t* w, const std::uint8_t* a, std::int64_t n) {
  __m256 acc = _mm256_setzero_ps();
  const __m128i table = _mm_loadu_si128(reinterpret_cast<const __m128i*>(kFp4Values));
  const __m128i m4 = _mm_set1_epi8(15);
  for (std::int64_t b = 0; b < n / 64; ++b, w += L::nvfp4::kBytes) {
#pragma GCC unroll 8
    for (int h = 0; h < 2; ++h, a += L::q8_0::kBytes) {
      const __m128i v = load16(w + L::nvfp4::kQs + 16 * h);
      const __m128i lo = _mm_and_si128(v, m4), hi = _mm_and_si128(_mm_srli_epi16(v, 4), m4);
      const __m256i idx = _mm256_set_m128i(_mm_unpackhi_epi64(lo, hi), _mm_unpacklo_epi64(lo, hi));
      const __m256i q = _mm256_shuffle_epi8(_mm256_set_m128i(table, table), idx);
      const __m256i p = dot_i8_i8(q, load32(a + L::q8_0::kQs));  // lanes 0–3: sub-block 2h
      const float dy = f16(a + L::q8_0::kD);
      const float s0 = nvfp4_scale(w[L::nvfp4::kD + 2 * h]) * dy;
      const float s1 = nvfp4_scale(w[L::nvfp4::kD + 2 * h + 1]) * dy;
      acc = _mm256_fmadd_ps(_mm256_setr_ps(s0, s0, s0, s0, s1, s1, s1, s1), to_float(p), acc);
    }
  }
  return hsum(acc);
}

}  // namespace

namespace {
inline void add_dot_legacy_simd(KernelTable& t) {
  t.dot[slot(Type::Q4_0)] = dot_q4_0;
  t.dot[slot(Type::Q4_1)] = dot_q4_1;
  t.dot[slot(Type::Q5_0)] = dot_q5_0;
  t.dot[slot(Type::Q5_1)] = dot_q5_1;
  t.dot[slot(Type::Q8_0)] = dot_q8_0;
  t.dot[slot(Type::IQ4_NL)] = dot_iq4_nl;
  t.dot[slot(Type::MXFP4)] = dot_mxfp4;
  t.dot[slot(Type::NVFP4)] = dot_nvfp4;
  t.dot4[slot(Type::Q4_0)] = dot4_q4_0;
  t.dot_cols[slot(Type::Q4_0)] = dot_cols_q4_0;
  t.dot_cols[slot(Type::Q5_0)] = dot_cols_signed<L::q5_0::kBytes, signed_q5_0>;
  t.dot_cols[slot(Type::Q8_0)] = dot_cols_signed<L::q8_0::kBytes, quants_q8_0>;
  t.col_prep[slot(Type::Q4_0)] = col_prep_offset<8>;
  t.col_prep[slot(Type::Q5_0)] = col_prep_q8_0;
  t.col_prep[slot(Type::Q8_0)] = col_prep_q8_0;
  t.col_prep_bytes[slot(Type::Q4_0)] = kOffsetPrep;
  t.col_prep_bytes[slot(Type::Q5_0)] = kQ8Prep;
  t.col_prep_bytes[slot(Type::Q8_0)] = kQ8Prep;
  t.pack[slot(Type::Q4_0)] = pack_offset_tile<L::q4_0::kBytes, quants_q4_0>;
  t.pack[slot(Type::Q5_0)] = pack_signed_tile<L::q5_0::kBytes, signed_q5_0>;
  t.dot_cols_packed[slot(Type::Q4_0)] = dot_cols_offset_tile;
  t.dot_cols_packed[slot(Type::Q5_0)] = dot_cols_q8_0_tile;
  t.packed_bytes[slot(Type::Q4_0)] = sizeof(OffsetTile) / kOffsetTileRows;
  t.packed_bytes[slot(Type::Q5_0)] = sizeof(Q8Tile) / kQ8TileRows;
  t.tile_rows[slot(Type::Q4_0)] = kOffsetTileRows;
  t.tile_rows[slot(Type::Q5_0)] = kQ8TileRows;
  t.pack[slot(Type::Q8_0)] = pack_signed_tile<L::q8_0::kBytes, quants_q8_0>;
  t.dot_cols_packed[slot(Type::Q8_0)] = dot_cols_q8_0_tile;
  t.packed_bytes[slot(Type::Q8_0)] = sizeof(Q8Tile) / kQ8TileRows;
  t.tile_rows[slot(Type::Q8_0)] = kQ8TileRows;
}
}  // namespace

}  // namespace coderx::model::quant
