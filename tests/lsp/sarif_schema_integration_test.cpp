// The SARIF we write validates against the official 2.1.0 schema (ajv in node, from the pinned
// npm lock), for reports with every kind of anchor and with none.
#include <gtest/gtest.h>

#include <fstream>

#include "lsp/cli/review_format.h"
#include "tests/support/paths.h"
#include "tests/support/process.h"

namespace coderx::cli {
namespace {

using features::Finding;
using features::Severity;

TEST(SarifSchema, ReportsValidate) {
  auto diff = features::parse_unified_diff("--- a/a.c\n+++ b/a.c\n@@ -1,1 +1,2 @@\n x\n+y\n");
  ASSERT_TRUE(diff);
  std::vector<std::vector<Finding>> cases{
      {},
      {{"a.c", 2, 2, Severity::error, "r1", "line", std::string("z\n")},
       {"a.c", 9, 9, Severity::info, "r2", "file", std::nullopt},
       {"b.c", 1, 1, Severity::warning, "r3", "summary", std::nullopt}},
  };
  testing::TempDir dir;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    ReviewReport report{features::place_findings(cases[i], *diff), i ? "summary" : "", "0.1.0"};
    auto file = dir / ("r" + std::to_string(i) + ".sarif");
    std::ofstream(file) << format_sarif(report);
    auto r = testing::run_process(
        {"/usr/bin/env", "node", (testing::source_dir() / "tests/lsp/node/validate_sarif.mjs").string(),
         file.string()});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  }
}

}  // namespace
}  // namespace coderx::cli
