// Two activations per 512-bit vector for the tile kernels of the AVX-512 level (the
// *_tile_zmm_simd.h kernels): lane 2r holds row r against the pair's first activation, lane
// 2r + 1 against its second. Internal to model/quant: a textual template included by
// dot_avx512.cpp only.

// GCC 12's 512-bit permutes start from _mm512_undefined_*, which -Wuninitialized reports at
// every use; these kernels take every lane from their operands. (Popped at the end of
// dot_avx512.cpp's kernel headers.)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#if !defined(__clang__)  // a GCC-only warning; clang warns about the unknown name instead
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace coderx::model::quant {
namespace {

// The eight bytes at p in every 64-bit lane: the pair's first activation's four bytes in even
// i32 lanes, its second's in odd ones.
CODERX_KERNEL inline __m512i pair_broadcast(const std::uint8_t* p) {
  std::int64_t v;
  std::memcpy(&v, p, 8);
  return _mm512_set1_epi64(v);
}

// Row r's lane of a tile vector (i32 or f32 lanes) in lanes 2r and 2r + 1.
CODERX_KERNEL inline __m512i spread_rows(__m256i v) {
  const __m512i twice = _mm512_set_epi32(7, 7, 6, 6, 5, 5, 4, 4, 3, 3, 2, 2, 1, 1, 0, 0);
  return _mm512_permutexvar_epi32(twice, _mm512_zextsi256_si512(v));
}
CODERX_KERNEL inline __m512 spread_rows(__m256 v) {
  return _mm512_castsi512_ps(spread_rows(_mm256_castps_si256(v)));
}

// 32 bytes of the pair's first activation and 32 of its second at dst as pairs of four: its
// chunk l (four bytes) at dst + 8l, the second's at dst + 8l + 4 (what pair_broadcast reads).
CODERX_KERNEL inline void interleave_pair(const std::uint8_t* first, const std::uint8_t* second,
                                          std::uint8_t* dst) {
  const __m512i order = _mm512_set_epi32(23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
  const __m512i a =
      _mm512_zextsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(first)));
  const __m512i b =
      _mm512_zextsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(second)));
  _mm512_storeu_si512(dst, _mm512_permutex2var_epi32(a, order, b));
}

// A pair's eight rows to out: the first activation's at out[0..8), the second's at out[8..16).
CODERX_KERNEL inline void store_pair_rows(__m512 v, float* out) {
  const __m512i split = _mm512_set_epi32(15, 13, 11, 9, 7, 5, 3, 1, 14, 12, 10, 8, 6, 4, 2, 0);
  _mm512_storeu_ps(out, _mm512_permutexvar_ps(split, v));
}

}  // namespace
}  // namespace coderx::model::quant
