#include "lsp/features/canned_generator.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <string_view>

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

// The new-file number of a diff listing line "12 +text" when it is an added line, else 0.
std::uint32_t added_line_number(std::string_view text) {
  const std::size_t space = text.find(' ');
  if (space == 0 || space == std::string_view::npos || space + 1 >= text.size() || text[space + 1] != '+')
    return 0;
  std::uint32_t n = 0;
  for (char c : text.substr(0, space)) {
    if (c < '0' || c > '9') return 0;
    n = n * 10 + static_cast<std::uint32_t>(c - '0');
  }
  return n;
}

// The first added line of the prompt's diff listing (between "```diff" and the closing fence).
std::uint32_t first_added_line(const std::string& user) {
  const std::size_t at = user.find("```diff\n");
  if (at == std::string::npos) return 0;
  for (std::size_t line = at + 8; line < user.size() && user.compare(line, 3, "```") != 0;) {
    const std::size_t end = std::min(user.find('\n', line), user.size());
    if (std::uint32_t n = added_line_number(std::string_view(user).substr(line, end - line))) return n;
    line = end + 1;
  }
  return 0;
}

// One finding on the first added line of the hunk, in the reviewer's answer format.
std::string canned_review(const std::string& user) {
  const std::uint32_t line = first_added_line(user);
  std::string out;
  if (line > 0)
    out += "finding: warning " + std::to_string(line) + " canned-review: canned finding (no model) on an added line\n";
  return out + "summary: canned review (no model)\n";
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
    case RequestKind::review:
      return canned_review(input.user);
    case RequestKind::explain:
      return "**Canned explanation** (no model): the selection has " +
             std::to_string(selected_code(input.user).size()) + " bytes of code.";
  }
  return "";
}

GenerationOutput CannedGenerator::generate(const GenerationInput& input, std::stop_token stop,
                                           const TextCallback& on_text) {
  return generate_streams(input, stop, StreamCallbacks{on_text, {}});
}

// Streams `text` word by word into `out` (and `on_word`), at most `budget` words; false when
// stopped or out of budget (out.finish says which).
bool CannedGenerator::stream_words(std::string_view text, std::int64_t budget, std::stop_token stop,
                                   const TextCallback& on_word, std::string& out, std::int64_t& words,
                                   FinishReason& finish) const {
  std::mutex mu;
  std::condition_variable_any cv;
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (token_delay_.count() > 0) {
      std::unique_lock lock(mu);
      cv.wait_for(lock, stop, token_delay_, [] { return false; });
    }
    if (stop.stop_requested()) {
      finish = FinishReason::cancelled;
      return false;
    }
    if (words >= budget) {
      finish = FinishReason::answer_budget;
      return false;
    }
    std::size_t next = text.find(' ', pos + 1);
    next = next == std::string_view::npos ? text.size() : next;
    std::string_view word = text.substr(pos, next - pos);
    out.append(word);
    ++words;
    if (on_word) on_word(word);
    pos = next;
  }
  return true;
}

GenerationOutput CannedGenerator::generate_streams(const GenerationInput& input, std::stop_token stop,
                                                   const StreamCallbacks& callbacks) {
  auto started = std::chrono::steady_clock::now();
  GenerationOutput out;
  out.usage.prompt_tokens = static_cast<std::int64_t>((input.system.size() + input.user.size() +
                                                       input.answer_prefix.size()) / 4);
  if (input.budgets.thinking_tokens > 0) {
    FinishReason thought = FinishReason::stop;  // a full thinking budget just ends the thought
    stream_words(kThought, input.budgets.thinking_tokens, stop, callbacks.on_thinking, out.thinking,
                 out.usage.thinking_tokens, thought);
    if (thought == FinishReason::cancelled) out.finish = FinishReason::cancelled;
  }
  if (out.finish != FinishReason::cancelled)
    stream_words(answer_for(input), input.budgets.answer_tokens, stop, callbacks.on_answer, out.answer,
                 out.usage.answer_tokens, out.finish);
  out.usage.elapsed_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  return out;
}

}  // namespace coderx::features
