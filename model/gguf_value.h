// GGUF metadata value types (spec gemma4-moe.md §8.1) and the read-only view of one value as the
// reader (model/gguf.h) exposes it. Used by the reader, the writer (to copy values verbatim) and
// every consumer of metadata (config, tokenizer, `coderx model info`).
// Lifetime: a Value points into the GgufFile's mapping and its own vectors; it lives as long as
// the GgufFile that made it. Thread-safe to read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

namespace coderx::model {

// Values are the on-disk type ids.
enum class ValueType : std::uint32_t {
  u8 = 0,
  i8 = 1,
  u16 = 2,
  i16 = 3,
  u32 = 4,
  i32 = 5,
  f32 = 6,
  boolean = 7,
  string = 8,
  array = 9,
  u64 = 10,
  i64 = 11,
  f64 = 12,
};

bool value_type_known(std::uint32_t id);
// "u32", "string", "array", ... ("type 77" for an unknown id).
std::string_view value_type_name(ValueType type);
std::size_t scalar_size(ValueType type);  // bytes of a fixed-size scalar; 0 for string/array
bool is_integer(ValueType type);
bool is_float(ValueType type);

// One metadata value. Scalars are decoded; arrays keep their elements in the file:
//   numeric/bool arrays: `raw_elems` holds count × scalar_size(elem_type) little-endian bytes;
//   string arrays: `strings` (views into the file);
//   arrays of arrays: `arrays`.
struct Value {
  ValueType type = ValueType::u8;
  std::uint64_t u = 0;    // unsigned integer types and bool (0/1)
  std::int64_t i = 0;     // signed integer types
  double f = 0;           // f32 / f64
  std::string_view str;   // string
  ValueType elem_type = ValueType::u8;  // array only
  std::uint64_t count = 0;              // array only: number of elements
  std::span<const std::byte> raw_elems;  // numeric/bool array elements
  std::vector<std::string_view> strings;  // string array elements
  std::vector<Value> arrays;              // array-of-array elements
  std::span<const std::byte> encoded;  // the value's bytes in the file (after the type id)

  // Element k of a numeric array as int64 / double (k < count; elem_type numeric or bool).
  std::int64_t int_at(std::uint64_t k) const;
  double float_at(std::uint64_t k) const;
};

// The value's description for messages and `model info`: "u32", "string", "array[i32,30]".
std::string describe_type(const Value& v);

}  // namespace coderx::model
