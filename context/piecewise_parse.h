// Keeps a document's syntax as pieces (syntax_trees.h) and reparses only the pieces that edits
// touched, so a keystroke costs about the same in a 5,000-line file as in a 100-line one.
// Why: tree-sitter's incremental parse still walks every top-level item after an edit, and in
// grammars with external scanners (Python's indentation, JavaScript's automatic semicolons) it
// refuses to reuse every other item whole, re-parsing half the file per keystroke
// (bench_context --reuse-report shows it: 2,020 of 23,001 tokens re-lexed in a Python file).
// The rules that keep the pieces equal to one tree over the whole text:
//   - A piece is a stretch of whole top-level items of a tree over that stretch: it starts at a
//     line start and ends where the next piece starts (trailing blank lines and comments belong
//     to it). Pieces are only ever cut where a parse of the joined text had a boundary between
//     two items and every new piece, parsed alone, gives the same top-level items (symbols and
//     ranges); otherwise the text stays one piece.
//   - Where two items meet is decided by how the first ends and by the first token of the
//     second. So an edit that touches a piece's first token merges it with the piece before (the
//     two are parsed afresh), and a piece whose last item ends differently after its reparse
//     (another "right spine": the node types and child counts from that item down to its last
//     token) takes in the piece after, which is then parsed into its tree.
//   - A piece grown past four times the piece size is cut again after it parses.
//   - A syntax error stays in its piece: where one tree over the whole text might let an unclosed
//     bracket swallow the rest of the file, here it ends at the piece's end.
//   - A text that has syntax errors as a whole may be cut anywhere the rules above allow, each
//     piece parsed alone.
//   - But a text without syntax errors always gives the same nodes, with the same ranges, as one
//     tree. While some piece has an error, check_whole() parses one tree over the whole text
//     (afresh the first time, then from its last parse and the edits since); when that tree has
//     no error, the pieces are rebuilt from it (say a comment opened in one piece and closed in a
//     later one). It costs what a keystroke cost before pieces, or far more (Python with an
//     unclosed bracket near the top: 0.4 s for 5,000 lines), so the LSP store runs it after
//     publishing the pieces, and the next edit cancels it. The whole tree is dropped once no piece
//     has an error, as it doubles the memory; its edits are only applied when it is reparsed, as
//     editing a broken tree can take milliseconds.
// Threading: used by one thread at a time (the Document's).
#pragma once

#include "context/parse.h"
#include "context/syntax_trees.h"

#include <cstdint>
#include <string_view>
#include <vector>

namespace coderx::context {

class PiecewiseTree {
 public:
  static constexpr std::uint32_t kPieceBytes = 4096;  // the size pieces are cut to

  // `piece_bytes`: the size pieces are cut to (tests use small ones to get many pieces); a piece
  // grown past four times that is cut again.
  explicit PiecewiseTree(std::uint32_t piece_bytes = kPieceBytes) : piece_bytes_(piece_bytes) {}

  // Forgets all trees: the next parse covers `text_size` bytes as one piece, afresh.
  void reset(std::uint32_t text_size);
  // Records one edit (document coordinates, as for ts_tree_edit), merging pieces as the rules say.
  void edit(const TSInputEdit& e);
  // Parses every piece an edit touched (or that was never parsed) out of `text`, whose end is at
  // `text_end`. Returns false when cancelled or out of time; the pieces not yet parsed stay as
  // they were, to finish later.
  bool parse(TSParser* parser, std::string_view text, TSPoint text_end, const ParseLimits& limits);

  bool parsed() const;  // every piece has a tree that matches the text
  // Some piece has a syntax error and the whole tree was not reparsed since the last edit.
  bool whole_check_pending() const;
  // Reparses the whole tree when whole_check_pending(); returns true when that rebuilt the pieces
  // (the whole text parses without error), false otherwise, cancelled included.
  bool check_whole(TSParser* parser, std::string_view text, TSPoint text_end, const ParseLimits& limits);
  std::size_t piece_count() const { return pieces_.size(); }
  // The pieces that have a tree (all of them when parsed()), for readers on any thread.
  SyntaxTrees publish() const;
  // Trees replaced by parses since the last call; the caller frees them when convenient.
  std::vector<TreePtr> take_retired() { return std::move(retired_); }

 private:
  struct Piece {
    std::uint32_t start = 0, end = 0;  // document bytes
    std::uint32_t start_row = 0;
    TreePtr tree;                      // parsed over [start, end) only; null: parse afresh
    bool dirty = true;
    // Relative: the end of the first token that is not an extra; an edit before it reaches the
    // boundary with the piece before.
    std::uint32_t head_end = UINT32_MAX;
    // How the last item that is not an extra ends (see right_spine()), as last parsed.
    std::vector<std::uint32_t> tail;
  };

  std::size_t index_at(std::uint32_t byte) const;
  void merge(std::size_t lo, std::size_t hi);
  static void apply_to(Piece& p, const TSInputEdit& e);
  static void measure(Piece& p);
  TSRange range_of(std::size_t i, TSPoint text_end) const;
  // Parses `range` of `text` alone (tree-sitter's included ranges), so that the tree has
  // document positions; false when cancelled.
  static bool parse_range(TSParser* parser, std::string_view text, const TSRange& range, const TSTree* old,
                          const ParseLimits& limits, TreePtr& out);
  // Parses piece i; false when cancelled. `tail_changed` tells whether its last item now ends
  // differently.
  bool parse_piece(TSParser* parser, std::string_view text, TSPoint text_end, std::size_t i,
                   const ParseLimits& limits, bool& tail_changed);
  // Piece i takes in piece i + 1; its tree is reparsed over both.
  void absorb_next(std::size_t i, TSPoint text_end);
  // Cuts piece i (just parsed, grown too large) into pieces of about piece_bytes_ when the rules
  // allow; returns how many pieces now stand where it stood.
  std::size_t split(TSParser* parser, std::string_view text, TSPoint text_end, std::size_t i,
                    const ParseLimits& limits);

  std::uint32_t piece_bytes_;
  std::vector<Piece> pieces_;  // cover the text in order; empty before the first reset()
  static constexpr std::size_t kMaxWholeEdits = 4096;  // more edits pending: parse afresh instead
  void forget_whole();
  bool any_piece_has_error() const;

  TreePtr whole_;              // one tree over the whole text, as last parsed
  std::vector<TSInputEdit> whole_edits_;  // the edits since, for ts_tree_edit when it is reparsed
  bool whole_current_ = false;  // whole_ was parsed after the last edit
  std::vector<TreePtr> retired_;
};

}  // namespace coderx::context
