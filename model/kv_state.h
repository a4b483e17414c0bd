// The per-sequence KV state as the engine and the prefix cache see it, whichever backend holds
// the keys and values: host memory (model/kv_cache.h, the CPU backend) or device memory (the
// CUDA backend). Only the bookkeeping is exposed here — how many positions are valid, whether
// the state can be cut back to a shorter prefix (sliding-window rings keep `slack` positions
// of history), and how many tokens may be appended in one batch. Reading and writing keys is
// the owning backend's business.
// Created by Backend::new_sequence(); used by one thread at a time (the engine's worker).
#pragma once

#include <cstddef>
#include <cstdint>

namespace coderx::model {

class KvState {
 public:
  virtual ~KvState() = default;

  virtual std::int64_t n_past() const = 0;
  virtual void set_n_past(std::int64_t n) = 0;
  // Whether the state for positions [0, n) is still complete (n ≤ n_past, and sliding rings
  // still hold the last window positions before n).
  virtual bool can_truncate_to(std::int64_t n) const = 0;
  // Largest batch that may be appended at once without evicting keys it still needs.
  virtual std::int64_t max_batch() const = 0;
  virtual std::int64_t max_context() const = 0;
  virtual std::size_t memory_bytes() const = 0;  // bytes held (host or device)
};

}  // namespace coderx::model
