// trim_completion (context::cut behind the features' API) and extract_code against
// hand-written editor situations: mid-line → one line, suffix duplicates removed, the enclosing
// block ends a multi-line completion, what does not parse is cut, fences and the line limit.
#include "lsp/features/trim_completion.h"

#include <gtest/gtest.h>

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

TEST(ExtractCode, TakesTheFirstFencedBlockOrTheTrimmedAnswer) {
  EXPECT_EQ(extract_code("Sure:\n```cpp\nint f();\n```\nmore\n```\nx\n```"), "int f();");
  EXPECT_EQ(extract_code("\n\nint g();  \n"), "int g();");
  EXPECT_EQ(extract_code("```python\nunterminated\n"), "unterminated");
  EXPECT_EQ(extract_code("```"), "");
}

}  // namespace
}  // namespace coderx::features
