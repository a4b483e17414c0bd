// Launches in the CUDA emulation (cuda_emu.h) refuse what a GPU refuses: more than 48 KiB of
// dynamic shared memory unless the kernel opted in with cudaFuncAttributeMaxDynamicSharedMemorySize,
// and never more than it opted in for. A kernel that forgot the opt-in passes the emulated tests
// otherwise and fails only on the first GPU run.
#include "cuda_emu.h"

#include <gtest/gtest.h>

#include <vector>

namespace {

// Every thread writes the last float of the dynamic shared memory, then its own slot of out.
void touch_shared(float* out, std::size_t floats) {
  CODERX_DYNAMIC_SHARED(float, smem);
  smem[floats - 1] = 1.0f;
  out[threadIdx.x] = 1.0f;
}

// out after one launch of touch_shared with `bytes` of dynamic shared memory, and its error.
cudaError_t launch(std::size_t bytes, std::vector<float>& out) {
  out.assign(32, 0.0f);
  cudaGetLastError();
  CODERX_LAUNCH(1, 32, bytes, nullptr, touch_shared)(out.data(), bytes / sizeof(float));
  return cudaGetLastError();
}

TEST(EmuLaunch, OverFortyEightKiBOfDynamicSharedMemoryNeedsTheOptIn) {
  std::vector<float> out;
  EXPECT_EQ(launch(48 * 1024, out), cudaSuccess);
  EXPECT_EQ(out[31], 1.0f);
  EXPECT_EQ(launch(48 * 1024 + 16, out), cudaErrorInvalidValue);
  EXPECT_EQ(out[31], 0.0f) << "a refused launch runs nothing";

  ASSERT_EQ(cudaFuncSetAttribute(touch_shared, cudaFuncAttributeMaxDynamicSharedMemorySize, 100 * 1024), cudaSuccess);
  EXPECT_EQ(launch(100 * 1024, out), cudaSuccess);
  EXPECT_EQ(out[31], 1.0f);
  EXPECT_EQ(launch(100 * 1024 + 16, out), cudaErrorInvalidValue) << "more than the kernel opted in for";
  EXPECT_EQ(cudaFuncSetAttribute(touch_shared, cudaFuncAttributeMaxDynamicSharedMemorySize, 228 * 1024),
            cudaErrorInvalidValue)
      << "more than the device's opt-in limit";
}

}  // namespace
