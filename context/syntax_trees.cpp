#include "context/syntax_trees.h"

#include <algorithm>
#include <utility>

namespace coderx::context {

SharedTree share_tree(const TSTree* tree) {
  if (!tree) return nullptr;
  return SharedTree(ts_tree_copy(tree), [](const TSTree* t) { ts_tree_delete(const_cast<TSTree*>(t)); });
}

SyntaxTrees::SyntaxTrees(std::vector<Piece> pieces) : pieces_(std::move(pieces)) {}

TSNode SyntaxTrees::root(std::size_t i) const {
  return ts_tree_root_node(pieces_[i].tree.get());
}

std::size_t SyntaxTrees::index_at(std::uint32_t byte) const {
  return piece_at(pieces_, byte, [](const Piece& p) { return p.start_byte; });
}

TSNode SyntaxTrees::root_at(std::uint32_t byte) const { return root(index_at(byte)); }

std::vector<TSNode> SyntaxTrees::roots_between(std::uint32_t from, std::uint32_t to) const {
  std::vector<TSNode> out;
  if (empty()) return out;
  const std::size_t first = index_at(from);
  for (std::size_t i = first; i < pieces_.size() && (i == first || pieces_[i].start_byte < to); ++i)
    out.push_back(root(i));
  return out;
}

bool SyntaxTrees::has_error() const {
  return std::any_of(pieces_.begin(), pieces_.end(),
                     [](const Piece& p) { return ts_node_has_error(ts_tree_root_node(p.tree.get())); });
}

std::string SyntaxTrees::sexp() const {
  if (pieces_.size() == 1) return node_sexp(root(0));
  std::string out;
  for (std::size_t i = 0; i < pieces_.size(); ++i) {
    const std::string piece = node_sexp(root(i));  // "(type child child)" or "(type)"
    const std::size_t space = piece.find(' ');
    if (i == 0) out = piece.substr(0, space == std::string::npos ? piece.size() - 1 : space);
    if (space != std::string::npos) out += piece.substr(space, piece.size() - 1 - space);
  }
  return out + ")";
}

}  // namespace coderx::context
