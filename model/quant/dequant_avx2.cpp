// AVX2 row decoders (dequantize_row) for the common weight types: F16, BF16, Q4_0, Q4_1, Q5_0,
// Q5_1, Q8_0, IQ4_NL, MXFP4, Q4_K, Q5_K, Q6_K. Each element is computed with the same f32
// operations as the reference decoder (scale·code, then − min or + min, with the scale product
// formed first), so the results are bit-identical to dequantize_row_ref. (The compiler may fuse
// a multiply and add into an FMA; that changes nothing because every product here is exact:
// an f16 scale (11 bits) times a sub-block scale (≤ 8 bits) times a code (≤ 6 bits) fits in
// f32's 24-bit significand, except Q6_K, which has no add.)
#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "model/quant/block_layout.h"
#include "model/quant/kernel_table.h"
#include "model/quant/kquant_scales.h"
#include "model/quant/value_tables.h"

#define CODERX_KERNEL __attribute__((target("avx2,fma,f16c,bmi2")))
#define CODERX_VNNI 0
#include "model/quant/simd_helpers.h"

namespace coderx::model::quant {
namespace {

namespace L = layout;

// dst[i] = float(code[i])·scale (+ bias) for the 32 signed bytes in v. With kSub, the bias is
// subtracted after the product (x·d − m), with kAdd added (x·d + m): both as separate f32
// operations, like the reference (no fused multiply-add).
enum class Bias { kNone, kAdd, kSub };
template <Bias kBias>
CODERX_KERNEL inline void store32(__m256i v, float scale, float bias, float* dst) {
  const __m256 s = _mm256_set1_ps(scale), m = _mm256_set1_ps(bias);
  const __m128i halves[2] = {_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1)};
#pragma GCC unroll 8
  for (int h = 0; h < 2; ++h) {
#pragma GCC unroll 8
    for (int q = 0; q < 2; ++q) {
      const __m128i bytes = q ? _mm_unpackhi_epi64(halves[h], halves[h]) : halves[h];
      __m256 f = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(bytes)), s);
      if (kBias == Bias::kAdd) f = _mm256_add_ps(f, m);
      if (kBias == Bias::kSub) f = _mm256_sub_ps(f, m);
      _mm256_storeu_ps(dst + 16 * h + 8 * q, f);
    }
  }
}

CODERX_KERNEL void dequant_f16(const std::uint8_t* src, float* dst, std::int64_t n) {
  std::int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(
        dst + i, _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src + 2 * i))));
  for (; i < n; ++i) dst[i] = f16(src + 2 * i);
}

CODERX_KERNEL void dequant_bf16(const std::uint8_t* src, float* dst, std::int64_t n) {
  std::int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256i v =
        _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src + 2 * i)));
    _mm256_storeu_ps(dst + i, _mm256_castsi256_ps(_mm256_slli_epi32(v, 16)));
  }
  for (; i < n; ++i) dst[i] = bf16_to_f32(L::load_u16(src + 2 * i));
}

CODERX_KERNEL void dequant_q4_0(const std::uint8_t* src, float* y, std::int64_t n) {
  for (std::int64_t b = 0; b < n / 32; ++b, src += L::q4_0::kBytes, y += 32)
    store32<Bias::kNone>(_mm256_sub_epi8(nibbles32(src + 2), _mm256_set1_epi8(8)), f16(src), 0, y);
}

CODERX_KERNEL void dequant_q4_1(const std::uint8_t* src, float* y, std::int64_t n) {
  for (std::int64_t b = 0; b < n / 32; ++b, src += L::q4_1::kBytes, y += 32)
    store32<Bias::kAdd>(nibbles32(src + L::q4_1::kQs), f16(src), f16(src + 2), y);
}

CODERX_KERNEL void dequant_q5_0(const std::uint8_t* src, float* y, std::int64_t n) {
  for (std::int64_t b = 0; b < n / 32; ++b, src += L::q5_0::kBytes, y += 32) {
    const __m256i high =
        _mm256_andnot_si256(bits32(src + L::q5_0::kQh), _mm256_set1_epi8(static_cast<char>(0xF0)));
    store32<Bias::kNone>(_mm256_or_si256(nibbles32(src + L::q5_0::kQs), high), f16(src), 0, y);
  }
}

CODERX_KERNEL void dequant_q5_1(const std::uint8_t* src, float* y, std::int64_t n) {
  for (std::int64_t b = 0; b < n / 32; ++b, src += L::q5_1::kBytes, y += 32) {
    const __m256i high = _mm256_and_si256(bits32(src + L::q5_1::kQh), _mm256_set1_epi8(16));
    store32<Bias::kAdd>(_mm256_or_si256(nibbles32(src + L::q5_1::kQs), high), f16(src),
                        f16(src + 2), y);
  }
}

CODERX_KERNEL void dequant_q8_0(const std::uint8_t* src, float* y, std::int64_t n) {
  for (std::int64_t b = 0; b < n / 32; ++b, src += L::q8_0::kBytes, y += 32)
    store32<Bias::kNone>(load32(src + L::q8_0::kQs), f16(src), 0, y);
}

CODERX_KERNEL inline __m256i lookup(const std::int8_t* table, __m256i idx) {
  const __m128i t = _mm_loadu_si128(reinterpret_cast<const __m128i*>(table));
  return _mm256_shuffle_epi8(_mm256_set_m128i(t, t), idx);
}

CODERX_KERNEL void dequant_iq4_nl(const std::uint8_t* src, float* y, std::int64_t n) {
  for (std::int64_t b = 0; b < n / 32; ++b, src += L::iq4_nl::kBytes, y += 32)
    store32<Bias::kNone>(lookup(kIq4Values, nibbles32(src + L::iq4_nl::kQs)), f16(src), 0, y);
}

