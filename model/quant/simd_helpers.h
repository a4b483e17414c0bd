// SIMD building blocks for the dot products and decoders. Internal to model/quant.
// A textual template, included once per SIMD level by dot_avx2.cpp, dot_avx512.cpp and
// dequant_avx2.cpp (hence no include guard), after defining:
//   CODERX_KERNEL  the target attribute of that level, e.g. __attribute__((target("avx2,fma")))
//   CODERX_VNNI    1 to form u8·s8 dot products with AVX512-VNNI vpdpbusd, 0 for maddubs+madd
// Every function has internal linkage and the level's target attribute, so no SIMD code leaks
// into functions compiled for the baseline x86-64 and the binary still runs on any x86-64;
// callers run only after dispatch.cpp has checked the CPU. All loads are unaligned.

#include <immintrin.h>

#include <cstdint>
#include <cstring>

namespace coderx::model::quant {
namespace {

CODERX_KERNEL inline float f16(const std::uint8_t* p) {
  std::uint16_t h;
  std::memcpy(&h, p, 2);
  return _cvtsh_ss(h);
}

CODERX_KERNEL inline float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

CODERX_KERNEL inline std::int32_t hsum_i32(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_unpackhi_epi64(s, s));
  return _mm_cvtsi128_si32(_mm_add_epi32(s, _mm_shuffle_epi32(s, 1)));
}

CODERX_KERNEL inline __m256i load32(const std::uint8_t* p) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}
CODERX_KERNEL inline __m128i load16(const std::uint8_t* p) {
  return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
}

// 16 bytes of packed nibbles → 32 bytes: element j (low nibble of byte j) in lane j, element
// j+16 (high nibble) in lane j+16 — the legacy 32-block order.
// The 16 bytes are broadcast from memory (a load) and the high half shifted by 4 (one variable
// shift), so the split takes two vector operations.
CODERX_KERNEL inline __m256i nibbles32(const std::uint8_t* p) {
  const __m256i both = _mm256_broadcastsi128_si256(load16(p));
  const __m256i shifted = _mm256_srlv_epi64(both, _mm256_set_epi64x(4, 4, 0, 0));
  return _mm256_and_si256(shifted, _mm256_set1_epi8(15));
}

// 32 bits (little-endian u32 at p) → 32 bytes, 0xFF where bit j is set. The u32 is broadcast
// straight from memory (a load, no transfer from a general register).
CODERX_KERNEL inline __m256i bits32(const std::uint8_t* p) {
  const __m256i word = _mm256_castps_si256(_mm256_broadcast_ss(reinterpret_cast<const float*>(p)));
  const __m256i shuf = _mm256_set_epi64x(0x0303030303030303LL, 0x0202020202020202LL,
                                         0x0101010101010101LL, 0x0000000000000000LL);
  const __m256i bit = _mm256_set1_epi64x(static_cast<long long>(0x8040201008040201ULL));
  return _mm256_cmpeq_epi8(_mm256_and_si256(_mm256_shuffle_epi8(word, shuf), bit), bit);
}

// Σ of adjacent i16 pairs → 8 × i32.
CODERX_KERNEL inline __m256i sum_pairs_i16(__m256i v) {
  return _mm256_madd_epi16(v, _mm256_set1_epi16(1));
}

// unsigned bytes u (0…127 safe range for no i16 saturation with |y| ≤ 127 and u ≤ 127) × signed
// bytes y, summed in groups of 4 → 8 × i32.
CODERX_KERNEL inline __m256i dot_u8_i8(__m256i u, __m256i y) {
#if CODERX_VNNI
  return _mm256_dpbusd_epi32(_mm256_setzero_si256(), u, y);
#else
  return sum_pairs_i16(_mm256_maddubs_epi16(u, y));
#endif
}

// signed × signed bytes (x ≠ −128), summed in groups of 4 → 8 × i32.
CODERX_KERNEL inline __m256i dot_i8_i8(__m256i x, __m256i y) {
  return dot_u8_i8(_mm256_sign_epi8(x, x), _mm256_sign_epi8(y, x));
}

// The matrix-vector kernels issue no software prefetches for their weights: each thread reads
// its rows as one contiguous stream, which the hardware prefetchers follow on their own. On the
// Zen 4 host the prefetches that were here (one per 64 bytes, 1.5 KiB ahead) cost 15-25 % of a
// one-thread product's speed from memory and gained nothing with two threads
// (tools/bench_gemv --mb 1024 --threads 1: Q4_K_R8 73-79 % → 92-96 % of the read bandwidth).

CODERX_KERNEL inline __m256 to_float(__m256i v) {
  return _mm256_cvtepi32_ps(v);
}

// Dword l of the 8 rows' vectors rows[0..7] gathered into out[l] (an 8×8 transpose of dwords).
CODERX_KERNEL inline void transpose_dwords(const __m256i* rows, __m256i* out) {
  __m256i t[8], u[8];
  for (int i = 0; i < 8; i += 2) {
    t[i] = _mm256_unpacklo_epi32(rows[i], rows[i + 1]);
    t[i + 1] = _mm256_unpackhi_epi32(rows[i], rows[i + 1]);
  }
  for (int i = 0; i < 8; i += 4) {
    u[i] = _mm256_unpacklo_epi64(t[i], t[i + 2]);
    u[i + 1] = _mm256_unpackhi_epi64(t[i], t[i + 2]);
    u[i + 2] = _mm256_unpacklo_epi64(t[i + 1], t[i + 3]);
    u[i + 3] = _mm256_unpackhi_epi64(t[i + 1], t[i + 3]);
  }
  for (int l = 0; l < 4; ++l) {
    out[l] = _mm256_permute2x128_si256(u[l], u[l + 4], 0x20);
    out[l + 4] = _mm256_permute2x128_si256(u[l], u[l + 4], 0x31);
  }
}

}  // namespace
}  // namespace coderx::model::quant
