// The CUDA device query runs in every build: it lists devices, or says why there are none
// (and the test then skips with that reason, visibly).
#include "model/build_info.h"

#include <gtest/gtest.h>

namespace coderx::model {
namespace {

TEST(BuildInfo, VersionAndOptionsAreFilled) {
  EXPECT_FALSE(version().empty());
  EXPECT_FALSE(build_options().empty());
  EXPECT_FALSE(cpu_features().empty());
}

TEST(BuildInfo, DeviceQueryListsDevicesOrSaysWhyNot) {
  DeviceSummary summary = compute_devices();
  EXPECT_FALSE(summary.cuda_build.empty());
  if (summary.devices.empty()) {
    EXPECT_FALSE(summary.none_reason.empty());
    GTEST_SKIP() << "no CUDA device: " << summary.none_reason << " (CUDA build: "
                 << summary.cuda_build << ")";
  }
  for (const ComputeDevice& d : summary.devices) {
    EXPECT_FALSE(d.name.empty());
    EXPECT_NE(d.details.find("sm_"), std::string::npos) << d.details;
  }
}

}  // namespace
}  // namespace coderx::model
