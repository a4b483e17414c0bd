// The real TextGenerator: adapts the embedded model::Engine to the features' generation seam.
// It renders the Gemma 4 chat prompt itself (system and user turns, thinking on only when the
// request has a thinking budget, otherwise the pre-filled empty thought block, then the answer
// prefix) so that the contents are tokenized WITHOUT special-token parsing: code in a document
// can never inject `<|turn>` or `<bos>` control tokens. Budgets and priorities are mapped from
// the request kind; answer text is streamed; thinking is kept apart.
//
// Who calls it: lsp/server (generator loader), the headless CLI. Threading: generate() may be
// called from many threads (the engine queues requests by priority). Lifetime: owns the Engine.
// Errors: load() returns the engine's load error; generate() reports failures in its output.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "lsp/features/generator.h"
#include "model/engine.h"

namespace coderx::features {

class EngineGenerator : public TextGenerator {
 public:
  static model::Result<std::shared_ptr<EngineGenerator>> load(const std::filesystem::path& path,
                                                              model::EngineOptions options = {});
  explicit EngineGenerator(std::unique_ptr<model::Engine> engine, std::string name);

  GenerationOutput generate(const GenerationInput& input, std::stop_token stop,
                            const TextCallback& on_text) override;
  GenerationOutput generate_streams(const GenerationInput& input, std::stop_token stop,
                                    const StreamCallbacks& callbacks) override;
  std::string describe() const override { return name_; }

  // The prompt tokens generate() submits (exposed for tests and for token counting).
  std::vector<model::TokenId> prompt_tokens(const GenerationInput& input) const;
  // Tokens of `text` with the model's tokenizer (for context budgets).
  std::int64_t count_tokens(std::string_view text) const override;
  const model::Tokenizer& tokenizer_for_tests() const { return engine_->tokenizer(); }

 private:
  std::unique_ptr<model::Engine> engine_;
  std::string name_;
};

}  // namespace coderx::features
