// Replacing a file's content so that a reader (or a crash) sees the old file or the new one,
// never a mix: write a temporary file in the same directory, copy the permissions, fsync,
// rename over the original, fsync the directory. Before renaming, the file must still match
// the FileStamp taken when it was read (size, mtime and content hash), so an edit made
// meanwhile by someone else is never overwritten.
// A symbolic link is followed: the file it points at is replaced and the link stays. A file with
// several hard links is refused, since the rename would leave the other names on the old content.
// Used by `coderx refactor --apply`. Thread-safe for different paths.
// Errors: the file changed since it was read → Errc::invalid_argument ("changed on disk");
// hard links → Errc::unsupported; OS failures → Errc::io with the path; the temporary file is
// removed on every failure.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "model/error.h"

namespace coderx::cli {

struct FileStamp {
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::uint64_t hash = 0;  // FNV-1a 64 of the content
  bool operator==(const FileStamp&) const = default;
};

std::uint64_t content_hash(std::string_view content);

struct ReadFile {
  std::string content;
  FileStamp stamp;
};
// The whole content of a regular file of at most `max_bytes` (never reads past that). Errors:
// a directory or other non-regular file → Errc::invalid_argument; too large → Errc::unsupported;
// OS failures → Errc::io. Each message names the path.
model::Result<ReadFile> read_file_stamped(const std::filesystem::path& path, std::uint64_t max_bytes);

model::Result<void> atomic_replace(const std::filesystem::path& path, std::string_view content,
                                   const FileStamp& expected);

}  // namespace coderx::cli
