// CannedGenerator: a deterministic TextGenerator that needs no model — for `coderx lsp
// --engine canned` (demos, editor plumbing, the Node and Neovim client tests). Its outputs are
// fixed templates, clearly labelled; never use it for anything but plumbing.
//   completion: a short statement for the document's language, as whole "tokens" (words);
//   refactor:   the selected code back in a fenced block with a comment line on top;
//   explain, review: a markdown paragraph about the selection (a review finds nothing);
//   thinking:   when the request has a thinking budget, a fixed thought of up to that many
//               words comes first (streamed to on_thinking, kept out of the answer).
// Streams word by word, checks the stop token between words, and waits `token_delay` between
// words (0 = none) so that cancellation can be exercised. Thread-safe (no shared state).
#pragma once

#include <chrono>

#include "lsp/features/generator.h"

namespace coderx::features {

class CannedGenerator : public TextGenerator {
 public:
  explicit CannedGenerator(std::chrono::milliseconds token_delay = std::chrono::milliseconds(0))
      : token_delay_(token_delay) {}
  GenerationOutput generate(const GenerationInput& input, std::stop_token stop,
                            const TextCallback& on_text) override;
  GenerationOutput generate_streams(const GenerationInput& input, std::stop_token stop,
                                    const StreamCallbacks& callbacks) override;
  std::string describe() const override { return "canned engine (no model; fixed outputs)"; }

  static std::string answer_for(const GenerationInput& input);
  static constexpr const char* kThought = "Canned thought (no model): reading the request.";

 private:
  bool stream_words(std::string_view text, std::int64_t budget, std::stop_token stop,
                    const TextCallback& on_word, std::string& out, std::int64_t& words,
                    FinishReason& finish) const;

  std::chrono::milliseconds token_delay_;
};

}  // namespace coderx::features
