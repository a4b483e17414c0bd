// The coderx binary's `explain` on inputs a user gets wrong: bad line ranges say so (not "cannot
// open"), directories, special, binary and huge files are refused with one clear line and exit
// code 2, and a name that holds ':' still works. The canned engine stands in for the model.
#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/paths.h"
#include "tests/support/process.h"

namespace coderx::testing {
namespace {

struct ExplainCli : ::testing::Test {
  TempDir dir;
  void SetUp() override { std::ofstream(dir / "a.c") << "int add(int a, int b) {\n  return a + b;\n}\n"; }
  ProcessResult explain(const std::string& spec) { return run_coderx({"explain", spec, "--engine", "canned"}); }
  // Exit code 2, nothing on stdout, and `expected` in stderr's one line.
  void expect_refused(const std::string& spec, const std::string& expected) {
    ProcessResult r = explain(spec);
    EXPECT_EQ(r.exit_code, 2) << spec;
    EXPECT_TRUE(r.out.empty()) << spec << ": " << r.out;
    EXPECT_EQ(r.err, "coderx explain: " + expected + "\n") << spec;
  }
};

TEST_F(ExplainCli, ValidRangesExplain) {
  for (std::string range : {"", ":2", ":1-3", ":2-99"}) {
    ProcessResult r = explain((dir / "a.c").string() + range);
    EXPECT_EQ(r.exit_code, 0) << range << ": " << r.err;
    EXPECT_NE(r.out.find("Canned explanation"), std::string::npos) << range << ": " << r.out;
  }
}

TEST_F(ExplainCli, BadRangesAreNamedAsRanges) {
  const std::string why = "': lines count from 1, as LINE or FIRST-LAST with FIRST <= LAST";
  const std::string a = (dir / "a.c").string();
  expect_refused(a + ":0", "bad line range '0" + why);
  expect_refused(a + ":3-1", "bad line range '3-1" + why);
  expect_refused(a + ":-2", "bad line range '-2" + why);
  expect_refused(a + ":1-99999999999999999999", "bad line range '1-99999999999999999999" + why);
  expect_refused(a + ":9", a + " has fewer than 9 lines");
  expect_refused(a + ":4294967295", a + " has fewer than 4294967295 lines");
}

TEST_F(ExplainCli, ANameWithAColonIsAName) {
  std::ofstream(dir / "b.c:0") << "int b;\n";
  EXPECT_EQ(explain((dir / "b.c:0").string()).exit_code, 0);
  ProcessResult missing = explain((dir / "missing.c:0").string());  // no file either way: cannot open
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("cannot open"), std::string::npos) << missing.err;
}

TEST_F(ExplainCli, RefusesWhatIsNotASourceFile) {
  expect_refused(dir.path().string(), dir.path().string() + " is a directory");
  expect_refused("/dev/null", "/dev/null is not a regular file");
  std::ofstream(dir / "logo.png", std::ios::binary) << std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
  expect_refused((dir / "logo.png").string(),
                 (dir / "logo.png").string() + " looks binary (a NUL byte in its first 8 KiB); left alone");
  std::ofstream(dir / "huge.c") << std::string((1u << 20) + 1, 'x');
  expect_refused((dir / "huge.c").string(),
                 (dir / "huge.c").string() + " is too large (1048577 bytes; the limit is 1048576)");
}

}  // namespace
}  // namespace coderx::testing
