// Output formats of `coderx review`: each turns placed findings (lsp/features/review.h) into the
// text a CI system consumes. One file per format:
//   github   — a pull-request review body for POST /repos/{o}/{r}/pulls/{n}/reviews: line comments
//              (suggestion blocks for replacements), file-level and summary notes in the body
//   gitlab   — a Code Quality report (JSON array; summary notes have no location and are left out)
//   sarif    — SARIF 2.1.0 (one run; fixes for replacements; partialFingerprints)
//   rdjsonl  — reviewdog diagnostics, one JSON object per line (summary notes left out)
//   markdown — for people
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lsp/features/review.h"

namespace coderx::cli {

enum class ReviewFormat { github, gitlab, sarif, rdjsonl, markdown };
std::optional<ReviewFormat> review_format_from_string(std::string_view name);

struct ReviewReport {
  std::vector<features::PlacedFinding> findings;
  std::string summary;       // the reviewer's overall note (may be empty)
  std::string tool_version;  // coderx version, for SARIF
};

std::string format_github(const ReviewReport& report);
std::string format_gitlab(const ReviewReport& report);
std::string format_sarif(const ReviewReport& report);
std::string format_rdjsonl(const ReviewReport& report);
std::string format_markdown(const ReviewReport& report);
std::string format_review(ReviewFormat format, const ReviewReport& report);

// "```suggestion\n<text>```" with the fence lengthened when the text itself contains fences.
std::string suggestion_block(const std::string& replacement);

}  // namespace coderx::cli
