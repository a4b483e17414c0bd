#include "context/syntax_trees.h"

#include <algorithm>
#include <utility>

namespace coderx::context {

namespace {

// "(type A B)" -> " A B"; "(type)" -> "".
std::string inner_of(const std::string& sexp) {
  const std::size_t space = sexp.find(' ');
  return space == std::string::npos ? "" : sexp.substr(space, sexp.size() - 1 - space);
}

// "(type A B)" -> "(type".
std::string head_of(const std::string& sexp) {
  const std::size_t space = sexp.find(' ');
  return sexp.substr(0, space == std::string::npos ? sexp.size() - 1 : space);
}

}  // namespace

SharedTree share_tree(const TSTree* tree) {
  if (!tree) return nullptr;
  return SharedTree(ts_tree_copy(tree), [](const TSTree* t) { ts_tree_delete(const_cast<TSTree*>(t)); });
}

SyntaxTrees::SyntaxTrees(std::vector<Piece> pieces) : pieces_(std::move(pieces)) {}

SyntaxTrees::SyntaxTrees(std::vector<Piece> pieces, Frame frame) : pieces_(std::move(pieces)), frame_(frame) {}

bool SyntaxTrees::shows(std::size_t i, std::uint32_t node_start) const {
  if (!frame_.on) return true;
  if (node_start < frame_.head_end) return i == 0;
  if (node_start >= frame_.tail_start) return i + 1 == pieces_.size();
  return true;
}

TSNode SyntaxTrees::root(std::size_t i) const {
  return ts_tree_root_node(pieces_[i].tree.get());
}

std::size_t SyntaxTrees::index_at(std::uint32_t byte) const {
  return piece_at(pieces_, byte, [](const Piece& p) { return p.start_byte; });
}

TSNode SyntaxTrees::root_at(std::uint32_t byte) const { return root(index_at(byte)); }

std::vector<std::size_t> SyntaxTrees::pieces_between(std::uint32_t from, std::uint32_t to) const {
  std::vector<std::size_t> out;
  if (empty()) return out;
  const std::size_t first = index_at(from);
  for (std::size_t i = first; i < pieces_.size() && (i == first || pieces_[i].start_byte < to); ++i)
    out.push_back(i);
  return out;
}

bool SyntaxTrees::has_error() const {
  return std::any_of(pieces_.begin(), pieces_.end(),
                     [](const Piece& p) { return ts_node_has_error(ts_tree_root_node(p.tree.get())); });
}

// The first piece's S-expression up to its body (the head), the children that every piece
// shows in the body, and the last piece's S-expression after its body (the tail).
std::string SyntaxTrees::framed_sexp() const {
  auto body_of = [this](std::size_t i) {
    return ts_node_descendant_for_byte_range(root(i), frame_.body_start, frame_.body_end);
  };
  const std::size_t last = pieces_.size() - 1;
  const std::string first = node_sexp(root(0)), first_body = node_sexp(body_of(0));
  const std::string final = node_sexp(root(last)), final_body = node_sexp(body_of(last));
  std::string body = head_of(first_body);
  for (std::size_t i = 0; i <= last; ++i) {
    const TSNode parent = body_of(i);
    for (std::uint32_t k = 0; k < ts_node_child_count(parent); ++k) {
      const TSNode child = ts_node_child(parent, k);
      if (!shows(i, ts_node_start_byte(child)) || !(ts_node_is_named(child) || ts_node_is_missing(child))) continue;
      const char* field = ts_node_field_name_for_child(parent, k);
      body += " " + (field ? std::string(field) + ": " : std::string()) + node_sexp(child);
    }
  }
  return first.substr(0, first.find(first_body)) + body + ")" +
         final.substr(final.find(final_body) + final_body.size());
}

std::string SyntaxTrees::sexp() const {
  if (pieces_.size() == 1) return node_sexp(root(0));
  if (frame_.on) return framed_sexp();
  std::string out = head_of(node_sexp(root(0)));
  for (std::size_t i = 0; i < pieces_.size(); ++i) out += inner_of(node_sexp(root(i)));
  return out + ")";
}

}  // namespace coderx::context
