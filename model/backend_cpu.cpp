#include "model/backend_cpu.h"

#include <cassert>
#include <chrono>
#include <limits>

#include <spdlog/spdlog.h>

#include "model/ops_cpu.h"
#include "model/ops_ref.h"

namespace coderx::model {

namespace {

// Every KvState handed to the CPU backend was made by its new_sequence().
KvCache& as_kv_cache(KvState& state) {
  assert(dynamic_cast<KvCache*>(&state) != nullptr);
  return static_cast<KvCache&>(state);
}

}  // namespace

CpuBackend::CpuBackend(const ModelView& model, CpuBackendOptions options)
    : model_(model),
      options_(options),
      pool_(std::make_unique<ThreadPool>(options.threads)),
      weights_(model) {
  if (options.reference_ops) {
    ops_ = std::make_unique<ref::RefOps>();
  } else {
    ops_ = std::make_unique<CpuOps>(*pool_);
    if (options.repack) repacked_ = std::make_unique<RepackedWeights>(model_, options.weights_file);
  }
  if (repacked_ && !options.repack_in_background)
    while (repacked_->build_next(pool_.get())) adopted_ = repacked_->adopt(weights_, adopted_);
  forward_ = std::make_unique<Forward>(weights_, *ops_);
  if (repacked_ && options.repack_in_background && repacked_->tensors() > 0)
    repacker_ = std::jthread([this](std::stop_token stop) {
      const auto start = std::chrono::steady_clock::now();
      repacked_->build(nullptr, stop);
      if (!stop.stop_requested())
        spdlog::info(
            "cpu: weights repacked for the decode kernels ({:.1f} GB in {:.1f} s)",
            static_cast<double>(repacked_->bytes()) / 1e9,
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    });
}

void CpuBackend::adopt_repacked_weights() {
  if (repacked_ && adopted_ < repacked_->tensors()) adopted_ = repacked_->adopt(weights_, adopted_);
}

bool CpuBackend::uses_repacked_weights(bool wait) {
  if (wait && repacker_.joinable()) repacker_.join();
  adopt_repacked_weights();
  return repacked_ && repacked_->tensors() > 0 && adopted_ == repacked_->tensors();
}

std::vector<std::span<const std::byte>> CpuBackend::unread_weights() const {
  // Without memory for the copy nothing was planned, and the file's rows stay in use.
  if (!repacked_ || repacked_->tensors() == 0) return {};
  return repacked_->sources();
}

std::string CpuBackend::describe() const {
  return std::string("cpu (") + (options_.reference_ops ? "reference ops, " : "") +
         std::to_string(pool_->size()) + " threads)";
}

std::unique_ptr<KvState> CpuBackend::new_sequence() {
  return std::make_unique<KvCache>(model_, options_.kv);
}

Result<void> CpuBackend::run(const BackendBatch& b) {
  adopt_repacked_weights();
  caches_.clear();
  for (KvState* s : b.caches) caches_.push_back(&as_kv_cache(*s));
  forward_->run(ForwardBatch{b.tokens, b.positions, b.seq, caches_, b.logit_rows, b.logits});
  return {};
}

Result<void> CpuBackend::prefill(std::span<const std::int32_t> tokens, KvState& cache, float* logits,
                                 bool all_logits, std::int64_t max_chunk) {
  adopt_repacked_weights();
  forward_->prefill(tokens, as_kv_cache(cache), logits, all_logits, max_chunk);
  return {};
}

std::int64_t CpuBackend::max_tokens() const { return std::numeric_limits<std::int64_t>::max(); }

std::int64_t CpuBackend::n_vocab() const { return model_.lm_head().rows; }

}  // namespace coderx::model
