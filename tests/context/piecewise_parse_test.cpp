// Piecewise parsing (context/piecewise_parse.h): a document cut into pieces must give the same
// nodes, with the same document positions, as one tree over the whole text, whatever edits led
// there. Checked against a full parse of the same text with tree-sitter directly, on generated
// files cut into small pieces (so that every file has many), over random edits, their undoing,
// batches across pieces, cancelled parses, and the boundary cases the rules exist for.
#include "context/document.h"
#include "context/symbols.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace coderx::context {
namespace {

constexpr std::uint32_t kSmallPieces = 200;

// A node's type, bytes and points.
std::string describe(TSNode node) {
  const TSPoint a = ts_node_start_point(node), b = ts_node_end_point(node);
  return std::string(ts_node_type(node)) + " " + std::to_string(ts_node_start_byte(node)) + "-" +
         std::to_string(ts_node_end_byte(node)) + " " + std::to_string(a.row) + ":" + std::to_string(a.column) +
         "-" + std::to_string(b.row) + ":" + std::to_string(b.column);
}

// Every node under `root` (not the root itself), in pre-order.
void outline_into(TSNode node, std::vector<std::string>& out) {
  out.push_back(describe(node));
  for (std::uint32_t i = 0; i < ts_node_child_count(node); ++i) outline_into(ts_node_child(node, i), out);
}

std::vector<std::string> outline_of_children(TSNode root) {
  std::vector<std::string> out;
  for (std::uint32_t i = 0; i < ts_node_child_count(root); ++i) outline_into(ts_node_child(root, i), out);
  return out;
}

// The nodes of every piece that the piece shows (framed pieces repeat the container's head and
// tail), in pre-order: what one tree's outline_of_children would be.
void shown_outline_into(const SyntaxTrees& trees, std::size_t i, TSNode node, std::vector<std::string>& out) {
  if (trees.shows(i, ts_node_start_byte(node))) out.push_back(describe(node));
  for (std::uint32_t k = 0; k < ts_node_child_count(node); ++k) shown_outline_into(trees, i, ts_node_child(node, k), out);
}

std::vector<std::string> outline(const SyntaxTrees& trees) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < trees.size(); ++i)
    for (std::uint32_t k = 0; k < ts_node_child_count(trees.root(i)); ++k)
      shown_outline_into(trees, i, ts_node_child(trees.root(i), k), out);
  return out;
}

// "" when the outlines agree, else where they first differ (a readable failure message).
std::string difference(const std::vector<std::string>& have, const std::vector<std::string>& want) {
  std::size_t i = 0;
  while (i < have.size() && i < want.size() && have[i] == want[i]) ++i;
  if (i == have.size() && i == want.size()) return "";
  auto at = [i](const std::vector<std::string>& v) { return i < v.size() ? v[i] : std::string("<end>"); };
  std::string out = "node " + std::to_string(i) + " of " + std::to_string(have.size()) + "/" +
                    std::to_string(want.size()) + ": pieces have '" + at(have) + "', one tree has '" + at(want) + "'";
  if (i > 0) out += " (after '" + have[i - 1] + "')";
  return out;
}

struct FullParse {
  TreePtr tree;
  TSNode root() const { return ts_tree_root_node(tree.get()); }
  bool has_error() const { return ts_node_has_error(root()); }
};

FullParse full_parse(const Language* lang, const std::string& text) {
  auto parser = make_parser(lang->grammar);
  auto tree = parse(parser.get(), text, nullptr, {});
  EXPECT_TRUE(tree.has_value());
  return FullParse{std::move(*tree)};
}

// `count` copies of `pattern`, each with `$` replaced by its number.
std::string numbered(const std::string& pattern, int count) {
  std::string out;
  for (int i = 0; i < count; ++i) {
    std::string item = pattern;
    for (std::size_t at = item.find('$'); at != std::string::npos; at = item.find('$', at))
      item.replace(at, 1, std::to_string(i));
    out += item;
  }
  return out;
}

struct Sample {
  const char* language;
  std::string text;
};

