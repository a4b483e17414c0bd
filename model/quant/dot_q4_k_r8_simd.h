// Q4_K_R8 (repack.h) against Q8_K activations: the eight rows of a group at once (one
// activation; four with VNNI), and the group packed as a prefill tile. Internal to model/quant:
// a textual template like the other *_simd.h, included by dot_avx2.cpp and dot_avx512.cpp after
// simd_helpers.h and dot_kquants_simd.h.
// Each row's result is bit-identical to dot_q4_k on that row: per super-block the same exact
// integers S = Σ sc·q·y and M = Σ m·y, then the same two fused f32 steps (k45_accumulate's),
// with row r in lane r throughout.

namespace coderx::model::quant {
namespace {

namespace R8 = q4_k_r8;

// acc + the sums of each four products u·y per i32 lane (u unsigned bytes ≤ 15, y signed).
CODERX_KERNEL inline __m256i add_u8_i8(__m256i acc, __m256i u, __m256i y) {
#if CODERX_VNNI
  return _mm256_dpbusd_epi32(acc, u, y);
#else
  return _mm256_add_epi32(acc, sum_pairs_i16(_mm256_maddubs_epi16(u, y)));
#endif
}

// The four bytes at p in every i32 lane (one load).
CODERX_KERNEL inline __m256i broadcast4(const std::uint8_t* p) {
  std::int32_t v;
  std::memcpy(&v, p, 4);
  return _mm256_set1_epi32(v);
}

// Bits 6 and 7 of each byte as bits 4 and 5 (the high bits of scales and mins 4…7).
CODERX_KERNEL inline __m256i top_bits_down(__m256i v) {
  return _mm256_and_si256(_mm256_srli_epi16(v, 2), _mm256_set1_epi8(0x30));
}

// The eight rows' scales and mins of one super-block, unpacked together from the transposed
// scale bytes: sub-block j of row r at byte 8j + r of sc and m.
struct R8Scales {
  alignas(32) std::uint8_t sc[64];
  alignas(32) std::uint8_t m[64];
};
CODERX_KERNEL inline void r8_scales(const std::uint8_t* s, R8Scales& out) {
  const __m256i a = load32(s), b = load32(s + 32), c = load32(s + 64);  // bytes 0-3, 4-7, 8-11
  const __m256i m6 = _mm256_set1_epi8(63), m4 = _mm256_set1_epi8(15);
  auto* sc = reinterpret_cast<__m256i*>(out.sc);
  auto* m = reinterpret_cast<__m256i*>(out.m);
  _mm256_store_si256(sc, _mm256_and_si256(a, m6));
  _mm256_store_si256(sc + 1, _mm256_or_si256(_mm256_and_si256(c, m4), top_bits_down(a)));
  _mm256_store_si256(m, _mm256_and_si256(b, m6));
  _mm256_store_si256(
      m + 1, _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(c, 4), m4), top_bits_down(b)));
}

// Eight bytes at p as i32 lanes.
CODERX_KERNEL inline __m256i r8_lanes(const std::uint8_t* p) {
  return _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
}

// Per row (lane r) and activation: Σ q·y over sub-block 2g (the low nibbles of group g's
// bytes) into lo and over sub-block 2g + 1 (the high nibbles) into hi. qs: the group's 256 bytes
// (chunk c holds values 4c…4c+3 of each row); y[a]: activation a's 64 values of group g.
template <int C>
CODERX_KERNEL inline void r8_group_sums(const std::uint8_t* qs, const std::uint8_t* const* y,
                                        __m256i* lo, __m256i* hi) {
  const __m256i m4 = _mm256_set1_epi8(15);
  for (int a = 0; a < C; ++a) lo[a] = hi[a] = _mm256_setzero_si256();
#pragma GCC unroll 8
  for (int c = 0; c < 8; ++c) {
    const __m256i q = load32(qs + 32 * c);
    const __m256i q_lo = _mm256_and_si256(q, m4);
    const __m256i q_hi = _mm256_and_si256(_mm256_srli_epi16(q, 4), m4);
#pragma GCC unroll 4
    for (int a = 0; a < C; ++a) {
      lo[a] = add_u8_i8(lo[a], q_lo, broadcast4(y[a] + 4 * c));
      hi[a] = add_u8_i8(hi[a], q_hi, broadcast4(y[a] + 32 + 4 * c));
    }
  }
}

