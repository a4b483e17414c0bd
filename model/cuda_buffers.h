// Device and pinned host memory for the CUDA backend (model/backend_cuda.cpp), and the
// uploaded weights: every tensor of model/device_memory.h device_tensors() copied unchanged
// into one device arena (offsets from kernels/upload_layout.h plan_upload, copies through a
// pinned staging buffer in kernels::staging_pieces), plus a small table of f32 scalars the
// kernels read from device memory (layer_output_scale, `.scale` {1} of each matrix).
// No CUDA types here; implemented in cuda_buffers_cuda.cpp (CUDA builds only).
// Threading: owned and used by one backend. Errors: Result naming what failed and the CUDA
// runtime's message.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "model/error.h"
#include "model/model_view.h"

namespace coderx::model::cuda {

// A cudaMalloc'd block (or cudaMallocHost'd when pinned), freed on destruction. Move-only.
class Buffer {
 public:
  Buffer() = default;
  ~Buffer();
  Buffer(Buffer&& other) noexcept;
  Buffer& operator=(Buffer&& other) noexcept;
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  // Allocates `bytes` (at least 1), zero-filled on the device; `what` names it in errors.
  Result<void> allocate(std::size_t bytes, const std::string& what, bool pinned_host = false);
  template <class T>
  T* as() const { return static_cast<T*>(ptr_); }
  void* get() const { return ptr_; }
  std::size_t bytes() const { return bytes_; }

 private:
  void release();
  void* ptr_ = nullptr;
  std::size_t bytes_ = 0;
  bool pinned_ = false;
};

// "what: <cudaGetErrorString>" for a cudaError_t value (as int), or success.
Result<void> check(int cuda_error, const std::string& what);

class DeviceWeights {
 public:
  // Uploads every tensor of `model` and the scalar table; synchronous.
  Result<void> upload(const ModelView& model);

  // Device address of a host tensor pointer (anywhere inside an uploaded tensor); null for null.
  const void* at(const void* host) const;
  const float* floats(const float* host) const { return static_cast<const float*>(at(host)); }
  // Device [1] f32 holding m.out_scale, or null when it is 1.
  const float* out_scale(const Matrix& m) const;
  // Device [1] f32 holding layer l's output scale.
  const float* layer_scale(std::int64_t l) const;
  std::size_t bytes() const { return arena_.bytes() + scalars_.bytes(); }

 private:
  Result<void> upload_scalars(const ModelView& model);

  struct Range {
    const char* host;
    std::size_t bytes;
    std::size_t offset;
  };
  Buffer arena_, scalars_;
  std::vector<Range> ranges_;  // sorted by host address
  std::unordered_map<const void*, int> matrix_scale_;  // matrix data → scalar index
  std::vector<int> layer_scale_;
};

}  // namespace coderx::model::cuda
