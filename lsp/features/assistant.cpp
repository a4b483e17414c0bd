#include "lsp/features/assistant.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "lsp/features/gather_context.h"
#include "lsp/features/line_endings.h"
#include "lsp/features/stop_generation.h"
#include "lsp/features/trim_completion.h"

namespace coderx::features {

Assistant::Assistant(std::shared_ptr<TextGenerator> generator, AssistantOptions options)
    : generator_(std::move(generator)), options_(std::move(options)), cache_(options_.cache_entries) {}

TokenCounter Assistant::counter() const {
  if (options_.count_tokens) return options_.count_tokens;
  std::shared_ptr<TextGenerator> generator = generator_;
  return [generator](std::string_view text) { return generator->count_tokens(text); };
}

model::Result<GenerationOutput> Assistant::run(const GenerationInput& input, std::stop_token stop,
                                               const TextCallback& on_text,
                                               const std::function<bool(std::string_view)>& ended) {
  if (stop.stop_requested()) return model::make_error(model::Errc::cancelled, "cancelled");
  GenerationOutput out = generate_until_stop(*generator_, input, stop, StreamCallbacks{on_text, {}, {}}, ended);
  spdlog::debug("{}: {} prompt tokens ({} cached), {} thinking, {} answer, {:.1f} ms, {}",
                to_string(input.kind), out.usage.prompt_tokens, out.usage.cached_tokens,
                out.usage.thinking_tokens, out.usage.answer_tokens, out.usage.elapsed_ms,
                to_string(out.finish));
  if (out.finish == FinishReason::cancelled || stop.stop_requested())
    return model::make_error(model::Errc::cancelled, "cancelled");
  if (out.finish == FinishReason::error)
    return model::make_error(model::Errc::unsupported, "generation failed: " + out.error);
  return out;
}

namespace {

WorkspaceContext provide(const WorkspaceProvider& provider) { return provider ? provider() : WorkspaceContext{}; }

}  // namespace

model::Result<Completion> Assistant::complete(const CompleteRequest& request, std::stop_token stop) {
  const std::string_view text = request.doc.text;
  std::uint32_t cursor = std::min<std::uint32_t>(request.cursor, static_cast<std::uint32_t>(text.size()));
  std::string_view before = text.substr(0, cursor), after = text.substr(cursor);
  if (auto hit = cache_.lookup(request.doc.uri, before, after))
    return Completion{std::move(*hit), true, false, FinishReason::stop, {}};
  PromptInput in{request.doc, request.budgets, counter(), nullptr};
  FrameKey key = frame_key(request.doc.uri, text, cursor, request.budgets.context_tokens);
  std::optional<CompletionFrame> frame = frames_.lookup(key);
  if (frame && frame->user_tokens + in.count(text.substr(frame->prefix_start, cursor - frame->prefix_start)) >
                   request.budgets.context_tokens)
    frame.reset();  // the line grew past the budget: gather again
  const bool reused = frame.has_value();
  WorkspaceContext workspace;
  if (!frame) {
    workspace = provide(request.workspace);
    in.workspace = &workspace;
    frame = completion_frame(in, cursor);
    if (!stop.stop_requested()) frames_.store(key, *frame);  // a cancelled wait may have used a stale tree
  }
  GenerationInput input = completion_input(*frame, in, cursor);
  input.kind = request.kind;
  // What trim_completion would drop is not generated: the server stops at the stop strings, and
  // the generation is cancelled once the completion is settled.
  input.stops = completion_stops(after);
  const TrimRequest trim{language_of(request.doc), before, after, options_.max_completion_lines};
  auto out = run(input, stop, {}, [&trim](std::string_view answer) { return completion_settled(answer, trim); });
  if (!out) return out.error();
  Completion c;
  c.text = trim_completion(out->answer, trim);
  if (c.text.size() != out->answer.size())
    spdlog::debug("completion trimmed from {} to {} bytes (what does not parse, or past the block)",
                  out->answer.size(), c.text.size());
  c.context_reused = reused;
  c.finish = out->finish;
  c.usage = out->usage;
  if (!c.text.empty()) cache_.store(request.doc.uri, before, after, c.text);
  return c;
}

model::Result<RefactorResult> Assistant::refactor(const RefactorRequest& request, std::stop_token stop) {
  std::uint32_t size = static_cast<std::uint32_t>(request.doc.text.size());
  std::uint32_t begin = std::min(request.begin, size);
  std::uint32_t end = std::clamp(request.end, begin, size);
  WorkspaceContext workspace = provide(request.workspace);
  GenerationInput input = refactor_prompt(request.doc, begin, end, request.kind, request.instruction,
                                          request.budgets, counter(), &workspace);
  // The code block is all that is kept: the generation ends when it closes.
  auto out = run(input, stop, {}, code_block_closed);
  if (!out) return out.error();
  if (out->finish != FinishReason::stop)  // half the code would replace all of the selection
    return model::make_error(model::Errc::unsupported,
                             std::string("the model's answer was cut short (") + to_string(out->finish) + " after " +
                                 std::to_string(out->usage.answer_tokens) +
                                 " tokens), so no edit was made; raise the refactor budget (answer tokens, "
                                 "deadline) or select less");
  RefactorResult r;
  r.new_text = extract_code(out->answer);
  r.begin = begin;
  r.end = end;
  if (request.kind == RefactorKind::add_tests) {
    r.begin = r.end = end;
    r.new_text = "\n\n" + r.new_text + "\n";
  } else if (end > begin && request.doc.text[end - 1] == '\n' && !r.new_text.empty()) {
    r.new_text += '\n';  // the selection ended with its line; keep the line structure
  }
  if (uses_crlf(request.doc.text)) r.new_text = to_crlf(r.new_text);
  r.usage = out->usage;
  return r;
}

model::Result<Explanation> Assistant::explain(const ExplainRequest& request, std::stop_token stop,
                                              const TextCallback& on_text) {
  std::uint32_t size = static_cast<std::uint32_t>(request.doc.text.size());
  std::uint32_t begin = std::min(request.begin, size);
  std::uint32_t end = std::clamp(request.end, begin, size);
  WorkspaceContext workspace = provide(request.workspace);
  auto out = run(explain_prompt(request.doc, begin, end, request.budgets, counter(), &workspace), stop, on_text);
  if (!out) return out.error();
  return Explanation{std::move(out->answer), out->finish, out->usage};
}

}  // namespace coderx::features
