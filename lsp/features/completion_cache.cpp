#include "lsp/features/completion_cache.h"

namespace coderx::features {

namespace {

bool starts_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.compare(0, p.size(), p) == 0;
}

}  // namespace

std::optional<std::string> CompletionCache::lookup(std::string_view uri, std::string_view prefix,
                                                   std::string_view suffix) {
  std::lock_guard lock(mu_);
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->uri != uri || it->suffix != suffix || !starts_with(prefix, it->prefix)) continue;
    std::string_view typed = prefix.substr(it->prefix.size());
    if (!starts_with(it->completion, typed) || typed.size() >= it->completion.size()) continue;
    std::string rest = it->completion.substr(typed.size());
    entries_.splice(entries_.begin(), entries_, it);
    return rest;
  }
  return std::nullopt;
}

void CompletionCache::store(std::string_view uri, std::string_view prefix, std::string_view suffix,
                            std::string completion) {
  if (completion.empty() || capacity_ == 0) return;
  std::lock_guard lock(mu_);
  entries_.push_front(Entry{std::string(uri), std::string(prefix), std::string(suffix),
                            std::move(completion)});
  while (entries_.size() > capacity_) entries_.pop_back();
}

void CompletionCache::clear() {
  std::lock_guard lock(mu_);
  entries_.clear();
}

std::size_t CompletionCache::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

}  // namespace coderx::features
