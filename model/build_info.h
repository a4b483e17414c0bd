// What this binary is: version, build options, CPU features and compute devices.
// Called by `coderx --version` and logged at engine start. Thread-safe, no side effects beyond
// querying the CUDA runtime (CUDA builds) once per call.
#pragma once

#include <string>
#include <vector>

namespace coderx::model {

struct ComputeDevice {
  std::string name;     // "NVIDIA H200"
  std::string details;  // "sm_90, 132 SMs, 139.8 GiB (139.1 GiB free)"
};

struct DeviceSummary {
  bool cuda_built = false;
  std::string cuda_build;  // how kernels were built, or why not
  std::vector<ComputeDevice> devices;
  std::string none_reason;  // set when devices is empty
};

std::string version();
std::string build_options();      // "RelWithDebInfo, GNU 12.2.0"
std::string cpu_features();       // "avx2 avx512f fma f16c" — what the fast paths may use
DeviceSummary compute_devices();  // CUDA devices, or why none

}  // namespace coderx::model
