// Prompts: prefix continuation within the context budget, line-aligned cuts, refactor and
// explain turns carry the selection.
#include "lsp/features/prompts.h"

#include <gtest/gtest.h>

namespace coderx::features {
namespace {

std::int64_t bytes(std::string_view s) { return static_cast<std::int64_t>(s.size()); }  // 1 token per byte

TEST(Prompts, TailAndHeadStayWithinTheBudgetAtLineBoundaries) {
  std::string text = "aaaa\nbbbb\ncccc\n";
  EXPECT_EQ(tail_within(text, 100, bytes), text);
  EXPECT_EQ(tail_within(text, 10, bytes), "bbbb\ncccc\n");
  EXPECT_EQ(tail_within(text, 3, bytes), "");
  EXPECT_EQ(head_within(text, 11, bytes), "aaaa\nbbbb");
  EXPECT_EQ(head_within(text, 2, bytes), "");
}

TEST(Prompts, CompletionPutsTheCodeBeforeTheCursorInTheAnswer) {
  std::string text = "line1\nline2\nx = \nzzzz\n";
  DocumentView doc{"file:///a.py", "python", text};
  Budgets budgets;
  budgets.context_tokens = 16;  // 12 bytes before, 4 after (with `bytes`)
  GenerationInput in = completion_prompt(doc, 16, budgets, bytes);
  EXPECT_EQ(in.answer_prefix, "line2\nx = ");
  EXPECT_NE(in.user.find("```python\n"), std::string::npos);
  EXPECT_EQ(in.user.find("zzzz"), std::string::npos);  // over the suffix budget
  EXPECT_EQ(in.budgets.context_tokens, 16);
  GenerationInput past_end = completion_prompt(doc, 9999, Budgets{}, bytes);
  EXPECT_EQ(past_end.answer_prefix, text);
}

TEST(Prompts, RefactorAndExplainQuoteTheSelection) {
  std::string text = "def f():\n    return 1\n";
  DocumentView doc{"file:///a.py", "python", text};
  GenerationInput r = refactor_prompt(doc, 0, 9, RefactorKind::fix_diagnostic, "undefined name", Budgets{}, bytes);
  EXPECT_EQ(r.kind, RequestKind::refactor);
  EXPECT_NE(r.user.find("Selected code:\n```python\ndef f():\n```"), std::string::npos) << r.user;
  EXPECT_NE(r.user.find("undefined name"), std::string::npos);
  GenerationInput e = explain_prompt(doc, 9, 500, Budgets{}, bytes);  // end clamped
  EXPECT_EQ(e.kind, RequestKind::explain);
  EXPECT_NE(e.user.find("    return 1\n```"), std::string::npos) << e.user;
}

}  // namespace
}  // namespace coderx::features