CODERX_KERNEL void dequant_mxfp4(const std::uint8_t* src, float* y, std::int64_t n) {
  for (std::int64_t b = 0; b < n / 32; ++b, src += L::mxfp4::kBytes, y += 32)
    store32<Bias::kNone>(lookup(kFp4Values, nibbles32(src + L::mxfp4::kQs)),
                         e8m0_to_f32_half(src[0]), 0, y);
}

template <bool kFive>
CODERX_KERNEL void dequant_k45(const std::uint8_t* src, float* y, std::int64_t n) {
  constexpr int kBytes = kFive ? L::q5_k::kBytes : L::q4_k::kBytes;
  constexpr int kScales = kFive ? L::q5_k::kScales : L::q4_k::kScales;
  constexpr int kQs = kFive ? L::q5_k::kQs : L::q4_k::kQs;
  const __m256i m4 = _mm256_set1_epi8(15), one = _mm256_set1_epi8(1);
  for (std::int64_t b = 0; b < n / 256; ++b, src += kBytes, y += 256) {
    const float d = f16(src), dmin = f16(src + 2);
    __m256i hb = kFive ? load32(src + L::q5_k::kQh) : _mm256_setzero_si256();
#pragma GCC unroll 8
    for (int g = 0; g < 4; ++g) {
      const __m256i q = load32(src + kQs + 32 * g);
      __m256i lo = _mm256_and_si256(q, m4), hi = _mm256_and_si256(_mm256_srli_epi16(q, 4), m4);
      if (kFive) {
        lo = _mm256_or_si256(lo, _mm256_slli_epi16(_mm256_and_si256(hb, one), 4));
        hi = _mm256_or_si256(hi,
                             _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 1), one), 4));
        hb = _mm256_srli_epi16(hb, 2);
      }
      int sc0, m0, sc1, m1;
      k4_scale_min(src + kScales, 2 * g, sc0, m0);
      k4_scale_min(src + kScales, 2 * g + 1, sc1, m1);
      store32<Bias::kSub>(lo, d * static_cast<float>(sc0), dmin * static_cast<float>(m0),
                          y + 64 * g);
      store32<Bias::kSub>(hi, d * static_cast<float>(sc1), dmin * static_cast<float>(m1),
                          y + 64 * g + 32);
    }
  }
}

CODERX_KERNEL void dequant_q6_k(const std::uint8_t* src, float* y, std::int64_t n) {
  const __m256i m4 = _mm256_set1_epi8(15), m3 = _mm256_set1_epi8(3), m30 = _mm256_set1_epi8(0x30);
  const __m256i m32 = _mm256_set1_epi8(32);
  for (std::int64_t b = 0; b < n / 256; ++b, src += L::q6_k::kBytes, y += 256) {
    const float d = f16(src + L::q6_k::kD);
    const auto* sc = reinterpret_cast<const std::int8_t*>(src + L::q6_k::kScales);
#pragma GCC unroll 8
    for (int h = 0; h < 2; ++h) {
      const __m256i ql0 = load32(src + 64 * h), ql1 = load32(src + 64 * h + 32);
      const __m256i qh = load32(src + L::q6_k::kQh + 32 * h);
      const __m256i q[4] = {
          _mm256_or_si256(_mm256_and_si256(ql0, m4),
                          _mm256_slli_epi16(_mm256_and_si256(qh, m3), 4)),
          _mm256_or_si256(_mm256_and_si256(ql1, m4),
                          _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2), m3), 4)),
          _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql0, 4), m4),
                          _mm256_and_si256(qh, m30)),
          _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql1, 4), m4),
                          _mm256_and_si256(_mm256_srli_epi16(qh, 2), m30)),
      };
#pragma GCC unroll 8
      for (int p = 0; p < 4; ++p) {
        // 32 elements = sub-blocks k and k+1 with different scales: decode in two halves.
        const int k = 8 * h + 2 * p;
        alignas(32) std::int8_t codes[32];
        _mm256_store_si256(reinterpret_cast<__m256i*>(codes), _mm256_sub_epi8(q[p], m32));
        float* out = y + 128 * h + 32 * p;
#pragma GCC unroll 8
        for (int half = 0; half < 2; ++half) {
          const __m256 s = _mm256_set1_ps(d * static_cast<float>(sc[k + half]));
#pragma GCC unroll 8
          for (int e = 0; e < 16; e += 8) {
            const __m128i bytes =
                _mm_loadl_epi64(reinterpret_cast<const __m128i*>(codes + 16 * half + e));
            _mm256_storeu_ps(out + 16 * half + e,
                             _mm256_mul_ps(s, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(bytes))));
          }
        }
      }
    }
  }
}

}  // namespace

void add_avx2_dequant(KernelTable& t) {
  t.dequant[slot(Type::F16)] = dequant_f16;
  t.dequant[slot(Type::BF16)] = dequant_bf16;
  t.dequant[slot(Type::Q4_0)] = dequant_q4_0;
  t.dequant[slot(Type::Q4_1)] = dequant_q4_1;
  t.dequant[slot(Type::Q5_0)] = dequant_q5_0;
  t.dequant[slot(Type::Q5_1)] = dequant_q5_1;
  t.dequant[slot(Type::Q8_0)] = dequant_q8_0;
  t.dequant[slot(Type::IQ4_NL)] = dequant_iq4_nl;
  t.dequant[slot(Type::MXFP4)] = dequant_mxfp4;
  t.dequant[slot(Type::Q4_K)] = dequant_k45<false>;
  t.dequant[slot(Type::Q5_K)] = dequant_k45<true>;
  t.dequant[slot(Type::Q6_K)] = dequant_q6_k;
}

}  // namespace coderx::model::quant
