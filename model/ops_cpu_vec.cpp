#include "model/ops_cpu_vec.h"

#if defined(__x86_64__)
#include <immintrin.h>
#define CODERX_X86 1
#endif

namespace coderx::model::vec {

namespace {

float dot_scalar(const float* a, const float* b, std::int64_t n) {
  float acc[8] = {};
  std::int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int l = 0; l < 8; ++l) acc[l] += a[i + l] * b[i + l];
  float s = 0;
  for (; i < n; ++i) s += a[i] * b[i];
  for (float v : acc) s += v;
  return s;
}

double sum_squares_scalar(const float* x, std::int64_t n) {
  double s = 0;
  for (std::int64_t i = 0; i < n; ++i) s += static_cast<double>(x[i]) * x[i];
  return s;
}

#if CODERX_X86
__attribute__((target("avx2,fma"))) float hsum(__m256 v) {
  __m128 lo = _mm256_castps256_ps128(v), hi = _mm256_extractf128_ps(v, 1);
  lo = _mm_add_ps(lo, hi);
  lo = _mm_hadd_ps(lo, lo);
  lo = _mm_hadd_ps(lo, lo);
  return _mm_cvtss_f32(lo);
}

__attribute__((target("avx2,fma"))) float dot_avx2(const float* a, const float* b, std::int64_t n) {
  __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps(), s2 = _mm256_setzero_ps(),
         s3 = _mm256_setzero_ps();
  std::int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
    s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
    s2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16), s2);
    s3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24), s3);
  }
  for (; i + 8 <= n; i += 8) s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
  float s = hsum(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
  for (; i < n; ++i) s += a[i] * b[i];
  return s;
}

__attribute__((target("avx2,fma"))) void axpy_avx2(float a, const float* x, float* y, std::int64_t n) {
  const __m256 va = _mm256_set1_ps(a);
  std::int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(y + i, _mm256_fmadd_ps(va, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
  for (; i < n; ++i) y[i] += a * x[i];
}

__attribute__((target("avx2,fma"))) void dot4_avx2(const float* a, const float* const* b, std::int64_t n,
                                                float* out) {
  // Four named accumulators: as an indexed array gcc kept them in memory, putting a store and a
  // reload on every multiply-add's dependency chain (five times slower).
  __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
  const float *b0 = b[0], *b1 = b[1], *b2 = b[2], *b3 = b[3];
  std::int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 va = _mm256_loadu_ps(a + i);
    s0 = _mm256_fmadd_ps(va, _mm256_loadu_ps(b0 + i), s0);
    s1 = _mm256_fmadd_ps(va, _mm256_loadu_ps(b1 + i), s1);
    s2 = _mm256_fmadd_ps(va, _mm256_loadu_ps(b2 + i), s2);
    s3 = _mm256_fmadd_ps(va, _mm256_loadu_ps(b3 + i), s3);
  }
  // Lane j of the 128-bit result is the total of s_j.
  const __m256 h = _mm256_hadd_ps(_mm256_hadd_ps(s0, s1), _mm256_hadd_ps(s2, s3));
  _mm_storeu_ps(out, _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1)));
  for (; i < n; ++i)
    for (int j = 0; j < 4; ++j) out[j] += a[i] * b[j][i];
}

__attribute__((target("avx2,fma"))) void axpy4_avx2(const float* a, const float* const* x, float* y,
                                                 std::int64_t n) {
  const __m256 a0 = _mm256_set1_ps(a[0]), a1 = _mm256_set1_ps(a[1]), a2 = _mm256_set1_ps(a[2]),
               a3 = _mm256_set1_ps(a[3]);
  // The row pointers in locals: read through x inside the loop, gcc reloads them after every
  // store to y (which might alias them).
  const float *x0 = x[0], *x1 = x[1], *x2 = x[2], *x3 = x[3];
  std::int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 v = _mm256_fmadd_ps(a0, _mm256_loadu_ps(x0 + i), _mm256_loadu_ps(y + i));
    v = _mm256_fmadd_ps(a1, _mm256_loadu_ps(x1 + i), v);
    v = _mm256_fmadd_ps(a2, _mm256_loadu_ps(x2 + i), v);
    _mm256_storeu_ps(y + i, _mm256_fmadd_ps(a3, _mm256_loadu_ps(x3 + i), v));
  }
  for (; i < n; ++i) y[i] += a[0] * x[0][i] + a[1] * x[1][i] + a[2] * x[2][i] + a[3] * x[3][i];
}

