#include "model/moe.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

namespace coderx::model {

void scale_router_input(const float* normed, const float* scale, float* out, std::int64_t rows,
                        std::int64_t n) {
  const float inv_sqrt = 1.0f / std::sqrt(static_cast<float>(n));
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t i = 0; i < n; ++i) out[r * n + i] = (normed[r * n + i] * inv_sqrt) * scale[i];
}

void route_experts(const float* logits, std::int64_t n_tokens, std::int64_t n_expert,
                   std::int64_t k, ExpertChoice* out) {
  std::vector<std::int32_t> order(static_cast<std::size_t>(n_expert));
  std::vector<double> prob(static_cast<std::size_t>(n_expert));
  for (std::int64_t t = 0; t < n_tokens; ++t) {
    const float* l = logits + t * n_expert;
    const double max_logit = *std::max_element(l, l + n_expert);
    double total = 0;
    for (std::int64_t e = 0; e < n_expert; ++e) total += (prob[e] = std::exp(l[e] - max_logit));
    for (double& p : prob) p /= total;
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::int32_t a, std::int32_t b) { return l[a] > l[b]; });
    double selected = 0;
    for (std::int64_t s = 0; s < k; ++s) selected += prob[order[s]];
    const double denom = std::max(selected, 6.103515625e-5);
    for (std::int64_t s = 0; s < k; ++s)
      out[t * k + s] = ExpertChoice{order[s], static_cast<float>(prob[order[s]] / denom)};
  }
}

}  // namespace coderx::model
