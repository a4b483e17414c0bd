// FrameCache: keeps the CompletionFrame (prompts.h) of the latest completion per document, so
// that successive keystrokes on one line produce prompts that differ only at the end (the
// answer prefix grows) and the engine's prefix cache keeps hitting. A frame is reused while
// the text before the cursor's line and the text from the cursor on are unchanged (typing on
// the line changes neither), with the same context budget; anything else gathers afresh.
// Used by Assistant::complete. Thread-safe (one mutex); holds at most `capacity` documents.
#pragma once

#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "lsp/features/prompts.h"

namespace coderx::features {

struct FrameKey {
  std::string uri;
  std::uint32_t line_start = 0;     // byte where the cursor's line starts
  std::uint64_t outside_hash = 0;   // text before the line and text from the cursor on
  std::int64_t context_tokens = 0;
  bool operator==(const FrameKey&) const = default;
};

FrameKey frame_key(std::string_view uri, std::string_view text, std::uint32_t cursor,
                   std::int64_t context_tokens);

class FrameCache {
 public:
  explicit FrameCache(std::size_t capacity = 16) : capacity_(capacity) {}
  std::optional<CompletionFrame> lookup(const FrameKey& key) const;
  void store(const FrameKey& key, CompletionFrame frame);

 private:
  mutable std::mutex mu_;
  std::size_t capacity_;
  std::list<std::pair<FrameKey, CompletionFrame>> entries_;  // newest first, one per uri
};

}  // namespace coderx::features
