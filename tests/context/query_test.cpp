// Query predicates evaluated by us, checked on hand-written patterns over small sources, and
// every language's embedded combined query compiles.
#include "context/query.h"

#include "context/languages.h"
#include "context/symbols.h"

#include <gtest/gtest.h>

namespace coderx::context {
namespace {

std::vector<std::string> names_matching(const std::string& lang_id, const std::string& query,
                                        const std::string& source) {
  const Language* lang = language_by_id(lang_id);
  auto q = Query::compile(lang->grammar, query, "test");
  EXPECT_TRUE(q) << (q ? "" : q.error().message);
  if (!q) return {};
  auto parser = make_parser(lang->grammar);
  auto tree = parse(parser.get(), source, nullptr, {});
  std::vector<std::string> out;
  auto ok = q->for_each_match(ts_tree_root_node(tree->get()), source, {}, [&](const QueryMatch& m) {
    for (const auto& c : m.captures)
      if (q->capture_name(c.index) == "n") out.emplace_back(node_text(c.node, source));
    return true;
  });
  EXPECT_TRUE(ok);
  return out;
}

const std::string kPy = "alpha = 1\nbeta = 2\nGAMMA = 3\nalpha2 = alpha\n";
using V = std::vector<std::string>;

TEST(Query, EqAndNotEq) {
  EXPECT_EQ(names_matching("python", "((identifier) @n (#eq? @n \"beta\"))", kPy), V{"beta"});
  EXPECT_EQ(names_matching("python", "((identifier) @n (#not-eq? @n \"alpha\"))", kPy),
            (V{"beta", "GAMMA", "alpha2"}));
  // capture-to-capture equality: assignments whose right side names the left side's prefix
  EXPECT_EQ(names_matching("python", "(assignment left: (identifier) @n right: (identifier) @r (#eq? @n @r))",
                           "a = a\nb = c\n"), V{"a"});
}

TEST(Query, MatchAndNotMatch) {
  EXPECT_EQ(names_matching("python", "((identifier) @n (#match? @n \"^[A-Z]+$\"))", kPy), V{"GAMMA"});
  EXPECT_EQ(names_matching("python", "((identifier) @n (#not-match? @n \"^alpha\"))", kPy),
            (V{"beta", "GAMMA"}));
}

TEST(Query, AnyOfAndNotAnyOf) {
  EXPECT_EQ(names_matching("python", "((identifier) @n (#any-of? @n \"beta\" \"GAMMA\" \"zeta\"))", kPy),
            (V{"beta", "GAMMA"}));
  EXPECT_EQ(names_matching("python", "((identifier) @n (#not-any-of? @n \"alpha\" \"alpha2\"))", kPy),
            (V{"beta", "GAMMA"}));
}

TEST(Query, RepeatedCaptureAllVersusAny) {
  // @n names two nodes per match: #eq? needs both equal to the value, #any-eq? one of them
  const std::string src = "a = a\nb = a\nc = d\n";
  const std::string pat = "(assignment left: (identifier) @n right: (identifier) @n (";
  EXPECT_EQ(names_matching("python", pat + "#eq? @n \"a\"))", src), (V{"a", "a"}));
  EXPECT_EQ(names_matching("python", pat + "#any-eq? @n \"a\"))", src), (V{"a", "a", "b", "a"}));
  EXPECT_EQ(names_matching("python", pat + "#not-eq? @n \"a\"))", src), (V{"c", "d"}));
}

TEST(Query, DirectivesAreIgnoredAndErrorsAreReported) {
  EXPECT_EQ(names_matching("python", "((identifier) @n (#set! kind \"x\") (#eq? @n \"beta\"))", kPy), V{"beta"});
  auto bad = Query::compile(language_by_id("python")->grammar, "(no_such_node) @n", "bad.scm");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("bad.scm:1:2: invalid node type"), std::string::npos) << bad.error().message;
  auto bad_re = Query::compile(language_by_id("python")->grammar, "((identifier) @n (#match? @n \"[\"))", "re.scm");
  ASSERT_FALSE(bad_re);
}

TEST(Query, EveryLanguageQueryCompiles) {
  for (const Language& lang : all_languages()) {
    auto q = language_query(lang);
    EXPECT_TRUE(q) << lang.id << ": " << (q ? "" : q.error().message);
  }
}

TEST(Query, StopTokenCancels) {
  const Language* py = language_by_id("python");
  auto q = Query::compile(py->grammar, "(identifier) @n", "t");
  auto parser = make_parser(py->grammar);
  std::string src;
  for (int i = 0; i < 2000; ++i) src += "x" + std::to_string(i) + " = y\n";
  auto tree = parse(parser.get(), src, nullptr, {});
  std::stop_source stop;
  stop.request_stop();
  int seen = 0;
  auto r = q->for_each_match(ts_tree_root_node(tree->get()), src, {}, [&](const QueryMatch&) { ++seen; return true; },
                             ParseLimits{stop.get_token(), {}});
  EXPECT_FALSE(r);
  EXPECT_LT(seen, 4000);
}

}  // namespace
}  // namespace coderx::context
