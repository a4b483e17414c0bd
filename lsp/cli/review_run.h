// The work behind `coderx review`: diff through git, skip files nobody should review, gather
// the enclosing code per hunk, ask the generator for findings (`jobs` hunks at a time), place,
// filter and format them. cmd_review.cpp parses the options; tests call review_diff() in-process
// with a scripted generator.
// A hunk too large for one prompt is reviewed in pieces (features::review_pieces).
// Errors: git failures, an unparsable diff, or every generation failing → Error (nothing
// printed). When only some hunks fail, the others' findings stand and the report's summary
// says how many hunks could not be reviewed and why.
// Threading: one call at a time per ReviewRun; the generator is called from `jobs` threads.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

#include "lsp/cli/review_format.h"
#include "lsp/features/generator.h"
#include "lsp/features/review.h"
#include "model/error.h"

namespace coderx::cli {

struct ReviewOptions {
  std::filesystem::path repo = ".";
  std::string base;  // "" with head "": working tree vs HEAD
  std::string head;  // "" with a base: HEAD
  features::ReviewFilter filter;
  bool include_generated = false;
  std::size_t jobs = 1;
  features::Budgets budgets{4096, 0, 512, std::chrono::milliseconds(120000)};
};

struct ReviewResult {
  ReviewReport report;
  std::size_t files_reviewed = 0;
  std::size_t files_skipped = 0;
  std::size_t hunks = 0;
  // Of every finding at or above the minimum severity, before --max-findings cut the list.
  std::optional<features::Severity> most_severe;
};

model::Result<ReviewResult> review_diff(const ReviewOptions& options, features::TextGenerator& generator);

// 1 when some finding is at least `fail_level`, else 0: findings that --max-findings left
// out of the report count too (`--max-findings 0 --fail-level error` gates without comments).
int review_exit_code(const ReviewResult& result, std::optional<features::Severity> fail_level);

}  // namespace coderx::cli
