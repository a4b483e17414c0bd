// The work behind `coderx refactor`: expand the inputs to files (directories and globs leave
// out hidden files and what .gitignore and .coderxignore exclude; the binary or too large files
// they reach are skipped, not failed; a file named outright is always tried), ask the Assistant for each
// file (or each function with scope == function), reject edits that no longer parse, and then
// either print a unified diff (check mode) or replace the file atomically (--apply), refusing
// files changed on disk since they were read. Reports one FileOutcome per file through
// `on_done` (called on the caller's thread, in completion order).
// cmd_refactor.cpp parses options and prints; tests call refactor_files() in-process.
// Threading: `jobs` worker threads call the generator; on_done runs on the calling thread.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "lsp/features/generator.h"
#include "model/error.h"

namespace coderx::cli {

enum class RefactorScope { file, function };

struct RefactorOptions {
  std::string instruction;
  std::vector<std::string> inputs;  // files, directories or globs (relative to root)
  std::filesystem::path root = ".";
  RefactorScope scope = RefactorScope::file;
  bool apply = false;
  std::size_t jobs = 1;
  features::Budgets budgets{8192, 0, 4096, std::chrono::milliseconds(600000)};
};

struct FileOutcome {
  enum class Status { unchanged, changed, applied, failed, skipped };
  std::string path;  // relative to root, '/'-separated
  Status status = Status::unchanged;
  std::string diff;    // changed/applied: the unified diff
  std::string reason;  // failed or skipped: why
};
const char* to_string(FileOutcome::Status status);

struct InputFile {
  std::string path;    // relative to root, '/'-separated
  bool named = false;  // named outright, not reached through a directory or a glob
  bool operator==(const InputFile&) const = default;
};

// The files that `inputs` name (sorted, unique): files as given; directories and globs (as in
// .gitignore: "*.c" at any depth, "src/**/*.c" from the root) through the workspace walker
// (ignore files honoured, hidden files and directories left out, at most 100,000 files).
// Error when a glob or a missing path matches nothing.
model::Result<std::vector<InputFile>> expand_inputs(const std::filesystem::path& root,
                                                    const std::vector<std::string>& inputs);

// Errors only for unusable inputs; per-file failures are outcomes.
model::Result<std::vector<FileOutcome>> refactor_files(const RefactorOptions& options,
                                                       std::shared_ptr<features::TextGenerator> generator,
                                                       const std::function<void(const FileOutcome&, std::size_t done,
                                                                                std::size_t total)>& on_done);

// 0 nothing to change or all applied, 1 changes proposed (check mode), 2 some file failed
// (skipped files count for nothing).
int refactor_exit_code(const std::vector<FileOutcome>& outcomes);

}  // namespace coderx::cli
