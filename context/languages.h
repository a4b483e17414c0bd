// The registry of languages coderx understands: LSP languageId, file extensions and the
// tree-sitter grammar compiled into the binary (cmake/TreeSitter.cmake).
// Used by documents, the workspace index, gather and cut. Immutable after static init;
// thread-safe. Unknown names return nullptr (callers fall back to plain-text handling).
// language_for_file() also looks at a "#!" line (python, node, bash, sh, ...).
#pragma once

#include <span>
#include <string_view>

struct TSLanguage;

namespace coderx::context {

struct Language {
  std::string_view id;                          // LSP languageId: "cpp", "python", ...
  const TSLanguage* grammar;                    // tree-sitter grammar, never null
  std::span<const std::string_view> extensions;  // ".cpp", ".hpp", ... (lower case, with dot)
  std::span<const std::string_view> queries;     // embedded query files combined (queries.h)
  bool indented_blocks = false;                  // blocks end by dedent (Python), not brackets
};

std::span<const Language> all_languages();
const Language* language_by_id(std::string_view language_id);
const Language* language_by_extension(std::string_view extension);  // ".py", case-insensitive
// The interpreter named by a "#!" first line ("#!/usr/bin/env python3" -> python), or nullptr.
const Language* language_by_shebang(std::string_view first_line);
// By extension of `path`, then by the shebang in `head` (the first bytes of the file).
const Language* language_for_file(std::string_view path, std::string_view head);

}  // namespace coderx::context
