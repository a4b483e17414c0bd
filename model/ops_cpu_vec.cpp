#include "model/ops_cpu_vec.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "model/quant/half.h"
#include "model/quant/rows.h"
#include "model/vec_exp.h"

#if defined(__x86_64__)
#include <cpuid.h>
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

// Lane j of the 128-bit result is the total of s_j (dot4's reduction).
__attribute__((target("avx2,fma"))) void store_totals4(__m256 s0, __m256 s1, __m256 s2, __m256 s3,
                                                       float* out) {
  const __m256 h = _mm256_hadd_ps(_mm256_hadd_ps(s0, s1), _mm256_hadd_ps(s2, s3));
  _mm_storeu_ps(out, _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1)));
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
  store_totals4(s0, s1, s2, s3, out);
  for (; i < n; ++i)
    for (int j = 0; j < 4; ++j) out[j] += a[i] * b[j][i];
}

// Element i of a half row whose chunks of eight lie `stride` elements apart, as f32.
inline float half_at(const std::uint16_t* x, std::int64_t i, std::int64_t stride) {
  return quant::f16_to_f32(x[i / 8 * stride + i % 8]);
}

// 8 elements of a key or value row as f32: f32 rows as stored, f16 rows converted (exactly).
__attribute__((target("avx2,fma,f16c"))) inline __m256 load8(const float* p) {
  return _mm256_loadu_ps(p);
}
__attribute__((target("avx2,fma,f16c"))) inline __m256 load8(const std::uint16_t* p) {
  return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}
inline float element(const float* p, std::int64_t i) {
  return p[i];
}
inline float element(const std::uint16_t* p, std::int64_t i) {
  return quant::f16_to_f32(p[i]);
}

// Row: float, or std::uint16_t for IEEE half rows converted as they are loaded (exactly, so
// the results equal the f32 kernel's on the converted rows). Chunk c of eight elements of a
// row starts `stride` · c elements after the row's start (8: a plain row; half rows may be
// interleaved, op_args.h KvLayerView; n is then a multiple of 8).
template <class Row>
__attribute__((target("avx2,fma,f16c"))) void dot4x2_avx2(const float* a0, const float* a1,
                                                          const Row* const* b, std::int64_t n,
                                                          float* out0, float* out1,
                                                          std::int64_t stride = 8) {
  __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0, t0 = s0, t1 = s0, t2 = s0, t3 = s0;
  const Row *b0 = b[0], *b1 = b[1], *b2 = b[2], *b3 = b[3];
  std::int64_t i = 0;
  for (std::int64_t at = 0; i + 8 <= n; i += 8, at += stride) {
    const __m256 va = _mm256_loadu_ps(a0 + i), vb = _mm256_loadu_ps(a1 + i);
    const __m256 k0 = load8(b0 + at), k1 = load8(b1 + at);
    s0 = _mm256_fmadd_ps(va, k0, s0);
    t0 = _mm256_fmadd_ps(vb, k0, t0);
    s1 = _mm256_fmadd_ps(va, k1, s1);
    t1 = _mm256_fmadd_ps(vb, k1, t1);
    const __m256 k2 = load8(b2 + at), k3 = load8(b3 + at);
    s2 = _mm256_fmadd_ps(va, k2, s2);
    t2 = _mm256_fmadd_ps(vb, k2, t2);
    s3 = _mm256_fmadd_ps(va, k3, s3);
    t3 = _mm256_fmadd_ps(vb, k3, t3);
  }
  store_totals4(s0, s1, s2, s3, out0);
  store_totals4(t0, t1, t2, t3, out1);
  for (; i < n; ++i)
    for (int j = 0; j < 4; ++j)
      out0[j] += a0[i] * element(b[j], i), out1[j] += a1[i] * element(b[j], i);
}

// One row of dot4x2: the same single multiply-add chain per query and the same reduction
// (store_totals4's lane j), so each result equals dot4x2's for that row bit for bit.
template <class Row>
__attribute__((target("avx2,fma,f16c"))) void dot1x2_avx2(const float* a0, const float* a1,
                                                          const Row* b, std::int64_t n, float* out0,
                                                          float* out1, std::int64_t stride = 8) {
  __m256 s = _mm256_setzero_ps(), t = s;
  std::int64_t i = 0;
  for (std::int64_t at = 0; i + 8 <= n; i += 8, at += stride) {
    const __m256 k = load8(b + at);
    s = _mm256_fmadd_ps(_mm256_loadu_ps(a0 + i), k, s);
    t = _mm256_fmadd_ps(_mm256_loadu_ps(a1 + i), k, t);
  }
  float totals[4];
  const __m256 zero = _mm256_setzero_ps();
  store_totals4(s, t, zero, zero, totals);
  for (; i < n; ++i) totals[0] += a0[i] * element(b, i), totals[1] += a1[i] * element(b, i);
  *out0 = totals[0];
  *out1 = totals[1];
}

