#include "lsp/features/prompts.h"

#include <algorithm>

#include "lsp/features/gather_context.h"

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

std::string document_name(const PromptInput& in) {
  return in.workspace && !in.workspace->path.empty() ? in.workspace->path : std::string(in.doc.uri);
}

namespace {

const char* kCompletionSystem =
    "You are a code completion engine. Continue the code exactly where the answer stops. "
    "Output only code, no explanations and no markdown fences.";
const char* kContextIntro = "Context from the workspace:\n";

std::string fenced(std::string_view language, std::string_view code) {
  std::string s = "```";
  s.append(language).append("\n").append(code);
  if (!code.empty() && code.back() != '\n') s += '\n';
  return s + "```\n";
}

std::string header(const PromptInput& in) {
  return "File: " + document_name(in) + " (" + std::string(in.doc.language_id) + ")\n";
}

bool is_local(const context::Snippet& s) {
  return s.kind == context::SnippetKind::local_before || s.kind == context::SnippetKind::local_after;
}

const context::Snippet* find_kind(const context::GatherResult& g, context::SnippetKind kind) {
  for (const context::Snippet& s : g.snippets)
    if (s.kind == kind) return &s;
  return nullptr;
}

// The gathered snippets other than the local window, best first.
std::vector<const context::Snippet*> context_snippets(const context::GatherResult& g) {
  std::vector<const context::Snippet*> out;
  for (const context::Snippet& s : g.snippets)
    if (!is_local(s)) out.push_back(&s);
  return out;
}

std::string render_snippets(const std::vector<const context::Snippet*>& snippets) {
  if (snippets.empty()) return "";
  std::string out = kContextIntro;
  for (const context::Snippet* s : snippets) {
    out += s->header;
    out += s->text;
    if (!s->text.empty() && s->text.back() != '\n') out += '\n';
  }
  return out;
}

std::int64_t budget_left(std::int64_t budget, std::int64_t used) { return std::max<std::int64_t>(0, budget - used); }

}  // namespace

// ---- completion ----

namespace {

struct CompletionParts {
  std::vector<const context::Snippet*> snippets;
  std::string_view prefix, suffix;
};

std::string render_completion(const PromptInput& in, const CompletionParts& p) {
  return header(in) + render_snippets(p.snippets) + "Code after the cursor:\n" +
         fenced(in.doc.language_id, p.suffix) + "Continue the code at the cursor.";
}

}  // namespace

CompletionFrame completion_frame(const PromptInput& in, std::uint32_t cursor) {
  const std::string_view text = in.doc.text;
  cursor = std::min<std::uint32_t>(cursor, static_cast<std::uint32_t>(text.size()));
  const std::int64_t budget = in.budgets.context_tokens;
  CompletionParts empty;
  std::int64_t framing = in.count(render_completion(in, empty) + kContextIntro);
  context::GatherResult g = gather_context(in, {cursor, cursor, context::TaskKind::completion,
                                                budget_left(budget, framing)});
  CompletionParts p;
  p.snippets = context_snippets(g);
  if (const context::Snippet* before = find_kind(g, context::SnippetKind::local_before))
    p.prefix = text.substr(cursor - std::min<std::size_t>(cursor, before->text.size()),
                           std::min<std::size_t>(cursor, before->text.size()));
  if (const context::Snippet* after = find_kind(g, context::SnippetKind::local_after))
    p.suffix = text.substr(cursor, after->text.size());
  // gather counts snippet by snippet; the rendered turn is checked as a whole and trimmed
  // (least useful first) until it fits.
  CompletionFrame frame;
  for (;;) {
    frame.user = render_completion(in, p);
    frame.user_tokens = in.count(frame.user);
    std::int64_t total = frame.user_tokens + in.count(p.prefix);
    if (total <= budget) break;
    if (!p.snippets.empty()) {
      p.snippets.pop_back();
    } else if (!p.suffix.empty()) {
      p.suffix = head_within(p.suffix, budget_left(in.count(p.suffix), total - budget), in.count);
    } else if (!p.prefix.empty()) {
      p.prefix = tail_within(p.prefix, budget_left(budget, frame.user_tokens), in.count);
      break;
    } else {
      break;  // the framing alone is over the budget
    }
  }
  frame.prefix_start = cursor - static_cast<std::uint32_t>(p.prefix.size());
  frame.snippets = p.snippets.size();
  return frame;
}

