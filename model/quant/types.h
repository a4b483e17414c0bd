// ggml tensor types: ids as stored in GGUF tensor infos, block geometry and byte sizes.
// The single source of truth for "how many bytes is a row of n elements of type T".
// Used by the GGUF reader (validation), the weight views, the dequantisers and dot products.
// Pure functions over constant tables; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace coderx::model::quant {

// Values are the ggml type ids (spec gemma4-moe.md §8.1, formats-extra.md §1.1).
enum class Type : std::uint32_t {
  F32 = 0,
  F16 = 1,
  Q4_0 = 2,
  Q4_1 = 3,
  Q5_0 = 6,
  Q5_1 = 7,
  Q8_0 = 8,
  Q8_1 = 9,
  Q2_K = 10,
  Q3_K = 11,
  Q4_K = 12,
  Q5_K = 13,
  Q6_K = 14,
  Q8_K = 15,
  IQ4_NL = 20,
  IQ4_XS = 23,
  BF16 = 30,
  MXFP4 = 39,
  NVFP4 = 40,
  // Not ggml types (never read from or written to a file): Q4_K, Q5_0 and Q8_0 rows repacked in
  // groups of eight for the CPU's matrix-vector kernels (repack.h). Same bytes per row.
  Q4_K_R8 = 41,
  Q5_0_R8 = 42,
  Q8_0_R8 = 43,
};

struct TypeInfo {
  Type type;
  std::string_view name;     // "Q4_K", as llama.cpp prints it
  std::int64_t block_elems;  // elements per block (1 for float types)
  std::int64_t block_bytes;  // bytes per block
  bool weight_type;          // may appear as a weight in a model file (false: Q8_1, Q8_K)
  Type activation_type;      // what the fast CPU dot product quantises activations to
};

// nullopt for an id we do not support (the GGUF reader turns that into a precise error).
std::optional<TypeInfo> type_info(std::uint32_t id);
const TypeInfo& info(Type type);  // type must be a known enumerator
std::span<const TypeInfo> all_types();                      // the ggml types (not the _R8 ones)
std::optional<Type> type_from_name(std::string_view name);  // "q4_k" or "Q4_K"

// Bytes of one row of n elements; n must be a multiple of block_elems (checked by callers that
// read files: row_fits()).
std::size_t row_bytes(Type type, std::int64_t n);
bool row_fits(Type type, std::int64_t n);  // n > 0 and a whole number of blocks

}  // namespace coderx::model::quant
