// Small UTF-8 helpers shared by the tokenizer, the streaming detokenizer, the channel splitter
// and the reasoning budget. Strict validation (RFC 3629: no overlongs, no surrogates, ≤ U+10FFFF).
// Threading: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace coderx::model::utf8 {

// Length of the well-formed UTF-8 character starting at s[0]: 1..4; 0 when s[0..] is a proper
// prefix of a well-formed character that the text cuts off; -1 when s[0] cannot start a
// well-formed character (then treat one byte as a unit). s must not be empty.
inline int char_length(std::string_view s) {
  auto b = [&](std::size_t i) { return static_cast<std::uint8_t>(s[i]); };
  std::uint8_t c = b(0);
  if (c < 0x80) return 1;
  int n;
  std::uint8_t lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return -1;
  }
  for (int i = 1; i < n; ++i) {
    if (static_cast<std::size_t>(i) >= s.size()) return 0;
    std::uint8_t x = b(static_cast<std::size_t>(i));
    if (i == 1 ? (x < lo || x > hi) : (x < 0x80 || x > 0xBF)) return -1;
  }
  return n;
}

// Length of the longest prefix of s that does not end inside a well-formed character that is
// cut off (bytes that can never form a character count as complete units).
inline std::size_t complete_prefix(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    int n = char_length(s.substr(i));
    if (n == 0) return i;
    i += n < 0 ? 1 : static_cast<std::size_t>(n);
  }
  return i;
}

// s with every byte that is not part of a well-formed character (including a cut-off tail)
// replaced by U+FFFD: what text leaving the engine for JSON consumers must look like.
inline std::string make_valid(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    const int n = char_length(s.substr(i));
    if (n > 0) {
      out.append(s.substr(i, static_cast<std::size_t>(n)));
      i += static_cast<std::size_t>(n);
    } else {
      out.append("\xEF\xBF\xBD");
      ++i;
    }
  }
  return out;
}

}  // namespace coderx::model::utf8
