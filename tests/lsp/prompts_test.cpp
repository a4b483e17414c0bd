// Prompts: the gathered context (definitions from another file of the workspace index,
// enclosing scopes, recent edits, open documents) appears in the user turn; the code before
// the cursor is the answer prefix; the context budget is never exceeded, counted with the real
// Gemma 4 tokenizer, across budgets; refactor and explain quote the selection whole.
#include "lsp/features/prompts.h"

#include <gtest/gtest.h>

#include <fstream>

#include "real_tokenizer.h"
#include "tests/support/paths.h"

namespace coderx::features {
namespace {

namespace fs = std::filesystem;

std::int64_t bytes(std::string_view s) { return static_cast<std::int64_t>(s.size()); }  // 1 token per byte

TokenCounter real_counter() {
  const model::Tokenizer* t = testing::real_tokenizer();
  return [t](std::string_view s) { return static_cast<std::int64_t>(t->count(s)); };
}

using testing::write_file;

// lib.py defines helpers; main.py imports and calls them. The cursor is inside run().
struct Workspace {
  testing::TempDir dir;
  std::string main_text;
  std::uint32_t cursor = 0;
  WorkspaceContext context;
  Workspace() {
    std::string lib;
    for (int i = 0; i < 40; ++i)
      lib += "def helper" + std::to_string(i) + "(a, b):\n    \"\"\"Scale a by " + std::to_string(i) +
             " and add b.\"\"\"\n    return a * " + std::to_string(i) + " + b\n\n";
    write_file(dir / "lib.py", lib);
    main_text = "from lib import helper7, helper9\n\n";
    for (int i = 0; i < 120; ++i) main_text += "setting_" + std::to_string(i) + " = " + std::to_string(i) + "\n";
    main_text += "\nclass Runner:\n    def run(self, v):\n        a = helper7(v, 2)\n        b = helper9(a, 3)\n        ";
    cursor = static_cast<std::uint32_t>(main_text.size());
    main_text += "\n        return b\n";
    for (int i = 0; i < 60; ++i) main_text += "tail_" + std::to_string(i) + " = " + std::to_string(i) + "\n";
    write_file(dir / "main.py", main_text);
    auto index = context::WorkspaceIndex::build(dir.path());
    EXPECT_TRUE(index) << index.error().message;
    context.index = std::move(*index);
    context.path = "main.py";
  }
  DocumentView doc() const { return {"file:///w/main.py", "python", main_text}; }
};

std::int64_t prompt_tokens(const GenerationInput& in, const TokenCounter& count) {
  return count(in.user) + count(in.answer_prefix);
}

TEST(Prompts, TailAndHeadStayWithinTheBudgetAtLineBoundaries) {
  std::string text = "aaaa\nbbbb\ncccc\n";
  EXPECT_EQ(tail_within(text, 100, bytes), text);
  EXPECT_EQ(tail_within(text, 10, bytes), "bbbb\ncccc\n");
  EXPECT_EQ(tail_within(text, 3, bytes), "");
  EXPECT_EQ(head_within(text, 11, bytes), "aaaa\nbbbb");
  EXPECT_EQ(head_within(text, 2, bytes), "");
}

TEST(Prompts, CompletionCarriesDefinitionsFromOtherFilesAndTheEnclosingScope) {
  Workspace w;
  Budgets budgets;
  budgets.context_tokens = 2048;
  GenerationInput in = completion_prompt(w.doc(), w.cursor, budgets, real_counter(), &w.context);
  // The definitions of the helpers called near the cursor, from lib.py (another file).
  EXPECT_NE(in.user.find("--- lib.py:"), std::string::npos) << in.user;
  EXPECT_NE(in.user.find("def helper7(a, b):\n    \"\"\"Scale a by 7"), std::string::npos) << in.user;
  EXPECT_NE(in.user.find("def helper9(a, b):"), std::string::npos) << in.user;
  // The imported file's symbols, as a summary of signatures.
  EXPECT_NE(in.user.find("--- lib.py:1-"), std::string::npos) << in.user;
  EXPECT_NE(in.user.find("(import_summary)\ndef helper0(a, b):\ndef helper1(a, b):"), std::string::npos) << in.user;
  // The code before the cursor is the answer prefix, from a line start to the cursor.
  ASSERT_FALSE(in.answer_prefix.empty());
  EXPECT_TRUE(w.main_text.substr(0, w.cursor).ends_with(in.answer_prefix));
  std::size_t start = w.cursor - in.answer_prefix.size();
  EXPECT_TRUE(start == 0 || w.main_text[start - 1] == '\n');
  // The code after the cursor is quoted in the user turn.
  EXPECT_NE(in.user.find("Code after the cursor:\n```python\n\n        return b\n"), std::string::npos) << in.user;
  EXPECT_LE(prompt_tokens(in, real_counter()), budgets.context_tokens);
}

TEST(Prompts, TheEnclosingScopeAppearsWhenItsLineIsOutsideTheLocalWindow) {
  std::string text = "class Big:\n    def method(self):\n";
  for (int i = 0; i < 150; ++i) text += "        v" + std::to_string(i) + " = " + std::to_string(i) + "\n";
  text += "        ";
  auto cursor = static_cast<std::uint32_t>(text.size());
  text += "\n        done = True\n";  // the method goes on after the cursor
  DocumentView doc{"file:///w/big.py", "python", text};
  Budgets budgets;
  budgets.context_tokens = 1024;
  GenerationInput in = completion_prompt(doc, cursor, budgets, real_counter());
  EXPECT_NE(in.user.find("(enclosing_scope)\nclass Big:"), std::string::npos) << in.user;
  EXPECT_NE(in.user.find("def method(self):"), std::string::npos) << in.user;
  EXPECT_EQ(in.answer_prefix.find("class Big"), std::string::npos);
}

TEST(Prompts, RecentEditsAndOpenDocumentsAreUsed) {
  Workspace w;
  w.context.recent_edits.push_back({"notes.py", 3, "def freshly_written_function(q):\n    return q\n"});
  std::string other;
  for (int i = 0; i < 30; ++i) other += "a = helper7(v, 2)\nb = helper9(a, 3)\n";
  w.context.open_documents.push_back({"scratch.py", other});
  Budgets budgets;
  budgets.context_tokens = 4096;
  GenerationInput in = completion_prompt(w.doc(), w.cursor, budgets, real_counter(), &w.context);
  EXPECT_NE(in.user.find("--- notes.py:4-"), std::string::npos) << in.user;
  EXPECT_NE(in.user.find("(recent_edit)\ndef freshly_written_function"), std::string::npos) << in.user;
  EXPECT_NE(in.user.find("(open_document)"), std::string::npos) << in.user;
}

TEST(Prompts, TheBudgetIsNeverExceededWithTheRealTokenizer) {
  Workspace w;
  TokenCounter count = real_counter();
  w.context.recent_edits.push_back({"notes.py", 0, "def note(): pass\n"});
  for (std::int64_t budget : {0, 16, 48, 100, 200, 400, 800, 1600, 3200}) {
    Budgets budgets;
    budgets.context_tokens = budget;
    GenerationInput c = completion_prompt(w.doc(), w.cursor, budgets, count, &w.context);
    std::int64_t framing = count(c.user);  // fixed text; a budget below it leaves no context
    EXPECT_TRUE(prompt_tokens(c, count) <= budget || (c.answer_prefix.empty() && c.user.find("---") == std::string::npos))
        << "budget " << budget << ": " << prompt_tokens(c, count) << " (" << framing << " in the user turn)";
    std::uint32_t sel_begin = static_cast<std::uint32_t>(w.main_text.find("    def run"));
    std::uint32_t sel_end = static_cast<std::uint32_t>(w.main_text.find("        return b"));
    GenerationInput r = refactor_prompt(w.doc(), sel_begin, sel_end, RefactorKind::rewrite, "", budgets, count, &w.context);
    GenerationInput e = explain_prompt(w.doc(), sel_begin, sel_end, budgets, count, &w.context);
    for (const GenerationInput* in : {&r, &e}) {
      EXPECT_NE(in->user.find(w.main_text.substr(sel_begin, sel_end - sel_begin)), std::string::npos);
      // Only the selection itself may push a prompt over the budget.
      if (count(in->user) > budget)
        EXPECT_EQ(in->user.find("---"), std::string::npos) << "budget " << budget << ": context kept while over";
      else
        EXPECT_LE(count(in->user), budget);
    }
  }
  // A generous budget holds the definitions, a small one still keeps the code before the cursor.
  Budgets big;
  big.context_tokens = 3200;
  EXPECT_NE(completion_prompt(w.doc(), w.cursor, big, count, &w.context).user.find("def helper7"), std::string::npos);
  Budgets small;
  small.context_tokens = 200;
  GenerationInput s = completion_prompt(w.doc(), w.cursor, small, count, &w.context);
  EXPECT_FALSE(s.answer_prefix.empty());
  EXPECT_LE(prompt_tokens(s, count), 200);
}

// Explaining a whole multi-megabyte file: the selection alone is over the budget, so it is quoted
// whole at once, counted about twice, not once per trimming step.
TEST(Prompts, AHugeSelectionIsQuotedWholeWithoutRecounting) {
  std::string text;
  while (text.size() < (2u << 20)) text += "value_" + std::to_string(text.size()) + " = compute(value)\n";
  std::int64_t counted_bytes = 0;
  TokenCounter count = [&](std::string_view s) {
    counted_bytes += static_cast<std::int64_t>(s.size());
    return static_cast<std::int64_t>(s.size() / 4);
  };
  Budgets budgets;
  budgets.context_tokens = 8192;
  DocumentView doc{"file:///w/big.py", "python", text};
  const std::uint32_t size = static_cast<std::uint32_t>(text.size());
  GenerationInput e = explain_prompt(doc, 100, size - 100, budgets, count);
  EXPECT_NE(e.user.find(text.substr(100, size - 200)), std::string::npos);
  EXPECT_EQ(e.user.find("---"), std::string::npos);  // no context around it
  EXPECT_LE(counted_bytes, 2 * static_cast<std::int64_t>(text.size())) << "counted " << counted_bytes << " bytes";
}

TEST(Prompts, TheDocumentIsNamedByItsWorkspacePathSoPromptsDoNotDependOnTheCheckout) {
  Workspace w;
  Budgets budgets;
  GenerationInput here = completion_prompt(w.doc(), w.cursor, budgets, real_counter(), &w.context);
  DocumentView elsewhere = w.doc();
  elsewhere.uri = "file:///home/someone/else/checkout/main.py";
  GenerationInput there = completion_prompt(elsewhere, w.cursor, budgets, real_counter(), &w.context);
  EXPECT_TRUE(here.user.starts_with("File: main.py (python)\n")) << here.user;
  EXPECT_EQ(here.user, there.user);
  EXPECT_EQ(here.answer_prefix, there.answer_prefix);
  GenerationInput e = explain_prompt(elsewhere, 0, 10, budgets, real_counter(), &w.context);
  EXPECT_TRUE(e.user.starts_with("File: main.py (python)\n")) << e.user;
  // Outside any workspace the URI is all there is.
  GenerationInput alone = completion_prompt(elsewhere, w.cursor, budgets, real_counter());
  EXPECT_TRUE(alone.user.starts_with("File: file:///home/someone/else/checkout/main.py (python)\n")) << alone.user;
}

TEST(Prompts, RefactorAndExplainQuoteTheSelection) {
  std::string text = "def f():\n    return 1\n";
  DocumentView doc{"file:///a.py", "python", text};
  GenerationInput r = refactor_prompt(doc, 0, 9, RefactorKind::fix_diagnostic, "undefined name", Budgets{}, bytes);
  EXPECT_EQ(r.kind, RequestKind::refactor);
  EXPECT_NE(r.user.find("Selected code:\n```python\ndef f():\n```"), std::string::npos) << r.user;
  EXPECT_NE(r.user.find("undefined name"), std::string::npos);
  EXPECT_NE(r.user.find("Code after the selection:\n```python\n    return 1\n```"), std::string::npos) << r.user;
  GenerationInput e = explain_prompt(doc, 9, 500, Budgets{}, bytes);  // end clamped
  EXPECT_EQ(e.kind, RequestKind::explain);
  EXPECT_NE(e.user.find("Code before the selection:\n```python\ndef f():\n```"), std::string::npos) << e.user;
  EXPECT_NE(e.user.find("    return 1\n```"), std::string::npos) << e.user;
}

TEST(Prompts, ASelectionOverTheBudgetIsQuotedWholeWithoutContext) {
  std::string text = "x = 1\n";
  for (int i = 0; i < 200; ++i) text += "value_" + std::to_string(i) + " = compute(" + std::to_string(i) + ")\n";
  DocumentView doc{"file:///a.py", "python", text};
  Budgets budgets;
  budgets.context_tokens = 64;
  GenerationInput r = refactor_prompt(doc, 6, static_cast<std::uint32_t>(text.size()), RefactorKind::rewrite, "",
                                      budgets, real_counter());
  EXPECT_NE(r.user.find(text.substr(6)), std::string::npos);
  EXPECT_NE(r.user.find("Code before the selection:\n```python\n```"), std::string::npos) << r.user.substr(0, 300);
}

}  // namespace
}  // namespace coderx::features
