#include "context/review.h"

#include "context/parse.h"

#include <algorithm>

namespace coderx::context {

namespace {

bool is_scope_kind(SymbolKind k) {
  switch (k) {
    case SymbolKind::function: case SymbolKind::method: case SymbolKind::class_:
    case SymbolKind::interface: case SymbolKind::enum_: case SymbolKind::module:
    case SymbolKind::namespace_: case SymbolKind::type:
      return true;
    default:
      return false;
  }
}

}  // namespace

std::vector<HunkScope> map_hunks(const Language* language, std::string_view text,
                                 const std::vector<LineSpan>& hunks) {
  std::vector<HunkScope> out;
  for (const LineSpan& h : hunks) out.push_back({h, {}});
  if (!language) return out;
  auto parser = make_parser(language->grammar);
  auto tree = parse(parser.get(), text, nullptr, ParseLimits{{}, std::chrono::seconds(2)});
  if (!tree) return out;
  FileSymbols syms = extract_symbols(*language, ts_tree_root_node(tree->get()), text);
  for (HunkScope& hs : out) {
    for (const Symbol& s : syms.symbols) {  // sorted by start, outer before inner
      if (!is_scope_kind(s.kind) || s.start_line > hs.hunk.last || s.end_line < hs.hunk.first) continue;
      // a symbol entirely inside the hunk is only reported when nothing encloses the hunk
      hs.enclosing.push_back(s);
    }
  }
  return out;
}

}  // namespace coderx::context