template <class Row>
__attribute__((target("avx2,fma,f16c"))) void axpy4x2_avx2(const float* a, const float* c,
                                                           const Row* const* x, float* y0,
                                                           float* y1, std::int64_t n,
                                                           std::int64_t stride = 8) {
  const __m256 a0 = _mm256_set1_ps(a[0]), a1 = _mm256_set1_ps(a[1]), a2 = _mm256_set1_ps(a[2]),
               a3 = _mm256_set1_ps(a[3]);
  const __m256 c0 = _mm256_set1_ps(c[0]), c1 = _mm256_set1_ps(c[1]), c2 = _mm256_set1_ps(c[2]),
               c3 = _mm256_set1_ps(c[3]);
  const Row *x0 = x[0], *x1 = x[1], *x2 = x[2], *x3 = x[3];
  std::int64_t i = 0;
  for (std::int64_t at = 0; i + 8 <= n; i += 8, at += stride) {
    const __m256 v0 = load8(x0 + at), v1 = load8(x1 + at);
    const __m256 v2 = load8(x2 + at), v3 = load8(x3 + at);
    __m256 u = _mm256_fmadd_ps(a0, v0, _mm256_loadu_ps(y0 + i));
    __m256 w = _mm256_fmadd_ps(c0, v0, _mm256_loadu_ps(y1 + i));
    u = _mm256_fmadd_ps(a1, v1, u);
    w = _mm256_fmadd_ps(c1, v1, w);
    u = _mm256_fmadd_ps(a2, v2, u);
    w = _mm256_fmadd_ps(c2, v2, w);
    _mm256_storeu_ps(y0 + i, _mm256_fmadd_ps(a3, v3, u));
    _mm256_storeu_ps(y1 + i, _mm256_fmadd_ps(c3, v3, w));
  }
  for (; i < n; ++i)
    for (int j = 0; j < 4; ++j) y0[i] += a[j] * element(x[j], i), y1[i] += c[j] * element(x[j], i);
}

// axpy4x2 for four outputs with AVX-512VL (its sixteen weights stay in registers): per element
// the four multiply-adds in key order, as axpy4x2 does them. n a multiple of 8.
__attribute__((target("avx2,fma,avx512f,avx512vl"))) void axpy4x4_avx512(const float* const* a,
                                                                         const float* const* x,
                                                                         float* const* y,
                                                                         std::int64_t n) {
  __m256 w[4][4];
  for (int h = 0; h < 4; ++h)
    for (int k = 0; k < 4; ++k) w[h][k] = _mm256_set1_ps(a[h][k]);
  for (std::int64_t i = 0; i < n; i += 8) {
    const __m256 v0 = _mm256_loadu_ps(x[0] + i), v1 = _mm256_loadu_ps(x[1] + i);
    const __m256 v2 = _mm256_loadu_ps(x[2] + i), v3 = _mm256_loadu_ps(x[3] + i);
    // Every output loaded before any is stored: two tokens' outputs lie a multiple of 4 KiB
    // apart, and a load behind a store to such an address waits for it (4K aliasing).
    __m256 u[4];
#pragma GCC unroll 4
    for (int h = 0; h < 4; ++h) u[h] = _mm256_loadu_ps(y[h] + i);
#pragma GCC unroll 4
    for (int h = 0; h < 4; ++h) {
      u[h] = _mm256_fmadd_ps(w[h][0], v0, u[h]);
      u[h] = _mm256_fmadd_ps(w[h][1], v1, u[h]);
      u[h] = _mm256_fmadd_ps(w[h][2], v2, u[h]);
      u[h] = _mm256_fmadd_ps(w[h][3], v3, u[h]);
    }
#pragma GCC unroll 4
    for (int h = 0; h < 4; ++h) _mm256_storeu_ps(y[h] + i, u[h]);
  }
}

