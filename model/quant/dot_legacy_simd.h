// Textual template: included once per SIMD level (dot_avx2.cpp, dot_avx512.cpp) after
// simd_helpers.h, with CODERX_KERNEL / CODERX_VNNI defined there; no include guard.
// Dot products of the 32-element block types with Q8_0 / Q8_1 activations: Q4_0, Q4_1,
// Q5_0, Q5_1, Q8_0, IQ4_NL, MXFP4, NVFP4. Same integer sums per block as dot_ref_legacy.cpp /
// dot_ref_fp4.cpp; only the order of the f32 accumulation differs (vector lanes).
// Two blocks per loop iteration with separate accumulators to hide FMA latency.
#include "model/quant/block_layout.h"
#include "model/quant/kernel_table.h"
#include "model/quant/value_tables.h"

namespace coderx::model::quant {
namespace {

namespace L = layout;

// Σ over blocks of scale(block) · int_sums(block), the int sums as 8 lanes of i32.
// Block(w, a, &scale) returns the lanes; kW / kA are block strides in bytes.
using BlockFn = __m256i (*)(const std::uint8_t* x, const std::uint8_t* y, float& scale);

template <int kW, int kA, BlockFn block>
CODERX_KERNEL inline float sum_blocks(const std::uint8_t* w, const std::uint8_t* a, std::int64_t nb) {
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  std::int64_t b = 0;
  for (; b + 2 <= nb; b += 2, w += 2 * kW, a += 2 * kA) {
    float s0, s1;
    const __m256i p0 = block(w, a, s0);
    const __m256i p1 = block(w + kW, a + kA, s1);
    acc0 = _mm256_fmadd_ps(_mm256_set1_ps(s0), to_float(p0), acc0);
    acc1 = _mm256_fmadd_ps(_mm256_set1_ps(s1), to_float(p1), acc1);
  }
  if (b < nb) {
    float s0;
    const __m256i p0 = block(w, a, s0);
    acc0 = _mm256_fmadd_ps(_mm256_set1_ps(s0), to_float(p0), acc0);
  }
  return hsum(_mm256_add_ps(acc0, acc1));
}

CODERX_KERNEL inline __m256i block_q4_0(const std::uint8_t* x, const std::uint8_t* y, float& s) {
        s = f16(x + L::q4_0::kD) * f16(y + L::q8_0::kD);
        const __m256i q = _mm256_sub_epi8(nibbles32(x + L::q4_0::kQs), _mm256_set1_epi8(8));
        return dot_i8_i8(q, load32(y + L::q8_0::kQs));}

CODERX_KERNEL float dot_q4_0(const std::uint8_t* w, const std::uint8_t* a, std::int64_t n) {
  return sum_blocks<L::q4_0::kBytes, L::q8_0::kBytes, block_q4_0>(w, a, n / 32);
}

CODERX_KERNEL inline __m256i block_q5_0(const std::uint8_t* x, const std::uint8_t* y, float& s) {
        s = f16(x + L::q5_0::kD) * f16(y + L::q8_0::kD);
        // q − 16 = nibble when the high bit is set, nibble − 16 (= nibble | 0xF0) when clear.
        const __m256i high = _mm256_andnot_si256(bits32(x + L::q5_0::kQh), _mm256_set1_epi8(static_cast<char>(0xF0)));
        const __m256i q = _mm256_or_si256(nibbles32(x + L::q5_0::kQs), high);
        return dot_i8_i8(q, load32(y + L::q8_0::kQs));}

CODERX_KERNEL float dot_q5_0(const std::uint8_t* w, const std::uint8_t* a, std::int64_t n) {
  return sum_blocks<L::q5_0::kBytes, L::q8_0::kBytes, block_q5_0>(w, a, n / 32);
}

CODERX_KERNEL inline __m256i block_q8_0(const std::uint8_t* x, const std::uint8_t* y, float& s) {
        s = f16(x + L::q8_0::kD) * f16(y + L::q8_0::kD);
        return dot_i8_i8(load32(x + L::q8_0::kQs), load32(y + L::q8_0::kQs));}

CODERX_KERNEL float dot_q8_0(const std::uint8_t* w, const std::uint8_t* a, std::int64_t n) {
  return sum_blocks<L::q8_0::kBytes, L::q8_0::kBytes, block_q8_0>(w, a, n / 32);
}

CODERX_KERNEL inline __m256i table_lookup(const std::int8_t* table, __m256i idx) {
  const __m128i t = _mm_loadu_si128(reinterpret_cast<const __m128i*>(table));
  return _mm256_shuffle_epi8(_mm256_set_m128i(t, t), idx);
}

CODERX_KERNEL inline __m256i block_iq4_nl(const std::uint8_t* x, const std::uint8_t* y, float& s) {
        s = f16(x + L::iq4_nl::kD) * f16(y + L::q8_0::kD);
        const __m256i q = table_lookup(kIq4Values, nibbles32(x + L::iq4_nl::kQs));
        return dot_i8_i8(q, load32(y + L::q8_0::kQs));}

CODERX_KERNEL float dot_iq4_nl(const std::uint8_t* w, const std::uint8_t* a, std::int64_t n) {
  return sum_blocks<L::iq4_nl::kBytes, L::q8_0::kBytes, block_iq4_nl>(w, a, n / 32);
}

CODERX_KERNEL inline __m256i block_mxfp4(const std::uint8_t* x, const std::uint8_t* y, float& s) {
        s = e8m0_to_f32_half(x[L::mxfp4::kE]) * f16(y + L::q8_0::kD);
        const __m256i q = table_lookup(kFp4Values, nibbles32(x + L::mxfp4::kQs));
        return dot_i8_i8(q, load32(y + L::q8_0::kQs));}

CODERX_KERNEL float dot_mxfp4(const std::uint8_t* w, const std::uint8_t* a, std::int64_t n) {
  return sum_blocks<L::mxfp4::kBytes, L::q8_0::kBytes, block_mxfp4>(w, a, n / 32);
}

// Affine types with Q8_1 activations: Σ d·dy·Σq·y + m·s.
using QuantsFn = __m256i (*)(const std::uint8_t* x);

template <int kW, QuantsFn quants>
CODERX_KERNEL inline float dot_affine(const std::uint8_t* w, const std::uint8_t* a, std::int64_t nb) {
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  float summs = 0;
  std::int64_t b = 0;
  for (; b < nb; ++b, w += kW, a += L::q8_1::kBytes) {
    const float s = f16(w) * f16(a + L::q8_1::kD);
    summs += f16(w + 2) * f16(a + L::q8_1::kS);
    const __m256i p = dot_u8_i8(quants(w), load32(a + L::q8_1::kQs));
    if (b & 1) acc1 = _mm256_fmadd_ps(_mm256_set1_ps(s), to_float(p), acc1);
    else acc0 = _mm256_fmadd_ps(_mm256_set1_ps(s), to_float(p), acc0);
  }
  return hsum(_mm256_add_ps(acc0, acc1)) + summs;
}

CODERX_KERNEL inline __m256i quants_q4_1(const std::uint8_t* x) { return nibbles32(x + L::q4_1::kQs); }

CODERX_KERNEL float dot_q4_1(const std::uint8_t* w, const std::uint8_t* a, std::int64_t n) {
  return dot_affine<L::q4_1::kBytes, quants_q4_1>(w, a, n / 32);
}

CODERX_KERNEL inline __m256i quants_q5_1(const std::uint8_t* x) {
  const __m256i high = _mm256_and_si256(bits32(x + L::q5_1::kQh), _mm256_set1_epi8(16));
  return _mm256_or_si256(nibbles32(x + L::q5_1::kQs), high);
}

CODERX_KERNEL float dot_q5_1(const std::uint8_t* w, const std::uint8_t* a, std::int64_t n) {
  return dot_affine<L::q5_1::kBytes, quants_q5_1>(w, a, n / 32);
}

// NVFP4: one 64-block = two Q8_0 blocks; within a Q8_0 block the 16 qs bytes are two sub-blocks
// of 8 bytes, each giving 8 low-nibble then 8 high-nibble elements.
CODERX_KERNEL float dot_nvfp4(const std::uint8_t* w, const std::uint8_t* a, std::int64_t n) {
  __m256 acc = _mm256_setzero_ps();
  const __m128i table = _mm_loadu_si128(reinterpret_cast<const __m128i*>(kFp4Values));
  const __m128i m4 = _mm_set1_epi8(15);
  for (std::int64_t b = 0; b < n / 64; ++b, w += L::nvfp4::kBytes) {
    for (int h = 0; h < 2; ++h, a += L::q8_0::kBytes) {
      const __m128i v = load16(w + L::nvfp4::kQs + 16 * h);
      const __m128i lo = _mm_and_si128(v, m4), hi = _mm_and_si128(_mm_srli_epi16(v, 4), m4);
      const __m256i idx = _mm256_set_m128i(_mm_unpackhi_epi64(lo, hi), _mm_unpacklo_epi64(lo, hi));
      const __m256i q = _mm256_shuffle_epi8(_mm256_set_m128i(table, table), idx);
      const __m256i p = dot_i8_i8(q, load32(a + L::q8_0::kQs));  // lanes 0–3: sub-block 2h
      const float dy = f16(a + L::q8_0::kD);
      const float s0 = nvfp4_scale(w[L::nvfp4::kD + 2 * h]) * dy;
      const float s1 = nvfp4_scale(w[L::nvfp4::kD + 2 * h + 1]) * dy;
      acc = _mm256_fmadd_ps(_mm256_setr_ps(s0, s0, s0, s0, s1, s1, s1, s1), to_float(p), acc);
    }
  }
  return hsum(acc);
}

}  // namespace

namespace {
inline void add_dot_legacy_simd(KernelTable& t) {
  t.dot[slot(Type::Q4_0)] = dot_q4_0;
  t.dot[slot(Type::Q4_1)] = dot_q4_1;
  t.dot[slot(Type::Q5_0)] = dot_q5_0;
  t.dot[slot(Type::Q5_1)] = dot_q5_1;
  t.dot[slot(Type::Q8_0)] = dot_q8_0;
  t.dot[slot(Type::IQ4_NL)] = dot_iq4_nl;
  t.dot[slot(Type::MXFP4)] = dot_mxfp4;
  t.dot[slot(Type::NVFP4)] = dot_nvfp4;
}
}  // namespace

}  // namespace coderx::model::quant
