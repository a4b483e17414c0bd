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
//   - A text that is one large item with small text around it (a Java class, a C++ namespace,
//     a Python class) is cut between the members of that item's body: the pieces are then
//     framed. Every piece is parsed with the "head" (up to the end of the line of the body's
//     first child: its `{`, or Python's first statement) and the "tail" (from the line of its
//     last child) around its own stretch, so each tree has the whole chain of enclosing nodes,
//     with their true ranges, and its members in it. An edit in the head or tail is reparsed by
//     the first or last piece, which show them; the others only move with it, as for any edit
//     outside them, and check_whole() reparses them later. An edit through the bounds of head
//     or tail, or a reparse after which the body is no longer the same node, drops the frame:
//     the text is parsed afresh as one piece (and may be framed again).
//   - A syntax error stays in its piece: where one tree over the whole text might let an unclosed
//     bracket swallow the rest of the file, here it ends at the piece's end.
//   - A text that has syntax errors as a whole may be cut anywhere the rules above allow, each
//     piece parsed alone. Such cuts are checked once the text has no error any more (by the
//     whole-tree check below): a cut made where an error had ended a block early may split what
//     is one block again.
//   - But a text without syntax errors always gives the same nodes, with the same ranges, as one
//     tree. While some piece has an error, or a cut made while the text had one is unchecked,
//     check_whole() parses one tree over the whole text (afresh the first time, then from its
//     last parse and the edits since); when that tree has no error, the pieces are rebuilt from
//     it (say a comment opened in one piece and closed in a later one). It costs what a
//     keystroke cost before pieces, or far more (Python with an unclosed bracket near the top:
//     0.4 s for 5,000 lines), so the LSP store runs it after publishing the pieces, and the next
//     edit cancels it. The whole tree is dropped once it is not needed, as it doubles the
//     memory; its edits are only applied when it is reparsed, as editing a broken tree can take
//     milliseconds.
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
  static constexpr std::uint32_t kPieceBytes = 1024;  // the size pieces are cut to, at least
  // Larger texts get larger pieces, so that an edit, which moves every piece after it (and
  // framed, all pieces), stays cheap: 5,000 lines are about 120 pieces of 1 KiB, 50,000 lines
  // about 128 of 10 KiB.
  static constexpr std::uint32_t kPiecesAtMost = 128;

  // `piece_bytes`: the least size pieces are cut to (tests use small ones to get many pieces);
  // a piece grown past four times the size is cut again.
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
  // Work for check_whole(): a framed piece whose head or tail is out of date, or some piece has
  // a syntax error (or pieces were cut while the text had one) and the whole tree was not
  // reparsed since the last edit.
  bool whole_check_pending() const;
  // Brings framed pieces' heads and tails up to date, then reparses the whole tree when some
  // piece has an error and rebuilds the pieces from it when it has none. Returns true when the
  // pieces changed (publish them again), false otherwise, cancelled before any change included.
  bool check_whole(TSParser* parser, std::string_view text, TSPoint text_end, const ParseLimits& limits);
  std::size_t piece_count() const { return pieces_.size(); }
  bool framed() const { return frame_.on; }
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
    // Framed: the head or tail changed since this piece was parsed, its members did not. It
    // shows neither, so the pieces are right without it; check_whole() brings it up to date.
    bool frame_stale = false;
  };

  // The container whose body's members the pieces are cut between (see the rules above): the
  // bounds that SyntaxTrees publishes ([0, head_end) opens it, [tail_start, end of text) closes
  // it, its body node spans [body_start, body_end)), with what parsing also needs.
  struct Frame : SyntaxTrees::Frame {
    TSPoint head_end_point{}, tail_start_point{};
    TSSymbol body_symbol = 0;
    // Moves with an edit; false when the edit replaced text around one of the bounds.
    bool follow(const TSInputEdit& e);
  };

  std::uint32_t piece_size() const;  // what pieces are cut to now (see kPiecesAtMost)
  std::size_t index_at(std::uint32_t byte) const;
  void merge(std::size_t lo, std::size_t hi);
  static void apply_to(Piece& p, const TSInputEdit& e);
  void measure(Piece& p) const;
  std::vector<TSNode> items_of(const Piece& p) const;  // its items in its tree (none: frame lost)
  // The node whose children are the items in `tree`: the root, or the framed body (a null node
  // when the tree no longer has that body).
  TSNode items_parent(const TSTree* tree) const;
  // Frames `text` (one piece, parsed into `tree`) when it has no error and one node's body
  // holds all of it but a head and tail under kFrameAroundAtFirst pieces; returns whether it did.
  bool try_frame(const TSTree* tree, std::string_view text);
  void drop_frame();  // one piece again, to parse afresh
  TSRange own_range(std::size_t i, TSPoint text_end) const;  // piece i's own text
  // The ranges to parse for a piece whose own text is `own`: with the frame's head and tail
  // when framed.
  std::vector<TSRange> ranges_for(const TSRange& own, TSPoint text_end) const;
  // Parses `ranges` of `text` alone (tree-sitter's included ranges), so that the tree has
  // document positions; false when cancelled.
  static bool parse_range(TSParser* parser, std::string_view text, const std::vector<TSRange>& ranges,
                          const TSTree* old, const ParseLimits& limits, TreePtr& out);
  // Parses piece i; false when cancelled. `tail_changed` tells whether its last item now ends
  // differently.
  bool parse_piece(TSParser* parser, std::string_view text, TSPoint text_end, std::size_t i,
                   const ParseLimits& limits, bool& tail_changed);
  // Piece i takes in piece i + 1; its tree is reparsed over both.
  void absorb_next(std::size_t i, TSPoint text_end);
  // The own ranges piece i would be cut into: each starts at the line start of an item with only
  // blanks before it on its line, about piece_size() after the one before. One range: no cut.
  std::vector<TSRange> cut_ranges(std::size_t i, std::string_view text, TSPoint text_end) const;
  // Parses each of `owns` alone into `parts`, adding their items to `items`; false when cancelled
  // or when a part lacks the frame's body. `error`: some part has a syntax error.
  bool parse_parts(TSParser* parser, std::string_view text, TSPoint text_end, const std::vector<TSRange>& owns,
                   const ParseLimits& limits, std::vector<Piece>& parts, std::vector<TSNode>& items, bool& error);
  // Cuts piece i (just parsed, grown too large) into pieces of about piece_size() when the rules
  // allow; returns how many pieces now stand where it stood.
  std::size_t split(TSParser* parser, std::string_view text, TSPoint text_end, std::size_t i,
                    const ParseLimits& limits);

  // A text is framed only when head and tail together are under 2 piece sizes (each piece
  // parses them too); an edit that grows them past 4 drops the frame.
  static constexpr std::uint32_t kFrameAroundAtFirst = 2, kFrameAroundMost = 4;
  std::uint32_t piece_bytes_;
  Frame frame_;
  std::vector<Piece> pieces_;  // cover the text in order; empty before the first reset()
  static constexpr std::size_t kMaxWholeEdits = 4096;  // more edits pending: parse afresh instead
  void forget_whole();
  bool any_piece_has_error() const;
  // Reparses the pieces whose frame is stale; false when cancelled. `changed`: some piece was.
  bool refresh_frames(TSParser* parser, std::string_view text, TSPoint text_end, const ParseLimits& limits,
                      bool& changed);

  TreePtr whole_;              // one tree over the whole text, as last parsed
  std::vector<TSInputEdit> whole_edits_;  // the edits since, for ts_tree_edit when it is reparsed
  bool whole_current_ = false;  // whole_ was parsed after the last edit
  bool cut_while_broken_ = false;  // some piece was cut from a text with errors: check it
  std::vector<TreePtr> retired_;
};

}  // namespace coderx::context