// dot4x4 with AVX-512VL: dot4x2's arithmetic for four queries, sixteen chains in flight.
template <class Row>
__attribute__((target("avx2,fma,f16c,avx512f,avx512vl"))) void dot4x4_avx512(const float* const* a,
                                                                             const Row* const* b,
                                                                             std::int64_t n,
                                                                             float* const* out,
                                                                             std::int64_t stride) {
  __m256 s[4][4];
  for (auto& row : s)
    for (__m256& v : row) v = _mm256_setzero_ps();
  const Row *b0 = b[0], *b1 = b[1], *b2 = b[2], *b3 = b[3];
  std::int64_t i = 0;
  for (std::int64_t at = 0; i + 8 <= n; i += 8, at += stride) {
    const __m256 k0 = load8(b0 + at), k1 = load8(b1 + at), k2 = load8(b2 + at), k3 = load8(b3 + at);
#pragma GCC unroll 4
    for (int h = 0; h < 4; ++h) {
      const __m256 q = _mm256_loadu_ps(a[h] + i);
      s[h][0] = _mm256_fmadd_ps(q, k0, s[h][0]);
      s[h][1] = _mm256_fmadd_ps(q, k1, s[h][1]);
      s[h][2] = _mm256_fmadd_ps(q, k2, s[h][2]);
      s[h][3] = _mm256_fmadd_ps(q, k3, s[h][3]);
    }
  }
  for (int h = 0; h < 4; ++h) {
    store_totals4(s[h][0], s[h][1], s[h][2], s[h][3], out[h]);
    for (std::int64_t t = i; t < n; ++t)
      for (int j = 0; j < 4; ++j) out[h][j] += a[h][t] * element(b[j], t);
  }
}

// C chunks of eight elements of y, starting at element i (stored from x's chunk offset `at`),
// for heads [0, G) of axpy_heads: the G·C sums stay in registers while the keys are walked in
// order.
template <int G, int C>
__attribute__((target("avx2,fma,f16c"), always_inline)) inline void axpy_heads_chunks(
    const float* const* p, const std::uint16_t* const* x, std::int64_t n_keys, float* const* y,
    std::int64_t i, std::int64_t at, std::int64_t stride) {
  __m256 acc[G][C];
#pragma GCC unroll 8
  for (int h = 0; h < G; ++h)
#pragma GCC unroll 4
    for (int c = 0; c < C; ++c) acc[h][c] = _mm256_loadu_ps(y[h] + i + 8 * c);
  for (std::int64_t k = 0; k < n_keys; ++k) {
    __m256 v[C];
#pragma GCC unroll 4
    for (int c = 0; c < C; ++c) v[c] = load8(x[k] + at + stride * c);
#pragma GCC unroll 8
    for (int h = 0; h < G; ++h) {
      const __m256 w = _mm256_broadcast_ss(p[h] + k);
#pragma GCC unroll 4
      for (int c = 0; c < C; ++c) acc[h][c] = _mm256_fmadd_ps(w, v[c], acc[h][c]);
    }
  }
#pragma GCC unroll 8
  for (int h = 0; h < G; ++h)
#pragma GCC unroll 4
    for (int c = 0; c < C; ++c) _mm256_storeu_ps(y[h] + i + 8 * c, acc[h][c]);
}

// The whole chunks of y for heads [0, G): C at a time (G·C chains cover the multiply-add's
// latency), then one at a time. Returns the elements done. Inlined into the two entry points
// below, each compiled for its own instruction set.
template <int G, int C>
__attribute__((target("avx2,fma,f16c"), always_inline)) inline std::int64_t axpy_heads_whole_chunks(
    const float* const* p, const std::uint16_t* const* x, std::int64_t n_keys, float* const* y,
    std::int64_t n, std::int64_t stride) {
  std::int64_t i = 0, at = 0;
  for (; i + 8 * C <= n; i += 8 * C, at += stride * C)
    axpy_heads_chunks<G, C>(p, x, n_keys, y, i, at, stride);
  for (; i + 8 <= n; i += 8, at += stride) axpy_heads_chunks<G, 1>(p, x, n_keys, y, i, at, stride);
  return i;
}

template <int G, int C>
__attribute__((target("avx2,fma,f16c"))) std::int64_t axpy_heads_avx2(
    const float* const* p, const std::uint16_t* const* x, std::int64_t n_keys, float* const* y,
    std::int64_t n, std::int64_t stride) {
  return axpy_heads_whole_chunks<G, C>(p, x, n_keys, y, n, stride);
}

