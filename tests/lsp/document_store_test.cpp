// DocumentStore: edits apply at once (text and version) while the parse runs on the store's
// thread; get_parsed() returns the latest version's tree — compared with a fresh parse of the
// same text (an independent second path) — never a stale one; bursts of edits, close during a
// parse, plain-text documents; recent edits merge while typing; open documents for gather.
#include "lsp/server/document_store.h"

#include <gtest/gtest.h>

#include "context/parse.h"

namespace coderx::server {
namespace {

lsp::TextDocumentItem item(const std::string& uri, std::string text, int version = 1,
                           std::string language = "python") {
  return {uri, std::move(language), version, std::move(text)};
}

lsp::DidChangeTextDocumentParams insert(const std::string& uri, int version, std::uint32_t line,
                                        std::uint32_t character, std::string text) {
  lsp::DidChangeTextDocumentParams p;
  p.text_document.uri = uri;
  p.text_document.version = version;
  lsp::Position at{line, character};
  p.content_changes.push_back({lsp::Range{at, at}, std::move(text)});
  return p;
}

// The S-expression of a fresh, non-incremental parse of `text`.
std::string fresh_sexp(std::string_view text) {
  auto parser = context::make_parser(context::language_by_id("python")->grammar);
  auto tree = context::parse(parser.get(), text, nullptr, {});
  return context::node_sexp(ts_tree_root_node(tree->get()));
}

std::string big_python(int functions) {
  std::string s;
  for (int i = 0; i < functions; ++i)
    s += "def f" + std::to_string(i) + "(a, b):\n    c = a + b * " + std::to_string(i) + "\n    return c\n\n";
  return s;
}

TEST(DocumentStore, AnEditIsVisibleAtOnceAndItsTreeFollows) {
  DocumentStore store;
  store.open(item("file:///a.py", big_python(300)));
  ASSERT_TRUE(store.change(insert("file:///a.py", 2, 0, 0, "x = 1\n")));
  auto latest = store.get("file:///a.py");
  ASSERT_TRUE(latest);
  EXPECT_EQ(latest->snapshot.version, 2);
  EXPECT_TRUE(latest->snapshot.text->starts_with("x = 1\ndef f0"));
  auto parsed = store.get_parsed("file:///a.py");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->snapshot.version, 2);
  ASSERT_TRUE(parsed->snapshot.tree_current);
  EXPECT_EQ(parsed->snapshot.trees.sexp(), fresh_sexp(*parsed->snapshot.text));
}

TEST(DocumentStore, ABurstOfKeystrokesEndsWithTheTreeOfTheLastVersion) {
  DocumentStore store;
  std::string text = big_python(800);
  store.open(item("file:///a.py", text));
  std::uint32_t line = 4 * 400 + 1;  // inside f400's body
  std::string typed = "    d = c * 2  # typed";
  for (std::size_t i = 0; i < typed.size(); ++i)
    ASSERT_TRUE(store.change(insert("file:///a.py", static_cast<int>(i) + 2, line, static_cast<std::uint32_t>(i),
                                    std::string(1, typed[i]))));
  auto parsed = store.get_parsed("file:///a.py");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->snapshot.version, static_cast<int>(typed.size()) + 1);
  ASSERT_TRUE(parsed->snapshot.tree_current);
  EXPECT_NE(parsed->snapshot.text->find(typed), std::string::npos);
  EXPECT_EQ(parsed->snapshot.trees.sexp(), fresh_sexp(*parsed->snapshot.text));
}

// A file that is one class is cut between its methods (context/piecewise_parse.h): an edit to
// the class's header or to its last method is reparsed by one piece, and the published trees
// are one tree's at once; the other pieces catch up in the background.
TEST(DocumentStore, AnEditToTheHeaderOrTheEndOfAOneClassFileGivesOneTreeAtOnce) {
  DocumentStore store;
  std::string text = "class Big:\n";
  for (int i = 0; i < 300; ++i)
    text += "    def m" + std::to_string(i) + "(self, a):\n        return a * " + std::to_string(i) + "\n\n";
  store.open(item("file:///big.py", text));
  auto parsed = store.get_parsed("file:///big.py");
  ASSERT_TRUE(parsed);
  EXPECT_GT(parsed->snapshot.trees.size(), 5u);
  ASSERT_TRUE(store.change(insert("file:///big.py", 2, 0, 9, "ger")));  // class Bigger:
  const std::uint32_t last_line = 1 + 3 * 299 + 1;                      // "        return a * 299"
  ASSERT_TRUE(store.change(insert("file:///big.py", 3, last_line, 22, " + 1")));
  parsed = store.get_parsed("file:///big.py");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->snapshot.version, 3);
  ASSERT_TRUE(parsed->snapshot.tree_current);
  EXPECT_TRUE(parsed->snapshot.text->starts_with("class Bigger:\n"));
  EXPECT_NE(parsed->snapshot.text->find("return a * 299 + 1\n"), std::string::npos);
  EXPECT_GT(parsed->snapshot.trees.size(), 5u);
  EXPECT_EQ(parsed->snapshot.trees.sexp(), fresh_sexp(*parsed->snapshot.text));
}

TEST(DocumentStore, PlainTextNeedsNoTreeAndUnknownDocumentsAreReported) {
  DocumentStore store;
  store.open(item("file:///notes.txt", "just words\n", 1, "plaintext"));
  auto parsed = store.get_parsed("file:///notes.txt");
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(parsed->snapshot.trees.empty());
  EXPECT_FALSE(store.get_parsed("file:///none.py"));
  EXPECT_FALSE(store.change(insert("file:///none.py", 2, 0, 0, "x")));
  lsp::DidChangeTextDocumentParams bad = insert("file:///notes.txt", 2, 0, 3, "x");
  bad.content_changes[0].range = lsp::Range{{0, 5}, {0, 1}};  // end before start
  EXPECT_FALSE(store.change(bad));
  EXPECT_FALSE(store.get("file:///notes.txt"));  // out of sync now (next test)
}

