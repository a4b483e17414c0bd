// Typed metadata getters of GgufFile (declared in model/gguf.h).
#include <cmath>
#include <limits>

#include "model/gguf.h"

namespace coderx::model {

namespace {

// Whether an integer scalar lies in [lo, hi].
bool integer_fits(const Value& v, std::int64_t lo, std::uint64_t hi) {
  bool is_unsigned = v.type == ValueType::u8 || v.type == ValueType::u16 ||
                     v.type == ValueType::u32 || v.type == ValueType::u64;
  if (is_unsigned) return v.u <= hi;
  if (v.i < lo) return false;
  return v.i < 0 || static_cast<std::uint64_t>(v.i) <= hi;
}

}  // namespace

Error GgufFile::type_error(std::string_view key, std::string_view expected, const Value& v) const {
  return make_error(Errc::format, "key " + std::string(key) + ": expected " +
                                      std::string(expected) + ", file has " + describe_type(v));
}

Result<const Value*> GgufFile::require(std::string_view key) const {
  const Value* v = find(key);
  if (!v) return make_error(Errc::not_found, "key " + std::string(key) + ": missing");
  return v;
}

Result<std::uint32_t> GgufFile::get_u32(std::string_view key) const {
  auto v = require(key);
  if (!v) return v.error();
  if (!is_integer((*v)->type)) return type_error(key, "u32", **v);
  if (!integer_fits(**v, 0, std::numeric_limits<std::uint32_t>::max()))
    return make_error(Errc::format, "key " + std::string(key) + ": value " +
                                        std::to_string((*v)->i) + " does not fit u32");
  return static_cast<std::uint32_t>((*v)->u);
}

Result<std::int32_t> GgufFile::get_i32(std::string_view key) const {
  auto v = require(key);
  if (!v) return v.error();
  if (!is_integer((*v)->type)) return type_error(key, "i32", **v);
  if (!integer_fits(**v, std::numeric_limits<std::int32_t>::min(),
                    std::numeric_limits<std::int32_t>::max()))
    return make_error(Errc::format, "key " + std::string(key) + ": value does not fit i32");
  return static_cast<std::int32_t>((*v)->i);
}

Result<std::uint64_t> GgufFile::get_u64(std::string_view key) const {
  auto v = require(key);
  if (!v) return v.error();
  if (!is_integer((*v)->type)) return type_error(key, "u64", **v);
  if (!integer_fits(**v, 0, std::numeric_limits<std::uint64_t>::max()))
    return make_error(Errc::format, "key " + std::string(key) + ": value " +
                                        std::to_string((*v)->i) + " is negative");
  return (*v)->u;
}

Result<float> GgufFile::get_f32(std::string_view key) const {
  auto v = require(key);
  if (!v) return v.error();
  if (!is_float((*v)->type)) return type_error(key, "f32", **v);
  return static_cast<float>((*v)->f);
}

Result<bool> GgufFile::get_bool(std::string_view key) const {
  auto v = require(key);
  if (!v) return v.error();
  if ((*v)->type != ValueType::boolean) return type_error(key, "bool", **v);
  return (*v)->u != 0;
}

Result<std::string_view> GgufFile::get_string(std::string_view key) const {
  auto v = require(key);
  if (!v) return v.error();
  if ((*v)->type != ValueType::string) return type_error(key, "string", **v);
  return (*v)->str;
}

Result<const Value*> GgufFile::get_array(std::string_view key, ValueType elem) const {
  auto v = require(key);
  if (!v) return v.error();
  if ((*v)->type != ValueType::array || (*v)->elem_type != elem)
    return type_error(key, "array of " + std::string(value_type_name(elem)), **v);
  return *v;
}

Result<std::vector<std::int64_t>> GgufFile::get_int_array(std::string_view key) const {
  auto v = require(key);
  if (!v) return v.error();
  const Value& a = **v;
  if (a.type != ValueType::array || !is_integer(a.elem_type))
    return type_error(key, "array of integers", a);
  std::vector<std::int64_t> out(static_cast<std::size_t>(a.count));
  for (std::uint64_t k = 0; k < a.count; ++k) out[k] = a.int_at(k);
  return out;
}

Result<std::vector<float>> GgufFile::get_f32_array(std::string_view key) const {
  auto v = require(key);
  if (!v) return v.error();
  const Value& a = **v;
  if (a.type != ValueType::array || !is_float(a.elem_type))
    return type_error(key, "array of f32", a);
  std::vector<float> out(static_cast<std::size_t>(a.count));
  for (std::uint64_t k = 0; k < a.count; ++k) out[k] = static_cast<float>(a.float_at(k));
  return out;
}

Result<std::vector<bool>> GgufFile::get_bool_array(std::string_view key) const {
  auto v = require(key);
  if (!v) return v.error();
  const Value& a = **v;
  if (a.type != ValueType::array || a.elem_type != ValueType::boolean)
    return type_error(key, "array of bool", a);
  std::vector<bool> out(static_cast<std::size_t>(a.count));
  for (std::uint64_t k = 0; k < a.count; ++k) out[k] = a.int_at(k) != 0;
  return out;
}

Result<std::span<const std::string_view>> GgufFile::get_string_array(std::string_view key) const {
  auto v = require(key);
  if (!v) return v.error();
  const Value& a = **v;
  if (a.type != ValueType::array || a.elem_type != ValueType::string)
    return type_error(key, "array of string", a);
  return std::span<const std::string_view>(a.strings);
}

}  // namespace coderx::model
