// Helpers for the tag_invoke conversions of the typed LSP structs (types_*.h): read a required or
// optional field of a JSON object with an error that names the field, and write optional fields.
// Conversions throw FieldError (or Boost.JSON's system_error) on bad input; the method binder
// (dispatcher.h) catches them and answers InvalidParams — no exception leaves lsp/protocol.
// Header-only; stateless.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

namespace coderx::lsp {

namespace json = boost::json;

class FieldError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline const json::object& expect_object(const json::value& v, std::string_view what) {
  if (const json::object* o = v.if_object()) return *o;
  throw FieldError(std::string(what) + ": expected an object");
}

// Converts one field, prefixing any conversion error with the field's name.
template <class T>
T convert_field(const json::value& v, std::string_view key) {
  if constexpr (std::is_same_v<T, std::uint32_t>) {  // LSP's uinteger: say what is expected
    if (v.is_int64() && v.get_int64() >= 0 && v.get_int64() <= UINT32_MAX) return static_cast<std::uint32_t>(v.get_int64());
    if (v.is_uint64() && v.get_uint64() <= UINT32_MAX) return static_cast<std::uint32_t>(v.get_uint64());
    throw FieldError(std::string(key) + ": expected an integer in [0, 4294967295], got " + json::serialize(v));
  }
  try {
    return json::value_to<T>(v);
  } catch (const FieldError& e) {
    throw FieldError(std::string(key) + "." + e.what());
  } catch (const boost::system::system_error& e) {
    throw FieldError(std::string(key) + ": " + e.code().message());  // without Boost's source location
  } catch (const std::exception& e) {
    throw FieldError(std::string(key) + ": " + e.what());
  }
}

template <class T>
T get_field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v) throw FieldError("missing field '" + std::string(key) + "'");
  return convert_field<T>(*v, key);
}

// Absent or null → nullopt.
template <class T>
std::optional<T> get_optional(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v || v->is_null()) return std::nullopt;
  return convert_field<T>(*v, key);
}

// Absent or null → `fallback`.
template <class T>
T get_or(const json::object& o, std::string_view key, T fallback) {
  std::optional<T> v = get_optional<T>(o, key);
  return v ? std::move(*v) : std::move(fallback);
}

// A nested object field that may be absent ("capabilities.textDocument"); nullptr if absent.
inline const json::object* get_object(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v ? v->if_object() : nullptr;
}

template <class T>
void put_optional(json::object& o, std::string_view key, const std::optional<T>& v) {
  if (v) o[key] = json::value_from(*v);
}

}  // namespace coderx::lsp