std::vector<Sample> samples() {
  return {
      {"python", "import os\n\n" +
                     numbered("# note $\n@cache\ndef f$(a, b=$):\n    \"\"\"doc $\"\"\"\n    if a:\n"
                              "        return [a, b, (a +\n            $)]\n    return b\n\n"
                              "class C$:\n    x = $\n\n    def m(self):\n        return self.x\n\n", 20)},
      {"javascript", numbered("function f$(a) {\n  return a + $;\n}\nlet v$ = f$\n(g$);\n"
                              "const h$ = (x) => { return x * $; };\n// done $\n\n", 30)},
      {"typescript", numbered("interface I$ { a: number; }\nfunction f$(x: I$): number {\n  return x.a + $;\n}\n"
                              "export const k$ = f$({ a: $ });\n\n", 30)},
      {"c", "#include <stdio.h>\n\n" + numbered("/* f$ */\nstatic int f$(int x) {\n  if (x > $) {\n"
                                               "    return x - $;\n  }\n  return x;\n}\nint g$ = $;\n\n", 30)},
      {"go", "package m\n\n" + numbered("// F$ does things\nfunc F$(x int) int {\n\treturn x + $\n}\n\n"
                                       "var V$ = F$($)\n\n", 30)},
      {"rust", numbered("/// f$\nfn f$(x: i32) -> i32 {\n    let y = x + $;\n    y * 2\n}\n\n"
                        "struct S$ { a: i32 }\n\n", 30)},
      // one container each: cut between its members (framed)
      {"java", "package p;\n\nimport java.util.List;\n\npublic class Big {\n" +
                   numbered("    /** m$ */\n    int m$(int x) {\n        if (x > $) {\n            return x - $;\n"
                            "        }\n        return x;\n    }\n    private int f$ = $;\n\n", 30) + "}\n"},
      {"cpp", "#include <vector>\n\nnamespace big {\n\n" +
                  numbered("// f$\nint f$(int x) {\n  return x + $;\n}\nstruct S$ { int a = $; };\n\n", 30) +
                  "}  // namespace big\n"},
      {"typescript", "export class Big {\n" + numbered("  m$(x: number): number {\n    return x + $;\n  }\n"
                                                      "  f$: string = '$';\n\n", 40) + "}\n"},
      {"python", "import os\n\n\nclass Big:\n    \"\"\"doc\"\"\"\n\n" +
                     numbered("    @property\n    def m$(self, a):\n        if a:\n            return a + $\n"
                              "        return self\n\n", 40)},
      {"rust", "mod big {\n" + numbered("    pub fn f$(x: i32) -> i32 {\n        x + $\n    }\n\n", 60) + "}\n"},
  };
}

// A random byte of `text` that does not split a UTF-8 sequence.
std::size_t random_char_start(const std::string& text, std::mt19937& rng) {
  std::size_t at = rng() % (text.size() + 1);
  while (at > 0 && at < text.size() && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80) --at;
  return at;
}

Position position_at(const Document& doc, std::size_t byte) {
  return doc.position_of(static_cast<std::uint32_t>(byte));
}

void expect_same_as_one_tree(const Document& doc, const Language* lang, const std::string& why) {
  FullParse full = full_parse(lang, doc.text());
  const SyntaxTrees trees = doc.syntax();
  ASSERT_FALSE(trees.empty()) << why;
  ASSERT_EQ(difference(outline(trees), outline_of_children(full.root())), "") << why;
  ASSERT_EQ(trees.sexp(), node_sexp(full.root())) << why;
}

