// Q5_0_R8 and Q8_0_R8 (repack.h) against Q8_0 activations: the eight rows of a group at once.
// Internal to model/quant: a textual template like the other *_simd.h, included by dot_avx2.cpp
// and dot_avx512.cpp after dot_legacy_simd.h and dot_q4_k_r8_simd.h.
// Each row's result is bit-identical to dot_q5_0 / dot_q8_0 (sum_blocks) on that row, the way
// dot_cols_q8_0_tile mirrors it: sum_blocks' eight accumulator lanes are eight vectors here
// (lane r = row r); a block of a whole group of eight goes to accumulator b mod 8 as its total
// (an exact integer), a block past them to accumulators 0–7 by chunk of four values; then
// hsum's order.

namespace coderx::model::quant {
namespace {

// What a chunk's unsigned bytes u stand for: the value u − kOffset (Q5_0: 0…31 for −16…15; Q8_0
// with VNNI: q + 128). Q8_0 without VNNI takes the sign trick instead (no offset).
template <bool kQ5>
constexpr int legacy_r8_offset() {
  return kQ5 ? 16 : (CODERX_VNNI ? 128 : 0);
}

// Chunk l of a Q5_0_R8 block as its values 0…31 (q + 16 for the signed q), row r in dword r.
CODERX_KERNEL inline __m256i legacy_r8_values(const std::uint8_t* x, int l) {
  const __m256i q = load32(x + q5_0_r8::kQs + 32 * (l & 3));
  const __m256i nib = _mm256_and_si256(l < 4 ? q : _mm256_srli_epi16(q, 4), _mm256_set1_epi8(15));
#if CODERX_VNNI  // + 16 under the chunk's mask of high bits
  std::uint32_t mask;
  std::memcpy(&mask, x + q5_0_r8::kMasks + 4 * l, 4);
  return _mm256_mask_add_epi8(nib, _cvtu32_mask32(mask), nib, _mm256_set1_epi8(16));
#else
  return _mm256_or_si256(
      nib, _mm256_and_si256(bits32(x + q5_0_r8::kMasks + 4 * l), _mm256_set1_epi8(16)));
#endif
}

// acc + Σ value·y over chunk l (values 4l…4l+3 of each row, row r in i32 lane r) of the block at
// x, but for the −kOffset·Σy that the caller adds; y4: the activation's four bytes broadcast.
template <bool kQ5>
CODERX_KERNEL inline __m256i legacy_r8_chunk(__m256i acc, const std::uint8_t* x, int l,
                                             __m256i y4) {
  if constexpr (kQ5) {
    return add_u8_i8(acc, legacy_r8_values(x, l), y4);
  } else {
    const __m256i q = load32(x + q8_0_r8::kQs + 32 * l);
#if CODERX_VNNI
    return _mm256_dpbusd_epi32(acc, _mm256_xor_si256(q, _mm256_set1_epi8(static_cast<char>(128))),
                               y4);
#else
    return _mm256_add_epi32(acc, dot_u8_i8(_mm256_sign_epi8(q, q), _mm256_sign_epi8(y4, q)));
#endif
  }
}

// −kOffset·(Σ y over chunk l) in lane l of the activation's 32 bytes at y.
template <bool kQ5>
CODERX_KERNEL inline __m256i legacy_r8_offsets(const std::uint8_t* y) {
  constexpr int k = legacy_r8_offset<kQ5>();
  if constexpr (k == 0) return _mm256_setzero_si256();
  const __m256i sums = dot_u8_i8(_mm256_set1_epi8(1), load32(y));
  return _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_mullo_epi32(sums, _mm256_set1_epi32(k)));
}

// The group's rows against one activation: out[r].
template <bool kQ5>
CODERX_KERNEL void legacy_r8_dot8(const std::uint8_t* w, const std::uint8_t* a, std::int64_t n,
                                  float* out) {
  constexpr int kW = kQ5 ? q5_0_r8::kBytes : q8_0_r8::kBytes, kA = L::q8_0::kBytes;
  const std::int64_t nb = n / 32, grouped = nb / 8 * 8;
  __m256 acc[8];
  for (int i = 0; i < 8; ++i) acc[i] = _mm256_setzero_ps();
  for (std::int64_t b = 0; b < nb; ++b, a += kA) {
    const std::uint8_t* x = w + b * kW;
    const std::uint8_t* y = a + L::q8_0::kQs;
    // kD = 0 in both layouts
    const __m256 scale =
        _mm256_mul_ps(_mm256_cvtph_ps(load16(x)), _mm256_set1_ps(f16(a + L::q8_0::kD)));
    const __m256i offsets = legacy_r8_offsets<kQ5>(y);
    if (b < grouped) {
      // Even and odd chunks in two chains, added at the end (exact).
      __m256i total[2] = {_mm256_set1_epi32(hsum_i32(offsets)), _mm256_setzero_si256()};
#pragma GCC unroll 8
      for (int l = 0; l < 8; ++l)
        total[l & 1] = legacy_r8_chunk<kQ5>(total[l & 1], x, l, broadcast4(y + 4 * l));
      acc[b % 8] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_add_epi32(total[0], total[1])), scale,
                                   acc[b % 8]);
    } else {
#pragma GCC unroll 8
      for (int l = 0; l < 8; ++l) {
        const __m256i start = _mm256_permutevar8x32_epi32(offsets, _mm256_set1_epi32(l));
        const __m256i chunk = legacy_r8_chunk<kQ5>(start, x, l, broadcast4(y + 4 * l));
        acc[l] = _mm256_fmadd_ps(scale, _mm256_cvtepi32_ps(chunk), acc[l]);
      }
    }
  }
  const __m256 a0 = _mm256_add_ps(acc[0], acc[4]), a1 = _mm256_add_ps(acc[1], acc[5]);
  const __m256 a2 = _mm256_add_ps(acc[2], acc[6]), a3 = _mm256_add_ps(acc[3], acc[7]);
  _mm256_storeu_ps(out, _mm256_add_ps(_mm256_add_ps(a0, a2), _mm256_add_ps(a1, a3)));
}

