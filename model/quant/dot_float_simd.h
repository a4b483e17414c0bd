// Textual template: included once per SIMD level (dot_avx2.cpp, dot_avx512.cpp) after
// simd_helpers.h, with CODERX_KERNEL / CODERX_VNNI defined there; no include guard.
// Dot products for float weights with float activations of the same type (F32, F16,
// BF16): f32 products accumulated in four 8-lane f32 accumulators (the reference sums in
// double; the difference is f32 summation error only).
#include "model/quant/block_layout.h"
#include "model/quant/kernel_table.h"

namespace coderx::model::quant {
namespace {

CODERX_KERNEL inline __m256 load_f32x8(const std::uint8_t* p) {
  return _mm256_loadu_ps(reinterpret_cast<const float*>(p));
}
CODERX_KERNEL inline __m256 load_f16x8(const std::uint8_t* p) {
  return _mm256_cvtph_ps(load16(p));
}
CODERX_KERNEL inline __m256 load_bf16x8(const std::uint8_t* p) {
  return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(load16(p)), 16));
}

using Load8 = __m256 (*)(const std::uint8_t*);
using Scalar = float (*)(const std::uint8_t*);

template <int kSize, Load8 load, Scalar scalar>
CODERX_KERNEL inline float dot_floats(const std::uint8_t* w, const std::uint8_t* a,
                                      std::int64_t n) {
  __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(),
                   _mm256_setzero_ps()};
  std::int64_t i = 0;
  for (; i + 32 <= n; i += 32)
#pragma GCC unroll 8
    for (int k = 0; k < 4; ++k) {
      const std::int64_t off = (i + 8 * k) * kSize;
      acc[k] = _mm256_fmadd_ps(load(w + off), load(a + off), acc[k]);
    }
  for (; i + 8 <= n; i += 8)
    acc[0] = _mm256_fmadd_ps(load(w + i * kSize), load(a + i * kSize), acc[0]);
  float sum = hsum(_mm256_add_ps(_mm256_add_ps(acc[0], acc[1]), _mm256_add_ps(acc[2], acc[3])));
  for (; i < n; ++i) sum += scalar(w + i * kSize) * scalar(a + i * kSize);
  return sum;
}

float scalar_f32(const std::uint8_t* p) {
  return layout::load_f32(p);
}
float scalar_f16(const std::uint8_t* p) {
  return layout::load_f16(p);
}
float scalar_bf16(const std::uint8_t* p) {
  return bf16_to_f32(layout::load_u16(p));
}

CODERX_KERNEL float dot_f32(const std::uint8_t* w, const std::uint8_t* a, std::int64_t n) {
  return dot_floats<4, load_f32x8, scalar_f32>(w, a, n);
}
CODERX_KERNEL float dot_f16(const std::uint8_t* w, const std::uint8_t* a, std::int64_t n) {
  return dot_floats<2, load_f16x8, scalar_f16>(w, a, n);
}
CODERX_KERNEL float dot_bf16(const std::uint8_t* w, const std::uint8_t* a, std::int64_t n) {
  return dot_floats<2, load_bf16x8, scalar_bf16>(w, a, n);
}

}  // namespace

namespace {
inline void add_dot_float_simd(KernelTable& t) {
  t.dot[slot(Type::F32)] = dot_f32;
  t.dot[slot(Type::F16)] = dot_f16;
  t.dot[slot(Type::BF16)] = dot_bf16;
}
}  // namespace

}  // namespace coderx::model::quant
