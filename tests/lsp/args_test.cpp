#include "lsp/cli/args.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace coderx::cli {
namespace {

struct Parsed {
  std::string model, out;
  std::int64_t threads = 1;
  double temp = 0;
  bool json = false;
  std::vector<std::string> files;
};

std::optional<int> parse(Parsed& p, std::vector<std::string> args) {
  ArgParser parser("coderx test", "test");
  parser.positional("MODEL", &p.model, "model");
  parser.option("--out", &p.out, "FILE", "output");
  parser.option("--threads", &p.threads, "N", "threads");
  parser.option("--temp", &p.temp, "T", "temperature");
  parser.flag("--json", &p.json, "json");
  parser.rest("FILES", &p.files, "files");
  return parser.parse(args);
}

TEST(ArgParser, ParsesOptionsFlagsAndPositionals) {
  Parsed p;
  EXPECT_EQ(parse(p, {"m.gguf", "--out=x", "--threads", "4", "--json", "--temp", "0.5", "a", "b"}),
            std::nullopt);
  EXPECT_EQ(p.model, "m.gguf");
  EXPECT_EQ(p.out, "x");
  EXPECT_EQ(p.threads, 4);
  EXPECT_DOUBLE_EQ(p.temp, 0.5);
  EXPECT_TRUE(p.json);
  EXPECT_EQ(p.files, (std::vector<std::string>{"a", "b"}));
}

TEST(ArgParser, UsageErrorsExitTwo) {
  Parsed p;
  EXPECT_EQ(parse(p, {}), 2);                          // missing MODEL
  EXPECT_EQ(parse(p, {"m", "--bogus"}), 2);            // unknown option
  EXPECT_EQ(parse(p, {"m", "--threads", "four"}), 2);  // not an integer
  EXPECT_EQ(parse(p, {"m", "--out"}), 2);              // missing value
  EXPECT_EQ(parse(p, {"m", "--json=1"}), 2);           // flag with a value
}

TEST(ArgParser, HelpExitsZeroAndDashDashEndsOptions) {
  Parsed p;
  EXPECT_EQ(parse(p, {"--help"}), 0);
  EXPECT_EQ(parse(p, {"--", "--json"}), std::nullopt);
  EXPECT_EQ(p.model, "--json");
  EXPECT_FALSE(p.json);
}

}  // namespace
}  // namespace coderx::cli
