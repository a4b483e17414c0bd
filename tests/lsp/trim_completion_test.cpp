// trim_completion (context::cut behind the features' API) and extract_code against
// hand-written editor situations: mid-line → one line, suffix duplicates removed, the enclosing
// block ends a multi-line completion, what does not parse is cut, fences and the line limit;
// then, over random completions, that ending the generation at completion_stops, or as soon as
// completion_settled holds, never changes what trim_completion keeps, nor ending an answer once
// code_block_closed holds what extract_code keeps.
#include "lsp/features/trim_completion.h"

#include <gtest/gtest.h>

#include <random>

#include "lsp/features/stop_sequences.h"

namespace coderx::features {
namespace {

const context::Language* lang(const char* id) { return context::language_by_id(id); }

TEST(TrimCompletion, MidLineKeepsOnlyTheFirstLineWithoutTheAutoClosedRest) {
  // The cursor sits before ")" — the model repeats it; the editor already has it.
  EXPECT_EQ(trim_completion("a, b)\nnext_line()", {lang("python"), "f(", ")\n"}), "a, b");
  EXPECT_EQ(trim_completion("x   \n", {lang("python"), "y = ", " # c\n"}), "x");
}

TEST(TrimCompletion, AtLineEndTheEnclosingBlockEndsTheCompletion) {
  std::string generated = "total = 0\n    for v in values:\n        total += v\n    return total\n\ndef other():\n    pass";
  EXPECT_EQ(trim_completion(generated, {lang("python"), "def f(values):\n    ", "\n"}),
            "total = 0\n    for v in values:\n        total += v\n    return total");
  EXPECT_EQ(trim_completion("return x;\n}\n\nint g(void) { return 0; }\n", {lang("c"), "int f(int x) {\n  ", "\n}\n"}),
            "return x;");
}

TEST(TrimCompletion, WhatDoesNotParseIsCut) {
  EXPECT_EQ(trim_completion("y = x\n    z = (y +\n", {lang("python"), "def f(x):\n    ", "\n"}), "y = x");
  EXPECT_EQ(trim_completion("int y = x;\n  if (y > 0 {\n", {lang("c"), "int f(int x) {\n  ", "\n}\n"}), "int y = x;");
}

TEST(TrimCompletion, OnlyTheTopLevelConstructAroundTheCursorIsParsed) {
  // ~1.5 MB of code before and after: parsing all of it would overrun a 20 ms parse budget (and
  // cut would then keep the broken candidate); the enclosing function alone parses at once.
  std::string before, after;
  for (int i = 0; i < 20000; ++i) before += "def g" + std::to_string(i) + "(a):\n    return a + " + std::to_string(i) + "\n\n";
  for (int i = 0; i < 20000; ++i) after += "\ndef h" + std::to_string(i) + "(a):\n    return a\n";
  before += "def f(x):\n    w = x\n    ";
  after = "\n    return w\n" + after;
  TrimRequest at{lang("python"), before, after};
  at.parse_time = std::chrono::milliseconds(20);
  EXPECT_EQ(trim_completion("y = x\n    z = (y +\n", at), "y = x");
  TrimRequest braces{lang("c"), "int g(void) {\n  return 1;\n}\n\nint f(int x) {\n  ", "\n}\n\nint h(void) { return 2; }\n"};
  EXPECT_EQ(trim_completion("int y = x;\n  if (y > 0 {\n", braces), "int y = x;");
  EXPECT_EQ(trim_completion("return x;\n}\n\nint k(void) { return 0; }\n", braces), "return x;");
}

TEST(TrimCompletion, LinesRepeatedByTheSuffixGo) {
  EXPECT_EQ(trim_completion("y = 1\n    return y\n", {lang("python"), "def f(x):\n    ", "\n    return y\n"}), "y = 1");
}

TEST(TrimCompletion, WithoutAGrammarIndentationAndBracketsRule) {
  EXPECT_EQ(trim_completion("item one\n    item two\nother:\n", {nullptr, "section:\n    ", ""}),
            "item one\n    item two");
}

TEST(TrimCompletion, LineLimitAndFencesCut) {
  TrimRequest two{lang("python"), "", "", 2};
  EXPECT_EQ(trim_completion("a = 1\nb = 2\nc = 3\nd = 4", two), "a = 1\nb = 2");
  EXPECT_EQ(trim_completion("a = 1\n```\ntext", {lang("python"), "", ""}), "a = 1");
  EXPECT_EQ(trim_completion("", {lang("python"), "", ""}), "");
}

TEST(CompletionStops, AFenceAlwaysAndTheFirstNewlineOnlyMidLine) {
  EXPECT_EQ(completion_stops("\n}\n"), (std::vector<std::string>{"```"}));
  EXPECT_EQ(completion_stops(" \t\r\nmore"), (std::vector<std::string>{"```"}));
  EXPECT_EQ(completion_stops(""), (std::vector<std::string>{"```"}));
  EXPECT_EQ(completion_stops(")\n"), (std::vector<std::string>{"```", "\n"}));
}

// Text from pieces that matter to cut (brackets, indentation, fences, newlines, suffix repeats).
std::string random_piece_text(std::mt19937& rng, const std::vector<std::string>& pieces, int max_pieces) {
  std::string s;
  for (int n = static_cast<int>(rng() % (max_pieces + 1)); n > 0; --n) s += pieces[rng() % pieces.size()];
  return s;
}

TEST(CompletionStops, EndingTheGenerationThereNeverChangesWhatIsKept) {
  const std::vector<std::string> pieces{"x = 1", "f(", ")", "{", "}", "\n", "\n    ", "`", "```", " ", ";", "\r\n", "y"};
  const std::vector<const context::Language*> languages{lang("python"), lang("c"), nullptr};
  std::mt19937 rng(77);
  int single_line = 0, cut_short = 0;
  for (int trial = 0; trial < 1500; ++trial) {
    const std::string prefix = random_piece_text(rng, pieces, 6);
    const std::string suffix = random_piece_text(rng, pieces, 6);
    const std::string generated = random_piece_text(rng, pieces, 12);
    const std::vector<std::string> stops = completion_stops(suffix);
    const std::string stopped = truncate_at_stop(generated, stops);
    single_line += stops.size() == 2;
    cut_short += stopped.size() < generated.size();
    TrimRequest at{languages[trial % languages.size()], prefix, suffix, 3};
    ASSERT_EQ(trim_completion(stopped, at), trim_completion(generated, at))
        << "prefix '" << prefix << "' suffix '" << suffix << "' generated '" << generated << "'";
  }
  EXPECT_GT(single_line, 300);  // both modes and real cuts were exercised
  EXPECT_GT(cut_short, 500);
}

TEST(CompletionSettled, WhenTheBlockHasEndedOnALineThatIsNoFence) {
  TrimRequest py{lang("python"), "def f(x):\n    ", "\n"};
  EXPECT_FALSE(completion_settled("return x\n", py));
  EXPECT_FALSE(completion_settled("return x\n\n", py));
  EXPECT_FALSE(completion_settled("return x\n``", py));  // may still become a fence
  EXPECT_TRUE(completion_settled("return x\n\nd", py));
  EXPECT_TRUE(completion_settled("return x\n```", py));
  TrimRequest c{lang("c"), "int f(int x) {\n  ", "\n}\n"};
  EXPECT_FALSE(completion_settled("return x;\n}", c));  // the closing line may go on
  EXPECT_FALSE(completion_settled("return x;\n}\n", c));
  EXPECT_TRUE(completion_settled("return x;\n}\nint", c));
  TrimRequest mid{lang("c"), "g(", ");\n"};
  EXPECT_FALSE(completion_settled("a, b", mid));
  EXPECT_TRUE(completion_settled("a, b\n", mid));
}

// Ends `generated` at the first length where completion_settled holds and checks that
// trim_completion keeps the same as of the whole text; true when it settled.
bool settles_to_the_same(const std::string& generated, const TrimRequest& at) {
  for (std::size_t n = 0; n <= generated.size(); ++n) {
    const std::string_view head = std::string_view(generated).substr(0, n);
    if (!completion_settled(head, at)) continue;
    EXPECT_EQ(trim_completion(head, at), trim_completion(generated, at))
        << "settled after " << n << " bytes; prefix '" << at.prefix << "' suffix '" << at.suffix << "' generated '"
        << generated << "'";
    return true;
  }
  return false;
}

TEST(CompletionSettled, TrimKeepsTheSameHoweverTheTextGoesOn) {
  const std::vector<std::string> pieces{"x = 1", "f(", ")", "{", "}", "\n", "\n    ", "\n  ", "`", "``", " ",
                                        ";", "\r\n", "y", "\"", "//", "\t"};
  const std::vector<std::pair<const context::Language*, std::string>> contexts{
      {lang("python"), "def f(x):\n    "}, {lang("python"), "class A:\n    def f(self):\n        "},
      {lang("c"), "int f(int x) {\n  "}, {lang("cpp"), "struct S {\n  int g() {\n    "},
      {nullptr, "section:\n    "}, {nullptr, "call(\n  "}};
  std::mt19937 rng(99);
  int settled = 0;
  for (int trial = 0; trial < 1500; ++trial) {
    const auto& [language, prefix] = contexts[trial % contexts.size()];
    // Random, or lines the generated text may repeat (rule 3 of cut drops those at its end).
    const std::vector<std::string> suffixes{random_piece_text(rng, pieces, 4), "\n}\n", "\n    y\n", "\n  x = 1\n"};
    const std::string suffix = suffixes[rng() % suffixes.size()];
    TrimRequest at{language, prefix, suffix, trial % 2 ? 16u : 3u};
    settled += settles_to_the_same(random_piece_text(rng, pieces, 14), at);
    if (HasFailure()) return;
  }
  EXPECT_GT(settled, 500);  // settling was exercised, not only the generations that never settle
  // Dedents, partial fences and a line the suffix repeats, which meet rarely above.
  const std::vector<std::string> lines{"\n    y", "\n  yy", "\n  ", "\n", "`", "``", "y"};
  TrimRequest python{lang("python"), "def f(x):\n    ", "\n    y\n  yy\n"};
  for (int trial = 0; trial < 1500 && !HasFailure(); ++trial)
    settles_to_the_same(random_piece_text(rng, lines, 10), python);
}

TEST(ExtractCode, TakesTheFirstFencedBlockOrTheTrimmedAnswer) {
  EXPECT_EQ(extract_code("Sure:\n```cpp\nint f();\n```\nmore\n```\nx\n```"), "int f();");
  EXPECT_EQ(extract_code("\n\nint g();  \n"), "int g();");
  EXPECT_EQ(extract_code("```python\nunterminated\n"), "unterminated");
  EXPECT_EQ(extract_code("```"), "");
}

TEST(CodeBlockClosed, ExtractCodeKeepsTheSameHoweverTheAnswerGoesOn) {
  EXPECT_FALSE(code_block_closed("Sure:\n```cpp\nint f();\n``"));
  EXPECT_FALSE(code_block_closed("``` ```"));  // the fence line has not ended
  EXPECT_TRUE(code_block_closed("```cpp\nint f();\n```"));
  const std::vector<std::string> pieces{"```", "```c\n", "\n", "`", "``", "x;", " ", "text"};
  std::mt19937 rng(5);
  int closed = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    const std::string answer = random_piece_text(rng, pieces, 10);
    for (std::size_t n = 0; n <= answer.size(); ++n) {
      const std::string_view head = std::string_view(answer).substr(0, n);
      if (!code_block_closed(head)) continue;
      ++closed;
      ASSERT_EQ(extract_code(head), extract_code(answer)) << "closed after " << n << " bytes of '" << answer << "'";
      break;
    }
  }
  EXPECT_GT(closed, 500);
}

}  // namespace
}  // namespace coderx::features
