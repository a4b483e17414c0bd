// What the CUDA backend puts in device memory, computed on the host so that the choice of
// backend (model/device_select.h) and the backend itself (model/backend_cuda.cpp) agree:
//   - the weight tensors the forward pass reads (every Matrix, expert stack and f32 vector of
//     the model view, each once even where shared, e.g. the tied LM head), copied unchanged;
//   - the KV caches: per sequence and layer, K and V rings of f16 rows — sliding layers keep
//     window + slack positions (like model/kv_cache.h), full layers every position;
//   - the workspace for a batch of up to max_tokens tokens: activations, attention split-K
//     partials, MoE prefill grouping buffers, logits rows.
// Pure functions of the model view; thread-safe. Unit-tested on the CPU.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "model/model_view.h"

namespace coderx::model {

// One host tensor to upload: bytes starting at data (borrowed from the mapped file).
struct HostTensor {
  const void* data = nullptr;
  std::size_t bytes = 0;
};

// Every tensor the forward pass reads, each host pointer once, in a fixed order.
std::vector<HostTensor> device_tensors(const ModelView& model);

// Positions a device KV ring of layer `l` holds (slot = position % slots).
std::int64_t device_kv_slots(const ModelView& model, std::int64_t layer, std::int64_t max_context,
                             std::int64_t slack);
// Bytes of one sequence's device KV cache (K and V, f16, every layer).
std::uint64_t device_kv_bytes(const ModelView& model, std::int64_t max_context, std::int64_t slack);

// Element counts of the backend's per-batch device buffers for a batch of max_tokens tokens.
struct DeviceWorkspace {
  std::int64_t max_tokens = 0;
  std::int64_t embd = 0;       // [T, n_embd] f32 — each of x, h, a, att, m, xe, moe
  std::int64_t q = 0;          // [T, n_head · max head_dim] f32 — q and o
  std::int64_t kv = 0;         // [T, max n_kv · max head_dim] f32 — k and v
  std::int64_t ff = 0;         // [T, n_ff_max] f32 — dense gate and up
  std::int64_t route = 0;      // [T, k] — expert ids (i32) and weights (f32)
  std::int64_t moe_act = 0;    // [T ≤ 8, k, n_ff_exp] f32 — MoE decode scratch
  std::int64_t attn = 0;       // split-K partials, floats (kernels/attention.h): 64 splits for
                               // up to 8 queries, fewer for larger batches (at least 1)
  std::int64_t moe_prefill = 0; // bytes, an upper bound of kernels::moe_prefill_workspace
  std::int64_t router = 0;      // bytes: kernels::moe_router_workspace_bytes (the backend allocates this)
  std::int64_t logits = 0;     // [T, n_vocab] f32
  // The prefill GEMM's operands in split-f16 form (kernels/split_gemm.h: 6 bytes an element
  // plus an f32 scale a row), all 0 when T <= 8 (GEMV only):
  std::int64_t dense_weight = 0; // elements of the largest layer projection (one weight at a time)
  std::int64_t dense_rows = 0;   // rows of the tallest layer projection
  std::int64_t dense_input = 0;  // [T, widest projection input] elements
  std::uint64_t bytes() const;
};

constexpr int kDeviceMaxSplits = 64;  // split-K partials the attention workspace holds

DeviceWorkspace device_workspace(const ModelView& model, std::int64_t max_tokens);

// Most split-K splits the attention workspace allows for n_q queries (1 … kDeviceMaxSplits).
int device_attention_splits(const DeviceWorkspace& w, std::int64_t n_q, std::int64_t n_head, std::int64_t head_dim);

struct DeviceMemoryParams {
  std::int64_t max_context = 4096;
  std::int64_t slack = 256;
  int n_sequences = 1;           // KV caches (engine slots)
  std::int64_t max_tokens = 512; // largest batch
};

struct DeviceMemoryNeed {
  std::uint64_t weights = 0, kv = 0, workspace = 0;
  std::uint64_t overhead = 0;  // CUDA graphs, cuBLAS, allocator rounding (a fixed allowance)
  std::uint64_t total() const { return weights + kv + workspace + overhead; }
};

constexpr std::uint64_t kDeviceOverheadBytes = 256ull << 20;

DeviceMemoryNeed estimate_device_memory(const ModelView& model, const DeviceMemoryParams& p);

}  // namespace coderx::model
