// RemoteGenerator: the TextGenerator for `--engine openai://HOST:PORT[/v1]` (or openais://,
// https://): every generation is one streamed chat completion on an OpenAI-compatible server
// (vLLM, llama-server, `coderx serve`), so LSP, refactor, explain and review work unchanged.
//
// Mapping (docs/remote.md): system and user turns as messages; answer_prefix as a final
// assistant message that the server continues (continue_final_message), the output not
// repeating it; answer budget → max_tokens; thinking budget → thinking_budget_tokens and
// chat_template_kwargs.enable_thinking; deadline → the request's timeout; completions at
// temperature 0; the kind → coderx_kind (coderx serve's priority). reasoning_content is kept
// apart as thinking. finish_reason "length" → answer_budget; a timeout after text arrived →
// deadline; a timeout before, or any failure → error with the client's message.
//
// Who calls it: lsp/cli/generator_from_options.cpp and lsp/server/server.cpp (make_loader).
// Threading: generate() from any number of threads (one connection per call).
// Errors: create() rejects a bad URL; generate() reports failures in its output.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "lsp/features/generator.h"
#include "model/error.h"
#include "model/remote/chat_client.h"

namespace coderx::features {

class RemoteGenerator : public TextGenerator {
 public:
  // `model` names the served model ("" = the server's default).
  static model::Result<std::shared_ptr<RemoteGenerator>> create(std::string_view url, std::string model,
                                                                model::remote::ClientOptions options = {});
  RemoteGenerator(model::remote::Endpoint endpoint, std::string model, model::remote::ClientOptions options);

  GenerationOutput generate(const GenerationInput& input, std::stop_token stop,
                            const TextCallback& on_text) override;
  GenerationOutput generate_streams(const GenerationInput& input, std::stop_token stop,
                                    const StreamCallbacks& callbacks) override;
  std::string describe() const override;

  // The chat call generate() sends for `input` (exposed for tests).
  model::remote::ChatCall to_call(const GenerationInput& input) const;

 private:
  model::remote::ChatClient client_;
  std::string model_;
};

}  // namespace coderx::features
