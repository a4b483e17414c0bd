// AVX2 activation quantisers (Q8_0, Q8_1, Q8_K): the same bytes as activation_quant.cpp, eight
// lanes at a time. A decode step quantises about 250 activation rows; the scalar loops took
// 12 µs per 2816-wide row, time in which the other threads of a matrix product wait.
// Bit-identical to the reference: the same f32 products; Q8_K's lrint is cvtps2dq (both round in
// the current mode, nearest-even by default); Q8_0's roundf (half away from zero) is rebuilt
// from truncation. Blocks with an infinite or NaN element go to the reference quantiser.
#include <immintrin.h>

#include <cmath>
#include <cstdint>
#include <cstring>

#include "model/quant/block_layout.h"
#include "model/quant/kernel_table.h"

#define CODERX_KERNEL __attribute__((target("avx2,fma,f16c,bmi2")))
#define CODERX_VNNI 0
#include "model/quant/simd_helpers.h"

namespace coderx::model::quant {
namespace {

using namespace layout;

// The reference quantisers, taken from the table before these override it.
QuantFn g_ref_q8_0 = nullptr, g_ref_q8_1 = nullptr, g_ref_q8_k = nullptr;

CODERX_KERNEL inline __m256 abs_ps(__m256 v) {
  return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), v);
}

// max |x[j]| for j < count (a multiple of 8); NaN when any x[j] is NaN (such blocks go to the
// reference, whose casts of NaN this code does not imitate).
CODERX_KERNEL inline float abs_max(const float* x, int count) {
  __m256 m = _mm256_setzero_ps(), nan = _mm256_setzero_ps();
  for (int j = 0; j < count; j += 8) {
    const __m256 v = _mm256_loadu_ps(x + j);
    m = _mm256_max_ps(abs_ps(v), m);
    nan = _mm256_or_ps(nan, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
  }
  if (_mm256_movemask_ps(nan) != 0) return __builtin_nanf("");
  __m128 h = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
  h = _mm_max_ps(h, _mm_movehl_ps(h, h));
  h = _mm_max_ss(h, _mm_movehdup_ps(h));
  return _mm_cvtss_f32(h);
}

CODERX_KERNEL inline bool finite(float v) {
  return v <= 3.4028234663852886e38f;  // false for inf and NaN
}

// Four vectors of 8 i32 (each within ±127) → 32 i8 in element order.
CODERX_KERNEL inline void store_i8x32(__m256i a, __m256i b, __m256i c, __m256i d,
                                      std::uint8_t* dst) {
  const __m256i packed = _mm256_packs_epi16(_mm256_packs_epi32(a, b), _mm256_packs_epi32(c, d));
  const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst), _mm256_permutevar8x32_epi32(packed, order));
}

// Σ of the 32 signed bytes at p, as four sums of 8 (bytes biased by 128 through an unsigned sum
// of absolute differences, the bias taken off again).
CODERX_KERNEL inline __m256i sums_of_8(const std::uint8_t* p) {
  const __m256i biased = _mm256_xor_si256(load32(p), _mm256_set1_epi8(static_cast<char>(0x80)));
  return _mm256_sub_epi64(_mm256_sad_epu8(biased, _mm256_setzero_si256()),
                          _mm256_set1_epi64x(8 * 128));
}

