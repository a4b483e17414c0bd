// The CUDA backend's failure paths, which run on any machine: a CPU-only build reports that it
// has no CUDA; a CUDA build refuses models the kernels cannot run (checked before any device
// call, with the tensor and the reason named), and without a device it fails with the CUDA
// runtime's reason instead of crashing. The engine then falls back to the CPU (engine_test).
#include "model/backend_cuda.h"

#include <gtest/gtest.h>

#include "tiny_model.h"

namespace coderx::model {
namespace {

testing::TinySpec runnable() {
  testing::TinySpec s;
  s.n_embd = 256, s.hd_swa = 64, s.hd_full = 128, s.n_ff = 256, s.n_ff_exp = 256, s.n_vocab = 320;
  return s;
}

std::string failure(const testing::TinySpec& s) {
  testing::TinyModel tiny(s);
  auto b = make_cuda_backend(tiny.view(), CudaBackendOptions{});
  return b ? std::string() : b.error().message;
}

TEST(BackendCuda, ProbeSaysWhyThereIsNoDevice) {
  const DeviceProbe p = probe_cuda();
  if (p.unavailable.empty()) {
    EXPECT_TRUE(p.cuda_built);
    EXPECT_FALSE(p.name.empty());
    EXPECT_GT(p.free_bytes, 0u);
  } else {
    EXPECT_TRUE(p.name.empty());
  }
}

#if defined(CODERX_HAVE_CUDA)

TEST(BackendCuda, RefusesShapesTheKernelsCannotRunBeforeTouchingTheDevice) {
  auto s = runnable();
  s.hd_swa = 16;
  EXPECT_NE(failure(s).find("layer 0 head_dim 16"), std::string::npos) << failure(s);
  s = runnable();
  s.n_head = 6, s.kv_swa = 4;  // GQA group 6/4
  EXPECT_NE(failure(s).find("layer 0 GQA group"), std::string::npos) << failure(s);
  s = runnable();
  s.n_ff_exp = 48;  // the MoE kernels decode 32-element chunks
  EXPECT_NE(failure(s).find("multiples of 32"), std::string::npos) << failure(s);
}

TEST(BackendCuda, WithoutADeviceFailsWithTheRuntimesReason) {
  const DeviceProbe p = probe_cuda();
  if (p.unavailable.empty()) GTEST_SKIP() << "a CUDA device is present: " << p.name;
  const std::string why = failure(runnable());
  EXPECT_FALSE(why.empty());
  EXPECT_NE(why.find("CUDA"), std::string::npos) << why;
}

#else

TEST(BackendCuda, CpuOnlyBuildsSayThereIsNoCuda) {
  EXPECT_EQ(failure(runnable()), "this binary was built without CUDA");
  const DeviceProbe p = probe_cuda();
  EXPECT_FALSE(p.cuda_built);
  EXPECT_EQ(p.unavailable, "this binary was built without CUDA");
}

#endif

}  // namespace
}  // namespace coderx::model
