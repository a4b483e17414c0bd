// Small helpers shared by the weight quantisers (quantize_*.cpp): largest-magnitude element,
// nearest entry of a sorted non-uniform grid, and clamped rounding. Internal to model/quant.
// Pure inline functions.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace coderx::model::quant {

// The signed value of the element with the largest |x| (the first one on ties).
inline float signed_abs_max(const float* x, int count) {
  float amax = 0.0f, m = 0.0f;
  for (int i = 0; i < count; ++i)
    if (std::fabs(x[i]) > amax) amax = std::fabs(x[i]), m = x[i];
  return m;
}

inline int round_clamp(float v, int lo, int hi) {
  return std::clamp(static_cast<int>(std::lrint(v)), lo, hi);
}

// Index of the entry of `grid` (16 ascending values) nearest to v.
inline int nearest_index16(const std::int8_t* grid, float v) {
  int best = 0;
  float best_err = std::fabs(v - grid[0]);
  for (int i = 1; i < 16; ++i) {
    const float err = std::fabs(v - grid[i]);
    if (err < best_err) best_err = err, best = i;
  }
  return best;
}

// IQ4 grid (kIq4Values) helpers, defined in quantize_legacy.cpp, shared with IQ4_XS:
// codes for `count` (≤ 256) elements at scale d, returning the squared error; and the scale
// with the smallest error among a few candidates (0 for an all-zero input).
float iq4_assign(const float* x, int count, float d, std::uint8_t* codes);
float iq4_best_scale(const float* x, int count);

}  // namespace coderx::model::quant
