// cut(): trims a generated completion before it is shown. In order:
//  1. single-line mode keeps the first line only (the cursor was mid-line);
//  2. the enclosing block ends the completion: a closing bracket that closes a block opened in
//     the prefix (brace languages; its line is kept), or a dedent below the block's indentation
//     (Python, and every language without a grammar);
//  3. text that duplicates the suffix is removed (trailing lines equal to the suffix's first
//     lines; a tail equal to the rest of the cursor line, e.g. an auto-closed ")");
//  4. with a grammar: the longest prefix of whole lines that adds no ERROR or MISSING node to
//     prefix + candidate + suffix (compared with prefix + suffix alone) and ends at a node
//     boundary; incremental reparses from the prefix + suffix tree keep this fast.
// Trailing whitespace is dropped. Used by lsp/features after generation.
// Threading: pure function (own parser per call). Never fails: the worst case is "".
#pragma once

#include "context/languages.h"
#include "context/parse.h"

#include <string>
#include <string_view>

namespace coderx::context {

struct CutRequest {
  const Language* language = nullptr;  // null: bracket and indentation rules only
  std::string_view prefix;             // document text before the cursor
  std::string_view candidate;          // generated text
  std::string_view suffix;             // document text after the cursor
  bool single_line = false;
  ParseLimits limits;                  // for all parses together
};

struct CutResult {
  std::string text;
  std::string reason;  // why it was trimmed ("" when kept whole)
};

CutResult cut(const CutRequest& request);

// Where rule 2 ends `text` (a candidate after rule 1): the start of the first line past the
// enclosing block, or text.size() while the block goes on. Text appended later never moves an
// end already found, and the rules after it see only what comes before it, so a generation can
// stop once there is one (see features::completion_settled).
std::size_t enclosing_block_end(const Language* language, std::string_view prefix, std::string_view text);

}  // namespace coderx::context
