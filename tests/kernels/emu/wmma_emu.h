// nvcuda::wmma for the CUDA emulation (cuda_emu.h), in the subset the kernels use: the
// m16n16k16 bf16 and f16 shapes with a row-major A, a column- or row-major B and a float
// accumulator. Elements load as floats (bf16 and f16 convert exactly). The kernels only touch fragments through the API,
// so the per-lane element layout never shows:
// lane 0 of each warp holds the whole tile and does the warp's loads, products and stores (the
// calls are warp-wide, and a kernel must synchronise before other lanes read a stored tile, as
// on the GPU); mma_sync accumulates in float, k ascending.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include "fiber_grid.h"

namespace nvcuda::wmma {

inline bool leads_warp() { return (::coderx::emu::thread_idx().x & 31) == 0; }

struct matrix_a {};
struct matrix_b {};
struct accumulator {};
struct row_major {};
struct col_major {};
enum layout_t { mem_row_major, mem_col_major };

template <class Use, int M, int N, int K>
struct tile_shape;
template <int M, int N, int K>
struct tile_shape<matrix_a, M, N, K> {
  static constexpr int rows = M, cols = K;
};
template <int M, int N, int K>
struct tile_shape<matrix_b, M, N, K> {
  static constexpr int rows = K, cols = N;
};
template <int M, int N, int K>
struct tile_shape<accumulator, M, N, K> {
  static constexpr int rows = M, cols = N;
};

template <class Use, int M, int N, int K, class T, class Layout = void>
struct fragment {
  static constexpr int rows = tile_shape<Use, M, N, K>::rows, cols = tile_shape<Use, M, N, K>::cols;
  float x[rows * cols];  // row-major, whatever the memory layout
};

template <class Use, int M, int N, int K, class T, class Layout>
void fill_fragment(fragment<Use, M, N, K, T, Layout>& f, float value) {
  if (!leads_warp()) return;
  for (float& e : f.x) e = value;
}

inline float element_value(float v) { return v; }
inline float element_value(__nv_bfloat16 v) { return __bfloat162float(v); }
inline float element_value(__half v) { return __half2float(v); }

template <int M, int N, int K, class T, class E>
void load_matrix_sync(fragment<matrix_a, M, N, K, T, row_major>& f, const E* p, unsigned ld) {
  if (!leads_warp()) return;
  for (int i = 0; i < f.rows; ++i)
    for (int k = 0; k < f.cols; ++k) f.x[i * f.cols + k] = element_value(p[i * ld + k]);
}

template <int M, int N, int K, class T, class E>
void load_matrix_sync(fragment<matrix_b, M, N, K, T, col_major>& f, const E* p, unsigned ld) {
  if (!leads_warp()) return;
  for (int k = 0; k < f.rows; ++k)
    for (int j = 0; j < f.cols; ++j) f.x[k * f.cols + j] = element_value(p[k + j * ld]);
}

template <int M, int N, int K, class T, class E>
void load_matrix_sync(fragment<matrix_b, M, N, K, T, row_major>& f, const E* p, unsigned ld) {
  if (!leads_warp()) return;
  for (int k = 0; k < f.rows; ++k)
    for (int j = 0; j < f.cols; ++j) f.x[k * f.cols + j] = element_value(p[k * ld + j]);
}

template <int M, int N, int K, class TA, class TB, class LB, class TC>
void mma_sync(fragment<accumulator, M, N, K, TC>& d, const fragment<matrix_a, M, N, K, TA, row_major>& a,
              const fragment<matrix_b, M, N, K, TB, LB>& b, const fragment<accumulator, M, N, K, TC>& c) {
  if (!leads_warp()) return;
  float out[M * N];
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < N; ++j) {
      float s = c.x[i * N + j];
      for (int k = 0; k < K; ++k) s += a.x[i * K + k] * b.x[k * N + j];
      out[i * N + j] = s;
    }
  std::memcpy(d.x, out, sizeof out);
}

template <int M, int N, int K, class T>
void store_matrix_sync(float* p, const fragment<accumulator, M, N, K, T>& f, unsigned ld, layout_t layout) {
  if (!leads_warp()) return;
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < N; ++j) {
      float& dst = layout == mem_row_major ? p[i * ld + j] : p[i + j * ld];
      dst = f.x[i * N + j];
    }
}

}  // namespace nvcuda::wmma
