// context::gather counting with the real Gemma 4 tokenizer (the counter the server injects):
// on every fixture workspace file, at several budgets, the kept snippets recounted with the
// tokenizer never exceed the budget and add up to tokens_used; the definition of a function
// called at the cursor comes from another file; with a tight budget the best snippet survives.
#include <gtest/gtest.h>

#include <fstream>

#include "context/gather.h"
#include "context/index.h"
#include "real_tokenizer.h"
#include "tests/support/paths.h"

namespace coderx::context {
namespace {

namespace fs = std::filesystem;

std::size_t real_count(std::string_view text) {
  return testing::real_tokenizer()->count(text);
}

GatherResult gather_at(const WorkspaceIndex& index, const std::string& rel, const std::string& text,
                       std::uint32_t cursor, std::size_t budget) {
  const Language* lang = language_for_file(rel, text);
  Document doc(lang, text, 1);
  DocumentSnapshot snap = doc.snapshot();
  GatherRequest req;
  req.document = &snap;
  req.path = rel;
  req.start_byte = req.end_byte = cursor;
  req.budget_tokens = budget;
  req.count_tokens = real_count;
  req.index = &index;
  return gather(req);
}

void expect_within_budget(const GatherResult& r, std::size_t budget, const std::string& where) {
  std::size_t sum = 0;
  for (const Snippet& s : r.snippets) sum += real_count(s.header + s.text);
  EXPECT_EQ(sum, r.tokens_used) << where;
  EXPECT_LE(sum, budget) << where;
}

TEST(GatherRealTokenizer, NeverExceedsTheBudgetOnAnyFixtureFile) {
  ASSERT_NE(testing::real_tokenizer(), nullptr);
  for (const auto& ws : fs::directory_iterator(testing::source_dir() / "tests/context/workspaces")) {
    auto index = WorkspaceIndex::build(ws.path());
    ASSERT_TRUE(index) << ws.path();
    for (const std::string& rel : (*index)->files()) {
      const std::string text = testing::read_all(ws.path() / rel);
      if (!language_for_file(rel, text) || text.empty()) continue;
      for (std::size_t budget : {0, 16, 64, 256, 1024}) {
        const auto cursor = static_cast<std::uint32_t>(text.size() / 2);
        expect_within_budget(gather_at(**index, rel, text, cursor, budget), budget,
                             ws.path().filename().string() + "/" + rel + " @" + std::to_string(budget));
      }
    }
  }
}

TEST(GatherRealTokenizer, DefinitionFromAnotherFileAndTheBestSurvivesATightBudget) {
  testing::TempDir dir;
  std::string lib;
  for (int i = 0; i < 30; ++i)
    lib += "def helper" + std::to_string(i) + "(a, b):\n    \"\"\"Combine a and b.\"\"\"\n    return a * " +
           std::to_string(i) + " + b\n\n";
  std::ofstream(dir / "lib.py") << lib;
  std::string main = "from lib import helper7\n\n";
  for (int i = 0; i < 50; ++i) main += "x" + std::to_string(i) + " = " + std::to_string(i) + "\n";
  main += "def run(v):\n    return helper7(v, 2)\n";
  std::ofstream(dir / "main.py") << main;
  auto index = WorkspaceIndex::build(dir.path());
  ASSERT_TRUE(index);
  const auto cursor = static_cast<std::uint32_t>(main.find("helper7(v"));

  GatherResult full = gather_at(**index, "main.py", main, cursor, 4000);
  expect_within_budget(full, 4000, "full");
  const Snippet* best = nullptr;
  for (const Snippet& s : full.snippets)
    if (s.score < 1.0 && (!best || s.score > best->score)) best = &s;
  ASSERT_NE(best, nullptr);
  EXPECT_EQ(best->kind, SnippetKind::definition);
  EXPECT_EQ(best->path, "lib.py");
  EXPECT_TRUE(best->text.starts_with("def helper7(")) << best->text;

  // Packing goes by score: at any budget, once the local window is in, the best snippet is
  // kept whenever the room left can hold it.
  bool saw_drop = false;
  for (std::size_t budget = 40; budget <= full.tokens_used; budget += 23) {
    GatherResult r = gather_at(**index, "main.py", main, cursor, budget);
    expect_within_budget(r, budget, "budget " + std::to_string(budget));
    std::size_t local = 0;
    bool kept = false;
    for (const Snippet& s : r.snippets) {
      if (s.score >= 1.0) local += s.tokens;
      kept = kept || s.text == best->text;
    }
    saw_drop = saw_drop || !r.dropped.empty();
    if (budget >= local + best->tokens) {
      EXPECT_TRUE(kept) << "budget " << budget;
    }
  }
  EXPECT_TRUE(saw_drop);
}

}  // namespace
}  // namespace coderx::context
