#include "bench_context_sources.h"

#include <string_view>

namespace coderx::bench {

namespace {

// `units` copies of `unit` with every "@" replaced by the unit's number, between head and tail.
std::string repeat(std::string_view head, std::string_view unit, int units, std::string_view tail) {
  std::string out(head);
  for (int i = 0; i < units; ++i) {
    const std::string n = std::to_string(i);
    for (char c : unit) {
      if (c == '@') out += n;
      else out += c;
    }
  }
  out += tail;
  return out;
}

std::string c_long() {
  std::string text;
  for (int f = 0; f < 50; ++f) {
    text += "int func" + std::to_string(f) + "(int a, int b) {\n  int c = 0;\n";
    for (int l = 0; l < 97; ++l) text += "  c += a * " + std::to_string(l) + " + b;\n";
    text += "}\n";
  }
  return text;
}

}  // namespace

std::vector<BenchSource> keystroke_sources() {
  std::vector<BenchSource> out;
  out.push_back({"c (1,000 small functions)", "c",
                 repeat("", "int func@(int a, int b) {\n  int c = a * @;\n  c += b;\n  return c;\n}\n", 1000, "")});
  out.push_back({"c (50 long functions)", "c", c_long()});
  out.push_back({"cpp (1,000 functions in a namespace)", "cpp",
                 repeat("#include <vector>\n\nnamespace bench {\n",
                        "int func@(const std::vector<int>& v, int b) {\n  int c = static_cast<int>(v.size()) * @;\n"
                        "  c += b;\n  return c;\n}\n",
                        1000, "}  // namespace bench\n")});
  out.push_back({"python (1,000 functions)", "python",
                 repeat("", "def func@(a, b):\n    c = a * @\n    c += b\n    return c\n\n", 1000, "")});
  out.push_back({"python (500 functions of 10 lines)", "python",
                 repeat("", "def function_@(value):\n    value = value * 3 + 1\n    value = value * 3 + 2\n"
                            "    value = value * 3 + 3\n    value = value * 3 + 4\n    value = value * 3 + 5\n"
                            "    value = value * 3 + 6\n    value = value * 3 + 7\n    value = value * 3 + 8\n"
                            "    value = value * 3 + 9\n", 500, "")});
  out.push_back({"python (1,000 methods in a class)", "python",
                 repeat("class Bench:\n", "    def func@(self, a, b):\n        c = a * @\n        c += b\n        return c\n\n",
                        1000, "")});
  out.push_back({"javascript (1,000 functions)", "javascript",
                 repeat("", "function func@(a, b) {\n  let c = a * @;\n  c += b;\n  return c;\n}\n", 1000, "")});
  out.push_back({"typescript (1,000 functions)", "typescript",
                 repeat("", "export function func@(a: number, b: number): number {\n  let c: number = a * @;\n"
                            "  c += b;\n  return c;\n}\n", 1000, "")});
  out.push_back({"go (1,000 functions)", "go",
                 repeat("package bench\n\n", "func func@(a int, b int) int {\n\tc := a * @\n\tc += b\n\treturn c\n}\n",
                        1000, "")});
  out.push_back({"rust (1,000 functions)", "rust",
                 repeat("", "pub fn func@(a: i64, b: i64) -> i64 {\n    let mut c = a * @;\n    c += b;\n    c\n}\n",
                        1000, "")});
  out.push_back({"java (1,000 methods in a class)", "java",
                 repeat("public class Bench {\n",
                        "  static int func@(int a, int b) {\n    int c = a * @;\n    c += b;\n    return c;\n  }\n",
                        1000, "}\n")});
  return out;
}

}  // namespace coderx::bench