// AVX-512VL: 32 registers, so twice the chunks in flight.
template <int G, int C>
__attribute__((target("avx2,fma,f16c,avx512f,avx512vl"))) std::int64_t axpy_heads_avx512(
    const float* const* p, const std::uint16_t* const* x, std::int64_t n_keys, float* const* y,
    std::int64_t n, std::int64_t stride) {
  return axpy_heads_whole_chunks<G, C>(p, x, n_keys, y, n, stride);
}

using AxpyHeadsKernel = std::int64_t (*)(const float* const*, const std::uint16_t* const*,
                                         std::int64_t, float* const*, std::int64_t, std::int64_t);

// The kernel for g heads (1 … 8): about 8 sums in flight with AVX2's 16 registers, 16 with
// AVX-512VL's 32.
AxpyHeadsKernel axpy_heads_kernel(std::int64_t g, bool avx512) {
  static constexpr AxpyHeadsKernel avx2[8] = {
      axpy_heads_avx2<1, 4>, axpy_heads_avx2<2, 4>, axpy_heads_avx2<3, 2>, axpy_heads_avx2<4, 2>,
      axpy_heads_avx2<5, 1>, axpy_heads_avx2<6, 1>, axpy_heads_avx2<7, 1>, axpy_heads_avx2<8, 1>};
  static constexpr AxpyHeadsKernel wide[8] = {axpy_heads_avx512<1, 4>, axpy_heads_avx512<2, 4>,
                                              axpy_heads_avx512<3, 4>, axpy_heads_avx512<4, 4>,
                                              axpy_heads_avx512<5, 2>, axpy_heads_avx512<6, 2>,
                                              axpy_heads_avx512<7, 2>, axpy_heads_avx512<8, 2>};
  return (avx512 ? wide : avx2)[g - 1];
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
  for (; i < n; ++i)
    for (int j = 0; j < 4; ++j) y[i] += a[j] * x[j][i];
}

__attribute__((target("avx2,fma"))) __m256 exp8(__m256 y) {
  const __m256 lo = _mm256_set1_ps(-87.3f);
  __m256 two_n;
  const __m256 q = vec_exp::expm1_reduced(_mm256_max_ps(lo, y), two_n);  // NaN stays NaN
  return _mm256_andnot_ps(_mm256_cmp_ps(y, lo, _CMP_LT_OQ), _mm256_fmadd_ps(two_n, q, two_n));
}

inline float gelu_lookup(const float* table, float x) {
  if (x <= -10.0f) return 0.0f;
  if (x >= 10.0f) return x;
  return table[quant::f32_to_f16(x)];
}

