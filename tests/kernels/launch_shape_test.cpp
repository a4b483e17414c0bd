#include "kernels/launch_shape.h"

#include <gtest/gtest.h>

#include <string>

#include "kernels/gemv_stage.h"

namespace coderx::kernels {
namespace {

TEST(LaunchShape, BlocksCoverEveryItemOnce) {
  for (std::int64_t block : {1, 7, 32, 128, 256}) {
    for (std::int64_t n = 0; n < 1000; n += 13) {
      std::int64_t b = blocks_for(n, block);
      EXPECT_GE(b * block, n);
      if (n > 0) {
        EXPECT_LT((b - 1) * block, n);
      }
    }
  }
  EXPECT_EQ(blocks_for(10, 0), 0);
}

}  // namespace
}  // namespace coderx::kernels

namespace coderx::kernels {
namespace {

TEST(LaunchShape, StagedRowsCopyWholeBlocksWithinASegment) {
  const StageGeometry q4k = stage_geometry(WeightType::Q4_K);
  EXPECT_EQ(q4k.unit_bytes, 144);
  EXPECT_EQ(q4k.chunks_per_unit, 8);
  EXPECT_EQ(q4k.units_per_segment, 14);  // 14 · 144 = 2016 bytes
  const StageGeometry q6k = stage_geometry(WeightType::Q6_K);
  EXPECT_EQ(q6k.unit_bytes, 210);
  EXPECT_EQ(q6k.units_per_segment, 9);
  const StageGeometry bf16 = stage_geometry(WeightType::BF16);  // a float type: 32 elements a unit
  EXPECT_EQ(bf16.unit_bytes, 64);
  EXPECT_EQ(bf16.chunks_per_unit, 1);
  EXPECT_EQ(bf16.units_per_segment, 32);
  const StageGeometry nvfp4 = stage_geometry(WeightType::NVFP4);  // 64-element blocks: 2 chunks
  EXPECT_EQ(nvfp4.unit_bytes, 36);
  EXPECT_EQ(nvfp4.chunks_per_unit, 2);
  int count = 0;
  const WeightTypeInfo* types = weight_types(&count);
  for (int i = 0; i < count; ++i) {
    const StageGeometry g = stage_geometry(types[i].type);
    SCOPED_TRACE(std::string(types[i].name));
    EXPECT_GE(g.units_per_segment, 1);
    EXPECT_LE(g.units_per_segment * g.unit_bytes, kStageSegBytes);
    EXPECT_EQ(g.unit_bytes, weight_row_bytes(types[i].type, 32 * g.chunks_per_unit));
  }
  EXPECT_EQ(stage_geometry(static_cast<WeightType>(99)).units_per_segment, 0);
  // x of 2816 values: 88 chunks · 36 floats, then 4 warps' segments of 2048 + 16 bytes.
  EXPECT_EQ(stage_smem_bytes(2816, 4), 88u * 36 * 4 + 4u * 2064);
  EXPECT_LE(stage_smem_bytes(kStageMaxCols, 4), 48u * 1024);
}

}  // namespace
}  // namespace coderx::kernels
