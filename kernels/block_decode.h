// Block decoders of GGUF weight types, written once for the device and the host: the CUDA
// kernels (quant_gemv, moe_gemv, moe_gemm, dequant, embed via decode.cuh) run them on the GPU,
// and tests/kernels/block_decode_test.cpp runs the very same code on the CPU against
// model::quant::dequantize_row_ref, so the layouts are verified without a GPU.
// The unit of work is a chunk: 32 consecutive elements of a row (chunk c holds elements
// 32c … 32c+31). Decoder<T>::chunk(row, c, out) writes those 32 values as f32.
// Layouts follow spec gemma4-moe.md §8.2–8.5 and formats-extra.md §1.2–1.4. Rows are byte-addressed: blocks of 17, 18, 22, …
// bytes are not 4-byte aligned. The hot types of the Q4_K_M mix (Q4_K, Q6_K, Q5_0, Q8_0, Q4_0,
// BF16, F16) read their codes as 32-bit words (load_words: aligned loads joined by funnel
// shifts) and turn bytes into floats without conversions (byte_minus); the rest use byte loads.
// Plain C++17 when not compiled by nvcc (no CUDA headers). Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <cstring>

#include "kernels/weight_type.h"

#if defined(__CUDACC__)
#include <cuda_fp16.h>
#define CODERX_HD __host__ __device__ __forceinline__
#else
#define CODERX_HD inline
#endif

// The device forms (intrinsics, aligned word loads) run on the GPU and in the CPU emulation of
// the kernel tests (tests/kernels/emu/cuda_emu.h supplies host twins of the intrinsics), so the
// emulated tests check them; other host code takes the portable forms.
#if defined(__CUDA_ARCH__) || defined(CODERX_CUDA_EMU)
#define CODERX_DEVICE_FORM 1
#else
#define CODERX_DEVICE_FORM 0
#endif