// roundf(v) for |v| < 2^22: nearest, ties away from zero.
CODERX_KERNEL inline __m256 round_half_away(__m256 v) {
  const __m256 t = _mm256_round_ps(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
  const __m256 tie = _mm256_cmp_ps(abs_ps(_mm256_sub_ps(v, t)), _mm256_set1_ps(0.5f), _CMP_EQ_OQ);
  const __m256 away =
      _mm256_add_ps(t, _mm256_or_ps(_mm256_set1_ps(1.0f), _mm256_and_ps(v, _mm256_set1_ps(-0.0f))));
  const __m256 nearest = _mm256_round_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  return _mm256_blendv_ps(nearest, away, tie);
}

// One 32-block of Q8_0 / Q8_1 quants; returns false (nothing written) when max|x| is not finite.
CODERX_KERNEL inline bool quantize_block_q8(const float* x, std::uint8_t* qs, float& d) {
  const float amax = abs_max(x, 32);
  if (!finite(amax)) return false;
  d = amax / 127.0f;
  const __m256 id = _mm256_set1_ps(d != 0.0f ? 1.0f / d : 0.0f);
  __m256i q[4];
  for (int i = 0; i < 4; ++i)
    q[i] = _mm256_cvttps_epi32(round_half_away(_mm256_mul_ps(_mm256_loadu_ps(x + 8 * i), id)));
  store_i8x32(q[0], q[1], q[2], q[3], qs);
  return true;
}

CODERX_KERNEL void quantize_q8_0(const float* x, std::uint8_t* dst, std::int64_t n) {
  for (std::int64_t b = 0; b < n / 32; ++b, x += 32, dst += q8_0::kBytes) {
    float d;
    if (quantize_block_q8(x, dst + q8_0::kQs, d)) {
      store_f16(dst + q8_0::kD, d);
    } else {
      g_ref_q8_0(x, dst, 32);
    }
  }
}

CODERX_KERNEL void quantize_q8_1(const float* x, std::uint8_t* dst, std::int64_t n) {
  for (std::int64_t b = 0; b < n / 32; ++b, x += 32, dst += q8_1::kBytes) {
    float d;
    if (!quantize_block_q8(x, dst + q8_1::kQs, d)) {
      g_ref_q8_1(x, dst, 32);
      continue;
    }
    alignas(32) std::int64_t s[4];
    _mm256_store_si256(reinterpret_cast<__m256i*>(s), sums_of_8(dst + q8_1::kQs));
    store_f16(dst + q8_1::kD, d);
    store_f16(dst + q8_1::kS, d * static_cast<float>(s[0] + s[1] + s[2] + s[3]));
  }
}

CODERX_KERNEL void quantize_block_q8_k(const float* x, std::uint8_t* dst) {
  const float amax = abs_max(x, 256);
  if (!finite(amax) || amax == 0.0f) {
    g_ref_q8_k(x, dst, 256);
    return;
  }
  int first = 0;  // the first element of largest magnitude gives the signed maximum
  while (std::fabs(x[first]) != amax) ++first;
  const __m256 iscale = _mm256_set1_ps(-127.0f / x[first]);
  const __m256i cap = _mm256_set1_epi32(127);
  std::uint8_t* qs = dst + q8_k::kQs;
  for (int j = 0; j < 256; j += 32) {
    __m256i q[4];
    for (int i = 0; i < 4; ++i)
      q[i] = _mm256_min_epi32(
          _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + j + 8 * i), iscale)), cap);
    store_i8x32(q[0], q[1], q[2], q[3], qs + j);
    alignas(32) std::int64_t s[4];
    _mm256_store_si256(reinterpret_cast<__m256i*>(s), sums_of_8(qs + j));
    store_i16(dst + q8_k::kBsums + 2 * (j / 16), static_cast<std::int16_t>(s[0] + s[1]));
    store_i16(dst + q8_k::kBsums + 2 * (j / 16 + 1), static_cast<std::int16_t>(s[2] + s[3]));
  }
  store_f32(dst + q8_k::kD, 1.0f / (-127.0f / x[first]));
}

CODERX_KERNEL void quantize_q8_k(const float* x, std::uint8_t* dst, std::int64_t n) {
  for (std::int64_t b = 0; b < n / 256; ++b)
    quantize_block_q8_k(x + 256 * b, dst + q8_k::kBytes * b);
}

}  // namespace

void add_avx2_activation_quantizers(KernelTable& t) {
  g_ref_q8_0 = t.quantize[slot(Type::Q8_0)];
  g_ref_q8_1 = t.quantize[slot(Type::Q8_1)];
  g_ref_q8_k = t.quantize[slot(Type::Q8_K)];
  t.quantize[slot(Type::Q8_0)] = quantize_q8_0;
  t.quantize[slot(Type::Q8_1)] = quantize_q8_1;
  t.quantize[slot(Type::Q8_K)] = quantize_q8_k;
}

}  // namespace coderx::model::quant
