// Reading a workspace file's bytes without the ways a hostile workspace can stall or swamp the
// reader: a FIFO (opening one blocks until someone writes), a device such as /dev/zero (never
// ends), a directory, or a file that grew past a size limit since it was listed.
// Used by the walker (.gitignore files), the index and gather. Threading: a plain function.
// Errors: nullopt for anything that is not a regular file of at most `max_bytes` when read,
// or that cannot be opened or read; callers skip the file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace coderx::context {

// All of a regular file of at most `max_bytes` bytes. With `truncate`, a longer file gives its
// first `max_bytes` bytes instead of nullopt.
std::optional<std::string> read_regular_file(const std::filesystem::path& path,
                                             std::uint64_t max_bytes, bool truncate = false);

}  // namespace coderx::context
