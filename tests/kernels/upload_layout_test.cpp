#include "kernels/upload_layout.h"

#include <gtest/gtest.h>

#include <random>

namespace coderx::kernels {
namespace {

TEST(UploadLayout, TensorsAlignedDisjointAndInOrder) {
  std::mt19937 rng(3);
  std::vector<std::size_t> sizes = {0, 1, 255, 256, 257, 11 * 144 * 1408, 17, 0, 4};
  for (int i = 0; i < 100; ++i) sizes.push_back(rng() % 100000);
  const UploadPlan plan = plan_upload(sizes);
  ASSERT_EQ(plan.offsets.size(), sizes.size());
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    EXPECT_EQ(plan.offsets[i] % kUploadAlignment, 0u);
    const std::size_t end = plan.offsets[i] + sizes[i];
    EXPECT_LE(end, plan.total);
    if (i + 1 < sizes.size()) {
      EXPECT_LE(end, plan.offsets[i + 1]);
      EXPECT_LT(plan.offsets[i + 1] - end, kUploadAlignment);  // no more padding than needed
    }
  }
  EXPECT_EQ(plan.total % kUploadAlignment, 0u);
  EXPECT_EQ(plan_upload({}).total, 0u);
}

TEST(UploadLayout, StagingPiecesCoverTheTensor) {
  for (std::size_t bytes : {0ul, 1ul, 1000ul, 4096ul, 4097ul, 1ul << 20}) {
    for (std::size_t staging : {7ul, 4096ul, 1ul << 22}) {
      const auto pieces = staging_pieces(bytes, staging);
      std::size_t next = 0;
      for (const CopyPiece& p : pieces) {
        EXPECT_EQ(p.offset, next);
        EXPECT_GT(p.size, 0u);
        EXPECT_LE(p.size, staging);
        next += p.size;
      }
      EXPECT_EQ(next, bytes);
    }
  }
}

}  // namespace
}  // namespace coderx::kernels
