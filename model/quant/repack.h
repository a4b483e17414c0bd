// Q4_K_R8: Q4_K weight rows repacked in groups of eight, the layout the CPU's matrix-vector
// products read fastest. In a Q4_K row each 4-bit value needs its own decode and the 6-bit
// sub-block scales are unpacked once per row and super-block; with eight rows interleaved, one
// 32-byte load holds four consecutive values of each of the eight rows (one u8·s8 dot product
// instruction forms all eight rows' partial sums) and the scales of all eight rows unpack
// together. The bytes are the same, only moved: a matrix keeps its size, and rows 8g…8g+7 stay
// where row 8g started, so every offset of a whole group is unchanged.
// Layout of one super-block (256 columns) of a group, 1,152 bytes = 8 × 144 (Q4_K, spec
// gemma4-moe.md §8.4): the f16 d of rows 0…7, then their f16 dmin, then the 12 packed scale
// bytes transposed (byte k of row r at kScales + 8k + r), then the values: byte 32g + 4c + i of
// row r's qs (g < 4 groups of 64 values, c < 8 chunks, i < 4) at kQs + 256g + 32c + 4r + i.
// Only the CPU fast path uses it (model/repacked_weights.h); the reference path and the CUDA
// backend read the file's own rows. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>

#include "model/quant/types.h"

namespace coderx::model::quant {

namespace q4_k_r8 {
inline constexpr int kRows = 8;
inline constexpr int kD = 0, kDmin = 16, kScales = 32, kQs = 128, kBytes = 1152;
}  // namespace q4_k_r8

// The repacked form of `type` for matrices of n_rows rows, if there is one (Q4_K_R8 for Q4_K
// with a whole number of groups of eight rows).
bool can_repack(Type type, std::int64_t n_rows);
Type repacked_type(Type type);

// Rows [0, n_rows) of n elements, row r at src + r·row_bytes(type, n), into dst (the same number
// of bytes) in repacked_type(type)'s layout; can_repack(type, n_rows) must hold.
void repack_rows(Type type, const void* src, std::int64_t n_rows, std::int64_t n, void* dst);
// The inverse for one group: its eight rows, row r written at rows + r·stride.
void unpack_q4_k_r8(const void* group, std::int64_t n, void* rows, std::size_t stride);

}  // namespace coderx::model::quant
