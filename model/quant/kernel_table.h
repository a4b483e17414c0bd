// The per-type function tables behind rows.h. Internal to model/quant.
// Each implementation file registers its functions into a KernelTable through one add_* function
// (declared below); dispatch.cpp builds one table per SIMD level (scalar reference, then AVX2 and
// AVX-512 entries overriding it) once, at first use, and rows.h calls go through the selected one.
// All kernels take raw byte pointers with no alignment requirement and n = row length in
// elements (a whole number of blocks); they are pure and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>

#include "model/quant/types.h"

namespace coderx::model::quant {

using DequantFn = void (*)(const std::uint8_t* src, float* dst, std::int64_t n);
// Σ w·x over one row; a = the activation in the weight type's activation_type.
using DotFn = float (*)(const std::uint8_t* w, const std::uint8_t* a, std::int64_t n);
// out[r] = dot(row r, a) for r < 4; rows at w + r·row_stride bytes.
using Dot4Fn = void (*)(const std::uint8_t* w, std::size_t row_stride, const std::uint8_t* a,
                        std::int64_t n, float* out);
// out[c] = dot(w, acts[c]) for c < kDotCols: one row against kDotCols activations, the row's
// blocks decoded once for all of them (the matrix-matrix building block of batched prefill).
// Per (row, activation) the f32 operations are exactly those of the row kernel that dot_rows
// uses for that row (dot4 for rows in a complete group of four when the type has one, dot
// otherwise), so results are bit-identical whichever path computed them.
// prep: what the type's col_prep wrote for these activations (null for types without one).
inline constexpr int kDotCols = 4;
using DotColsFn = void (*)(const std::uint8_t* w, const std::uint8_t* const* acts,
                           const std::uint8_t* prep, std::int64_t n, float* out);
// What a type's column kernel needs of kDotCols activations besides their values (their block
// scales as f32, say), in the order it reads it: formed once per group of rows instead of once
// per row. Writes col_prep_bytes per 32 elements at dst (16-byte aligned).
using ColPrepFn = void (*)(const std::uint8_t* const* acts, std::int64_t n, std::uint8_t* dst);
// Rows pre-decoded for column products: pack writes tile_rows rows (the first at w, the next
// stride bytes on) of n elements each in a layout of tile_rows · packed_bytes bytes per 32
// elements, which dot_cols_packed reads with fewer instructions than dot_cols spends decoding
// the rows again for every four activations; dot_cols_packed writes out[c · tile_rows + r],
// bit-identical to dot_cols on row r. Worth it from two groups of activations on (prefill).
using PackFn = void (*)(const std::uint8_t* w, std::size_t stride, std::int64_t n,
                        std::uint8_t* dst);
// out[r] = dot(row r, a) for the eight rows of one group of a repacked type (Q4_K_R8 …,
// repack.h), each bit-identical to the plain type's dot on that row.
using Dot8Fn = void (*)(const std::uint8_t* group, const std::uint8_t* a, std::int64_t n,
                        float* out);
// out[c·8 + r] = dot(row r, acts[c]) for c < kDotCols: dot8 for a decode batch, the group's
// values decoded once for all the activations.
using Dot8ColsFn = void (*)(const std::uint8_t* group, const std::uint8_t* const* acts,
                            std::int64_t n, float* out);
using QuantFn = void (*)(const float* src, std::uint8_t* dst, std::int64_t n);

inline constexpr int kTypeSlots = 44;  // indexed by type id (ggml ids up to 40, then the _R8 types)

struct KernelTable {
  DequantFn dequant[kTypeSlots] = {};
  DotFn dot[kTypeSlots] = {};
  Dot4Fn dot4[kTypeSlots] = {};  // optional; dispatch falls back to four dot calls
  Dot8Fn dot8[kTypeSlots] = {};  // optional; the _R8 types fall back to unpacking, dot per row
  Dot8ColsFn dot8_cols[kTypeSlots] = {};  // optional, likewise
  DotColsFn dot_cols[kTypeSlots] = {};  // optional; dispatch falls back to dot / dot4 per column
  PackFn pack[kTypeSlots] = {};         // optional, with dot_cols_packed and packed_bytes
  DotColsFn dot_cols_packed[kTypeSlots] = {};
  int packed_bytes[kTypeSlots] = {};    // per 32 elements of a row
  int tile_rows[kTypeSlots] = {};       // rows per packed tile (0 is taken as 1)
  ColPrepFn col_prep[kTypeSlots] = {};  // optional, with col_prep_bytes
  int col_prep_bytes[kTypeSlots] = {};  // per 32 elements
  QuantFn quantize[kTypeSlots] = {};
};

inline int slot(Type t) {
  return static_cast<int>(t);
}

// Scalar references (the oracle; also the "scalar" level).
void add_dequant_ref_float(KernelTable& t);    // F32, F16, BF16
void add_dequant_ref_legacy(KernelTable& t);   // Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1, IQ4_NL
void add_dequant_ref_kquants(KernelTable& t);  // Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K
void add_dequant_ref_iq4_xs(KernelTable& t);   // IQ4_XS
void add_dequant_ref_fp4(KernelTable& t);      // MXFP4, NVFP4
void add_dot_ref_float(KernelTable& t);
void add_dot_ref_legacy(KernelTable& t);
void add_dot_ref_kquants(KernelTable& t);
void add_dot_ref_fp4(KernelTable& t);
void add_activation_quantizers(KernelTable& t);  // Q8_0, Q8_1, Q8_K (+ F32, F16, BF16)
void add_quantizers_legacy(KernelTable& t);      // Q4_0, Q4_1, Q5_0, Q5_1, IQ4_NL
void add_quantizers_kquants(KernelTable& t);     // Q2_K … Q6_K, IQ4_XS
void add_quantizers_fp4(KernelTable& t);         // MXFP4, NVFP4

// SIMD levels: each overrides the entries it accelerates. Only called when the CPU has the ISA.
void add_avx2_dot(KernelTable& t);      // every weight type
void add_avx2_dequant(KernelTable& t);  // the common weight types
void add_avx512_dot(KernelTable& t);    // every weight type; needs AVX512-VNNI
void add_avx2_activation_quantizers(KernelTable& t);  // Q8_0, Q8_1, Q8_K (reference entries first)

}  // namespace coderx::model::quant
