#include "context/import_resolve.h"

#include <algorithm>

namespace coderx::context {

namespace {

std::vector<std::string> split(const std::string& s, const std::string& sep) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  for (;;) {
    const auto next = s.find(sep, pos);
    out.push_back(s.substr(pos, next == std::string::npos ? std::string::npos : next - pos));
    if (next == std::string::npos) return out;
    pos = next + sep.size();
  }
}

std::string join(const std::vector<std::string>& parts, std::size_t from, std::size_t to) {
  std::string out;
  for (std::size_t i = from; i < to; ++i) out += (out.empty() ? "" : "/") + parts[i];
  return out;
}

std::string dir_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

std::string under(const std::string& dir, const std::string& rel) {
  return normalize_path(dir.empty() ? rel : dir + "/" + rel);
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Workspace files whose path is `suffix` or ends with "/" + suffix.
std::vector<std::string> by_suffix(const std::string& suffix, const ImportLookup& lookup) {
  const auto slash = suffix.rfind('/');
  const std::string base = slash == std::string::npos ? suffix : suffix.substr(slash + 1);
  std::vector<std::string> out;
  for (const std::string& p : lookup.by_basename(base))
    if (p == suffix || ends_with(p, "/" + suffix)) out.push_back(p);
  std::sort(out.begin(), out.end());
  if (out.size() > 4) out.resize(4);
  return out;
}

std::vector<std::string> first_existing(const std::vector<std::string>& candidates,
                                        const ImportLookup& lookup) {
  for (const std::string& c : candidates)
    if (!c.empty() && lookup.exists(c)) return {c};
  return {};
}

std::vector<std::string> resolve_c(const std::string& from, const ImportRef& imp, const ImportLookup& l) {
  if (!imp.system)
    if (auto r = first_existing({under(dir_of(from), imp.path)}, l); !r.empty()) return r;
  return by_suffix(normalize_path(imp.path), l);
}

std::vector<std::string> resolve_python(const std::string& from, const ImportRef& imp, const ImportLookup& l) {
  std::size_t dots = 0;
  while (dots < imp.path.size() && imp.path[dots] == '.') ++dots;
  std::string rest = imp.path.substr(dots);
  std::replace(rest.begin(), rest.end(), '.', '/');
  std::vector<std::string> candidates;
  auto add = [&](const std::string& base) {
    if (rest.empty()) {
      candidates.push_back(under(base, "__init__.py"));
      return;
    }
    candidates.push_back(under(base, rest + ".py"));
    candidates.push_back(under(base, rest + "/__init__.py"));
  };
  if (dots > 0) {
    std::string base = dir_of(from);
    for (std::size_t i = 1; i < dots; ++i) base = dir_of(base);
    add(base);
    return first_existing(candidates, l);
  }
  add("");
  add(dir_of(from));
  if (auto r = first_existing(candidates, l); !r.empty()) return r;
  if (auto r = by_suffix(rest + ".py", l); !r.empty()) return r;
  return by_suffix(rest + "/__init__.py", l);
}

std::vector<std::string> resolve_js(const std::string& from, const ImportRef& imp, const ImportLookup& l) {
  if (imp.path.empty() || imp.path[0] != '.') return {};
  const std::string base = under(dir_of(from), imp.path);
  std::vector<std::string> c{base};
  for (const char* ext : {".ts", ".tsx", ".d.ts", ".js", ".jsx", ".mjs", ".cjs"}) c.push_back(base + ext);
  for (const char* idx : {"/index.ts", "/index.tsx", "/index.js", "/index.jsx"}) c.push_back(base + idx);
  return first_existing(c, l);
}

std::vector<std::string> resolve_go(const ImportRef& imp, const ImportLookup& l) {
  const auto parts = split(imp.path, "/");
  for (std::size_t k = 0; k < parts.size(); ++k) {
    std::vector<std::string> out;
    for (const std::string& f : l.files_in_dir(join(parts, k, parts.size())))
      if (ends_with(f, ".go") && !ends_with(f, "_test.go")) out.push_back(f);
    if (!out.empty()) return out;
  }
  return {};
}

std::vector<std::string> resolve_rust(const std::string& from, const ImportRef& imp, const ImportLookup& l) {
  std::string path = imp.path.substr(0, imp.path.find('{'));
  auto parts = split(path, "::");
  while (!parts.empty() && (parts.back().empty() || parts.back() == "*")) parts.pop_back();
  if (parts.empty()) return {};
  std::string base = dir_of(from);
  std::size_t first = 0;
  if (parts[0] == "crate") {
    const auto src = from.rfind("src/");
    base = src == std::string::npos ? "" : from.substr(0, src + 3);
    first = 1;
  } else if (parts[0] == "self") {
    first = 1;
  } else if (parts[0] == "super") {
    base = dir_of(base);
    first = 1;
  } else if (parts.size() == 1) {  // "mod x;"
    const std::string stem = from.substr(0, from.size() - 3);  // a/b.rs -> a/b
    return first_existing({under(base, parts[0] + ".rs"), under(base, parts[0] + "/mod.rs"),
                           stem + "/" + parts[0] + ".rs"}, l);
  }
  for (std::size_t end = parts.size(); end > first; --end) {
    const std::string rel = join(parts, first, end);
    if (auto r = first_existing({under(base, rel + ".rs"), under(base, rel + "/mod.rs")}, l); !r.empty())
      return r;
  }
  return {};
}

std::vector<std::string> resolve_java(const ImportRef& imp, const ImportLookup& l) {
  std::string path = imp.path;
  std::replace(path.begin(), path.end(), '.', '/');
  for (int drop = 0; drop < 2 && !path.empty(); ++drop) {
    if (auto r = by_suffix(path + ".java", l); !r.empty()) return r;
    path = dir_of(path);
  }
  return {};
}

}  // namespace

std::string normalize_path(const std::string& path) {
  std::vector<std::string> out;
  for (const std::string& part : split(path, "/")) {
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (out.empty()) return {};
      out.pop_back();
      continue;
    }
    out.push_back(part);
  }
  return join(out, 0, out.size());
}

std::vector<std::string> resolve_import(const Language& lang, const std::string& from,
                                        const ImportRef& imp, const ImportLookup& lookup) {
  const std::string_view id = lang.id;
  if (id == "c" || id == "cpp") return resolve_c(from, imp, lookup);
  if (id == "python") return resolve_python(from, imp, lookup);
  if (id == "javascript" || id == "typescript" || id == "typescriptreact") return resolve_js(from, imp, lookup);
  if (id == "go") return resolve_go(imp, lookup);
  if (id == "rust") return resolve_rust(from, imp, lookup);
  if (id == "java") return resolve_java(imp, lookup);
  if (id == "shellscript")
    return first_existing({under(dir_of(from), imp.path), normalize_path(imp.path)}, lookup);
  return {};
}

}  // namespace coderx::context
