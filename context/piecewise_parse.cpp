#include "context/piecewise_parse.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <utility>

namespace coderx::context {

namespace {

using Clock = std::chrono::steady_clock;

// The limits left of `limits` at this moment, given when the whole job started. False when
// its time is already spent.
bool limits_left(const ParseLimits& limits, Clock::time_point started, ParseLimits& left) {
  left.stop = limits.stop;
  left.time_limit = limits.time_limit;
  if (limits.time_limit.count() == 0) return true;
  left.time_limit = limits.time_limit - std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started);
  return left.time_limit.count() > 0;
}

// Where the end of a region lands after edit `r`: before it, it stays; after it, it moves by
// the size change; inside it, it goes to the edit's new end.
std::uint32_t moved(std::uint32_t x, const TSInputEdit& r) {
  if (x <= r.start_byte) return x;
  if (x >= r.old_end_byte) return x - r.old_end_byte + r.new_end_byte;
  return r.new_end_byte;
}

// The children of `parent` that start in [from, to): the items of a piece.
std::vector<TSNode> items_in(TSNode parent, std::uint32_t from, std::uint32_t to) {
  std::vector<TSNode> out;
  const std::uint32_t n = ts_node_child_count(parent);
  for (std::uint32_t k = 0; k < n; ++k) {
    TSNode item = ts_node_child(parent, k);
    const std::uint32_t at = ts_node_start_byte(item);
    if (at >= to) break;
    if (at >= from) out.push_back(item);
  }
  return out;
}

// The two lists hold the same symbols with the same ranges, in order.
bool same_items(const std::vector<TSNode>& a, const std::vector<TSNode>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](TSNode x, TSNode y) {
    return ts_node_symbol(x) == ts_node_symbol(y) && ts_node_start_byte(x) == ts_node_start_byte(y) &&
           ts_node_end_byte(x) == ts_node_end_byte(y);
  });
}

// The right spine of the last of `items` that is not an extra: symbol and child count of each
// node from that item down to its last token. Empty when there is no such item.
std::vector<std::uint32_t> right_spine(const std::vector<TSNode>& items) {
  std::vector<std::uint32_t> out;
  for (std::size_t k = items.size(); k-- > 0;) {
    TSNode node = items[k];
    if (ts_node_is_extra(node)) continue;
    for (;;) {
      const std::uint32_t n = ts_node_child_count(node);
      out.push_back(ts_node_symbol(node));
      out.push_back(n);
      if (n == 0) {  // the last token: whether it is there in the text (not inserted: ASI, MISSING)
        out.push_back(ts_node_end_byte(node) > ts_node_start_byte(node) && !ts_node_is_missing(node));
        break;
      }
      node = ts_node_child(node, n - 1);
    }
    break;
  }
  return out;
}

bool is_blank(std::string_view s) {
  return s.find_first_not_of(" \t") == std::string_view::npos;
}

}  // namespace

void PiecewiseTree::reset(std::uint32_t text_size) {
  for (Piece& p : pieces_)
    if (p.tree) retired_.push_back(std::move(p.tree));
  forget_whole();
  frame_ = {};
  cut_while_broken_ = false;
  pieces_.clear();
  pieces_.emplace_back().end = text_size;
}

namespace {

// Moves `byte` and `point` with edit `e`: a position before the edit stays, one after it moves
// with the text; at an insertion it stays when it `sticks_left` (an end), else moves. False
// when the edit replaced text around it.
bool follow_edit(std::uint32_t& byte, TSPoint& point, const TSInputEdit& e, bool sticks_left) {
  if (byte < e.start_byte || (byte == e.start_byte && (sticks_left || e.old_end_byte > e.start_byte))) return true;
  if (byte < e.old_end_byte) return false;
  byte = byte - e.old_end_byte + e.new_end_byte;
  if (point.row == e.old_end_point.row) {
    point.column = e.new_end_point.column + (point.column - e.old_end_point.column);
    point.row = e.new_end_point.row;
  } else {
    point.row = point.row - e.old_end_point.row + e.new_end_point.row;
  }
  return true;
}

}  // namespace

