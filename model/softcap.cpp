#include "model/softcap.h"

#include <cmath>

#include "model/ops_cpu_vec.h"
#include "model/vec_exp.h"

#if defined(__x86_64__)
#include <immintrin.h>
#define CODERX_X86 1
#endif

namespace coderx::model {

namespace {

#if CODERX_X86
// tanh|a| for a ≥ 0 (NaN passes through): −m/(2 + m), m = expm1(−2a). Above 9.1, tanh rounds
// to 1 in f32, so a is clamped there (which also maps +inf to 1).
__attribute__((target("avx2,fma"))) __m256 tanh_abs(__m256 a) {
  const __m256 y = _mm256_mul_ps(_mm256_min_ps(_mm256_set1_ps(9.1f), a), _mm256_set1_ps(-2.0f));
  __m256 two_n;
  const __m256 q = vec_exp::expm1_reduced(y, two_n);
  // expm1(y) = 2ⁿ·q + (2ⁿ − 1), exact for n = 0 and free of cancellation for n ≤ −1.
  const __m256 m = _mm256_fmadd_ps(two_n, q, _mm256_sub_ps(two_n, _mm256_set1_ps(1.0f)));
  return _mm256_div_ps(_mm256_sub_ps(_mm256_setzero_ps(), m),
                       _mm256_add_ps(_mm256_set1_ps(2.0f), m));
}

__attribute__((target("avx2,fma"))) __m256 tanh8(__m256 x) {
  const __m256 sign = _mm256_set1_ps(-0.0f);
  return _mm256_or_ps(tanh_abs(_mm256_andnot_ps(sign, x)), _mm256_and_ps(sign, x));
}

__attribute__((target("avx2,fma"))) void tanh_avx2(const float* x, float* y, std::int64_t n) {
  std::int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, tanh8(_mm256_loadu_ps(x + i)));
  if (i < n) {
    float in[8] = {}, out[8];
    for (std::int64_t j = i; j < n; ++j) in[j - i] = x[j];
    _mm256_storeu_ps(out, tanh8(_mm256_loadu_ps(in)));
    for (std::int64_t j = i; j < n; ++j) y[j] = out[j - i];
  }
}

__attribute__((target("avx2,fma"))) void softcap_avx2(float* x, std::int64_t n, float cap) {
  const __m256 c = _mm256_set1_ps(cap);
  std::int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(x + i, _mm256_mul_ps(c, tanh8(_mm256_div_ps(_mm256_loadu_ps(x + i), c))));
  for (; i < n; ++i) {
    float t = x[i] / cap;
    tanh_avx2(&t, &t, 1);
    x[i] = cap * t;
  }
}
#endif

}  // namespace

void tanh_approx(const float* x, float* y, std::int64_t n) {
#if CODERX_X86
  if (vec::has_avx2()) return tanh_avx2(x, y, n);
#endif
  for (std::int64_t i = 0; i < n; ++i) y[i] = std::tanh(x[i]);
}

void softcap(float* x, std::int64_t n, float cap) {
#if CODERX_X86
  if (vec::has_avx2()) return softcap_avx2(x, n, cap);
#endif
  for (std::int64_t i = 0; i < n; ++i) x[i] = cap * std::tanh(x[i] / cap);
}

}  // namespace coderx::model
