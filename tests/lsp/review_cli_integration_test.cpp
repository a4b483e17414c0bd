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

// The canned engine answers every hunk with one warning on its first added line: new-file line 2
// of a.py ("    y = x * 2"). Each format must put it there.
TEST(ReviewCliBinary, EveryFormatCarriesTheFindingOnItsLine) {
  Repo repo;
  for (std::string format : {"github", "gitlab", "sarif"}) {
    ProcessResult r = run_coderx(repo.args({"--format", format, "--fail-level", "error"}));
    EXPECT_EQ(r.exit_code, 0) << format << ": " << r.err;
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(r.out, ec);
    ASSERT_FALSE(ec) << format << ": " << r.out;
    EXPECT_NE(r.err.find("1 files, 1 hunks"), std::string::npos) << r.err;
    if (format == "github") {
      const auto& comments = v.at("comments").as_array();
      ASSERT_EQ(comments.size(), 1u) << r.out;
      EXPECT_EQ(comments[0].at("path"), "a.py");
      EXPECT_EQ(comments[0].at("line"), 2);
    } else if (format == "gitlab") {
      ASSERT_EQ(v.as_array().size(), 1u) << r.out;
      EXPECT_EQ(v.as_array()[0].at("location").at("lines").at("begin"), 2);
    } else {
      EXPECT_EQ(v.at("version"), "2.1.0");
      const auto& results = v.at("runs").as_array()[0].at("results").as_array();
      ASSERT_EQ(results.size(), 1u) << r.out;
      EXPECT_EQ(results[0].at("locations").as_array()[0].at("physicalLocation").at("region").at("startLine"), 2);
    }
  }
  ProcessResult rd = run_coderx(repo.args({"--format", "rdjsonl"}));
  EXPECT_NE(rd.out.find("\"line\":2"), std::string::npos) << rd.out;
  ProcessResult md = run_coderx(repo.args({}));
  EXPECT_EQ(md.exit_code, 0) << md.err;
  EXPECT_NE(md.out.find("canned finding"), std::string::npos) << md.out;
}

TEST(ReviewCliBinary, FailLevelSetsTheExitCode) {
  Repo repo;
  EXPECT_EQ(run_coderx(repo.args({"--fail-level", "warning"})).exit_code, 1);
  EXPECT_EQ(run_coderx(repo.args({"--fail-level", "info"})).exit_code, 1);
  EXPECT_EQ(run_coderx(repo.args({"--fail-level", "error"})).exit_code, 0);
  EXPECT_EQ(run_coderx(repo.args({"--min-severity", "error", "--fail-level", "info"})).exit_code, 0);
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
