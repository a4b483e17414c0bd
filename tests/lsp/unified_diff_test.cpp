// lsp/cli/unified_diff: paths with spaces, quotes, backslashes and tabs. The reference is git
// itself: the diff must pass `git apply` and `patch -p1` in a temporary repository and
// produce the new text, and its headers must equal the ones `git diff` writes for the same
// change.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "lsp/cli/unified_diff.h"
#include "tests/support/paths.h"
#include "tests/support/process.h"

namespace coderx::testing {
namespace {

ProcessResult git(const TempDir& dir, std::vector<std::string> args) {
  std::vector<std::string> argv{"/usr/bin/git", "-C", dir.path().string(), "-c", "user.name=t",
                                "-c", "user.email=t@t", "-c", "core.quotePath=true"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv);
}

using testing::write_file;

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The first three lines (diff --git, ---, +++) of a diff, skipping git's index line.
std::string headers(const std::string& diff) {
  std::istringstream in(diff);
  std::string line, out;
  while (std::getline(in, line))
    if (line.rfind("diff --git", 0) == 0 || line.rfind("--- ", 0) == 0 || line.rfind("+++ ", 0) == 0) out += line + "\n";
  return out;
}

const std::string kOld = "one\ntwo\nthree\n";
const std::string kNew = "one\n2\nthree\n";

class UnifiedDiffPaths : public ::testing::TestWithParam<std::string> {};

TEST_P(UnifiedDiffPaths, GitApplyAndPatchAcceptItAndHeadersMatchGit) {
  const std::string path = GetParam();
  TempDir dir;
  ASSERT_EQ(git(dir, {"init", "-q"}).exit_code, 0);
  write_file(dir.path() / path, kOld);
  ASSERT_EQ(git(dir, {"add", "-A"}).exit_code, 0);
  ASSERT_EQ(git(dir, {"commit", "-qm", "base"}).exit_code, 0);
  std::string ours = cli::unified_diff(path, kOld, kNew);
  write_file(dir.path() / path, kNew);
  ProcessResult theirs = git(dir, {"diff", "--no-color"});
  ASSERT_EQ(theirs.exit_code, 0);
  EXPECT_EQ(headers(ours), headers(theirs.out)) << ours << "---- git:\n" << theirs.out;
  ASSERT_EQ(git(dir, {"checkout", "--", "."}).exit_code, 0);
  write_file(dir.path() / "p.diff", ours);
  ProcessResult apply = git(dir, {"apply", "p.diff"});
  ASSERT_EQ(apply.exit_code, 0) << apply.err << ours;
  EXPECT_EQ(read(dir.path() / path), kNew);
  ASSERT_EQ(git(dir, {"checkout", "--", "."}).exit_code, 0);
  ProcessResult patch = run_process({"/usr/bin/patch", "-p1", "-s", "-d", dir.path().string(), "-i",
                                     (dir.path() / "p.diff").string()});
  ASSERT_EQ(patch.exit_code, 0) << patch.err << patch.out << ours;
  EXPECT_EQ(read(dir.path() / path), kNew);
}

INSTANTIATE_TEST_SUITE_P(Names, UnifiedDiffPaths,
                         ::testing::Values("plain.c", "my file.c", "dir with space/a b.c", "quote\"d.c",
                                           "back\\slash.c", "tab\tname.c", "\xc3\xa9t\xc3\xa9.c"));

}  // namespace
}  // namespace coderx::testing
