#include "context/cut.h"

#include "context/ts_handles.h"

#include <algorithm>
#include <vector>

namespace coderx::context {

namespace {

std::string_view trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

std::string_view rtrim(std::string_view s) {
  const auto e = s.find_last_not_of(" \t\r\n");
  return e == std::string_view::npos ? std::string_view{} : s.substr(0, e + 1);
}

std::size_t indent_of(std::string_view line) {
  std::size_t n = 0;
  for (char c : line) {
    if (c == ' ') ++n;
    else if (c == '\t') n += 4;
    else break;
  }
  return n;
}

// Lines including their "\n" (the last one may lack it).
std::vector<std::string_view> lines_of(std::string_view s) {
  std::vector<std::string_view> out;
  while (!s.empty()) {
    const auto nl = s.find('\n');
    const std::size_t n = nl == std::string_view::npos ? s.size() : nl + 1;
    out.push_back(s.substr(0, n));
    s.remove_prefix(n);
  }
  return out;
}

std::string_view current_line(std::string_view prefix) {
  const auto nl = prefix.rfind('\n');
  return nl == std::string_view::npos ? prefix : prefix.substr(nl + 1);
}

// Rule 3: drop what the suffix already has.
std::string drop_suffix_duplicates(std::string text, std::string_view suffix, std::string& reason) {
  const auto sfx_lines = lines_of(suffix);
  std::vector<std::string_view> sfx;
  for (auto l : sfx_lines) {
    if (!trim(l).empty()) sfx.push_back(trim(l));
    if (sfx.size() >= 20) break;
  }
  auto cand = lines_of(text);
  for (std::size_t k = std::min(cand.size() > 0 ? cand.size() - 1 : 0, sfx.size()); k > 0; --k) {
    bool same = true;
    for (std::size_t i = 0; i < k && same; ++i) same = trim(cand[cand.size() - k + i]) == sfx[i];
    if (!same) continue;
    std::size_t keep = 0;
    for (std::size_t i = 0; i + k < cand.size(); ++i) keep += cand[i].size();
    text.resize(keep);
    reason = "removed lines repeated by the suffix";
    break;
  }
  const std::string_view rest = trim(suffix.substr(0, suffix.find('\n')));
  const std::string_view body = rtrim(text);
  if (!rest.empty() && body.size() > rest.size() && body.substr(body.size() - rest.size()) == rest) {
    text.resize(body.size() - rest.size());
    reason = "removed the rest of the line already in the suffix";
  }
  return text;
}

// Rule 2 for brace languages: the end of the line where depth drops below zero.
std::size_t bracket_block_end(std::string_view text) {
  int depth = 0;
  char quote = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quote) {
      if (c == '\\') ++i;
      else if (c == quote || c == '\n') quote = 0;
      continue;
    }
    if (c == '"' || c == '\'' || c == '`') quote = c;
    else if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') i = std::min(text.find('\n', i), text.size()) - 1;
    else if (c == '(' || c == '[' || c == '{') ++depth;
    else if (c == ')' || c == ']' || c == '}') {
      if (--depth < 0) {
        const auto nl = text.find('\n', i);
        return nl == std::string_view::npos ? text.size() : nl + 1;
      }
    }
  }
  return text.size();
}

// Rule 2 by indentation: the start of the first line that leaves the block.
std::size_t indent_block_end(std::string_view prefix, std::string_view text) {
  auto lines = lines_of(text);
  if (lines.empty()) return 0;
  const std::string first_full = std::string(current_line(prefix)) + std::string(lines[0]);
  std::size_t base = indent_of(first_full);
  bool opens = false;
  const std::string_view head = rtrim(first_full);
  if (!head.empty() && (head.back() == ':' || head.back() == '{')) opens = true;
  if (trim(first_full).empty()) base = indent_of(current_line(prefix));
  std::size_t offset = lines[0].size();
  for (std::size_t i = 1; i < lines.size(); ++i) {
    if (!trim(lines[i]).empty()) {
      const std::size_t ind = indent_of(lines[i]);
      if (opens ? ind <= base : ind < base) return offset;
    }
    offset += lines[i].size();
  }
  return text.size();
}

