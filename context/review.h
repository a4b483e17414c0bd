// Review helper: maps diff hunks (line ranges of a file's new version) to the functions and
// classes that enclose them, so a review comment can name "in Parser::parse_header" and the
// model can be shown whole functions. Used by lsp/features review and `coderx review`.
// Threading: pure function (own parser per call). Files without a grammar give no symbols.
#pragma once

#include "context/languages.h"
#include "context/symbols.h"

#include <string_view>
#include <vector>

namespace coderx::context {

struct LineSpan {
  std::uint32_t first = 0;  // 0-based, inclusive
  std::uint32_t last = 0;
};

struct HunkScope {
  LineSpan hunk;
  std::vector<Symbol> enclosing;  // outermost first; functions, methods, classes, ... that
                                  // overlap the hunk (a hunk over two functions names both)
};

std::vector<HunkScope> map_hunks(const Language* language, std::string_view text,
                                 const std::vector<LineSpan>& hunks);

}  // namespace coderx::context