bool PiecewiseTree::Frame::follow(const TSInputEdit& e) {
  TSPoint unused{};
  return follow_edit(body_start, unused, e, false) && follow_edit(head_end, head_end_point, e, true) &&
         follow_edit(tail_start, tail_start_point, e, false) && follow_edit(body_end, unused, e, true);
}

void PiecewiseTree::drop_frame() {
  frame_ = {};
  merge(0, pieces_.size() - 1);
  pieces_[0].dirty = true;
}

TSNode PiecewiseTree::items_parent(const TSTree* tree) const {
  TSNode root = ts_tree_root_node(tree);
  if (!frame_.on) return root;
  TSNode body = ts_node_descendant_for_byte_range(root, frame_.body_start, frame_.body_end);
  if (ts_node_symbol(body) != frame_.body_symbol || ts_node_start_byte(body) != frame_.body_start ||
      ts_node_end_byte(body) != frame_.body_end)
    return TSNode{};
  return body;
}

bool PiecewiseTree::try_frame(const TSTree* tree, std::string_view text) {
  TSNode root = ts_tree_root_node(tree);
  if (ts_node_has_error(root)) return false;
  const auto text_size = static_cast<std::uint32_t>(text.size());
  TSNode body = root;
  for (;;) {  // down through the node that holds all but a little of the text
    TSNode inner{};
    for (std::uint32_t k = 0; k < ts_node_child_count(body); ++k) {
      TSNode c = ts_node_child(body, k);
      const std::uint32_t around = text_size - (ts_node_end_byte(c) - ts_node_start_byte(c));
      if (around < kFrameAroundAtFirst * piece_size() && ts_node_child_count(c) > 0) {
        inner = c;
        break;
      }
    }
    if (ts_node_is_null(inner)) break;
    body = inner;
  }
  const std::uint32_t n = ts_node_child_count(body);
  if (ts_node_eq(body, root) || n < 3) return false;
  // The head runs to the end of the line of the body's first child (`{`, or in Python the
  // first statement: the block starts there in every piece); the tail from the start of the
  // line of its last child (`}`, or the last statement: the block ends there).
  TSNode first = ts_node_child(body, 0), last = ts_node_child(body, n - 1);
  Frame f;
  f.on = true;
  f.body_start = ts_node_start_byte(body);
  f.body_end = ts_node_end_byte(body);
  f.body_symbol = ts_node_symbol(body);
  f.head_end = ts_node_end_byte(first);
  f.head_end_point = ts_node_end_point(first);
  const std::size_t eol = text.find('\n', f.head_end);
  if (eol != std::string_view::npos && is_blank(text.substr(f.head_end, eol - f.head_end))) {
    f.head_end = static_cast<std::uint32_t>(eol + 1);
    f.head_end_point = TSPoint{f.head_end_point.row + 1, 0};
  }
  f.tail_start = ts_node_start_byte(last);
  f.tail_start_point = ts_node_start_point(last);
  if (is_blank(text.substr(f.tail_start - f.tail_start_point.column, f.tail_start_point.column))) {
    f.tail_start -= f.tail_start_point.column;
    f.tail_start_point.column = 0;
  }
  if (f.head_end >= f.tail_start || f.head_end + (text_size - f.tail_start) >= kFrameAroundAtFirst * piece_size())
    return false;
  frame_ = f;
  if (ts_node_eq(items_parent(tree), body)) return true;
  frame_ = {};
  return false;
}

std::uint32_t PiecewiseTree::piece_size() const {
  return std::max(piece_bytes_, pieces_.back().end / kPiecesAtMost);
}

std::size_t PiecewiseTree::index_at(std::uint32_t byte) const {
  return piece_at(pieces_, byte, [](const Piece& p) { return p.start; });
}

