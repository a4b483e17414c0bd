// trim_completion and extract_code against hand-written editor situations.
#include "lsp/features/trim_completion.h"

#include <gtest/gtest.h>

namespace coderx::features {
namespace {

TEST(TrimCompletion, MidLineKeepsOnlyTheFirstLine) {
  EXPECT_EQ(trim_completion("a, b)\nnext_line()", {"    f(", ")"}, 16), "a, b)");
  EXPECT_EQ(trim_completion("x   \n", {"y = ", " # c"}, 16), "x");
}

TEST(TrimCompletion, AtLineEndKeepsTheBlockAndStopsAtADedent) {
  std::string generated = "total = 0\n    for v in values:\n        total += v\n    return total\n\ndef other():\n    pass";
  EXPECT_EQ(trim_completion(generated, {"    ", ""}, 16),
            "total = 0\n    for v in values:\n        total += v\n    return total");
}

TEST(TrimCompletion, BlankLinesInsideTheBlockStayTrailingOnesGo) {
  EXPECT_EQ(trim_completion("a()\n\n  b()\n\n\n", {"  ", "  "}, 16), "a()\n\n  b()");
}

TEST(TrimCompletion, LineLimitAndFencesCut) {
  EXPECT_EQ(trim_completion("1\n2\n3\n4", {"", ""}, 2), "1\n2");
  EXPECT_EQ(trim_completion("1\n```\ntext", {"", ""}, 9), "1");
  EXPECT_EQ(trim_completion("", {"", ""}, 9), "");
}

TEST(ExtractCode, TakesTheFirstFencedBlockOrTheTrimmedAnswer) {
  EXPECT_EQ(extract_code("Sure:\n```cpp\nint f();\n```\nmore\n```\nx\n```"), "int f();");
  EXPECT_EQ(extract_code("\n\nint g();  \n"), "int g();");
  EXPECT_EQ(extract_code("```python\nunterminated\n"), "unterminated");
  EXPECT_EQ(extract_code("```"), "");
}

}  // namespace
}  // namespace coderx::features
