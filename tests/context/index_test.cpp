// The workspace index on generated workspaces: ignore files, limits, bad input (binary, huge,
// invalid UTF-8, deep nesting, symlink loops and links out of the root, unreadable files),
// incremental updates, and the on-disk cache (warm restart, corrupt cache ignored).
#include "context/index.h"

#include "context/index_cache.h"
#include "tests/support/paths.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

namespace coderx::context {
namespace {

namespace fs = std::filesystem;

using testing::write_file;

std::vector<std::string> names(const WorkspaceIndex& idx, const std::string& path) {
  std::vector<std::string> out;
  if (auto f = idx.file(path))
    for (const Symbol& s : f->symbols) out.push_back(s.name);
  return out;
}

TEST(Index, HonoursGitignoreNestedNegationAndCoderxignore) {
  testing::TempDir dir;
  write_file(dir / ".gitignore", "*.gen.py\nbuild/\n!keep.gen.py\n");
  write_file(dir / "a.py", "def a(): pass\n");
  write_file(dir / "x.gen.py", "def x(): pass\n");
  write_file(dir / "keep.gen.py", "def k(): pass\n");
  write_file(dir / "build/b.py", "def b(): pass\n");
  write_file(dir / "sub/.gitignore", "local.py\n/only_here.py\n");
  write_file(dir / "sub/local.py", "def l(): pass\n");
  write_file(dir / "sub/only_here.py", "def o(): pass\n");
  write_file(dir / "sub/deeper/only_here.py", "def d(): pass\n");
  write_file(dir / ".coderxignore", "secret/\n");
  write_file(dir / "secret/s.py", "def s(): pass\n");
  write_file(dir / ".git/config.py", "def g(): pass\n");
  auto idx = WorkspaceIndex::build(dir.path());
  ASSERT_TRUE(idx);
  EXPECT_EQ((*idx)->files(), (std::vector<std::string>{"a.py", "keep.gen.py", "sub/deeper/only_here.py"}));
  EXPECT_GE((*idx)->stats().ignored, 5u);
}

TEST(Index, SkipsLargeBinaryAndDegradesOnBadText) {
  testing::TempDir dir;
  write_file(dir / "big.py", std::string(3 << 20, '#'));
  write_file(dir / "blob.c", std::string("int x;\0\0\0binary", 15));
  write_file(dir / "bad.py", "def ok():\n    return '\xff\xfe'\n\x80\x81 def also(): pass\n");
  std::string deep = "x = ";
  for (int i = 0; i < 10000; ++i) deep += "[";
  write_file(dir / "deep.py", deep + "\ndef after(): pass\n");
  write_file(dir / "notes.txt", "plain\n");
  IndexOptions opts;
  opts.max_file_bytes = 1 << 20;
  opts.parse_time_limit = std::chrono::milliseconds(300);  // deep.py may degrade to no symbols
  auto idx = WorkspaceIndex::build(dir.path(), opts);
  ASSERT_TRUE(idx);
  const IndexStats st = (*idx)->stats();
  EXPECT_EQ(st.skipped_large, 1u);
  EXPECT_EQ(st.skipped_binary, 1u);
  EXPECT_EQ(st.skipped_other, 1u);  // notes.txt: no language
  EXPECT_TRUE((*idx)->contains("bad.py"));
  EXPECT_EQ(names(**idx, "bad.py").front(), "ok");
  EXPECT_TRUE((*idx)->contains("deep.py"));
}

TEST(Index, SymlinkLoopsAndLinksOutsideAreSafe) {
  testing::TempDir outside;
  write_file(outside / "evil.py", "def evil(): pass\n");
  testing::TempDir dir;
  write_file(dir / "src/a.py", "def a(): pass\n");
  fs::create_directory_symlink(dir.path(), dir / "src/loop");
  fs::create_directory_symlink(outside.path(), dir / "out");
  fs::create_symlink(outside / "evil.py", dir / "evil.py");
  fs::create_symlink(dir / "src/a.py", dir / "alias.py");
  auto idx = WorkspaceIndex::build(dir.path());
  ASSERT_TRUE(idx);
  auto files = (*idx)->files();
  EXPECT_EQ(files, (std::vector<std::string>{"alias.py", "src/a.py"}));
  EXPECT_GE((*idx)->stats().links_outside, 2u);
  EXPECT_GE((*idx)->stats().loops, 1u);
}

// Builds the index of `dir` and checks an unreadable file was skipped: returns 0 when it holds,
// a distinct code per failed check (run in a child that may have dropped privileges).
int index_skips_locked_file(const fs::path& dir) {
  auto idx = WorkspaceIndex::build(dir);
  if (!idx) return 10;
  if ((*idx)->files() != std::vector<std::string>{"a.py"}) return 11;
  if ((*idx)->stats().skipped_unreadable != 1u) return 12;
  return 0;
}

TEST(Index, UnreadableFileIsSkipped) {
  testing::TempDir dir;
  write_file(dir / "a.py", "def a(): pass\n");
  write_file(dir / "locked.py", "def l(): pass\n");
  fs::permissions(dir / "locked.py", fs::perms::none);
  if (::geteuid() != 0) {
    EXPECT_EQ(index_skips_locked_file(dir.path()), 0);
    return;
  }
  // Root reads everything: run the index in a child that has become "nobody" (65534).
  fs::permissions(dir.path(), fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                  fs::perms::others_read | fs::perms::others_exec);
  for (fs::path p = dir.path().parent_path(); p != p.root_path(); p = p.parent_path())
    if ((fs::status(p).permissions() & fs::perms::others_exec) == fs::perms::none)
      GTEST_SKIP() << p << " is not searchable by an unprivileged user";
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(20);
    ::_exit(index_skips_locked_file(dir.path()));
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "10: build failed, 11: wrong files, 12: not counted, 20: setuid";
}

TEST(Index, IncrementalCreateChangeDelete) {
  testing::TempDir dir;
  write_file(dir / "a.py", "def alpha(): pass\n");
  auto built = WorkspaceIndex::build(dir.path());
  ASSERT_TRUE(built);
  WorkspaceIndex& idx = **built;
  write_file(dir / "b.py", "def beta(): pass\n");
  idx.update("b.py");
  EXPECT_EQ(idx.find_definitions("beta").size(), 1u);
  write_file(dir / "a.py", "def gamma(): pass\n");
  idx.update("a.py");
  EXPECT_TRUE(idx.find_definitions("alpha").empty());
  EXPECT_EQ(idx.find_definitions("gamma").front().path, "a.py");
  fs::remove(dir / "b.py");
  idx.update("b.py");
  EXPECT_TRUE(idx.find_definitions("beta").empty());
  EXPECT_EQ(idx.stats().files, 1u);
  write_file(dir / ".gitignore", "a.py\n");
  idx.update("a.py");  // now ignored
  EXPECT_EQ(idx.stats().files, 0u);
}

TEST(Index, WarmRestartUsesCacheAndDetectsChanges) {
  testing::TempDir dir;
  testing::TempDir cache_dir;
  for (int i = 0; i < 20; ++i) write_file(dir / ("m" + std::to_string(i) + ".py"), "def f" + std::to_string(i) + "(): pass\n");
  IndexOptions opts;
  opts.cache_file = cache_dir / "index.bin";
  {
    auto idx = WorkspaceIndex::build(dir.path(), opts);
    ASSERT_TRUE(idx);
    EXPECT_EQ((*idx)->stats().parsed, 20u);
    ASSERT_TRUE((*idx)->save_cache());
  }
  write_file(dir / "m3.py", "def changed(): pass\n");
  auto warm = WorkspaceIndex::build(dir.path(), opts);
  ASSERT_TRUE(warm);
  EXPECT_EQ((*warm)->stats().from_cache, 19u);
  EXPECT_EQ((*warm)->stats().parsed, 1u);
  EXPECT_EQ(names(**warm, "m3.py"), std::vector<std::string>{"changed"});
  EXPECT_EQ(names(**warm, "m4.py"), std::vector<std::string>{"f4"});
}

TEST(Index, CorruptOrForeignCacheIsIgnored) {
  testing::TempDir dir;
  testing::TempDir cache_dir;
  write_file(dir / "a.py", "def a(): pass\n");
  IndexOptions opts;
  opts.cache_file = cache_dir / "index.bin";
  ASSERT_TRUE((*WorkspaceIndex::build(dir.path(), opts))->save_cache());
  std::string bytes;
  {
    std::ifstream in(opts.cache_file, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  for (std::size_t cut : {std::size_t{0}, std::size_t{10}, bytes.size() / 2, bytes.size() - 1}) {
    write_file(opts.cache_file, bytes.substr(0, cut));
    EXPECT_FALSE(read_index_cache(opts.cache_file));
    auto idx = WorkspaceIndex::build(dir.path(), opts);
    ASSERT_TRUE(idx);
    EXPECT_EQ((*idx)->stats().parsed, 1u);
  }
  std::string flipped = bytes;
  flipped[flipped.size() - 3] ^= 0x55;
  write_file(opts.cache_file, flipped);
  auto r = read_index_cache(opts.cache_file);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("checksum"), std::string::npos);
  std::string other_version = bytes;
  other_version[8] = 99;
  write_file(opts.cache_file, other_version);
  r = read_index_cache(opts.cache_file);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("version 99"), std::string::npos);
}

TEST(Index, RescanAppliesNewIgnoreRulesAndKeepsUnchangedFiles) {
  testing::TempDir dir;
  write_file(dir / "a.py", "def a(): pass\n");
  write_file(dir / "gen/b.py", "def b(): pass\n");
  auto built = WorkspaceIndex::build(dir.path());
  ASSERT_TRUE(built);
  WorkspaceIndex& idx = **built;
  write_file(dir / ".gitignore", "gen/\n");
  write_file(dir / "c.py", "def c(): pass\n");
  ASSERT_TRUE(idx.rescan());
  EXPECT_EQ(idx.files(), (std::vector<std::string>{"a.py", "c.py"}));
  EXPECT_EQ(idx.stats().from_cache, 1u);  // a.py was not re-read
  EXPECT_EQ(idx.stats().parsed, 1u);
  EXPECT_TRUE(idx.find_definitions("b").empty());
}

TEST(Index, MissingRootIsAnError) {
  auto idx = WorkspaceIndex::build("/nonexistent/coderx/workspace");
  ASSERT_FALSE(idx);
  EXPECT_EQ(idx.error().code, Errc::not_found);
}

}  // namespace
}  // namespace coderx::context
