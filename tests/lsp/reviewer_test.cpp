// Reading the model's review answer: the line format, tolerated noise, rejected malformed lines.
#include "lsp/features/reviewer.h"

#include <gtest/gtest.h>

namespace coderx::features {
namespace {

TEST(Reviewer, ParsesFindingsSuggestionsAndSummary) {
  ReviewAnswer a = parse_review_answer("src/a.c",
                                       "Sure, here you go:\n"
                                       "finding: error 12-14 null-check: p may be NULL here\n"
                                       "suggest: if (p == NULL)\n"
                                       "suggest:   return -1;\n"
                                       "finding: info 3 naming: x is vague\n"
                                       "summary: adds a parser\n");
  ASSERT_EQ(a.findings.size(), 2u);
  EXPECT_EQ(a.findings[0].path, "src/a.c");
  EXPECT_EQ(a.findings[0].severity, Severity::error);
  EXPECT_EQ(a.findings[0].start_line, 12u);
  EXPECT_EQ(a.findings[0].end_line, 14u);
  EXPECT_EQ(a.findings[0].rule, "null-check");
  EXPECT_EQ(a.findings[0].message, "p may be NULL here");
  ASSERT_TRUE(a.findings[0].replacement);
  EXPECT_EQ(*a.findings[0].replacement, "if (p == NULL)\n  return -1;\n");
  EXPECT_EQ(a.findings[1].start_line, 3u);
  EXPECT_EQ(a.findings[1].end_line, 3u);
  EXPECT_FALSE(a.findings[1].replacement);
  EXPECT_EQ(a.summary, "adds a parser");
}

TEST(Reviewer, DropsMalformedLines) {
  const char* bad[] = {"finding: fatal 3 r: m", "finding: error x r: m", "finding: error 5-3 r: m",
                       "finding: error 3 r", "finding: error 3 two words: m", "finding: error 3 r:",
                       "finding: error", "finding: error 99999999999 r: m"};
  for (const char* line : bad) EXPECT_TRUE(parse_review_answer("p", line).findings.empty()) << line;
  // A suggestion without a finding before it belongs to nothing.
  EXPECT_TRUE(parse_review_answer("p", "suggest: x\n").findings.empty());
}

TEST(Reviewer, PromptShowsNewLineNumbersAndScope) {
  auto diff = parse_unified_diff("--- a/f.c\n+++ b/f.c\n@@ -1,2 +1,3 @@\n int f() {\n+  g();\n }\n");
  ASSERT_TRUE(diff);
  HunkReviewRequest r{"f.c", &(*diff)[0].hunks[0], "f", "int f() {\n  g();\n}\n"};
  GenerationInput in = review_prompt(r, Budgets{});
  EXPECT_NE(in.user.find("2 +  g();"), std::string::npos) << in.user;
  EXPECT_NE(in.user.find("In: f"), std::string::npos);
  EXPECT_NE(in.system.find("finding: <info|warning|error>"), std::string::npos);
}

// A 6,000-line new file is reviewed in pieces that together hold every line once, in order, with
// their numbers; each piece stays within the limits; a small hunk is one piece, unchanged.
TEST(Reviewer, LargeHunksAreReviewedInPiecesThatCoverEveryLine) {
  Hunk big;
  big.new_start = 1;
  big.section = "f()";
  for (std::uint32_t i = 1; i <= 6000; ++i)
    big.lines.push_back({DiffLine::Kind::added, 0, i, "int w" + std::to_string(i) + " = " + std::to_string(i) + ";"});
  big.lines.push_back({DiffLine::Kind::added, 0, 6001, std::string(50000, 'x')});  // minified
  big.new_count = 6001;
  std::vector<Hunk> pieces = review_pieces(big);
  ASSERT_GT(pieces.size(), 1u);
  std::uint32_t next = 1;
  for (const Hunk& piece : pieces) {
    EXPECT_LE(piece.lines.size(), kMaxPieceLines);
    std::size_t bytes = 0;
    for (const DiffLine& line : piece.lines) bytes += line.text.size();
    EXPECT_LE(bytes, kMaxPieceBytes + kMaxLineBytes + 8);
    EXPECT_EQ(piece.new_start, piece.lines.front().new_line);
    EXPECT_EQ(piece.new_count, piece.lines.size());
    EXPECT_EQ(piece.section, "f()");
    for (const DiffLine& line : piece.lines) EXPECT_EQ(line.new_line, next++);
    std::string prompt = review_prompt({"big.c", &piece, "", ""}, Budgets{}).user;
    EXPECT_LT(prompt.size(), kMaxPieceBytes + kMaxLineBytes + 2000);
  }
  EXPECT_EQ(next, 6002u);
  EXPECT_EQ(pieces.back().lines.back().text, std::string(kMaxLineBytes, 'x') + " ...");

  Hunk small;
  small.old_start = small.new_start = 3;
  small.lines = {{DiffLine::Kind::context, 3, 3, "a"}, {DiffLine::Kind::removed, 4, 0, "b"}, {DiffLine::Kind::added, 0, 4, "c"}};
  small.old_count = small.new_count = 2;
  std::vector<Hunk> one = review_pieces(small);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].lines.size(), 3u);
  EXPECT_EQ(one[0].old_start, 3u);
  EXPECT_EQ(one[0].old_count, 2u);
  EXPECT_EQ(one[0].new_count, 2u);
}

}  // namespace
}  // namespace coderx::features
