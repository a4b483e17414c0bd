#include "context/read_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace coderx::context {

namespace {

struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

Error os_error(const std::filesystem::path& path, const char* what) {
  return make_error(errno == ENOENT ? Errc::not_found : Errc::io,
                    path.string() + ": " + what + ": " + std::strerror(errno));
}

Error too_large(const std::filesystem::path& path, std::uint64_t max_bytes) {
  return make_error(Errc::format, path.string() + ": larger than " + std::to_string(max_bytes) + " bytes");
}

// Reads up to `limit` bytes, and notes in `more` whether there was more.
Result<std::string> read_up_to(int fd, const std::filesystem::path& path, std::uint64_t limit, bool& more) {
  std::string out;
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return os_error(path, "read failed");
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

Result<std::string> read_regular_file(const std::filesystem::path& path, std::uint64_t max_bytes, bool truncate) {
  // O_NONBLOCK: opening a FIFO that nobody writes returns at once (no effect on regular files).
  Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK)};
  if (f.fd < 0) return os_error(path, "cannot open");
  struct stat st {};
  if (fstat(f.fd, &st) != 0) return os_error(path, "cannot stat");
  if (!S_ISREG(st.st_mode))
    return make_error(Errc::unsupported, path.string() + ": not a regular file (a directory, device or pipe)");
  if (!truncate && static_cast<std::uint64_t>(st.st_size) > max_bytes) return too_large(path, max_bytes);
  bool more = false;
  auto text = read_up_to(f.fd, path, max_bytes, more);
  if (text && more && !truncate) return too_large(path, max_bytes);  // it grew while we read
  return text;
}

}  // namespace coderx::context
