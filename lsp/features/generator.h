// The text-generation backend the Assistant talks to: one call per request, plain C++ values.
//
// This is the seam between the features and the model. The real implementation adapts
// model::Engine (render the turns with model/chat.h — thinking on or off — tokenize, submit with
// the request's budgets and priority, stream the answer channel, keep thinking apart); tests
// and the demo use a scripted implementation (tests/lsp/scripted_generator.h). The server
// never sees which one it has.
//
// The real engine is EngineGenerator (engine_generator.h), returned by make_loader() in
// lsp/server/server.cpp for `--model`; its count_tokens() is the model's tokenizer, which the
// Assistant uses for every context budget (context::gather in prompts.cpp).
//
// Contract: generate() blocks until the generation ends; it checks `stop` between tokens and
// returns promptly with finish == cancelled once it fires; `on_text` (may be empty) receives
// answer text as it is produced, on the calling thread. Failures are reported in the output
// (finish == error, `error` says why), never thrown. An implementation must accept calls from
// several threads (the engine serialises them by priority).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

namespace coderx::features {

// Priority follows this order (review is batch work: served last).
enum class RequestKind { inline_completion, completion, refactor, explain, review };
const char* to_string(RequestKind kind);

// Limits of one request. Tokens as counted by the model's tokenizer.
struct Budgets {
  std::int64_t context_tokens = 2048;   // prompt context gathered around the cursor/range
  std::int64_t thinking_tokens = 0;     // 0 = thinking off
  std::int64_t answer_tokens = 128;     // generated answer
  std::chrono::milliseconds deadline{2000};  // wall time from submission
};

enum class FinishReason { stop, answer_budget, deadline, cancelled, error };
const char* to_string(FinishReason reason);

struct Usage {
  std::int64_t prompt_tokens = 0;
  std::int64_t cached_tokens = 0;  // prompt tokens reused from the prefix cache
  std::int64_t thinking_tokens = 0;
  std::int64_t answer_tokens = 0;
  double elapsed_ms = 0;
};

// One generation: a chat with a system turn and a user turn; the model's answer starts with
// `answer_prefix` (the code before the cursor for completions), which the output does not repeat.
struct GenerationInput {
  RequestKind kind = RequestKind::inline_completion;
  std::string system;
  std::string user;
  std::string answer_prefix;
  Budgets budgets;
  // The answer ends just before the first of these (`coderx serve`'s `stop`; where a completion
  // would be cut anyway). generate_until_stop applies them whatever the generator; a remote
  // generator also sends them to its server while thinking is off, so the server ends there
  // itself and still reports its usage. Generators may otherwise ignore them.
  std::vector<std::string> stops;
};

struct GenerationOutput {
  std::string answer;    // answer channel only, after answer_prefix
  std::string thinking;  // kept apart; never shown to the editor
  FinishReason finish = FinishReason::stop;
  Usage usage;
  std::string error;  // finish == error
  // finish == error because the request itself is unusable (a prompt longer than the context),
  // not because the engine failed: `coderx serve` answers 400 instead of 500.
  bool input_rejected = false;
};

using TextCallback = std::function<void(std::string_view answer_delta)>;
using UsageCallback = std::function<void(const Usage& so_far)>;

// Both streams of a generation (for `coderx serve`, which forwards thinking as
// reasoning_content): on_answer as generate()'s on_text; on_thinking receives thought text as it
// is produced; on_usage the running counts (elapsed_ms left 0) after each text delta, where the
// generator knows them (the engine; a remote server that sends usage with every chunk). Any may
// be empty; all may run on an engine thread, so keep them short.
struct StreamCallbacks {
  TextCallback on_answer;
  TextCallback on_thinking;
  UsageCallback on_usage;
};

class TextGenerator {
 public:
  virtual ~TextGenerator() = default;
  virtual GenerationOutput generate(const GenerationInput& input, std::stop_token stop,
                                    const TextCallback& on_text) = 0;
  // generate() with thinking streamed too. The default streams the answer only; thinking then
  // arrives in the output's `thinking` at the end.
  virtual GenerationOutput generate_streams(const GenerationInput& input, std::stop_token stop,
                                            const StreamCallbacks& callbacks) {
    return generate(input, stop, callbacks.on_answer);
  }
  // One line for logs and the status bar ("scripted", "gemma4 26B-A4B q4_k on cuda:0").
  virtual std::string describe() const = 0;
  // Tokens of `text` as the model counts them (context budgets). The default is an estimate
  // (~4 bytes per token) for generators without a tokenizer; EngineGenerator counts exactly.
  virtual std::int64_t count_tokens(std::string_view text) const {
    return static_cast<std::int64_t>((text.size() + 3) / 4);
  }
};

// A backend for servers started without a model: every generation fails with `reason`.
class UnavailableGenerator : public TextGenerator {
 public:
  explicit UnavailableGenerator(std::string reason) : reason_(std::move(reason)) {}
  GenerationOutput generate(const GenerationInput&, std::stop_token, const TextCallback&) override {
    GenerationOutput out;
    out.finish = FinishReason::error;
    out.error = reason_;
    return out;
  }
  std::string describe() const override { return "no model (" + reason_ + ")"; }

 private:
  std::string reason_;
};

}  // namespace coderx::features
