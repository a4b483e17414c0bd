#include "context/symbols.h"

#include "context/embedded_queries.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>

namespace coderx::context {

namespace {

constexpr std::pair<std::string_view, SymbolKind> kKinds[] = {
    {"function", SymbolKind::function}, {"method", SymbolKind::method},
    {"class", SymbolKind::class_},      {"interface", SymbolKind::interface},
    {"type", SymbolKind::type},         {"enum", SymbolKind::enum_},
    {"constant", SymbolKind::constant}, {"variable", SymbolKind::variable},
    {"field", SymbolKind::field},       {"module", SymbolKind::module},
    {"namespace", SymbolKind::namespace_}, {"macro", SymbolKind::macro},
    {"other", SymbolKind::other},
};

std::string_view embedded(std::string_view name) {
  for (const EmbeddedQuery& q : embedded_queries())
    if (q.name == name) return q.source;
  return {};
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

std::string collapse_whitespace(std::string_view s, std::size_t limit) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
    if (out.size() >= limit) break;
  }
  return out;
}

// C/C++ tags capture the declarator; the definition is the enclosing function_definition.
TSNode widen_definition(TSNode node) {
  std::string_view type = ts_node_type(node);
  if (type.find("declarator") == std::string_view::npos) return node;
  TSNode cur = node;
  for (TSNode parent = ts_node_parent(cur); !ts_node_is_null(parent); parent = ts_node_parent(cur)) {
    std::string_view ptype = ts_node_type(parent);
    if (ptype.find("declarator") != std::string_view::npos) {
      cur = parent;
      continue;
    }
    if (ptype == "function_definition" || ptype == "declaration" || ptype == "field_declaration")
      cur = parent;
    break;
  }
  return cur;
}

std::string strip_import(std::string_view s, bool& system) {
  system = !s.empty() && s.front() == '<';
  while (!s.empty() && (s.front() == '"' || s.front() == '\'' || s.front() == '<' || s.front() == '`'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == '"' || s.back() == '\'' || s.back() == '>' || s.back() == '`'))
    s.remove_suffix(1);
  return std::string(s);
}

bool more_specific(SymbolKind a, SymbolKind b) {
  return a == SymbolKind::method && b == SymbolKind::function;
}

void assign_containers(std::vector<Symbol>& symbols) {
  std::stable_sort(symbols.begin(), symbols.end(), [](const Symbol& a, const Symbol& b) {
    return a.bytes.start != b.bytes.start ? a.bytes.start < b.bytes.start : a.bytes.end > b.bytes.end;
  });
  std::vector<const Symbol*> open;
  for (Symbol& s : symbols) {
    while (!open.empty() && open.back()->bytes.end <= s.bytes.start) open.pop_back();
    while (!open.empty() && open.back()->bytes.end < s.bytes.end) open.pop_back();
    if (!open.empty()) s.container = open.back()->name;
    open.push_back(&s);
  }
}

// The name of an unnamed @scope node: its "name" field, or the identifier at the end of its
// "declarator" chain (C/C++ function definitions).
std::string scope_name(TSNode node, std::string_view text) {
  for (int depth = 0; depth < 8 && !ts_node_is_null(node); ++depth) {
    TSNode name = ts_node_child_by_field_name(node, "name", 4);
    if (!ts_node_is_null(name)) return std::string(node_text(name, text));
    std::string_view type = ts_node_type(node);
    if (type.find("identifier") != std::string_view::npos) return std::string(node_text(node, text));
    node = ts_node_child_by_field_name(node, "declarator", 10);
  }
  return {};
}

std::string scope_kind(std::string_view type) {
  if (type.find("function") != std::string_view::npos || type.find("method") != std::string_view::npos)
    return "function";
  if (type.find("class") != std::string_view::npos || type.find("struct") != std::string_view::npos)
    return "class";
  return "block";
}

}  // namespace

std::string_view to_string(SymbolKind kind) {
  for (const auto& [name, k] : kKinds)
    if (k == kind) return name;
  return "other";
}

SymbolKind symbol_kind_from(std::string_view suffix) {
  for (const auto& [name, k] : kKinds)
    if (name == suffix) return k;
  return SymbolKind::other;
}

Result<const Query*> language_query(const Language& lang) {
  static std::mutex mutex;
  static std::map<const Language*, std::unique_ptr<Result<Query>>> cache;
  std::lock_guard lock(mutex);
  auto& slot = cache[&lang];
  if (!slot) {
    std::string source;
    for (std::string_view name : lang.queries) {
      source += embedded(name);
      source += "\n";
    }
    slot = std::make_unique<Result<Query>>(Query::compile(lang.grammar, source, lang.id));
    if (!*slot) spdlog::error("query for {} does not compile: {}", lang.id, slot->error().message);
  }
  if (!*slot) return slot->error();
  return &**slot;
}

std::string signature_of(TSNode def, std::string_view text) {
  const std::uint32_t start = ts_node_start_byte(def);
  std::uint32_t end = ts_node_end_byte(def);
  TSNode body = ts_node_child_by_field_name(def, "body", 4);
  if (!ts_node_is_null(body)) {
    end = ts_node_start_byte(body);
  } else {
    const auto nl = text.find('\n', start);
    if (nl != std::string_view::npos && nl < end) end = static_cast<std::uint32_t>(nl);
  }
  if (end > text.size() || start > end) return {};
  std::string sig = collapse_whitespace(text.substr(start, end - start), 240);
  while (!sig.empty() && (sig.back() == '{' || sig.back() == ' ')) sig.pop_back();
  return sig;
}

