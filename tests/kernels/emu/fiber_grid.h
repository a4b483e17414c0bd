// Runs a CUDA grid on the CPU for the emulated kernel tests (tests/kernels/emu/cuda_emu.h).
// Blocks run one after another on the calling thread; each thread of a block is a fiber with
// its own stack (switched by a few lines of assembly on x86-64, by ucontext elsewhere), run
// until it would wait for others: __syncthreads, __syncwarp and the warp exchanges behind
// __shfl_xor_sync / __any_sync. Barriers and warp collectives behave as on a GPU, and a race
// plays out in one order a GPU could take, the same every run. Function-static storage stands
// in for a block's __shared__ arrays (one block lives at a time); they are declared with
// CODERX_EMU_STATIC_SHARED, which puts them in one section that is filled with 0xFF bytes (NaN
// floats, -1 integers) before each block, as the dynamic shared memory is, so a block that reads
// shared memory it has not written reads poison, not what the block before it left there.
// A barrier counts only the threads that have not returned, as on the GPU. A grid whose fibers
// all wait without any barrier completing is reported as a deadlock, and so is a warp whose
// lanes wait at different collectives (one at __syncwarp, another in a shuffle or a vote).
// The schedule (forward or reverse) sets the order in which blocks, and a block's ready threads,
// run: a race between two threads of one barrier interval (one writes what the other reads or
// overwrites) plays out one way forward and the other way in reverse, so the emulated tests run
// in both (ctest prefixes emu. and emu-reverse.).
// Not thread-safe: one grid at a time, from one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>

#include <vector_types.h>

// A block's static shared variable: `CODERX_EMU_STATIC_SHARED float tile[64];`.
#define CODERX_EMU_STATIC_SHARED __attribute__((section("coderx_emu_shared"))) static

namespace coderx::emu {

struct GridShape {
  dim3 grid;
  dim3 block;
  std::size_t dynamic_smem = 0;
};

// Why a shape cannot launch (CUDA's limits: 1024 threads a block, 2^31-1 × 65535 × 65535
// blocks, 227 KiB of shared memory), or "" when it can.
std::string launch_error(const GridShape& shape);

enum class Schedule { forward, reverse };

// The schedule of the following grids; until set, CODERX_EMU_SCHEDULE (forward or reverse,
// default forward) decides.
void set_schedule(Schedule schedule);
Schedule current_schedule();

// Runs body once per thread of every block of the shape; returns "" or why it stopped (a
// deadlock, mismatched warp collectives, or a write past the end of the dynamic shared memory). Dynamic shared memory is
// filled with 0xFF bytes (NaN floats) before each block.
std::string run_grid(const GridShape& shape, const std::function<void()>& body);

// The running thread's coordinates (valid inside run_grid's body).
const uint3& thread_idx();
const uint3& block_idx();
const dim3& block_dim();
const dim3& grid_dim();
unsigned char* dynamic_shared();

// Barriers of the running thread's block and warp.
void sync_block();
void sync_warp();

// cp.async (16 bytes, the rest of the 16 zero-filled past src_bytes) as the GPU may perform it:
// the destination reads as 0xFF bytes (NaN) from the issue until a wait completes the copy's
// group, so reading a stage before waiting for it, or refilling a stage another thread still
// reads, shows up as NaN in the results. Groups are per thread, as on the GPU. Both addresses
// must be 16-byte aligned: otherwise the run stops with a message, where a GPU would fault.
void async_copy16(void* dst, const void* src, int src_bytes);
void async_commit();
// Completes every committed group of the running thread but the newest `newest_left_pending`
// (cp.async.wait_group N).
void async_wait(int newest_left_pending);

// Warp collectives: every active lane of the warp passes its value, then reads lane `from`'s.
std::uint64_t exchange_bits(std::uint64_t mine, int from);
// True when any active lane of the warp passed true.
bool warp_any(bool mine);

template <class T>
T warp_exchange(T mine, int from) {
  static_assert(sizeof(T) <= sizeof(std::uint64_t), "one register");
  std::uint64_t bits = 0;
  std::memcpy(&bits, &mine, sizeof(T));
  bits = exchange_bits(bits, from);
  T out;
  std::memcpy(&out, &bits, sizeof(T));
  return out;
}

}  // namespace coderx::emu
