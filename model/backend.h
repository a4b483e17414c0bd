// The seam the engine runs the forward pass through (spec gemma4-moe.md §2): a batch of tokens
// at positions, for one or more sequences, in; logits rows on the host out. Two
// implementations: the CPU (model/backend_cpu.h: Forward over CpuOps or RefOps, host KV
// caches) and CUDA (model/backend_cuda.h: weights and KV caches on one GPU). The backend also
// creates the per-sequence KV state (model/kv_state.h) that the engine's prefix cache keeps.
// Who calls it: model/engine.cpp (and tests). Threading: one thread at a time (the engine's
// worker). Lifetime: borrows the model view (the mapped file outlives the backend); every
// KvState it created must only be passed back to the same backend, and must not outlive it.
// Errors: run() and prefill() return Result: the CPU never fails; the CUDA backend reports
// device errors (after which the engine fails the affected requests).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "model/error.h"
#include "model/kv_state.h"

namespace coderx::model {

struct BackendBatch {
  std::span<const std::int32_t> tokens;     // [T] token ids
  std::span<const std::int32_t> positions;  // [T]
  std::span<const std::int32_t> seq;        // [T] index into caches; empty: all in caches[0]
  std::span<KvState* const> caches;         // [n_seq], each made by this backend's new_sequence
  std::span<const std::int32_t> logit_rows; // batch rows whose logits are wanted, in order
  float* logits = nullptr;                  // [logit_rows.size(), n_vocab] f32 host, after softcap
};

class Backend {
 public:
  virtual ~Backend() = default;

  // "cpu (8 threads)", "cuda:0 NVIDIA H200" — for logs and the generator's description.
  virtual std::string describe() const = 0;
  // True when the forward pass runs on a GPU (the weights and KV caches live there).
  virtual bool on_device() const = 0;
  // A fresh, empty KV state for one sequence.
  virtual std::unique_ptr<KvState> new_sequence() = 0;
  // Appends every token's K/V to its sequence, updates each n_past, writes the logits asked
  // for. Every sequence may receive at most its cache's max_batch() tokens, and the batch at
  // most max_tokens() tokens.
  virtual Result<void> run(const BackendBatch& batch) = 0;
  // One sequence: tokens at positions cache.n_past()…, in chunks of at most
  // min(cache.max_batch(), max_chunk, max_tokens()); logits [1, n_vocab] for the last token,
  // or [tokens.size(), n_vocab] when all_logits.
  virtual Result<void> prefill(std::span<const std::int32_t> tokens, KvState& cache, float* logits,
                               bool all_logits, std::int64_t max_chunk);
  // Most tokens one run() may carry (workspace size); the CPU has no limit.
  virtual std::int64_t max_tokens() const = 0;
  virtual std::int64_t n_vocab() const = 0;
  // Bytes/s the weights can be read at (a device's measured copy bandwidth), for the decode
  // bound that `coderx bench` reports; 0 when the backend does not measure it.
  virtual double memory_bandwidth() { return 0.0; }
  // Byte ranges of the model's file mapping that the backend never reads (it holds its own copy
  // of those tensors), so the engine need not keep them mapped.
  virtual std::vector<std::span<const std::byte>> unread_weights() const { return {}; }
  // Work items (kernel launches and copies) of the last decode step captured as a device graph,
  // for `coderx bench` and the launch-count test; 0 when the backend captures none.
  virtual std::int64_t captured_step_nodes() const { return 0; }
};

}  // namespace coderx::model
