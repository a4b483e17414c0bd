#include "context/document.h"

#include <spdlog/spdlog.h>

#include <utility>
#include <vector>

namespace coderx::context {

namespace {

TSPoint ts_point(const LineIndex& lines, std::uint32_t offset) {
  return TSPoint{lines.ts_row(offset), offset - lines.ts_line_start(offset)};
}

std::string describe(Position p) {
  return std::to_string(p.line) + ":" + std::to_string(p.character);
}

// tree-sitter point just past `inserted` when it is inserted at `start`.
TSPoint point_after(TSPoint start, std::string_view inserted) {
  const auto newline = inserted.rfind('\n');
  if (newline == std::string_view::npos)
    return TSPoint{start.row, start.column + static_cast<std::uint32_t>(inserted.size())};
  std::uint32_t rows = 0;
  for (char c : inserted) rows += c == '\n';
  return TSPoint{start.row + rows, static_cast<std::uint32_t>(inserted.size() - newline - 1)};
}

// The text and its line index while a batch of changes is applied (the document's own until
// the whole batch succeeds).
struct Edited {
  std::shared_ptr<const std::string> text;
  std::shared_ptr<const LineIndex> lines;  // over *text
};

// Applies one ranged change to `state`, returning the tree-sitter edit: the new text is built
// in one pass (no copy-then-shift) and indexed afresh.
Result<TSInputEdit> apply_one(Edited& state, const Range& range, std::string_view replacement,
                              PositionEncoding enc) {
  if (range.end < range.start)
    return make_error(Errc::invalid_argument, "invalid range " + describe(range.start) + "-" +
                                                  describe(range.end) + ": end before start");
  const std::string& before = *state.text;
  const LineIndex& lines = *state.lines;
  const std::uint32_t start = lines.offset_of(range.start, enc);
  const std::uint32_t end = std::max(start, lines.offset_of(range.end, enc));
  if (before.size() - (end - start) + replacement.size() > UINT32_MAX / 2)
    return make_error(Errc::invalid_argument, "edit would make the document larger than 2 GB");
  TSInputEdit edit{};
  edit.start_byte = start;
  edit.old_end_byte = end;
  edit.new_end_byte = start + static_cast<std::uint32_t>(replacement.size());
  edit.start_point = ts_point(lines, start);
  edit.old_end_point = ts_point(lines, end);
  edit.new_end_point = point_after(edit.start_point, replacement);
  auto text = std::make_shared<std::string>();
  text->reserve(before.size() - (end - start) + replacement.size());
  text->append(before, 0, start).append(replacement).append(before, end);
  state.lines = std::make_shared<const LineIndex>(*text);
  state.text = std::move(text);
  return edit;
}

}  // namespace

Document::Document(const Language* language, std::string text, int version,
                   PositionEncoding encoding, const ParseLimits& limits, std::uint32_t piece_bytes)
    : language_(language), encoding_(encoding), version_(version), pieces_(piece_bytes) {
  if (language_) parser_ = make_parser(language_->grammar);
  set_text(std::move(text));
  parse_now(limits, false);
}

void Document::set_text(std::string text) {
  auto owned = std::make_shared<const std::string>(std::move(text));
  lines_ = std::make_shared<const LineIndex>(*owned);
  text_ = std::move(owned);
}

ParseStatus Document::parse_now(const ParseLimits& limits, bool reuse_tree) {
  if (!language_) return ParseStatus::no_grammar;
  if (text_->size() > UINT32_MAX / 2) {  // apply() refuses to grow a text this far; only a new text can be
    spdlog::warn("document {} (v{}): {} bytes is too large to parse", language_->id, version_, text_->size());
    pieces_.reset(0);
    retired_ = pieces_.take_retired();
    stale_ = true;
    return ParseStatus::stale;
  }
  if (!reuse_tree) pieces_.reset(static_cast<std::uint32_t>(text_->size()));
  const TSPoint end = text_end();
  const bool done = pieces_.parse(parser_.get(), *text_, end, limits);
  if (done && !defer_whole_) pieces_.check_whole(parser_.get(), *text_, end, limits);
  retired_ = pieces_.take_retired();  // frees the trees retired before, if any
  stale_ = !done;
  if (!done) spdlog::debug("document {} (v{}): parse cancelled or out of time", language_->id, version_);
  return done ? ParseStatus::parsed : ParseStatus::stale;
}

Result<ParseStatus> Document::apply(std::span<const TextChange> changes, int version,
                                    const ParseLimits& limits) {
  Edited state{text_, lines_};
  std::vector<TSInputEdit> edits;
  bool full = false;
  for (const TextChange& change : changes) {
    if (!change.range) {
      state.text = std::make_shared<const std::string>(change.text);
      state.lines = std::make_shared<const LineIndex>(*state.text);
      full = true;
      edits.clear();
      continue;
    }
    auto edit = apply_one(state, *change.range, change.text, encoding_);
    if (!edit) return edit.error();
    edits.push_back(*edit);
  }
  version_ = version;
  text_ = std::move(state.text);
  lines_ = std::move(state.lines);
  if (full) return parse_now(limits, false);
  if (language_)
    for (const TSInputEdit& e : edits) pieces_.edit(e);
  return parse_now(limits, true);
}

ParseStatus Document::replace(std::string text, int version, const ParseLimits& limits) {
  version_ = version;
  set_text(std::move(text));
  return parse_now(limits, false);
}

ParseStatus Document::reparse(const ParseLimits& limits) {
  if (!language_) return ParseStatus::no_grammar;
  if (!stale_) return ParseStatus::parsed;
  return parse_now(limits, true);
}

bool Document::check_whole(const ParseLimits& limits) {
  if (!whole_check_pending()) return false;
  const bool changed = pieces_.check_whole(parser_.get(), *text_, text_end(), limits);
  for (TreePtr& t : pieces_.take_retired()) retired_.push_back(std::move(t));
  stale_ = !pieces_.parsed();  // a frame dropped there and its parse cancelled: reparse() finishes it
  return changed;
}

TSPoint Document::text_end() const { return ts_point(*lines_, static_cast<std::uint32_t>(text_->size())); }

DocumentSnapshot Document::snapshot() const {
  DocumentSnapshot snap;
  snap.text = text_;
  snap.lines = lines_;
  snap.trees = pieces_.publish();
  snap.language = language_;
  snap.version = version_;
  snap.encoding = encoding_;
  snap.tree_current = tree_current();
  return snap;
}

}  // namespace coderx::context
