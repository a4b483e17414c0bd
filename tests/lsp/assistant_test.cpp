// Assistant with a scripted generator: successive keystrokes on one line give prompts that
// share everything but the end (the engine's prefix cache keeps hitting) and gather only once;
// another line gathers again; the generator's own token counter bounds the context; refactor
// and explain ask for the workspace context; cut trims the completion, and a completion's
// generation ends where cut would drop the rest (mid-line at the first newline, at a fence).
#include "lsp/features/assistant.h"
#include "lsp/features/line_endings.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include "scripted_generator.h"

namespace coderx::features {
namespace {

// Counts one token per byte (so budgets are easy to reason about) and records calls.
class ByteCountingGenerator : public testing::ScriptedGenerator {
 public:
  std::int64_t count_tokens(std::string_view text) const override {
    ++counted;
    return static_cast<std::int64_t>(text.size());
  }
  mutable std::size_t counted = 0;
};

struct Doc {
  std::string text;
  DocumentView view() const { return {"file:///a.py", "python", text}; }
};

CompleteRequest at(const Doc& d, std::size_t cursor, WorkspaceProvider provider = {}) {
  CompleteRequest r;
  r.doc = d.view();
  r.cursor = static_cast<std::uint32_t>(cursor);
  r.budgets.context_tokens = 1024;
  r.workspace = std::move(provider);
  return r;
}

std::string sample() {
  std::string text = "import os\n\n";
  for (int i = 0; i < 40; ++i) text += "v" + std::to_string(i) + " = os.path.join('a', '" + std::to_string(i) + "')\n";
  return text + "def f(x):\n    y = \n    return y\n";
}

TEST(Assistant, KeystrokesOnOneLineGivePromptsThatOnlyGrowAtTheEnd) {
  auto gen = std::make_shared<testing::ScriptedGenerator>();
  gen->answer = [](const GenerationInput&) { return std::string("zzz_never_typed"); };
  Assistant assistant(gen);
  std::size_t provided = 0;
  WorkspaceProvider provider = [&] {
    ++provided;
    WorkspaceContext w;
    w.recent_edits.push_back({"other.py", 0, "def helper_from_elsewhere():\n    pass\n"});
    return w;
  };
  Doc d{sample()};
  std::size_t cursor = d.text.find("y = \n") + 4;
  std::vector<Completion> results;
  for (char typed : std::string("x+1")) {
    auto c = assistant.complete(at(d, cursor, provider), {});
    ASSERT_TRUE(c) << c.error().message;
    results.push_back(*c);
    d.text.insert(cursor++, 1, typed);
  }
  auto calls = gen->calls();
  ASSERT_EQ(calls.size(), 3u);
  for (std::size_t i = 1; i < calls.size(); ++i) {
    EXPECT_EQ(calls[i].system, calls[0].system);
    EXPECT_EQ(calls[i].user, calls[0].user);  // the gathered context did not move
    // The answer prefix is the previous one plus the typed character.
    EXPECT_EQ(calls[i].answer_prefix, calls[i - 1].answer_prefix + d.text[cursor - 4 + i]);
    EXPECT_TRUE(results[i].context_reused);
  }
  EXPECT_FALSE(results[0].context_reused);
  EXPECT_NE(calls[0].user.find("helper_from_elsewhere"), std::string::npos) << calls[0].user;
  EXPECT_EQ(provided, 1u);  // gathered once for the line
}

TEST(Assistant, AnotherLineOrAnEditElsewhereGathersAgain) {
  auto gen = std::make_shared<testing::ScriptedGenerator>();
  Assistant assistant(gen);
  std::size_t provided = 0;
  WorkspaceProvider provider = [&] {
    ++provided;
    return WorkspaceContext{};
  };
  Doc d{sample()};
  std::size_t cursor = d.text.find("y = \n") + 4;
  ASSERT_TRUE(assistant.complete(at(d, cursor, provider), {}));
  d.text.insert(0, "# a comment above\n");  // an edit on another line
  cursor += 18;
  ASSERT_TRUE(assistant.complete(at(d, cursor, provider), {}));
  std::size_t next_line = d.text.find("return y");
  ASSERT_TRUE(assistant.complete(at(d, next_line, provider), {}));
  EXPECT_EQ(provided, 3u);
  auto calls = gen->calls();
  EXPECT_NE(calls[1].user, calls[2].user);
}

TEST(Assistant, TheGeneratorsTokenizerBoundsTheContext) {
  auto gen = std::make_shared<ByteCountingGenerator>();
  Assistant assistant(gen);  // no injected counter: the generator counts
  Doc d{sample()};
  CompleteRequest r = at(d, d.text.find("y = \n") + 4);
  r.budgets.context_tokens = 300;
  ASSERT_TRUE(assistant.complete(r, {}));
  auto calls = gen->calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_GT(gen->counted, 0u);
  EXPECT_LE(calls[0].user.size() + calls[0].answer_prefix.size(), 300u);
  EXPECT_FALSE(calls[0].answer_prefix.empty());
  // Typing on: the frame is reused while the prompt still fits, never beyond the budget.
  for (int i = 0; i < 40; ++i) {
    d.text.insert(r.cursor, "x");
    ++r.cursor;
    r.doc = d.view();
    ASSERT_TRUE(assistant.complete(r, {}));
    auto last = gen->calls().back();
    EXPECT_LE(last.user.size() + last.answer_prefix.size(), 300u) << "keystroke " << i;
  }
}

TEST(Assistant, CompletionsAreCutToTheBlockAndToOneLineMidLine) {
  auto gen = std::make_shared<testing::ScriptedGenerator>();
  Assistant assistant(gen);
  Doc d{"def f(x):\n    \n"};
  gen->answer = [](const GenerationInput&) { return std::string("y = (x +\n"); };  // does not parse
  auto broken = assistant.complete(at(d, 14), {});
  ASSERT_TRUE(broken);
  EXPECT_EQ(broken->text, "");
  gen->answer = [](const GenerationInput&) { return std::string("return x\n\ndef g():\n    pass\n"); };
  auto block = assistant.complete(at(d, 14), {});
  EXPECT_EQ(block->text, "return x");
  Doc mid{"value = compute()\n"};
  gen->answer = [](const GenerationInput&) { return std::string("1, 2)\nprint(value)\n"); };
  auto one = assistant.complete(at(mid, 16), {});
  EXPECT_EQ(one->text, "1, 2");  // one line, without the ")" the document already has
}

// Streams `pieces`, then goes on until its stop token fires (10 s at most): a model that would
// use its whole answer budget.
class EndlessGenerator : public TextGenerator {
 public:
  std::vector<std::string> pieces;
  bool cancelled = false;