// M = Σ_j m_j·(Σ y over sub-block j) per row, for the Q8_K block a (its bsums in pairs).
CODERX_KERNEL inline __m256i r8_min_sums(const R8Scales& scales, const std::uint8_t* a) {
  alignas(32) std::int32_t pair_sums[8];
  _mm256_store_si256(reinterpret_cast<__m256i*>(pair_sums), sum_pairs_i16(q8k_bsums(a)));
  __m256i m = _mm256_setzero_si256();
#pragma GCC unroll 8
  for (int j = 0; j < 8; ++j)
    m = _mm256_add_epi32(
        m, _mm256_mullo_epi32(r8_lanes(scales.m + 8 * j), _mm256_set1_epi32(pair_sums[j])));
  return m;
}

// k45_products and k45_accumulate eight rows wide: acc + S·(d·dy) + M·(dmin·(−dy)).
CODERX_KERNEL inline __m256 r8_accumulate(__m256 acc, __m256i s, __m256i m, __m256 d, __m256 dmin,
                                          const std::uint8_t* a) {
  const __m256 dy = _mm256_set1_ps(q8k_d(a));
  const __m256 minus_dy = _mm256_xor_ps(dy, _mm256_set1_ps(-0.0f));
  acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), _mm256_mul_ps(d, dy), acc);
  return _mm256_fmadd_ps(_mm256_cvtepi32_ps(m), _mm256_mul_ps(dmin, minus_dy), acc);
}

// acc[a] (row r in lane r) + one super-block of the group at w against the Q8_K blocks a[a].
template <int C>
CODERX_KERNEL inline void r8_block(const std::uint8_t* w, const std::uint8_t* const* a,
                                   __m256* acc) {
  R8Scales scales;
  r8_scales(w + R8::kScales, scales);
  __m256i s[C];
  for (int i = 0; i < C; ++i) s[i] = _mm256_setzero_si256();
#pragma GCC unroll 4
  for (int g = 0; g < 4; ++g) {
    const std::uint8_t* y[C];
    for (int i = 0; i < C; ++i) y[i] = q8k_qs(a[i]) + 64 * g;
    __m256i lo[C], hi[C];
    r8_group_sums<C>(w + R8::kQs + 256 * g, y, lo, hi);
    const __m256i sc_lo = r8_lanes(scales.sc + 16 * g), sc_hi = r8_lanes(scales.sc + 16 * g + 8);
    for (int i = 0; i < C; ++i)
      s[i] = _mm256_add_epi32(s[i], _mm256_add_epi32(_mm256_mullo_epi32(lo[i], sc_lo),
                                                     _mm256_mullo_epi32(hi[i], sc_hi)));
  }
  const __m256 d = _mm256_cvtph_ps(load16(w + R8::kD));
  const __m256 dmin = _mm256_cvtph_ps(load16(w + R8::kDmin));
  for (int i = 0; i < C; ++i)
    acc[i] = r8_accumulate(acc[i], s[i], r8_min_sums(scales, a[i]), d, dmin, a[i]);
}

// The group's rows against C activations: out[c·8 + r].
template <int C>
CODERX_KERNEL inline void r8_dot(const std::uint8_t* w, const std::uint8_t* const* acts,
                                 std::int64_t n, float* out) {
  __m256 acc[C];
  const std::uint8_t* a[C];
  for (int i = 0; i < C; ++i) acc[i] = _mm256_setzero_ps(), a[i] = acts[i];
  for (std::int64_t b = 0; b < n / 256; ++b, w += R8::kBytes) {
    r8_block<C>(w, a, acc);
    for (int i = 0; i < C; ++i) a[i] += L::q8_k::kBytes;
  }
  for (int i = 0; i < C; ++i) _mm256_storeu_ps(out + 8 * i, acc[i]);
}

