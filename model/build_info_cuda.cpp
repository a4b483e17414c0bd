// compute_devices() for CUDA builds: asks kernels/device_query.
#include <cstdio>

#include "kernels/device_query.h"
#include "model/build_info.h"

namespace coderx::model {

namespace {

std::string describe(const kernels::DeviceInfo& d) {
  char text[160];
  const double gib = 1024.0 * 1024.0 * 1024.0;
  std::snprintf(text, sizeof text, "sm_%d%d, %d SMs, %.1f GiB (%.1f GiB free)", d.cc_major,
                d.cc_minor, d.multiprocessors, d.total_bytes / gib, d.free_bytes / gib);
  return text;
}

}  // namespace

DeviceSummary compute_devices() {
  DeviceSummary summary;
  summary.cuda_built = true;
  summary.cuda_build = CODERX_CUDA_REASON;
  kernels::DeviceReport report = kernels::query_devices();
  for (const auto& d : report.devices) summary.devices.push_back({d.name, describe(d)});
  if (summary.devices.empty()) {
    summary.none_reason = "CUDA runtime " + std::to_string(report.runtime_version) + ": " +
                          (report.error.empty() ? "no device" : report.error);
  }
  return summary;
}

}  // namespace coderx::model
