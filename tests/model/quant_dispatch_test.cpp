// SIMD dispatch: the CODERX_SIMD environment variable selects the level at start-up (checked by
// re-running this test binary with the variable set), clamped to what the CPU has.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "model/quant/rows.h"
#include "tests/support/process.h"

namespace coderx::model::quant {
namespace {

// Runs in the child only: reports the level chosen from the environment.
TEST(QuantDispatch, ChildReportsLevel) {
  const char* env = std::getenv("CODERX_SIMD");
  if (!env) GTEST_SKIP() << "runs only as the child of EnvironmentSelectsLevel";
  std::printf("level=%s\n", std::string(simd_level()).c_str());
}

std::string child_level(const std::string& value) {
  const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  const auto r = testing::run_process({"/usr/bin/env", "CODERX_SIMD=" + value, self,
                                       "--gtest_filter=QuantDispatch.ChildReportsLevel"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const auto at = r.out.find("level=");
  return at == std::string::npos ? "" : r.out.substr(at + 6, r.out.find('\n', at) - at - 6);
}

TEST(QuantDispatch, EnvironmentSelectsLevel) {
  EXPECT_EQ(child_level("scalar"), "scalar");
  EXPECT_EQ(child_level("avx2"), simd_level_name(std::min(SimdLevel::Avx2, cpu_simd_level())));
  EXPECT_EQ(child_level("avx512"), simd_level_name(cpu_simd_level()));
}

}  // namespace
}  // namespace coderx::model::quant
