// cut(): table-driven cases per language. Each row: prefix | candidate | suffix -> expected.
// Good candidates are kept whole; broken ones are trimmed to the longest clean line prefix;
// the enclosing block ends the completion; text repeated by the suffix is removed.
#include "context/cut.h"

#include <gtest/gtest.h>

namespace coderx::context {
namespace {

struct Case {
  const char* name;
  const char* language;  // "" = no grammar
  const char* prefix;
  const char* candidate;
  const char* suffix;
  const char* expected;
  bool single_line = false;
};

const Case kCases[] = {
    // Python
    {"py_good_body_kept", "python", "def f(x):\n    ", "y = x + 1\n    return y\n", "\n", "y = x + 1\n    return y"},
    {"py_dedent_ends_block", "python", "def f(x):\n    ", "return x\n\ndef g():\n    pass\n", "\n", "return x"},
    {"py_broken_tail_trimmed", "python", "def f(x):\n    ", "y = x\n    z = (y +\n", "\n", "y = x"},
    {"py_duplicate_suffix_lines", "python", "def f(x):\n    ", "y = 1\n    return y\n", "\n    return y\n", "y = 1"},
    // The block ends first, so the lines before its end that the suffix repeats go too.
    {"py_block_end_then_suffix_lines", "python", "def f(x):\n    ", "y = 1\n    return y\ndef g():\n    pass\n",
     "\n    return y\n", "y = 1"},
    {"py_single_line", "python", "value = compute(", "1, 2)\nprint(value)\n", "\n", "1, 2)", true},
    // C
    {"c_good_statements", "c", "int f(int x) {\n  ", "int y = x * 2;\n  return y;\n", "\n}\n", "int y = x * 2;\n  return y;"},
    {"c_stops_at_block_end", "c", "int f(int x) {\n  ", "return x;\n}\n\nint g(void) { return 0; }\n", "\n}\n", "return x;"},
    {"c_broken_trimmed", "c", "int f(int x) {\n  ", "int y = x;\n  if (y > 0 {\n", "\n}\n", "int y = x;"},
    {"c_auto_closed_paren", "c", "int f(int x) {\n  return g(", "x, 1);", ");\n}\n", "x, 1"},
    // C++
    {"cpp_member", "cpp", "struct S {\n  ", "int get() const { return v; }\n  int v;\n", "\n};\n", "int get() const { return v; }\n  int v;"},
    // JavaScript / TypeScript
    {"js_good", "javascript", "function f(a) {\n  ", "const b = a + 1;\n  return b;\n", "\n}\n", "const b = a + 1;\n  return b;"},
    {"js_unclosed_string_trimmed", "javascript", "function f(a) {\n  ", "const b = a;\n  const c = 'oops\n", "\n}\n", "const b = a;"},
    {"ts_typed", "typescript", "function f(a: number): number {\n  ", "const b: number = a * 2;\n  return b;\n}\n", "\n", "const b: number = a * 2;\n  return b;\n}"},
    // Go
    {"go_good", "go", "package m\n\nfunc F(x int) int {\n\t", "y := x + 1\n\treturn y\n", "\n}\n", "y := x + 1\n\treturn y"},
    {"go_block_end", "go", "package m\n\nfunc F(x int) int {\n\t", "return x\n}\n\nfunc G() {}\n", "\n}\n", "return x"},
    // Rust
    {"rust_good", "rust", "fn f(x: i32) -> i32 {\n    ", "let y = x + 1;\n    y\n", "\n}\n", "let y = x + 1;\n    y"},
    {"rust_broken", "rust", "fn f(x: i32) -> i32 {\n    ", "let y = x + 1;\n    let z = match y {\n", "\n}\n", "let y = x + 1;"},
    // Java
    {"java_good", "java", "class A {\n  int f(int x) {\n    ", "int y = x;\n    return y;\n", "\n  }\n}\n", "int y = x;\n    return y;"},
    // JSON
    {"json_value", "json", "{\"a\": ", "[1, 2, 3]", "}\n", "[1, 2, 3]"},
    // Bash
    {"bash_good", "shellscript", "deploy() {\n  ", "echo start\n  run_all\n", "\n}\n", "echo start\n  run_all"},
    // No grammar: indentation and brackets only
    {"plain_dedent", "", "section:\n    ", "item one\n    item two\nother:\n", "", "item one\n    item two"},
    {"plain_bracket", "", "call(\n  ", "a, b)\nnext()\n", "", "a, b)"},
};

class CutTable : public ::testing::TestWithParam<Case> {};

TEST_P(CutTable, Trims) {
  const Case& c = GetParam();
  CutRequest r;
  r.language = *c.language ? language_by_id(c.language) : nullptr;
  r.prefix = c.prefix;
  r.candidate = c.candidate;
  r.suffix = c.suffix;
  r.single_line = c.single_line;
  const CutResult out = cut(r);
  EXPECT_EQ(out.text, c.expected) << c.name << " (" << out.reason << ")";
}

INSTANTIATE_TEST_SUITE_P(Languages, CutTable, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(Cut, GarbageNeverCrashesAndNeverGrows) {
  const char* inputs[] = {"\xff\xfe\x00garbage", "))))}}}}", "", "\n\n\n", "'''\"\"\"`"};
  for (const Language& lang : all_languages())
    for (const char* in : inputs) {
      CutRequest r{&lang, "x = ", in, "\n", false, {}};
      EXPECT_LE(cut(r).text.size(), std::string_view(in).size());
    }
}

}  // namespace
}  // namespace coderx::context
