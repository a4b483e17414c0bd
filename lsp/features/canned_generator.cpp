#include "lsp/features/canned_generator.h"

#include <condition_variable>
#include <mutex>

namespace coderx::features {

namespace {

// The text between "Selected code:\n```lang\n" and the closing fence of the prompt.
std::string selected_code(const std::string& user) {
  std::size_t at = user.find("Selected code:\n```");
  if (at == std::string::npos) return "";
  std::size_t body = user.find('\n', at + 15);
  std::size_t close = user.find("```", body + 1);
  if (body == std::string::npos || close == std::string::npos) return "";
  return user.substr(body + 1, close - body - 1);
}

bool language_is(const std::string& user, const char* id) {
  return user.find(std::string("(") + id + ")") != std::string::npos;
}

}  // namespace

std::string CannedGenerator::answer_for(const GenerationInput& input) {
  switch (input.kind) {
    case RequestKind::inline_completion:
    case RequestKind::completion:
      if (language_is(input.user, "python")) return "return None  # canned completion\n";
      return "return 0;  // canned completion\n";
    case RequestKind::refactor:
      return "```\n// canned refactor (no model)\n" + selected_code(input.user) + "```\n";
    case RequestKind::explain:
      return "**Canned explanation** (no model): the selection has " +
             std::to_string(selected_code(input.user).size()) + " bytes of code.";
  }
  return "";
}

GenerationOutput CannedGenerator::generate(const GenerationInput& input, std::stop_token stop,
                                           const TextCallback& on_text) {
  auto started = std::chrono::steady_clock::now();
  std::string answer = answer_for(input);
  GenerationOutput out;
  out.usage.prompt_tokens = static_cast<std::int64_t>((input.system.size() + input.user.size() +
                                                       input.answer_prefix.size()) / 4);
  std::mutex mu;
  std::condition_variable_any cv;
  std::size_t pos = 0;
  while (pos < answer.size()) {
    if (token_delay_.count() > 0) {
      std::unique_lock lock(mu);
      cv.wait_for(lock, stop, token_delay_, [] { return false; });
    }
    if (stop.stop_requested()) {
      out.finish = FinishReason::cancelled;
      break;
    }
    if (out.usage.answer_tokens >= input.budgets.answer_tokens) {
      out.finish = FinishReason::answer_budget;
      break;
    }
    std::size_t next = answer.find(' ', pos + 1);
    next = next == std::string::npos ? answer.size() : next;
    std::string_view token(answer.data() + pos, next - pos);
    out.answer.append(token);
    ++out.usage.answer_tokens;
    if (on_text) on_text(token);
    pos = next;
  }
  out.usage.elapsed_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  return out;
}

}  // namespace coderx::features
