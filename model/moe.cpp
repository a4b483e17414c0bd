#include "model/moe.h"

#include <algorithm>
#include <cmath>

namespace coderx::model {

void scale_router_input(const float* normed, const float* scale, float* out, std::int64_t rows,
                        std::int64_t n) {
  const float inv_sqrt = 1.0f / std::sqrt(static_cast<float>(n));
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t i = 0; i < n; ++i) out[r * n + i] = (normed[r * n + i] * inv_sqrt) * scale[i];
}

namespace {

// The k best experts of one token into out[0, k) in rank order (higher logit first, ties to
// the lower id: the order a stable descending sort gives), by insertion: O(n·k) with no
// allocation, where a sort of all n took most of a decode step's routing time.
void select_top_k(const float* l, std::int64_t n_expert, std::int64_t k, ExpertChoice* out) {
  if (k <= 0) return;
  std::int64_t size = 0;  // experts in out so far
  for (std::int64_t e = 0; e < n_expert; ++e) {
    if (size == k && !(l[e] > l[out[k - 1].expert])) continue;
    std::int64_t at = std::min(size, k - 1);  // the slot it takes, moving worse ones down
    for (; at > 0 && l[e] > l[out[at - 1].expert]; --at) out[at] = out[at - 1];
    out[at].expert = static_cast<std::int32_t>(e);
    size = std::min(size + 1, k);
  }
}

}  // namespace

void route_experts(const float* logits, std::int64_t n_tokens, std::int64_t n_expert,
                   std::int64_t k, ExpertChoice* out) {
  for (std::int64_t t = 0; t < n_tokens; ++t) {
    const float* l = logits + t * n_expert;
    ExpertChoice* chosen = out + t * k;
    const double max_logit = *std::max_element(l, l + n_expert);
    double total = 0;
    for (std::int64_t e = 0; e < n_expert; ++e) total += std::exp(l[e] - max_logit);
    const auto prob = [&](std::int32_t e) { return std::exp(l[e] - max_logit) / total; };
    select_top_k(l, n_expert, k, chosen);
    double selected = 0;
    for (std::int64_t s = 0; s < k; ++s) selected += prob(chosen[s].expert);
    const double denom = std::max(selected, 6.103515625e-5);
    for (std::int64_t s = 0; s < k; ++s)
      chosen[s].weight = static_cast<float>(prob(chosen[s].expert) / denom);
  }
}

}  // namespace coderx::model
