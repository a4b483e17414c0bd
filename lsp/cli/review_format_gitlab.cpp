// `--format gitlab`: a GitLab Code Quality report (codequality artifact). Every entry needs a
// location, so summary notes are left out; fingerprints are the findings' own (unique after
// filter_findings).
#include <boost/json.hpp>

#include "lsp/cli/review_format.h"

namespace coderx::cli {

namespace json = boost::json;
using features::Anchor;
using features::Severity;

namespace {

const char* gitlab_severity(Severity s) {
  switch (s) {
    case Severity::info: return "info";
    case Severity::warning: return "minor";
    case Severity::error: return "major";
  }
  return "minor";
}

}  // namespace

std::string format_gitlab(const ReviewReport& report) {
  json::array issues;
  for (const features::PlacedFinding& p : report.findings) {
    if (p.anchor == Anchor::summary) continue;
    json::object lines{{"begin", p.anchor == Anchor::line ? p.finding.start_line : 1u}};
    if (p.anchor == Anchor::line) lines["end"] = p.finding.end_line;
    issues.push_back(json::object{
        {"description", p.finding.message},
        {"check_name", "coderx/" + p.finding.rule},
        {"fingerprint", p.fingerprint},
        {"severity", gitlab_severity(p.finding.severity)},
        {"location", json::object{{"path", p.finding.path}, {"lines", lines}}},
    });
  }
  return json::serialize(issues) + "\n";
}

}  // namespace coderx::cli
