// The Gemma 4 tokenizer (spec §4.1): text → token ids and back, exactly as llama.cpp's
// "gemma4" BPE does it (special-token cut, " " → "▁", newline-run pre-split, BPE by merge rank,
// byte fallback, BOS). Special tokens are found by their text and type, never by fixed ids.
//
// Who calls it: the engine (prompts), model/chat, context gathering (token counting), the CLI.
// Threading: immutable after construction; encode/decode may run concurrently.
// Rendering: NORMAL and USER_DEFINED tokens give their text with "▁" → " "; BYTE tokens their
// byte; CONTROL/UNKNOWN tokens their text only when render_special; UNUSED nothing.
// Errors: decode() refuses ids outside the vocabulary; encode() cannot fail. Text containing
// the character "▁" (U+2581) decodes with a space in its place (the vocabulary writes spaces
// that way), so decode(encode(x)) == x holds for text without U+2581.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/error.h"
#include "model/vocab.h"

namespace coderx::model {

struct EncodeOptions {
  bool add_bos = true;         // prepend BOS (when the vocabulary has one and says add_bos)
  bool parse_special = false;  // also cut out CONTROL token texts ("<|turn>", "<bos>", ...)
};

class Tokenizer {
 public:
  static Result<Tokenizer> create(VocabData data);
  explicit Tokenizer(Vocab vocab);
  Tokenizer(Tokenizer&&) noexcept;
  Tokenizer& operator=(Tokenizer&&) noexcept;
  ~Tokenizer();

  const Vocab& vocab() const;

  std::vector<TokenId> encode(std::string_view text, EncodeOptions options = {}) const;
  void encode_append(std::string_view text, EncodeOptions options, std::vector<TokenId>& out) const;
  // Number of tokens encode(text, {add_bos=false}) gives.
  std::size_t count(std::string_view text) const;

  // Concatenated pieces; CONTROL/UNKNOWN texts only when render_special.
  Result<std::string> decode(std::span<const TokenId> ids, bool render_special = false) const;
  // Bytes one token renders as ("" for CONTROL without render_special). `id` must be valid.
  std::string_view piece(TokenId id, bool render_special = false) const;

  TokenId bos() const;
  TokenId eos() const;
  // True for end-of-generation tokens: eos, "<turn|>", "<|tool_response>" (matched by text).
  bool is_end_of_generation(TokenId id) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace coderx::model
