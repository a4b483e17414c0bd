// Row-level operations on quantised data, the interface every op uses for weights:
//   - dequantize_row_ref: the scalar reference decoder, written straight from the block layout
//     in the spec; the oracle for everything else.
//   - dequantize_row: the fast decoder (SIMD where it pays), same results.
//   - quantize_activation + dot_row: the fast matrix-vector building block. An activation row
//     is converted once to the weight type's activation_type (Q8_0, Q8_1, Q8_K, F16, BF16 or
//     F32 — spec gemma4-moe.md §7.13) and then dotted with many weight rows of that type.
//   - quantize_row: float → blocks, for the types that can_quantize() (writing test models).
// n is the row length in elements and must be a whole number of blocks of the type concerned.
// AVX-512 / AVX2 / scalar variants are chosen once at run time (simd_level()); the environment
// variable CODERX_SIMD=scalar|avx2|avx512 or set_simd_level() lowers the choice (never above what
// the CPU has). The AVX-512 level uses VNNI dot products where the CPU has AVX512-VNNI and the
// AVX2 kernels otherwise. Buffers need no particular alignment.
// For a matrix-vector product prefer dot_rows over a loop of dot_row: it has 4-row kernels for
// some types (Q4_0, Q5_0) and is never slower.
// All functions are pure and thread-safe (set_simd_level is meant for tests and benchmarks: call
// it while no other thread runs these functions).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "model/quant/types.h"

namespace coderx::model::quant {

void dequantize_row_ref(Type type, const void* src, float* dst, std::int64_t n);
void dequantize_row(Type type, const void* src, float* dst, std::int64_t n);

// Size of the buffer quantize_activation writes for a row of n elements against weights of
// type weight_type.
std::size_t activation_bytes(Type weight_type, std::int64_t n);
void quantize_activation(Type weight_type, const float* x, void* dst, std::int64_t n);

// Σ_i w[i]·x[i] with w one weight row of weight_type and x prepared by quantize_activation.
float dot_row(Type weight_type, const void* weight_row, const void* activation, std::int64_t n);
// The same sum computed by the scalar reference implementation of the same integer/float
// arithmetic (for testing dot_row's SIMD paths).
float dot_row_ref(Type weight_type, const void* weight_row, const void* activation, std::int64_t n);

bool can_quantize(Type type);
void quantize_row(Type type, const float* src, void* dst, std::int64_t n);

// "avx512", "avx2" or "scalar": which fast paths this process uses.
std::string_view simd_level();

// out[r] = dot_row(weight_type, weight + r·row_stride bytes, activation, n) for r < n_rows:
// one activation against several rows of a matrix (faster than separate calls: the activation
// is read once for every few rows). Same results as dot_row up to f32 summation order.
// The repacked types (Q4_K_R8, Q5_0_R8, Q8_0_R8: repack.h), which dot_row does not take, work
// on whole groups of eight rows (n_rows a multiple of 8, weight at a group's start) and give
// each row the bits dot_rows of the plain type gives it before repacking; so does
// dot_rows_cols.
void dot_rows(Type weight_type, const void* weight, std::size_t row_stride, std::int64_t n_rows,
              const void* activation, std::int64_t n, float* out);

// out[c·out_stride + r] = dot_row(weight_type, weight + r·row_stride, acts[c], n) for r < n_rows,
// c < n_act: the matrix-matrix form (batched prefill, grouped experts). Where the type has a
// column kernel each row is decoded once per four activations; from eight activations on, types
// with packed tiles (KernelTable::pack) have their rows packed once per call. Bit-identical,
// activation by activation, to dot_rows over the same rows.
void dot_rows_cols(Type weight_type, const void* weight, std::size_t row_stride,
                   std::int64_t n_rows, const void* const* acts, std::int64_t n_act,
                   std::int64_t n, float* out, std::int64_t out_stride);

enum class SimdLevel { Scalar = 0, Avx2 = 1, Avx512 = 2 };
SimdLevel cpu_simd_level();  // the best level this CPU and OS support
// Selects the level used by dequantize_row / dot_row / dot_rows, clamped to cpu_simd_level();
// returns the level now in effect.
SimdLevel set_simd_level(SimdLevel level);
SimdLevel current_simd_level();  // the level in effect (also the widest vec:: kernels allowed)
std::string_view simd_level_name(SimdLevel level);

}  // namespace coderx::model::quant
