#include "tests/support/quant_blocks.h"

#include <cmath>
#include <cstring>

namespace coderx::testing {

namespace {

struct Geometry {
  std::uint32_t id;
  BlockGeometry g;
};
// formats-extra.md §1.1
constexpr Geometry kGeometry[] = {
    {0, {1, 4}},      {1, {1, 2}},      {2, {32, 18}},    {3, {32, 20}},    {6, {32, 22}},
    {7, {32, 24}},    {8, {32, 34}},    {9, {32, 36}},    {10, {256, 84}},  {11, {256, 110}},
    {12, {256, 144}}, {13, {256, 176}}, {14, {256, 210}}, {15, {256, 292}}, {20, {32, 18}},
    {23, {256, 136}}, {30, {1, 2}},     {39, {32, 17}},   {40, {64, 36}},
};

void put_u16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v & 0xff);
  p[1] = static_cast<std::uint8_t>(v >> 8);
}

// Byte offsets of the f16 scale fields of each block type (spec §8.3, §8.4, formats-extra §1).
std::vector<int> f16_scale_offsets(std::uint32_t id) {
  switch (id) {
    case 2:
    case 6:
    case 8:
    case 20:
    case 23:
      return {0};
    case 3:
    case 7:
    case 12:
    case 13:
      return {0, 2};
    case 9:
      return {0, 2};
    case 10:
      return {80, 82};
    case 11:
      return {108};
    case 14:
      return {208};
    default:
      return {};
  }
}

}  // namespace

BlockGeometry spec_geometry(std::uint32_t type_id) {
  for (const Geometry& g : kGeometry)
    if (g.id == type_id) return g.g;
  return {0, 0};
}

std::uint16_t random_f16_bits(std::mt19937& rng, int min_exp, int max_exp, bool allow_negative) {
  std::uniform_int_distribution<int> exp(min_exp, max_exp), mant(0, 1023), sign(0, 1);
  const int sign_bit = allow_negative ? sign(rng) : 0;
  return static_cast<std::uint16_t>((sign_bit << 15) | ((exp(rng) + 15) << 10) | mant(rng));
}

double f16_bits_value(std::uint16_t bits) {
  const int e = (bits >> 10) & 31, m = bits & 1023;
  const double mag = e == 0 ? std::ldexp(m, -24) : std::ldexp(1024 + m, e - 25);
  return (bits & 0x8000) ? -mag : mag;
}

std::vector<std::uint8_t> random_quant_row(std::uint32_t id, std::int64_t n_blocks,
                                           std::mt19937& rng) {
  const BlockGeometry g = spec_geometry(id);
  std::vector<std::uint8_t> row(static_cast<std::size_t>(n_blocks * g.bytes));
  std::uniform_int_distribution<int> byte(0, 255);
  for (auto& b : row) b = static_cast<std::uint8_t>(byte(rng));
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (std::int64_t b = 0; b < n_blocks; ++b) {
    std::uint8_t* blk = row.data() + b * g.bytes;
    for (int off : f16_scale_offsets(id)) put_u16(blk + off, random_f16_bits(rng, -9, -5, true));
    if (id == 15) {  // Q8_K: f32 d
      const float d = std::ldexp(1.0f + static_cast<float>(byte(rng)) / 256.0f, -9);
      std::memcpy(blk, &d, 4);
    } else if (id == 39) {  // MXFP4: E8M0 exponent near 2^-6
      blk[0] = static_cast<std::uint8_t>(118 + byte(rng) % 8);
    } else if (id == 0) {
      const float f = normal(rng);
      std::memcpy(blk, &f, 4);
    } else if (id == 1) {
      put_u16(blk, random_f16_bits(rng, -4, 1, true));
    } else if (id == 30) {
      const float f = normal(rng);
      std::uint32_t bits;
      std::memcpy(&bits, &f, 4);
      put_u16(blk, static_cast<std::uint16_t>(bits >> 16));  // truncation: any bf16 is valid
    }
  }
  return row;
}

OffsetBuffer::OffsetBuffer(std::size_t size, std::size_t offset)
    : storage_(size + offset + 64), size_(size) {
  const auto addr = reinterpret_cast<std::uintptr_t>(storage_.data());
  start_ = (64 - addr % 64) % 64 + offset;
}

}  // namespace coderx::testing
