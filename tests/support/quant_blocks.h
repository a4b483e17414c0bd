// Test builders for quantised rows, written from the spec's block tables independently of
// model/quant: block geometry per ggml type id, random but valid rows (random quant bytes with
// sane scale fields), f16 bit patterns and their values, and byte buffers at a chosen
// misalignment. Used by tests/model/quant_*_test.cpp. Not thread-safe per object; no errors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

namespace coderx::testing {

struct BlockGeometry {
  int elems;  // elements per block
  int bytes;  // bytes per block
};
// From formats-extra.md §1.1, keyed by ggml type id; {0, 0} for an unknown id.
BlockGeometry spec_geometry(std::uint32_t type_id);

// f16 helpers that do not use the code under test: a normal f16 with the given unbiased
// exponent range, and the exact value of a normal or zero f16 bit pattern.
std::uint16_t random_f16_bits(std::mt19937& rng, int min_exp, int max_exp, bool allow_negative);
double f16_bits_value(std::uint16_t bits);

// n_blocks random blocks of the type: random quant bytes; every scale field is a normal f16
// (or an E8M0 / UE4M3 / f32 scale) of moderate magnitude, so every element is finite.
std::vector<std::uint8_t> random_quant_row(std::uint32_t type_id, std::int64_t n_blocks,
                                           std::mt19937& rng);

// A buffer of `size` bytes whose data() is `offset` bytes past a 64-byte boundary.
class OffsetBuffer {
 public:
  OffsetBuffer(std::size_t size, std::size_t offset);
  std::uint8_t* data() { return storage_.data() + start_; }
  std::size_t size() const { return size_; }

 private:
  std::vector<std::uint8_t> storage_;
  std::size_t start_ = 0;
  std::size_t size_ = 0;
};

}  // namespace coderx::testing
