// Bad input never crashes or hangs: a 50 MB document (parse stopped by its time limit),
// invalid UTF-8, nesting 10,000 deep, in documents, symbol extraction, gather and cut.
#include "context/cut.h"
#include "context/document.h"
#include "context/gather.h"
#include "context/symbols.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

namespace coderx::context {
namespace {

using Clock = std::chrono::steady_clock;

TEST(Robustness, FiftyMegabyteDocumentIsBoundedByTheTimeLimit) {
  std::string big;
  big.reserve(50u << 20);
  while (big.size() < (50u << 20)) big += "int f(int x) { return x + 1; }\n";
  const auto start = Clock::now();
  Document doc(language_by_id("c"), std::move(big), 1, PositionEncoding::utf16,
               ParseLimits{{}, std::chrono::milliseconds(200)});
  EXPECT_FALSE(doc.tree_current());
  auto r = doc.apply(std::vector<TextChange>{{Range{{1000000, 0}, {1000000, 0}}, "// edit\n"}}, 2,
                     ParseLimits{{}, std::chrono::milliseconds(50)});
  ASSERT_TRUE(r);
  EXPECT_EQ(doc.lines().line_count(),
            std::count(doc.text().begin(), doc.text().end(), '\n') + 1);
  EXPECT_NE(doc.text().find("// edit\n"), std::string::npos);
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(10));
}

TEST(Robustness, InvalidUtf8Everywhere) {
  const std::string bad = "def f():\n    return '\xff\xc0\x80\xed\xa0\x80'\n\x80\x80\x80\n";
  for (const Language& lang : all_languages()) {
    Document doc(&lang, bad, 1);
    auto r = doc.apply(std::vector<TextChange>{{Range{{1, 13}, {1, 15}}, "\xfe"}}, 2);
    ASSERT_TRUE(r);
    const Position p = doc.position_of(static_cast<std::uint32_t>(doc.text().size()));
    EXPECT_EQ(doc.offset_of(p), doc.text().size());
    const SyntaxTrees trees = doc.syntax();
    if (!trees.empty()) (void)extract_symbols(lang, trees.root(0), doc.text());
    CutRequest c{&lang, "x = ", bad, "\n", false, {}};
    (void)cut(c);
  }
}

TEST(Robustness, NestingTenThousandDeep) {
  std::string deep;
  for (int i = 0; i < 10000; ++i) deep += "(";
  deep += "1";
  for (int i = 0; i < 10000; ++i) deep += ")";
  for (const char* id : {"python", "javascript", "c", "json", "rust"}) {
    const Language* lang = language_by_id(id);
    const std::string text = std::string(id) == "json" ? "[" + deep + "]" : "x = " + deep + ";\n";
    const auto start = Clock::now();
    Document doc(lang, text, 1, PositionEncoding::utf16, ParseLimits{{}, std::chrono::seconds(2)});
    const SyntaxTrees trees = doc.syntax();
    if (!trees.empty()) {
      (void)extract_symbols(*lang, trees.root(0), doc.text(), ParseLimits{{}, std::chrono::seconds(1)});
      (void)enclosing_scopes(*lang, trees.root_at(5000), doc.text(), 5000);
    }
    DocumentSnapshot snap = doc.snapshot();
    GatherRequest g;
    g.document = &snap;
    g.start_byte = g.end_byte = 5000;
    g.budget_tokens = 500;
    g.count_tokens = [](std::string_view s) { return s.size() / 4; };
    GatherResult r = gather(g);
    EXPECT_LE(r.tokens_used, 500u);
    const std::string candidate = deep.substr(0, 3000);  // the request holds a view of it
    CutRequest c{lang, "x = ", candidate, ";\n", false, ParseLimits{{}, std::chrono::seconds(1)}};
    (void)cut(c);
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(15)) << id;
  }
}

}  // namespace
}  // namespace coderx::context
