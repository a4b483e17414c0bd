// Asking the model for review findings about one diff hunk, and reading its answer back.
//
// The prompt shows the hunk (unified diff lines with new-file line numbers) and the whole
// enclosing functions of the new file, and asks for a line-oriented answer — no JSON, so a
// small model's slips cost one finding, not the whole answer:
//
//   finding: <info|warning|error> <LINE>[-<LINE>] <rule-id>: <message>
//   suggest: <replacement line>        (zero or more, right after a finding)
//   summary: <one overall note>
//
// Anything else (prose, fences, thinking leaks) is ignored. Line numbers are new-file lines;
// place_findings() (review.h) later validates them against the diff.
// Used by `coderx review`. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lsp/features/diff.h"
#include "lsp/features/generator.h"
#include "lsp/features/review.h"

namespace coderx::features {

struct HunkReviewRequest {
  std::string path;           // new-file path
  const Hunk* hunk = nullptr;  // must outlive the call
  std::string scope_names;    // "Parser::parse_header, helper" (may be empty)
  std::string scope_text;     // enclosing functions' text from the new file (may be empty)
};

GenerationInput review_prompt(const HunkReviewRequest& request, const Budgets& budgets);

// A hunk too large for one prompt (a new file of thousands of lines) as consecutive pieces of at
// most kMaxPieceLines lines and about kMaxPieceBytes bytes, each reviewed on its own; one piece
// for a small hunk. A single line is cut to kMaxLineBytes (minified code).
inline constexpr std::size_t kMaxPieceLines = 300, kMaxPieceBytes = 8000, kMaxLineBytes = 1000;
std::vector<Hunk> review_pieces(const Hunk& hunk);

struct ReviewAnswer {
  std::vector<Finding> findings;
  std::string summary;  // "" when the model gave none
};

ReviewAnswer parse_review_answer(std::string_view path, std::string_view answer);

}  // namespace coderx::features
