// Helpers for the GPU kernel tests (*_gpu_test.cpp, label gpu): skipping with the reason from
// kernels/device_query when there is no device, device arrays poisoned before each launch (NaN
// for floats, -1 for ints) so unwritten outputs show up, and error metrics.
// Only compiled in CUDA builds (CODERX_HAVE_CUDA); header-only.
#pragma once

#if defined(CODERX_HAVE_CUDA)

#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "kernels/device_query.h"
#include "kernels/status.h"

namespace coderx::kernels::testing {

// "" when a CUDA device is usable, else why not (computed once).
inline const std::string& gpu_unavailable_reason() {
  static const std::string reason = [] {
    const DeviceReport report = query_devices();
    if (!report.devices.empty()) return std::string();
    return "no CUDA device: " + (report.error.empty() ? std::string("none found") : report.error);
  }();
  return reason;
}

#define CODERX_REQUIRE_GPU()                                                         \
  do {                                                                               \
    if (!::coderx::kernels::testing::gpu_unavailable_reason().empty())               \
      GTEST_SKIP() << ::coderx::kernels::testing::gpu_unavailable_reason();         \
  } while (0)

#define CODERX_EXPECT_OK(expr)                                        \
  do {                                                                \
    const ::coderx::kernels::Status st_ = (expr);                     \
    ASSERT_TRUE(st_.ok()) << st_.message;                             \
  } while (0)

#define CODERX_CUDA_OK(expr)                                                    \
  do {                                                                          \
    const cudaError_t err_ = (expr);                                            \
    ASSERT_EQ(err_, cudaSuccess) << #expr << ": " << cudaGetErrorString(err_); \
  } while (0)

// A device array of n T, freed on destruction. Bytes, not constructors: T is trivially copyable.
template <class T>
class DeviceArray {
 public:
  explicit DeviceArray(std::size_t n) : n_(n) {
    if (n_ && cudaMalloc(&ptr_, n_ * sizeof(T)) != cudaSuccess) ptr_ = nullptr;
    poison();
  }
  explicit DeviceArray(const std::vector<T>& host) : DeviceArray(host.size()) { upload(host); }
  ~DeviceArray() {
    if (ptr_) cudaFree(ptr_);
  }
  DeviceArray(const DeviceArray&) = delete;
  DeviceArray& operator=(const DeviceArray&) = delete;

  T* get() const { return static_cast<T*>(ptr_); }
  std::size_t size() const { return n_; }
  bool ok() const { return ptr_ != nullptr || n_ == 0; }
  void upload(const std::vector<T>& host) {
    if (ptr_) cudaMemcpy(ptr_, host.data(), host.size() * sizeof(T), cudaMemcpyHostToDevice);
  }
  // 0xFF bytes: NaN for f32 / f16 / bf16, -1 for integers.
  void poison() {
    if (ptr_) cudaMemset(ptr_, 0xff, n_ * sizeof(T));
  }
  std::vector<T> download() const {
    std::vector<T> host(n_);
    cudaDeviceSynchronize();
    if (ptr_) cudaMemcpy(host.data(), ptr_, n_ * sizeof(T), cudaMemcpyDeviceToHost);
    return host;
  }

 private:
  void* ptr_ = nullptr;
  std::size_t n_ = 0;
};

// Σ(got - want)² / Σ want²; +inf when got has a NaN or inf anywhere (an unwritten element).
inline double nmse(const std::vector<float>& got, const std::vector<double>& want) {
  double num = 0.0, den = 0.0;
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (!std::isfinite(got[i])) return INFINITY;
    num += (got[i] - want[i]) * (got[i] - want[i]);
    den += want[i] * want[i];
  }
  return den > 0.0 ? num / den : num;
}

inline std::vector<float> random_floats(std::size_t n, std::mt19937& rng, float lo = -1.0f, float hi = 1.0f) {
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

inline void sync_ok() { ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess); }

}  // namespace coderx::kernels::testing

#endif  // CODERX_HAVE_CUDA
