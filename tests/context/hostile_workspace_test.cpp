// Workspaces that change under the index in hostile ways: an indexed file replaced by a FIFO
// (gather must not block opening it) or grown past the size limit (gather must not read it),
// and a link to a file outside the workspace reported as created (update must not index it,
// as the walk does not). Plus read_regular_file on the special files it must refuse.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <future>

#include "context/gather.h"
#include "context/index.h"
#include "context/read_file.h"
#include "tests/support/paths.h"

namespace coderx::context {
namespace {

namespace fs = std::filesystem;

using testing::write_file;

std::size_t chars_div4(std::string_view s) { return (s.size() + 3) / 4; }

// lib.py defines helper(); main.py calls it at the cursor.
struct World {
  testing::TempDir dir;
  std::unique_ptr<WorkspaceIndex> index;
  std::string main_text = "from lib import helper\n\ndef run(v):\n    return helper(v)\n";
  World() {
    write_file(dir / "lib.py", "def helper(x):\n    return x + 1\n");
    write_file(dir / "main.py", main_text);
    index = std::move(*WorkspaceIndex::build(dir.path(), IndexOptions{.max_file_bytes = 4096}));
  }
  GatherResult gather_at_helper() const {
    Document doc(language_by_id("python"), main_text, 1);
    DocumentSnapshot snap = doc.snapshot();
    GatherRequest req;
    req.document = &snap;
    req.path = "main.py";
    req.start_byte = req.end_byte = static_cast<std::uint32_t>(main_text.find("helper(v"));
    req.budget_tokens = 2000;
    req.count_tokens = chars_div4;
    req.index = index.get();
    return gather(req);
  }
};

// The definition of helper() read from lib.py (the import summary comes from the index alone).
bool has_lib_snippet(const GatherResult& r) {
  for (const Snippet& s : r.snippets)
    if (s.path == "lib.py" && s.kind == SnippetKind::definition) return true;
  return false;
}

TEST(HostileWorkspace, GatherReadsTheIndexedDefinition) {
  World w;
  EXPECT_TRUE(has_lib_snippet(w.gather_at_helper()));
}

TEST(HostileWorkspace, GatherDoesNotBlockOnAFileReplacedByAFifo) {
  World w;
  const fs::path fifo = w.dir / "lib.py";
  fs::remove(fifo);
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto result = std::async(std::launch::async, [&] { return w.gather_at_helper(); });
  const bool done = result.wait_for(std::chrono::seconds(20)) == std::future_status::ready;
  if (!done) {  // unblock the stuck open so that the test ends
    int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
    if (fd >= 0) ::close(fd);
  }
  ASSERT_TRUE(done) << "gather still blocked on the FIFO after 20 s";
  EXPECT_FALSE(has_lib_snippet(result.get()));
}

TEST(HostileWorkspace, GatherSkipsAFileThatGrewPastTheLimit) {
  World w;
  std::string big = "def helper(x):\n    return x + 1\n";
  big += std::string(10000, '#') + "\n";  // over the index's 4096-byte limit now
  write_file(w.dir / "lib.py", big);
  EXPECT_FALSE(has_lib_snippet(w.gather_at_helper()));
}

TEST(HostileWorkspace, UpdateDoesNotIndexALinkLeadingOutside) {
  testing::TempDir outside;
  write_file(outside / "secret.py", "def secret(): pass\n");
  World w;
  fs::create_symlink(outside / "secret.py", w.dir / "secret.py");
  fs::create_directory_symlink(outside.path(), w.dir / "out");
  w.index->update("secret.py");
  w.index->update("out/secret.py");
  EXPECT_FALSE(w.index->contains("secret.py"));
  EXPECT_FALSE(w.index->contains("out/secret.py"));
  EXPECT_TRUE(w.index->find_definitions("secret").empty());
  // A link that stays inside is indexed, as by the walk.
  fs::create_symlink(w.dir / "lib.py", w.dir / "alias.py");
  w.index->update("alias.py");
  EXPECT_TRUE(w.index->contains("alias.py"));
}

TEST(HostileWorkspace, ReadRegularFileRefusesSpecialFiles) {
  testing::TempDir dir;
  const fs::path fifo = dir / "pipe.py";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_FALSE(read_regular_file(fifo, 100));
  EXPECT_FALSE(read_regular_file("/dev/zero", 100, true));
  EXPECT_FALSE(read_regular_file(dir.path(), 100));
  EXPECT_FALSE(read_regular_file(dir / "missing.py", 100));
  write_file(dir / "a.py", "0123456789");
  EXPECT_EQ(read_regular_file(dir / "a.py", 10).value(), "0123456789");
  EXPECT_FALSE(read_regular_file(dir / "a.py", 9));
  EXPECT_EQ(read_regular_file(dir / "a.py", 4, true).value(), "0123");
  write_file(dir / "empty.py", "");
  EXPECT_EQ(read_regular_file(dir / "empty.py", 10).value(), "");
}

}  // namespace
}  // namespace coderx::context
