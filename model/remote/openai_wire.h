// The JSON of the OpenAI-compatible chat API as the remote engine speaks it: the request body
// of POST /v1/chat/completions, and the decoding of a streamed chunk (`delta`) or a whole
// response (`message`), and of an error object.
//
// Request mapping (docs/remote.md):
//   max_tokens              ← the answer budget (some servers count thinking in it; see the doc)
//   thinking_budget_tokens  ← the thinking budget (coderx serve; vLLM and llama-server ignore it),
//   chat_template_kwargs.enable_thinking ← budget > 0 (templates that know the switch use it)
//   a final assistant message + continue_final_message: true, add_generation_prompt: false
//                           ← the answer prefix (vLLM's prefill; coderx serve and llama-server
//                             continue a final assistant message as well)
//   coderx_kind             ← the request kind, for coderx serve's priorities
//   stream: true, stream_options.include_usage: true
// Decoding reads `content`, and `reasoning_content` or `reasoning` as thinking.
//
// Who calls it: chat_client, tests, the SSE fuzzer. Pure functions; thread-safe.
// Errors: decode_* return Errc::format with what was wrong; nothing throws.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/error.h"

namespace coderx::model::remote {

struct WireMessage {
  std::string role;  // "system" | "user" | "assistant"
  std::string content;
};

struct ChatCall {
  std::string model;                       // "" = omitted (the server's default model)
  std::vector<WireMessage> messages;
  bool prefill = false;                    // messages.back() is an assistant turn to continue
  std::int64_t max_tokens = 512;
  std::int64_t thinking_budget_tokens = 0; // 0 = thinking off
  std::optional<double> temperature;       // omitted = the server's default
  std::string kind;                        // "" = omitted
  std::vector<std::string> stop;           // empty = omitted
};

std::string encode_chat_call(const ChatCall& call);

struct WireUsage {
  std::int64_t prompt_tokens = 0;
  std::int64_t cached_tokens = 0;      // prompt_tokens_details.cached_tokens
  std::int64_t completion_tokens = 0;  // thinking included, as OpenAI counts
  std::int64_t reasoning_tokens = 0;   // completion_tokens_details.reasoning_tokens
};

// What one chunk (or a whole non-streamed response) carries for choice 0.
struct WireDelta {
  std::string content;
  std::string reasoning;
  std::string finish_reason;          // "" while streaming
  std::optional<WireUsage> usage;
  std::optional<std::string> error;   // the chunk was an error object: its message
};

Result<WireDelta> decode_chunk(std::string_view json);

// The message of an OpenAI-style error body ({"error":{"message":...}}), else the body itself
// cut to 200 bytes (printable ASCII only), for messages to the user.
std::string describe_error_body(std::string_view body);

// The model ids listed by GET /v1/models ({"data":[{"id":...}]}).
Result<std::vector<std::string>> decode_model_list(std::string_view json);

}  // namespace coderx::model::remote
