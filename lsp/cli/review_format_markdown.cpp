// `--format markdown`: a readable report, most severe first, grouped by anchor.
#include "lsp/cli/review_format.h"

namespace coderx::cli {

using features::Anchor;
using features::PlacedFinding;

namespace {

std::string where(const PlacedFinding& p) {
  if (p.anchor == Anchor::summary) return "general";
  std::string w = "`" + p.finding.path;
  if (p.anchor == Anchor::line) {
    w += ":" + std::to_string(p.finding.start_line);
    if (p.finding.end_line > p.finding.start_line) w += "-" + std::to_string(p.finding.end_line);
  }
  return w + "`";
}

}  // namespace

std::string format_markdown(const ReviewReport& report) {
  std::string out = "# coderx review\n\n";
  if (!report.summary.empty()) out += report.summary + "\n\n";
  if (report.findings.empty()) out += "No findings.\n";
  for (const PlacedFinding& p : report.findings) {
    out += "- **" + std::string(to_string(p.finding.severity)) + "** " + where(p) + " (" +
           p.finding.rule + "): " + p.finding.message + "\n";
    if (p.finding.replacement) {
      std::string block = suggestion_block(*p.finding.replacement);
      for (std::size_t at = 0; at < block.size();) {
        std::size_t eol = block.find('\n', at);
        out += "  " + block.substr(at, eol == std::string::npos ? std::string::npos : eol - at) + "\n";
        at = eol == std::string::npos ? block.size() : eol + 1;
      }
    }
  }
  return out;
}

}  // namespace coderx::cli
