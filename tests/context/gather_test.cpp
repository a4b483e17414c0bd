// gather(): the budget is never exceeded (checked by recounting every kept snippet with the
// counter), the local window comes first, the highest-scored snippets survive, duplicates of
// the local window are dropped with a reason, recent edits and open documents are used.
#include "context/gather.h"

#include "tests/support/paths.h"

#include <gtest/gtest.h>

#include <fstream>

namespace coderx::context {
namespace {

namespace fs = std::filesystem;

std::size_t chars_div4(std::string_view s) { return (s.size() + 3) / 4; }

using testing::write_file;

struct World {
  testing::TempDir dir;
  std::unique_ptr<WorkspaceIndex> index;
  std::string main_text;
  World() {
    std::string lib;
    for (int i = 0; i < 30; ++i)
      lib += "def helper" + std::to_string(i) + "(a, b):\n    \"\"\"doc\"\"\"\n    return a * " + std::to_string(i) + " + b\n\n";
    write_file(dir / "lib.py", lib);
    main_text = "from lib import helper1, helper2, helper3\n\n";
    for (int i = 0; i < 60; ++i) main_text += "x" + std::to_string(i) + " = " + std::to_string(i) + "\n";
    main_text += "def run(v):\n    a = helper1(v, 2)\n    b = helper2(a, 3)\n    return helper3(b, 4)\n";
    for (int i = 0; i < 40; ++i) main_text += "y" + std::to_string(i) + " = " + std::to_string(i) + "\n";
    write_file(dir / "main.py", main_text);
    index = std::move(*WorkspaceIndex::build(dir.path()));
  }
};

GatherResult run(const World& w, std::size_t budget, std::vector<RecentEdit> edits = {},
                 std::vector<OpenDocument> open = {}) {
  Document doc(language_by_id("python"), w.main_text, 1);
  DocumentSnapshot snap = doc.snapshot();
  GatherRequest req;
  req.document = &snap;
  req.path = "main.py";
  req.start_byte = req.end_byte = static_cast<std::uint32_t>(w.main_text.find("helper2(a"));
  req.budget_tokens = budget;
  req.count_tokens = chars_div4;
  req.index = w.index.get();
  req.recent_edits = std::move(edits);
  req.open_documents = std::move(open);
  return gather(req);
}

TEST(Gather, NeverExceedsBudgetAcrossSizes) {
  World w;
  for (std::size_t budget : {0, 5, 20, 50, 100, 200, 400, 800, 3000}) {
    GatherResult r = run(w, budget);
    std::size_t sum = 0;
    for (const Snippet& s : r.snippets) {
      EXPECT_EQ(s.tokens, chars_div4(s.header + s.text));
      sum += chars_div4(s.header + s.text);
    }
    EXPECT_EQ(sum, r.tokens_used);
    EXPECT_LE(sum, budget) << budget;
  }
}

TEST(Gather, LocalWindowFirstThenDefinitionsFromOtherFiles) {
  World w;
  GatherResult r = run(w, 3000);
  ASSERT_GE(r.snippets.size(), 3u);
  EXPECT_EQ(r.snippets[0].kind, SnippetKind::local_before);
  EXPECT_EQ(r.snippets[1].kind, SnippetKind::local_after);
  EXPECT_TRUE(r.snippets[0].text.ends_with("    b = "));
  int defs = 0;
  for (const Snippet& s : r.snippets)
    if (s.kind == SnippetKind::definition) {
      ++defs;
      EXPECT_EQ(s.path, "lib.py");
      EXPECT_TRUE(s.text.starts_with("def helper")) << s.text;
    }
  EXPECT_EQ(defs, 3);
  for (std::size_t i = 3; i < r.snippets.size(); ++i) EXPECT_GE(r.snippets[i - 1].score, r.snippets[i].score);
}

TEST(Gather, TightBudgetKeepsTheBestAndExplainsDrops) {
  World w;
  GatherResult full = run(w, 3000);
  GatherResult tight = run(w, 330);
  ASSERT_FALSE(tight.dropped.empty());
  double best_dropped_for_budget = 0;
  bool saw_budget_reason = false;
  for (const DroppedSnippet& d : tight.dropped)
    if (d.reason.starts_with("over budget")) {
      saw_budget_reason = true;
      best_dropped_for_budget = std::max(best_dropped_for_budget, d.score);
    }
  EXPECT_TRUE(saw_budget_reason);
  // the best non-local snippet of the full run survives when it fits in the tight run
  const Snippet* best = nullptr;
  for (const Snippet& s : full.snippets)
    if (s.score < 1.0 && (!best || s.score > best->score)) best = &s;
  ASSERT_NE(best, nullptr);
  bool kept = false;
  for (const Snippet& s : tight.snippets) kept = kept || (s.text == best->text);
  EXPECT_TRUE(kept) << best->text;
}

TEST(Gather, DropsDuplicatesOfLocalWindowAndUsesRecentEditsAndOpenDocs) {
  World w;
  std::vector<RecentEdit> edits{{"main.py", 62, "    a = helper1(v, 2)\n"}, {"other.py", 3, "z = compute()\n"}};
  std::vector<OpenDocument> open{{"notes.py", "def run_helpers(v):\n    b = helper2(a, 3)\n    return helper3(b, 4)\n"}};
  GatherResult r = run(w, 3000, edits, open);
  bool dup = false, recent = false, other_doc = false;
  for (const DroppedSnippet& d : r.dropped) dup = dup || (d.reason == "duplicate of the local window" && d.path == "main.py");
  for (const Snippet& s : r.snippets) {
    recent = recent || (s.kind == SnippetKind::recent_edit && s.path == "other.py");
    other_doc = other_doc || (s.kind == SnippetKind::open_document && s.path == "notes.py");
  }
  EXPECT_TRUE(dup);
  EXPECT_TRUE(recent);
  EXPECT_TRUE(other_doc);
}

TEST(Gather, RangeIsInsideTheLocalWindow) {
  const std::string text = "a = 1\nb = 2\nc = 3\nd = 4\n";
  Document doc(language_by_id("python"), text, 1);
  DocumentSnapshot snap = doc.snapshot();
  GatherRequest req;
  req.document = &snap;
  req.path = "r.py";
  req.start_byte = static_cast<std::uint32_t>(text.find("b = 2"));
  req.end_byte = static_cast<std::uint32_t>(text.find("d = 4"));
  req.kind = TaskKind::refactor;
  req.budget_tokens = 500;
  req.count_tokens = chars_div4;
  GatherResult r = gather(req);
  ASSERT_EQ(r.snippets.size(), 2u);
  EXPECT_EQ(r.snippets[0].text, "a = 1\nb = 2\nc = 3\n");
  EXPECT_EQ(r.snippets[1].text, "d = 4\n");
}

TEST(Gather, EnclosingScopeSignatureWhenOutsideWindow) {
  std::string text = "class Outer:\n    def method(self, a, b):\n";
  for (int i = 0; i < 120; ++i) text += "        v" + std::to_string(i) + " = a\n";
  text += "        return v0\n";
  Document doc(language_by_id("python"), text, 1);
  DocumentSnapshot snap = doc.snapshot();
  GatherRequest req;
  req.document = &snap;
  req.path = "x.py";
  req.start_byte = req.end_byte = static_cast<std::uint32_t>(text.find("return v0") + 7);
  req.budget_tokens = 2000;
  req.count_tokens = chars_div4;
  GatherResult r = gather(req);
  std::vector<std::string> sigs;
  for (const Snippet& s : r.snippets)
    if (s.kind == SnippetKind::enclosing_scope) sigs.push_back(s.text);
  EXPECT_EQ(sigs, (std::vector<std::string>{"def method(self, a, b):\n", "class Outer:\n"}));
}

}  // namespace
}  // namespace coderx::context
