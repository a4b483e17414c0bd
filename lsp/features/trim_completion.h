// Trimming of a generated completion to what an editor should show. Stand-in for the
// syntax-aware context::cut until it is wired: a single line when the cursor is mid-line;
// otherwise whole lines up to the end of the enclosing block (the first non-empty line indented
// less than the cursor's line), at most `max_lines`, without markdown fences or trailing blank
// lines. Pure function; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace coderx::features {

struct CursorLine {
  std::string_view before;  // text of the cursor's line before the cursor
  std::string_view after;   // text of the cursor's line after the cursor
};

std::string trim_completion(std::string_view generated, const CursorLine& line,
                            std::size_t max_lines);

// The fenced code block of a chat answer ("```lang\n...\n```"), or the whole answer trimmed.
std::string extract_code(std::string_view answer);

}  // namespace coderx::features
