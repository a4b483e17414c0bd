// Resolves an import as written ("util.h", "pkg.mod", "./x", "crate::a::b", "a.b.C",
// "example.com/m/pkg") to files of the workspace, per language: relative to the importing
// file first, then by path suffix anywhere in the workspace. Unresolvable imports (system
// headers, third-party packages) give an empty list.
// Used by WorkspaceIndex. Threading: pure function over its inputs.
#pragma once

#include "context/languages.h"
#include "context/symbols.h"

#include <functional>
#include <string>
#include <vector>

namespace coderx::context {

struct ImportLookup {
  std::function<bool(const std::string&)> exists;  // is this relative path indexed?
  std::function<std::vector<std::string>(const std::string&)> by_basename;  // "x.h" -> paths
  std::function<std::vector<std::string>(const std::string&)> files_in_dir;  // direct children
};

// "a/./b/../c" -> "a/c"; empty when it climbs above the root.
std::string normalize_path(const std::string& path);

std::vector<std::string> resolve_import(const Language& lang, const std::string& from_path,
                                        const ImportRef& import, const ImportLookup& lookup);

}  // namespace coderx::context