// In blocks of 128: the halves (the table indices) first, with a prefetch of each one's table
// line, then the gathers. The 256 KiB table is cold after every weight stream, and the
// prefetches overlap its misses where the gathers alone waited on them in turn.
__attribute__((target("avx2,fma,f16c"))) void geglu_table_avx2(const float* table, const float* g,
                                                               const float* u, float* y,
                                                               std::int64_t n) {
  constexpr std::int64_t kBlock = 128;
  const __m256 low = _mm256_set1_ps(-10.0f), high = _mm256_set1_ps(10.0f);
  alignas(32) std::uint16_t index[kBlock];
  std::int64_t i = 0;
  while (i + 8 <= n) {
    const std::int64_t m = std::min(kBlock, (n - i) / 8 * 8);
    for (std::int64_t j = 0; j < m; j += 8)
      _mm_store_si128(reinterpret_cast<__m128i*>(index + j),
                      _mm256_cvtps_ph(_mm256_loadu_ps(g + i + j),
                                      _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    for (std::int64_t j = 0; j < m; ++j)
      _mm_prefetch(reinterpret_cast<const char*>(table + index[j]), _MM_HINT_T0);
    for (std::int64_t j = 0; j < m; j += 8, i += 8) {
      const __m256 x = _mm256_loadu_ps(g + i);
      const __m128i half = _mm_load_si128(reinterpret_cast<const __m128i*>(index + j));
      __m256 t = _mm256_i32gather_ps(table, _mm256_cvtepu16_epi32(half), 4);
      t = _mm256_blendv_ps(t, _mm256_setzero_ps(), _mm256_cmp_ps(x, low, _CMP_LE_OQ));
      t = _mm256_blendv_ps(t, x, _mm256_cmp_ps(x, high, _CMP_GE_OQ));
      _mm256_storeu_ps(y + i, _mm256_mul_ps(t, _mm256_loadu_ps(u + i)));
    }
  }
  for (; i < n; ++i) y[i] = gelu_lookup(table, g[i]) * u[i];
}

__attribute__((target("avx2,fma"))) double exp_shifted_avx2(float* s, std::int64_t n, float shift) {
  const __m256 sh = _mm256_set1_ps(shift);
  __m256d t0 = _mm256_setzero_pd(), t1 = _mm256_setzero_pd();
  std::int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 e = exp8(_mm256_sub_ps(_mm256_loadu_ps(s + i), sh));
    _mm256_storeu_ps(s + i, e);
    t0 = _mm256_add_pd(t0, _mm256_cvtps_pd(_mm256_castps256_ps128(e)));
    t1 = _mm256_add_pd(t1, _mm256_cvtps_pd(_mm256_extractf128_ps(e, 1)));
  }
  alignas(32) double lanes[4];
  _mm256_store_pd(lanes, _mm256_add_pd(t0, t1));
  double total = lanes[0] + lanes[1] + lanes[2] + lanes[3];
  if (i < n) {  // the tail through the same lanes, padded with the shift (whose exponent is 1)
    alignas(32) float tail[8];
    for (int j = 0; j < 8; ++j) tail[j] = i + j < n ? s[i + j] : shift;
    _mm256_store_ps(tail, exp8(_mm256_sub_ps(_mm256_load_ps(tail), sh)));
    for (std::int64_t j = i; j < n; ++j) total += (s[j] = tail[j - i]);
  }
  return total;
}

// Chunk c of eight halves at x + stride·c (stride 8: a plain row).
__attribute__((target("avx2,fma,f16c"))) void f16_to_f32_avx2(const std::uint16_t* x, float* y,
                                                              std::int64_t n,
                                                              std::int64_t stride = 8) {
  std::int64_t i = 0;
  for (std::int64_t at = 0; i + 8 <= n; i += 8, at += stride)
    _mm256_storeu_ps(y + i,
                     _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x + at))));
  for (; i < n; ++i) y[i] = half_at(x, i, stride);
}

__attribute__((target("avx2,fma,f16c"))) void f32_to_f16_avx2(const float* x, std::uint16_t* y,
                                                              std::int64_t n) {
  std::int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm_storeu_si128(
        reinterpret_cast<__m128i*>(y + i),
        _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
  for (; i < n; ++i) y[i] = quant::f32_to_f16(x[i]);
}

// The largest of x[0..n) (n ≥ 1) in four chains of eight lanes: a maximum is exact, so any order
// gives the same value for numbers (a zero's sign aside, which exp(s − max) does not see).
__attribute__((target("avx2,fma"))) float max_value_avx2(const float* x, std::int64_t n) {
  std::int64_t i = 0;
  float m = x[0];
  if (n >= 32) {
    __m256 m0 = _mm256_loadu_ps(x), m1 = m0, m2 = m0, m3 = m0;
    for (; i + 32 <= n; i += 32) {
      m0 = _mm256_max_ps(m0, _mm256_loadu_ps(x + i));
      m1 = _mm256_max_ps(m1, _mm256_loadu_ps(x + i + 8));
      m2 = _mm256_max_ps(m2, _mm256_loadu_ps(x + i + 16));
      m3 = _mm256_max_ps(m3, _mm256_loadu_ps(x + i + 24));
    }
    alignas(32) float lanes[8];
    _mm256_store_ps(lanes, _mm256_max_ps(_mm256_max_ps(m0, m1), _mm256_max_ps(m2, m3)));
    for (const float v : lanes) m = std::max(m, v);
  }
  for (; i < n; ++i) m = std::max(m, x[i]);
  return m;
}

__attribute__((target("avx2,fma"))) std::int64_t first_index_of_avx2(const float* x, std::int64_t n,
                                                                     float value) {
  const __m256 v = _mm256_set1_ps(value);
  std::int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m256 e0 = _mm256_cmp_ps(_mm256_loadu_ps(x + i), v, _CMP_EQ_OQ);
    const __m256 e1 = _mm256_cmp_ps(_mm256_loadu_ps(x + i + 8), v, _CMP_EQ_OQ);
    const __m256 e2 = _mm256_cmp_ps(_mm256_loadu_ps(x + i + 16), v, _CMP_EQ_OQ);
    const __m256 e3 = _mm256_cmp_ps(_mm256_loadu_ps(x + i + 24), v, _CMP_EQ_OQ);
    const __m256 any = _mm256_or_ps(_mm256_or_ps(e0, e1), _mm256_or_ps(e2, e3));
    if (!_mm256_testz_ps(any, any)) break;  // found within these 32: the scalar tail finds it
  }
  for (; i < n; ++i)
    if (x[i] == value) return i;
  return n;
}

