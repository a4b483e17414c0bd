// Packed sub-block scale codes of the k-quants, decoded and encoded as the spec describes:
// Q4_K/Q5_K 6-bit scales and mins (gemma4-moe.md §8.4), Q3_K 6-bit signed scales
// (formats-extra.md §1.3), IQ4_XS 6-bit scales (formats-extra.md §1.4). Internal to model/quant;
// shared by the reference decoders, the dot products and the quantisers. Pure inline functions.
#pragma once

#include <cstdint>

namespace coderx::model::quant {

// Q4_K / Q5_K: scale sc_j and min m_j (0…63) of sub-block j (0…7) from scales[12].
inline void k4_scale_min(const std::uint8_t* s, int j, int& sc, int& m) {
  if (j < 4) {
    sc = s[j] & 63;
    m = s[j + 4] & 63;
  } else {
    sc = (s[j + 4] & 15) | ((s[j - 4] >> 6) << 4);
    m = (s[j + 4] >> 4) | ((s[j] >> 6) << 4);
  }
}

// Inverse of k4_scale_min: packs eight 6-bit scales and mins into scales[12].
inline void k4_pack_scales(const std::uint8_t* sc, const std::uint8_t* m, std::uint8_t* s) {
  for (int j = 0; j < 4; ++j) {
    s[j] = static_cast<std::uint8_t>((sc[j] & 63) | ((sc[j + 4] >> 4) << 6));
    s[j + 4] = static_cast<std::uint8_t>((m[j] & 63) | ((m[j + 4] >> 4) << 6));
    s[j + 8] = static_cast<std::uint8_t>((sc[j + 4] & 15) | ((m[j + 4] & 15) << 4));
  }
}

// Q3_K: 6-bit code c_k (0…63) of sub-block k (0…15); the signed scale is c_k − 32.
inline int k3_scale_code(const std::uint8_t* s, int k) {
  int low = k < 8 ? (s[k] & 15) : (s[k - 8] >> 4);
  int high = (s[8 + (k % 4)] >> (2 * (k / 4))) & 3;
  return low | (high << 4);
}

// Inverse of k3_scale_code: packs sixteen 6-bit codes into scales[12].
inline void k3_pack_scales(const std::uint8_t* code, std::uint8_t* s) {
  for (int i = 0; i < 12; ++i) s[i] = 0;
  for (int k = 0; k < 16; ++k) {
    if (k < 8)
      s[k] |= static_cast<std::uint8_t>(code[k] & 15);
    else
      s[k - 8] |= static_cast<std::uint8_t>((code[k] & 15) << 4);
    s[8 + (k % 4)] |= static_cast<std::uint8_t>(((code[k] >> 4) & 3) << (2 * (k / 4)));
  }
}

// IQ4_XS: 6-bit code ls_ib (0…63) of sub-block ib (0…7); the signed scale is ls_ib − 32.
inline int iq4xs_scale_code(std::uint16_t scales_h, const std::uint8_t* scales_l, int ib) {
  int low = (scales_l[ib / 2] >> (4 * (ib % 2))) & 15;
  int high = (scales_h >> (2 * ib)) & 3;
  return low | (high << 4);
}

}  // namespace coderx::model::quant
