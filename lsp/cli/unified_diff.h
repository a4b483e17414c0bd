// Writing a unified diff between two versions of one file, in the form `git apply` and
// `patch -p1` accept ("diff --git a/P b/P", ---/+++ headers, "\ No newline at end of file").
// Minimal-effort diff: the common leading and trailing lines are kept as context and
// everything between them becomes one hunk, which is always correct though not minimal.
// Used by `coderx refactor` (check mode). Pure function; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace coderx::cli {

// "" when old_text == new_text. `path` is relative to the repository root, '/'-separated.
std::string unified_diff(std::string_view path, std::string_view old_text, std::string_view new_text);

}  // namespace coderx::cli