void PiecewiseTree::edit(const TSInputEdit& e) {
  // Framed, an edit in the head or tail is reparsed by the first or last piece, which show
  // them; the others only move, as for any edit outside them. One through the frame's bounds
  // ends the frame.
  const bool around = frame_.on && (e.start_byte < frame_.head_end || e.old_end_byte > frame_.tail_start);
  if (frame_.on && !frame_.follow(e)) drop_frame();
  std::size_t lo = index_at(e.start_byte);
  const std::size_t hi = index_at(e.old_end_byte);
  if (lo > 0 && e.start_byte - pieces_[lo].start < pieces_[lo].head_end) --lo;
  merge(lo, hi);
  apply_to(pieces_[lo], e);
  if (whole_) whole_edits_.push_back(e);  // applied by check_whole(): editing a broken tree can take ms
  if (whole_edits_.size() > kMaxWholeEdits) forget_whole();
  whole_current_ = false;
  for (std::size_t i = 0; frame_.on && i < lo; ++i)  // the tail they also hold moves
    if (pieces_[i].tree) ts_tree_edit(pieces_[i].tree.get(), &e);
  const std::int64_t rows = static_cast<std::int64_t>(e.new_end_point.row) - e.old_end_point.row;
  for (std::size_t i = lo + 1; i < pieces_.size(); ++i) {  // later pieces move with the text
    Piece& p = pieces_[i];
    if (p.tree) ts_tree_edit(p.tree.get(), &e);
    p.start = p.start - e.old_end_byte + e.new_end_byte;
    p.end = p.end - e.old_end_byte + e.new_end_byte;
    p.start_row = static_cast<std::uint32_t>(p.start_row + rows);
  }
  if (!frame_.on || !around) return;
  for (std::size_t i = 0; i < pieces_.size(); ++i) pieces_[i].frame_stale = i != lo && pieces_[i].tree;
  if (frame_.head_end + (pieces_.back().end - frame_.tail_start) > kFrameAroundMost * piece_size()) drop_frame();
}

void PiecewiseTree::merge(std::size_t lo, std::size_t hi) {
  if (lo == hi) return;
  Piece merged;
  merged.start = pieces_[lo].start;
  merged.start_row = pieces_[lo].start_row;
  merged.end = pieces_[hi].end;
  merged.head_end = pieces_[lo].head_end;
  merged.tail = std::move(pieces_[hi].tail);
  for (std::size_t i = lo; i <= hi; ++i)
    if (pieces_[i].tree) retired_.push_back(std::move(pieces_[i].tree));
  pieces_.erase(pieces_.begin() + static_cast<std::ptrdiff_t>(lo) + 1, pieces_.begin() + static_cast<std::ptrdiff_t>(hi) + 1);
  pieces_[lo] = std::move(merged);
}

void PiecewiseTree::apply_to(Piece& p, const TSInputEdit& e) {
  if (p.tree) ts_tree_edit(p.tree.get(), &e);
  p.end = p.end - e.old_end_byte + e.new_end_byte;
  p.dirty = true;
  if (p.head_end == UINT32_MAX) return;
  TSInputEdit r = e;  // head_end is relative to the piece's start
  r.start_byte -= p.start;
  r.old_end_byte -= p.start;
  r.new_end_byte -= p.start;
  p.head_end = moved(p.head_end, r);
}

void PiecewiseTree::absorb_next(std::size_t i, TSPoint text_end) {
  Piece& p = pieces_[i];
  Piece& next = pieces_[i + 1];
  if (p.tree) {
    // Told as an insertion at p's end, so that tree-sitter also re-reads the nodes of p whose
    // lexing looked at that end (a widened included range alone would not). Framed, the tail
    // after the gap stays where it is: the gap is told as replaced instead.
    const TSRange added = own_range(i + 1, text_end);
    const TSInputEdit append =
        frame_.on ? TSInputEdit{p.end, next.end, next.end, added.start_point, added.end_point, added.end_point}
                  : TSInputEdit{p.end, p.end, next.end, added.start_point, added.start_point, added.end_point};
    ts_tree_edit(p.tree.get(), &append);
  }
  if (next.tree) retired_.push_back(std::move(next.tree));
  p.end = next.end;
  p.tail = std::move(next.tail);
  p.dirty = true;
  pieces_.erase(pieces_.begin() + static_cast<std::ptrdiff_t>(i) + 1);
}

