// The CPU backend: the forward pass of model/forward.h over CpuOps (threaded fast path) or
// RefOps (the slow oracle), with host KV caches (model/kv_cache.h). Behaviour is exactly that
// of calling Forward directly: run() and prefill() forward to Forward::run / Forward::prefill.
// Who calls it: model/engine.cpp (the default backend and the CUDA fallback), tests.
// Threading and lifetime: see model/backend.h; owns its thread pool, ops and scratch.
// Errors: none (run/prefill always succeed).
#pragma once

#include <memory>

#include "model/backend.h"
#include "model/forward.h"
#include "model/kv_cache.h"
#include "model/model_view.h"
#include "model/ops.h"
#include "model/thread_pool.h"

namespace coderx::model {

struct CpuBackendOptions {
  int threads = 0;             // compute threads; 0 = all cores
  bool reference_ops = false;  // RefOps instead of CpuOps
  KvCacheOptions kv;           // geometry of the caches new_sequence() makes
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

  Forward& forward() { return *forward_; }

 private:
  const ModelView& model_;
  CpuBackendOptions options_;
  std::unique_ptr<ThreadPool> pool_;
  std::unique_ptr<Ops> ops_;
  std::unique_ptr<Forward> forward_;
  std::vector<KvCache*> caches_;
};

}  // namespace coderx::model