namespace coderx::kernels::detail {

using u8 = std::uint8_t;

CODERX_HD float bits_to_f32(std::uint32_t bits) {
#if CODERX_DEVICE_FORM
  return __uint_as_float(bits);
#else
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
#endif
}

// IEEE binary16 → f32, exact for every input (subnormals, inf, NaN).
CODERX_HD float f16_bits_to_f32(unsigned h) {
#if CODERX_DEVICE_FORM
  return __half2float(__ushort_as_half(static_cast<unsigned short>(h)));
#else
  const std::uint32_t sign = (h & 0x8000u) << 16;
  const std::uint32_t exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  if (exp == 0x1f) return bits_to_f32(sign | 0x7f800000u | (mant << 13));
  if (exp == 0) {
    const float v = static_cast<float>(mant) * (1.0f / 16777216.0f);
    return sign ? -v : v;
  }
  return bits_to_f32(sign | ((exp + 112) << 23) | (mant << 13));
#endif
}

CODERX_HD float ld_f16(const u8* p) { return f16_bits_to_f32(static_cast<unsigned>(p[0] | (p[1] << 8))); }

CODERX_HD float bf16_bits_to_f32(unsigned bits) { return bits_to_f32(bits << 16); }

CODERX_HD std::uint32_t ld_u32(const u8* p) {
  return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
         (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}

// N little-endian 32-bit words of the bytes p[0, 4N). On the device with aligned loads (generic:
// p may point to global or shared memory): 16-byte loads when p is 16-byte aligned, else 4-byte
// words joined by funnel shifts (GGUF blocks of 18, 22, 34, 210 bytes leave rows 2-byte
// aligned). The shifted path reads the aligned word holding p's first byte and the one holding
// its last byte, never a word wholly outside [p, p + 4N). On the host: memcpy.
template <int N>
CODERX_HD void load_words(const u8* p, std::uint32_t* w) {
#if CODERX_DEVICE_FORM
  const auto addr = reinterpret_cast<std::uintptr_t>(p);
  if constexpr (N % 4 == 0) {
    if ((addr & 15) == 0) {
      const uint4* v = reinterpret_cast<const uint4*>(p);
#pragma unroll
      for (int i = 0; i < N / 4; ++i) {
        const uint4 q = v[i];
        w[4 * i] = q.x;
        w[4 * i + 1] = q.y;
        w[4 * i + 2] = q.z;
        w[4 * i + 3] = q.w;
      }
      return;
    }
  }
  const auto* a = reinterpret_cast<const unsigned int*>(addr & ~std::uintptr_t(3));
  const unsigned shift = static_cast<unsigned>(addr & 3) * 8;
  if (shift == 0) {
#pragma unroll
    for (int i = 0; i < N; ++i) w[i] = a[i];
    return;
  }
  unsigned int prev = a[0];
#pragma unroll
  for (int i = 0; i < N; ++i) {
    const unsigned int next = a[i + 1];
    w[i] = __funnelshift_r(prev, next, shift);
    prev = next;
  }
#else
  std::memcpy(w, p, 4 * N);
#endif
}

// (byte K of w) − bias as an exact float (bias a small integer). On the device one byte permute
// builds the float 2^23 + byte and one add removes 2^23 + bias: no integer-to-float conversion.
template <int K>
CODERX_HD float byte_minus(std::uint32_t w, float bias) {
#if CODERX_DEVICE_FORM
  return __uint_as_float(__byte_perm(w, 0x4B000000u, 0x7440u + K)) - (8388608.0f + bias);
#else
  return static_cast<float>((w >> (8 * K)) & 0xffu) - bias;
#endif
}

// out[k] = (byte k of w − bias) · d for k = 0…3 (4-bit/6-bit/8-bit codes already in bytes).
CODERX_HD void bytes_times(std::uint32_t w, float bias, float d, float* out) {
  out[0] = byte_minus<0>(w, bias) * d;
  out[1] = byte_minus<1>(w, bias) * d;
  out[2] = byte_minus<2>(w, bias) * d;
  out[3] = byte_minus<3>(w, bias) * d;
}

// Bits 0…3 of x moved to bit 4 of bytes 0…3 (the fifth bit of four Q5 codes): the multiply
// places copies of x at bit offsets 0, 7, 14, 21, which do not overlap, so bit m lands on 8m.
CODERX_HD std::uint32_t nibble_to_byte_bit4(std::uint32_t x) {
  return ((x * 0x00204081u) & 0x01010101u) << 4;
}

#if defined(__CUDACC__)
static __constant__ const signed char kIq4nlDev[16] = {-127, -104, -83, -65, -49, -35, -22, -10,
                                                       1,    13,   25,  38,  53,  69,  89,  113};
static __constant__ const signed char kE2m1x2Dev[16] = {0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12};
#endif

// IQ4_NL code table (spec §8.3).
CODERX_HD float iq4nl_value(int i) {
#if defined(__CUDA_ARCH__)
  return static_cast<float>(kIq4nlDev[i]);
#else
  static constexpr signed char t[16] = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};
  return static_cast<float>(t[i]);
#endif
}

// E2M1 values doubled (spec §8.5).
CODERX_HD float e2m1x2_value(int i) {
#if defined(__CUDA_ARCH__)
  return static_cast<float>(kE2m1x2Dev[i]);
#else
  static constexpr signed char t[16] = {0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12};
  return static_cast<float>(t[i]);
#endif
}

// ggml's E8M0 "half" conversion: 2^(e-128), with e = 0, 1 as denormals.
CODERX_HD float e8m0_half(unsigned e) {
  const std::uint32_t bits = e < 2 ? (0x00200000u << e) : ((e - 1) << 23);
  return bits_to_f32(bits);
}

// UE4M3 scale of NVFP4 (spec §8.5), already halved to pair with the doubled E2M1 table.
// E = 0: M·2^-9; else (1 + M/8)·2^(E-7), built exactly from the bits (exponent field E + 120).
// Bytes 0 and 0x7F (exactly) are zero; bit 7 is not part of the value (as ggml).
CODERX_HD float ue4m3_half(unsigned b) {
  if (b == 0 || b == 0x7f) return 0.0f;
  const unsigned e = (b >> 3) & 15, m = b & 7;
  const float v = e == 0 ? static_cast<float>(m) * (1.0f / 512.0f) : bits_to_f32(((e + 120) << 23) | (m << 20));
  return 0.5f * v;
}

// Q4_K / Q5_K 6-bit scale and min of sub-block j (0…7) from the 12 packed bytes.
CODERX_HD void k_scale_min(const u8* s, int j, int* sc, int* m) {
  if (j < 4) {
    *sc = s[j] & 63;
    *m = s[j + 4] & 63;
  } else {
    *sc = (s[j + 4] & 15) | ((s[j - 4] >> 6) << 4);
    *m = (s[j + 4] >> 4) | ((s[j] >> 6) << 4);
  }
}

// Legacy 32-element nibble order: element j (<16) low nibble of qs[j], element j+16 high nibble.
CODERX_HD int nib32(const u8* qs, int i) { return i < 16 ? (qs[i] & 15) : (qs[i - 16] >> 4); }

template <WeightType T>
struct Decoder;

template <>
struct Decoder<WeightType::F32> {
  CODERX_HD static void chunk(const u8* row, int c, float* out) {
    const float* p = reinterpret_cast<const float*>(row) + 32 * c;
    for (int i = 0; i < 32; ++i) out[i] = p[i];
  }
};

template <>
struct Decoder<WeightType::F16> {
  CODERX_HD static void chunk(const u8* row, int c, float* out) {
    std::uint32_t w[16];
    load_words<16>(row + 64 * c, w);
    for (int i = 0; i < 16; ++i) {
      out[2 * i] = f16_bits_to_f32(w[i] & 0xffffu);
      out[2 * i + 1] = f16_bits_to_f32(w[i] >> 16);
    }
  }
};

template <>
struct Decoder<WeightType::BF16> {
  CODERX_HD static void chunk(const u8* row, int c, float* out) {
    std::uint32_t w[16];
    load_words<16>(row + 64 * c, w);
    for (int i = 0; i < 16; ++i) {
      out[2 * i] = bits_to_f32(w[i] << 16);
      out[2 * i + 1] = bits_to_f32(w[i] & 0xffff0000u);
    }
  }
};

template <>
struct Decoder<WeightType::Q4_0> {
  // Elements 0…15 are the low nibbles of qs[0…15], 16…31 the high nibbles.
  CODERX_HD static void chunk(const u8* row, int c, float* out) {
    const u8* b = row + 18 * c;
    const float d = ld_f16(b);
    std::uint32_t q[4];
    load_words<4>(b + 2, q);
    for (int i = 0; i < 4; ++i) {
      bytes_times(q[i] & 0x0f0f0f0fu, 8.0f, d, out + 4 * i);
      bytes_times((q[i] >> 4) & 0x0f0f0f0fu, 8.0f, d, out + 16 + 4 * i);
    }
  }
};

template <>
struct Decoder<WeightType::Q4_1> {
  CODERX_HD static void chunk(const u8* row, int c, float* out) {
    const u8* b = row + 20 * c;
    const float d = ld_f16(b), m = ld_f16(b + 2);
    for (int i = 0; i < 32; ++i) out[i] = static_cast<float>(nib32(b + 4, i)) * d + m;
  }
};

template <>
struct Decoder<WeightType::Q5_0> {
  // Element i: nibble i of the legacy order (see Q4_0) with bit i of qh as its fifth bit.
  CODERX_HD static void chunk(const u8* row, int c, float* out) {
    const u8* b = row + 22 * c;
    const float d = ld_f16(b);
    std::uint32_t w[5];  // qh, then qs[0…15]
    load_words<5>(b + 2, w);
    const std::uint32_t qh = w[0];
    for (int i = 0; i < 4; ++i) {
      const std::uint32_t lo = (w[1 + i] & 0x0f0f0f0fu) | nibble_to_byte_bit4((qh >> (4 * i)) & 15u);
      const std::uint32_t hi = ((w[1 + i] >> 4) & 0x0f0f0f0fu) | nibble_to_byte_bit4((qh >> (16 + 4 * i)) & 15u);
      bytes_times(lo, 16.0f, d, out + 4 * i);
      bytes_times(hi, 16.0f, d, out + 16 + 4 * i);
    }
  }
};

template <>
struct Decoder<WeightType::Q5_1> {
  CODERX_HD static void chunk(const u8* row, int c, float* out) {
    const u8* b = row + 24 * c;
    const float d = ld_f16(b), m = ld_f16(b + 2);
    const std::uint32_t qh = ld_u32(b + 4);
    for (int i = 0; i < 32; ++i) {
      int q = nib32(b + 8, i) | (((qh >> i) & 1u) << 4);
      out[i] = static_cast<float>(q) * d + m;
    }
  }
};

template <>
struct Decoder<WeightType::Q8_0> {
  // Signed bytes: flipping bit 7 gives q + 128 as an unsigned byte.
  CODERX_HD static void chunk(const u8* row, int c, float* out) {
    const u8* b = row + 34 * c;
    const float d = ld_f16(b);
    std::uint32_t q[8];
    load_words<8>(b + 2, q);
    for (int i = 0; i < 8; ++i) bytes_times(q[i] ^ 0x80808080u, 128.0f, d, out + 4 * i);
  }
};

template <>
struct Decoder<WeightType::IQ4_NL> {
  CODERX_HD static void chunk(const u8* row, int c, float* out) {
    const u8* b = row + 18 * c;
    const float d = ld_f16(b);
    for (int i = 0; i < 32; ++i) out[i] = iq4nl_value(nib32(b + 2, i)) * d;
  }
};

template <>
struct Decoder<WeightType::MXFP4> {
  CODERX_HD static void chunk(const u8* row, int c, float* out) {
    const u8* b = row + 17 * c;
    const float d = e8m0_half(b[0]);
    for (int i = 0; i < 32; ++i) out[i] = e2m1x2_value(nib32(b + 1, i)) * d;
  }
};

template <>
struct Decoder<WeightType::NVFP4> {
  // Chunk c is half h = c % 2 of block c / 2: sub-blocks 2h and 2h+1 of 16 elements each.
  CODERX_HD static void chunk(const u8* row, int c, float* out) {
    const u8* b = row + 36 * (c >> 1);
    for (int half_sub = 0; half_sub < 2; ++half_sub) {
      const int s = 2 * (c & 1) + half_sub;
      const float d = ue4m3_half(b[s]);
      const u8* qs = b + 4 + 8 * s;
      for (int j = 0; j < 8; ++j) {
        out[16 * half_sub + j] = e2m1x2_value(qs[j] & 15) * d;
        out[16 * half_sub + j + 8] = e2m1x2_value(qs[j] >> 4) * d;
      }
    }
  }
};

template <>
struct Decoder<WeightType::Q4_K> {
  // Chunk c is sub-block j = c % 8 of super-block c / 8.
  CODERX_HD static void chunk(const u8* row, int c, float* out) {
    const u8* b = row + 144 * (c >> 3);
    const int j = c & 7;
    int sc, m;
    k_scale_min(b + 4, j, &sc, &m);
    const float d = ld_f16(b) * static_cast<float>(sc), dm = ld_f16(b + 2) * static_cast<float>(m);
    std::uint32_t q[8];
    load_words<8>(b + 16 + 32 * (j >> 1), q);
    const int shift = (j & 1) * 4;
    for (int i = 0; i < 8; ++i) {
      const std::uint32_t v = (q[i] >> shift) & 0x0f0f0f0fu;
      out[4 * i] = d * byte_minus<0>(v, 0.0f) - dm;
      out[4 * i + 1] = d * byte_minus<1>(v, 0.0f) - dm;
      out[4 * i + 2] = d * byte_minus<2>(v, 0.0f) - dm;
      out[4 * i + 3] = d * byte_minus<3>(v, 0.0f) - dm;
    }
  }
};

template <>
struct Decoder<WeightType::Q5_K> {
  CODERX_HD static void chunk(const u8* row, int c, float* out) {
    const u8* b = row + 176 * (c >> 3);
    const int j = c & 7;
    int sc, m;
    k_scale_min(b + 4, j, &sc, &m);
    const float d = ld_f16(b) * static_cast<float>(sc), dm = ld_f16(b + 2) * static_cast<float>(m);
    const u8* qh = b + 16;
    const u8* qs = b + 48 + 32 * (j >> 1);
    const int shift = (j & 1) * 4;
    for (int l = 0; l < 32; ++l) {
      int q = ((qs[l] >> shift) & 15) | (((qh[l] >> j) & 1) << 4);
      out[l] = d * static_cast<float>(q) - dm;
    }
  }
};

template <>
struct Decoder<WeightType::Q6_K> {
  // Chunk c: super-block c / 8, j = c % 8 → half n = j / 4, group k = j % 4 (elements
  // 128n + 32k + l).
  CODERX_HD static void chunk(const u8* row, int c, float* out) {
    const u8* b = row + 210 * (c >> 3);
    const int j = c & 7, n = j >> 2, k = j & 3;
    std::uint32_t ql[8], qh[8];
    load_words<8>(b + 64 * n + ((k & 1) ? 32 : 0), ql);
    load_words<8>(b + 128 + 32 * n, qh);
    const signed char* sc = reinterpret_cast<const signed char*>(b + 192) + 8 * n;
    const float d = ld_f16(b + 208);
    const float d_lo = d * static_cast<float>(sc[2 * k]), d_hi = d * static_cast<float>(sc[2 * k + 1]);
    const int lshift = (k >> 1) * 4, hshift = 2 * k;
    for (int i = 0; i < 8; ++i) {  // elements 4i … 4i+3; the scale changes at element 16
      const std::uint32_t q = ((ql[i] >> lshift) & 0x0f0f0f0fu) | (((qh[i] >> hshift) & 0x03030303u) << 4);
      bytes_times(q, 32.0f, i < 4 ? d_lo : d_hi, out + 4 * i);
    }
  }
};

template <>
struct Decoder<WeightType::Q2_K> {
  // formats-extra.md §1.2. Chunk c: super-block c / 8, j = c % 8 → plane half n = j / 4, shift
  // 2·(j % 4); element 32j + l uses sub-block 2j + l/16 (scale low nibble, min high nibble).
  CODERX_HD static void chunk(const u8* row, int c, float* out) {
    const u8* b = row + 84 * (c >> 3);
    const int j = c & 7;
    const u8* qs = b + 16 + 32 * (j >> 2);
    const int shift = 2 * (j & 3);
    const float d = ld_f16(b + 80), dmin = ld_f16(b + 82);
    for (int l = 0; l < 32; ++l) {
      const int sc = b[2 * j + l / 16];
      const int q = (qs[l] >> shift) & 3;
      out[l] = d * static_cast<float>(sc & 15) * static_cast<float>(q) - dmin * static_cast<float>(sc >> 4);
    }
  }
};

template <>
struct Decoder<WeightType::Q3_K> {
  // formats-extra.md §1.3. Low 2 bits in the Q2_K plane order, high bit j of hmask[l]
  // (set: q = low, clear: q = low − 4); signed 6-bit scale of sub-block k = 2j + l/16.
  CODERX_HD static void chunk(const u8* row, int c, float* out) {
    const u8* b = row + 110 * (c >> 3);
    const int j = c & 7;
    const u8* hmask = b;
    const u8* qs = b + 32 + 32 * (j >> 2);
    const u8* sc = b + 96;
    const int shift = 2 * (j & 3);
    const float d = ld_f16(b + 108);
    for (int l = 0; l < 32; ++l) {
      const int k = 2 * j + l / 16;
      const int lo = k < 8 ? (sc[k] & 15) : (sc[k - 8] >> 4);
      const int hi = (sc[8 + (k & 3)] >> (2 * (k >> 2))) & 3;
      const int s = (lo | (hi << 4)) - 32;
      const int q = ((qs[l] >> shift) & 3) - (((hmask[l] >> j) & 1) ? 0 : 4);
      out[l] = d * static_cast<float>(s) * static_cast<float>(q);
    }
  }
};

template <>
struct Decoder<WeightType::IQ4_XS> {
  // formats-extra.md §1.4. Chunk c = sub-block ib = c % 8 of super-block c / 8: an IQ4_NL block
  // whose scale is d·(ls − 32).
  CODERX_HD static void chunk(const u8* row, int c, float* out) {
    const u8* b = row + 136 * (c >> 3);
    const int ib = c & 7;
    const unsigned scales_h = static_cast<unsigned>(b[2] | (b[3] << 8));
    const int ls = ((b[4 + ib / 2] >> (4 * (ib & 1))) & 15) | (((scales_h >> (2 * ib)) & 3) << 4);
    const float dl = ld_f16(b) * static_cast<float>(ls - 32);
    const u8* qs = b + 8 + 16 * ib;
    for (int i = 0; i < 32; ++i) out[i] = dl * iq4nl_value(nib32(qs, i));
  }
};

}  // namespace coderx::kernels::detail
