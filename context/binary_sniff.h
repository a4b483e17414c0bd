// Telling a binary file from text the way git does: a NUL byte in the first 8 KiB. Used by the
// workspace index (binary files are not indexed) and by the CLI (binary files are never shown
// to the model or edited). Threading: pure functions.
#pragma once

#include <cstddef>
#include <string_view>

namespace coderx::context {

inline constexpr std::size_t kBinarySniffBytes = 8192;

// True when `head` (a file's content, or at least its first kBinarySniffBytes) holds a NUL byte
// within its first kBinarySniffBytes.
inline bool looks_binary(std::string_view head) {
  return head.substr(0, kBinarySniffBytes).find('\0') != std::string_view::npos;
}

}  // namespace coderx::context
