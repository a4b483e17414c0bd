// The type table (model/quant/types.cpp) against the spec: ids, block geometry
// (formats-extra.md §1.1) and the activation type each weight type's CPU dot product uses
// (gemma4-moe.md §7.13, formats-extra.md §1.5/§1.6).
#include "model/quant/types.h"

#include <gtest/gtest.h>

#include <map>

#include "tests/support/quant_blocks.h"

namespace coderx::model::quant {
namespace {

TEST(QuantTypes, GeometryMatchesSpecTable) {
  EXPECT_EQ(all_types().size(), 19u);
  for (const TypeInfo& t : all_types()) {
    const auto g = testing::spec_geometry(static_cast<std::uint32_t>(t.type));
    EXPECT_EQ(t.block_elems, g.elems) << t.name;
    EXPECT_EQ(t.block_bytes, g.bytes) << t.name;
    EXPECT_EQ(type_from_name(t.name), t.type);
  }
}

TEST(QuantTypes, ActivationTypesFollowSpec) {
  const std::map<Type, Type> expected = {
      {Type::F32, Type::F32},     {Type::F16, Type::F16},    {Type::BF16, Type::BF16},
      {Type::Q4_0, Type::Q8_0},   {Type::Q5_0, Type::Q8_0},  {Type::Q8_0, Type::Q8_0},
      {Type::IQ4_NL, Type::Q8_0}, {Type::MXFP4, Type::Q8_0}, {Type::NVFP4, Type::Q8_0},
      {Type::Q4_1, Type::Q8_1},   {Type::Q5_1, Type::Q8_1},  {Type::Q8_1, Type::Q8_1},
      {Type::Q2_K, Type::Q8_K},   {Type::Q3_K, Type::Q8_K},  {Type::Q4_K, Type::Q8_K},
      {Type::Q5_K, Type::Q8_K},   {Type::Q6_K, Type::Q8_K},  {Type::IQ4_XS, Type::Q8_K},
      {Type::Q8_K, Type::Q8_K},
  };
  for (const TypeInfo& t : all_types()) {
    ASSERT_TRUE(expected.count(t.type)) << t.name;
    EXPECT_EQ(t.activation_type, expected.at(t.type)) << t.name;
    EXPECT_EQ(t.weight_type, t.type != Type::Q8_1 && t.type != Type::Q8_K) << t.name;
  }
}

TEST(QuantTypes, RowBytesForGemmaWidths) {
  // formats-extra.md §1.1 row-size table, ne[0] = 2816.
  EXPECT_EQ(row_bytes(Type::Q2_K, 2816), 924u);
  EXPECT_EQ(row_bytes(Type::Q3_K, 2816), 1210u);
  EXPECT_EQ(row_bytes(Type::IQ4_XS, 2816), 1496u);
  EXPECT_EQ(row_bytes(Type::Q4_0, 2816), 1584u);
  EXPECT_EQ(row_bytes(Type::Q5_1, 2816), 2112u);
  EXPECT_EQ(row_bytes(Type::Q8_0, 704), 748u);
  EXPECT_FALSE(row_fits(Type::Q4_K, 704));
  EXPECT_TRUE(row_fits(Type::Q5_0, 704));
  EXPECT_FALSE(type_info(4).has_value());
}

}  // namespace
}  // namespace coderx::model::quant
