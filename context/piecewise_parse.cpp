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

// The top-level items of `whole` are the same symbols with the same ranges as those of the
// parts' roots, in order.
bool same_items(TSNode whole, const std::vector<TSNode>& parts) {
  std::uint32_t k = 0;
  const std::uint32_t n = ts_node_child_count(whole);
  for (TSNode part : parts) {
    const std::uint32_t m = ts_node_child_count(part);
    for (std::uint32_t j = 0; j < m; ++j, ++k) {
      if (k >= n) return false;
      TSNode a = ts_node_child(whole, k), b = ts_node_child(part, j);
      if (ts_node_symbol(a) != ts_node_symbol(b) || ts_node_start_byte(a) != ts_node_start_byte(b) ||
          ts_node_end_byte(a) != ts_node_end_byte(b))
        return false;
    }
  }
  return k == n;
}

// The right spine of the last item of `root` that is not an extra: symbol and child count of
// each node from that item down to its last token. Empty when there is no such item.
std::vector<std::uint32_t> right_spine(TSNode root) {
  std::vector<std::uint32_t> out;
  for (std::uint32_t k = ts_node_child_count(root); k-- > 0;) {
    TSNode node = ts_node_child(root, k);
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

}  // namespace

void PiecewiseTree::reset(std::uint32_t text_size) {
  for (Piece& p : pieces_)
    if (p.tree) retired_.push_back(std::move(p.tree));
  forget_whole();
  pieces_.clear();
  pieces_.emplace_back().end = text_size;
}

std::size_t PiecewiseTree::index_at(std::uint32_t byte) const {
  return piece_at(pieces_, byte, [](const Piece& p) { return p.start; });
}

void PiecewiseTree::edit(const TSInputEdit& e) {
  std::size_t lo = index_at(e.start_byte);
  const std::size_t hi = index_at(e.old_end_byte);
  if (lo > 0 && e.start_byte - pieces_[lo].start < pieces_[lo].head_end) --lo;
  merge(lo, hi);
  apply_to(pieces_[lo], e);
  if (whole_) whole_edits_.push_back(e);  // applied by check_whole(): editing a broken tree can take ms
  if (whole_edits_.size() > kMaxWholeEdits) forget_whole();
  whole_current_ = false;
  const std::int64_t rows = static_cast<std::int64_t>(e.new_end_point.row) - e.old_end_point.row;
  for (std::size_t i = lo + 1; i < pieces_.size(); ++i) {  // later pieces move with the text
    Piece& p = pieces_[i];
    if (p.tree) ts_tree_edit(p.tree.get(), &e);
    p.start = p.start - e.old_end_byte + e.new_end_byte;
    p.end = p.end - e.old_end_byte + e.new_end_byte;
    p.start_row = static_cast<std::uint32_t>(p.start_row + rows);
  }
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
    // lexing looked at that end (a widened included range alone would not).
    const TSRange added = range_of(i + 1, text_end);
    const TSInputEdit append{p.end, p.end, next.end, added.start_point, added.start_point, added.end_point};
    ts_tree_edit(p.tree.get(), &append);
  }
  if (next.tree) retired_.push_back(std::move(next.tree));
  p.end = next.end;
  p.tail = std::move(next.tail);
  p.dirty = true;
  pieces_.erase(pieces_.begin() + static_cast<std::ptrdiff_t>(i) + 1);
}

TSRange PiecewiseTree::range_of(std::size_t i, TSPoint text_end) const {
  const Piece& p = pieces_[i];
  const TSPoint end = i + 1 < pieces_.size() ? TSPoint{pieces_[i + 1].start_row, 0} : text_end;
  return TSRange{TSPoint{p.start_row, 0}, end, p.start, p.end};
}

bool PiecewiseTree::parse_range(TSParser* parser, std::string_view text, const TSRange& range, const TSTree* old,
                                const ParseLimits& limits, TreePtr& out) {
  if (range.start_byte == 0 && range.end_byte == text.size()) {
    ts_parser_set_included_ranges(parser, nullptr, 0);  // the whole text
  } else {
    ts_parser_set_included_ranges(parser, &range, 1);
  }
  auto tree = context::parse(parser, text, old, limits);
  if (!tree) return false;
  out = std::move(*tree);
  return true;
}

void PiecewiseTree::measure(Piece& p) {
  TSNode root = ts_tree_root_node(p.tree.get());
  const std::uint32_t n = ts_node_child_count(root);
  std::uint32_t first = 0;
  while (first < n && ts_node_is_extra(ts_node_child(root, first))) ++first;
  p.tail = right_spine(root);
  if (first == n) {  // nothing but extras: any edit may reach the boundary before
    p.head_end = UINT32_MAX;
    return;
  }
  TSNode item = ts_node_child(root, first), leaf = item;
  while (ts_node_child_count(leaf) > 0) leaf = ts_node_child(leaf, 0);
  const std::uint32_t end = ts_node_end_byte(leaf) > ts_node_start_byte(item) ? ts_node_end_byte(leaf) : ts_node_end_byte(item);
  p.head_end = end - p.start;
}

