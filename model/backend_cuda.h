// The CUDA backend: the whole forward pass of spec gemma4-moe.md §2.3 on one GPU through the
// kernels/ launchers. Weights are uploaded once from the mapped GGUF in their stored
// (quantised) form into one device arena (kernels/upload_layout.h); every sequence's KV cache
// lives on the device (f16 rings, model/device_memory.h geometry); logits rows come back to the
// host. Decode steps (batches of at most 8 tokens) are captured as a CUDA graph per batch shape
// and replayed (the executable graph is updated in place each step, since positions and cache
// pointers are launch arguments). A one-sequence decode step is 11-12 launches per layer
// (fused norm chains, one Q/K/V GEMV, head_prep; captured_step_nodes() reports the count).
// Limits against the CPU backend: KV states are device-only (prefix reuse works within a slot,
// as on the CPU).
// Compiled only in CUDA builds (backend_cuda.cpp); CPU-only builds link
// backend_cuda_nocuda.cpp, whose make_cuda_backend reports Errc::unsupported.
// Who calls it: model/engine.cpp (try_cuda), tests/model/backend_cuda_gpu_test.cpp.
// Threading: one thread at a time; uses device 0 and its own stream. Errors: Result with the
// failing launcher's or CUDA runtime's message.
#pragma once

#include <cstdint>
#include <memory>

#include "model/backend.h"
#include "model/device_select.h"
#include "model/model_view.h"

namespace coderx::model {

struct CudaBackendOptions {
  std::int64_t max_context = 4096;  // positions per sequence
  std::int64_t slack = 256;         // extra ring slots on sliding layers (≥ the prefill chunk)
  std::int64_t max_tokens = 512;    // largest batch of one run() (workspace size)
  bool use_graphs = true;           // capture decode steps as CUDA graphs
  // A layer projection of a batch of at least this many tokens (and more than 8) is one
  // split-f16 cuBLAS GEMM (kernels/split_gemm.h); smaller batches run 8-token GEMV slices
  // straight from the quantised weights. The split weight is written and read at 6 bytes per
  // weight (about 23 times a Q4_K weight's 0.56), so for short batches re-reading the quantised
  // rows per slice is cheaper. Where the two meet has not been measured on a GPU yet: 64 assumes
  // the GEMV at about a third of the bandwidth the streaming split kernel reaches.
  std::int64_t gemm_min_tokens = 64;
  // Prefill attention of at least this many (query, head) rows runs on tensor cores
  // (kernels/attention_tc.h); shorter batches, such as a few new tokens over a long cache, on the
  // split-K kernel, which spreads the keys over the SMs.
  std::int64_t tc_attention_min_rows = 4096;
};

// What device 0 offers; cuda_built = false in CPU-only builds.
DeviceProbe probe_cuda();

// Uploads the weights and allocates the workspace; fails with the reason (unsupported weight
// type or shape, out of device memory, CUDA error).
Result<std::unique_ptr<Backend>> make_cuda_backend(const ModelView& model, const CudaBackendOptions& options);

}  // namespace coderx::model
