// Request mapping of `coderx serve`: the JSON body of POST /v1/chat/completions or
// /v1/completions → a features::GenerationInput plus the response options.
//
// Chat: system/developer messages → the system turn; a final assistant message → the answer
// prefix (prefill; the reply continues it and does not repeat it — vLLM's
// continue_final_message, llama-server's prefill); one user message → the user turn, several
// turns → a transcript in the user turn ("User: ..." / "Assistant: ..."). max_tokens (or
// max_completion_tokens) → answer budget; thinking_budget_tokens → thinking budget, or
// chat_template_kwargs.enable_thinking: true → the default one; coderx_kind → the request kind
// (priority; default explain); stop (a string or up to 16 strings) → input.stops. Completions: the
// prompt is the answer prefix of an empty user turn (the model continues it); echo: true puts
// the prompt before the text returned. A non-empty suffix is refused (Gemma 4 has no
// fill-in-the-middle tokens), as are logprobs (the engine keeps none).
// The engine decodes greedily: n and best_of must be 1, and temperature, top_p, seed and the
// penalties are checked for type and range, then ignored. Other unknown fields are ignored,
// like other servers do.
//
// Who calls it: lsp/serve/routes. Pure functions; thread-safe.
// Errors: Errc::invalid_argument with a message naming the field (the route answers 400).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lsp/features/generator.h"
#include "lsp/serve/serve_options.h"
#include "model/error.h"

namespace coderx::serve {

struct MappedRequest {
  features::GenerationInput input;
  bool stream = false;
  bool include_usage = false;  // stream_options.include_usage
  bool continuous_usage = false;  // and stream_options.continuous_usage_stats (vLLM's): usage in every chunk
  std::string model;           // as the client named it ("" = none)
  std::string echo;                // completions with echo: true: the prompt, returned first
};

model::Result<MappedRequest> map_chat_request(std::string_view body, const ServeOptions& options);
model::Result<MappedRequest> map_completion_request(std::string_view body, const ServeOptions& options);

}  // namespace coderx::serve
