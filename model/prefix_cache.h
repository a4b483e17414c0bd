// KV slots with prefix reuse for the engine: several sequences' KV caches kept after their
// requests finish, each with the tokens it holds. A new prompt takes the free slot sharing the
// longest reusable token prefix with it (sliding-window rings allow going back at most `slack`
// positions; at least the last prompt token is always recomputed so its logits exist), or the
// least recently used slot. Caches are created on first use by the backend's factory
// (model/backend.h: host KvCache on the CPU, device caches on CUDA).
// Threading: used by the engine's worker thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "model/kv_state.h"
#include "model/vocab.h"

namespace coderx::model {

class PrefixCache {
 public:
  using MakeCache = std::function<std::unique_ptr<KvState>()>;
  PrefixCache(MakeCache make_cache, int n_slots);

  struct Lease {
    int slot = -1;
    std::int64_t reused = 0;  // prompt tokens already in the cache (n_past set to this)
  };
  // A free slot for `prompt` (marked busy), or slot -1 when every slot is busy.
  Lease acquire(std::span<const TokenId> prompt);
  void release(int slot);

  KvState& cache(int slot) { return *slots_[slot].cache; }
  // Tokens whose K/V the slot's cache holds (positions 0..size-1); the owner keeps it in step.
  std::vector<TokenId>& tokens(int slot) { return slots_[slot].tokens; }
  std::uint64_t memory_bytes() const;
  int size() const { return static_cast<int>(slots_.size()); }

 private:
  struct Slot {
    std::unique_ptr<KvState> cache;
    std::vector<TokenId> tokens;
    bool busy = false;
    std::uint64_t last_used = 0;
  };
  std::int64_t reusable(const Slot& s, std::span<const TokenId> prompt) const;

  MakeCache make_cache_;
  std::vector<Slot> slots_;
  std::uint64_t clock_ = 0;
};

}  // namespace coderx::model
