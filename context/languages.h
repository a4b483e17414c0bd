// The registry of languages coderx understands: LSP languageId, file extensions and the
// tree-sitter grammar compiled into the binary (cmake/TreeSitter.cmake).
// Used by documents, the workspace index, gather and cut. Immutable after static init;
// thread-safe. Unknown names return nullptr (callers fall back to plain-text handling).
#pragma once

#include <span>
#include <string_view>

struct TSLanguage;

namespace coderx::context {

struct Language {
  std::string_view id;                          // LSP languageId: "cpp", "python", ...
  const TSLanguage* grammar;                    // tree-sitter grammar, never null
  std::span<const std::string_view> extensions;  // ".cpp", ".hpp", ... (lower case, with dot)
};

std::span<const Language> all_languages();
const Language* language_by_id(std::string_view language_id);
const Language* language_by_extension(std::string_view extension);  // ".py", case-insensitive

}  // namespace coderx::context
