// A document's syntax as a row of tree-sitter trees ("pieces"), each parsed from a stretch of
// whole top-level items that starts at a line start; a small file is one piece. A file that is
// one large container (a Java class, a C++ namespace) is cut between the container's members
// instead ("framed"): every piece then also holds the container's head and tail, and with them
// the nodes around the members; shows() tells which piece stands for those. Splitting keeps
// the cost of a keystroke bounded by the piece it lands in (piecewise_parse.h says why and how).
// Each tree was parsed over its stretch only (tree-sitter's included ranges), so its nodes have
// document positions and callers use them as if the document had one tree: root_at() for the
// piece around a byte, root(i) to walk them all. Immutable and cheap to copy (each piece's tree
// is shared); safe to read from any thread, since every tree in it is a private ts_tree_copy
// that nobody edits.
#pragma once

#include "context/ts_handles.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace coderx::context {

using SharedTree = std::shared_ptr<const TSTree>;

// A private copy of `tree` (ts_tree_copy) that may be read on any thread.
SharedTree share_tree(const TSTree* tree);

// The index of the last of `pieces` (in order of start, the first starting at 0) whose start
// `start_of` gives is at or before `byte`; 0 when none is.
template <typename PieceT, typename StartOf>
std::size_t piece_at(const std::vector<PieceT>& pieces, std::uint32_t byte, StartOf start_of) {
  auto after = std::upper_bound(pieces.begin(), pieces.end(), byte,
                                [&](std::uint32_t b, const PieceT& p) { return b < start_of(p); });
  return after == pieces.begin() ? 0 : static_cast<std::size_t>(after - pieces.begin()) - 1;
}

class SyntaxTrees {
 public:
  struct Piece {
    std::uint32_t start_byte = 0;  // where the piece's text starts in the document: a line start
    SharedTree tree;
  };

  // Where the container's head ends and its tail starts, and its body node's range.
  struct Frame {
    bool on = false;
    std::uint32_t head_end = 0, tail_start = UINT32_MAX, body_start = 0, body_end = 0;
  };

  SyntaxTrees() = default;
  explicit SyntaxTrees(std::vector<Piece> pieces);
  SyntaxTrees(std::vector<Piece> pieces, Frame frame);

  bool empty() const { return pieces_.empty(); }
  std::size_t size() const { return pieces_.size(); }
  // The root node of piece `i`, in document positions.
  TSNode root(std::size_t i) const;
  // The root of the piece whose text holds `byte` (the last piece for bytes at or past the end).
  // Requires !empty().
  TSNode root_at(std::uint32_t byte) const;
  // The pieces whose text overlaps [from, to), in order.
  std::vector<std::size_t> pieces_between(std::uint32_t from, std::uint32_t to) const;
  std::uint32_t start_byte(std::size_t i) const { return pieces_[i].start_byte; }
  // Whether a node of piece i's tree that starts at `node_start` is shown by that piece: false
  // for the head and tail that all framed pieces repeat, shown (and kept current) by the first
  // and last piece only. Walking every piece's nodes and keeping those shown gives one tree's
  // nodes in order.
  bool shows(std::size_t i, std::uint32_t node_start) const;
  bool has_error() const;
  // What the S-expression of one tree over the whole text would be: "(module A B C)".
  std::string sexp() const;

 private:
  std::size_t index_at(std::uint32_t byte) const;
  std::string framed_sexp() const;
  std::vector<Piece> pieces_;
  Frame frame_;
};

}  // namespace coderx::context
