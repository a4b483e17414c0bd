// GgufFile::open on paths that are not GGUF files at all: a FIFO (which must not block the
// open waiting for a writer), a directory, a character device, a socket and an empty file each
// give one Errc::io / Errc::format message that names the path and says what it is.
#include "model/gguf.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <future>
#include <string>

#include "tests/support/paths.h"

namespace coderx::model {
namespace {

std::string open_error(const std::filesystem::path& p) {
  auto f = GgufFile::open(p);
  return f ? std::string("(opened)") : f.error().message;
}

TEST(GgufOpen, AFifoIsRefusedWithoutWaitingForAWriter) {
  testing::TempDir dir;
  const std::filesystem::path fifo = dir / "model.gguf";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto result = std::async(std::launch::async, [&] { return open_error(fifo); });
  const bool done = result.wait_for(std::chrono::seconds(20)) == std::future_status::ready;
  if (!done) {  // unblock the stuck open so that the test ends
    int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
    if (fd >= 0) ::close(fd);
  }
  ASSERT_TRUE(done) << "GgufFile::open on a FIFO still blocked after 20 s";
  EXPECT_EQ(result.get(), fifo.string() + ": is a named pipe (FIFO), not a GGUF file");
}

TEST(GgufOpen, ADirectoryIsNamedAsSuch) {
  testing::TempDir dir;
  EXPECT_EQ(open_error(dir.path()), dir.path().string() + ": is a directory, not a GGUF file");
}

TEST(GgufOpen, ADeviceIsNamedAsSuch) {
  EXPECT_EQ(open_error("/dev/zero"), "/dev/zero: is a character device, not a GGUF file");
}

TEST(GgufOpen, ASocketIsNamedAsSuch) {
  testing::TempDir dir;
  const std::filesystem::path sock = dir / "s.gguf";
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  ASSERT_LT(sock.string().size(), sizeof addr.sun_path);
  std::strcpy(addr.sun_path, sock.c_str());
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  EXPECT_EQ(open_error(sock), sock.string() + ": is a socket, not a GGUF file");
  ::close(fd);
}

TEST(GgufOpen, AnEmptyFileSaysSo) {
  testing::TempDir dir;
  std::ofstream(dir / "empty.gguf").close();
  auto f = GgufFile::open(dir / "empty.gguf");
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().code, Errc::format);
  EXPECT_EQ(f.error().message,
            (dir / "empty.gguf").string() + ": not a GGUF file: the file is empty (0 bytes)");
}

}  // namespace
}  // namespace coderx::model
