// Runs git without a shell: argv passed as is (no quoting, no globbing), stdout captured,
// stderr kept for the error message. Used by `coderx review` (diff, file contents) and tests.
// Threading: each call spawns its own child; safe from several threads.
// Errors: git missing, a non-zero exit (message carries git's stderr) → Errc::io.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "model/error.h"

namespace coderx::cli {

// `git -C cwd args...`; returns git's stdout.
model::Result<std::string> run_git(const std::filesystem::path& cwd, const std::vector<std::string>& args);
// run_git() for commands that print one value (`rev-parse --show-toplevel`): its first line,
// without the line break.
model::Result<std::string> run_git_line(const std::filesystem::path& cwd, const std::vector<std::string>& args);

}  // namespace coderx::cli