TEST(PiecewiseParse, LargeFilesAreCutIntoPiecesThatMatchOneTree) {
  for (const Sample& s : samples()) {
    const Language* lang = language_by_id(s.language);
    Document doc(lang, s.text, 1, PositionEncoding::utf16, {}, kSmallPieces);
    ASSERT_TRUE(doc.tree_current()) << s.language;
    const SyntaxTrees trees = doc.syntax();
    EXPECT_GT(trees.size(), 5u) << s.language;
    expect_same_as_one_tree(doc, lang, s.language);
    // pieces start at line starts, in order, and root_at finds the piece around a byte
    for (std::size_t i = 1; i < trees.size(); ++i) {
      const std::uint32_t start = trees.start_byte(i);
      EXPECT_EQ(doc.text()[start - 1], '\n') << s.language;
      EXPECT_EQ(trees.root_at(start).id, trees.root(i).id) << s.language;
      EXPECT_EQ(trees.root_at(start - 1).id, trees.root(i - 1).id) << s.language;
      EXPECT_LT(trees.start_byte(i - 1), start) << s.language;
    }
  }
}

// Queries and scope walks on piece roots see document positions: the same symbols and scopes
// as on one tree.
TEST(PiecewiseParse, SymbolsAndScopesFromPiecesEqualThoseOfOneTree) {
  for (const Sample& s : samples()) {
    const Language* lang = language_by_id(s.language);
    Document doc(lang, s.text, 1, PositionEncoding::utf16, {}, kSmallPieces);
    const SyntaxTrees trees = doc.syntax();
    FullParse full = full_parse(lang, doc.text());
    const FileSymbols whole = extract_symbols(*lang, full.root(), doc.text());
    std::vector<std::string> want, have;
    for (const Symbol& sym : whole.symbols)
      want.push_back(sym.name + "@" + std::to_string(sym.bytes.start) + "-" + std::to_string(sym.bytes.end) + ":" +
                     std::to_string(sym.start_line) + "/" + sym.container);
    for (std::size_t i = 0; i < trees.size(); ++i)
      for (const Symbol& sym : extract_symbols(*lang, trees.root(i), doc.text()).symbols)
        if (trees.shows(i, sym.bytes.start))
          have.push_back(sym.name + "@" + std::to_string(sym.bytes.start) + "-" + std::to_string(sym.bytes.end) + ":" +
                       std::to_string(sym.start_line) + "/" + sym.container);
    EXPECT_GT(want.size(), 20u) << s.language;
    EXPECT_EQ(have, want) << s.language;
    std::mt19937 rng(7);
    for (int k = 0; k < 100; ++k) {
      const auto byte = static_cast<std::uint32_t>(rng() % doc.text().size());
      std::string a, b;
      for (const Scope& sc : enclosing_scopes(*lang, full.root(), doc.text(), byte)) a += sc.kind + ":" + sc.name + " ";
      for (const Scope& sc : enclosing_scopes(*lang, trees.root_at(byte), doc.text(), byte)) b += sc.kind + ":" + sc.name + " ";
      EXPECT_EQ(b, a) << s.language << " at byte " << byte;
    }
  }
}

