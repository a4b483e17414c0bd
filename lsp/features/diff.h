// Unified diffs as `git diff` prints them: files (renames, new and deleted files, binary
// files, quoted paths) and hunks with every line's old and new line number.
// Used by `coderx review` to know which lines a comment may anchor to, and by `coderx refactor`
// tests to check the diffs it prints. Pure functions; thread-safe.
// Errors: a malformed hunk header or a hunk whose line counts disagree with its header gives
// Errc::format with the diff line number.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/error.h"

namespace coderx::features {

struct DiffLine {
  enum class Kind { context, added, removed };
  Kind kind = Kind::context;
  std::uint32_t old_line = 0;  // 1-based; 0 for added lines
  std::uint32_t new_line = 0;  // 1-based; 0 for removed lines
  std::string text;            // without the leading ' ', '+' or '-'
};

struct Hunk {
  std::uint32_t old_start = 0, old_count = 0;
  std::uint32_t new_start = 0, new_count = 0;
  std::string section;  // the text after the second "@@" (often the enclosing function)
  std::vector<DiffLine> lines;

  // True when new-file line `line` is shown in this hunk (added or context).
  bool covers_new_line(std::uint32_t line) const;
};

struct FileDiff {
  enum class Status { modified, added, deleted, renamed };
  std::string old_path, new_path;  // without the a/ b/ prefixes; "" for /dev/null
  Status status = Status::modified;
  bool binary = false;
  bool submodule = false;  // a gitlink (mode 160000): its "content" is a commit id
  bool symlink = false;    // a symbolic link (mode 120000): its "content" is the target path
  std::vector<Hunk> hunks;

  const std::string& path() const { return status == Status::deleted ? old_path : new_path; }
  // The hunk showing new-file line `line`, or nullptr.
  const Hunk* hunk_for_new_line(std::uint32_t line) const;
};

model::Result<std::vector<FileDiff>> parse_unified_diff(std::string_view text);

// Unquotes a git path ("a/dir/\303\251.txt" with C escapes) and strips a/ or b/ when
// `prefixed` ("rename from/to" lines carry no prefix: "b/x.c" there is the path b/x.c).
std::string diff_path(std::string_view raw, bool prefixed = true);

}  // namespace coderx::features
