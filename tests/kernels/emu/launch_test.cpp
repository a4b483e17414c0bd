// Launches in the CUDA emulation (cuda_emu.h) refuse or stop what a GPU refuses or faults on:
// more than 48 KiB of dynamic shared memory unless the kernel opted in with
// cudaFuncAttributeMaxDynamicSharedMemorySize, and never more than it opted in for; a load not
// aligned to its size (this file is compiled, as the kernels are, with UBSan's alignment check).
// Either would otherwise pass the emulated tests and fail only on the first GPU run.
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

// Thread t reads the float4 at floats + offset + 4t.
void load_float4(const float* floats, int offset, float* out) {
  const float4 v = *reinterpret_cast<const float4*>(floats + offset + 4 * threadIdx.x);
  out[threadIdx.x] = v.x + v.y + v.z + v.w;
}

TEST(EmuLaunchDeathTest, AFloat4LoadOffASixteenByteBoundaryStopsTheRun) {
  alignas(16) float floats[40] = {};
  float out[4] = {};
  CODERX_LAUNCH(1, 4, 0, nullptr, load_float4)(floats, 4, out);
  EXPECT_EQ(cudaGetLastError(), cudaSuccess);
  const auto misaligned = [&] { CODERX_LAUNCH(1, 4, 0, nullptr, load_float4)(floats, 1, out); };
  EXPECT_DEATH(misaligned(), "misaligned address");
}

}  // namespace