// Random edits, kept while the text stays free of syntax errors and undone otherwise: whenever
// the text has no error the pieces equal one tree; pieces without error never disagree with one.
TEST(PiecewiseParse, RandomEditsAndTheirUndoingMatchOneTree) {
  const std::vector<std::string> inserts{"x", "_y", " ", "\n", "(", ")", "{", "}", "[", "]", ";", ",", ":",
                                         "'", "\"", "\"\"\"", "/*", "*/", "//", "#", "\n\n", "    ", "\t",
                                         "return 1;", "\ndef g():\n    pass\n", "\nfunction q() {}\n", "😀", "中"};
  std::mt19937 rng(11);
  for (const Sample& s : samples()) {
    const Language* lang = language_by_id(s.language);
    Document doc(lang, s.text, 0, PositionEncoding::utf16, {}, kSmallPieces);
    int version = 0, kept = 0;
    for (int step = 0; step < 100; ++step) {
      const std::string before = doc.text();
      std::vector<TextChange> batch;
      std::string after = before;
      const int n = 1 + static_cast<int>(rng() % 2);
      for (int k = 0; k < n; ++k) {
        const std::size_t a = random_char_start(after, rng);
        std::size_t b = std::min(after.size(), a + (rng() % 4 == 0 ? rng() % 300 : rng() % 4));
        while (b < after.size() && (static_cast<unsigned char>(after[b]) & 0xC0) == 0x80) ++b;
        const std::string ins = rng() % 4 == 0 ? "" : inserts[rng() % inserts.size()];
        Document probe(nullptr, after, 0);  // positions of `after` (plain text: no parse)
        batch.push_back({Range{position_at(probe, a), position_at(probe, b)}, ins});
        after.replace(a, b - a, ins);
      }
      const std::string why = std::string(s.language) + " step " + std::to_string(step);
      ASSERT_TRUE(doc.apply(batch, ++version)) << why;
      ASSERT_EQ(doc.text(), after) << why;
      FullParse full = full_parse(lang, after);
      const SyntaxTrees trees = doc.syntax();
      if (!full.has_error() || !trees.has_error()) {
        ASSERT_EQ(difference(outline(trees), outline_of_children(full.root())), "") << why;
        if (!full.has_error()) {
          ++kept;
          continue;
        }
      }
      // undo: the whole text back in one change, as an editor's undo might send it, or the
      // exact inverse edits
      if (rng() % 2 == 0) {
        ASSERT_TRUE(doc.apply(std::vector<TextChange>{{Range{{0, 0}, position_at(doc, after.size())}, before}},
                              ++version)) << why;
      } else {
        ASSERT_TRUE(doc.apply(std::vector<TextChange>{{std::nullopt, before}}, ++version)) << why;
      }
      ASSERT_EQ(doc.text(), before) << why;
      expect_same_as_one_tree(doc, lang, why + " (undone)");
    }
    EXPECT_GT(kept, 10) << s.language;
    EXPECT_GT(doc.syntax().size(), 5u) << s.language;
  }
}

// Typing-like edits (one character at a time, then deleting it again) at every piece boundary
// and around it: the pieces follow.
TEST(PiecewiseParse, KeystrokesAroundEveryBoundaryMatchOneTree) {
  for (const Sample& s : samples()) {
    const Language* lang = language_by_id(s.language);
    Document doc(lang, s.text, 0, PositionEncoding::utf16, {}, kSmallPieces);
    const SyntaxTrees trees = doc.syntax();
    std::vector<std::uint32_t> boundaries;
    for (std::size_t i = 1; i < trees.size(); ++i)  // the first token of each piece
      boundaries.push_back(static_cast<std::uint32_t>(doc.text().find_first_not_of(" \t", trees.start_byte(i))));
    int version = 0;
    for (std::size_t k = 0; k < boundaries.size(); k += 4)
      for (int delta : {-2, 0, 1}) {
        const std::uint32_t b = boundaries[k];
        const std::size_t at = static_cast<std::size_t>(static_cast<std::int64_t>(b) + delta);
        if (at > doc.text().size()) continue;
        const Position p = position_at(doc, at);
        for (const char* typed : {"x", "\n", ";", "("}) {
          ASSERT_TRUE(doc.apply(std::vector<TextChange>{{Range{p, p}, typed}}, ++version));
          FullParse full = full_parse(lang, doc.text());
          if (!full.has_error() || !doc.syntax().has_error()) {
            ASSERT_EQ(difference(outline(doc.syntax()), outline_of_children(full.root())), "") << s.language << " at " << at << " typed " << typed;
          }
          const Position end = position_at(doc, at + std::string(typed).size());
          ASSERT_TRUE(doc.apply(std::vector<TextChange>{{Range{p, end}, ""}}, ++version));
          expect_same_as_one_tree(doc, lang, std::string(s.language) + " undo at " + std::to_string(at));
        }
      }
  }
}

