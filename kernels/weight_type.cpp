#include "kernels/weight_type.h"

namespace coderx::kernels {

namespace {

constexpr WeightTypeInfo kTypes[] = {
    {WeightType::F32, "F32", 1, 4},         {WeightType::F16, "F16", 1, 2},
    {WeightType::Q4_0, "Q4_0", 32, 18},     {WeightType::Q4_1, "Q4_1", 32, 20},
    {WeightType::Q5_0, "Q5_0", 32, 22},     {WeightType::Q5_1, "Q5_1", 32, 24},
    {WeightType::Q8_0, "Q8_0", 32, 34},     {WeightType::Q2_K, "Q2_K", 256, 84},
    {WeightType::Q3_K, "Q3_K", 256, 110},   {WeightType::Q4_K, "Q4_K", 256, 144},
    {WeightType::Q5_K, "Q5_K", 256, 176},   {WeightType::Q6_K, "Q6_K", 256, 210},
    {WeightType::IQ4_NL, "IQ4_NL", 32, 18}, {WeightType::IQ4_XS, "IQ4_XS", 256, 136},
    {WeightType::BF16, "BF16", 1, 2},
    {WeightType::MXFP4, "MXFP4", 32, 17},   {WeightType::NVFP4, "NVFP4", 64, 36},
};

}  // namespace

const WeightTypeInfo* weight_types(int* count) {
  *count = static_cast<int>(sizeof kTypes / sizeof kTypes[0]);
  return kTypes;
}

const WeightTypeInfo* weight_type_info(std::uint32_t id) {
  for (const auto& t : kTypes) {
    if (static_cast<std::uint32_t>(t.type) == id) return &t;
  }
  return nullptr;
}

bool row_supported(WeightType type, std::int64_t n) {
  const WeightTypeInfo* info = weight_type_info(static_cast<std::uint32_t>(type));
  return info != nullptr && n > 0 && n % 32 == 0 && n % info->block_elems == 0;
}

std::int64_t weight_row_bytes(WeightType type, std::int64_t n) {
  const WeightTypeInfo* info = weight_type_info(static_cast<std::uint32_t>(type));
  return info ? n / info->block_elems * info->block_bytes : 0;
}

}  // namespace coderx::kernels