GenerationInput completion_input(const CompletionFrame& frame, const PromptInput& in, std::uint32_t cursor) {
  cursor = std::min<std::uint32_t>(cursor, static_cast<std::uint32_t>(in.doc.text.size()));
  std::uint32_t start = std::min(frame.prefix_start, cursor);
  GenerationInput out;
  out.system = kCompletionSystem;
  out.user = frame.user;
  out.answer_prefix = std::string(in.doc.text.substr(start, cursor - start));
  out.budgets = in.budgets;
  return out;
}

GenerationInput completion_prompt(const DocumentView& doc, std::uint32_t cursor, const Budgets& budgets,
                                  const TokenCounter& count, const WorkspaceContext* workspace) {
  PromptInput in{doc, budgets, count, workspace};
  return completion_input(completion_frame(in, cursor), in, cursor);
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

// ---- refactor and explain ----

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

struct SelectionParts {
  std::vector<const context::Snippet*> snippets;
  std::string_view before, selection, after;
};

std::string render_selection(const PromptInput& in, const SelectionParts& p, std::string_view task) {
  const std::string_view lang = in.doc.language_id;
  return header(in) + render_snippets(p.snippets) + "Code before the selection:\n" + fenced(lang, p.before) +
         "Selected code:\n" + fenced(lang, p.selection) + "Code after the selection:\n" + fenced(lang, p.after) +
         std::string(task);
}

// The user turn of a refactor or explain request: gathered context, the selection whole, the
// code around it, then the task.
std::string selection_turn(const PromptInput& in, std::uint32_t begin, std::uint32_t end,
                           context::TaskKind kind, std::string_view task) {
  const std::string_view text = in.doc.text;
  begin = static_cast<std::uint32_t>(std::min<std::size_t>(begin, text.size()));
  end = static_cast<std::uint32_t>(std::clamp<std::size_t>(end, begin, text.size()));
  const std::int64_t budget = in.budgets.context_tokens;
  SelectionParts p;
  p.selection = text.substr(begin, end - begin);
  // A selection over the budget on its own is quoted whole with nothing around it, at once: no
  // gathering and trimming loop that would count a huge selection again and again.
  if (in.count(p.selection) >= budget) return render_selection(in, p, task);
  std::int64_t framing = in.count(render_selection(in, p, task) + kContextIntro);
  context::GatherResult g = gather_context(in, {begin, end, kind, budget_left(budget, framing)});
  p.snippets = context_snippets(g);
  // local_before runs from its first line to the end of the selection; it holds the code before
  // the selection only when it covers the whole selection.
  if (const context::Snippet* before = find_kind(g, context::SnippetKind::local_before);
      before && before->text.size() >= end - begin)
    p.before = text.substr(end - before->text.size(), before->text.size() - (end - begin));
  if (const context::Snippet* after = find_kind(g, context::SnippetKind::local_after))
    p.after = text.substr(end, after->text.size());
  std::string user;
  for (;;) {
    user = render_selection(in, p, task);
    std::int64_t total = in.count(user);
    if (total <= budget) break;
    std::int64_t over = total - budget;
    if (!p.snippets.empty()) p.snippets.pop_back();
    else if (!p.before.empty()) p.before = tail_within(p.before, budget_left(in.count(p.before), over), in.count);
    else if (!p.after.empty()) p.after = head_within(p.after, budget_left(in.count(p.after), over), in.count);
    else break;  // the selection alone is over the budget: it is quoted whole anyway
  }
  return user;
}

}  // namespace

GenerationInput refactor_prompt(const DocumentView& doc, std::uint32_t begin, std::uint32_t end,
                                RefactorKind kind, std::string_view instruction, const Budgets& budgets,
                                const TokenCounter& count, const WorkspaceContext* workspace) {
  GenerationInput in;
  in.kind = RequestKind::refactor;
  in.system = "You are a careful programmer. Answer with one fenced code block that replaces the "
              "selected code, nothing else.";
  if (kind == RefactorKind::add_tests)
    in.system = "You are a careful programmer. Answer with one fenced code block of tests.";
  in.user = selection_turn({doc, budgets, count, workspace}, begin, end, context::TaskKind::refactor,
                           refactor_task(kind, instruction));
  in.budgets = budgets;
  return in;
}

GenerationInput explain_prompt(const DocumentView& doc, std::uint32_t begin, std::uint32_t end,
                               const Budgets& budgets, const TokenCounter& count,
                               const WorkspaceContext* workspace) {
  GenerationInput in;
  in.kind = RequestKind::explain;
  in.system = "You explain code to a programmer. Answer in concise markdown.";
  in.user = selection_turn({doc, budgets, count, workspace}, begin, end, context::TaskKind::explain,
                           "Explain the selected code.");
  in.budgets = budgets;
  return in;
}

}  // namespace coderx::features