  GenerationOutput generate(const GenerationInput&, std::stop_token stop, const TextCallback& on_text) override {
    GenerationOutput out;
    for (const std::string& p : pieces) {
      out.answer += p;
      if (on_text) on_text(p);
    }
    std::mutex mu;
    std::condition_variable_any cv;
    std::unique_lock lock(mu);
    cv.wait_for(lock, stop, std::chrono::seconds(10), [] { return false; });
    cancelled = stop.stop_requested();
    out.finish = cancelled ? FinishReason::cancelled : FinishReason::answer_budget;
    return out;
  }
  std::string describe() const override { return "endless"; }
};

// The completion that `pieces` give at `cursor` in `text`; the generation must end early, as a stop.
std::string completed_early(std::vector<std::string> pieces, const std::string& text, std::size_t cursor) {
  auto gen = std::make_shared<EndlessGenerator>();
  gen->pieces = std::move(pieces);
  Assistant assistant(gen);
  Doc doc{text};
  auto c = assistant.complete(at(doc, cursor), {});
  if (!c) {
    ADD_FAILURE() << c.error().message;
    return "<error>";
  }
  EXPECT_TRUE(gen->cancelled) << "the generation went on";
  EXPECT_EQ(c->finish, FinishReason::stop);
  return c->text;
}

TEST(Assistant, ACompletionStopsGeneratingWhereTheRestWouldBeCut) {
  // Mid-line: at the first newline.
  EXPECT_EQ(completed_early({"1, ", "2)", "\nprint(", "value)"}, "value = compute()\n", 16), "1, 2");
  // At a fence, even one that arrives in pieces.
  EXPECT_EQ(completed_early({"return x\n", "``", "`\n", "more"}, "def f(x):\n    \n", 14), "return x");
  // Once the enclosing block has ended.
  EXPECT_EQ(completed_early({"y = x\n", "    return y\n", "\nd", "ef g():\n"}, "def f(x):\n    \n", 14),
            "y = x\n    return y");
}

// A model that would explain its edit after the code until the budget ran out: the refactor
// ends when the code block closes and succeeds, instead of failing as cut short.
TEST(Assistant, ARefactorStopsGeneratingWhenItsCodeBlockCloses) {
  auto gen = std::make_shared<EndlessGenerator>();
  gen->pieces = {"Here:\n```py", "thon\ny = 2\n", "``", "`\nThis renames", " the variable"};
  Assistant assistant(gen);
  Doc d{"x = 1\ny = 1\n"};
  RefactorRequest r;
  r.doc = d.view();
  r.begin = 6;
  r.end = 12;
  auto refactored = assistant.refactor(r, {});
  ASSERT_TRUE(refactored) << refactored.error().message;
  EXPECT_TRUE(gen->cancelled);
  EXPECT_EQ(refactored->new_text, "y = 2\n");
}

TEST(Assistant, RefactorAndExplainUseTheWorkspaceContext) {
  auto gen = std::make_shared<testing::ScriptedGenerator>();
  gen->answer = [](const GenerationInput&) { return std::string("```python\ny = 2\n```"); };
  Assistant assistant(gen);
  Doc d{sample()};
  WorkspaceProvider provider = [] {
    WorkspaceContext w;
    w.open_documents.push_back({"paths.py", "v1 = os.path.join('a', '1')\nv2 = os.path.join('a', '2')\n"});
    return w;
  };
  RefactorRequest r;
  r.doc = d.view();
  r.begin = static_cast<std::uint32_t>(d.text.find("    y = "));
  r.end = r.begin + 9;
  r.workspace = provider;
  auto refactored = assistant.refactor(r, {});
  ASSERT_TRUE(refactored);
  EXPECT_EQ(refactored->new_text, "y = 2\n");
  ExplainRequest e;
  e.doc = d.view();
  e.begin = 0;
  e.end = 9;
  e.workspace = provider;
  ASSERT_TRUE(assistant.explain(e, {}, {}));
  for (const GenerationInput& call : gen->calls())
    EXPECT_NE(call.user.find("--- paths.py:"), std::string::npos) << call.user;
}

// Models write "\n"; an edit to a CRLF document comes back CRLF (whole lines, the added line
// break, and text that already had "\r\n"), and an LF document's edit stays LF.
TEST(Assistant, RefactorKeepsTheDocumentsLineEndings) {
  auto gen = std::make_shared<testing::ScriptedGenerator>();
  gen->answer = [](const GenerationInput&) { return std::string("```c\nint a;\nint b;\r\nint c;\n```"); };
  Assistant assistant(gen);
  const std::string crlf = "int x;\r\nint y;\r\n";
  RefactorRequest r;
  r.doc = {"file:///w/a.c", "c", crlf};
  r.begin = 0;
  r.end = static_cast<std::uint32_t>(crlf.size());
  auto edited = assistant.refactor(r, {});
  ASSERT_TRUE(edited);
  EXPECT_EQ(edited->new_text, "int a;\r\nint b;\r\nint c;\r\n");
  const std::string lf = "int x;\nint y;\n";
  r.doc = {"file:///w/b.c", "c", lf};
  r.end = static_cast<std::uint32_t>(lf.size());
  edited = assistant.refactor(r, {});
  ASSERT_TRUE(edited);
  EXPECT_EQ(edited->new_text, "int a;\nint b;\r\nint c;\n");  // an LF document is left as the model wrote it
}

TEST(LineEndings, DetectsByTheFirstBreakAndConvertsOnlyBareNewlines) {
  EXPECT_TRUE(uses_crlf("a\r\nb\n"));
  EXPECT_FALSE(uses_crlf("a\nb\r\n"));
  EXPECT_FALSE(uses_crlf("no break"));
  EXPECT_FALSE(uses_crlf("\n"));
  EXPECT_EQ(to_crlf("\na\r\nb\n\n"), "\r\na\r\nb\r\n\r\n");
  EXPECT_EQ(to_crlf(""), "");
}

}  // namespace
}  // namespace coderx::features
