// kernels/weight_type.h must agree with model/quant/types.h (the model's table of GGUF types).
#include "kernels/weight_type.h"

#include <gtest/gtest.h>

#include "model/quant/types.h"

namespace coderx::kernels {
namespace {

TEST(WeightType, GeometryMatchesModelTypeTable) {
  int count = 0;
  const WeightTypeInfo* types = weight_types(&count);
  ASSERT_GT(count, 10);
  for (int i = 0; i < count; ++i) {
    SCOPED_TRACE(std::string(types[i].name));
    auto model = model::quant::type_info(static_cast<std::uint32_t>(types[i].type));
    ASSERT_TRUE(model.has_value());
    EXPECT_EQ(model->name, types[i].name);
    EXPECT_EQ(model->block_elems, types[i].block_elems);
    EXPECT_EQ(model->block_bytes, types[i].block_bytes);
    for (std::int64_t n : {256, 512, 2816}) {
      if (!row_supported(types[i].type, n)) continue;
      EXPECT_EQ(static_cast<std::size_t>(weight_row_bytes(types[i].type, n)),
                model::quant::row_bytes(model->type, n));
    }
  }
}

TEST(WeightType, SpecRowSizes) {
  // formats-extra.md §1.1 row-size table.
  EXPECT_EQ(weight_row_bytes(WeightType::Q4_0, 2816), 1584);
  EXPECT_EQ(weight_row_bytes(WeightType::Q5_0, 704), 484);
  EXPECT_EQ(weight_row_bytes(WeightType::Q5_1, 2112), 1584);
  EXPECT_EQ(weight_row_bytes(WeightType::Q8_0, 4096), 4352);
  EXPECT_EQ(weight_row_bytes(WeightType::IQ4_NL, 704), 396);
  EXPECT_EQ(weight_row_bytes(WeightType::Q4_K, 2816), 11 * 144);
  EXPECT_EQ(weight_row_bytes(WeightType::Q6_K, 2816), 11 * 210);
}

TEST(WeightType, RowSupportNeedsWholeBlocksAndChunks) {
  EXPECT_TRUE(row_supported(WeightType::Q4_K, 2816));
  EXPECT_FALSE(row_supported(WeightType::Q4_K, 704));    // not a multiple of 256
  EXPECT_TRUE(row_supported(WeightType::Q5_0, 704));
  EXPECT_FALSE(row_supported(WeightType::F32, 48));      // not a whole 32-element chunk
  EXPECT_FALSE(row_supported(WeightType::NVFP4, 96));    // not a whole 64-element block
  EXPECT_FALSE(row_supported(WeightType::Q8_0, 0));
  EXPECT_EQ(weight_type_info(15), nullptr);              // Q8_K: activations only
  EXPECT_EQ(weight_type_info(999), nullptr);
}

}  // namespace
}  // namespace coderx::kernels
