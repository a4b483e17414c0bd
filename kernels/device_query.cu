// CUDA implementation of device_query.h: cudaGetDeviceCount and cudaGetDeviceProperties.
// Reference: none (host-side query). Launch geometry: no kernels.
#include "kernels/device_query.h"

#include <cuda_runtime.h>

namespace coderx::kernels {

namespace {

DeviceInfo describe(int index) {
  DeviceInfo info;
  info.index = index;
  cudaDeviceProp prop{};
  if (cudaGetDeviceProperties(&prop, index) != cudaSuccess) return info;
  info.name = prop.name;
  info.cc_major = prop.major;
  info.cc_minor = prop.minor;
  info.total_bytes = prop.totalGlobalMem;
  info.multiprocessors = prop.multiProcessorCount;
  if (cudaSetDevice(index) == cudaSuccess) {
    size_t free_bytes = 0, total = 0;
    if (cudaMemGetInfo(&free_bytes, &total) == cudaSuccess) info.free_bytes = free_bytes;
  }
  return info;
}

}  // namespace

DeviceReport query_devices() {
  DeviceReport report;
  cudaRuntimeGetVersion(&report.runtime_version);
  cudaDriverGetVersion(&report.driver_version);
  int count = 0;
  cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) {
    report.error = cudaGetErrorString(status);
    cudaGetLastError();  // clear the sticky error so later calls start clean
    return report;
  }
  if (count == 0) report.error = "no CUDA device present";
  for (int i = 0; i < count; ++i) report.devices.push_back(describe(i));
  return report;
}

}  // namespace coderx::kernels
