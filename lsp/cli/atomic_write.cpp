#include "lsp/cli/atomic_write.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace coderx::cli {

namespace {

model::Error os_error(const std::string& what, const std::filesystem::path& path) {
  return model::make_error(model::Errc::io, what + " " + path.string() + ": " + std::strerror(errno));
}

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

std::int64_t mtime_ns(const struct stat& st) {
  return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}

// Creates and fills the temporary file; returns its path or an error (nothing left behind).
model::Result<std::filesystem::path> write_temp(const std::filesystem::path& path, std::string_view content,
                                                mode_t mode) {
  std::string name = (path.parent_path() / ("." + path.filename().string() + ".coderx-XXXXXX")).string();
  int fd = ::mkstemp(name.data());
  if (fd < 0) return os_error("cannot create a temporary file next to", path);
  bool ok = ::fchmod(fd, mode) == 0 && write_all(fd, content) && ::fsync(fd) == 0;
  int saved = errno;
  ok = (::close(fd) == 0) && ok;
  if (!ok) {
    ::unlink(name.c_str());
    errno = saved;
    return os_error("cannot write the new content of", path);
  }
  return std::filesystem::path(name);
}

}  // namespace

std::uint64_t content_hash(std::string_view content) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : content) h = (h ^ c) * 1099511628211ull;
  return h;
}

model::Result<ReadFile> read_file_stamped(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return os_error("cannot open", path);
  struct stat st {};
  ReadFile out;
  bool ok = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  char buffer[65536];
  for (ssize_t n; ok && (n = ::read(fd, buffer, sizeof buffer)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) ok = false;
    else out.content.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  if (!ok) return os_error("cannot read (not a regular file?)", path);
  out.stamp = {static_cast<std::uint64_t>(st.st_size), mtime_ns(st), content_hash(out.content)};
  return out;
}

model::Result<void> atomic_replace(const std::filesystem::path& path, std::string_view content,
                                   const FileStamp& expected) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return os_error("cannot stat", path);
  auto temp = write_temp(path, content, st.st_mode & 07777);
  if (!temp) return temp.error();
  auto now = read_file_stamped(path);  // checked as late as possible, right before the rename
  if (!now || !(now->stamp == expected)) {
    ::unlink(temp->c_str());
    return model::make_error(model::Errc::invalid_argument,
                             path.string() + " changed on disk since it was read; not overwritten");
  }
  if (::rename(temp->c_str(), path.c_str()) != 0) {
    auto error = os_error("cannot rename over", path);
    ::unlink(temp->c_str());
    return error;
  }
  std::filesystem::path dir = path.parent_path().empty() ? "." : path.parent_path();
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return {};
}

}  // namespace coderx::cli
