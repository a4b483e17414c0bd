// A small LRU cache of completion results keyed by (document, text before the cursor, text after
// the cursor). A lookup also hits when the user has since typed the beginning of a cached
// suggestion: it then returns the rest of that suggestion without calling the model.
// Thread-safe (one mutex); lookups cost O(entries × compared prefix bytes).
#pragma once

#include <cstddef>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace coderx::features {

class CompletionCache {
 public:
  explicit CompletionCache(std::size_t capacity = 32) : capacity_(capacity) {}

  // The completion to show for this cursor, or nullopt. Never returns an empty string.
  std::optional<std::string> lookup(std::string_view uri, std::string_view prefix,
                                    std::string_view suffix);
  void store(std::string_view uri, std::string_view prefix, std::string_view suffix,
             std::string completion);
  void clear();
  std::size_t size() const;

 private:
  struct Entry {
    std::string uri, prefix, suffix, completion;
  };
  mutable std::mutex mu_;
  std::size_t capacity_;
  std::list<Entry> entries_;  // most recently used first
};

}  // namespace coderx::features
