// The JSON `coderx serve` answers with, in the OpenAI shapes: whole chat and text completions,
// their streamed chunks, the usage chunk, /v1/models, /health, and error objects.
// Thinking text goes only to `reasoning_content`, never to `content`.
//
// Who calls it: lsp/serve/routes and http_server. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "lsp/features/generator.h"

namespace coderx::serve {

enum class Api { chat, completions };

// What every response object of one request repeats.
struct ResponseIds {
  Api api = Api::chat;
  std::string id;       // "chatcmpl-..." / "cmpl-..."
  std::int64_t created = 0;  // Unix seconds
  std::string model;
};

// "stop" | "length" (answer budget or deadline).
const char* finish_reason_name(features::FinishReason reason);

std::string whole_response(const ResponseIds& ids, const features::GenerationOutput& out);
// One streamed chunk: answer and/or thinking text (chat: delta.content / delta.reasoning_content;
// completions: text), with a finish reason on the last one ("" = null). The first chat chunk
// carries role "assistant" (`first`). `usage` (continuous_usage_stats; null = none): the running
// counts, as a `usage` object beside the choices.
std::string chunk(const ResponseIds& ids, std::string_view answer, std::string_view thinking,
                  std::string_view finish_reason, bool first, const features::Usage* usage = nullptr);
// The final chunk of stream_options.include_usage: no choices, the usage.
std::string usage_chunk(const ResponseIds& ids, const features::Usage& usage);

std::string models_list(const std::string& model_id);
std::string model_object(const std::string& model_id);  // GET /v1/models/{id}
std::string health(const std::string& engine);

// {"error":{"message":...,"type":...,"param":null,"code":...}}
std::string error_object(std::string_view message, std::string_view type, int code);

}  // namespace coderx::serve
