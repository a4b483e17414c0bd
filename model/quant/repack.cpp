#include "model/quant/repack.h"

#include <algorithm>
#include <cassert>
#include <cctype>
#include <cstring>

#include "model/quant/block_layout.h"

namespace coderx::model::quant {

namespace {

namespace L = layout;
constexpr int R = kRepackRows;

// The pieces of row r's block b that move: move(offset in the group's block, offset in the
// row's block, bytes). Q5_0's high bits, which move bit by bit, are left to q5_0_masks.
template <class Move>
void for_each_piece(Type type, int r, Move&& move) {
  switch (type) {
    case Type::Q4_K:
      move(q4_k_r8::kD + 2 * r, L::q4_k::kD, 2);
      move(q4_k_r8::kDmin + 2 * r, L::q4_k::kDmin, 2);
      for (int k = 0; k < 12; ++k) move(q4_k_r8::kScales + 8 * k + r, L::q4_k::kScales + k, 1);
      for (int g = 0; g < 4; ++g)
        for (int c = 0; c < 8; ++c)
          move(q4_k_r8::kQs + 256 * g + 32 * c + 4 * r, L::q4_k::kQs + 32 * g + 4 * c, 4);
      return;
    case Type::Q5_0:
      move(q5_0_r8::kD + 2 * r, L::q5_0::kD, 2);
      for (int c = 0; c < 4; ++c) move(q5_0_r8::kQs + 32 * c + 4 * r, L::q5_0::kQs + 4 * c, 4);
      return;
    case Type::Q8_0:
      move(q8_0_r8::kD + 2 * r, L::q8_0::kD, 2);
      for (int l = 0; l < 8; ++l) move(q8_0_r8::kQs + 32 * l + 4 * r, L::q8_0::kQs + 4 * l, 4);
      return;
    default:
      assert(false && "repack: not a repackable type");
  }
}

// A block of a group is eight rows' blocks: the same bytes.
static_assert(q4_k_r8::kBytes == R * L::q4_k::kBytes && q5_0_r8::kBytes == R * L::q5_0::kBytes &&
              q8_0_r8::kBytes == R * L::q8_0::kBytes);

const RepackPair* pair_of_plain(Type plain) {
  for (const RepackPair& p : kRepackPairs)
    if (p.plain == plain) return &p;
  return nullptr;
}

std::uint32_t load_u32(const std::uint8_t* p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// Q5_0's qh words of the eight rows (rows r at row + r·stride) → the group's eight masks.
void pack_q5_0_masks(const std::uint8_t* const* rows, std::uint8_t* block) {
  for (int l = 0; l < 8; ++l) {
    std::uint32_t mask = 0;
    for (int r = 0; r < R; ++r)
      mask |= ((load_u32(rows[r] + L::q5_0::kQh) >> (4 * l)) & 15u) << (4 * r);
    std::memcpy(block + q5_0_r8::kMasks + 4 * l, &mask, 4);
  }
}

void unpack_q5_0_masks(const std::uint8_t* block, std::uint8_t* const* rows) {
  for (int r = 0; r < R; ++r) {
    std::uint32_t qh = 0;
    for (int l = 0; l < 8; ++l)
      qh |= ((load_u32(block + q5_0_r8::kMasks + 4 * l) >> (4 * r)) & 15u) << (4 * l);
    std::memcpy(rows[r] + L::q5_0::kQh, &qh, 4);
  }
}

}  // namespace

bool can_repack(Type type, std::int64_t n_rows) {
  return pair_of_plain(type) && n_rows > 0 && n_rows % R == 0;
}

Type repacked_type(Type type) {
  assert(pair_of_plain(type) && "repack: not a repackable type");
  return pair_of_plain(type)->repacked;
}

std::optional<Type> repacked_type_from_name(std::string_view name) {
  for (const RepackPair& p : kRepackPairs) {
    const std::string_view want = info(p.repacked).name;
    if (name.size() == want.size() &&
        std::equal(name.begin(), name.end(), want.begin(),
                   [](char a, char b) { return std::toupper(static_cast<unsigned char>(a)) == b; }))
      return p.repacked;
  }
  return std::nullopt;
}

void repack_rows(Type type, const void* src, std::int64_t n_rows, std::int64_t n, void* dst) {
  assert(can_repack(type, n_rows));
  const std::size_t stride = row_bytes(type, n);
  const std::int64_t row_block = info(type).block_bytes, nb = n / info(type).block_elems;
  const auto* in = static_cast<const std::uint8_t*>(src);
  auto* out = static_cast<std::uint8_t*>(dst);
  for (std::int64_t g = 0; g < n_rows / R; ++g)
    for (std::int64_t b = 0; b < nb; ++b) {
      std::uint8_t* block = out + g * R * stride + b * R * row_block;
      const std::uint8_t* rows[R];
      for (int r = 0; r < R; ++r) rows[r] = in + (g * R + r) * stride + b * row_block;
      for (int r = 0; r < R; ++r)
        for_each_piece(type, r, [&](int at, int from, int bytes) {
          std::memcpy(block + at, rows[r] + from, bytes);
        });
      if (type == Type::Q5_0) pack_q5_0_masks(rows, block);
    }
}

void unpack_group(Type repacked, const void* group, std::int64_t n, void* rows,
                  std::size_t stride) {
  const Type type = *plain_type(repacked);
  const std::int64_t row_block = info(type).block_bytes, nb = n / info(type).block_elems;
  const auto* in = static_cast<const std::uint8_t*>(group);
  auto* out = static_cast<std::uint8_t*>(rows);
  for (std::int64_t b = 0; b < nb; ++b) {
    const std::uint8_t* block = in + b * R * row_block;
    std::uint8_t* dst[R];
    for (int r = 0; r < R; ++r) dst[r] = out + r * stride + b * row_block;
    for (int r = 0; r < R; ++r)
      for_each_piece(type, r, [&](int at, int from, int bytes) {
        std::memcpy(dst[r] + from, block + at, bytes);
      });
    if (type == Type::Q5_0) unpack_q5_0_masks(block, dst);
  }
}

}  // namespace coderx::model::quant