lsp::DidChangeTextDocumentParams full_text(const std::string& uri, int version, std::string text) {
  lsp::DidChangeTextDocumentParams p;
  p.text_document.uri = uri;
  p.text_document.version = version;
  p.content_changes.push_back({std::nullopt, std::move(text)});
  return p;
}

// A change the document cannot apply leaves its copy behind the editor's: no reader may see it,
// and later ranged changes (meant for the editor's text) must not be applied to it, until a
// full text brings it back.
TEST(DocumentStore, AFailedChangeHidesTheDocumentUntilAFullText) {
  DocumentStore store;
  store.open(item("file:///a.py", "x = 1\n"));
  store.open(item("file:///b.py", "y = 2\n"));
  lsp::DidChangeTextDocumentParams bad = insert("file:///a.py", 2, 0, 0, "z");
  bad.content_changes[0].range = lsp::Range{{0, 4}, {0, 1}};  // end before start
  auto failed = store.change(bad);
  ASSERT_FALSE(failed);
  EXPECT_NE(failed.error().message.find("end before start; the server's copy is now out of sync"), std::string::npos)
      << failed.error().message;
  EXPECT_TRUE(store.out_of_sync("file:///a.py"));
  EXPECT_FALSE(store.get("file:///a.py"));
  EXPECT_FALSE(store.get_parsed("file:///a.py"));
  EXPECT_FALSE(store.version("file:///a.py"));
  for (const auto& d : store.open_documents("file:///b.py")) EXPECT_NE(d.path, "file:///a.py");
  EXPECT_NE(store.unavailable("file:///a.py").find("out of sync with the editor since a change could not be "
                                                   "applied (version 2: invalid range"),
            std::string::npos)
      << store.unavailable("file:///a.py");
  EXPECT_EQ(store.unavailable("file:///none.py"), "document is not open: file:///none.py");

  auto ignored = store.change(insert("file:///a.py", 3, 0, 0, "# "));
  ASSERT_FALSE(ignored);
  EXPECT_NE(ignored.error().message.find("until a full-text change"), std::string::npos);
  EXPECT_FALSE(store.get("file:///a.py"));

  // A batch with a full text: what comes before it is dropped, what follows applies to it.
  lsp::DidChangeTextDocumentParams back = insert("file:///a.py", 4, 0, 0, "lost ");
  back.content_changes.push_back(full_text("file:///a.py", 4, "x = 10\n").content_changes[0]);
  back.content_changes.push_back(insert("file:///a.py", 4, 0, 0, "# ").content_changes[0]);
  ASSERT_TRUE(store.change(back));
  EXPECT_FALSE(store.out_of_sync("file:///a.py"));
  auto doc = store.get("file:///a.py");
  ASSERT_TRUE(doc);
  EXPECT_EQ(*doc->snapshot.text, "# x = 10\n");
  EXPECT_EQ(doc->snapshot.version, 4);
  ASSERT_TRUE(store.change(insert("file:///a.py", 5, 1, 0, "y = 1\n")));
  EXPECT_EQ(*store.get("file:///a.py")->snapshot.text, "# x = 10\ny = 1\n");

  // Reopening brings it back too.
  ASSERT_FALSE(store.change(bad));
  store.open(item("file:///a.py", "fresh\n", 9));
  EXPECT_EQ(store.version("file:///a.py"), 9);
}

TEST(DocumentStore, CloseWhileParsingAndAStoppedWaitReturnPromptly) {
  DocumentStore store;
  store.open(item("file:///a.py", big_python(3000)));
  EXPECT_TRUE(store.close("file:///a.py"));
  EXPECT_FALSE(store.get_parsed("file:///a.py"));
  store.open(item("file:///b.py", big_python(3000)));
  std::stop_source stop;
  stop.request_stop();
  auto now = store.get_parsed("file:///b.py", stop.get_token());  // gives up at once
  ASSERT_TRUE(now);
  EXPECT_EQ(now->snapshot.version, 1);
}

TEST(DocumentStore, TypingOnALineIsOneRecentEditAndOtherDocumentsAreOffered) {
  DocumentStore store;
  store.open(item("file:///a.py", "a = 1\nb = 2\nc = 3\n"));
  store.open(item("file:///b.py", "other = True\n"));
  ASSERT_TRUE(store.change(insert("file:///a.py", 2, 2, 5, "4")));
  ASSERT_TRUE(store.change(insert("file:///a.py", 3, 2, 6, "5")));
  ASSERT_TRUE(store.change(insert("file:///b.py", 2, 0, 0, "# new\n")));
  auto edits = store.recent_edits();
  ASSERT_EQ(edits.size(), 2u);
  EXPECT_EQ(edits[0].path, "file:///b.py");  // newest first
  EXPECT_EQ(edits[0].text, "# new\nother = True\n");
  EXPECT_EQ(edits[1].path, "file:///a.py");
  EXPECT_EQ(edits[1].start_line, 2u);
  EXPECT_EQ(edits[1].text, "c = 345\n");
  auto open = store.open_documents("file:///a.py");
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].path, "file:///b.py");
  EXPECT_EQ(open[0].text, "# new\nother = True\n");
  store.close("file:///b.py");
  EXPECT_EQ(store.recent_edits().size(), 1u);
}

}  // namespace
}  // namespace coderx::server
