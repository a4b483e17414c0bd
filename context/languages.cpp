#include "context/languages.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

extern "C" {
const TSLanguage* tree_sitter_c(void);
const TSLanguage* tree_sitter_cpp(void);
const TSLanguage* tree_sitter_python(void);
const TSLanguage* tree_sitter_javascript(void);
const TSLanguage* tree_sitter_typescript(void);
const TSLanguage* tree_sitter_tsx(void);
const TSLanguage* tree_sitter_go(void);
const TSLanguage* tree_sitter_rust(void);
const TSLanguage* tree_sitter_java(void);
const TSLanguage* tree_sitter_json(void);
const TSLanguage* tree_sitter_bash(void);
}

namespace coderx::context {

namespace {

using Ext = std::string_view;
constexpr std::array<Ext, 2> kC{".c", ".h"};
constexpr std::array<Ext, 8> kCpp{".cpp", ".cc", ".cxx", ".hpp", ".hh", ".hxx", ".ipp", ".cu"};
constexpr std::array<Ext, 2> kPython{".py", ".pyi"};
constexpr std::array<Ext, 4> kJs{".js", ".mjs", ".cjs", ".jsx"};
constexpr std::array<Ext, 3> kTs{".ts", ".mts", ".cts"};
constexpr std::array<Ext, 1> kTsx{".tsx"};
constexpr std::array<Ext, 1> kGo{".go"};
constexpr std::array<Ext, 1> kRust{".rs"};
constexpr std::array<Ext, 1> kJava{".java"};
constexpr std::array<Ext, 1> kJson{".json"};
constexpr std::array<Ext, 3> kBash{".sh", ".bash", ".zsh"};

const std::array<Language, 11>& registry() {
  static const std::array<Language, 11> languages{{
      {"c", tree_sitter_c(), kC},
      {"cpp", tree_sitter_cpp(), kCpp},
      {"python", tree_sitter_python(), kPython},
      {"javascript", tree_sitter_javascript(), kJs},
      {"typescript", tree_sitter_typescript(), kTs},
      {"typescriptreact", tree_sitter_tsx(), kTsx},
      {"go", tree_sitter_go(), kGo},
      {"rust", tree_sitter_rust(), kRust},
      {"java", tree_sitter_java(), kJava},
      {"json", tree_sitter_json(), kJson},
      {"shellscript", tree_sitter_bash(), kBash},
  }};
  return languages;
}

}  // namespace

std::span<const Language> all_languages() { return registry(); }

const Language* language_by_id(std::string_view language_id) {
  for (const Language& lang : registry())
    if (lang.id == language_id) return &lang;
  return nullptr;
}

const Language* language_by_extension(std::string_view extension) {
  std::string lower(extension);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const Language& lang : registry())
    if (std::find(lang.extensions.begin(), lang.extensions.end(), lower) != lang.extensions.end())
      return &lang;
  return nullptr;
}

}  // namespace coderx::context
