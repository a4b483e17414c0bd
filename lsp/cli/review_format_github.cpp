// `--format github`: the JSON body of "create a review for a pull request". Only line anchors
// become comments (GitHub rejects lines outside the diff); the rest goes into the review body.
#include <boost/json.hpp>

#include "lsp/cli/review_format.h"

namespace coderx::cli {

namespace json = boost::json;
using features::Anchor;
using features::PlacedFinding;

namespace {

std::string comment_body(const PlacedFinding& p) {
  std::string body = "**" + std::string(to_string(p.finding.severity)) + "** (" + p.finding.rule +
                     "): " + p.finding.message;
  if (p.finding.replacement) body += "\n\n" + suggestion_block(*p.finding.replacement);
  return body;
}

json::object line_comment(const PlacedFinding& p) {
  json::object c{{"path", p.finding.path}, {"line", p.finding.end_line}, {"side", "RIGHT"},
                 {"body", comment_body(p)}};
  if (p.finding.start_line < p.finding.end_line) {
    c["start_line"] = p.finding.start_line;
    c["start_side"] = "RIGHT";
  }
  return c;
}

std::string review_body(const ReviewReport& report) {
  std::string body = report.summary.empty() ? "coderx review" : report.summary;
  for (const PlacedFinding& p : report.findings) {
    if (p.anchor == Anchor::line) continue;
    body += "\n\n- ";
    if (!p.finding.path.empty()) body += "`" + p.finding.path + "`: ";
    body += "**" + std::string(to_string(p.finding.severity)) + "** (" + p.finding.rule + "): " +
            p.finding.message;
  }
  return body;
}

}  // namespace

std::string format_github(const ReviewReport& report) {
  json::array comments;
  for (const PlacedFinding& p : report.findings)
    if (p.anchor == Anchor::line) comments.push_back(line_comment(p));
  json::object review{{"event", "COMMENT"}, {"body", review_body(report)}, {"comments", comments}};
  return json::serialize(review) + "\n";
}

}  // namespace coderx::cli
