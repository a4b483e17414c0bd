#include "model/quant/types.h"

#include <array>
#include <cassert>
#include <cctype>
#include <string>

namespace coderx::model::quant {

namespace {

// Block geometry from formats-extra.md §1.1.
constexpr std::array<TypeInfo, 19> kTypes{{
    {Type::F32, "F32", 1, 4, true, Type::F32},
    {Type::F16, "F16", 1, 2, true, Type::F16},
    {Type::Q4_0, "Q4_0", 32, 18, true, Type::Q8_0},
    {Type::Q4_1, "Q4_1", 32, 20, true, Type::Q8_1},
    {Type::Q5_0, "Q5_0", 32, 22, true, Type::Q8_0},
    {Type::Q5_1, "Q5_1", 32, 24, true, Type::Q8_1},
    {Type::Q8_0, "Q8_0", 32, 34, true, Type::Q8_0},
    {Type::Q8_1, "Q8_1", 32, 36, false, Type::Q8_1},
    {Type::Q2_K, "Q2_K", 256, 84, true, Type::Q8_K},
    {Type::Q3_K, "Q3_K", 256, 110, true, Type::Q8_K},
    {Type::Q4_K, "Q4_K", 256, 144, true, Type::Q8_K},
    {Type::Q5_K, "Q5_K", 256, 176, true, Type::Q8_K},
    {Type::Q6_K, "Q6_K", 256, 210, true, Type::Q8_K},
    {Type::Q8_K, "Q8_K", 256, 292, false, Type::Q8_K},
    {Type::IQ4_NL, "IQ4_NL", 32, 18, true, Type::Q8_0},
    {Type::IQ4_XS, "IQ4_XS", 256, 136, true, Type::Q8_K},
    {Type::BF16, "BF16", 1, 2, true, Type::BF16},
    {Type::MXFP4, "MXFP4", 32, 17, true, Type::Q8_0},
    {Type::NVFP4, "NVFP4", 64, 36, true, Type::Q8_0},
}};

// Layouts of this program's own, which no file holds (type_info and all_types leave them out).
constexpr std::array<TypeInfo, 3> kInternalTypes{{
    {Type::Q4_K_R8, "Q4_K_R8", 256, 144, false, Type::Q8_K},
    {Type::Q5_0_R8, "Q5_0_R8", 32, 22, false, Type::Q8_0},
    {Type::Q8_0_R8, "Q8_0_R8", 32, 34, false, Type::Q8_0},
}};

}  // namespace

std::optional<TypeInfo> type_info(std::uint32_t id) {
  for (const TypeInfo& t : kTypes)
    if (static_cast<std::uint32_t>(t.type) == id) return t;
  return std::nullopt;
}

const TypeInfo& info(Type type) {
  for (const TypeInfo& t : kTypes)
    if (t.type == type) return t;
  for (const TypeInfo& t : kInternalTypes)
    if (t.type == type) return t;
  assert(false && "unknown quant::Type");
  return kTypes[0];
}

std::span<const TypeInfo> all_types() {
  return kTypes;
}

std::optional<Type> type_from_name(std::string_view name) {
  std::string upper(name);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const TypeInfo& t : kTypes)
    if (t.name == upper) return t.type;
  return std::nullopt;
}

std::size_t row_bytes(Type type, std::int64_t n) {
  const TypeInfo& t = info(type);
  return static_cast<std::size_t>(n / t.block_elems) * static_cast<std::size_t>(t.block_bytes);
}

bool row_fits(Type type, std::int64_t n) {
  return n > 0 && n % info(type).block_elems == 0;
}

}  // namespace coderx::model::quant
