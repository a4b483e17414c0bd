#include "kernels/launch_shape.h"

#include <gtest/gtest.h>

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
