// Reference decoders against hand-built blocks: each test chooses integer codes and scales,
// lays the block out byte by byte as spec gemma4-moe.md §8 / formats-extra.md §1 describe, and
// checks every element against the spec's value formula evaluated here in double precision.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "model/quant/rows.h"
#include "tests/support/quant_blocks.h"

namespace coderx::model::quant {
namespace {

using testing::f16_bits_value;
using testing::random_f16_bits;
using Bytes = std::vector<std::uint8_t>;

constexpr int kIq4[16] = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};
constexpr int kFp4Doubled[16] = {0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12};

void put16(Bytes& b, int off, std::uint16_t v) {
  b[off] = static_cast<std::uint8_t>(v & 0xff);
  b[off + 1] = static_cast<std::uint8_t>(v >> 8);
}

// Decodes `block` (one or more blocks) and compares with `expected`; the tolerance covers the f32
// rounding of the decoder's few multiplications (scale·code − min).
void expect_decodes(Type type, const Bytes& block, const std::vector<double>& expected,
                    const std::vector<double>& magnitude) {
  ASSERT_EQ(block.size(), row_bytes(type, static_cast<std::int64_t>(expected.size())));
  std::vector<float> got(expected.size());
  dequantize_row_ref(type, block.data(), got.data(), static_cast<std::int64_t>(got.size()));
  for (std::size_t i = 0; i < got.size(); ++i)
    ASSERT_NEAR(got[i], expected[i], 3e-7 * magnitude[i] + 1e-30)
        << info(type).name << " element " << i;
}
void expect_decodes(Type type, const Bytes& block, const std::vector<double>& expected) {
  std::vector<double> mag(expected.size());
  for (std::size_t i = 0; i < mag.size(); ++i) mag[i] = std::fabs(expected[i]);
  expect_decodes(type, block, expected, mag);
}

std::vector<int> random_codes(std::mt19937& rng, int count, int lo, int hi) {
  std::uniform_int_distribution<int> dist(lo, hi);
  std::vector<int> v(count);
  for (int& x : v) x = dist(rng);
  return v;
}

TEST(QuantDequantRef, FloatTypes) {
  Bytes f16(8), bf16(8), f32(8);
  put16(f16, 0, 0x3c00);  // 1
  put16(f16, 2, 0xc000);  // -2
  put16(f16, 4, 0x0001);  // 2^-24 (subnormal)
  put16(f16, 6, 0x7bff);  // 65504
  expect_decodes(Type::F16, f16, {1.0, -2.0, std::ldexp(1.0, -24), 65504.0});
  put16(bf16, 0, 0x3f80);  // 1
  put16(bf16, 2, 0xc040);  // -3
  put16(bf16, 4, 0x4049);  // 3.140625
  put16(bf16, 6, 0x0000);
  expect_decodes(Type::BF16, bf16, {1.0, -3.0, 3.140625, 0.0});
  const float vals[2] = {1.5f, -0.25f};
  std::memcpy(f32.data(), vals, 8);
  expect_decodes(Type::F32, f32, {1.5, -0.25});
}

// Q4_0 / Q4_1 / IQ4_NL / MXFP4 share the nibble order: element j low nibble of qs[j], j+16 high.
void put_nibbles32(Bytes& b, int off, const std::vector<int>& q) {
  for (int j = 0; j < 16; ++j) b[off + j] = static_cast<std::uint8_t>(q[j] | (q[j + 16] << 4));
}

TEST(QuantDequantRef, Q4_0AndQ4_1) {
  std::mt19937 rng(1);
  for (int rep = 0; rep < 20; ++rep) {
    const auto q = random_codes(rng, 32, 0, 15);
    const std::uint16_t d = random_f16_bits(rng, -8, 2, true),
                        m = random_f16_bits(rng, -8, 2, true);
    Bytes b0(18), b1(20);
    put16(b0, 0, d);
    put_nibbles32(b0, 2, q);
    put16(b1, 0, d);
    put16(b1, 2, m);
    put_nibbles32(b1, 4, q);
    std::vector<double> e0(32), e1(32), mag1(32);
    for (int j = 0; j < 32; ++j) {
      e0[j] = (q[j] - 8) * f16_bits_value(d);
      e1[j] = q[j] * f16_bits_value(d) + f16_bits_value(m);
      mag1[j] = std::fabs(q[j] * f16_bits_value(d)) + std::fabs(f16_bits_value(m));
    }
    expect_decodes(Type::Q4_0, b0, e0);
    expect_decodes(Type::Q4_1, b1, e1, mag1);
  }
}

TEST(QuantDequantRef, Q5_0AndQ5_1) {
  std::mt19937 rng(2);
  for (int rep = 0; rep < 20; ++rep) {
    const auto q = random_codes(rng, 32, 0, 31);
    const std::uint16_t d = random_f16_bits(rng, -8, 2, true),
                        m = random_f16_bits(rng, -8, 2, true);
    std::uint32_t qh = 0;
    std::vector<int> low(32);
    for (int j = 0; j < 32; ++j) {
      qh |= static_cast<std::uint32_t>(q[j] >> 4) << j;  // element j: bit j (j+16: bit j+16)
      low[j] = q[j] & 15;
    }
    Bytes b0(22), b1(24);
    put16(b0, 0, d);
    for (int i = 0; i < 4; ++i) b0[2 + i] = static_cast<std::uint8_t>(qh >> (8 * i));
    put_nibbles32(b0, 6, low);
    put16(b1, 0, d);
    put16(b1, 2, m);
    for (int i = 0; i < 4; ++i) b1[4 + i] = static_cast<std::uint8_t>(qh >> (8 * i));
    put_nibbles32(b1, 8, low);
    std::vector<double> e0(32), e1(32), mag1(32);
    for (int j = 0; j < 32; ++j) {
      e0[j] = (q[j] - 16) * f16_bits_value(d);
      e1[j] = q[j] * f16_bits_value(d) + f16_bits_value(m);
      mag1[j] = std::fabs(q[j] * f16_bits_value(d)) + std::fabs(f16_bits_value(m));
    }
    expect_decodes(Type::Q5_0, b0, e0);
    expect_decodes(Type::Q5_1, b1, e1, mag1);
  }
}

TEST(QuantDequantRef, Q8_0AndQ8_1) {
  std::mt19937 rng(3);
  const auto q = random_codes(rng, 32, -128, 127);
  const std::uint16_t d = random_f16_bits(rng, -8, 2, true), s = 0x4000;
  Bytes b0(34), b1(36);
  put16(b0, 0, d);
  put16(b1, 0, d);
  put16(b1, 2, s);  // the sum term does not enter the element values
  std::vector<double> e(32);
  for (int j = 0; j < 32; ++j) {
    b0[2 + j] = static_cast<std::uint8_t>(q[j]);
    b1[4 + j] = static_cast<std::uint8_t>(q[j]);
    e[j] = q[j] * f16_bits_value(d);
  }
  expect_decodes(Type::Q8_0, b0, e);
  expect_decodes(Type::Q8_1, b1, e);
}

TEST(QuantDequantRef, Iq4Nl) {
  std::mt19937 rng(4);
  std::vector<int> q(32);
  for (int j = 0; j < 32; ++j) q[j] = j % 16;  // every table entry, in both nibbles
  std::swap(q[3], q[20]);
  const std::uint16_t d = random_f16_bits(rng, -8, 2, true);
  Bytes b(18);
  put16(b, 0, d);
  put_nibbles32(b, 2, q);
  std::vector<double> e(32);
  for (int j = 0; j < 32; ++j) e[j] = f16_bits_value(d) * kIq4[q[j]];
  expect_decodes(Type::IQ4_NL, b, e);
}

// Q2_K / Q3_K 2-bit plane order: element e in qs[32·(e/128) + e%32] at bits 2·((e%128)/32).
void put_plane2(Bytes& b, int off, const std::vector<int>& low2) {
  for (int e = 0; e < 256; ++e)
    b[off + 32 * (e / 128) + e % 32] |=
        static_cast<std::uint8_t>(low2[e] << (2 * ((e % 128) / 32)));
}

TEST(QuantDequantRef, Q2_K) {
  std::mt19937 rng(5);
  for (int rep = 0; rep < 10; ++rep) {
    const auto q = random_codes(rng, 256, 0, 3);
    const auto sc = random_codes(rng, 16, 0, 15), m = random_codes(rng, 16, 0, 15);
    const std::uint16_t d = random_f16_bits(rng, -8, 0, false),
                        dmin = random_f16_bits(rng, -8, 0, false);
    Bytes b(84, 0);
    for (int k = 0; k < 16; ++k) b[k] = static_cast<std::uint8_t>(sc[k] | (m[k] << 4));
    put_plane2(b, 16, q);
    put16(b, 80, d);
    put16(b, 82, dmin);
    std::vector<double> e(256), mag(256);
    for (int i = 0; i < 256; ++i) {
      const double a = f16_bits_value(d) * sc[i / 16] * q[i], c = f16_bits_value(dmin) * m[i / 16];
      e[i] = a - c;
      mag[i] = std::fabs(a) + std::fabs(c);
    }
    expect_decodes(Type::Q2_K, b, e, mag);
  }
}

TEST(QuantDequantRef, Q3_K) {
  std::mt19937 rng(6);
  for (int rep = 0; rep < 10; ++rep) {
    const auto q = random_codes(rng, 256, -4, 3);
    const auto code = random_codes(rng, 16, 0, 63);
    const std::uint16_t d = random_f16_bits(rng, -8, 0, true);
    Bytes b(110, 0);
    std::vector<int> low(256);
    for (int e = 0; e < 256; ++e) {
      const int h = q[e] >= 0 ? 1 : 0;  // a set bit means "no −4"
      low[e] = q[e] + 4 - 4 * h;
      b[e % 32] |= static_cast<std::uint8_t>(h << (e / 32));  // hmask[l] bit b ↔ element 32b+l
    }
    put_plane2(b, 32, low);
    for (int k = 0; k < 16; ++k) {
      const int lo = code[k] & 15, hi = code[k] >> 4;
      if (k < 8)
        b[96 + k] |= static_cast<std::uint8_t>(lo);
      else
        b[96 + k - 8] |= static_cast<std::uint8_t>(lo << 4);
      b[96 + 8 + k % 4] |= static_cast<std::uint8_t>(hi << (2 * (k / 4)));
    }
    put16(b, 108, d);
    std::vector<double> e(256);
    for (int i = 0; i < 256; ++i) e[i] = f16_bits_value(d) * (code[i / 16] - 32) * q[i];
    expect_decodes(Type::Q3_K, b, e);
  }
}

// Q4_K / Q5_K scales[12]: j<4: scales[j] low 6 bits = sc_j, scales[j+4] low 6 bits = m_j;
// j≥4: sc_j = scales[j+4] low nibble | (scales[j−4] bits 6–7) << 4,
//      m_j = scales[j+4] high nibble | (scales[j] bits 6–7) << 4.
Bytes pack_k4_scales(const std::vector<int>& sc, const std::vector<int>& m) {
  Bytes s(12, 0);
  for (int j = 0; j < 4; ++j) {
    s[j] = static_cast<std::uint8_t>(sc[j] | ((sc[j + 4] >> 4) << 6));
    s[j + 4] = static_cast<std::uint8_t>(m[j] | ((m[j + 4] >> 4) << 6));
    s[j + 8] = static_cast<std::uint8_t>((sc[j + 4] & 15) | ((m[j + 4] & 15) << 4));
  }
  return s;
}

void check_k45(Type type, std::uint32_t seed) {
  const bool five = type == Type::Q5_K;
  std::mt19937 rng(seed);
  for (int rep = 0; rep < 10; ++rep) {
    const auto q = random_codes(rng, 256, 0, five ? 31 : 15);
    const auto sc = random_codes(rng, 8, 0, 63), m = random_codes(rng, 8, 0, 63);
    const std::uint16_t d = random_f16_bits(rng, -10, -2, false),
                        dmin = random_f16_bits(rng, -10, -2, false);
    Bytes b(five ? 176 : 144, 0);
    put16(b, 0, d);
    put16(b, 2, dmin);
    const Bytes s = pack_k4_scales(sc, m);
    std::copy(s.begin(), s.end(), b.begin() + 4);
    const int qs = five ? 48 : 16;
    for (int c = 0; c < 4; ++c)
      for (int l = 0; l < 32; ++l) {
        const int lo = q[64 * c + l], hi = q[64 * c + 32 + l];
        b[qs + 32 * c + l] = static_cast<std::uint8_t>((lo & 15) | ((hi & 15) << 4));
        if (five)
          b[16 + l] |=
              static_cast<std::uint8_t>(((lo >> 4) << (2 * c)) | ((hi >> 4) << (2 * c + 1)));
      }
    std::vector<double> e(256), mag(256);
    for (int i = 0; i < 256; ++i) {
      const double a = f16_bits_value(d) * sc[i / 32] * q[i], c = f16_bits_value(dmin) * m[i / 32];
      e[i] = a - c;
      mag[i] = std::fabs(a) + std::fabs(c);
    }
    expect_decodes(type, b, e, mag);
  }
}

TEST(QuantDequantRef, Q4_K) {
  check_k45(Type::Q4_K, 7);
}
TEST(QuantDequantRef, Q5_K) {
  check_k45(Type::Q5_K, 8);
}

TEST(QuantDequantRef, Q6_K) {
  std::mt19937 rng(9);
  for (int rep = 0; rep < 10; ++rep) {
    const auto q = random_codes(rng, 256, 0, 63);
    const auto scales = random_codes(rng, 16, -128, 127);
    const std::uint16_t d = random_f16_bits(rng, -12, -4, true);
    Bytes b(210, 0);
    std::vector<double> e(256);
    for (int n = 0; n < 2; ++n)
      for (int l = 0; l < 32; ++l)
        for (int p = 0; p < 4; ++p) {  // element 128n + l + 32p
          const int el = 128 * n + l + 32 * p, v = q[el];
          const int ql = 64 * n + l + (p % 2) * 32;  // p = 0,2 use ql[l], p = 1,3 use ql[l+32]
          b[ql] |= static_cast<std::uint8_t>((v & 15) << (p >= 2 ? 4 : 0));
          b[128 + 32 * n + l] |= static_cast<std::uint8_t>((v >> 4) << (2 * p));
          e[el] = f16_bits_value(d) * scales[8 * n + l / 16 + 2 * p] * (v - 32);
        }
    for (int k = 0; k < 16; ++k) b[192 + k] = static_cast<std::uint8_t>(scales[k]);
    put16(b, 208, d);
    expect_decodes(Type::Q6_K, b, e);
  }
}

TEST(QuantDequantRef, Q8_K) {
  std::mt19937 rng(10);
  const auto q = random_codes(rng, 256, -128, 127);
  const float d = -0.0123f;
  Bytes b(292, 0);
  std::memcpy(b.data(), &d, 4);
  std::vector<double> e(256);
  for (int i = 0; i < 256; ++i) {
    b[4 + i] = static_cast<std::uint8_t>(q[i]);
    e[i] = static_cast<double>(d) * q[i];
  }
  expect_decodes(Type::Q8_K, b, e);
}

TEST(QuantDequantRef, Iq4Xs) {
  std::mt19937 rng(11);
  for (int rep = 0; rep < 10; ++rep) {
    const auto idx = random_codes(rng, 256, 0, 15);
    const auto ls = random_codes(rng, 8, 0, 63);
    const std::uint16_t d = random_f16_bits(rng, -10, -4, true);
    Bytes b(136, 0);
    put16(b, 0, d);
    std::uint16_t scales_h = 0;
    for (int ib = 0; ib < 8; ++ib) {
      b[4 + ib / 2] |= static_cast<std::uint8_t>((ls[ib] & 15) << (4 * (ib % 2)));
      scales_h |= static_cast<std::uint16_t>((ls[ib] >> 4) << (2 * ib));
      for (int j = 0; j < 16; ++j)
        b[8 + 16 * ib + j] =
            static_cast<std::uint8_t>(idx[32 * ib + j] | (idx[32 * ib + 16 + j] << 4));
    }
    put16(b, 2, scales_h);
    std::vector<double> e(256);
    for (int i = 0; i < 256; ++i) e[i] = f16_bits_value(d) * (ls[i / 32] - 32) * kIq4[idx[i]];
    expect_decodes(Type::IQ4_XS, b, e);
  }
}

TEST(QuantDequantRef, Mxfp4) {
  std::mt19937 rng(12);
  for (int e8 : {0, 1, 2, 100, 127, 128, 140, 250}) {
    const auto q = random_codes(rng, 32, 0, 15);
    Bytes b(17);
    b[0] = static_cast<std::uint8_t>(e8);
    put_nibbles32(b, 1, q);
    std::vector<double> e(32);
    for (int j = 0; j < 32; ++j)
      e[j] = std::ldexp(static_cast<double>(kFp4Doubled[q[j]]), e8 - 128);
    expect_decodes(Type::MXFP4, b, e);
  }
}

double ue4m3_value(int byte) {
  if (byte == 0 || byte == 0x7f) return 0.0;
  const int e = (byte >> 3) & 15, m = byte & 7;
  return e == 0 ? std::ldexp(m, -9) : std::ldexp(1.0 + m / 8.0, e - 7);
}

TEST(QuantDequantRef, Nvfp4) {
  std::mt19937 rng(13);
  const int scale_bytes[][4] = {
      {0x38, 0x00, 0x7f, 0x01}, {0x3c, 0x07, 0x7e, 0x41}, {0x20, 0x50, 0x08, 0x30}};
  for (const auto& sb : scale_bytes) {
    const auto q = random_codes(rng, 64, 0, 15);
    Bytes b(36);
    for (int s = 0; s < 4; ++s) {
      b[s] = static_cast<std::uint8_t>(sb[s]);
      for (int j = 0; j < 8; ++j)  // element 16s+j: low nibble of qs[8s+j]; 16s+j+8: high nibble
        b[4 + 8 * s + j] = static_cast<std::uint8_t>(q[16 * s + j] | (q[16 * s + j + 8] << 4));
    }
    std::vector<double> e(64);
    for (int i = 0; i < 64; ++i) e[i] = kFp4Doubled[q[i]] * ue4m3_value(sb[i / 16]) * 0.5;
    expect_decodes(Type::NVFP4, b, e);
  }
}

TEST(QuantDequantRef, ConsecutiveBlocksDecodeIndependently) {
  // Two Q4_0 blocks: the second block's values depend only on its own bytes.
  Bytes b(36, 0);
  put16(b, 0, 0x3c00);   // d = 1
  put16(b, 18, 0x4000);  // d = 2
  for (int j = 0; j < 16; ++j) {
    b[2 + j] = 0x98;   // low 8 → 0, high 9 → 1
    b[20 + j] = 0x07;  // low 7 → −1, high 0 → −8
  }
  std::vector<double> e(64);
  for (int j = 0; j < 16; ++j) {
    e[j] = 0;
    e[j + 16] = 1;
    e[32 + j] = -2;
    e[48 + j] = -16;
  }
  expect_decodes(Type::Q4_0, b, e);
}

}  // namespace
}  // namespace coderx::model::quant