std::size_t count_errors(TSNode root) {
  std::size_t n = 0;
  TSTreeCursor cur = ts_tree_cursor_new(root);
  bool descend = true;
  for (;;) {
    TSNode node = ts_tree_cursor_current_node(&cur);
    if (descend && ts_node_is_error(node)) ++n;
    if (descend && ts_node_is_missing(node)) ++n;
    if (descend && ts_node_has_error(node) && ts_tree_cursor_goto_first_child(&cur)) continue;
    if (ts_tree_cursor_goto_next_sibling(&cur)) { descend = true; continue; }
    if (!ts_tree_cursor_goto_parent(&cur)) break;
    descend = false;
  }
  ts_tree_cursor_delete(&cur);
  return n;
}

TSPoint point_after(TSPoint p, std::string_view s) {
  for (char c : s) {
    if (c == '\n') { ++p.row; p.column = 0; } else { ++p.column; }
  }
  return p;
}

// Rule 4: the longest whole-line prefix of `text` that adds no error and ends at a token end.
std::size_t grammar_cut(const CutRequest& r, std::string_view text) {
  auto parser = make_parser(r.language->grammar);
  const std::string base_text = std::string(r.prefix) + std::string(r.suffix);
  auto base = parse(parser.get(), base_text, nullptr, r.limits);
  if (!base) return text.size();  // out of time: keep the other rules' result
  const std::size_t base_errors = count_errors(ts_tree_root_node(base->get()));
  const TSPoint at = point_after({0, 0}, r.prefix);
  auto lines = lines_of(text);
  std::vector<std::size_t> ends;
  std::size_t off = 0;
  for (auto l : lines) ends.push_back(off += l.size());
  for (std::size_t k = ends.size(); k > 0; --k) {
    const std::string_view piece = rtrim(text.substr(0, ends[k - 1]));
    if (piece.empty()) continue;
    TreePtr edited(ts_tree_copy(base->get()));
    const auto start = static_cast<std::uint32_t>(r.prefix.size());
    TSInputEdit e{start, start, start + static_cast<std::uint32_t>(piece.size()), at, at, point_after(at, piece)};
    ts_tree_edit(edited.get(), &e);
    const std::string full = std::string(r.prefix) + std::string(piece) + std::string(r.suffix);
    auto tree = parse(parser.get(), full, edited.get(), r.limits);
    if (!tree) return text.size();
    TSNode root = ts_tree_root_node(tree->get());
    if (count_errors(root) > base_errors) continue;
    const std::uint32_t end = e.new_end_byte;
    TSNode leaf = ts_node_descendant_for_byte_range(root, end - 1, end);
    if (ts_node_end_byte(leaf) > end && ts_node_child_count(leaf) == 0) continue;
    return piece.size();
  }
  return 0;
}

}  // namespace

std::size_t enclosing_block_end(const Language* language, std::string_view prefix, std::string_view text) {
  const bool by_indent = !language || language->indented_blocks;
  std::size_t end = by_indent ? indent_block_end(prefix, text) : bracket_block_end(text);
  if (!language) end = std::min(end, bracket_block_end(text));
  return end;
}

CutResult cut(const CutRequest& r) {
  CutResult out;
  std::string text(r.candidate.substr(0, 64 * 1024));
  if (r.single_line && text.find('\n') != std::string::npos) {
    text.resize(text.find('\n'));
    out.reason = "single line";
  }
  if (const std::size_t end = enclosing_block_end(r.language, r.prefix, text); end < text.size()) {
    text.resize(end);
    out.reason = "end of the enclosing block";
  }
  text = drop_suffix_duplicates(std::move(text), r.suffix, out.reason);
  if (r.language && !trim(text).empty()) {
    const std::size_t keep = grammar_cut(r, text);
    if (keep < rtrim(text).size()) {
      text.resize(keep);
      out.reason = keep == 0 ? "no prefix parses without new errors" : "trimmed to what parses";
    }
  }
  text.resize(rtrim(text).size());
  return out.text = std::move(text), out;
}

}  // namespace coderx::context