TSRange PiecewiseTree::own_range(std::size_t i, TSPoint text_end) const {
  const Piece& p = pieces_[i];
  const TSPoint end = i + 1 < pieces_.size() ? TSPoint{pieces_[i + 1].start_row, 0} : text_end;
  return TSRange{TSPoint{p.start_row, 0}, end, p.start, p.end};
}

std::vector<TSRange> PiecewiseTree::ranges_for(const TSRange& own, TSPoint text_end) const {
  const std::uint32_t text_size = pieces_.back().end;
  std::vector<TSRange> out;
  if (frame_.on && own.start_byte > 0)
    out.push_back(TSRange{TSPoint{0, 0}, frame_.head_end_point, 0, frame_.head_end});
  out.push_back(own);
  if (frame_.on && own.end_byte < text_size)
    out.push_back(TSRange{frame_.tail_start_point, text_end, frame_.tail_start, text_size});
  return out;
}

bool PiecewiseTree::parse_range(TSParser* parser, std::string_view text, const std::vector<TSRange>& ranges,
                                const TSTree* old, const ParseLimits& limits, TreePtr& out) {
  if (ranges.size() == 1 && ranges[0].start_byte == 0 && ranges[0].end_byte == text.size()) {
    ts_parser_set_included_ranges(parser, nullptr, 0);  // the whole text
  } else {
    ts_parser_set_included_ranges(parser, ranges.data(), static_cast<std::uint32_t>(ranges.size()));
  }
  auto tree = context::parse(parser, text, old, limits);
  if (!tree) return false;
  out = std::move(*tree);
  return true;
}

std::vector<TSNode> PiecewiseTree::items_of(const Piece& p) const {
  TSNode parent = items_parent(p.tree.get());
  if (ts_node_is_null(parent)) return {};
  if (!frame_.on) return items_in(parent, 0, UINT32_MAX);
  return items_in(parent, std::max(p.start, frame_.head_end), std::min(p.end, frame_.tail_start));
}

void PiecewiseTree::measure(Piece& p) const {
  const std::vector<TSNode> items = items_of(p);
  std::size_t first = 0;
  while (first < items.size() && ts_node_is_extra(items[first])) ++first;
  p.tail = right_spine(items);
  if (first == items.size()) {  // nothing but extras: any edit may reach the boundary before
    p.head_end = UINT32_MAX;
    return;
  }
  TSNode item = items[first], leaf = item;
  while (ts_node_child_count(leaf) > 0) leaf = ts_node_child(leaf, 0);
  const std::uint32_t end = ts_node_end_byte(leaf) > ts_node_start_byte(item) ? ts_node_end_byte(leaf) : ts_node_end_byte(item);
  p.head_end = end - p.start;
}

bool PiecewiseTree::parse_piece(TSParser* parser, std::string_view text, TSPoint text_end, std::size_t i,
                                const ParseLimits& limits, bool& tail_changed) {
  Piece& p = pieces_[i];
  TreePtr tree;
  if (!parse_range(parser, text, ranges_for(own_range(i, text_end), text_end), p.tree.get(), limits, tree))
    return false;
  if (p.tree) retired_.push_back(std::move(p.tree));
  p.tree = std::move(tree);
  p.dirty = false;
  p.frame_stale = false;
  std::vector<std::uint32_t> tail_before = std::move(p.tail);
  measure(p);
  tail_changed = p.tail != tail_before;
  return true;
}