__attribute__((target("avx2,fma"))) double sum_squares_avx2(const float* x, std::int64_t n) {
  __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd();
  std::int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 v = _mm256_loadu_ps(x + i);
    __m256d lo = _mm256_cvtps_pd(_mm256_castps256_ps128(v));
    __m256d hi = _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1));
    s0 = _mm256_fmadd_pd(lo, lo, s0);
    s1 = _mm256_fmadd_pd(hi, hi, s1);
  }
  alignas(32) double lanes[4];
  _mm256_store_pd(lanes, _mm256_add_pd(s0, s1));
  double s = lanes[0] + lanes[1] + lanes[2] + lanes[3];
  for (; i < n; ++i) s += static_cast<double>(x[i]) * x[i];
  return s;
}

// mul and rotate_pairs: AVX2 without FMA, so the products are rounded as in the scalar loops.
__attribute__((target("avx2"))) void mul_avx2(const float* x, const float* w, float* y, std::int64_t n) {
  std::int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(y + i, _mm256_mul_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(w + i)));
  for (; i < n; ++i) y[i] = x[i] * w[i];
}

__attribute__((target("avx2"))) void rotate_pairs_avx2(float* v, std::int64_t half, const float* c,
                                                       const float* s, std::int64_t n) {
  std::int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 a = _mm256_loadu_ps(v + i), b = _mm256_loadu_ps(v + i + half);
    const __m256 vc = _mm256_loadu_ps(c + i), vs = _mm256_loadu_ps(s + i);
    _mm256_storeu_ps(v + i, _mm256_sub_ps(_mm256_mul_ps(a, vc), _mm256_mul_ps(b, vs)));
    _mm256_storeu_ps(v + i + half, _mm256_add_ps(_mm256_mul_ps(a, vs), _mm256_mul_ps(b, vc)));
  }
  for (; i < n; ++i) {
    const float a = v[i], b = v[i + half];
    v[i] = a * c[i] - b * s[i];
    v[i + half] = a * s[i] + b * c[i];
  }
}
#endif

}  // namespace

bool has_avx2() {
#if CODERX_X86
  static const bool yes = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return yes;
#else
  return false;
#endif
}

float dot(const float* a, const float* b, std::int64_t n) {
#if CODERX_X86
  if (has_avx2()) return dot_avx2(a, b, n);
#endif
  return dot_scalar(a, b, n);
}

void axpy(float a, const float* x, float* y, std::int64_t n) {
#if CODERX_X86
  if (has_avx2()) return axpy_avx2(a, x, y, n);
#endif
  for (std::int64_t i = 0; i < n; ++i) y[i] += a * x[i];
}

void dot4(const float* a, const float* const* b, std::int64_t n, float* out) {
#if CODERX_X86
  if (has_avx2()) return dot4_avx2(a, b, n, out);
#endif
  for (int j = 0; j < 4; ++j) out[j] = dot_scalar(a, b[j], n);
}

void axpy4(const float* a, const float* const* x, float* y, std::int64_t n) {
#if CODERX_X86
  if (has_avx2()) return axpy4_avx2(a, x, y, n);
#endif
  for (std::int64_t i = 0; i < n; ++i) y[i] += a[0] * x[0][i] + a[1] * x[1][i] + a[2] * x[2][i] + a[3] * x[3][i];
}

double sum_squares(const float* x, std::int64_t n) {
#if CODERX_X86
  if (has_avx2()) return sum_squares_avx2(x, n);
#endif
  return sum_squares_scalar(x, n);
}

void scale(const float* x, float s, float* y, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) y[i] = x[i] * s;
}

void scale_mul(const float* x, float s, const float* w, float* y, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) y[i] = (x[i] * s) * w[i];
}

void mul(const float* x, const float* w, float* y, std::int64_t n) {
#if CODERX_X86
  if (has_avx2()) return mul_avx2(x, w, y, n);
#endif
  for (std::int64_t i = 0; i < n; ++i) y[i] = x[i] * w[i];
}

void rotate_pairs(float* v, std::int64_t half, const float* c, const float* s, std::int64_t n) {
#if CODERX_X86
  if (has_avx2()) return rotate_pairs_avx2(v, half, c, s, n);
#endif
  for (std::int64_t i = 0; i < n; ++i) {
    const float a = v[i], b = v[i + half];
    v[i] = a * c[i] - b * s[i];
    v[i + half] = a * s[i] + b * c[i];
  }
}

}  // namespace coderx::model::vec
