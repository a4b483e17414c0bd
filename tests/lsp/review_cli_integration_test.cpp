// The coderx binary's `review` subcommand end to end on a temporary git repository with the
// canned engine: every format comes out parseable, usage and engine errors give exit code 2.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>

#include "tests/support/paths.h"
#include "tests/support/process.h"

namespace coderx::testing {
namespace {

void git(const TempDir& dir, std::vector<std::string> args) {
  std::vector<std::string> argv{"/usr/bin/env", "git", "-C", dir.path().string(), "-c", "user.name=t", "-c", "user.email=t@e.com"};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessResult r = run_process(argv);
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

struct Repo {
  TempDir dir;
  Repo() {
    git(dir, {"init", "-q"});
    std::ofstream(dir / "a.py") << "def f(x):\n    return x\n";
    git(dir, {"add", "."});
    git(dir, {"commit", "-q", "-m", "base"});
    std::ofstream(dir / "a.py") << "def f(x):\n    y = x * 2\n    return y\n";
  }
  std::vector<std::string> args(std::vector<std::string> extra) const {
    std::vector<std::string> a{"review", "--repo", dir.path().string(), "--engine", "canned"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
};

TEST(ReviewCliBinary, EveryFormatParses) {
  Repo repo;
  for (std::string format : {"github", "gitlab", "sarif"}) {
    ProcessResult r = run_coderx(repo.args({"--format", format, "--fail-level", "info"}));
    EXPECT_EQ(r.exit_code, 0) << format << ": " << r.err;
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(r.out, ec);
    EXPECT_FALSE(ec) << format << ": " << r.out;
    EXPECT_NE(r.err.find("1 files, 1 hunks"), std::string::npos) << r.err;
    if (format == "sarif") {
      EXPECT_EQ(v.at("version"), "2.1.0");
    }
  }
  ProcessResult md = run_coderx(repo.args({}));
  EXPECT_EQ(md.exit_code, 0) << md.err;
}

TEST(ReviewCliBinary, UsageAndEngineErrors) {
  Repo repo;
  EXPECT_EQ(run_coderx(repo.args({"--format", "xml"})).exit_code, 2);
  EXPECT_EQ(run_coderx(repo.args({"--fail-level", "fatal"})).exit_code, 2);
  EXPECT_EQ(run_coderx(repo.args({"--head", "HEAD"})).exit_code, 2);
  EXPECT_EQ(run_coderx(repo.args({"--no-such-flag"})).exit_code, 2);
  ProcessResult no_model = run_coderx({"review", "--repo", repo.dir.path().string()});
  EXPECT_EQ(no_model.exit_code, 2);
  EXPECT_NE(no_model.err.find("no model"), std::string::npos) << no_model.err;
  ProcessResult not_repo = run_coderx({"review", "--repo", "/", "--engine", "canned"});
  EXPECT_EQ(not_repo.exit_code, 2);
}

}  // namespace
}  // namespace coderx::testing
