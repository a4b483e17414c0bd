#include "model/quant/repack.h"

#include <cassert>
#include <cstring>

#include "model/quant/block_layout.h"

namespace coderx::model::quant {

namespace {

namespace L = layout;
namespace R = q4_k_r8;

// The byte offsets of one Q4_K super-block's pieces in the group's super-block, row r:
// calls move(group offset, row offset, bytes) for each piece.
template <class Move>
void for_each_piece(int r, Move&& move) {
  move(R::kD + 2 * r, L::q4_k::kD, 2);
  move(R::kDmin + 2 * r, L::q4_k::kDmin, 2);
  for (int k = 0; k < 12; ++k) move(R::kScales + 8 * k + r, L::q4_k::kScales + k, 1);
  for (int g = 0; g < 4; ++g)
    for (int c = 0; c < 8; ++c)
      move(R::kQs + 256 * g + 32 * c + 4 * r, L::q4_k::kQs + 32 * g + 4 * c, 4);
}

}  // namespace

bool can_repack(Type type, std::int64_t n_rows) {
  return type == Type::Q4_K && n_rows > 0 && n_rows % R::kRows == 0;
}

Type repacked_type(Type type) {
  assert(type == Type::Q4_K);
  (void)type;
  return Type::Q4_K_R8;
}

void repack_rows(Type type, const void* src, std::int64_t n_rows, std::int64_t n, void* dst) {
  assert(can_repack(type, n_rows));
  const std::size_t stride = row_bytes(type, n);
  const auto* in = static_cast<const std::uint8_t*>(src);
  auto* out = static_cast<std::uint8_t*>(dst);
  for (std::int64_t g = 0; g < n_rows / R::kRows; ++g)
    for (std::int64_t b = 0; b < n / 256; ++b) {
      std::uint8_t* block = out + g * R::kRows * stride + b * R::kBytes;
      for (int r = 0; r < R::kRows; ++r) {
        const std::uint8_t* row = in + (g * R::kRows + r) * stride + b * L::q4_k::kBytes;
        for_each_piece(
            r, [&](int at, int from, int bytes) { std::memcpy(block + at, row + from, bytes); });
      }
    }
}

void unpack_q4_k_r8(const void* group, std::int64_t n, void* rows, std::size_t stride) {
  const auto* in = static_cast<const std::uint8_t*>(group);
  auto* out = static_cast<std::uint8_t*>(rows);
  for (std::int64_t b = 0; b < n / 256; ++b) {
    const std::uint8_t* block = in + b * R::kBytes;
    for (int r = 0; r < R::kRows; ++r) {
      std::uint8_t* row = out + r * stride + b * L::q4_k::kBytes;
      for_each_piece(
          r, [&](int at, int from, int bytes) { std::memcpy(row + from, block + at, bytes); });
    }
  }
}

}  // namespace coderx::model::quant
