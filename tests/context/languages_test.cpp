// Smoke test of every bundled tree-sitter grammar: each parses a small valid program into a
// tree without ERROR or MISSING nodes, and a broken one into a tree that has them.
#include "context/languages.h"

#include <gtest/gtest.h>
#include <tree_sitter/api.h>

#include <map>
#include <string>

namespace coderx::context {
namespace {

const std::map<std::string, std::string>& samples() {
  static const std::map<std::string, std::string> s{
      {"c", "int add(int a, int b) { return a + b; }\n"},
      {"cpp", "template <class T> struct Box { T v; T get() const { return v; } };\n"},
      {"python", "def add(a, b):\n    return a + b\n"},
      {"javascript", "export function add(a, b) { return a + b; }\n"},
      {"typescript", "export function add(a: number, b: number): number { return a + b; }\n"},
      {"typescriptreact", "const App = () => <div className=\"x\">{1 + 2}</div>;\n"},
      {"go", "package main\n\nfunc add(a int, b int) int { return a + b }\n"},
      {"rust", "fn add(a: i32, b: i32) -> i32 { a + b }\n"},
      {"java", "class A { int add(int a, int b) { return a + b; } }\n"},
      {"json", "{\"a\": [1, 2, {\"b\": null}]}\n"},
      {"shellscript", "add() { echo $(( $1 + $2 )); }\nadd 1 2\n"},
  };
  return s;
}

bool parses_cleanly(const Language& lang, const std::string& text) {
  TSParser* parser = ts_parser_new();
  EXPECT_TRUE(ts_parser_set_language(parser, lang.grammar)) << lang.id << ": ABI mismatch";
  TSTree* tree = ts_parser_parse_string(parser, nullptr, text.data(), text.size());
  bool clean = tree && !ts_node_has_error(ts_tree_root_node(tree));
  ts_tree_delete(tree);
  ts_parser_delete(parser);
  return clean;
}

TEST(Languages, EveryGrammarParsesItsSample) {
  ASSERT_EQ(all_languages().size(), samples().size());
  for (const Language& lang : all_languages()) {
    auto it = samples().find(std::string(lang.id));
    ASSERT_NE(it, samples().end()) << "no sample for " << lang.id;
    EXPECT_TRUE(parses_cleanly(lang, it->second)) << lang.id;
  }
}

TEST(Languages, BrokenInputYieldsErrorNodes) {
  for (const Language& lang : all_languages()) {
    if (lang.id == "shellscript") continue;  // bash accepts almost anything as words
    EXPECT_FALSE(parses_cleanly(lang, "}}} ((( ;;; @@@ <<<")) << lang.id;
  }
}

TEST(Languages, LookupByIdAndExtension) {
  ASSERT_NE(language_by_id("python"), nullptr);
  EXPECT_EQ(language_by_extension(".PY"), language_by_id("python"));
  EXPECT_EQ(language_by_extension(".tsx")->id, "typescriptreact");
  EXPECT_EQ(language_by_extension(".hpp")->id, "cpp");
  EXPECT_EQ(language_by_id("cobol"), nullptr);
  EXPECT_EQ(language_by_extension(".xyz"), nullptr);
}

TEST(Languages, ShebangDetection) {
  EXPECT_EQ(language_by_shebang("#!/usr/bin/env python3\nprint(1)\n"), language_by_id("python"));
  EXPECT_EQ(language_by_shebang("#!/usr/bin/python3.11 -u"), language_by_id("python"));
  EXPECT_EQ(language_by_shebang("#! /bin/bash -e"), language_by_id("shellscript"));
  EXPECT_EQ(language_by_shebang("#!/bin/sh"), language_by_id("shellscript"));
  EXPECT_EQ(language_by_shebang("#!/usr/bin/env -S node --experimental"), language_by_id("javascript"));
  EXPECT_EQ(language_by_shebang("#!/usr/bin/env ts-node"), language_by_id("typescript"));
  EXPECT_EQ(language_by_shebang("#!/usr/bin/perl"), nullptr);
  EXPECT_EQ(language_by_shebang("# not a shebang"), nullptr);
  EXPECT_EQ(language_by_shebang(""), nullptr);
  EXPECT_EQ(language_for_file("tools/deploy", "#!/bin/bash\n"), language_by_id("shellscript"));
  EXPECT_EQ(language_for_file("a/b.rs", "#!/bin/bash\n"), language_by_id("rust"));  // extension first
  EXPECT_EQ(language_for_file(".bashrc", ""), nullptr);  // a dot file has no extension
}

}  // namespace
}  // namespace coderx::context
