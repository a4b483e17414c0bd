// `--format rdjsonl`: reviewdog's Diagnostic, one JSON object per line (reviewdog -f=rdjsonl).
// Findings are whole lines, so ranges are linewise: start {line: a}, end {line: b} with no
// columns covers lines a..b with their line ends (proto/rdf/reviewdog.proto). reviewdog's diff
// filter then checks exactly those lines, and GitHub comments land on line b (start_line a); a
// suggestion's text replaces them and ends with a line break. Summary notes have no path and are
// left out.
#include <boost/json.hpp>

#include "lsp/cli/review_format.h"

namespace coderx::cli {

namespace json = boost::json;
using features::Anchor;
using features::Severity;

namespace {

json::object line_position(std::uint32_t line) { return {{"line", line}}; }

const char* rd_severity(Severity s) {
  return s == Severity::error ? "ERROR" : s == Severity::warning ? "WARNING" : "INFO";
}

json::object diagnostic(const features::PlacedFinding& p) {
  json::object location{{"path", p.finding.path}};
  if (p.anchor == Anchor::line)
    location["range"] = json::object{{"start", line_position(p.finding.start_line)},
                                     {"end", line_position(p.finding.end_line)}};
  json::object d{{"message", p.finding.message},
                 {"location", location},
                 {"severity", rd_severity(p.finding.severity)},
                 {"source", json::object{{"name", "coderx"}}},
                 {"code", json::object{{"value", p.finding.rule}}}};
  if (p.finding.replacement) {
    std::string text = *p.finding.replacement;
    if (!text.empty() && text.back() != '\n') text += '\n';
    d["suggestions"] = json::array{json::object{{"range", location["range"]}, {"text", text}}};
  }
  return d;
}

}  // namespace

std::string format_rdjsonl(const ReviewReport& report) {
  std::string out;
  for (const features::PlacedFinding& p : report.findings)
    if (p.anchor != Anchor::summary) out += json::serialize(diagnostic(p)) + "\n";
  return out;
}

}  // namespace coderx::cli