// JavaScript: `let v = f` followed by `(g);` on the next line is a call `f(g)`. With the
// semicolon, the two are separate statements and may land in different pieces; deleting it must
// join them again.
TEST(PiecewiseParse, AnItemThatNowRunsOnTakesInTheNextPiece) {
  const Language* js = language_by_id("javascript");
  std::string text = numbered("let v$ = f$;\n(g$);\n", 200);
  Document doc(js, text, 0, PositionEncoding::utf16, {}, kSmallPieces);
  const SyntaxTrees trees = doc.syntax();
  ASSERT_GT(trees.size(), 5u);
  int joined = 0, version = 0;
  for (std::size_t i = trees.size() - 1; i > 0; --i) {  // from the end, so earlier offsets hold
    const TSNode first = ts_node_child(doc.syntax().root(i), 0);
    const std::uint32_t start = ts_node_start_byte(first);
    if (doc.text()[start] != '(') continue;
    ASSERT_EQ(doc.text()[start - 2], ';');
    const Position semi = position_at(doc, start - 2);
    ASSERT_TRUE(doc.apply(std::vector<TextChange>{{Range{semi, {semi.line, semi.character + 1}}, ""}}, ++version));
    expect_same_as_one_tree(doc, js, "after deleting the semicolon before piece " + std::to_string(i));
    ++joined;
  }
  EXPECT_GT(joined, 0);
  EXPECT_EQ(doc.syntax().sexp().find("(call_expression function: (identifier) arguments: (arguments (identifier)))") !=
                std::string::npos,
            true);
}

// Python: indenting the first line of a piece moves that function into the one before.
TEST(PiecewiseParse, EditingAPiecesFirstTokenJoinsItWithThePieceBefore) {
  const Language* py = language_by_id("python");
  Document doc(py, numbered("def f$(a):\n    x = a + $\n    return x\n\n", 200), 0, PositionEncoding::utf16, {},
               kSmallPieces);
  const SyntaxTrees trees = doc.syntax();
  ASSERT_GT(trees.size(), 5u);
  int version = 0;
  for (std::size_t i = trees.size() - 1; i > 0; i -= 2) {
    const std::uint32_t start = ts_node_start_byte(ts_node_child(doc.syntax().root(i), 0));
    const Position p = position_at(doc, start);
    ASSERT_TRUE(doc.apply(std::vector<TextChange>{{Range{p, p}, "    "}}, ++version));
    expect_same_as_one_tree(doc, py, "after indenting piece " + std::to_string(i));
    if (i < 2) break;
  }
}

// The LSP flow: several changes recorded without parsing (the stop token already fired), in
// different pieces and across them, then one reparse; and a reparse cut short, then finished.
TEST(PiecewiseParse, EditsRecordedWithoutParsingThenOneReparse) {
  const Language* c = language_by_id("c");
  const Sample s = samples()[3];
  Document doc(c, s.text, 0, PositionEncoding::utf16, {}, kSmallPieces);
  std::stop_source fired;
  fired.request_stop();
  std::mt19937 rng(5);
  int version = 0;
  for (int round = 0; round < 20; ++round) {
    for (int k = 0; k < (getenv("N") ? atoi(getenv("N")) : 6); ++k) {
      const std::size_t a = random_char_start(doc.text(), rng);
      const std::size_t b = std::min(doc.text().size(), a + rng() % (k == 0 ? 500 : 3));
      const std::vector<TextChange> change{{Range{position_at(doc, a), position_at(doc, b)}, k % 2 ? "x" : "\n"}};
      auto r = doc.apply(change, ++version, ParseLimits{fired.get_token(), {}});
      ASSERT_TRUE(r);
      EXPECT_EQ(*r, ParseStatus::stale);
      EXPECT_FALSE(doc.tree_current());
    }
    EXPECT_EQ(doc.reparse(), ParseStatus::parsed);
    EXPECT_TRUE(doc.tree_current());
    FullParse full = full_parse(c, doc.text());
    if (!full.has_error() || !doc.syntax().has_error()) {
      ASSERT_EQ(difference(outline(doc.syntax()), outline_of_children(full.root())), "") << round;
    }
    ASSERT_TRUE(doc.apply(std::vector<TextChange>{{std::nullopt, s.text}}, ++version));
    expect_same_as_one_tree(doc, c, "round " + std::to_string(round));
  }
}

