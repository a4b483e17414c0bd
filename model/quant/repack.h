// Weight rows repacked in groups of eight, the layouts the CPU's matrix-vector products read
// fastest: Q4_K_R8, Q5_0_R8 and Q8_0_R8 (types.h). In a file's rows each value needs its own
// decode and each block's scales are unpacked once per row; with eight rows interleaved, one
// 32-byte load holds four consecutive values of each of the eight rows (one u8·s8 dot product
// instruction forms all eight rows' partial sums) and the scales of all eight rows come
// together. The bytes are the same, only moved: a matrix keeps its size, and rows 8g…8g+7 stay
// where row 8g started, so every offset of a whole group is unchanged.
// Per block (super-block for Q4_K) of a group, in order (spec gemma4-moe.md §8.2–8.4 for the
// plain blocks):
//   Q4_K_R8, 1,152 bytes = 8 × 144: the f16 d of rows 0…7, their f16 dmin, the 12 packed scale
//     bytes transposed (byte k of row r at kScales + 8k + r), then the values: byte
//     32g + 4c + i of row r's qs (g < 4 groups of 64 values, c < 8, i < 4) at
//     kQs + 256g + 32c + 4r + i.
//   Q5_0_R8, 176 bytes = 8 × 22: the f16 d of rows 0…7; eight 32-bit masks, mask l holding the
//     high bits of values 4l…4l+3 of every row (bit 4r + i = bit 4l + i of row r's qh); then
//     byte 4c + i of row r's qs (c < 4, i < 4) at kQs + 32c + 4r + i (its low nibble is value
//     4c + i, its high nibble value 16 + 4c + i).
//   Q8_0_R8, 272 bytes = 8 × 34: the f16 d of rows 0…7, then value 4l + i of row r (l < 8) at
//     kQs + 32l + 4r + i.
// Only the CPU fast path uses them (model/repacked_weights.h); the reference path and the CUDA
// backend read the file's own rows. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "model/quant/types.h"

namespace coderx::model::quant {

inline constexpr int kRepackRows = 8;

namespace q4_k_r8 {
inline constexpr int kD = 0, kDmin = 16, kScales = 32, kQs = 128, kBytes = 1152;
}
namespace q5_0_r8 {
inline constexpr int kD = 0, kMasks = 16, kQs = 48, kBytes = 176;
}
namespace q8_0_r8 {
inline constexpr int kD = 0, kQs = 16, kBytes = 272;
}

// The repacked form of `type` for matrices of n_rows rows, if there is one (Q4_K, Q5_0 and Q8_0
// with a whole number of groups of eight rows).
bool can_repack(Type type, std::int64_t n_rows);
Type repacked_type(Type type);
// Each repackable type and its repacked form.
struct RepackPair {
  Type plain, repacked;
};
inline constexpr RepackPair kRepackPairs[] = {
    {Type::Q4_K, Type::Q4_K_R8}, {Type::Q5_0, Type::Q5_0_R8}, {Type::Q8_0, Type::Q8_0_R8}};

// Q4_K_R8 → Q4_K etc.; nullopt for a type that is not a repacked one. Inline, as the kernel
// dispatch asks at every call of a decode step's products.
constexpr std::optional<Type> plain_type(Type repacked) {
  for (const RepackPair& p : kRepackPairs)
    if (p.repacked == repacked) return p.plain;
  return std::nullopt;
}
// "Q4_K_R8" (any case) → Q4_K_R8 etc., for benchmarks; nullopt for other names.
std::optional<Type> repacked_type_from_name(std::string_view name);

// Rows [0, n_rows) of n elements, row r at src + r·row_bytes(type, n), into dst (the same number
// of bytes) in repacked_type(type)'s layout; can_repack(type, n_rows) must hold.
void repack_rows(Type type, const void* src, std::int64_t n_rows, std::int64_t n, void* dst);
// The inverse for one group of a repacked type: its eight rows, row r written at rows + r·stride.
void unpack_group(Type repacked, const void* group, std::int64_t n, void* rows, std::size_t stride);

}  // namespace coderx::model::quant
