// Model references against broken or hostile Hugging Face caches: references whose file part
// would lead out of the snapshot, refs/main files holding something other than a commit hash
// or that are FIFOs, and snapshot links that loop or point at missing blobs.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <future>
#include <vector>

#include "lsp/server/model_ref.h"
#include "tests/support/paths.h"

namespace coderx::server {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

const std::string kCommit(40, 'e');

using testing::write_file;

// A cache at DIR/hub with models--o--r and refs/main = kCommit.
struct Cache {
  TempDir dir;
  ModelRefEnv env;
  fs::path repo;
  Cache() : repo(dir / "hub/models--o--r") {
    env.system_ollama_root = dir / "system";
    env.hf_hub_cache = (dir / "hub").string();
    write_file(repo / "refs/main", kCommit + "\n");
    write_file(repo / "snapshots" / kCommit / "f.gguf", "GGUF");
  }
};

TEST(ModelRefHostile, AnAbsoluteOrEmptyPartInTheFileIsRefused) {
  Cache c;
  write_file(c.dir / "outside.gguf", "GGUF");
  const std::vector<std::string> refs{"hf:o/r/" + (c.dir / "outside.gguf").string(), "hf:o/r/a//f.gguf",
                                      "hf:o/r/./f.gguf", "hf:o/r@../f.gguf", "hf:o/r@./f.gguf"};
  for (const std::string& ref : refs) {
    auto p = resolve_model_ref(ref, c.env);
    ASSERT_FALSE(p) << ref << " resolved to " << p.value();
    EXPECT_EQ(p.error().code, model::Errc::invalid_argument) << ref;
    EXPECT_NE(p.error().message.find("is not a valid Hugging Face reference"), std::string::npos)
        << p.error().message;
  }
  EXPECT_EQ(resolve_model_ref("hf:o/r/f.gguf", c.env).value(),
            c.repo / "snapshots" / kCommit / "f.gguf");
}

TEST(ModelRefHostile, ARefThatIsNotACommitHashIsNotFollowed) {
  Cache c;
  write_file(c.repo / "refs/main", "../../escape\n");
  write_file(c.dir / "hub/escape/g.gguf", "GGUF");  // where "snapshots/../../escape" leads
  auto p = resolve_model_ref("hf:o/r/g.gguf", c.env);
  ASSERT_FALSE(p) << "followed refs/main to " << p.value();
  EXPECT_EQ(p.error().code, model::Errc::not_found);
  EXPECT_NE(p.error().message.find("refs/main does not hold a commit hash"), std::string::npos)
      << p.error().message;
  // A snapshot that holds the file is still found by scanning.
  EXPECT_EQ(resolve_model_ref("hf:o/r/f.gguf", c.env).value(),
            c.repo / "snapshots" / kCommit / "f.gguf");
  // Surrounding whitespace and newlines around a real hash are fine.
  write_file(c.repo / "refs/main", "\n  " + kCommit + " \r\n");
  EXPECT_TRUE(resolve_model_ref("hf:o/r/f.gguf", c.env));
}

TEST(ModelRefHostile, ARefThatIsAFifoDoesNotBlock) {
  Cache c;
  fs::remove(c.repo / "refs/main");
  const fs::path fifo = c.repo / "refs/main";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto result = std::async(std::launch::async, [&] { return resolve_model_ref("hf:o/r/f.gguf", c.env); });
  const bool done = result.wait_for(std::chrono::seconds(20)) == std::future_status::ready;
  if (!done) {  // unblock the stuck open so that the test ends
    int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
    if (fd >= 0) ::close(fd);
  }
  ASSERT_TRUE(done) << "resolving with a FIFO as refs/main still blocked after 20 s";
  EXPECT_EQ(result.get().value(), c.repo / "snapshots" / kCommit / "f.gguf");  // by scanning
}

TEST(ModelRefHostile, BrokenSnapshotLinksAreNamed) {
  Cache c;
  const fs::path snap = c.repo / "snapshots" / kCommit;
  fs::create_symlink("loop.gguf", snap / "loop.gguf");
  fs::create_symlink("../../blobs/" + std::string(64, 'a'), snap / "partial.gguf");
  fs::create_directories(snap / "dir.gguf");
  auto loop = resolve_model_ref("hf:o/r/loop.gguf", c.env);
  ASSERT_FALSE(loop);
  EXPECT_NE(loop.error().message.find("loop.gguf ($HF_HUB_CACHE; a symbolic link loop)"),
            std::string::npos) << loop.error().message;
  auto partial = resolve_model_ref("hf:o/r/partial.gguf", c.env);
  ASSERT_FALSE(partial);
  EXPECT_NE(partial.error().message.find("a link to a missing blob (incomplete download?)"),
            std::string::npos) << partial.error().message;
  auto dir = resolve_model_ref("hf:o/r/dir.gguf", c.env);
  ASSERT_FALSE(dir);
  EXPECT_NE(dir.error().message.find("a directory, not a file"), std::string::npos)
      << dir.error().message;
}

}  // namespace
}  // namespace coderx::server
