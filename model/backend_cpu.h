// The CPU backend: the forward pass of model/forward.h over CpuOps (threaded fast path) or
// RefOps (the slow oracle), with host KV caches (model/kv_cache.h). Behaviour is exactly that
// of calling Forward directly: run() and prefill() forward to Forward::run / Forward::prefill.
// Who calls it: model/engine.cpp (the default backend and the CUDA fallback), tests.
// Threading and lifetime: see model/backend.h; owns its thread pool, ops and scratch.
// Errors: none (run/prefill always succeed).
// The fast path runs on RepackedWeights: the file's Q4_K, Q5_0 and Q8_0 tensors in the layouts
// its kernels read fastest, with the same results. The constructor builds it on the pool, or
// (an engine that should answer at once) starts building it on a thread of its own; run() and
// prefill() then move onto each tensor's copy between two calls as it is done. On the
// real-size model the copy takes 15-30 s, most of it the kernel zeroing 12.5 GB of fresh pages.
#pragma once

#include <memory>
#include <thread>

#include "model/backend.h"
#include "model/forward.h"
#include "model/kv_cache.h"
#include "model/model_view.h"
#include "model/ops.h"
#include "model/repacked_weights.h"
#include "model/thread_pool.h"

namespace coderx::model {

struct CpuBackendOptions {
  int threads = 0;             // compute threads; 0 = all cores
  bool reference_ops = false;  // RefOps instead of CpuOps
  KvCacheOptions kv;           // geometry of the caches new_sequence() makes
  bool repack = true;          // CpuOps on the weights repacked for them (repacked_weights.h)
  bool repack_in_background = false;        // build that copy on a thread of its own (see below)
  std::span<const std::byte> weights_file;  // the file mapping the weights are in, if any
};

class CpuBackend final : public Backend {
 public:
  CpuBackend(const ModelView& model, CpuBackendOptions options);

  std::string describe() const override;
  bool on_device() const override { return false; }
  std::unique_ptr<KvState> new_sequence() override;
  Result<void> run(const BackendBatch& batch) override;
  Result<void> prefill(std::span<const std::int32_t> tokens, KvState& cache, float* logits,
                       bool all_logits, std::int64_t max_chunk) override;
  std::int64_t max_tokens() const override;
  std::int64_t n_vocab() const override;
  std::vector<std::span<const std::byte>> unread_weights() const override;

  Forward& forward() { return *forward_; }
  // Whether the forward pass runs on the repacked copy yet; waits for a background build first
  // when asked to (tests, benchmarks).
  bool uses_repacked_weights(bool wait = false);

 private:
  const ModelView& model_;
  CpuBackendOptions options_;
  std::unique_ptr<ThreadPool> pool_;
  std::unique_ptr<Ops> ops_;
  // Points weights_ at the tensors the repacked copy has gained since the last call.
  void adopt_repacked_weights();

  std::unique_ptr<RepackedWeights> repacked_;
  std::size_t adopted_ = 0;  // tensors of repacked_ that weights_ points at
  ModelView weights_;        // what forward_ reads: model_, then more and more of repacked_
  std::unique_ptr<Forward> forward_;
  std::jthread repacker_;  // last: stopped and joined first
  std::vector<KvCache*> caches_;
};

}  // namespace coderx::model
