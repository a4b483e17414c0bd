// Unified diff parsing, checked against diffs that git itself produces for edits whose line
// numbers the test knows, and against hand-written corner cases.
#include "lsp/features/diff.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/paths.h"
#include "tests/support/process.h"

namespace coderx::features {
namespace {

using testing::ProcessResult;
using testing::TempDir;

using testing::write_file;

ProcessResult git(const TempDir& dir, std::vector<std::string> args) {
  std::vector<std::string> argv{"/usr/bin/git", "-C", dir.path().string(), "-c", "user.name=t",
                                "-c", "user.email=t@t", "-c", "core.quotepath=on"};
  argv.insert(argv.end(), args.begin(), args.end());
  return testing::run_process(argv);
}

std::string numbered(int from, int to, const std::string& tag = "line") {
  std::string s;
  for (int i = from; i <= to; ++i) s += tag + " " + std::to_string(i) + "\n";
  return s;
}

TEST(Diff, MatchesWhatGitReportsForKnownEdits) {
  TempDir dir;
  ASSERT_EQ(git(dir, {"init", "-q"}).exit_code, 0);
  write_file(dir / "a.txt", numbered(1, 40));
  write_file(dir / "gone.txt", "bye\n");
  write_file(dir / "old name.txt", numbered(1, 10, "keep"));
  ASSERT_EQ(git(dir, {"add", "-A"}).exit_code, 0);
  ASSERT_EQ(git(dir, {"commit", "-qm", "base"}).exit_code, 0);
  // a.txt: replace line 5, insert two lines after 30.
  write_file(dir / "a.txt", numbered(1, 4) + "changed 5\n" + numbered(6, 30) + "new A\nnew B\n" + numbered(31, 40));
  std::filesystem::remove(dir / "gone.txt");
  std::filesystem::rename(dir / "old name.txt", dir / "new name.txt");
  write_file(dir / "dir/\xc3\xa9t\xc3\xa9.txt", "fresh\n");
  ASSERT_EQ(git(dir, {"add", "-A"}).exit_code, 0);
  ProcessResult diff = git(dir, {"diff", "--cached", "-M", "--no-color"});
  ASSERT_EQ(diff.exit_code, 0) << diff.err;

  auto files = parse_unified_diff(diff.out);
  ASSERT_TRUE(files) << files.error().message;
  ASSERT_EQ(files->size(), 4u) << diff.out;
  const FileDiff& a = (*files)[0];
  EXPECT_EQ(a.path(), "a.txt");
  EXPECT_EQ(a.status, FileDiff::Status::modified);
  ASSERT_EQ(a.hunks.size(), 2u);
  EXPECT_NE(a.hunk_for_new_line(5), nullptr);
  EXPECT_NE(a.hunk_for_new_line(31), nullptr);  // "new A"
  EXPECT_NE(a.hunk_for_new_line(32), nullptr);  // "new B"
  EXPECT_EQ(a.hunk_for_new_line(20), nullptr);  // untouched, outside any hunk
  for (const Hunk& h : a.hunks)
    for (const DiffLine& l : h.lines)
      if (l.kind == DiffLine::Kind::added) {
        EXPECT_TRUE(l.text == "changed 5" || l.text.rfind("new ", 0) == 0) << l.text;
      }

  EXPECT_EQ((*files)[1].path(), "dir/\xc3\xa9t\xc3\xa9.txt");  // quoted, octal-escaped by git
  EXPECT_EQ((*files)[1].status, FileDiff::Status::added);
  EXPECT_EQ((*files)[2].path(), "gone.txt");
  EXPECT_EQ((*files)[2].status, FileDiff::Status::deleted);
  EXPECT_EQ((*files)[3].status, FileDiff::Status::renamed);
  EXPECT_EQ((*files)[3].old_path, "old name.txt");
  EXPECT_EQ((*files)[3].new_path, "new name.txt");
}

TEST(Diff, LineNumbersFollowTheHunkHeader) {
  auto files = parse_unified_diff(
      "--- a/x.c\n+++ b/x.c\n@@ -10,4 +10,5 @@ int main()\n ctx10\n-old11\n+new11\n+new12\n ctx12\n"
      " ctx13\n\\ No newline at end of file\n");
  ASSERT_TRUE(files) << files.error().message;
  ASSERT_EQ(files->size(), 1u);
  const Hunk& h = (*files)[0].hunks.at(0);
  EXPECT_EQ(h.section, "int main()");
  ASSERT_EQ(h.lines.size(), 6u);
  EXPECT_EQ(h.lines[1].old_line, 11u);
  EXPECT_EQ(h.lines[2].new_line, 11u);
  EXPECT_EQ(h.lines[3].new_line, 12u);
  EXPECT_EQ(h.lines[4].old_line, 12u);
  EXPECT_EQ(h.lines[4].new_line, 13u);
  EXPECT_EQ(h.lines[5].new_line, 14u);
  EXPECT_FALSE(h.covers_new_line(9));
  EXPECT_TRUE(h.covers_new_line(14));
}

TEST(Diff, BinaryAndEmptyInputs) {
  auto files = parse_unified_diff(
      "diff --git a/img.png b/img.png\nindex 1..2 100644\nBinary files a/img.png and b/img.png differ\n");
  ASSERT_TRUE(files);
  ASSERT_EQ(files->size(), 1u);
  EXPECT_TRUE((*files)[0].binary);
  EXPECT_EQ((*files)[0].path(), "img.png");
  auto none = parse_unified_diff("");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

// "rename from/to" lines carry no a/ b/ prefix: a file under a top-level b/ keeps its folder.
TEST(Diff, PureRenamesUnderAFolderNamedAOrBKeepTheirPath) {
  TempDir dir;
  write_file(dir / "b/x.c", numbered(1, 5));
  ASSERT_EQ(git(dir, {"init", "-q"}).exit_code, 0);
  ASSERT_EQ(git(dir, {"add", "."}).exit_code, 0);
  ASSERT_EQ(git(dir, {"commit", "-qm", "base"}).exit_code, 0);
  ASSERT_EQ(git(dir, {"mv", "b/x.c", "b/y.c"}).exit_code, 0);
  ProcessResult diff = git(dir, {"diff", "-M", "--cached"});
  ASSERT_EQ(diff.exit_code, 0);
  auto files = parse_unified_diff(diff.out);
  ASSERT_TRUE(files) << diff.out;
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ((*files)[0].status, FileDiff::Status::renamed);
  EXPECT_EQ((*files)[0].old_path, "b/x.c");
  EXPECT_EQ((*files)[0].new_path, "b/y.c");
}

// A submodule's "content" is a commit id: committed bumps carry mode 160000, a dirty working
// tree only its "Subproject commit" lines. A symbolic link's is its target (mode 120000).
TEST(Diff, SubmoduleAndSymlinkChangesAreMarked) {
  auto bumped = parse_unified_diff(
      "diff --git a/sm b/sm\nindex 1a2b3c4..5d6e7f8 160000\n--- a/sm\n+++ b/sm\n@@ -1 +1 @@\n"
      "-Subproject commit 1a2b3c4\n+Subproject commit 5d6e7f8\n");
  ASSERT_TRUE(bumped);
  EXPECT_TRUE((*bumped)[0].submodule);
  auto dirty = parse_unified_diff(
      "diff --git a/sm b/sm\n--- a/sm\n+++ b/sm\n@@ -1 +1 @@\n-Subproject commit 1a2b\n+Subproject commit 1a2b-dirty\n");
  ASSERT_TRUE(dirty);
  EXPECT_TRUE((*dirty)[0].submodule);
  auto link = parse_unified_diff(
      "diff --git a/l b/l\nnew file mode 120000\nindex 0000000..1a2b3c4\n--- /dev/null\n+++ b/l\n@@ -0,0 +1 @@\n"
      "+target.c\n\\ No newline at end of file\n");
  ASSERT_TRUE(link) << link.error().message;
  EXPECT_TRUE((*link)[0].symlink);
  EXPECT_FALSE((*link)[0].submodule);
  auto text = parse_unified_diff(
      "diff --git a/n.txt b/n.txt\nindex 1..2 100644\n--- a/n.txt\n+++ b/n.txt\n@@ -1 +1,2 @@\n"
      " Subproject commit 1a2b\n+a note\n");
  ASSERT_TRUE(text);
  EXPECT_FALSE((*text)[0].submodule);
}

TEST(Diff, MalformedHunksAreErrorsWithLineNumbers) {
  for (const char* bad : {"--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n a\n",          // ends early
                          "--- a/x\n+++ b/x\n@@ -1,two +1 @@\n a\n",          // bad number
                          "--- a/x\n+++ b/x\n@@ -1,1 +1,1 @@\n+a\n+b\n"}) {  // too many adds
    auto files = parse_unified_diff(bad);
    ASSERT_FALSE(files) << bad;
    EXPECT_NE(files.error().message.find("diff line "), std::string::npos);
  }
}

}  // namespace
}  // namespace coderx::features
