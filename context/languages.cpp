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

using Q = std::string_view;
constexpr std::array<Q, 2> kQc{"pkg/c/tags", "ours/c"};
constexpr std::array<Q, 2> kQcpp{"pkg/cpp/tags", "ours/cpp"};
constexpr std::array<Q, 2> kQpython{"pkg/python/tags", "ours/python"};
constexpr std::array<Q, 2> kQjs{"pkg/javascript/tags", "ours/javascript"};
constexpr std::array<Q, 4> kQts{"pkg/javascript/tags", "pkg/typescript/tags", "ours/javascript",
                                "ours/typescript"};
constexpr std::array<Q, 2> kQgo{"pkg/go/tags", "ours/go"};
constexpr std::array<Q, 2> kQrust{"pkg/rust/tags", "ours/rust"};
constexpr std::array<Q, 2> kQjava{"pkg/java/tags", "ours/java"};
constexpr std::array<Q, 1> kQjson{"ours/json"};
constexpr std::array<Q, 1> kQbash{"ours/bash"};

const std::array<Language, 11>& registry() {
  static const std::array<Language, 11> languages{{
      {"c", tree_sitter_c(), kC, kQc},
      {"cpp", tree_sitter_cpp(), kCpp, kQcpp},
      {"python", tree_sitter_python(), kPython, kQpython, true},
      {"javascript", tree_sitter_javascript(), kJs, kQjs},
      {"typescript", tree_sitter_typescript(), kTs, kQts},
      {"typescriptreact", tree_sitter_tsx(), kTsx, kQts},
      {"go", tree_sitter_go(), kGo, kQgo},
      {"rust", tree_sitter_rust(), kRust, kQrust},
      {"java", tree_sitter_java(), kJava, kQjava},
      {"json", tree_sitter_json(), kJson, kQjson},
      {"shellscript", tree_sitter_bash(), kBash, kQbash},
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

const Language* language_by_shebang(std::string_view first_line) {
  if (first_line.substr(0, 2) != "#!") return nullptr;
  first_line = first_line.substr(0, first_line.find('\n'));
  // the interpreter is the last path component of the first word, or the word after "env"
  std::string_view rest = first_line.substr(2);
  std::string_view word;
  for (;;) {
    const auto begin = rest.find_first_not_of(" \t\r");
    if (begin == std::string_view::npos) break;
    rest = rest.substr(begin);
    const auto end = rest.find_first_of(" \t\r");
    std::string_view token = rest.substr(0, end);
    const auto slash = token.rfind('/');
    if (slash != std::string_view::npos) token = token.substr(slash + 1);
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
    if (token == "env" || token.substr(0, 1) == "-") continue;
    word = token;
    break;
  }
  while (!word.empty() && (std::isdigit(static_cast<unsigned char>(word.back())) || word.back() == '.'))
    word.remove_suffix(1);  // python3.11 -> python
  if (word == "python" || word == "pypy") return language_by_id("python");
  if (word == "node" || word == "nodejs" || word == "deno" || word == "bun") return language_by_id("javascript");
  if (word == "ts-node" || word == "tsx") return language_by_id("typescript");
  if (word == "bash" || word == "sh" || word == "zsh" || word == "ksh" || word == "dash")
    return language_by_id("shellscript");
  return nullptr;
}

const Language* language_for_file(std::string_view path, std::string_view head) {
  const auto slash = path.find_last_of('/');
  const std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  const auto dot = base.rfind('.');
  if (dot != std::string_view::npos && dot > 0)
    if (const Language* lang = language_by_extension(base.substr(dot))) return lang;
  return language_by_shebang(head);
}

}  // namespace coderx::context