bool PiecewiseTree::parse_piece(TSParser* parser, std::string_view text, TSPoint text_end, std::size_t i,
                                const ParseLimits& limits, bool& tail_changed) {
  Piece& p = pieces_[i];
  TreePtr tree;
  if (!parse_range(parser, text, range_of(i, text_end), p.tree.get(), limits, tree)) return false;
  if (p.tree) retired_.push_back(std::move(p.tree));
  p.tree = std::move(tree);
  p.dirty = false;
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
      // A last item that ends differently may now run into the next piece (unless it is broken).
      if (tail_changed && i + 1 < pieces_.size() && !ts_node_has_error(ts_tree_root_node(pieces_[i].tree.get())))
        absorb_next(i, text_end);
    }
    if (pieces_.size() == 1) {  // the one piece is the whole text's tree
      forget_whole();
      whole_.reset(ts_tree_copy(pieces_[0].tree.get()));
      whole_current_ = true;
    }
    if (pieces_[i].end - pieces_[i].start > 4 * piece_bytes_ && limits_left(limits, started, left))
      i += split(parser, text, text_end, i, left) - 1;
  }
  // The whole tree is only wanted while some piece has an error: it would double the memory.
  if (pieces_.size() > 1 && !any_piece_has_error()) forget_whole();
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
  return !whole_current_ && parsed() && any_piece_has_error();
}

bool PiecewiseTree::check_whole(TSParser* parser, std::string_view text, TSPoint text_end, const ParseLimits& limits) {
  if (!whole_check_pending()) return false;
  const TSRange all{TSPoint{0, 0}, text_end, 0, static_cast<std::uint32_t>(text.size())};
  if (whole_) {
    for (const TSInputEdit& e : whole_edits_) ts_tree_edit(whole_.get(), &e);
    whole_edits_.clear();
  }
  TreePtr tree;
  if (!parse_range(parser, text, all, whole_.get(), limits, tree)) return false;  // the pieces stand; next time
  if (whole_) retired_.push_back(std::move(whole_));
  whole_ = std::move(tree);  // kept even when broken: reparsing it beats a fresh parse of broken text
  whole_current_ = true;
  if (ts_node_has_error(ts_tree_root_node(whole_.get()))) return false;  // broken either way: errors stay local
  // The text is fine as a whole, only not piece by piece (say a comment opened in one piece and
  // closed in a later one): start again from the whole tree.
  for (Piece& p : pieces_)
    if (p.tree) retired_.push_back(std::move(p.tree));
  pieces_.clear();
  Piece& one = pieces_.emplace_back();
  one.end = all.end_byte;
  one.tree.reset(ts_tree_copy(whole_.get()));
  one.dirty = false;
  measure(one);
  if (one.end > 4 * piece_bytes_) split(parser, text, text_end, 0, limits);
  return true;
}

std::size_t PiecewiseTree::split(TSParser* parser, std::string_view text, TSPoint text_end, std::size_t i,
                                 const ParseLimits& limits) {
  const Piece& p = pieces_[i];
  const TSRange whole = range_of(i, text_end);
  TSNode root = ts_tree_root_node(p.tree.get());
  std::vector<TSRange> ranges{whole};
  for (std::uint32_t k = 1; k < ts_node_child_count(root); ++k) {
    TSNode item = ts_node_child(root, k);
    const std::uint32_t at = ts_node_start_byte(item);
    if (ts_node_start_point(item).column != 0 || at - ranges.back().start_byte < piece_bytes_) continue;
    if (p.end - at < piece_bytes_ / 2) break;
    ranges.back().end_byte = at;
    ranges.back().end_point = ts_node_start_point(item);
    ranges.push_back(TSRange{ts_node_start_point(item), whole.end_point, at, whole.end_byte});
  }
  if (ranges.size() == 1) return 1;
  std::vector<Piece> parts(ranges.size());
  std::vector<TSNode> roots;
  for (std::size_t j = 0; j < parts.size(); ++j) {
    Piece& q = parts[j];
    q.start = ranges[j].start_byte;
    q.end = ranges[j].end_byte;
    q.start_row = ranges[j].start_point.row;
    if (!parse_range(parser, text, ranges[j], nullptr, limits, q.tree)) break;  // cancelled: stays whole
    q.dirty = false;
    measure(q);
    roots.push_back(ts_tree_root_node(q.tree.get()));
  }
  // A text with syntax errors is cut wherever the parts parse: errors then stay in their piece.
  // A text without must come out of the parts just as it is.
  const bool as_one = ts_node_has_error(root) ||
                      (same_items(root, roots) && std::none_of(roots.begin(), roots.end(), ts_node_has_error));
  if (roots.size() != parts.size() || !as_one) {
    for (Piece& q : parts)
      if (q.tree) retired_.push_back(std::move(q.tree));
    return 1;
  }
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
  return SyntaxTrees(std::move(out));
}

}  // namespace coderx::context