// The default piece size on a 5,000-line file: many pieces, one tree's nodes, and a keystroke
// in the middle reparses one piece (the others keep their very trees).
TEST(PiecewiseParse, AKeystrokeReparsesOnlyThePieceItLandsIn) {
  const Language* py = language_by_id("python");
  Document doc(py, numbered("def f$(a):\n    x = a + $\n    return x\n\n", 1250), 0);
  const SyntaxTrees before = doc.syntax();
  ASSERT_GT(before.size(), 10u);
  const std::uint32_t middle = static_cast<std::uint32_t>(doc.text().size() / 2);
  const std::size_t edited = [&] {
    for (std::size_t i = 0; i + 1 < before.size(); ++i)
      if (ts_node_start_byte(before.root(i + 1)) > middle) return i;
    return before.size() - 1;
  }();
  // rename `x` in the body of a function in the middle: no boundary is near
  std::uint32_t line = doc.position_of(middle).line;
  while (doc.text().compare(doc.lines().line_start(line), 8, "    x = ") != 0) ++line;
  const Position p{line, 5};
  ASSERT_TRUE(doc.apply(std::vector<TextChange>{{Range{p, p}, "z"}}, 1));
  const SyntaxTrees after = doc.syntax();
  ASSERT_EQ(after.size(), before.size());
  for (std::size_t i = 0; i < before.size(); ++i) {
    if (i == edited) continue;
    EXPECT_EQ(ts_node_start_byte(after.root(i)), ts_node_start_byte(before.root(i)) + (i > edited ? 1 : 0)) << i;
    EXPECT_EQ(node_sexp(after.root(i)), node_sexp(before.root(i))) << i;
  }
  EXPECT_EQ(doc.take_retired_trees().size(), 1u);  // only the edited piece's old tree
  expect_same_as_one_tree(doc, py, "keystroke");
}

// Larger texts get larger pieces (PiecewiseTree::kPiecesAtMost), so that the edits that move
// every later piece stay cheap: 20,000 lines are cut into about 128 pieces, not 650.
TEST(PiecewiseParse, ALargeTextGetsLargerPieces) {
  const Language* c = language_by_id("c");
  Document doc(c, numbered("int f$(int x) { return x + $; }\n", 20000), 0);
  const std::size_t pieces = doc.syntax().size();
  EXPECT_GE(pieces, PiecewiseTree::kPiecesAtMost / 2);
  EXPECT_LE(pieces, PiecewiseTree::kPiecesAtMost + 1);
  const Position p{10000, 4};
  ASSERT_TRUE(doc.apply(std::vector<TextChange>{{Range{p, p}, "z"}}, 1));
  EXPECT_EQ(doc.take_retired_trees().size(), 1u);
  expect_same_as_one_tree(doc, c, "keystroke in a large text");
}

// A comment opened in one piece and closed by the end of a comment in a later one: each piece
// alone has an error, the whole text has none. Deferred (as the LSP store does), the pieces come
// first and check_whole() then rebuilds them from the whole tree; not deferred, apply() does both.
TEST(PiecewiseParse, TheWholeCheckFindsACommentThatSpansPieces) {
  const Language* c = language_by_id("c");
  const std::string text = numbered("int f$(int x) {\n  return x + $;\n}\n\n", 200) + "/* the end */\nint last;\n";
  for (bool deferred : {true, false}) {
    Document doc(c, text, 0, PositionEncoding::utf16, {}, kSmallPieces);
    doc.defer_whole_check(deferred);
    ASSERT_GT(doc.syntax().size(), 5u);
    const Position top{2, 1};  // after the first function's closing brace
    ASSERT_TRUE(doc.apply(std::vector<TextChange>{{Range{top, top}, " /*"}}, 1));
    ASSERT_FALSE(full_parse(c, doc.text()).has_error());
    if (deferred) {
      EXPECT_TRUE(doc.syntax().has_error());  // the piece with "/*" alone
      EXPECT_TRUE(doc.whole_check_pending());
      EXPECT_TRUE(doc.check_whole());
    }
    EXPECT_FALSE(doc.whole_check_pending());
    expect_same_as_one_tree(doc, c, deferred ? "deferred" : "in apply");
    // one item is now a comment over nearly all the text; without it, pieces again
    ASSERT_TRUE(doc.apply(std::vector<TextChange>{{Range{top, {2, 4}}, ""}}, 2));
    expect_same_as_one_tree(doc, c, "undone");
    EXPECT_GT(doc.syntax().size(), 5u);
  }
}