bool PiecewiseTree::parse(TSParser* parser, std::string_view text, TSPoint text_end, const ParseLimits& limits) {
  const Clock::time_point started = Clock::now();
  ParseLimits left;
  for (std::size_t i = 0; i < pieces_.size(); ++i) {
    bool tail_changed = false;
    while (pieces_[i].dirty || !pieces_[i].tree) {
      if (!limits_left(limits, started, left) || !parse_piece(parser, text, text_end, i, left, tail_changed))
        return false;
      if (frame_.on && ts_node_is_null(items_parent(pieces_[i].tree.get()))) {  // the container changed
        drop_frame();
        i = 0;
        continue;
      }
      // A last item that ends differently may now run into the next piece (unless it is broken).
      if (tail_changed && i + 1 < pieces_.size() && !ts_node_has_error(ts_tree_root_node(pieces_[i].tree.get())))
        absorb_next(i, text_end);
    }
    if (pieces_.size() == 1) {  // the one piece is the whole text's tree
      forget_whole();
      whole_.reset(ts_tree_copy(pieces_[0].tree.get()));
      whole_current_ = true;
    }
    if (pieces_[i].end - pieces_[i].start > 4 * piece_size() && limits_left(limits, started, left))
      i += split(parser, text, text_end, i, left) - 1;
  }
  // The whole tree is only wanted while some piece has an error: it would double the memory.
  if (pieces_.size() > 1 && !any_piece_has_error() && !cut_while_broken_) forget_whole();
  return true;
}

bool PiecewiseTree::any_piece_has_error() const {
  return std::any_of(pieces_.begin(), pieces_.end(),
                     [](const Piece& p) { return p.tree && ts_node_has_error(ts_tree_root_node(p.tree.get())); });
}

void PiecewiseTree::forget_whole() {
  if (whole_) retired_.push_back(std::move(whole_));
  whole_edits_.clear();
  whole_current_ = false;
}

bool PiecewiseTree::whole_check_pending() const {
  if (!parsed()) return false;
  const bool stale = std::any_of(pieces_.begin(), pieces_.end(), [](const Piece& p) { return p.frame_stale; });
  return stale || (!whole_current_ && (any_piece_has_error() || cut_while_broken_));
}

bool PiecewiseTree::refresh_frames(TSParser* parser, std::string_view text, TSPoint text_end,
                                   const ParseLimits& limits, bool& changed) {
  const Clock::time_point started = Clock::now();
  ParseLimits left;
  for (std::size_t i = 0; i < pieces_.size(); ++i) {
    if (!pieces_[i].frame_stale) continue;
    bool tail_changed = false;
    if (!limits_left(limits, started, left) || !parse_piece(parser, text, text_end, i, left, tail_changed))
      return false;
    if (ts_node_is_null(items_parent(pieces_[i].tree.get()))) {  // the edit changed the container after all
      drop_frame();
      changed = parse(parser, text, text_end, limits);  // cancelled: the pieces published before stand
      return changed;
    }
    changed = true;
  }
  return true;
}

bool PiecewiseTree::check_whole(TSParser* parser, std::string_view text, TSPoint text_end, const ParseLimits& limits) {
  if (!whole_check_pending()) return false;
  bool changed = false;
  if (!refresh_frames(parser, text, text_end, limits, changed)) return changed;
  if (whole_current_ || !(any_piece_has_error() || cut_while_broken_)) return changed;
  const TSRange all{TSPoint{0, 0}, text_end, 0, static_cast<std::uint32_t>(text.size())};
  if (whole_) {
    for (const TSInputEdit& e : whole_edits_) ts_tree_edit(whole_.get(), &e);
    whole_edits_.clear();
  }
  TreePtr tree;
  if (!parse_range(parser, text, {all}, whole_.get(), limits, tree)) return changed;  // the pieces stand; next time
  if (whole_) retired_.push_back(std::move(whole_));
  whole_ = std::move(tree);  // kept even when broken: reparsing it beats a fresh parse of broken text
  whole_current_ = true;
  if (ts_node_has_error(ts_tree_root_node(whole_.get()))) return changed;  // broken either way: errors stay local
  // The text is fine as a whole, only not piece by piece (say a comment opened in one piece and
  // closed in a later one): start again from the whole tree.
  for (Piece& p : pieces_)
    if (p.tree) retired_.push_back(std::move(p.tree));
  pieces_.clear();
  frame_ = {};
  cut_while_broken_ = false;
  Piece& one = pieces_.emplace_back();
  one.end = all.end_byte;
  one.tree.reset(ts_tree_copy(whole_.get()));
  one.dirty = false;
  measure(one);
  if (one.end > 4 * piece_size()) split(parser, text, text_end, 0, limits);
  return true;
}

