#include "model/backend_cpu.h"

#include <cassert>
#include <limits>

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
    : model_(model), options_(options), pool_(std::make_unique<ThreadPool>(options.threads)) {
  if (options.reference_ops) {
    ops_ = std::make_unique<ref::RefOps>();
  } else {
    ops_ = std::make_unique<CpuOps>(*pool_);
    if (options.repack && !options.repack_in_background)
      repacked_ = std::make_unique<RepackedWeights>(model_, pool_.get(), options.weights_file);
  }
  forward_ = std::make_unique<Forward>(repacked_ ? repacked_->view() : model_, *ops_);
  if (!options.reference_ops && options.repack && options.repack_in_background &&
      !RepackedWeights::planned(model_).empty())
    repacker_ = std::jthread([this](std::stop_token stop) {
      built_ = std::make_unique<RepackedWeights>(model_, nullptr, options_.weights_file, stop);
      built_ready_.store(true, std::memory_order_release);
    });
}

void CpuBackend::adopt_repacked_weights() {
  if (repacked_ || !built_ready_.load(std::memory_order_acquire)) return;
  if (repacker_.joinable()) repacker_.join();
  repacked_ = std::move(built_);
  forward_ = std::make_unique<Forward>(repacked_->view(), *ops_);
}

bool CpuBackend::uses_repacked_weights(bool wait) {
  if (wait && repacker_.joinable()) {
    repacker_.join();
    built_ready_.store(true);
  }
  adopt_repacked_weights();
  return repacked_ != nullptr;
}

std::vector<std::span<const std::byte>> CpuBackend::unread_weights() const {
  if (options_.reference_ops || !options_.repack) return {};
  return RepackedWeights::planned(model_);
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
