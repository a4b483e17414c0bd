// Gemma 4 prompt rendering (spec §5.1): system, user and model turns, thinking on
// (`<|think|>` in the system turn) or off (a pre-filled empty thought block after the generation
// prompt), and an assistant prefill for completions (the answer's beginning, after the
// generation prompt and, with thinking off, after the empty thought block).
//
//   thinking on:  <bos><|turn>system\n<|think|>\n<turn|>\n<|turn>user\nHi<turn|>\n<|turn>model\n
//   thinking off: <bos><|turn>user\nHi<turn|>\n<|turn>model\n<|channel>thought\n<channel|>
//
// Contents are trimmed (leading/trailing ASCII whitespace) as the official template does;
// model turns have `<|channel>…<channel|>` thought segments removed. The prefill is appended
// verbatim (not trimmed). Tools are not rendered (not needed by coderx's prompts).
//
// Who calls it: lsp/features (prompts), the engine, `coderx generate`. Threading: pure
// functions. Errors: none (any text renders; tokenize_chat parses special-token texts, so user
// text containing "<|turn>" becomes that control token — callers that must prevent this
// tokenize turns themselves).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/tokenizer.h"

namespace coderx::model {

enum class ChatRole { system, user, model };

struct ChatMessage {
  ChatRole role = ChatRole::user;
  std::string content;
};

struct ChatRequest {
  std::vector<ChatMessage> messages;
  bool thinking = false;               // enable_thinking
  bool add_generation_prompt = true;   // end with "<|turn>model\n" (+ empty thought block)
  std::string prefill;                 // the answer's beginning; needs add_generation_prompt
};

// The prompt as text with special-token texts, starting with "<bos>".
std::string render_chat(const ChatRequest& request);

// The prompt as tokens: BOS, then render_chat's text after "<bos>" tokenized with parse_special.
std::vector<TokenId> tokenize_chat(const Tokenizer& tokenizer, const ChatRequest& request);

// `text` without `<|channel>…<channel|>` segments (an unclosed one runs to the end).
std::string strip_thoughts(std::string_view text);

}  // namespace coderx::model
