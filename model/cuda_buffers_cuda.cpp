#include "model/cuda_buffers.h"

#include <cuda_runtime.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "kernels/upload_layout.h"
#include "model/device_memory.h"

namespace coderx::model::cuda {

Result<void> check(int cuda_error, const std::string& what) {
  if (cuda_error == cudaSuccess) return {};
  const auto e = static_cast<cudaError_t>(cuda_error);
  const Errc code = e == cudaErrorMemoryAllocation ? Errc::out_of_memory : Errc::internal;
  return make_error(code, what + ": " + cudaGetErrorString(e));
}

Buffer::~Buffer() { release(); }

Buffer::Buffer(Buffer&& other) noexcept { *this = std::move(other); }

Buffer& Buffer::operator=(Buffer&& other) noexcept {
  if (this != &other) {
    release();
    ptr_ = std::exchange(other.ptr_, nullptr);
    bytes_ = std::exchange(other.bytes_, 0);
    pinned_ = other.pinned_;
  }
  return *this;
}

void Buffer::release() {
  if (ptr_) pinned_ ? cudaFreeHost(ptr_) : cudaFree(ptr_);
  ptr_ = nullptr;
  bytes_ = 0;
}

Result<void> Buffer::allocate(std::size_t bytes, const std::string& what, bool pinned_host) {
  release();
  bytes = std::max<std::size_t>(bytes, 1);
  pinned_ = pinned_host;
  const cudaError_t e = pinned_host ? cudaMallocHost(&ptr_, bytes) : cudaMalloc(&ptr_, bytes);
  if (e != cudaSuccess) {
    ptr_ = nullptr;
    return check(e, "allocating " + std::to_string(bytes) + " bytes for " + what);
  }
  bytes_ = bytes;
  if (pinned_host) {
    std::memset(ptr_, 0, bytes);
    return {};
  }
  return check(cudaMemset(ptr_, 0, bytes), "clearing " + what);
}

namespace {

constexpr std::size_t kStagingBytes = 64u << 20;

}  // namespace

Result<void> DeviceWeights::upload(const ModelView& model) {
  const std::vector<HostTensor> tensors = device_tensors(model);
  std::vector<std::size_t> sizes;
  for (const HostTensor& t : tensors) sizes.push_back(t.bytes);
  const kernels::UploadPlan plan = kernels::plan_upload(sizes);
  if (auto ok = arena_.allocate(plan.total, "the model weights"); !ok) return ok;
  Buffer staging;
  if (auto ok = staging.allocate(kStagingBytes, "the upload staging buffer", true); !ok) return ok;
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    const char* src = static_cast<const char*>(tensors[i].data);
    char* dst = arena_.as<char>() + plan.offsets[i];
    for (const kernels::CopyPiece& piece : kernels::staging_pieces(tensors[i].bytes, kStagingBytes)) {
      std::memcpy(staging.get(), src + piece.offset, piece.size);
      if (auto ok = check(cudaMemcpy(dst + piece.offset, staging.get(), piece.size, cudaMemcpyHostToDevice),
                          "uploading weights");
          !ok)
        return ok;
    }
    ranges_.push_back(Range{src, tensors[i].bytes, plan.offsets[i]});
  }
  std::sort(ranges_.begin(), ranges_.end(), [](const Range& a, const Range& b) { return a.host < b.host; });
  return upload_scalars(model);
}

const void* DeviceWeights::at(const void* host) const {
  if (host == nullptr) return nullptr;
  const char* p = static_cast<const char*>(host);
  auto it = std::upper_bound(ranges_.begin(), ranges_.end(), p,
                             [](const char* x, const Range& r) { return x < r.host; });
  if (it == ranges_.begin()) return nullptr;
  --it;
  if (p >= it->host + it->bytes) return nullptr;
  return arena_.as<const char>() + it->offset + static_cast<std::size_t>(p - it->host);
}

Result<void> DeviceWeights::upload_scalars(const ModelView& model) {
  std::vector<float> values;
  auto add_matrix = [&](const Matrix& m) {
    if (m.valid() && m.out_scale != 1.0f && !matrix_scale_.count(m.data)) {
      matrix_scale_[m.data] = static_cast<int>(values.size());
      values.push_back(m.out_scale);
    }
  };
  add_matrix(model.lm_head());
  for (const LayerView& w : model.layers) {
    for (const Matrix* m : {&w.wq, &w.wk, &w.wv, &w.wo, &w.ffn_gate, &w.ffn_up, &w.ffn_down}) add_matrix(*m);
    layer_scale_.push_back(static_cast<int>(values.size()));
    values.push_back(w.output_scale);
  }
  if (auto ok = scalars_.allocate(values.size() * sizeof(float), "weight scales"); !ok) return ok;
  return check(cudaMemcpy(scalars_.get(), values.data(), values.size() * sizeof(float), cudaMemcpyHostToDevice),
               "uploading weight scales");
}

const float* DeviceWeights::out_scale(const Matrix& m) const {
  auto it = matrix_scale_.find(m.data);
  return it == matrix_scale_.end() ? nullptr : scalars_.as<const float>() + it->second;
}

const float* DeviceWeights::layer_scale(std::int64_t l) const { return scalars_.as<const float>() + layer_scale_[l]; }

}  // namespace coderx::model::cuda