std::vector<TSRange> PiecewiseTree::cut_ranges(std::size_t i, std::string_view text, TSPoint text_end) const {
  const Piece& p = pieces_[i];
  const std::uint32_t size = piece_size();
  std::vector<TSRange> owns{own_range(i, text_end)};
  for (TSNode item : items_of(p)) {
    const TSPoint at = ts_node_start_point(item);
    const std::uint32_t line = ts_node_start_byte(item) - at.column;
    if (line <= owns.back().start_byte || (frame_.on && line < frame_.head_end) ||
        !is_blank(text.substr(line, at.column)) || line - owns.back().start_byte < size)
      continue;
    if (p.end - line < size / 2) break;
    const TSPoint line_start{at.row, 0};
    owns.push_back(TSRange{line_start, owns.back().end_point, line, owns.back().end_byte});
    owns[owns.size() - 2].end_byte = line;
    owns[owns.size() - 2].end_point = line_start;
  }
  return owns;
}

bool PiecewiseTree::parse_parts(TSParser* parser, std::string_view text, TSPoint text_end,
                                const std::vector<TSRange>& owns, const ParseLimits& limits,
                                std::vector<Piece>& parts, std::vector<TSNode>& items, bool& error) {
  parts.resize(owns.size());
  for (std::size_t j = 0; j < parts.size(); ++j) {
    Piece& q = parts[j];
    q.start = owns[j].start_byte;
    q.end = owns[j].end_byte;
    q.start_row = owns[j].start_point.row;
    if (!parse_range(parser, text, ranges_for(owns[j], text_end), nullptr, limits, q.tree) ||
        ts_node_is_null(items_parent(q.tree.get())))
      return false;
    q.dirty = false;
    measure(q);
    const std::vector<TSNode> mine = items_of(q);
    items.insert(items.end(), mine.begin(), mine.end());
    error = error || ts_node_has_error(ts_tree_root_node(q.tree.get()));
  }
  return true;
}

std::size_t PiecewiseTree::split(TSParser* parser, std::string_view text, TSPoint text_end, std::size_t i,
                                 const ParseLimits& limits) {
  const bool framed_here = !frame_.on && pieces_.size() == 1 && try_frame(pieces_[i].tree.get(), text);
  const std::vector<TSRange> owns = cut_ranges(i, text, text_end);
  std::vector<Piece> parts;
  std::vector<TSNode> part_items;
  bool part_error = false;
  const bool cut = owns.size() > 1 && parse_parts(parser, text, text_end, owns, limits, parts, part_items, part_error);
  // A text with syntax errors is cut wherever the parts parse: errors then stay in their piece.
  // A text without must come out of the parts just as it is.
  const bool whole_error = ts_node_has_error(ts_tree_root_node(pieces_[i].tree.get()));
  if (!cut || !(whole_error || (same_items(items_of(pieces_[i]), part_items) && !part_error))) {
    for (Piece& q : parts)
      if (q.tree) retired_.push_back(std::move(q.tree));
    if (framed_here) frame_ = {};
    return 1;
  }
  cut_while_broken_ = cut_while_broken_ || whole_error;
  retired_.push_back(std::move(pieces_[i].tree));
  pieces_.erase(pieces_.begin() + static_cast<std::ptrdiff_t>(i));
  pieces_.insert(pieces_.begin() + static_cast<std::ptrdiff_t>(i), std::make_move_iterator(parts.begin()),
                 std::make_move_iterator(parts.end()));
  return parts.size();
}

bool PiecewiseTree::parsed() const {
  return std::all_of(pieces_.begin(), pieces_.end(), [](const Piece& p) { return !p.dirty && p.tree; });
}

SyntaxTrees PiecewiseTree::publish() const {
  std::vector<SyntaxTrees::Piece> out;
  out.reserve(pieces_.size());
  for (const Piece& p : pieces_)
    if (p.tree) out.push_back({p.start, share_tree(p.tree.get())});
  return SyntaxTrees(std::move(out), frame_);
}

}  // namespace coderx::context
