// Weight storage types the kernels can read, with their block geometry. The numeric values
// are the ggml type ids (spec gemma4-moe.md §8.1) so the backend can pass a GGUF tensor's type
// straight through; model/quant/types.h is the model-side twin (kernels/ may not include it —
// tests/kernels/weight_type_test.cpp checks the two agree).
// Used by every launcher that reads weights (quant_gemv, moe_gemv, moe_gemm, dequant, embed)
// and by the upload layout. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

namespace coderx::kernels {

enum class WeightType : std::uint32_t {
  F32 = 0,
  F16 = 1,
  Q4_0 = 2,
  Q4_1 = 3,
  Q5_0 = 6,
  Q5_1 = 7,
  Q8_0 = 8,
  Q2_K = 10,
  Q3_K = 11,
  Q4_K = 12,
  Q5_K = 13,
  Q6_K = 14,
  IQ4_NL = 20,
  IQ4_XS = 23,
  BF16 = 30,
  MXFP4 = 39,
  NVFP4 = 40,
};

struct WeightTypeInfo {
  WeightType type;
  std::string_view name;
  int block_elems;  // elements per block (1 for float types)
  int block_bytes;  // bytes per block
};

// Every type above, in enum order.
const WeightTypeInfo* weight_types(int* count);

// Geometry of a type id; nullptr when the kernels cannot read that id.
const WeightTypeInfo* weight_type_info(std::uint32_t id);

// Kernels decode weights in chunks of 32 consecutive elements of a row; a row must therefore be
// a whole number of blocks and of chunks. True when n columns of `type` can be read.
bool row_supported(WeightType type, std::int64_t n);

// Bytes of one row of n elements (n must satisfy row_supported).
std::int64_t weight_row_bytes(WeightType type, std::int64_t n);

}  // namespace coderx::kernels
