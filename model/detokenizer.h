// Streaming detokenizer: turns generated token ids into text one token at a time without ever
// emitting half a UTF-8 character. A character split across tokens (byte-fallback tokens
// <0xE2> <0x82> <0xAC> for "€") is held back until it is complete.
//
// Invalid bytes are passed through as they are (not replaced by U+FFFD): a byte that can never
// start or continue a well-formed character is emitted at once, and finish() flushes a cut-off
// tail unchanged. So the concatenation of push() and finish() outputs always equals
// Tokenizer::decode of the same ids, byte for byte.
//
// Who calls it: the engine's generation loop, `coderx generate`. Threading: one per stream;
// the Tokenizer must outlive it. Errors: push() refuses ids outside the vocabulary.
#pragma once

#include <string>

#include "model/error.h"
#include "model/tokenizer.h"

namespace coderx::model {

class StreamingDetokenizer {
 public:
  explicit StreamingDetokenizer(const Tokenizer& tokenizer, bool render_special = false)
      : tokenizer_(&tokenizer), render_special_(render_special) {}

  // The text that became complete with this token (often empty or one piece).
  Result<std::string> push(TokenId id);
  // Whatever is still held back (an incomplete character at the very end), as is.
  std::string finish();
  // Bytes currently held back.
  std::size_t pending() const { return pending_.size(); }

 private:
  const Tokenizer* tokenizer_;
  bool render_special_;
  std::string pending_;
};

}  // namespace coderx::model
