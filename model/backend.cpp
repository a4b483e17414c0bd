#include "model/backend.h"

#include <algorithm>
#include <vector>

namespace coderx::model {

// The same chunking as Forward::prefill, through run().
Result<void> Backend::prefill(std::span<const std::int32_t> tokens, KvState& cache, float* logits,
                              bool all_logits, std::int64_t max_chunk) {
  const std::int64_t total = static_cast<std::int64_t>(tokens.size());
  const std::int64_t chunk =
      std::max<std::int64_t>(1, std::min({cache.max_batch(), max_chunk, max_tokens()}));
  const std::int64_t vocab = n_vocab();
  KvState* caches[1] = {&cache};
  std::vector<std::int32_t> pos, rows;
  for (std::int64_t start = 0; start < total; start += chunk) {
    const std::int64_t n = std::min(chunk, total - start);
    pos.resize(static_cast<std::size_t>(n));
    for (std::int64_t t = 0; t < n; ++t) pos[t] = static_cast<std::int32_t>(cache.n_past() + t);
    rows.clear();
    for (std::int64_t t = 0; t < n; ++t)
      if (all_logits || start + t == total - 1) rows.push_back(static_cast<std::int32_t>(t));
    const BackendBatch b{tokens.subspan(static_cast<std::size_t>(start), static_cast<std::size_t>(n)),
                         pos, {}, caches, rows, logits + (all_logits ? start * vocab : 0)};
    if (auto ok = run(b); !ok) return ok;
  }
  return {};
}

}  // namespace coderx::model