// Squares of f32 are exact in f64, so only the order of the f64 additions varies with the
// lanes: four accumulators of four, so the adds' latency does not bound a norm's 2,816 elements.
__attribute__((target("avx2,fma"))) double sum_squares_avx2(const float* x, std::int64_t n) {
  __m256d s0 = _mm256_setzero_pd(), s1 = s0, s2 = s0, s3 = s0;
  std::int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256d a = _mm256_cvtps_pd(_mm_loadu_ps(x + i)),
                  b = _mm256_cvtps_pd(_mm_loadu_ps(x + i + 4));
    const __m256d c = _mm256_cvtps_pd(_mm_loadu_ps(x + i + 8)),
                  d = _mm256_cvtps_pd(_mm_loadu_ps(x + i + 12));
    s0 = _mm256_fmadd_pd(a, a, s0);
    s1 = _mm256_fmadd_pd(b, b, s1);
    s2 = _mm256_fmadd_pd(c, c, s2);
    s3 = _mm256_fmadd_pd(d, d, s3);
  }
  for (; i + 4 <= n; i += 4) {
    const __m256d a = _mm256_cvtps_pd(_mm_loadu_ps(x + i));
    s0 = _mm256_fmadd_pd(a, a, s0);
  }
  alignas(32) double lanes[4];
  _mm256_store_pd(lanes, _mm256_add_pd(_mm256_add_pd(s0, s1), _mm256_add_pd(s2, s3)));
  double s = lanes[0] + lanes[1] + lanes[2] + lanes[3];
  for (; i < n; ++i) s += static_cast<double>(x[i]) * x[i];
  return s;
}

// mul, scale, scale_mul and rotate_pairs: AVX2 without FMA, so the products are rounded as in
// the scalar loops.
__attribute__((target("avx2"))) void mul_avx2(const float* x, const float* w, float* y, std::int64_t n) {
  std::int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(y + i, _mm256_mul_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(w + i)));
  for (; i < n; ++i) y[i] = x[i] * w[i];
}

__attribute__((target("avx2"))) void scale_avx2(const float* x, float s, float* y, std::int64_t n) {
  const __m256 vs = _mm256_set1_ps(s);
  std::int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_mul_ps(_mm256_loadu_ps(x + i), vs));
  for (; i < n; ++i) y[i] = x[i] * s;
}

__attribute__((target("avx2"))) void scale_mul_avx2(const float* x, float s, const float* w,
                                                    float* y, std::int64_t n) {
  const __m256 vs = _mm256_set1_ps(s);
  std::int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(
        y + i, _mm256_mul_ps(_mm256_mul_ps(_mm256_loadu_ps(x + i), vs), _mm256_loadu_ps(w + i)));
  for (; i < n; ++i) y[i] = (x[i] * s) * w[i];
}

__attribute__((target("avx2,fma,f16c"))) void half_mul_avx2(const std::uint16_t* x,
                                                            std::int64_t stride, const float* w,
                                                            float* y, std::int64_t n) {
  std::int64_t i = 0;
  for (std::int64_t at = 0; i + 8 <= n; i += 8, at += stride)
    _mm256_storeu_ps(y + i, _mm256_mul_ps(load8(x + at), _mm256_loadu_ps(w + i)));
  for (; i < n; ++i) y[i] = half_at(x, i, stride) * w[i];
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
  // F16C (leaf 1, ECX bit 29) through cpuid: clang's __builtin_cpu_supports has no "f16c".
  static const bool yes = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && [] {
    unsigned a = 0, b = 0, c = 0, d = 0;
    return __get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 29)) != 0;
  }();
  return yes;
#else
  return false;
#endif
}

bool has_avx512vl() {
#if CODERX_X86
  static const bool cpu =
      has_avx2() && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl");
  return cpu && quant::current_simd_level() == quant::SimdLevel::Avx512;
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
  for (int j = 0; j < 4; ++j)
    for (std::int64_t i = 0; i < n; ++i) y[i] += a[j] * x[j][i];
}

