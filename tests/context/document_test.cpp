// Document: LSP edits (UTF-16/UTF-8 ranges, CRLF, emoji, clamping, invalid ranges), and the
// incremental tree checked against a full reparse of the same text over random edit sequences.
#include "context/document.h"

#include <gtest/gtest.h>

#include <random>
#include <thread>

namespace coderx::context {
namespace {

std::string fresh_sexp(const Language* lang, const std::string& text) {
  auto parser = make_parser(lang->grammar);
  auto tree = parse(parser.get(), text, nullptr, {});
  EXPECT_TRUE(tree.has_value());
  return node_sexp(ts_tree_root_node(tree->get()));
}

TEST(Document, InsertsAfterEmojiInUtf16AndUtf8) {
  const Language* py = language_by_id("python");
  Document d16(py, "s = '😀'\n", 1);
  ASSERT_TRUE(d16.apply(std::vector<TextChange>{{Range{{0, 8}, {0, 8}}, " + 'x'"}}, 2));
  EXPECT_EQ(d16.text(), "s = '😀' + 'x'\n");
  Document d8(py, "s = '😀'\n", 1, PositionEncoding::utf8);
  ASSERT_TRUE(d8.apply(std::vector<TextChange>{{Range{{0, 10}, {0, 10}}, " + 'x'"}}, 2));
  EXPECT_EQ(d8.text(), "s = '😀' + 'x'\n");
  EXPECT_EQ(d16.version(), 2);
  EXPECT_TRUE(d16.tree_current());
  EXPECT_EQ(d16.syntax().sexp(), fresh_sexp(py, d16.text()));
}

TEST(Document, ReplacesAcrossCrlfAndCjk) {
  Document doc(language_by_id("c"), "int 中 = 1;\r\nint b = 2;\r\n", 1);
  // replace "中 = 1;\r\nint b" (line 0 char 4 .. line 1 char 5)
  ASSERT_TRUE(doc.apply(std::vector<TextChange>{{Range{{0, 4}, {1, 5}}, "a"}}, 2));
  EXPECT_EQ(doc.text(), "int a = 2;\r\n");
  EXPECT_EQ(doc.position_of(static_cast<std::uint32_t>(doc.text().size())), (Position{1, 0}));
}

TEST(Document, ClampsPastEndAndRejectsReversedRange) {
  Document doc(language_by_id("json"), "[1,\n2]", 1);
  ASSERT_TRUE(doc.apply(std::vector<TextChange>{{Range{{0, 50}, {0, 80}}, " 9,"}}, 2));
  EXPECT_EQ(doc.text(), "[1, 9,\n2]");
  ASSERT_TRUE(doc.apply(std::vector<TextChange>{{Range{{7, 0}, {9, 9}}, "\n"}}, 3));
  EXPECT_EQ(doc.text(), "[1, 9,\n2]\n");
  auto bad = doc.apply(std::vector<TextChange>{{Range{{1, 2}, {0, 1}}, "x"}}, 4);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::invalid_argument);
  EXPECT_NE(bad.error().message.find("end before start"), std::string::npos);
  EXPECT_EQ(doc.text(), "[1, 9,\n2]\n");  // nothing applied
  EXPECT_EQ(doc.version(), 3);
}

TEST(Document, BatchWithFullReplaceThenRange) {
  Document doc(language_by_id("rust"), "fn a() {}\n", 1);
  std::vector<TextChange> changes{{std::nullopt, "fn b() {}\n"}, {Range{{0, 3}, {0, 4}}, "cc"}};
  ASSERT_TRUE(doc.apply(changes, 2));
  EXPECT_EQ(doc.text(), "fn cc() {}\n");
  EXPECT_EQ(doc.syntax().sexp(), fresh_sexp(language_by_id("rust"), doc.text()));
}

TEST(Document, PlainTextHasNoTree) {
  Document doc(nullptr, "hello\n", 1);
  auto status = doc.apply(std::vector<TextChange>{{Range{{0, 5}, {0, 5}}, " world"}}, 2);
  ASSERT_TRUE(status);
  EXPECT_EQ(*status, ParseStatus::no_grammar);
  EXPECT_EQ(doc.text(), "hello world\n");
  EXPECT_TRUE(doc.syntax().empty());
}

TEST(Document, CancelledParseKeepsTextAndReparsesLater) {
  const Language* c = language_by_id("c");
  std::string big;
  for (int i = 0; i < 3000; ++i) big += "int f" + std::to_string(i) + "(int x) { return x * 2; }\n";
  std::stop_source stop;
  stop.request_stop();
  Document doc(c, "int a;\n", 1);
  EXPECT_EQ(doc.replace(big, 2, ParseLimits{stop.get_token(), {}}), ParseStatus::stale);
  EXPECT_FALSE(doc.tree_current());
  EXPECT_EQ(doc.text().size(), big.size());
  EXPECT_EQ(doc.reparse(), ParseStatus::parsed);
  EXPECT_EQ(doc.syntax().sexp(), fresh_sexp(c, big));
}

TEST(Document, TimeLimitStopsParse) {
  std::string deep;
  for (int i = 0; i < 300000; ++i) deep += "x = [1, 2, (3 + 4) * 5, {'a': 6}]\n";
  Document doc(language_by_id("python"), "", 1);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(doc.replace(deep, 2, ParseLimits{{}, std::chrono::microseconds(2000)}), ParseStatus::stale);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST(Document, SnapshotIsIndependentOfLaterEdits) {
  Document doc(language_by_id("go"), "package a\n", 1);
  DocumentSnapshot snap = doc.snapshot();
  ASSERT_TRUE(doc.apply(std::vector<TextChange>{{Range{{0, 9}, {0, 9}}, "bc"}}, 2));
  EXPECT_EQ(*snap.text, "package a\n");
  EXPECT_EQ(snap.version, 1);
  std::thread other([&] { EXPECT_EQ(snap.trees.sexp(),
                                    fresh_sexp(language_by_id("go"), "package a\n")); });
  other.join();
}

// Edits reuse the buffer of an earlier version only when no snapshot holds it: a snapshot's
// text never changes, however many edits follow.
TEST(Document, SnapshotsKeepTheirTextAcrossEdits) {
  Document doc(language_by_id("c"), "int a;\r\nint b;\n", 1);
  std::vector<DocumentSnapshot> kept;
  std::vector<std::string> expected;
  std::string reference = doc.text();
  for (int v = 2; v < 40; ++v) {
    if (v % 3 == 0) {
      kept.push_back(doc.snapshot());
      expected.push_back(reference);
    }
    if (v % 7 == 0 && !kept.empty()) {  // some snapshots go away: their buffers may be reused
      kept.erase(kept.begin());
      expected.erase(expected.begin());
    }
    const Position at{static_cast<std::uint32_t>(v % 2), 5};
    ASSERT_TRUE(doc.apply(std::vector<TextChange>{{Range{at, at}, "x"}}, v));
    reference.insert((v % 2 ? reference.find('\n') + 1 : 0) + 5, "x");
    ASSERT_EQ(doc.text(), reference) << v;
    ASSERT_EQ(doc.syntax().sexp(), fresh_sexp(language_by_id("c"), reference)) << v;
    for (std::size_t k = 0; k < kept.size(); ++k) ASSERT_EQ(*kept[k].text, expected[k]) << v;
    if (v % 5 == 0) {
      EXPECT_FALSE(doc.take_retired_trees().empty());  // the tree the parse replaced
    }
  }
}

// Random edit sequences: after every batch the incremental tree equals a fresh parse, and the
// text equals a reference edited by byte offsets (positions computed independently).
Position naive_position(const std::string& text, std::size_t byte) {
  Position p;
  for (std::size_t i = 0; i < byte; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') { ++p.line; p.character = 0; continue; }
    if ((c & 0xC0) == 0x80) continue;
    p.character += c >= 0xF0 ? 2 : 1;
  }
  return p;
}

std::size_t snap_to_char(const std::string& text, std::size_t byte) {
  while (byte > 0 && byte < text.size() && (static_cast<unsigned char>(text[byte]) & 0xC0) == 0x80) --byte;
  return byte;
}

TEST(Document, RandomEditsMatchFullReparse) {
  const std::vector<std::pair<std::string, std::string>> samples{
      {"c", "int main(void) {\n  int x = 1; /* 😀 */\n  return x;\n}\n"},
      {"cpp", "namespace n {\nstruct S { int v; };\n}\n"},
      {"python", "def f(a):\n    return a + '中文'\n\nclass C:\n    pass\n"},
      {"javascript", "function f(a) { return [a, '😀']; }\n"},
      {"typescript", "let x: number = 1;\nfunction g(): string { return 'é'; }\n"},
      {"go", "package m\n\nfunc F() int { return 1 }\n"},
      {"rust", "fn main() { let v = vec![1, 2]; }\n"},
      {"java", "class A { void m() { int y = 2; } }\n"},
      {"json", "{\"k\": [1, 2, 3]}\n"},
      {"shellscript", "echo hi\nfor i in 1 2; do echo $i; done\n"},
  };
  const std::vector<std::string> inserts{"x", " ", "\n", "(", ")", "{", "}", "'", "😀", "中",
                                         "return 1;", "\n    ", "[", "]", ":", ",", "def g():"};
  std::mt19937 rng(42);
  for (const auto& [id, initial] : samples) {
    const Language* lang = language_by_id(id);
    Document doc(lang, initial, 0);
    std::string reference = initial;
    for (int step = 1; step <= 40; ++step) {
      std::vector<TextChange> batch;
      const int n_changes = 1 + static_cast<int>(rng() % 3);
      for (int k = 0; k < n_changes; ++k) {
        std::size_t a = snap_to_char(reference, rng() % (reference.size() + 1));
        std::size_t b = snap_to_char(reference, std::min(reference.size(), a + rng() % 6));
        const std::string ins = rng() % 3 == 0 ? "" : inserts[rng() % inserts.size()];
        batch.push_back({Range{naive_position(reference, a), naive_position(reference, b)}, ins});
        reference.replace(a, b - a, ins);
      }
      ASSERT_TRUE(doc.apply(batch, step)) << id;
      ASSERT_EQ(doc.text(), reference) << id << " step " << step;
      ASSERT_EQ(doc.syntax().sexp(), fresh_sexp(lang, reference))
          << id << " step " << step;
    }
  }
}

}  // namespace
}  // namespace coderx::context
