// Generated 5,000-line source files, one per language shape, for bench_context's keystroke
// measurement (incremental reparse after one keystroke). Most are 1,000 five-line functions
// at one level (a file or class body with many children: the hard case for tree-sitter's
// reuse); "c (50 long functions)" has 100-line functions. Deterministic; cannot fail.
#pragma once

#include <string>
#include <vector>

namespace coderx::bench {

struct BenchSource {
  std::string name;         // shown in the output: "c (1,000 small functions)", ...
  std::string language_id;  // for context::language_by_id
  std::string text;         // about 5,000 lines, free of syntax errors
};

std::vector<BenchSource> keystroke_sources();

}  // namespace coderx::bench
