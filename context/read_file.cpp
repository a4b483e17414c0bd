#include "context/read_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace coderx::context {

namespace {

struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// Reads up to `limit` bytes, and one more to tell whether there was more.
std::optional<std::string> read_up_to(int fd, std::uint64_t limit, bool& more) {
  std::string out;
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::nullopt;
    if (n == 0) break;
    const std::uint64_t room = limit - out.size();
    out.append(buf, static_cast<std::size_t>(std::min<std::uint64_t>(room, static_cast<std::uint64_t>(n))));
    if (static_cast<std::uint64_t>(n) > room) {
      more = true;
      break;
    }
  }
  return out;
}

}  // namespace

std::optional<std::string> read_regular_file(const std::filesystem::path& path,
                                             std::uint64_t max_bytes, bool truncate) {
  // O_NONBLOCK: opening a FIFO that nobody writes returns at once (no effect on regular files).
  Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK)};
  if (f.fd < 0) return std::nullopt;
  struct stat st {};
  if (fstat(f.fd, &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  if (!truncate && static_cast<std::uint64_t>(st.st_size) > max_bytes) return std::nullopt;
  bool more = false;
  auto text = read_up_to(f.fd, max_bytes, more);
  if (!text || (more && !truncate)) return std::nullopt;
  return text;
}

}  // namespace coderx::context
