// CUDA on the CPU, for the emulated kernel tests (label emu): the kernels/*.cu files are
// compiled as C++ with this header forced in front (-include), so the very source the GPU runs
// executes here on fibers (fiber_grid.h), one block at a time. Each test in
// tests/kernels/*_gpu_test.cpp and tests/model/backend_cuda_gpu_test.cpp (against the engine
// compiled once more on these kernels) then runs without a GPU against its CPU reference,
// poisoned outputs included. What it checks: indexing, launch shapes, barriers, warp collectives,
// shared-memory layouts, writes past a device buffer or the dynamic shared memory (guard bytes,
// device_guards.h) and the arithmetic of every kernel, including the device forms of the block
// decoders (kernels/block_decode.h: byte permutes, funnel shifts, aligned word loads), whose
// intrinsics get host twins below, and cp.async rings (a copy lands only at the wait for its
// group; fiber_grid.h), reads of shared memory a block has not written (static and dynamic shared
// memory start each block as NaN), launches over 48 KiB of dynamic shared memory without the
// kernel's opt-in (refused as on the GPU), loads and stores not aligned to their size (UBSan's
// alignment check, emu.cmake; misaligned cp.async too), lanes of a warp at different collectives
// and races within a barrier interval (the tests run with threads and blocks in order and again
// in reverse). What it cannot: timing, memory coherence between blocks running at once, and
// tensor-core instructions other than through the wmma emulation.
// Launches go through CODERX_LAUNCH (kernels/cuda_util.cuh), dynamic shared memory through
// CODERX_DYNAMIC_SHARED; the CUDA runtime, graph and cuBLAS calls of the kernels and the backend
// are served by runtime_stubs.cpp over host memory.
#pragma once

#define CODERX_CUDA_EMU 1
// One block runs at a time, so a function-static array is that block's shared memory; poisoned
// before each block like the dynamic shared memory (fiber_grid.h CODERX_EMU_STATIC_SHARED).
#define __shared__ CODERX_EMU_STATIC_SHARED
#define __launch_bounds__(...)

// Every CUDA header the kernels include comes first: the index macros below would break them.
#include <cublas_v2.h>
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>
#include <mma.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <type_traits>

#include "device_guards.h"
#include "fiber_grid.h"
#include "wmma_emu.h"

#define threadIdx (::coderx::emu::thread_idx())
#define blockIdx (::coderx::emu::block_idx())
#define blockDim (::coderx::emu::block_dim())
#define gridDim (::coderx::emu::grid_dim())

using std::max;
using std::min;

inline float rsqrtf(float x) { return 1.0f / std::sqrt(x); }

inline void __syncthreads() { ::coderx::emu::sync_block(); }
inline void __syncwarp(unsigned = 0xffffffffu) { ::coderx::emu::sync_warp(); }
inline void __threadfence() { std::atomic_thread_fence(std::memory_order_seq_cst); }

template <class T>
T __shfl_xor_sync(unsigned, T value, int lane_mask, int = 32) {
  const int lane = static_cast<int>(threadIdx.x & 31);
  return ::coderx::emu::warp_exchange(value, lane ^ lane_mask);
}
inline int __any_sync(unsigned, int predicate) { return ::coderx::emu::warp_any(predicate != 0) ? 1 : 0; }

// Host twins of the integer and bit-cast intrinsics, with the PTX semantics (prmt, shf.r.wrap).
inline float __uint_as_float(unsigned bits) {
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}
// Byte n of the result is byte (selector nibble n & 7) of the eight bytes y:x (x holds bytes 0…3);
// the kernels use selectors 0…7 only (PTX gives the nibble's bit 3 a sign-replicate meaning).
inline unsigned __byte_perm(unsigned x, unsigned y, unsigned selector) {
  const std::uint64_t bytes = (static_cast<std::uint64_t>(y) << 32) | x;
  unsigned result = 0;
  for (unsigned n = 0; n < 4; ++n) {
    const unsigned pick = (selector >> (4 * n)) & 7u;
    result |= static_cast<unsigned>((bytes >> (8 * pick)) & 0xffu) << (8 * n);
  }
  return result;
}
// The low 32 bits of the 64-bit hi:lo shifted right by shift mod 32.
inline unsigned __funnelshift_r(unsigned lo, unsigned hi, unsigned shift) {
  const std::uint64_t joined = (static_cast<std::uint64_t>(hi) << 32) | lo;
  return static_cast<unsigned>(joined >> (shift & 31u));
}

template <class T>
T __ldg(const T* p) {
  return *p;
}
template <class T>
T __ldcg(const T* p) {
  return *p;
}

template <class T>
T atomicAdd(T* address, T value) {
  const T old = *address;  // fibers never run at the same time
  *address = old + value;
  return old;
}
template <class T>
T atomicExch(T* address, T value) {
  const T old = *address;
  *address = value;
  return old;
}

// The runtime's kernel-pointer overload, which cuda_runtime.h declares for nvcc only.
template <class Kernel>
cudaError_t cudaFuncSetAttribute(Kernel* kernel, cudaFuncAttribute attr, int value) {
  return ::cudaFuncSetAttribute(reinterpret_cast<const void*>(kernel), attr, value);
}

// Launch: CODERX_LAUNCH(grid, block, smem, stream, kernel)(args...) runs the grid at once, or
// keeps it with copies of its arguments while a graph is captured (the stream is ignored: every
// stream is the host's program order), and records launch errors for cudaGetLastError.
namespace coderx::emu {

// A failed launch for cudaGetLastError ("" is no failure): a shape CUDA refuses is
// cudaErrorInvalidConfiguration, a fault while running (deadlock, overrun) cudaErrorLaunchFailure.
void record_launch_error(const std::string& error, cudaError_t code = cudaErrorLaunchFailure);
// Runs work now, or keeps it for cudaGraphLaunch while a stream is captured into a graph
// (cudaStreamBeginCapture … EndCapture; runtime_stubs.cpp).
void run_or_capture(std::function<void()> work);
// Why the GPU would refuse to launch kernel with `bytes` of dynamic shared memory (over 48 KiB
// without a cudaFuncAttributeMaxDynamicSharedMemorySize at least that large), or "".
std::string dynamic_smem_error(const void* kernel, std::size_t bytes);

struct Launch {
  GridShape shape;
  template <class Kernel>
  auto operator()(Kernel* kernel) const {
    return [shape = shape, kernel](auto&&... args) {
      if (std::string error = launch_error(shape); !error.empty()) {
        record_launch_error(error, cudaErrorInvalidConfiguration);
        return;
      }
      if (std::string error = dynamic_smem_error(reinterpret_cast<const void*>(kernel), shape.dynamic_smem); !error.empty()) {
        record_launch_error(error, cudaErrorInvalidValue);
        return;
      }
      run_or_capture([shape, kernel, ... copies = std::decay_t<decltype(args)>(args)] {
        record_launch_error(run_grid(shape, [&] { kernel(copies...); }));
        record_launch_error(check_device_guards());
      });
    };
  }
};

inline dim3 as_dim3(dim3 d) { return d; }
template <class N>
dim3 as_dim3(N n) {
  return dim3(static_cast<unsigned>(n));
}

}  // namespace coderx::emu

#define CODERX_LAUNCH(grid, block, smem, stream, ...)                                                   \
  ::coderx::emu::Launch{{::coderx::emu::as_dim3(grid), ::coderx::emu::as_dim3(block),                  \
                         static_cast<std::size_t>(smem)}}(&__VA_ARGS__)
#define CODERX_DYNAMIC_SHARED(type, name) type* name = reinterpret_cast<type*>(::coderx::emu::dynamic_shared())
