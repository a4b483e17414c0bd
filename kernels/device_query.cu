// CUDA implementation of device_query.h: cudaGetDeviceCount and cudaGetDeviceProperties.
// Reference: none (host-side query). Launch geometry: no kernels.
#include "kernels/device_query.h"

#include <cuda_runtime.h>

#include <algorithm>
#include <vector>

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

double copy_bandwidth(std::size_t bytes) {
  void *src = nullptr, *dst = nullptr;
  cudaEvent_t start = nullptr, stop = nullptr;
  std::vector<float> ms;
  if (cudaMalloc(&src, bytes) == cudaSuccess && cudaMalloc(&dst, bytes) == cudaSuccess &&
      cudaEventCreate(&start) == cudaSuccess && cudaEventCreate(&stop) == cudaSuccess &&
      cudaMemset(src, 0x3c, bytes) == cudaSuccess && cudaMemcpy(dst, src, bytes, cudaMemcpyDeviceToDevice) == cudaSuccess) {
    for (int i = 0; i < 9; ++i) {
      float t = 0.0f;
      cudaEventRecord(start);
      cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice);
      cudaEventRecord(stop);
      if (cudaEventSynchronize(stop) != cudaSuccess || cudaEventElapsedTime(&t, start, stop) != cudaSuccess) break;
      ms.push_back(t);
    }
  }
  if (start) cudaEventDestroy(start);
  if (stop) cudaEventDestroy(stop);
  cudaFree(src);
  cudaFree(dst);
  cudaGetLastError();
  if (ms.size() < 9) return 0.0;
  std::nth_element(ms.begin(), ms.begin() + 4, ms.end());
  return ms[4] > 0.0f ? 2.0 * static_cast<double>(bytes) / (ms[4] * 1e-3) : 0.0;
}

}  // namespace coderx::kernels
