// `--format sarif`: SARIF 2.1.0, one run of the `coderx` driver. Line anchors get a region and,
// with a replacement, a fix replacing whole lines (startLine..endLine+1, column 1); file-level
// notes have a location without region; summary notes have no location.
#include <boost/json.hpp>

#include <map>

#include "lsp/cli/review_format.h"
#include "lsp/server/uri.h"

namespace coderx::cli {

namespace json = boost::json;
using features::Anchor;
using features::PlacedFinding;
using features::Severity;

namespace {

const char* sarif_level(Severity s) {
  return s == Severity::error ? "error" : s == Severity::warning ? "warning" : "note";
}

// A relative path as a URI reference (SARIF §3.10.2, RFC 3986).
json::object artifact(const std::string& path) { return {{"uri", server::percent_encode_path(path)}}; }

json::object fix(const PlacedFinding& p) {
  std::string text = *p.finding.replacement;
  if (!text.empty() && text.back() != '\n') text += '\n';
  json::object deleted{{"startLine", p.finding.start_line}, {"startColumn", 1},
                       {"endLine", p.finding.end_line + 1}, {"endColumn", 1}};
  json::object replacement{{"deletedRegion", deleted}, {"insertedContent", json::object{{"text", text}}}};
  json::object change{{"artifactLocation", artifact(p.finding.path)},
                      {"replacements", json::array{replacement}}};
  return {{"description", json::object{{"text", "coderx suggestion"}}},
          {"artifactChanges", json::array{change}}};
}

json::object result(const PlacedFinding& p) {
  json::object r{{"ruleId", p.finding.rule},
                 {"level", sarif_level(p.finding.severity)},
                 {"message", json::object{{"text", p.finding.message}}},
                 {"partialFingerprints", json::object{{"coderxFingerprint/v1", p.fingerprint}}}};
  if (p.anchor == Anchor::summary) return r;
  json::object physical{{"artifactLocation", artifact(p.finding.path)}};
  if (p.anchor == Anchor::line)
    physical["region"] = json::object{{"startLine", p.finding.start_line}, {"endLine", p.finding.end_line}};
  r["locations"] = json::array{json::object{{"physicalLocation", physical}}};
  if (p.anchor == Anchor::line && p.finding.replacement) r["fixes"] = json::array{fix(p)};
  return r;
}

json::array rules(const ReviewReport& report) {
  std::map<std::string, std::string> seen;
  for (const PlacedFinding& p : report.findings) seen.emplace(p.finding.rule, p.finding.message);
  json::array out;
  for (const auto& [id, example] : seen)
    out.push_back(json::object{{"id", id}, {"shortDescription", json::object{{"text", id}}}});
  return out;
}

}  // namespace

std::string format_sarif(const ReviewReport& report) {
  json::array results;
  for (const PlacedFinding& p : report.findings) results.push_back(result(p));
  json::object driver{{"name", "coderx"},
                      {"version", report.tool_version.empty() ? "0" : report.tool_version},
                      {"rules", rules(report)}};
  json::object run{{"tool", json::object{{"driver", driver}}}, {"results", results}};
  if (!report.summary.empty())
    run["properties"] = json::object{{"summary", report.summary}};
  json::object log{{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
                   {"version", "2.1.0"},
                   {"runs", json::array{run}}};
  return json::serialize(log) + "\n";
}

}  // namespace coderx::cli