FileSymbols extract_symbols(const Language& lang, TSNode root, std::string_view text,
                            const ParseLimits& limits) {
  FileSymbols out;
  auto query = language_query(lang);
  if (!query) return out;
  const Query& q = **query;
  std::map<std::tuple<std::uint32_t, std::uint32_t, std::string>, std::size_t> seen;
  auto on_match = [&](const QueryMatch& m) {
    TSNode def{}, name{}, import{}, path{};
    std::string_view def_kind, ref_kind;
    bool has_def = false, has_name = false, has_import = false, has_ref = false;
    for (const TSQueryCapture& c : m.captures) {
      std::string_view cname = q.capture_name(c.index);
      if (starts_with(cname, "definition.")) { def = c.node; def_kind = cname.substr(11); has_def = true; }
      else if (starts_with(cname, "reference.")) { ref_kind = cname.substr(10); has_ref = true; name = c.node; }
      else if (cname == "name") { name = c.node; has_name = true; }
      else if (cname == "import") { import = c.node; has_import = true; }
      else if (cname == "import.path") path = c.node;
    }
    if (has_def && has_name) {
      TSNode whole = widen_definition(def);
      Symbol s;
      s.name = std::string(node_text(name, text));
      s.kind = symbol_kind_from(def_kind);
      s.bytes = {ts_node_start_byte(whole), ts_node_end_byte(whole)};
      s.start_line = ts_node_start_point(whole).row;
      s.end_line = ts_node_end_point(whole).row;
      auto key = std::make_tuple(s.bytes.start, s.bytes.end, s.name);
      auto it = seen.find(key);
      if (it != seen.end()) {
        if (more_specific(s.kind, out.symbols[it->second].kind)) out.symbols[it->second].kind = s.kind;
        return true;
      }
      if (s.name.empty()) return true;
      s.signature = signature_of(whole, text);
      seen.emplace(key, out.symbols.size());
      out.symbols.push_back(std::move(s));
    } else if (has_ref && (has_name || !ts_node_is_null(name)) && out.references.size() < 50000) {
      (void)ref_kind;
      out.references.push_back({std::string(node_text(name, text)), ts_node_start_byte(name),
                                ts_node_start_point(name).row});
    } else if (has_import && !ts_node_is_null(path)) {
      ImportRef ref;
      ref.path = strip_import(node_text(path, text), ref.system);
      ref.line = ts_node_start_point(import).row;
      if (!ref.path.empty()) out.imports.push_back(std::move(ref));
    }
    return true;
  };
  auto status = q.for_each_match(root, text, {}, on_match, limits);
  if (!status) spdlog::debug("symbols of a {} file incomplete: {}", lang.id, status.error().message);
  assign_containers(out.symbols);
  return out;
}

std::vector<Scope> enclosing_scopes(const Language& lang, TSNode root, std::string_view text,
                                    std::uint32_t byte) {
  std::vector<Scope> scopes;
  auto query = language_query(lang);
  if (!query) return scopes;
  const Query& q = **query;
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::size_t> by_range;
  auto on_match = [&](const QueryMatch& m) {
    TSNode node{}, name{};
    std::string kind;
    bool found = false;
    for (const TSQueryCapture& c : m.captures) {
      std::string_view cname = q.capture_name(c.index);
      if (starts_with(cname, "definition.")) { node = widen_definition(c.node); kind = cname.substr(11); found = true; }
      else if (cname == "scope") { node = c.node; kind = scope_kind(ts_node_type(c.node)); found = true; }
      else if (starts_with(cname, "scope.")) { node = c.node; kind = cname.substr(6); found = true; }
      else if (cname == "name") name = c.node;
    }
    if (!found || ts_node_start_byte(node) > byte || ts_node_end_byte(node) < byte) return true;
    Scope s;
    s.kind = kind;
    if (!ts_node_is_null(name)) s.name = std::string(node_text(name, text));
    else if (kind != "block") s.name = scope_name(node, text);
    s.bytes = {ts_node_start_byte(node), ts_node_end_byte(node)};
    s.start_line = ts_node_start_point(node).row;
    s.end_line = ts_node_end_point(node).row;
    if (kind != "block") s.signature = signature_of(node, text);
    auto key = std::make_pair(s.bytes.start, s.bytes.end);
    auto it = by_range.find(key);
    if (it == by_range.end()) {
      by_range.emplace(key, scopes.size());
      scopes.push_back(std::move(s));
    } else if (scopes[it->second].kind == "block" || scopes[it->second].name.empty()) {
      scopes[it->second] = std::move(s);
    }
    return true;
  };
  const std::uint32_t from = byte > 0 ? byte - 1 : 0;  // a cursor at the very end still counts
  (void)q.for_each_match(root, text, {from, byte + 1}, on_match);
  std::sort(scopes.begin(), scopes.end(), [](const Scope& a, const Scope& b) {
    return a.bytes.start != b.bytes.start ? a.bytes.start < b.bytes.start : a.bytes.end > b.bytes.end;
  });
  return scopes;
}

}  // namespace coderx::context
