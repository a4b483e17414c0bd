// The coderx binary's `refactor` with the canned engine (it prepends a comment line to the
// selection): the printed diff applies with `git apply`, --json lines, exit codes, and a run
// killed mid-way leaves every file whole (old or new, never partial).
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "tests/support/paths.h"
#include "tests/support/process.h"

extern char** environ;

namespace coderx::testing {
namespace {

const std::string kCanned = "// canned refactor (no model)\n";

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string source(int i) { return "int f" + std::to_string(i) + "(int x) {\n  return x + " + std::to_string(i) + ";\n}\n"; }

struct Files {
  TempDir dir;
  explicit Files(int n) {
    for (int i = 0; i < n; ++i) std::ofstream(dir / ("f" + std::to_string(i) + ".c")) << source(i);
  }
  std::vector<std::string> args(std::vector<std::string> extra) const {
    std::vector<std::string> a{"refactor", "-m", "tidy", "--root", dir.path().string(), "--engine", "canned"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
};

TEST(RefactorCliBinary, DiffAppliesWithGitApply) {
  Files files(3);
  ProcessResult r = run_coderx(files.args({"."}));
  ASSERT_EQ(r.exit_code, 1) << r.err;  // changes proposed
  std::ofstream(files.dir / "p.diff") << r.out;
  ASSERT_EQ(run_process({"/usr/bin/env", "git", "-C", files.dir.path().string(), "init", "-q"}).exit_code, 0);
  ProcessResult apply = run_process({"/usr/bin/env", "git", "-C", files.dir.path().string(), "apply", "p.diff"});
  ASSERT_EQ(apply.exit_code, 0) << apply.err << r.out;
  for (int i = 0; i < 3; ++i) EXPECT_EQ(read(files.dir / ("f" + std::to_string(i) + ".c")), kCanned + source(i));
}

TEST(RefactorCliBinary, JsonApplyAndExitCodes) {
  Files files(2);
  ProcessResult r = run_coderx(files.args({"--apply", "--json", "--jobs", "2", "*.c"}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(r.out);
  int applied = 0;
  for (std::string line; std::getline(lines, line);)
    applied += boost::json::parse(line).at("status") == "applied";
  EXPECT_EQ(applied, 2);
  EXPECT_EQ(read(files.dir / "f1.c"), kCanned + source(1));
  std::ofstream(files.dir / "bad.py") << "def f():\n    return 1\n";  // "//" is not Python
  ProcessResult py = run_coderx(files.args({"--apply", "bad.py"}));
  EXPECT_EQ(py.exit_code, 2);
  EXPECT_NE(py.err.find("no longer parses"), std::string::npos) << py.err;
  EXPECT_EQ(run_coderx(files.args({})).exit_code, 3);                  // no paths
  EXPECT_EQ(run_coderx(files.args({"--bogus", "x"})).exit_code, 3);    // unknown flag
  EXPECT_EQ(run_coderx(files.args({"nothing-*.rs"})).exit_code, 3);    // matches nothing
  EXPECT_EQ(run_coderx({"refactor", "-m", "x", "f.c"}).exit_code, 3);  // no model
}

TEST(RefactorCliBinary, KilledMidwayLeavesEveryFileWhole) {
  constexpr int kFiles = 8;
  Files files(kFiles);
  std::vector<std::string> args{coderx_binary().string()};
  for (std::string a : files.args({"--apply", "--json", "--jobs", "1", "--token-delay-ms", "30", "."}))
    args.push_back(a);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int out[2];
  ASSERT_EQ(::pipe(out), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  pid_t pid = 0;
  ASSERT_EQ(::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  std::string first;  // wait for the first status line, then kill
  char c;
  while (::read(out[0], &c, 1) == 1 && c != '\n') first += c;
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::close(out[0]);
  EXPECT_NE(first.find("\"applied\""), std::string::npos) << first;
  int changed = 0;
  for (int i = 0; i < kFiles; ++i) {
    std::string now = read(files.dir / ("f" + std::to_string(i) + ".c"));
    EXPECT_TRUE(now == source(i) || now == kCanned + source(i)) << i << ": " << now;
    changed += now != source(i);
  }
  EXPECT_GE(changed, 1);
  EXPECT_LT(changed, kFiles);  // killed before the end
}

}  // namespace
}  // namespace coderx::testing
