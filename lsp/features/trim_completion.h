// Trimming of a generated completion to what an editor should show, through the syntax-aware
// context::cut (context/cut.h): a single line when the cursor is mid-line; text that repeats
// the code after the cursor removed; multi-line completions end with the enclosing block and
// keep only the longest whole-line prefix that parses (tree-sitter) without new errors. Before
// cut, anything from a markdown fence on is dropped; after it, at most `max_lines` lines stay.
// Pure functions; thread-safe. Never fails: the worst case is "".
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "context/languages.h"

namespace coderx::features {

struct TrimRequest {
  const context::Language* language = nullptr;  // null: bracket and indentation rules only
  std::string_view prefix;                      // document text before the cursor
  std::string_view suffix;                      // document text after the cursor
  std::size_t max_lines = 16;
  std::chrono::milliseconds parse_time{100};    // for all of cut's parses together
  // cut sees the top-level construct around the cursor (from the nearest line at column 0
  // before it to the next one after it), at most this many lines each way.
  std::size_t region_lines = 400;
};

std::string trim_completion(std::string_view generated, const TrimRequest& at);

// Stop strings (GenerationInput::stops) at which a completion can end without changing what
// trim_completion keeps of it: a markdown fence, and in single-line mode (the rest of the cursor's
// line, the start of `suffix`, is not blank) the first newline.
std::vector<std::string> completion_stops(std::string_view suffix);

// Whether trim_completion keeps the same of `generated` however it goes on, so the generation can
// end now: it holds a fence, or a newline in single-line mode, or the enclosing block has ended
// on a line that cannot still turn into a fence. Checked on the answer as it streams.
bool completion_settled(std::string_view generated, const TrimRequest& at);

// The fenced code block of a chat answer ("```lang\n...\n```"), or the whole answer trimmed.
std::string extract_code(std::string_view answer);
// Whether extract_code keeps the same of `answer` however it goes on: its first fenced block has
// closed (what a model writes after it, an explanation say, would be dropped).
bool code_block_closed(std::string_view answer);

}  // namespace coderx::features
