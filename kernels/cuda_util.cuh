// Internal helpers shared by the .cu files of kernels/ (never included by model/ or tests):
// turning CUDA errors into Status, warp/block reductions, stream casts, launches.
// Device functions are pure; host helpers are thread-safe.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <string>

#include "kernels/status.h"

// A launch and a dynamic shared array, written so that the CPU emulation of the kernel tests
// (tests/kernels/emu/cuda_emu.h, which defines both its own way) runs the same lines:
//   CODERX_LAUNCH(grid, block, smem_bytes, stream, kernel<T>)(args...);
//   CODERX_DYNAMIC_SHARED(float, smem);  // extern __shared__ float smem[] (16-byte aligned)
#if !defined(CODERX_CUDA_EMU)
#define CODERX_LAUNCH(grid, block, smem, stream, ...) __VA_ARGS__<<<grid, block, smem, stream>>>
#define CODERX_DYNAMIC_SHARED(type, name) extern __shared__ __align__(16) type name[]
#endif

namespace coderx::kernels::detail {

inline cudaStream_t as_stream(void* stream) { return static_cast<cudaStream_t>(stream); }

// Status after a launch: picks up launch-configuration errors (cudaGetLastError).
inline Status launch_status(const char* what) {
  cudaError_t err = cudaGetLastError();
  if (err == cudaSuccess) return Status::success();
  return {StatusCode::cuda_error, std::string(what) + ": " + cudaGetErrorString(err)};
}

inline Status cuda_status(cudaError_t err, const char* what) {
  if (err == cudaSuccess) return Status::success();
  return {StatusCode::cuda_error, std::string(what) + ": " + cudaGetErrorString(err)};
}

__device__ __forceinline__ float warp_sum(float v) {
  for (int off = 16; off > 0; off >>= 1) v += __shfl_xor_sync(0xffffffffu, v, off);
  return v;
}

__device__ __forceinline__ float warp_max(float v) {
  for (int off = 16; off > 0; off >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, off));
  return v;
}

// Sum over the whole block (blockDim.x a multiple of 32, at most 1024). Every thread gets the
// result. `scratch` holds 32 floats of shared memory; the call synchronises the block.
__device__ __forceinline__ float block_sum(float v, float* scratch) {
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  v = warp_sum(v);
  __syncthreads();  // scratch may still be read by a previous call
  if (lane == 0) scratch[warp] = v;
  __syncthreads();
  const int n_warps = blockDim.x >> 5;
  v = lane < n_warps ? scratch[lane] : 0.0f;
  return warp_sum(v);
}

// RMSNorm's scale rsqrt(Σ v² / n + eps) over the whole block, from each thread's partial sum of
// squares ss (block_sum's conditions and synchronisation).
__device__ __forceinline__ float block_inv_rms(float ss, std::int64_t n, float eps, float* scratch) {
  return rsqrtf(block_sum(ss, scratch) / static_cast<float>(n) + eps);
}

__device__ __forceinline__ float gelu_tanh(float x) {
  const float c = 0.7978845608028654f;  // sqrt(2/pi)
  return 0.5f * x * (1.0f + tanhf(c * (x + 0.044715f * x * x * x)));
}

}  // namespace coderx::kernels::detail
