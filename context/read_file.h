// Reading a file's bytes without the ways a hostile workspace or model store can stall or swamp
// the reader: a FIFO (opening one blocks until someone writes), a device such as /dev/zero
// (never ends), a directory, or a file that grew past a size limit since it was listed.
// Used by the walker (.gitignore files), the index, gather, and the model references' manifests
// and refs (lsp/server/model_ref). Threading: a plain function.
// Errors (each message names the path): no such file → Errc::not_found; not a regular file →
// Errc::unsupported; over `max_bytes` → Errc::format; the OS refused → Errc::io.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "context/error.h"

namespace coderx::context {

// All of a regular file of at most `max_bytes` bytes. With `truncate`, a longer file gives its
// first `max_bytes` bytes instead of an error.
Result<std::string> read_regular_file(const std::filesystem::path& path, std::uint64_t max_bytes,
                                      bool truncate = false);

}  // namespace coderx::context
