// Review output formats, parsed back and checked against what each consumer requires.
#include "lsp/cli/review_format.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <set>

namespace coderx::cli {
namespace {

namespace json = boost::json;
using features::Finding;
using features::Severity;

const char* kDiff =
    "--- a/src/x.c\n+++ b/src/x.c\n@@ -10,3 +10,4 @@\n ctx10\n-old11\n+new11\n+new12\n ctx12\n"
    "@@ -40,2 +41,2 @@\n-a\n+b\n c\n";

ReviewReport sample_report() {
  auto diff = features::parse_unified_diff(kDiff);
  EXPECT_TRUE(diff);
  std::vector<Finding> findings{
      {"src/x.c", 11, 12, Severity::error, "bounds", "index may overflow", std::string("fixed();\n")},
      {"src/x.c", 41, 41, Severity::warning, "naming", "unclear name", std::nullopt},
      {"src/x.c", 25, 25, Severity::info, "style", "outside the hunks", std::string("x\n")},
      {"docs/other.md", 3, 3, Severity::warning, "docs", "not in the diff", std::nullopt},
  };
  return {features::place_findings(findings, *diff), "Two issues.", "0.1.0"};
}

TEST(ReviewFormat, GithubCommentsOnlyOnLinesInsideHunks) {
  auto diff = features::parse_unified_diff(kDiff);
  json::value review = json::parse(format_github(sample_report()));
  EXPECT_EQ(review.at("event"), "COMMENT");
  const json::array& comments = review.at("comments").as_array();
  ASSERT_EQ(comments.size(), 2u);
  for (const json::value& c : comments) {
    const std::string path(c.at("path").as_string());
    ASSERT_EQ(path, "src/x.c");
    auto line = static_cast<std::uint32_t>(c.at("line").to_number<std::int64_t>());
    EXPECT_NE((*diff)[0].hunk_for_new_line(line), nullptr) << line;
    if (c.as_object().contains("start_line")) {
      auto start = static_cast<std::uint32_t>(c.at("start_line").to_number<std::int64_t>());
      EXPECT_EQ((*diff)[0].hunk_for_new_line(start), (*diff)[0].hunk_for_new_line(line));
    }
  }
  EXPECT_NE(std::string(comments[0].at("body").as_string()).find("```suggestion\nfixed();\n```"),
            std::string::npos);
  std::string body(review.at("body").as_string());
  EXPECT_NE(body.find("outside the hunks"), std::string::npos);
  EXPECT_NE(body.find("not in the diff"), std::string::npos);
}

TEST(ReviewFormat, GitlabFingerprintsUniqueAndSeveritiesValid) {
  ReviewReport report = sample_report();
  report.findings.push_back(report.findings[1]);  // a duplicate, removed by the filter
  report.findings = features::filter_findings(report.findings, {});
  json::array issues = json::parse(format_gitlab(report)).as_array();
  ASSERT_EQ(issues.size(), 3u);  // the summary note has no location
  std::set<std::string> fingerprints;
  for (const json::value& i : issues) {
    EXPECT_TRUE(fingerprints.insert(std::string(i.at("fingerprint").as_string())).second);
    std::string s(i.at("severity").as_string());
    EXPECT_TRUE(s == "info" || s == "minor" || s == "major" || s == "critical" || s == "blocker");
    EXPECT_FALSE(i.at("location").at("path").as_string().empty());
    EXPECT_GE(i.at("location").at("lines").at("begin").to_number<int>(), 1);
  }
}

TEST(ReviewFormat, RdjsonlIsOneDiagnosticPerLine) {
  std::string out = format_rdjsonl(sample_report());
  std::size_t lines = 0;
  for (std::size_t at = 0; at < out.size(); ++lines) {
    std::size_t eol = out.find('\n', at);
    ASSERT_NE(eol, std::string::npos);
    json::object d = json::parse(out.substr(at, eol - at)).as_object();
    EXPECT_TRUE(d.contains("message"));
    std::string sev(d.at("severity").as_string());
    EXPECT_TRUE(sev == "ERROR" || sev == "WARNING" || sev == "INFO");
    EXPECT_EQ(d.at("source").at("name"), "coderx");
    if (d.at("location").as_object().contains("range")) {  // linewise: lines only, end inclusive
      const json::value& r = d.at("location").at("range");
      EXPECT_LE(r.at("start").at("line").to_number<int>(), r.at("end").at("line").to_number<int>());
      EXPECT_FALSE(r.at("start").as_object().contains("column"));
      EXPECT_FALSE(r.at("end").as_object().contains("column"));
    }
    at = eol + 1;
  }
  EXPECT_EQ(lines, 3u);
  // The bounds finding on lines 11-12 of the sample, with its one-line fix.
  json::object first = json::parse(out.substr(0, out.find('\n'))).as_object();
  EXPECT_EQ(first.at("location").at("range"), json::parse(R"({"start":{"line":11},"end":{"line":12}})"));
  EXPECT_EQ(first.at("suggestions").at(0).at("text"), "fixed();\n");
}

TEST(ReviewFormat, SarifStructure) {
  json::value log = json::parse(format_sarif(sample_report()));
  EXPECT_EQ(log.at("version"), "2.1.0");
  const json::array& results = log.at("runs").at(0).at("results").as_array();
  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(results[0].at("level"), "error");
  EXPECT_TRUE(results[0].as_object().contains("fixes"));
  EXPECT_EQ(results[0].at("locations").at(0).at("physicalLocation").at("region").at("startLine"), 11);
  EXPECT_FALSE(results[2].as_object().contains("fixes"));  // file-level: no fix, no region
  EXPECT_FALSE(results[3].as_object().contains("locations"));
}

// SARIF artifact URIs are URI references: spaces, quotes and non-ASCII bytes are percent-encoded.
TEST(ReviewFormat, SarifUrisArePercentEncoded) {
  Finding f{"dir/sp ace \"q\" \xc3\xa9#1.c", 1, 1, Severity::warning, "r", "m", std::nullopt};
  ReviewReport report{{features::PlacedFinding{f, features::Anchor::file}}, "", "0.1.0"};
  json::value log = json::parse(format_sarif(report));
  const json::value& uri =
      log.at("runs").at(0).at("results").at(0).at("locations").at(0).at("physicalLocation").at("artifactLocation").at("uri");
  EXPECT_EQ(uri, "dir/sp%20ace%20%22q%22%20%C3%A9%231.c");
}

TEST(ReviewFormat, SuggestionFenceOutgrowsFencesInTheText) {
  EXPECT_EQ(suggestion_block("a"), "```suggestion\na\n```");
  EXPECT_EQ(suggestion_block("```x```\n"), "````suggestion\n```x```\n````");
  EXPECT_EQ(review_format_from_string("sarif"), ReviewFormat::sarif);
  EXPECT_EQ(review_format_from_string("xml"), std::nullopt);
}

}  // namespace
}  // namespace coderx::cli
