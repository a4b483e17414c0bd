// `coderx bench` end to end on a generated model: one JSON result per (length, streams) with
// positive rates, the bound line, and with --ops a per-op breakdown whose shares add up to 100 %
// for the prefill and for a decode step, naming the weight types the model holds.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <sstream>
#include <string>

#include "tests/support/paths.h"
#include "tests/support/process.h"

namespace coderx::cli {
namespace {

// Sum of the "%" column of the op lines that follow `header` (until a line that is not an op).
double share_after(const std::string& out, const std::string& header) {
  std::istringstream in(out.substr(out.find(header)));
  std::string line;
  std::getline(in, line);
  double total = 0;
  while (std::getline(in, line) && line.rfind("  ", 0) == 0) {
    const auto ms = line.find(" ms ");
    total += std::stod(line.substr(ms + 4));
  }
  return total;
}

TEST(CmdBench, ReportsEveryMeasurementAndTheOpBreakdown) {
  testing::TempDir dir;
  const std::string model = (dir.path() / "m.gguf").string();
  ASSERT_EQ(testing::run_coderx({"model", "make-test", "--seed", "5", "--out", model}).exit_code, 0);
  auto r = testing::run_coderx({"bench", "--model", model, "--lengths", "8,20", "--streams", "1,3",
                                "--decode", "3", "--ops", "--threads", "2", "--device", "cpu"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string json_line = r.out.substr(r.out.rfind("\n{") + 1);
  const boost::json::object result = boost::json::parse(json_line).as_object();
  const auto& rows = result.at("results").as_array();
  ASSERT_EQ(rows.size(), 4u);
  for (const auto& row : rows) {
    EXPECT_GT(row.at("prefill_tps").to_number<double>(), 0.0);
    EXPECT_GT(row.at("decode_tps").to_number<double>(), 0.0);
  }
  EXPECT_GT(result.at("read_bandwidth_gbs").to_number<double>(), 0.0);
  EXPECT_NE(r.out.find("% of the bound"), std::string::npos);
  EXPECT_NEAR(share_after(r.out, "prefill by op"), 100.0, 0.5) << r.out;
  EXPECT_NEAR(share_after(r.out, "decode step by op"), 100.0, 0.5) << r.out;
  EXPECT_NE(r.out.find("  attention"), std::string::npos);
  EXPECT_NE(r.out.find("  matmul "), std::string::npos);
  EXPECT_NE(r.out.find("  moe "), std::string::npos);
}

}  // namespace
}  // namespace coderx::cli
