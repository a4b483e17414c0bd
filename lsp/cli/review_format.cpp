#include "lsp/cli/review_format.h"

namespace coderx::cli {

std::optional<ReviewFormat> review_format_from_string(std::string_view name) {
  if (name == "github") return ReviewFormat::github;
  if (name == "gitlab") return ReviewFormat::gitlab;
  if (name == "sarif") return ReviewFormat::sarif;
  if (name == "rdjsonl") return ReviewFormat::rdjsonl;
  if (name == "markdown") return ReviewFormat::markdown;
  return std::nullopt;
}

std::string format_review(ReviewFormat format, const ReviewReport& report) {
  switch (format) {
    case ReviewFormat::github: return format_github(report);
    case ReviewFormat::gitlab: return format_gitlab(report);
    case ReviewFormat::sarif: return format_sarif(report);
    case ReviewFormat::rdjsonl: return format_rdjsonl(report);
    case ReviewFormat::markdown: return format_markdown(report);
  }
  return {};
}

std::string suggestion_block(const std::string& replacement) {
  std::string fence = "```";
  while (replacement.find(fence) != std::string::npos) fence += '`';
  std::string text = replacement;
  if (!text.empty() && text.back() != '\n') text += '\n';
  return fence + "suggestion\n" + text + fence;
}

}  // namespace coderx::cli
