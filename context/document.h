// An open document: text, version, language and its incrementally maintained syntax: tree-sitter
// trees over pieces of the text (piecewise_parse.h), so a keystroke reparses one piece.
// Edits arrive as LSP content changes (a range in the negotiated position encoding, or a full
// replacement); positions clamp as LSP says (see position.h). The LSP server owns one Document
// per open file; gather and cut work on a DocumentSnapshot, which is immutable and can be handed
// to another thread (shared text + cheap copies of the trees).
// Parsing honours ParseLimits: when cancelled or out of time the text is still updated, the old
// trees are kept (edited to the new text) and marked stale; reparse() finishes the job later.
// Keystroke cost: an edit builds the new text in one pass (texts are immutable once published:
// snapshots and views into them stay valid) and indexes its lines afresh; the trees a parse
// replaces are kept until take_retired_trees() (or the next parse) so that freeing them need not
// delay whoever waits for the new ones.
// Errors: apply() rejects a batch whose range has its end before its start and then changes
// nothing. Threading: a Document is used by one thread at a time.
#pragma once

#include "context/error.h"
#include "context/languages.h"
#include "context/parse.h"
#include "context/piecewise_parse.h"
#include "context/position.h"

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace coderx::context {

struct TextChange {
  std::optional<Range> range;  // absent: replace the whole text
  std::string text;
};

enum class ParseStatus {
  parsed,      // the tree matches the text
  stale,       // parsing was cancelled or timed out; syntax() holds the edited previous trees
  no_grammar,  // plain text: no tree at all
};

// An immutable view of a document at one version. Cheap to copy.
struct DocumentSnapshot {
  std::shared_ptr<const std::string> text;
  std::shared_ptr<const LineIndex> lines;  // index over *text
  SyntaxTrees trees;                       // empty without grammar or before the first parse
  const Language* language = nullptr;      // null for plain text
  int version = 0;
  PositionEncoding encoding = PositionEncoding::utf16;
  bool tree_current = false;               // false when the tree is stale
};

class Document {
 public:
  // `piece_bytes`: the size the syntax is cut into pieces of (piecewise_parse.h); tests use
  // small ones.
  Document(const Language* language, std::string text, int version,
           PositionEncoding encoding = PositionEncoding::utf16, const ParseLimits& limits = {},
           std::uint32_t piece_bytes = PiecewiseTree::kPieceBytes);

  // Applies LSP content changes in order, then reparses incrementally once.
  Result<ParseStatus> apply(std::span<const TextChange> changes, int version,
                            const ParseLimits& limits = {});
  ParseStatus replace(std::string text, int version, const ParseLimits& limits = {});
  // Finishes a parse that was cancelled or timed out.
  ParseStatus reparse(const ParseLimits& limits = {});

  // While some piece has a syntax error, a parse also reparses one tree over the whole text, so
  // that a text without errors always gets the trees one parse would give; and it brings framed
  // pieces up to date after an edit to their container's head or tail (piecewise_parse.h).
  // defer_whole_check(true) leaves that to check_whole(): the LSP store publishes the pieces
  // first and then checks, cancelled by the next edit.
  void defer_whole_check(bool defer) { defer_whole_ = defer; }
  bool whole_check_pending() const { return language_ && pieces_.whole_check_pending(); }
  // True when the check changed the trees.
  bool check_whole(const ParseLimits& limits = {});

  const std::string& text() const { return *text_; }
  const LineIndex& lines() const { return *lines_; }
  int version() const { return version_; }
  const Language* language() const { return language_; }
  PositionEncoding encoding() const { return encoding_; }
  // The trees now (copies, for any thread); empty without grammar or before the first parse.
  SyntaxTrees syntax() const { return pieces_.publish(); }
  bool tree_current() const { return language_ && !stale_ && pieces_.parsed(); }

  std::uint32_t offset_of(Position pos) const { return lines_->offset_of(pos, encoding_); }
  Position position_of(std::uint32_t offset) const { return lines_->position_of(offset, encoding_); }
  DocumentSnapshot snapshot() const;
  // The trees replaced by the last parse: the caller frees them when convenient, e.g. after
  // publishing the new ones. Not taken, they are freed by the next parse.
  std::vector<TreePtr> take_retired_trees() { return std::move(retired_); }

 private:
  void set_text(std::string text);
  ParseStatus parse_now(const ParseLimits& limits, bool reuse_tree);
  TSPoint text_end() const;  // tree-sitter's point at the end of the text

  const Language* language_;
  PositionEncoding encoding_;
  int version_;
  std::shared_ptr<const std::string> text_;
  std::shared_ptr<const LineIndex> lines_;
  ParserPtr parser_;
  PiecewiseTree pieces_;
  std::vector<TreePtr> retired_;  // see take_retired_trees()
  bool stale_ = true;
  bool defer_whole_ = false;
};

}  // namespace coderx::context
