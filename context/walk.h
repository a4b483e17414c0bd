// Walks a workspace: honours .gitignore files (nested) and .coderxignore (same syntax, applied
// after .gitignore at each level, so it can ignore more or re-include), always skips .git and
// .coderx, follows symbolic links only when their target lies inside the root, and visits each
// real directory once (symlink loops are safe). Unreadable directories are skipped with a log
// line. Used by the workspace index. Threading: a plain function; no shared state.
#pragma once

#include "context/ignore.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <stop_token>
#include <string>
#include <vector>

namespace coderx::context {

struct WalkEntry {
  std::string path;            // relative to the root, "/"-separated
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
};

struct WalkStats {
  std::size_t ignored = 0;        // files and directories excluded by ignore rules
  std::size_t links_outside = 0;  // symbolic links leading out of the root (not followed)
  std::size_t loops = 0;          // directories reached twice (symlink loops, duplicates)
  std::size_t unreadable = 0;
};

// All regular files under `root` that the rules keep, in a stable (sorted) order. Stops after
// `max_files` entries.
std::vector<WalkEntry> walk_workspace(const std::filesystem::path& root, std::size_t max_files,
                                      WalkStats* stats = nullptr, std::stop_token stop = {});

// True when `abs`, after following every symbolic link on its way, still lies under `root` (the
// rule the walk applies to links).
bool resolves_inside(const std::filesystem::path& root, const std::filesystem::path& abs);

// True when `rel` (a file, relative to root) is excluded by the ignore files on its way down.
bool is_ignored(const std::filesystem::path& root, const std::string& rel);

}  // namespace coderx::context
