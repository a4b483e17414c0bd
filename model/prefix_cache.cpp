#include "model/prefix_cache.h"

#include <algorithm>
#include <utility>

namespace coderx::model {

PrefixCache::PrefixCache(MakeCache make_cache, int n_slots)
    : make_cache_(std::move(make_cache)), slots_(static_cast<std::size_t>(std::max(1, n_slots))) {}

std::int64_t PrefixCache::reusable(const Slot& s, std::span<const TokenId> prompt) const {
  if (!s.cache) return 0;
  const std::size_t limit = std::min(s.tokens.size(), prompt.size() - 1);
  std::size_t n = 0;
  while (n < limit && s.tokens[n] == prompt[n]) ++n;
  // The cache must hold the state for exactly these positions (rings: within the slack).
  while (n > 0 && !s.cache->can_truncate_to(static_cast<std::int64_t>(n))) n = 0;
  return static_cast<std::int64_t>(n);
}

PrefixCache::Lease PrefixCache::acquire(std::span<const TokenId> prompt) {
  int best = -1;
  std::int64_t best_len = -1;
  for (int i = 0; i < size(); ++i) {
    const Slot& s = slots_[i];
    if (s.busy) continue;
    const std::int64_t len = reusable(s, prompt);
    if (len > best_len || (len == best_len && s.last_used < slots_[best].last_used)) {
      best = i;
      best_len = len;
    }
  }
  if (best < 0) return Lease{};
  Slot& s = slots_[best];
  if (!s.cache) s.cache = make_cache_();
  s.busy = true;
  s.last_used = ++clock_;
  s.cache->set_n_past(best_len);
  s.tokens.resize(static_cast<std::size_t>(best_len));
  return Lease{best, best_len};
}

void PrefixCache::release(int slot) {
  slots_[slot].busy = false;
  slots_[slot].last_used = ++clock_;
}

std::uint64_t PrefixCache::memory_bytes() const {
  std::uint64_t total = 0;
  for (const Slot& s : slots_)
    if (s.cache) total += s.cache->memory_bytes();
  return total;
}

}  // namespace coderx::model
