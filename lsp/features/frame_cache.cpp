#include "lsp/features/frame_cache.h"

#include <algorithm>

#include "context/index.h"

namespace coderx::features {

FrameKey frame_key(std::string_view uri, std::string_view text, std::uint32_t cursor,
                   std::int64_t context_tokens) {
  cursor = std::min<std::uint32_t>(cursor, static_cast<std::uint32_t>(text.size()));
  std::size_t nl = cursor == 0 ? std::string_view::npos : text.rfind('\n', cursor - 1);
  auto line_start = static_cast<std::uint32_t>(nl == std::string_view::npos ? 0 : nl + 1);
  std::uint64_t before = context::content_hash(text.substr(0, line_start));
  std::uint64_t after = context::content_hash(text.substr(cursor));
  return {std::string(uri), line_start, before * 0x100000001b3ULL ^ after, context_tokens};
}

std::optional<CompletionFrame> FrameCache::lookup(const FrameKey& key) const {
  std::lock_guard lock(mu_);
  for (const auto& [k, frame] : entries_)
    if (k == key) return frame;
  return std::nullopt;
}

void FrameCache::store(const FrameKey& key, CompletionFrame frame) {
  std::lock_guard lock(mu_);
  entries_.remove_if([&](const auto& e) { return e.first.uri == key.uri; });
  entries_.emplace_front(key, std::move(frame));
  while (entries_.size() > capacity_) entries_.pop_back();
}

}  // namespace coderx::features
