#include "model/sampler.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace coderx::model {

std::int32_t argmax(std::span<const float> logits) {
  return static_cast<std::int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
}

Sampler::Sampler(SamplingParams params) : params_(params), rng_(params.seed) {}

std::int32_t Sampler::sample(std::span<const float> logits) {
  if (params_.temperature <= 0.0f) return argmax(logits);
  const std::int64_t n = static_cast<std::int64_t>(logits.size());
  // top-k: keep the k largest (ties by lower id), sorted descending.
  std::int64_t keep = params_.top_k > 0 ? std::min<std::int64_t>(params_.top_k, n) : n;
  ids_.resize(static_cast<std::size_t>(n));
  std::iota(ids_.begin(), ids_.end(), 0);
  auto by_logit = [&](std::int32_t a, std::int32_t b) {
    return logits[a] > logits[b] || (logits[a] == logits[b] && a < b);
  };
  std::partial_sort(ids_.begin(), ids_.begin() + keep, ids_.end(), by_logit);
  while (keep > 1 && std::isinf(logits[ids_[keep - 1]]) && logits[ids_[keep - 1]] < 0) --keep;
  // Softmax over the kept candidates (no temperature yet, as llama.cpp's chain does).
  probs_.resize(static_cast<std::size_t>(keep));
  const double mx = logits[ids_[0]];
  double total = 0;
  for (std::int64_t i = 0; i < keep; ++i) total += (probs_[i] = std::exp(logits[ids_[i]] - mx));
  // top-p: smallest prefix with cumulative probability ≥ top_p.
  if (params_.top_p < 1.0f) {
    double cum = 0;
    for (std::int64_t i = 0; i < keep; ++i) {
      cum += probs_[i] / total;
      if (cum >= params_.top_p) {
        keep = i + 1;
        break;
      }
    }
  }
  // min-p: drop candidates below min_p × the best probability.
  if (params_.min_p > 0.0f) {
    std::int64_t i = 1;
    while (i < keep && probs_[i] >= params_.min_p * probs_[0]) ++i;
    keep = i;
  }
  // Temperature, then draw.
  double sum = 0;
  for (std::int64_t i = 0; i < keep; ++i)
    sum += (probs_[i] = std::exp((logits[ids_[i]] - mx) / params_.temperature));
  std::uniform_real_distribution<double> uni(0.0, sum);
  double r = uni(rng_);
  for (std::int64_t i = 0; i < keep; ++i) {
    if ((r -= probs_[i]) <= 0) return ids_[i];
  }
  return ids_[keep - 1];
}

}  // namespace coderx::model