void dot4x2(const float* a0, const float* a1, const float* const* b, std::int64_t n, float* out0,
            float* out1) {
#if CODERX_X86
  if (has_avx2()) return dot4x2_avx2(a0, a1, b, n, out0, out1);
#endif
  dot4(a0, b, n, out0);
  dot4(a1, b, n, out1);
}

void axpy4x2(const float* a0, const float* a1, const float* const* x, float* y0, float* y1,
             std::int64_t n) {
#if CODERX_X86
  if (has_avx2()) return axpy4x2_avx2(a0, a1, x, y0, y1, n);
#endif
  axpy4(a0, x, y0, n);
  axpy4(a1, x, y1, n);
}

namespace {
// Four half rows converted into this thread's buffer (the portable path of the f16 kernels).
const float* const* half_rows_as_f32(const std::uint16_t* const* x, std::int64_t n,
                                     std::int64_t stride) {
  thread_local std::vector<float> buffer;
  thread_local const float* rows[4];
  buffer.resize(static_cast<std::size_t>(4 * n));
  for (int j = 0; j < 4; ++j) {
    f16_chunks_to_f32(x[j], stride, buffer.data() + j * n, n);
    rows[j] = buffer.data() + j * n;
  }
  return rows;
}
}  // namespace

void dot4x2(const float* a0, const float* a1, const std::uint16_t* const* b, std::int64_t n,
            float* out0, float* out1, std::int64_t chunk_stride) {
#if CODERX_X86
  if (has_avx2()) return dot4x2_avx2(a0, a1, b, n, out0, out1, chunk_stride);
#endif
  dot4x2(a0, a1, half_rows_as_f32(b, n, chunk_stride), n, out0, out1);
}

void axpy4x2(const float* a0, const float* a1, const std::uint16_t* const* x, float* y0, float* y1,
             std::int64_t n, std::int64_t chunk_stride) {
#if CODERX_X86
  if (has_avx2()) return axpy4x2_avx2(a0, a1, x, y0, y1, n, chunk_stride);
#endif
  axpy4x2(a0, a1, half_rows_as_f32(x, n, chunk_stride), y0, y1, n);
}

void axpy4x4(const float* const* a, const float* const* x, float* const* y, std::int64_t n) {
#if CODERX_X86
  if (has_avx512vl() && n % 8 == 0) return axpy4x4_avx512(a, x, y, n);
#endif
  axpy4x2(a[0], a[1], x, y[0], y[1], n);
  axpy4x2(a[2], a[3], x, y[2], y[3], n);
}

void dot4x4(const float* const* a, const float* const* b, std::int64_t n, float* const* out) {
#if CODERX_X86
  if (has_avx512vl()) return dot4x4_avx512(a, b, n, out, 8);
#endif
  dot4x2(a[0], a[1], b, n, out[0], out[1]);
  dot4x2(a[2], a[3], b, n, out[2], out[3]);
}

void dot4x4(const float* const* a, const std::uint16_t* const* b, std::int64_t n, float* const* out,
            std::int64_t chunk_stride) {
#if CODERX_X86
  if (has_avx512vl()) return dot4x4_avx512(a, b, n, out, chunk_stride);
#endif
  dot4x2(a[0], a[1], b, n, out[0], out[1], chunk_stride);
  dot4x2(a[2], a[3], b, n, out[2], out[3], chunk_stride);
}

void axpy_heads(const float* const* p, std::int64_t n_heads, const std::uint16_t* const* x,
                std::int64_t n_keys, float* const* y, std::int64_t n, std::int64_t chunk_stride) {
  std::int64_t done = 0;  // elements of each y the vector kernels covered
#if CODERX_X86
  if (has_avx2())
    for (std::int64_t h = 0; h < n_heads; h += 8)
      done = axpy_heads_kernel(std::min<std::int64_t>(8, n_heads - h), has_avx512vl())(
          p + h, x, n_keys, y + h, n, chunk_stride);
#endif
  // The rest (all of it without AVX2) through axpy, key by key.
  for (std::int64_t k = 0; k < n_keys && done < n; ++k) {
    const float* row = half_row_as_f32(x[k], n, chunk_stride);
    for (std::int64_t h = 0; h < n_heads; ++h) axpy(p[h][k], row + done, y[h] + done, n - done);
  }
}

