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

std::string too_large(std::uint64_t size, std::uint64_t max_bytes) {
  return " is too large (" + std::to_string(size) + " bytes; the limit is " + std::to_string(max_bytes) + ")";
}

std::int64_t mtime_ns(const struct stat& st) {
  return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}

// Creates and fills the temporary file; returns its path or an error (nothing left behind).
// The new file takes the old one's permissions and, where the OS allows, its owner and group.
model::Result<std::filesystem::path> write_temp(const std::filesystem::path& path, std::string_view content,
                                                const struct stat& old) {
  std::string name = (path.parent_path() / ("." + path.filename().string() + ".coderx-XXXXXX")).string();
  int fd = ::mkstemp(name.data());
  if (fd < 0) return os_error("cannot create a temporary file next to", path);
  [[maybe_unused]] int owned = ::fchown(fd, old.st_uid, old.st_gid);  // fails unless root: then ours
  bool ok = ::fchmod(fd, old.st_mode & 07777) == 0 && write_all(fd, content) && ::fsync(fd) == 0;
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

model::Result<ReadFile> read_file_stamped(const std::filesystem::path& path, std::uint64_t max_bytes) {
  // O_NONBLOCK: a FIFO nobody writes must be refused below, not block the open (no effect on
  // regular files).
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return os_error("cannot open", path);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    auto error = os_error("cannot stat", path);
    ::close(fd);
    return error;
  }
  std::string problem = S_ISDIR(st.st_mode)                                    ? " is a directory"
                        : !S_ISREG(st.st_mode)                                 ? " is not a regular file"
                        : static_cast<std::uint64_t>(st.st_size) > max_bytes ? too_large(st.st_size, max_bytes)
                                                                               : "";
  if (!problem.empty()) {
    ::close(fd);
    return model::make_error(S_ISREG(st.st_mode) ? model::Errc::unsupported : model::Errc::invalid_argument,
                             path.string() + problem);
  }
  ReadFile out;
  out.content.reserve(static_cast<std::size_t>(st.st_size));
  bool ok = true;
  char buffer[65536];
  for (ssize_t n; ok && out.content.size() <= max_bytes && (n = ::read(fd, buffer, sizeof buffer)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) ok = false;
    else out.content.append(buffer, static_cast<std::size_t>(n));
  }
  int saved = errno;
  ::close(fd);
  errno = saved;
  if (!ok) return os_error("cannot read", path);
  if (out.content.size() > max_bytes)  // it grew while we read
    return model::make_error(model::Errc::unsupported, path.string() + too_large(out.content.size(), max_bytes));
  out.stamp = {out.content.size(), mtime_ns(st), content_hash(out.content)};
  return out;
}

model::Result<void> atomic_replace(const std::filesystem::path& path, std::string_view content,
                                   const FileStamp& expected) {
  std::error_code ec;
  const std::filesystem::path target = std::filesystem::canonical(path, ec);  // through symbolic links
  if (ec) return model::make_error(model::Errc::io, "cannot resolve " + path.string() + ": " + ec.message());
  struct stat st {};
  if (::stat(target.c_str(), &st) != 0) return os_error("cannot stat", path);
  if (st.st_nlink > 1)
    return model::make_error(model::Errc::unsupported,
                             path.string() + " has " + std::to_string(st.st_nlink) +
                                 " hard links, which replacing it would separate; not overwritten");
  auto temp = write_temp(target, content, st);
  if (!temp) return temp.error();
  auto now = read_file_stamped(target, expected.size);  // checked as late as possible, right before the rename
  if (!now || !(now->stamp == expected)) {
    ::unlink(temp->c_str());
    return model::make_error(model::Errc::invalid_argument,
                             path.string() + " changed on disk since it was read; not overwritten");
  }
  if (::rename(temp->c_str(), target.c_str()) != 0) {
    auto error = os_error("cannot rename over", path);
    ::unlink(temp->c_str());
    return error;
  }
  int dfd = ::open(target.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return {};
}

}  // namespace coderx::cli
