// gitignore semantics, with expectations taken from git's documentation of pattern format.
#include "context/ignore.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <future>
#include <random>
#include <string>
#include <thread>

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

// Runs `fn` on a detached thread: true when it returns within `limit` (a runaway matcher is
// left spinning until the test program exits, rather than hanging the test).
bool finishes_within(std::chrono::seconds limit, std::function<void()> fn) {
  auto done = std::make_shared<std::promise<void>>();
  std::future<void> f = done->get_future();
  std::thread([fn = std::move(fn), done] {
    fn();
    done->set_value();
  }).detach();
  return f.wait_for(limit) == std::future_status::ready;
}

TEST(Glob, PathologicalPatternsTakeLinearTime) {
  const std::string name(80, 'a');
  std::string stars;  // "*a*a…*a*b": exponential for a backtracking matcher
  for (int i = 0; i < 20; ++i) stars += "*a";
  stars += "*b";
  std::string globstars;
  for (int i = 0; i < 20; ++i) globstars += "**/";
  globstars += "b";
  std::string deep;
  for (int i = 0; i < 40; ++i) deep += "a/";
  deep += "a";
  IgnoreRules rules(stars + "\n" + globstars + "\n", "");
  auto matched = std::make_shared<bool>(true);  // owned by the thread too: it may outlive us
  ASSERT_TRUE(finishes_within(std::chrono::seconds(20), [matched, name, deep, rules, stars] {
    *matched = rules.match(name, false).has_value() || rules.match(deep, false).has_value() ||
               glob_match("a*" + stars, name + "/x");
  })) << "matching still running after 20 s";
  EXPECT_FALSE(*matched);
  EXPECT_TRUE(glob_match(stars, name + "b"));
  EXPECT_TRUE(glob_match(globstars, "a/a/a/b"));
}

// A plain backtracking matcher, obviously right on the small inputs below.
bool naive_match(std::string_view pat, std::string_view str) {
  if (pat.empty()) return str.empty();
  if (pat.substr(0, 3) == "**/") {
    for (std::size_t k = 0; k <= str.size(); ++k)
      if ((k == 0 || str[k - 1] == '/') && naive_match(pat.substr(3), str.substr(k))) return true;
    return false;
  }
  if (pat.substr(0, 2) == "**") {
    for (std::size_t k = 0; k <= str.size(); ++k)
      if (naive_match(pat.substr(2), str.substr(k))) return true;
    return false;
  }
  if (pat[0] == '*') {
    for (std::size_t k = 0; k <= str.size(); ++k) {
      if (naive_match(pat.substr(1), str.substr(k))) return true;
      if (k < str.size() && str[k] == '/') return false;
    }
    return false;
  }
  if (str.empty()) return false;
  if (pat[0] == '?') return str[0] != '/' && naive_match(pat.substr(1), str.substr(1));
  if (pat.substr(0, 5) == "[a-b]")
    return (str[0] == 'a' || str[0] == 'b') && naive_match(pat.substr(5), str.substr(1));
  return pat[0] == str[0] && naive_match(pat.substr(1), str.substr(1));
}

TEST(Glob, AgreesWithABacktrackingMatcher) {
  std::mt19937 rng(7);
  const char* pieces[] = {"a", "b", "/", "*", "**", "**/", "?", "[a-b]"};
  const char chars[] = {'a', 'b', '/'};
  for (int round = 0; round < 20000; ++round) {
    std::string pat, str;
    for (int i = static_cast<int>(rng() % 6); i > 0; --i) pat += pieces[rng() % 8];
    for (int i = static_cast<int>(rng() % 7); i > 0; --i) str += chars[rng() % 3];
    EXPECT_EQ(glob_match(pat, str), naive_match(pat, str)) << "'" << pat << "' on '" << str << "'";
  }
}

}  // namespace
}  // namespace coderx::context