void dot1x2(const float* a0, const float* a1, const float* b, std::int64_t n, float* out0,
            float* out1) {
#if CODERX_X86
  if (has_avx2()) return dot1x2_avx2(a0, a1, b, n, out0, out1);
#endif
  *out0 = dot_scalar(a0, b, n);
  *out1 = dot_scalar(a1, b, n);
}

void dot1x2(const float* a0, const float* a1, const std::uint16_t* b, std::int64_t n, float* out0,
            float* out1, std::int64_t chunk_stride) {
#if CODERX_X86
  if (has_avx2()) return dot1x2_avx2(a0, a1, b, n, out0, out1, chunk_stride);
#endif
  dot1x2(a0, a1, half_row_as_f32(b, n, chunk_stride), n, out0, out1);
}

void f16_chunks_to_f32(const std::uint16_t* x, std::int64_t chunk_stride, float* y,
                       std::int64_t n) {
#if CODERX_X86
  if (has_avx2()) return f16_to_f32_avx2(x, y, n, chunk_stride);
#endif
  for (std::int64_t i = 0; i < n; ++i) y[i] = half_at(x, i, chunk_stride);
}

void f16_to_f32(const std::uint16_t* x, float* y, std::int64_t n) {
#if CODERX_X86
  if (has_avx2()) return f16_to_f32_avx2(x, y, n);
#endif
  for (std::int64_t i = 0; i < n; ++i) y[i] = quant::f16_to_f32(x[i]);
}

void f32_to_f16(const float* x, std::uint16_t* y, std::int64_t n) {
#if CODERX_X86
  if (has_avx2()) return f32_to_f16_avx2(x, y, n);
#endif
  for (std::int64_t i = 0; i < n; ++i) y[i] = quant::f32_to_f16(x[i]);
}

const float* half_row_as_f32(const std::uint16_t* x, std::int64_t n, std::int64_t chunk_stride) {
  thread_local std::vector<float> row;
  row.resize(static_cast<std::size_t>(n));
  f16_chunks_to_f32(x, chunk_stride, row.data(), n);
  return row.data();
}

void geglu_table(const float* table, const float* g, const float* u, float* y, std::int64_t n) {
#if CODERX_X86
  if (has_avx2()) return geglu_table_avx2(table, g, u, y, n);
#endif
  for (std::int64_t i = 0; i < n; ++i) y[i] = gelu_lookup(table, g[i]) * u[i];
}

double exp_shifted(float* s, std::int64_t n, float shift) {
#if CODERX_X86
  if (has_avx2()) return exp_shifted_avx2(s, n, shift);
#endif
  double total = 0;
  for (std::int64_t j = 0; j < n; ++j) total += (s[j] = std::exp(s[j] - shift));
  return total;
}

float max_value(const float* x, std::int64_t n) {
#if CODERX_X86
  if (has_avx2()) return max_value_avx2(x, n);
#endif
  return *std::max_element(x, x + n);
}

std::int64_t first_index_of(const float* x, std::int64_t n, float value) {
#if CODERX_X86
  if (has_avx2()) return first_index_of_avx2(x, n, value);
#endif
  return std::find(x, x + n, value) - x;
}

double sum_squares(const float* x, std::int64_t n) {
#if CODERX_X86
  if (has_avx2()) return sum_squares_avx2(x, n);
#endif
  return sum_squares_scalar(x, n);
}

void scale(const float* x, float s, float* y, std::int64_t n) {
#if CODERX_X86
  if (has_avx2()) return scale_avx2(x, s, y, n);
#endif
  for (std::int64_t i = 0; i < n; ++i) y[i] = x[i] * s;
}

void scale_mul(const float* x, float s, const float* w, float* y, std::int64_t n) {
#if CODERX_X86
  if (has_avx2()) return scale_mul_avx2(x, s, w, y, n);
#endif
  for (std::int64_t i = 0; i < n; ++i) y[i] = (x[i] * s) * w[i];
}

void mul(const float* x, const float* w, float* y, std::int64_t n) {
#if CODERX_X86
  if (has_avx2()) return mul_avx2(x, w, y, n);
#endif
  for (std::int64_t i = 0; i < n; ++i) y[i] = x[i] * w[i];
}

void half_mul(const std::uint16_t* x, std::int64_t chunk_stride, const float* w, float* y,
              std::int64_t n) {
#if CODERX_X86
  if (has_avx2()) return half_mul_avx2(x, chunk_stride, w, y, n);
#endif
  for (std::int64_t i = 0; i < n; ++i) y[i] = half_at(x, i, chunk_stride) * w[i];
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
