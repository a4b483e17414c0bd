// Backend selection (model/device_select.h): parsing --device, and the decision table for
// every combination of request, build, device presence and device memory, including the
// wording of the one-line messages the user sees.
#include "model/device_select.h"

#include <gtest/gtest.h>

namespace coderx::model {
namespace {

constexpr std::uint64_t kGiB = 1ull << 30;

DeviceProbe gpu(std::uint64_t free_bytes) {
  DeviceProbe p;
  p.cuda_built = true;
  p.name = "NVIDIA H200";
  p.free_bytes = free_bytes;
  return p;
}

TEST(DeviceSelect, ParsesTheThreeNamesAndRejectsOthers) {
  EXPECT_EQ(*parse_device("auto"), DeviceKind::auto_select);
  EXPECT_EQ(*parse_device("cpu"), DeviceKind::cpu);
  EXPECT_EQ(*parse_device("cuda"), DeviceKind::cuda);
  for (const char* bad : {"", "gpu", "CUDA", "cuda:0", " cpu"}) {
    auto r = parse_device(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, Errc::invalid_argument);
    EXPECT_NE(r.error().message.find("auto, cpu, cuda"), std::string::npos);
  }
  for (DeviceKind k : {DeviceKind::auto_select, DeviceKind::cpu, DeviceKind::cuda})
    EXPECT_EQ(*parse_device(to_string(k)), k);
}

TEST(DeviceSelect, CpuRequestIgnoresTheDevice) {
  const DeviceDecision d = choose_device(DeviceKind::cpu, gpu(100 * kGiB), kGiB);
  EXPECT_FALSE(d.use_cuda);
  EXPECT_FALSE(d.warn);
}

TEST(DeviceSelect, CudaWhenBuiltPresentAndItFits) {
  for (DeviceKind k : {DeviceKind::auto_select, DeviceKind::cuda}) {
    const DeviceDecision d = choose_device(k, gpu(20 * kGiB), 15 * kGiB);
    EXPECT_TRUE(d.use_cuda);
    EXPECT_FALSE(d.warn);
    EXPECT_NE(d.message.find("NVIDIA H200"), std::string::npos) << d.message;
  }
  EXPECT_TRUE(choose_device(DeviceKind::cuda, gpu(15 * kGiB), 15 * kGiB).use_cuda);  // exactly fits
}

TEST(DeviceSelect, FallsBackNamingTheReason) {
  struct Case {
    DeviceProbe probe;
    std::uint64_t need;
    const char* reason;
  };
  DeviceProbe not_built;
  not_built.unavailable = "this binary was built without CUDA";
  DeviceProbe no_device;
  no_device.cuda_built = true;
  no_device.unavailable = "no CUDA-capable device is detected";
  const Case cases[] = {
      {not_built, kGiB, "built without CUDA"},
      {no_device, kGiB, "no CUDA-capable device is detected"},
      {gpu(10 * kGiB), 10 * kGiB + 1, "not enough device memory on NVIDIA H200 (need 10.0 GiB, 10.0 GiB free)"},
  };
  for (const Case& c : cases) {
    for (DeviceKind k : {DeviceKind::auto_select, DeviceKind::cuda}) {
      const DeviceDecision d = choose_device(k, c.probe, c.need);
      EXPECT_FALSE(d.use_cuda) << c.reason;
      EXPECT_EQ(d.warn, k == DeviceKind::cuda) << c.reason;  // auto falls back quietly
      EXPECT_NE(d.message.find(c.reason), std::string::npos) << d.message;
      EXPECT_NE(d.message.find("running on the CPU"), std::string::npos) << d.message;
      EXPECT_EQ(d.message.find('\n'), std::string::npos);
    }
  }
}

TEST(DeviceSelect, FormatsGibWithOneDecimal) {
  EXPECT_EQ(format_gib(0), "0.0 GiB");
  EXPECT_EQ(format_gib(3 * kGiB / 2), "1.5 GiB");
  EXPECT_EQ(format_gib(141 * kGiB), "141.0 GiB");
}

}  // namespace
}  // namespace coderx::model
