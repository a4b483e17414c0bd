// An open document: text, version, language and an incrementally maintained tree-sitter tree.
// Edits arrive as LSP content changes (a range in the negotiated position encoding, or a full
// replacement); positions clamp as LSP says (see position.h). The LSP server owns one Document
// per open file; gather and cut work on a DocumentSnapshot, which is immutable and can be handed
// to another thread (shared text + a cheap copy of the tree).
// Parsing honours ParseLimits: when cancelled or out of time the text is still updated, the old
// tree is kept (edited to the new text) and marked stale; reparse() finishes the job later.
// Keystroke cost: an edit builds the new text in one pass (texts are immutable once published:
// snapshots and views into them stay valid) and indexes its lines afresh; the tree it replaces
// is kept until take_retired_tree() (or the next parse) so that freeing it need not delay
// whoever waits for the new tree.
// Errors: apply() rejects a batch whose range has its end before its start and then changes
// nothing. Threading: a Document is used by one thread at a time.
#pragma once

#include "context/error.h"
#include "context/languages.h"
#include "context/parse.h"
#include "context/position.h"

#include <memory>
#include <optional>
#include <span>
#include <string>

namespace coderx::context {

struct TextChange {
  std::optional<Range> range;  // absent: replace the whole text
  std::string text;
};

enum class ParseStatus {
  parsed,      // the tree matches the text
  stale,       // parsing was cancelled or timed out; tree() is the edited previous tree or null
  no_grammar,  // plain text: no tree at all
};

using SharedTree = std::shared_ptr<const TSTree>;

// An immutable view of a document at one version. Cheap to copy.
struct DocumentSnapshot {
  std::shared_ptr<const std::string> text;
  std::shared_ptr<const LineIndex> lines;  // index over *text
  SharedTree tree;                         // null without grammar or before the first parse
  const Language* language = nullptr;      // null for plain text
  int version = 0;
  PositionEncoding encoding = PositionEncoding::utf16;
  bool tree_current = false;               // false when the tree is stale
};

class Document {
 public:
  Document(const Language* language, std::string text, int version,
           PositionEncoding encoding = PositionEncoding::utf16, const ParseLimits& limits = {});

  // Applies LSP content changes in order, then reparses incrementally once.
  Result<ParseStatus> apply(std::span<const TextChange> changes, int version,
                            const ParseLimits& limits = {});
  ParseStatus replace(std::string text, int version, const ParseLimits& limits = {});
  // Finishes a parse that was cancelled or timed out.
  ParseStatus reparse(const ParseLimits& limits = {});

  const std::string& text() const { return *text_; }
  const LineIndex& lines() const { return *lines_; }
  int version() const { return version_; }
  const Language* language() const { return language_; }
  PositionEncoding encoding() const { return encoding_; }
  const TSTree* tree() const { return tree_.get(); }
  bool tree_current() const { return !stale_ && tree_ != nullptr; }

  std::uint32_t offset_of(Position pos) const { return lines_->offset_of(pos, encoding_); }
  Position position_of(std::uint32_t offset) const { return lines_->position_of(offset, encoding_); }
  DocumentSnapshot snapshot() const;
  // The tree replaced by the last parse (null if none): the caller frees it when convenient,
  // e.g. after publishing the new tree. Not taken, it is freed by the next parse.
  TreePtr take_retired_tree() { return std::move(retired_); }

 private:
  void set_text(std::string text);
  void install_tree(TreePtr tree);
  ParseStatus parse_now(const ParseLimits& limits, bool reuse_tree);

  const Language* language_;
  PositionEncoding encoding_;
  int version_;
  std::shared_ptr<const std::string> text_;
  std::shared_ptr<const LineIndex> lines_;
  ParserPtr parser_;
  TreePtr tree_;
  TreePtr retired_;  // see take_retired_tree()
  bool stale_ = true;
};

}  // namespace coderx::context
