// Helpers for model tests: owned weight matrices in F32/F16/BF16 built from random values,
// exposed as Matrix / ExpertMatrices views, and NMSE. Header-only, test code only.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

#include "model/op_args.h"
#include "model/quant/rows.h"
#include "model/quant/types.h"

namespace coderx::model::testing {

inline std::vector<float> random_floats(std::size_t n, std::uint32_t seed, float scale = 1.0f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, scale);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

// Owns the bytes of `count` stacked matrices of rows × cols in `type`.
struct OwnedMatrix {
  quant::Type type = quant::Type::F32;
  std::int64_t cols = 0, rows = 0, count = 1;
  std::vector<std::byte> bytes;
  std::vector<float> values;  // the values before quantisation, [count, rows, cols]

  std::size_t row_bytes() const { return quant::row_bytes(type, cols); }
  Matrix view(float out_scale = 1.0f) const {
    return Matrix{type, bytes.data(), cols, rows, row_bytes(), out_scale};
  }
  ExpertMatrices experts(const float* out_scale = nullptr) const {
    return ExpertMatrices{type, bytes.data(), cols, rows, count, row_bytes(), out_scale};
  }
  // Decoded value of element (row r of matrix m, column i) as the reference decoder sees it.
  std::vector<float> decoded_row(std::int64_t m, std::int64_t r) const {
    std::vector<float> out(static_cast<std::size_t>(cols));
    quant::dequantize_row_ref(type, bytes.data() + (m * rows + r) * row_bytes(), out.data(), cols);
    return out;
  }
};

inline OwnedMatrix make_matrix(quant::Type type, std::int64_t rows, std::int64_t cols,
                               std::uint32_t seed, float scale = 0.1f, std::int64_t count = 1) {
  OwnedMatrix m;
  m.type = type;
  m.rows = rows;
  m.cols = cols;
  m.count = count;
  m.values = random_floats(static_cast<std::size_t>(rows * cols * count), seed, scale);
  m.bytes.resize(m.row_bytes() * static_cast<std::size_t>(rows * count));
  for (std::int64_t r = 0; r < rows * count; ++r)
    quant::quantize_row(type, m.values.data() + r * cols, m.bytes.data() + r * m.row_bytes(), cols);
  return m;
}

inline double nmse(const float* a, const float* b, std::size_t n) {
  double num = 0, den = 0;
  for (std::size_t i = 0; i < n; ++i) {
    num += (static_cast<double>(a[i]) - b[i]) * (static_cast<double>(a[i]) - b[i]);
    den += static_cast<double>(b[i]) * b[i];
  }
  return den > 0 ? num / den : num;
}
inline double nmse(const std::vector<float>& a, const std::vector<float>& b) {
  return nmse(a.data(), b.data(), std::min(a.size(), b.size()));
}

}  // namespace coderx::model::testing
