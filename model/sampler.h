// Token sampling from one row of logits: greedy, or llama.cpp's default chain
// top-k → top-p → min-p → temperature → draw (common/sampling.cpp order). Defaults come from the
// GGUF's general.sampling.* keys (spec §1: temperature 1.0, top_p 0.95, top_k 64) through the
// engine. Deterministic for a given seed. The candidates are ranked only as far as the cuts and
// the draw reach (selection, not a sort of the whole vocabulary); the softmax totals are summed in
// id order. A mask of banned tokens (−∞) and a forced token
// (thinking budget) are handled by the caller (engine) before/instead of sampling.
// Threading: one Sampler per generation; not shared.
#pragma once

#include <cstdint>
#include <random>
#include <span>
#include <vector>

namespace coderx::model {

struct SamplingParams {
  float temperature = 1.0f;  // ≤ 0: greedy (argmax)
  std::int32_t top_k = 64;   // ≤ 0: off
  float top_p = 0.95f;       // ≥ 1: off
  float min_p = 0.0f;        // ≤ 0: off
  std::uint64_t seed = 0;    // same seed, same logits → same tokens
};

class Sampler {
 public:
  explicit Sampler(SamplingParams params);

  // Picks a token from logits [n_vocab]; −∞ entries are never picked (unless all are).
  std::int32_t sample(std::span<const float> logits);
  const SamplingParams& params() const { return params_; }

 private:
  SamplingParams params_;
  std::mt19937_64 rng_;
  std::vector<std::int32_t> ids_;  // candidate scratch, reused
};

// The first index of the largest logit (0 for an empty row).
std::int32_t argmax(std::span<const float> logits);

}  // namespace coderx::model
