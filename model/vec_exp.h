// The exponential core shared by the vector tanh (softcap.cpp) and the vector softmax
// (ops_cpu_vec.cpp), AVX2+FMA: y = n·ln2 + r with |r| ≤ ln2/2 (Cody-Waite, ln2 split so that
// n·ln2_hi is exact), then expm1(r) from its degree-8 Taylor polynomial (truncation below 2e-10
// relative). Callers keep y within [−87.3, 88] so that 2ⁿ is a normal float. Internal to model/.
#pragma once

#if defined(__x86_64__)
#include <immintrin.h>

namespace coderx::model::vec_exp {

// Returns q = expm1(r) and sets two_n = 2ⁿ, so that exp(y) = two_n·(1 + q).
__attribute__((target("avx2,fma"))) inline __m256 expm1_reduced(__m256 y, __m256& two_n) {
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(y, _mm256_set1_ps(1.44269504088896341f)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), y);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
  __m256 q = _mm256_set1_ps(1.0f / 40320);
  q = _mm256_fmadd_ps(q, r, _mm256_set1_ps(1.0f / 5040));
  q = _mm256_fmadd_ps(q, r, _mm256_set1_ps(1.0f / 720));
  q = _mm256_fmadd_ps(q, r, _mm256_set1_ps(1.0f / 120));
  q = _mm256_fmadd_ps(q, r, _mm256_set1_ps(1.0f / 24));
  q = _mm256_fmadd_ps(q, r, _mm256_set1_ps(1.0f / 6));
  q = _mm256_fmadd_ps(q, r, _mm256_set1_ps(0.5f));
  q = _mm256_fmadd_ps(q, r, _mm256_set1_ps(1.0f));
  two_n = _mm256_castsi256_ps(
      _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23));
  return _mm256_mul_ps(q, r);
}

}  // namespace coderx::model::vec_exp
#endif