// A file that is one class is cut between the class's members, each piece holding the class's
// head and tail. Edits to the head or the tail keep the pieces (the first or last reparses);
// edits to the class's own braces, or that end the class early, make it one piece again, until
// the text is whole again.
TEST(PiecewiseParse, AFileThatIsOneClassIsCutBetweenItsMembers) {
  const Language* java = language_by_id("java");
  const Sample s = samples()[6];
  ASSERT_EQ(std::string(s.language), "java");
  Document doc(java, s.text, 0, PositionEncoding::utf16, {}, kSmallPieces);
  const std::size_t pieces = doc.syntax().size();
  ASSERT_GT(pieces, 5u);
  doc.take_retired_trees();
  int version = 0;
  auto edit = [&](std::uint32_t line, std::uint32_t from, std::uint32_t to, const std::string& with) {
    ASSERT_TRUE(doc.apply(std::vector<TextChange>{{Range{{line, from}, {line, to}}, with}}, ++version));
  };
  // a keystroke in a member in the middle: one piece reparsed
  const std::uint32_t middle_line = doc.position_of(static_cast<std::uint32_t>(doc.text().size() / 2)).line;
  edit(middle_line, 0, 0, " ");
  EXPECT_EQ(doc.take_retired_trees().size(), 1u);
  expect_same_as_one_tree(doc, java, "keystroke in a member");
  // the class's name: the first piece reparses, the others catch up in the check afterwards
  doc.defer_whole_check(true);
  edit(4, 13, 16, "Bigger");
  EXPECT_EQ(doc.take_retired_trees().size(), 1u);
  expect_same_as_one_tree(doc, java, "renamed");
  EXPECT_TRUE(doc.whole_check_pending());
  EXPECT_TRUE(doc.check_whole());
  EXPECT_EQ(doc.take_retired_trees().size(), pieces - 1);
  EXPECT_FALSE(doc.whole_check_pending());
  expect_same_as_one_tree(doc, java, "renamed, all pieces current");
  EXPECT_EQ(doc.syntax().size(), pieces);
  doc.defer_whole_check(false);
  edit(2, 0, 0, "import java.util.Map;\n");  // the head grows a line
  expect_same_as_one_tree(doc, java, "import added");
  EXPECT_EQ(doc.syntax().size(), pieces);
  const std::uint32_t last_line = doc.position_of(static_cast<std::uint32_t>(doc.text().size())).line;
  edit(last_line, 0, 0, "\nclass Other { int z; }\n");  // the tail grows a class
  expect_same_as_one_tree(doc, java, "class added after");
  EXPECT_EQ(doc.syntax().size(), pieces);
  // the class's `{` deleted: parsed afresh (broken), then framed again once it is back
  const std::uint32_t brace = static_cast<std::uint32_t>(doc.text().find("Bigger {") + 7);
  const Position at = doc.position_of(brace);
  edit(at.line, at.character, at.character + 1, "");
  expect_same_as_one_tree(doc, java, "brace deleted");
  edit(at.line, at.character, at.character, "{");
  expect_same_as_one_tree(doc, java, "brace restored");
  EXPECT_EQ(doc.syntax().size(), pieces);
  // a `}` that ends the class in the middle: the body changed, so one piece; removed, pieces
  edit(middle_line, 0, 0, "}");
  expect_same_as_one_tree(doc, java, "class ended early");
  edit(middle_line, 0, 1, "");
  expect_same_as_one_tree(doc, java, "class whole again");
  EXPECT_EQ(doc.syntax().size(), pieces);
}

}  // namespace
}  // namespace coderx::context
