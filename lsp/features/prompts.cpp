#include "lsp/features/prompts.h"

#include <algorithm>

namespace coderx::features {

std::int64_t estimate_tokens(std::string_view text) {
  return static_cast<std::int64_t>((text.size() + 3) / 4);
}

std::string_view tail_within(std::string_view text, std::int64_t tokens, const TokenCounter& count) {
  if (count(text) <= tokens) return text;
  // Binary search over line starts would need the starts; a byte estimate first, then walk.
  std::size_t start = text.size() - std::min<std::size_t>(text.size(), tokens > 0 ? tokens * 4 : 0);
  for (;;) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) return text.substr(text.size());
    std::string_view tail = text.substr(nl + 1);
    if (count(tail) <= tokens) return tail;
    start = nl + 1;
  }
}

std::string_view head_within(std::string_view text, std::int64_t tokens, const TokenCounter& count) {
  if (count(text) <= tokens) return text;
  std::size_t end = std::min<std::size_t>(text.size(), tokens > 0 ? tokens * 4 : 0);
  for (;;) {
    std::size_t nl = text.rfind('\n', end);
    if (nl == std::string_view::npos || nl == 0) return text.substr(0, 0);
    std::string_view head = text.substr(0, nl);
    if (count(head) <= tokens) return head;
    end = nl - 1;
  }
}

namespace {

const char* kCompletionSystem =
    "You are a code completion engine. Continue the code exactly where the answer stops. "
    "Output only code, no explanations and no markdown fences.";

std::string fenced(std::string_view language, std::string_view code) {
  std::string s = "```";
  s.append(language).append("\n").append(code);
  if (!code.empty() && code.back() != '\n') s += '\n';
  return s + "```\n";
}

std::string header(const DocumentView& doc) {
  return "File: " + std::string(doc.uri) + " (" + std::string(doc.language_id) + ")\n";
}

}  // namespace

GenerationInput completion_prompt(const DocumentView& doc, std::uint32_t cursor,
                                  const Budgets& budgets, const TokenCounter& count) {
  cursor = std::min<std::uint32_t>(cursor, static_cast<std::uint32_t>(doc.text.size()));
  std::int64_t prefix_budget = budgets.context_tokens * 3 / 4;
  std::string_view prefix = tail_within(doc.text.substr(0, cursor), prefix_budget, count);
  std::string_view suffix =
      head_within(doc.text.substr(cursor), budgets.context_tokens - prefix_budget, count);
  GenerationInput in;
  in.system = kCompletionSystem;
  in.user = header(doc) + "Code after the cursor:\n" + fenced(doc.language_id, suffix) +
            "Continue the code at the cursor.";
  in.answer_prefix = std::string(prefix);
  in.budgets = budgets;
  return in;
}

const char* to_string(RefactorKind kind) {
  switch (kind) {
    case RefactorKind::rewrite: return "rewrite";
    case RefactorKind::fix_diagnostic: return "fix";
    case RefactorKind::document: return "document";
    case RefactorKind::add_tests: return "tests";
    case RefactorKind::instruction: return "instruction";
  }
  return "?";
}

namespace {

std::string refactor_task(RefactorKind kind, std::string_view instruction) {
  switch (kind) {
    case RefactorKind::rewrite: return "Rewrite the selected code to be clearer and simpler, same behaviour.";
    case RefactorKind::fix_diagnostic: return "Fix this problem in the selected code: " + std::string(instruction);
    case RefactorKind::document: return "Add documentation comments to the selected code; keep the code unchanged.";
    case RefactorKind::add_tests: return "Write unit tests for the selected code.";
    case RefactorKind::instruction: return std::string(instruction);
  }
  return "";
}

// The selection plus surrounding context within the budget.
std::string selection_context(const DocumentView& doc, std::uint32_t begin, std::uint32_t end,
                              const Budgets& budgets, const TokenCounter& count) {
  std::size_t size = doc.text.size();
  begin = static_cast<std::uint32_t>(std::min<std::size_t>(begin, size));
  end = static_cast<std::uint32_t>(std::clamp<std::size_t>(end, begin, size));
  std::string_view selection = doc.text.substr(begin, end - begin);
  std::int64_t left = std::max<std::int64_t>(0, budgets.context_tokens - count(selection));
  std::string_view before = tail_within(doc.text.substr(0, begin), left / 2, count);
  std::string_view after = head_within(doc.text.substr(end), left / 2, count);
  return header(doc) + "Code before the selection:\n" + fenced(doc.language_id, before) +
         "Selected code:\n" + fenced(doc.language_id, selection) + "Code after the selection:\n" +
         fenced(doc.language_id, after);
}

}  // namespace

GenerationInput refactor_prompt(const DocumentView& doc, std::uint32_t begin, std::uint32_t end,
                                RefactorKind kind, std::string_view instruction,
                                const Budgets& budgets, const TokenCounter& count) {
  GenerationInput in;
  in.kind = RequestKind::refactor;
  in.system = "You are a careful programmer. Answer with one fenced code block that replaces the "
              "selected code, nothing else.";
  if (kind == RefactorKind::add_tests)
    in.system = "You are a careful programmer. Answer with one fenced code block of tests.";
  in.user = selection_context(doc, begin, end, budgets, count) + refactor_task(kind, instruction);
  in.budgets = budgets;
  return in;
}

GenerationInput explain_prompt(const DocumentView& doc, std::uint32_t begin, std::uint32_t end,
                               const Budgets& budgets, const TokenCounter& count) {
  GenerationInput in;
  in.kind = RequestKind::explain;
  in.system = "You explain code to a programmer. Answer in concise markdown.";
  in.user = selection_context(doc, begin, end, budgets, count) + "Explain the selected code.";
  in.budgets = budgets;
  return in;
}

}  // namespace coderx::features