CODERX_KERNEL void dot8_q4_k_r8(const std::uint8_t* w, const std::uint8_t* a, std::int64_t n,
                                float* out) {
  r8_dot<1>(w, &a, n, out);
}

#if CODERX_VNNI
// The kDotCols activations of a decode batch at once, the group's values decoded once for all.
CODERX_KERNEL void dot8_cols_q4_k_r8(const std::uint8_t* w, const std::uint8_t* const* acts,
                                     std::int64_t n, float* out) {
  r8_dot<kDotCols>(w, acts, n, out);
}
#endif

// Two i32 lanes of 16-bit values as one i16 pair per lane (lo, hi).
CODERX_KERNEL inline __m256i i16_pairs(__m256i lo, __m256i hi) {
  return _mm256_or_si256(lo, _mm256_slli_epi32(hi, 16));
}

// A group's super-blocks as K45Tiles (pack_k45_tile's tiles of the same eight rows, made
// without decoding each row apart): the chunks are the group's own, split into nibbles; the
// scales and mins widen from the eight rows' bytes at once.
CODERX_KERNEL void pack_q4_k_r8_tile(const std::uint8_t* w, std::size_t, std::int64_t n,
                                     std::uint8_t* dst) {
  const __m256i m4 = _mm256_set1_epi8(15);
  auto* tile = reinterpret_cast<K45Tile*>(dst);
  for (std::int64_t b = 0; b < n / 256; ++b, ++tile, w += R8::kBytes) {
    for (int g = 0; g < 4; ++g)
      for (int c = 0; c < 8; ++c) {
        const __m256i q = load32(w + R8::kQs + 256 * g + 32 * c);
        tile->q[2 * g][c] = _mm256_and_si256(q, m4);
        tile->q[2 * g + 1][c] = _mm256_and_si256(_mm256_srli_epi16(q, 4), m4);
      }
    R8Scales scales;
    r8_scales(w + R8::kScales, scales);
    for (int j = 0; j < 8; ++j) {
      const __m256i sc = r8_lanes(scales.sc + 8 * j);
      tile->scale[j] = i16_pairs(sc, sc);
    }
    for (int i = 0; i < 4; ++i)
      tile->mins[i] = i16_pairs(r8_lanes(scales.m + 16 * i), r8_lanes(scales.m + 16 * i + 8));
    tile->d = _mm256_cvtph_ps(load16(w + R8::kD));
    tile->neg_dmin = _mm256_xor_ps(_mm256_cvtph_ps(load16(w + R8::kDmin)), _mm256_set1_ps(-0.0f));
  }
}

// The tiles of a repacked type: its own pack, the plain type's tile kernel and preparation.
inline void add_repacked_tiles(KernelTable& t, Type repacked, Type plain, PackFn pack) {
  t.pack[slot(repacked)] = pack;
  t.dot_cols_packed[slot(repacked)] = t.dot_cols_packed[slot(plain)];
  t.packed_bytes[slot(repacked)] = t.packed_bytes[slot(plain)];
  t.tile_rows[slot(repacked)] = t.tile_rows[slot(plain)];
  t.col_prep[slot(repacked)] = t.col_prep[slot(plain)];
  t.col_prep_bytes[slot(repacked)] = t.col_prep_bytes[slot(plain)];
}

inline void add_dot_q4_k_r8_simd(KernelTable& t) {
  add_repacked_tiles(t, Type::Q4_K_R8, Type::Q4_K, pack_q4_k_r8_tile);
  t.dot8[slot(Type::Q4_K_R8)] = dot8_q4_k_r8;
#if CODERX_VNNI  // four activations: 105 G MAC/s against 89 from tiles; without VNNI 67 against 84
  t.dot8_cols[slot(Type::Q4_K_R8)] = dot8_cols_q4_k_r8;
#endif
}

}  // namespace
}  // namespace coderx::model::quant
