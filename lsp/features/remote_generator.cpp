#include "lsp/features/remote_generator.h"

#include <chrono>

namespace coderx::features {

namespace {

using model::remote::ChatOutcome;

FinishReason finish_of(const ChatOutcome& outcome) {
  switch (outcome.status) {
    case ChatOutcome::Status::ok: return outcome.finish_reason == "length" ? FinishReason::answer_budget : FinishReason::stop;
    case ChatOutcome::Status::cancelled: return FinishReason::cancelled;
    case ChatOutcome::Status::timeout:
      return outcome.content.empty() && outcome.reasoning.empty() ? FinishReason::error : FinishReason::deadline;
    case ChatOutcome::Status::error: return FinishReason::error;
  }
  return FinishReason::error;
}

Usage usage_of(const model::remote::WireUsage& wire) {
  Usage u;
  u.prompt_tokens = wire.prompt_tokens;
  u.cached_tokens = wire.cached_tokens;
  u.thinking_tokens = wire.reasoning_tokens;
  u.answer_tokens = std::max<std::int64_t>(0, wire.completion_tokens - wire.reasoning_tokens);
  return u;
}

}  // namespace

model::Result<std::shared_ptr<RemoteGenerator>> RemoteGenerator::create(std::string_view url, std::string model,
                                                                         model::remote::ClientOptions options) {
  auto endpoint = model::remote::parse_endpoint(url);
  if (!endpoint) return endpoint.error();
  return std::make_shared<RemoteGenerator>(std::move(*endpoint), std::move(model), options);
}

RemoteGenerator::RemoteGenerator(model::remote::Endpoint endpoint, std::string model,
                                 model::remote::ClientOptions options)
    : client_(std::move(endpoint), options), model_(std::move(model)) {}

std::string RemoteGenerator::describe() const {
  return "remote " + client_.endpoint().display + (model_.empty() ? "" : " (" + model_ + ")");
}

model::remote::ChatCall RemoteGenerator::to_call(const GenerationInput& input) const {
  model::remote::ChatCall call;
  call.model = model_;
  if (!input.system.empty()) call.messages.push_back({"system", input.system});
  call.messages.push_back({"user", input.user});
  if (!input.answer_prefix.empty()) {
    call.messages.push_back({"assistant", input.answer_prefix});
    call.prefill = true;
  }
  call.max_tokens = std::max<std::int64_t>(1, input.budgets.answer_tokens);
  call.thinking_budget_tokens = std::max<std::int64_t>(0, input.budgets.thinking_tokens);
  bool completion = input.kind == RequestKind::inline_completion || input.kind == RequestKind::completion;
  if (completion) call.temperature = 0.0;
  call.kind = to_string(input.kind);
  for (char& c : call.kind) c = c == ' ' ? '_' : c;
  // vLLM and llama-server match stop strings in the thinking too, where ours do not apply.
  if (call.thinking_budget_tokens == 0) call.stop = input.stops;
  return call;
}

GenerationOutput RemoteGenerator::generate(const GenerationInput& input, std::stop_token stop,
                                           const TextCallback& on_text) {
  return generate_streams(input, stop, StreamCallbacks{on_text, {}});
}

GenerationOutput RemoteGenerator::generate_streams(const GenerationInput& input, std::stop_token stop,
                                                   const StreamCallbacks& callbacks) {
  auto started = std::chrono::steady_clock::now();
  model::remote::StreamSink sink{callbacks.on_answer, callbacks.on_thinking, {}};
  if (callbacks.on_usage)
    sink.on_usage = [&callbacks](const model::remote::WireUsage& wire) { callbacks.on_usage(usage_of(wire)); };
  ChatOutcome outcome = client_.chat(to_call(input), input.budgets.deadline, stop, sink);
  GenerationOutput out;
  out.finish = finish_of(outcome);
  out.answer = std::move(outcome.content);
  out.thinking = std::move(outcome.reasoning);
  out.usage = usage_of(outcome.usage);
  out.usage.elapsed_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  if (out.finish == FinishReason::error) out.error = outcome.error;
  // The server found the request itself unusable (a prompt over its context, say).
  out.input_rejected = outcome.http_status == 400 || outcome.http_status == 413 || outcome.http_status == 422;
  return out;
}

}  // namespace coderx::features
