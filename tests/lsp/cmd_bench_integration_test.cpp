// `coderx bench` end to end on a generated model: one JSON result per (length, streams) with
// positive rates, the bound line, and with --ops a per-op breakdown whose shares add up to 100 %
// for the prefill and for a decode step, naming the weight types the model holds.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

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
  // Sliding-window and full layers apart (the generated model has both).
  EXPECT_NE(r.out.find("  attention sliding"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  attention full"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  matmul "), std::string::npos);
  EXPECT_NE(r.out.find("  moe "), std::string::npos);
}

// --windows N: a single-stream row decodes N windows with a bandwidth probe (and a plain read of
// one step's active weights) before the first and after each (a window is set against the two
// around it); the row reports their medians and the per-window figures.
TEST(CmdBench, DecodeWindowsReportTheirMedians) {
  testing::TempDir dir;
  const std::string model = (dir.path() / "m.gguf").string();
  ASSERT_EQ(testing::run_coderx({"model", "make-test", "--seed", "6", "--out", model}).exit_code,
            0);
  auto r =
      testing::run_coderx({"bench", "--model", model, "--lengths", "8", "--streams", "1,2",
                           "--decode", "2", "--windows", "3", "--threads", "2", "--device", "cpu"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const boost::json::object result =
      boost::json::parse(r.out.substr(r.out.rfind("\n{") + 1)).as_object();
  EXPECT_GE(result.at("populate_s").to_number<double>(), 0.0);
  const auto& rows = result.at("results").as_array();
  ASSERT_EQ(rows.size(), 2u);
  const auto& one = rows[0].as_object();
  std::vector<double> tps;
  for (const auto& v : one.at("window_decode_tps").as_array()) tps.push_back(v.to_number<double>());
  ASSERT_EQ(tps.size(), 3u);
  EXPECT_EQ(one.at("window_read_bandwidth_gbs").as_array().size(), 3u);
  std::sort(tps.begin(), tps.end());
  EXPECT_NEAR(one.at("decode_tps").to_number<double>(), tps[1], 1e-3);
  EXPECT_TRUE(rows[1].as_object().at("window_read_bandwidth_gbs").as_array().empty());
  EXPECT_NE(r.out.find("median of 3 windows"), std::string::npos) << r.out;
  // The plain read of one step's active weights, probed around each window the same way.
  std::vector<double> reads;
  for (const auto& v : one.at("window_weights_read_ms").as_array())
    reads.push_back(v.to_number<double>());
  ASSERT_EQ(reads.size(), 3u);
  for (double ms : reads) EXPECT_GT(ms, 0.0);
  std::sort(reads.begin(), reads.end());
  EXPECT_NEAR(one.at("weights_read_ms").to_number<double>(), reads[1], 1e-2);
  EXPECT_TRUE(rows[1].as_object().at("window_weights_read_ms").as_array().empty());
  EXPECT_NE(r.out.find("plain read of its active weights"), std::string::npos) << r.out;
  EXPECT_NE(testing::run_coderx({"bench", "--model", model, "--windows", "0"}).exit_code, 0);
  // Lists of whole numbers within limits (a stream holds a copy of the K/V cache).
  for (const char* lengths : {"0", "8,-1", "8x", "99999999999999999999", "2000000"}) {
    auto bad = testing::run_coderx({"bench", "--model", model, "--lengths", lengths});
    EXPECT_EQ(bad.exit_code, 2) << lengths;
    EXPECT_NE(bad.err.find("--lengths are comma-separated numbers from 1 to 1048576"), std::string::npos)
        << bad.err;
  }
  EXPECT_EQ(testing::run_coderx({"bench", "--model", model, "--streams", "100000"}).exit_code, 2);
}

// --kv: auto follows the engine (half K/V for quantised attention weights, f32 for float ones);
// f32, f16 and q8_0 force it; anything else is refused. The JSON says which was used. `coderx
// generate --kv` takes the same names and generates with a q8_0 cache too.
TEST(CmdBench, KvPrecisionFollowsTheEngineUnlessForced) {
  testing::TempDir dir;
  const std::string quantised = (dir.path() / "q.gguf").string();
  const std::string floats = (dir.path() / "f.gguf").string();
  ASSERT_EQ(testing::run_coderx({"model", "make-test", "--seed", "7", "--preset", "Q8_0", "--out",
                                 quantised}).exit_code,
            0);
  ASSERT_EQ(testing::run_coderx({"model", "make-test", "--seed", "7", "--preset", "F16", "--out",
                                 floats}).exit_code,
            0);
  const auto kv_of = [](const std::string& model, const char* kv) {
    auto r = testing::run_coderx({"bench", "--model", model, "--lengths", "8", "--streams", "1",
                                  "--decode", "1", "--threads", "2", "--device", "cpu", "--json",
                                  "--kv", kv});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return std::string(boost::json::parse(r.out).as_object().at("kv").as_string());
  };
  EXPECT_EQ(kv_of(quantised, "auto"), "f16");
  EXPECT_EQ(kv_of(floats, "auto"), "f32");
  EXPECT_EQ(kv_of(quantised, "f32"), "f32");
  EXPECT_EQ(kv_of(floats, "f16"), "f16");
  EXPECT_EQ(kv_of(quantised, "q8_0"), "q8_0");
  EXPECT_NE(testing::run_coderx({"bench", "--model", quantised, "--kv", "bf16"}).exit_code, 0);
  const auto generate = [&](const char* kv) {
    return testing::run_coderx({"generate", "--model", quantised, "--prompt", "int main() {",
                                "--max-tokens", "4", "--temp", "0", "--threads", "2", "--device",
                                "cpu", "--kv", kv});
  };
  const auto q8 = generate("q8_0");
  EXPECT_EQ(q8.exit_code, 0) << q8.err;
  EXPECT_NE(q8.err.find("tokens"), std::string::npos) << q8.err;  // the usage line
  const auto bad = generate("q4_0");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--kv is auto, f32, f16 or q8_0"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace coderx::cli
