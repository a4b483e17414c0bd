// Lists the CUDA devices this process can use, or says why there are none.
// Called once by model/devices (for `coderx --version` and backend selection). No CUDA types
// here; implemented in device_query.cu (CUDA builds only). Thread-safe. Never exits: a missing
// driver or GPU is reported in DeviceReport::error.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace coderx::kernels {

struct DeviceInfo {
  int index = 0;
  std::string name;
  int cc_major = 0;  // compute capability, e.g. 9.0 for H100/H200
  int cc_minor = 0;
  std::size_t total_bytes = 0;
  std::size_t free_bytes = 0;
  int multiprocessors = 0;
};

struct DeviceReport {
  std::vector<DeviceInfo> devices;
  std::string error;       // why devices is empty (driver missing, no GPU), else ""
  int runtime_version = 0;  // cudaRuntimeGetVersion, e.g. 13000
  int driver_version = 0;   // cudaDriverGetVersion; 0 where no driver is installed
};

DeviceReport query_devices();

// Device-to-device copy bandwidth of the current device in bytes/s, counting bytes read plus
// bytes written (the ceiling a memory-bound kernel is measured against): the median of 9
// copies of `bytes` after a warm-up, timed with events. 0 when an allocation or copy fails.
double copy_bandwidth(std::size_t bytes = std::size_t(1) << 30);

}  // namespace coderx::kernels
