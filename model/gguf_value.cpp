#include "model/gguf_value.h"

#include <cassert>
#include <string>

namespace coderx::model {

bool value_type_known(std::uint32_t id) { return id <= 12; }

std::string_view value_type_name(ValueType type) {
  switch (type) {
    case ValueType::u8: return "u8";
    case ValueType::i8: return "i8";
    case ValueType::u16: return "u16";
    case ValueType::i16: return "i16";
    case ValueType::u32: return "u32";
    case ValueType::i32: return "i32";
    case ValueType::f32: return "f32";
    case ValueType::boolean: return "bool";
    case ValueType::string: return "string";
    case ValueType::array: return "array";
    case ValueType::u64: return "u64";
    case ValueType::i64: return "i64";
    case ValueType::f64: return "f64";
  }
  return "unknown type";
}

std::size_t scalar_size(ValueType type) {
  switch (type) {
    case ValueType::u8:
    case ValueType::i8:
    case ValueType::boolean: return 1;
    case ValueType::u16:
    case ValueType::i16: return 2;
    case ValueType::u32:
    case ValueType::i32:
    case ValueType::f32: return 4;
    case ValueType::u64:
    case ValueType::i64:
    case ValueType::f64: return 8;
    case ValueType::string:
    case ValueType::array: return 0;
  }
  return 0;
}

bool is_integer(ValueType type) {
  switch (type) {
    case ValueType::u8:
    case ValueType::i8:
    case ValueType::u16:
    case ValueType::i16:
    case ValueType::u32:
    case ValueType::i32:
    case ValueType::u64:
    case ValueType::i64: return true;
    default: return false;
  }
}

bool is_float(ValueType type) { return type == ValueType::f32 || type == ValueType::f64; }

namespace {

template <class T>
T load(const std::byte* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

}  // namespace

std::int64_t Value::int_at(std::uint64_t k) const {
  assert(type == ValueType::array && k < count);
  const std::byte* p = raw_elems.data() + k * scalar_size(elem_type);
  switch (elem_type) {
    case ValueType::u8:
    case ValueType::boolean: return load<std::uint8_t>(p);
    case ValueType::i8: return load<std::int8_t>(p);
    case ValueType::u16: return load<std::uint16_t>(p);
    case ValueType::i16: return load<std::int16_t>(p);
    case ValueType::u32: return load<std::uint32_t>(p);
    case ValueType::i32: return load<std::int32_t>(p);
    case ValueType::u64: return static_cast<std::int64_t>(load<std::uint64_t>(p));
    case ValueType::i64: return load<std::int64_t>(p);
    case ValueType::f32: return static_cast<std::int64_t>(load<float>(p));
    case ValueType::f64: return static_cast<std::int64_t>(load<double>(p));
    default: assert(false && "int_at on a non-numeric array"); return 0;
  }
}

double Value::float_at(std::uint64_t k) const {
  assert(type == ValueType::array && k < count);
  const std::byte* p = raw_elems.data() + k * scalar_size(elem_type);
  if (elem_type == ValueType::f32) return load<float>(p);
  if (elem_type == ValueType::f64) return load<double>(p);
  if (elem_type == ValueType::u64) return static_cast<double>(load<std::uint64_t>(p));
  return static_cast<double>(int_at(k));
}

std::string describe_type(const Value& v) {
  if (v.type != ValueType::array) return std::string(value_type_name(v.type));
  return "array[" + std::string(value_type_name(v.elem_type)) + "," + std::to_string(v.count) +
         "]";
}

}  // namespace coderx::model
