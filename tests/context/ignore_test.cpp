// gitignore semantics, with expectations taken from git's documentation of pattern format.
#include "context/ignore.h"

#include <gtest/gtest.h>

namespace coderx::context {
namespace {

TEST(Glob, StarsQuestionAndClasses) {
  EXPECT_TRUE(glob_match("*.o", "a.o"));
  EXPECT_FALSE(glob_match("*.o", "d/a.o"));  // "*" does not cross "/"
  EXPECT_TRUE(glob_match("a?c", "abc"));
  EXPECT_FALSE(glob_match("a?c", "a/c"));
  EXPECT_TRUE(glob_match("[a-c]x", "bx"));
  EXPECT_FALSE(glob_match("[!a-c]x", "bx"));
  EXPECT_TRUE(glob_match("**/foo", "foo"));
  EXPECT_TRUE(glob_match("**/foo", "a/b/foo"));
  EXPECT_TRUE(glob_match("abc/**", "abc/x/y"));
  EXPECT_FALSE(glob_match("abc/**", "abc"));
  EXPECT_TRUE(glob_match("a/**/b", "a/b"));
  EXPECT_TRUE(glob_match("a/**/b", "a/x/y/b"));
  EXPECT_FALSE(glob_match("a/**/b", "a/xb"));
}

TEST(Ignore, BasenameAnchoredDirectoryAndNegation) {
  IgnoreRules r("# comment\n\n*.log\n!keep.log\n/build\ndocs/*.md\nout/\n\\#hash\n", "");
  EXPECT_EQ(r.match("x.log", false), true);
  EXPECT_EQ(r.match("deep/x.log", false), true);
  EXPECT_EQ(r.match("deep/keep.log", false), false);  // re-included
  EXPECT_EQ(r.match("build", true), true);
  EXPECT_EQ(r.match("src/build", true), std::nullopt);  // "/build" is anchored
  EXPECT_EQ(r.match("docs/a.md", false), true);
  EXPECT_EQ(r.match("x/docs/a.md", false), std::nullopt);  // inner "/" anchors too
  EXPECT_EQ(r.match("out", true), true);
  EXPECT_EQ(r.match("out", false), std::nullopt);  // "out/" matches directories only
  EXPECT_EQ(r.match("#hash", false), true);
  EXPECT_EQ(r.match("main.c", false), std::nullopt);
}

TEST(Ignore, NestedFileAppliesBelowItsDirectory) {
  IgnoreRules r("*.tmp\n/gen\n", "sub");
  EXPECT_EQ(r.match("sub/a.tmp", false), true);
  EXPECT_EQ(r.match("sub/x/a.tmp", false), true);
  EXPECT_EQ(r.match("a.tmp", false), std::nullopt);
  EXPECT_EQ(r.match("sub/gen", true), true);
  EXPECT_EQ(r.match("sub/x/gen", true), std::nullopt);
  EXPECT_EQ(r.match("subway/a.tmp", false), std::nullopt);
}

TEST(Ignore, TrailingSpacesAndCrlf) {
  IgnoreRules r("a.txt   \r\nb\\ \n", "");
  EXPECT_EQ(r.match("a.txt", false), true);
  EXPECT_EQ(r.match("b ", false), true);  // an escaped trailing space stays
}

}  // namespace
}  // namespace coderx::context
