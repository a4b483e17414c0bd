#include "lsp/features/engine_generator.h"

#include <chrono>

#include "model/utf8.h"

namespace coderx::features {

namespace {

using Clock = std::chrono::steady_clock;

// Builds a prompt from special-token texts and plain text. Adjacent plain pieces are encoded
// together (so BPE sees the same fragments as a whole-string encode would) and never parsed
// for special tokens.
class PromptBuilder {
 public:
  explicit PromptBuilder(const model::Tokenizer& t) : tokenizer_(t) { tokens_.push_back(t.bos()); }

  PromptBuilder& special(std::string_view text) {
    flush();
    tokenizer_.encode_append(text, {false, true}, tokens_);
    return *this;
  }
  PromptBuilder& plain(std::string_view text) {
    pending_ += text;
    return *this;
  }
  std::vector<model::TokenId> finish() {
    flush();
    return std::move(tokens_);
  }

 private:
  void flush() {
    if (!pending_.empty()) tokenizer_.encode_append(pending_, {false, false}, tokens_);
    pending_.clear();
  }

  const model::Tokenizer& tokenizer_;
  std::vector<model::TokenId> tokens_;
  std::string pending_;
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\n' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

model::Priority priority_of(RequestKind kind) {
  switch (kind) {
    case RequestKind::inline_completion: return model::Priority::inline_completion;
    case RequestKind::completion: return model::Priority::completion;
    case RequestKind::refactor:
    case RequestKind::explain: return model::Priority::interactive;
    case RequestKind::review: return model::Priority::batch;
  }
  return model::Priority::interactive;
}

FinishReason finish_of(model::FinishReason reason) {
  switch (reason) {
    case model::FinishReason::stop: return FinishReason::stop;
    case model::FinishReason::answer_budget:
    case model::FinishReason::context_budget: return FinishReason::answer_budget;
    case model::FinishReason::deadline: return FinishReason::deadline;
    case model::FinishReason::cancelled: return FinishReason::cancelled;
    case model::FinishReason::error: return FinishReason::error;
  }
  return FinishReason::error;
}

Usage usage_of(const model::Usage& u) {
  Usage out;
  out.prompt_tokens = u.prompt_tokens;
  out.cached_tokens = u.cached_tokens;
  out.thinking_tokens = u.thinking_tokens;
  out.answer_tokens = u.answer_tokens;
  return out;
}

model::GenerationRequest to_request(const GenerationInput& input, std::vector<model::TokenId> prompt,
                                    const model::SamplingParams& defaults) {
  model::GenerationRequest request;
  request.prompt = std::move(prompt);
  request.priority = priority_of(input.kind);
  request.budgets.context_tokens = 0;  // the engine's max_context; gather already bounded the prompt
  request.budgets.thinking_tokens =
      input.budgets.thinking_tokens > 0 ? static_cast<int>(input.budgets.thinking_tokens) : -1;
  request.budgets.answer_tokens = input.budgets.answer_tokens;
  if (input.budgets.deadline.count() > 0) request.budgets.deadline = Clock::now() + input.budgets.deadline;
  model::SamplingParams sampling = defaults;
  bool completion = input.kind == RequestKind::inline_completion || input.kind == RequestKind::completion;
  if (completion) sampling.temperature = 0;  // completions are deterministic: same prefix, same ghost text
  request.sampling = sampling;
  return request;
}

}  // namespace

model::Result<std::shared_ptr<EngineGenerator>> EngineGenerator::load(const std::filesystem::path& path,
                                                                       model::EngineOptions options) {
  auto engine = model::Engine::load(path, options);
  if (!engine) return engine.error();
  std::string name = "gemma4 " + path.filename().string() + " on " + (*engine)->backend();
  return std::make_shared<EngineGenerator>(std::move(*engine), std::move(name));
}

EngineGenerator::EngineGenerator(std::unique_ptr<model::Engine> engine, std::string name)
    : engine_(std::move(engine)), name_(std::move(name)) {}

std::vector<model::TokenId> EngineGenerator::prompt_tokens(const GenerationInput& input) const {
  PromptBuilder prompt(engine_->tokenizer());
  bool thinking = input.budgets.thinking_tokens > 0;
  std::string_view system = trim(input.system);
  if (thinking || !system.empty()) {
    prompt.special("<|turn>").plain("system\n");
    if (thinking) prompt.special("<|think|>").plain("\n");
    prompt.plain(system).special("<turn|>").plain("\n");
  }
  prompt.special("<|turn>").plain("user\n").plain(trim(input.user)).special("<turn|>").plain("\n");
  prompt.special("<|turn>").plain("model\n");
  if (!thinking) prompt.special("<|channel>").plain("thought\n").special("<channel|>");
  prompt.plain(input.answer_prefix);
  return prompt.finish();
}

std::int64_t EngineGenerator::count_tokens(std::string_view text) const {
  return static_cast<std::int64_t>(engine_->tokenizer().count(text));
}

namespace {

// Sends the part of `text` that `streamed` lacks (a cut-off character made U+FFFD at the end).
void flush_tail(const TextCallback& to, const std::string& streamed, const std::string& text) {
  if (to && text.size() > streamed.size() && text.starts_with(streamed))
    to(std::string_view(text).substr(streamed.size()));
}

}  // namespace

GenerationOutput EngineGenerator::generate(const GenerationInput& input, std::stop_token stop,
                                           const TextCallback& on_text) {
  return generate_streams(input, stop, StreamCallbacks{on_text, {}});
}

GenerationOutput EngineGenerator::generate_streams(const GenerationInput& input, std::stop_token stop,
                                                   const StreamCallbacks& callbacks) {
  GenerationOutput out;
  auto start = Clock::now();
  model::Engine::EventFn on_event;
  // What each callback has received, so a stream always adds up to its final (valid) text.
  std::string streamed_answer, streamed_thinking;
  if (callbacks.on_answer || callbacks.on_thinking || callbacks.on_usage)
    on_event = [&](const model::GenerationEvent& e) {
      const bool answer = e.kind == model::GenerationEvent::Kind::answer;
      if (callbacks.on_usage) callbacks.on_usage(usage_of(e.usage));  // first: it rides with the text
      if (const TextCallback& to = answer ? callbacks.on_answer : callbacks.on_thinking) {
        std::string delta = model::utf8::make_valid(e.text);
        (answer ? streamed_answer : streamed_thinking) += delta;
        to(delta);
      }
    };
  auto result = engine_->submit(to_request(input, prompt_tokens(input), engine_->default_sampling()),
                                stop, on_event);
  out.usage.elapsed_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  if (!result) {
    bool cancelled = result.error().code == model::Errc::cancelled;
    out.finish = cancelled ? FinishReason::cancelled : FinishReason::error;
    out.error = result.error().message;
    out.input_rejected = result.error().code == model::Errc::invalid_argument;
    return out;
  }
  out.answer = model::utf8::make_valid(result->answer);
  out.thinking = model::utf8::make_valid(result->thinking);
  // A character cut off at the very end is only in the final text (as U+FFFD): stream it too.
  flush_tail(callbacks.on_answer, streamed_answer, out.answer);
  flush_tail(callbacks.on_thinking, streamed_thinking, out.thinking);
  out.finish = finish_of(result->finish);
  const double elapsed_ms = out.usage.elapsed_ms;
  out.usage = usage_of(result->usage);
  out.usage.elapsed_ms = elapsed_ms;
  return out;
}

}  // namespace coderx::features
