// The files the CLI shows to the model or edits (`coderx explain`, `coderx refactor`): regular
// text files of at most kMaxSourceBytes. Directories, special files, files over the limit
// (refused before they are read) and binary files (a NUL byte in the first 8 KiB, the workspace
// index's rule) get an error that names the file and the reason.
// Threading: a plain function.
#pragma once

#include <cstdint>
#include <filesystem>

#include "lsp/cli/atomic_write.h"
#include "model/error.h"

namespace coderx::cli {

inline constexpr std::uint64_t kMaxSourceBytes = 1 << 20;  // as the workspace index's default

// Errors: Errc::unsupported for a binary or too large file (a directory walk skips those);
// Errc::invalid_argument for a directory or special file; Errc::io when the OS refuses.
model::Result<ReadFile> read_source_file(const std::filesystem::path& path,
                                         std::uint64_t max_bytes = kMaxSourceBytes);

}  // namespace coderx::cli
