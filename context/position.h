// LSP positions and the line index of a text: conversions between byte offsets and
// {line, character} in UTF-16 (LSP default) or UTF-8 code units.
// Used by Document (edits in LSP ranges) and by callers that report ranges back to a client.
// Line terminators are "\n", "\r\n" and "\r" (as LSP says). A character past the end of a line
// clamps to the line end; a line past the end clamps to the end of the document; a character
// that falls inside a surrogate pair or a multi-byte UTF-8 sequence rounds down to the start of
// that code point. Invalid UTF-8 bytes count as one code unit each (as if U+FFFD).
// Thread-safety: a LineIndex is an immutable value after construction.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace coderx::context {

enum class PositionEncoding { utf16, utf8 };

struct Position {
  std::uint32_t line = 0;
  std::uint32_t character = 0;  // code units of the negotiated encoding
  friend bool operator==(const Position&, const Position&) = default;
  friend auto operator<=>(const Position&, const Position&) = default;
};

struct Range {
  Position start;
  Position end;
  friend bool operator==(const Range&, const Range&) = default;
};

// tree-sitter's notion of a point: row counts "\n" only, column counts bytes.
struct ByteRange {
  std::uint32_t start = 0;
  std::uint32_t end = 0;
};

class LineIndex {
 public:
  LineIndex() = default;
  explicit LineIndex(std::string_view text);

  std::uint32_t line_count() const { return static_cast<std::uint32_t>(starts_.size()); }
  // Byte offset of the first byte of `line` (clamped to the last line).
  std::uint32_t line_start(std::uint32_t line) const;
  // Byte offset just past the content of `line`, before its terminator.
  std::uint32_t line_end(std::uint32_t line) const;
  // The line containing byte `offset` (O(log n)); offsets past the end give the last line.
  std::uint32_t line_of(std::uint32_t offset) const;

  // Clamping conversion (see header comment). `offset` is clamped to the text size.
  std::uint32_t offset_of(Position pos, PositionEncoding enc) const;
  Position position_of(std::uint32_t offset, PositionEncoding enc) const;
  // True when `pos` names an existing line and a character within it (no clamping needed).
  bool contains(Position pos, PositionEncoding enc) const;
  // tree-sitter point (row = "\n" count before offset, column = bytes after that "\n").
  std::uint32_t ts_row(std::uint32_t offset) const;
  std::uint32_t ts_line_start(std::uint32_t offset) const;

  std::string_view text() const { return text_; }

 private:
  std::string_view text_;             // borrowed; the owner rebuilds the index when text changes
  std::vector<std::uint32_t> starts_;  // byte offset of each LSP line
  std::vector<std::uint32_t> nl_starts_;  // only when a lone "\r" exists: tree-sitter rows
};

// Code units of `bytes` in `enc` (UTF-8: its size; UTF-16: surrogate pairs count 2).
std::uint32_t code_units(std::string_view bytes, PositionEncoding enc);
// Byte length of the UTF-8 sequence starting at bytes[0], 1 for an invalid lead byte.
std::uint32_t utf8_sequence_length(std::string_view bytes);

}  // namespace coderx::context
