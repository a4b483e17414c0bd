// WorkspaceIndexer: builds an index per folder off the caller's thread (with begin/end
// callbacks), honours .gitignore, follows created/changed/deleted files, rescans when an
// ignore file changes, writes its on-disk cache and reuses it on the next start.
#include "lsp/server/workspace_indexer.h"

#include <gtest/gtest.h>

#include <fstream>
#include <mutex>

#include "tests/support/paths.h"

namespace coderx::server {
namespace {

namespace fs = std::filesystem;

using testing::write_file;

struct IndexerTest : ::testing::Test {
  testing::TempDir root, cache;
  void SetUp() override {
    write_file(root / "src/a.py", "def alpha():\n    return 1\n");
    write_file(root / "src/b.py", "def beta():\n    return 2\n");
    write_file(root / "build/gen.py", "def generated():\n    pass\n");
    write_file(root / ".gitignore", "build/\n");
  }
  bool defines(const WorkspaceIndexer& ix, const std::string& name) {
    auto where = ix.locate(root.path() / "src/a.py");
    return where.index && !where.index->find_definitions(name).empty();
  }
};

TEST_F(IndexerTest, BuildsAFolderWithProgressAndHonoursGitignore) {
  WorkspaceIndexer ix({cache.path(), 1});
  std::vector<std::string> seen;
  std::mutex mu;
  IndexingCallbacks cb;
  cb.begin = [&](const std::string& m) { std::lock_guard l(mu); seen.push_back("begin " + m); };
  cb.end = [&](const std::string& m) { std::lock_guard l(mu); seen.push_back("end " + m); };
  ix.set_folders({root.path()}, cb);
  ix.wait_idle();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0], "begin indexing " + root.path().string());
  EXPECT_TRUE(seen[1].starts_with("end indexed 2 files")) << seen[1];
  auto where = ix.locate(root.path() / "src/a.py");
  ASSERT_TRUE(where.index);
  EXPECT_EQ(where.path, "src/a.py");
  EXPECT_TRUE(defines(ix, "alpha"));
  EXPECT_FALSE(defines(ix, "generated"));  // ignored
  EXPECT_FALSE(ix.locate("/somewhere/else.py").index);
  EXPECT_EQ(ix.files(), 2u);
}

TEST_F(IndexerTest, FollowsFileEventsAndIgnoreFileChanges) {
  WorkspaceIndexer ix({"", 1});
  ix.set_folders({root.path()});
  write_file(root / "src/c.py", "def gamma():\n    pass\n");
  ix.file_event(root.path() / "src/c.py", lsp::FileChangeType::created);
  fs::remove(root / "src/b.py");
  ix.file_event(root.path() / "src/b.py", lsp::FileChangeType::deleted);
  write_file(root / "src/a.py", "def alpha2():\n    return 1\n");
  ix.file_event(root.path() / "src/a.py", lsp::FileChangeType::changed);
  ix.wait_idle();
  EXPECT_TRUE(defines(ix, "gamma"));
  EXPECT_FALSE(defines(ix, "beta"));
  EXPECT_TRUE(defines(ix, "alpha2"));
  EXPECT_FALSE(defines(ix, "alpha"));
  write_file(root / ".gitignore", "");
  ix.file_event(root.path() / ".gitignore", lsp::FileChangeType::changed);
  ix.wait_idle();
  EXPECT_TRUE(defines(ix, "generated"));  // no longer ignored
}

TEST_F(IndexerTest, TheCacheIsWrittenAndReusedOnTheNextStart) {
  {
    WorkspaceIndexer ix({cache.path(), 1});
    ix.set_folders({root.path()});
    ix.wait_idle();
  }
  std::size_t caches = 0;
  for (const auto& e : fs::directory_iterator(cache.path())) caches += e.path().extension() == ".idx";
  EXPECT_EQ(caches, 1u);
  WorkspaceIndexer again({cache.path(), 1});
  std::string summary;
  IndexingCallbacks cb;
  cb.end = [&](const std::string& m) { summary = m; };
  again.set_folders({root.path()}, cb);
  again.wait_idle();
  EXPECT_NE(summary.find("2 from the cache"), std::string::npos) << summary;
}

TEST_F(IndexerTest, FoldersComeAndGo) {
  testing::TempDir other;
  write_file(other / "x.py", "def xray():\n    pass\n");
  WorkspaceIndexer ix({"", 1});
  ix.set_folders({root.path(), other.path()});
  ix.wait_idle();
  EXPECT_TRUE(ix.locate(other.path() / "x.py").index);
  ix.set_folders({root.path()});
  ix.wait_idle();
  EXPECT_FALSE(ix.locate(other.path() / "x.py").index);
  EXPECT_TRUE(ix.locate(root.path() / "src/a.py").index);
}

// A folder dropped while it is being built stops that build, so the folders that replace it do
// not wait behind it (a user who opened the wrong, huge folder).
TEST_F(IndexerTest, AFolderDroppedDuringItsBuildStopsIt) {
  testing::TempDir wrong;
  for (int i = 0; i < 50; ++i) write_file(wrong / ("m" + std::to_string(i) + ".py"), "def f():\n    pass\n");
  WorkspaceIndexer ix({cache.path(), 1});
  std::vector<std::string> ends;
  std::mutex mu;
  IndexingCallbacks cb;
  cb.end = [&](const std::string& m) { std::lock_guard l(mu); ends.push_back(m); };
  IndexingCallbacks first = cb;
  first.begin = [&](const std::string&) { ix.set_folders({root.path()}, cb); };  // while it builds
  ix.set_folders({wrong.path()}, first);
  ix.wait_idle();
  ASSERT_EQ(ends.size(), 2u);
  EXPECT_EQ(ends[0], "stopped: no longer a workspace folder");
  EXPECT_TRUE(ends[1].starts_with("indexed 2 files")) << ends[1];
  EXPECT_FALSE(ix.locate(wrong.path() / "m1.py").index);
  EXPECT_TRUE(ix.locate(root.path() / "src/a.py").index);
}

TEST_F(IndexerTest, AFolderWithoutAnIndexStillNamesItsFiles) {
  testing::TempDir elsewhere;
  const fs::path missing = elsewhere.path() / "not-created-yet";
  WorkspaceIndexer ix({"", 1});
  std::string summary;
  IndexingCallbacks cb;
  cb.end = [&](const std::string& m) { summary = m; };
  ix.set_folders({missing, root.path()}, cb);
  // Named at once, whether or not the index is built by now.
  EXPECT_EQ(ix.locate(root.path() / "src/a.py").path, "src/a.py");
  ix.wait_idle();
  EXPECT_TRUE(summary.starts_with("indexed")) << summary;  // the last folder's
  auto where = ix.locate(missing / "pkg/m.py");
  EXPECT_FALSE(where.index);
  EXPECT_EQ(where.path, "pkg/m.py");  // its folder, though it has no index
  EXPECT_EQ(ix.locate(root.path() / "src/a.py").path, "src/a.py");
  EXPECT_TRUE(ix.locate(root.path() / "src/a.py").index);
  EXPECT_EQ(ix.locate("/somewhere/else.py").path, "");
  ix.set_folders({root.path()});
  ix.wait_idle();
  EXPECT_EQ(ix.locate(missing / "pkg/m.py").path, "");  // no longer a folder
}

}  // namespace
}  // namespace coderx::server
