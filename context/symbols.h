// Symbols, references, imports and scopes of one parsed file, from the language's combined
// query (the grammar package's tags.scm plus our context/queries/<lang>.scm, embedded at build
// time). Capture conventions: @definition.<kind> + @name, @reference.<kind> + @name,
// @import + @import.path, @scope (any block) and @scope.<kind>.
// Used by the workspace index, gather and the review helper. Threading: free functions over
// immutable inputs; the per-language query is compiled once (thread-safe) and shared.
// Errors: language_query() fails only if an embedded query does not compile (a build bug,
// caught by tests); extraction on a stopped/timed-out query returns what it found so far.
#pragma once

#include "context/error.h"
#include "context/languages.h"
#include "context/parse.h"
#include "context/query.h"

#include <string>
#include <vector>

namespace coderx::context {

enum class SymbolKind : std::uint8_t {
  function, method, class_, interface, type, enum_, constant, variable, field, module,
  namespace_, macro, other
};
std::string_view to_string(SymbolKind kind);
SymbolKind symbol_kind_from(std::string_view capture_suffix);  // "function" -> function

struct Symbol {
  std::string name;
  SymbolKind kind = SymbolKind::other;
  ByteRange bytes;                 // the whole definition (for C: the function_definition)
  std::uint32_t start_line = 0;    // tree-sitter rows, 0-based
  std::uint32_t end_line = 0;
  std::string signature;           // the header up to the body, whitespace collapsed, <= 240 chars
  std::string container;           // name of the innermost enclosing definition, or empty
};

struct ImportRef {
  std::string path;  // as written, quotes and brackets removed: "a/b.h", "os.path", "./x"
  std::uint32_t line = 0;
  bool system = false;  // C/C++ <...> includes
};

struct Reference {
  std::string name;
  std::uint32_t byte = 0;
  std::uint32_t line = 0;
};

struct Scope {
  std::string kind;  // "function", "class", ..., or "block"
  std::string name;  // empty for anonymous blocks
  std::string signature;
  ByteRange bytes;
  std::uint32_t start_line = 0;
  std::uint32_t end_line = 0;
};

struct FileSymbols {
  std::vector<Symbol> symbols;  // in source order
  std::vector<ImportRef> imports;
  std::vector<Reference> references;
};

// The combined query of `lang` (compiled once).
Result<const Query*> language_query(const Language& lang);

FileSymbols extract_symbols(const Language& lang, TSNode root, std::string_view text,
                            const ParseLimits& limits = {});
// Enclosing definitions and blocks around `byte`, outermost first.
std::vector<Scope> enclosing_scopes(const Language& lang, TSNode root, std::string_view text,
                                    std::uint32_t byte);
// The header of a definition node: text up to its body, whitespace collapsed.
std::string signature_of(TSNode def, std::string_view text);

}  // namespace coderx::context