// A group's blocks as Q8Tiles (pack_signed_tile's tiles of the same eight rows): the group's
// chunks are already the tile's, as signed values.
template <bool kQ5>
CODERX_KERNEL void pack_legacy_r8_tile(const std::uint8_t* w, std::size_t, std::int64_t n,
                                       std::uint8_t* dst) {
  constexpr int kW = kQ5 ? q5_0_r8::kBytes : q8_0_r8::kBytes;
  auto* tile = reinterpret_cast<Q8Tile*>(dst);
  for (std::int64_t b = 0; b < n / 32; ++b, ++tile, w += kW) {
    for (int l = 0; l < 8; ++l) {
      __m256i q;
      if constexpr (kQ5) {
        q = _mm256_sub_epi8(legacy_r8_values(w, l), _mm256_set1_epi8(16));
      } else {
        q = load32(w + q8_0_r8::kQs + 32 * l);
      }
#if CODERX_VNNI
      tile->biased[l] = _mm256_xor_si256(q, _mm256_set1_epi8(static_cast<char>(128)));
#else
      tile->value[l] = q;
      tile->magnitude[l] = _mm256_sign_epi8(q, q);
#endif
    }
    tile->dw = _mm256_cvtph_ps(load16(w));
  }
}

// Several activations (decode streams, prefill) go through the tiles: packing from the groups is
// cheap, and the tile kernel beat a several-activation dot8 here (bench_quant, four
// activations: Q5_0_R8 53 against 40 G MAC/s, Q8_0_R8 61 against 40, AVX-512).
inline void add_dot_legacy_r8_simd(KernelTable& t) {
  add_repacked_tiles(t, Type::Q5_0_R8, Type::Q5_0, pack_legacy_r8_tile<true>);
  add_repacked_tiles(t, Type::Q8_0_R8, Type::Q8_0, pack_legacy_r8_tile<false>);
  t.dot8[slot(Type::Q5_0_R8)] = legacy_r8_dot8<true>;
  t.dot8[slot(Type::Q8_0_R8)] = legacy_r8_dot8<false>;
}

}  // namespace
}  // namespace coderx::model::quant
