// The Gemma 4 forward pass (spec §2.2–§2.5), written once against the Ops interface and used
// with both op sets (RefOps: the oracle; CpuOps: the fast path). A batch holds tokens of one or
// more sequences, each token at its own position with its own KV cache: one sequence's prefill
// chunk, or one token from each of several sequences (batched decode).
// Threading: a Forward object is used by one thread at a time; it owns its scratch buffers
// (grown on first use, reused afterwards). The model view, ops and caches are borrowed.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "model/huge_page_allocator.h"
#include "model/kv_cache.h"
#include "model/model_view.h"
#include "model/ops.h"

namespace coderx::model {

struct ForwardBatch {
  std::span<const std::int32_t> tokens;     // [T]
  std::span<const std::int32_t> positions;  // [T]
  std::span<const std::int32_t> seq;        // [T] index into caches; empty: all in caches[0]
  std::span<KvCache* const> caches;         // [n_seq]
  std::span<const std::int32_t> logit_rows; // batch rows whose logits are wanted, in order
  float* logits = nullptr;                  // [logit_rows.size(), n_vocab] f32, after softcap
};

class Forward {
 public:
  Forward(const ModelView& model, Ops& ops) : model_(model), ops_(ops) {}

  // Appends every token's K/V to its cache, updates each cache's n_past, writes the logits
  // asked for. Every sequence may receive at most its cache's max_batch() tokens.
  void run(const ForwardBatch& batch);

  // One sequence: tokens go at positions cache.n_past()…, split into chunks of at most
  // min(cache.max_batch(), max_chunk). logits: [1, n_vocab] for the last token, or
  // [tokens.size(), n_vocab] when all_logits.
  void prefill(std::span<const std::int32_t> tokens, KvCache& cache, float* logits,
               bool all_logits, std::int64_t max_chunk = 512);

  const ModelView& model() const { return model_; }

  // Optional: called after routing in every layer with the batch's choices [n_tokens, k] and
  // router logits [n_tokens, n_expert] (tests compare expert selections with fixtures).
  std::function<void(std::int64_t layer, std::int64_t n_tokens, const ExpertChoice* choices,
                     const float* router_logits)>
      on_routing;

 private:
  void attention_block(std::int64_t l, const ForwardBatch& b, std::int64_t n);
  void ffn_block(std::int64_t l, std::int64_t n);
  void output(const ForwardBatch& b);
  float* buf(AlignedVector<float>& v, std::int64_t n);

  const ModelView& model_;
  Ops& ops_;
  // Activations, each starting on a cache line (AlignedVector).
  AlignedVector<float> x_, a_, q_, k_, v_, o_, att_, h_, m_, g_, u_, r_, rl_, xe_, moe_, y_;
  std::vector<ExpertChoice> choices_;
  std::vector<KvLayerView> views_;
  std::vector<std::int32_t> rows_, pos_;
};

}  // namespace coderx::model
