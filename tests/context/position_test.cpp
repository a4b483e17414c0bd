// LineIndex against a naive reference that decodes the text code point by code point and
// splits lines by "\n", "\r\n" and "\r" from scratch for every query.
#include "context/position.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace coderx::context {
namespace {

struct RefChar {
  std::uint32_t byte;
  std::uint32_t bytes;
  std::uint32_t utf16;
};

// Naive reference: the code points of each line (terminators excluded).
std::vector<std::vector<RefChar>> reference_lines(const std::string& text) {
  std::vector<std::vector<RefChar>> lines(1);
  for (std::uint32_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\r' || c == '\n') {
      i += (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ? 2 : 1;
      lines.emplace_back();
      continue;
    }
    std::uint32_t len = 1;
    if (c >= 0xF0 && c < 0xF8) len = 4;
    else if (c >= 0xE0 && c < 0xF0) len = 3;
    else if (c >= 0xC0 && c < 0xE0) len = 2;
    bool valid = i + len <= text.size();
    for (std::uint32_t k = 1; valid && k < len; ++k)
      valid = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    if (!valid) len = 1;
    lines.back().push_back({i, len, len == 4 ? 2u : 1u});
    i += len;
  }
  return lines;
}

// The byte offset of (line, character) by walking the reference; exact positions only.
std::uint32_t ref_offset(const std::string& text, Position p, PositionEncoding enc) {
  auto lines = reference_lines(text);
  std::uint32_t units = 0;
  for (const RefChar& c : lines.at(p.line)) {
    if (units == p.character) return c.byte;
    units += enc == PositionEncoding::utf16 ? c.utf16 : c.bytes;
  }
  EXPECT_EQ(units, p.character);
  const auto& line = lines.at(p.line);
  if (!line.empty()) return line.back().byte + line.back().bytes;
  // empty line: its start is after the previous terminator
  LineIndex idx(text);
  return idx.line_start(p.line);
}

const std::string kMixed =
    "a😀b\r\n"        // emoji: 4 bytes, 2 UTF-16 units
    "中文字\n"         // CJK: 3 bytes each, 1 unit
    "\r"              // lone CR line
    "x\xff" "y\n"     // invalid UTF-8 byte
    "e\xCC\x81\xF0\x9F\x91\x8D\n"  // combining accent + thumbs up
    "last";

TEST(Position, EmojiCountsTwoUtf16UnitsAndFourUtf8) {
  LineIndex idx(kMixed);
  // "a😀b": b is at UTF-16 character 3, UTF-8 character 5
  EXPECT_EQ(idx.offset_of({0, 3}, PositionEncoding::utf16), 5u);
  EXPECT_EQ(idx.offset_of({0, 5}, PositionEncoding::utf8), 5u);
  EXPECT_EQ(idx.position_of(5, PositionEncoding::utf16), (Position{0, 3}));
  EXPECT_EQ(idx.position_of(5, PositionEncoding::utf8), (Position{0, 5}));
}

TEST(Position, InsideSurrogatePairOrUtf8SequenceRoundsDown) {
  LineIndex idx(kMixed);
  EXPECT_EQ(idx.offset_of({0, 2}, PositionEncoding::utf16), 1u);  // between the surrogates
  EXPECT_EQ(idx.offset_of({0, 3 - 1}, PositionEncoding::utf8), 1u);
  EXPECT_EQ(idx.offset_of({1, 1}, PositionEncoding::utf8), idx.line_start(1));
}

TEST(Position, CjkAndCrlfLines) {
  LineIndex idx(kMixed);
  ASSERT_EQ(idx.line_count(), 6u);
  EXPECT_EQ(idx.line_start(1), 8u);  // after "a😀b\r\n"
  EXPECT_EQ(idx.offset_of({1, 2}, PositionEncoding::utf16), 8u + 6u);
  EXPECT_EQ(idx.offset_of({1, 6}, PositionEncoding::utf8), 8u + 6u);
  EXPECT_EQ(idx.line_end(0), 6u);  // before "\r\n"
  EXPECT_EQ(idx.line_end(2), idx.line_start(2));  // the lone "\r" line is empty
}

TEST(Position, PastEndOfLineAndDocumentClamp) {
  LineIndex idx(kMixed);
  EXPECT_EQ(idx.offset_of({0, 99}, PositionEncoding::utf16), 6u);  // before "\r\n"
  EXPECT_EQ(idx.offset_of({99, 0}, PositionEncoding::utf16), kMixed.size());
  for (std::uint32_t huge : {0x7FFFFFFFu, 0xFFFFFFF0u, 0xFFFFFFFFu})  // never wraps onto another line
    for (auto enc : {PositionEncoding::utf8, PositionEncoding::utf16})
      EXPECT_EQ(idx.offset_of({1, huge}, enc), idx.line_end(1)) << huge;
  EXPECT_FALSE(idx.contains({0, 5}, PositionEncoding::utf16));
  EXPECT_TRUE(idx.contains({0, 4}, PositionEncoding::utf16));
  EXPECT_FALSE(idx.contains({6, 0}, PositionEncoding::utf16));
  // offsets between "\r" and "\n" report the end of the line
  EXPECT_EQ(idx.position_of(7, PositionEncoding::utf16), (Position{0, 4}));
}

TEST(Position, TreeSitterRowsCountOnlyLineFeeds) {
  LineIndex idx(kMixed);
  const std::uint32_t after_lone_cr = idx.line_start(3);
  EXPECT_EQ(idx.line_of(after_lone_cr), 3u);
  EXPECT_EQ(idx.ts_row(after_lone_cr), 2u);  // "\r" alone is not a row break for tree-sitter
  EXPECT_EQ(idx.ts_line_start(after_lone_cr), idx.line_start(2));
}

TEST(Position, RoundTripsAgainstReferenceOnRandomText) {
  const std::vector<std::string> pieces{"a", "é", "中", "😀", "\n", "\r\n", "\r", " ", "\xff", "\xE4\xB8"};
  std::mt19937 rng(7);
  for (int round = 0; round < 50; ++round) {
    std::string text;
    const int n = std::uniform_int_distribution<int>(0, 40)(rng);
    for (int i = 0; i < n; ++i) text += pieces[rng() % pieces.size()];
    LineIndex idx(text);
    auto ref = reference_lines(text);
    ASSERT_EQ(idx.line_count(), ref.size()) << round;
    for (auto enc : {PositionEncoding::utf16, PositionEncoding::utf8}) {
      for (std::uint32_t line = 0; line < ref.size(); ++line) {
        std::uint32_t units = 0;
        for (const RefChar& c : ref[line]) {
          EXPECT_EQ(idx.offset_of({line, units}, enc), c.byte);
          EXPECT_EQ(idx.position_of(c.byte, enc), (Position{line, units}));
          EXPECT_EQ(ref_offset(text, {line, units}, enc), c.byte);
          units += enc == PositionEncoding::utf16 ? c.utf16 : c.bytes;
        }
        EXPECT_TRUE(idx.contains({line, units}, enc));
        EXPECT_FALSE(idx.contains({line, units + 1}, enc));
      }
    }
  }
}

// Naive line starts: after every "\r\n", lone "\r" and lone "\n".
std::vector<std::uint32_t> reference_starts(const std::string& text) {
  std::vector<std::uint32_t> starts{0};
  for (std::uint32_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
    if (text[i] == '\r' || text[i] == '\n') starts.push_back(i + 1);
  }
  return starts;
}

// LineIndex against the naive line starts and "\n" rows of randomly spliced texts: splices
// inside lines, across and between "\r\n", next to lone "\r", inserting and removing terminators.
TEST(Position, IndexMatchesReferenceOnRandomSplices) {
  const std::vector<std::string> pieces{"a", "é", "中", "😀", "\n", "\r\n", "\r", " ", "xyz", "\xff"};
  std::mt19937 rng(11);
  for (int round = 0; round < 300; ++round) {
    std::string text;
    const int n = std::uniform_int_distribution<int>(0, 30)(rng);
    for (int i = 0; i < n; ++i) text += pieces[rng() % (round % 2 ? 4 : pieces.size())];
    if (round % 3 == 0) text += "\r\nline\r\nend";
    const auto start = static_cast<std::uint32_t>(rng() % (text.size() + 1));
    const auto end = std::min<std::uint32_t>(static_cast<std::uint32_t>(text.size()), start + rng() % 4);
    std::string inserted;
    for (int i = static_cast<int>(rng() % 3); i > 0; --i) inserted += pieces[rng() % pieces.size()];
    std::string after = text;
    after.replace(start, end - start, inserted);
    const LineIndex idx(after);
    const auto ref = reference_starts(after);
    ASSERT_EQ(idx.line_count(), ref.size()) << round;
    EXPECT_EQ(idx.text(), after);
    for (std::uint32_t line = 0; line < ref.size(); ++line) EXPECT_EQ(idx.line_start(line), ref[line]) << round;
    std::uint32_t row = 0, row_start = 0;
    for (std::uint32_t off = 0; off <= after.size(); ++off) {
      ASSERT_EQ(idx.ts_row(off), row) << round << " at " << off;
      EXPECT_EQ(idx.ts_line_start(off), row_start) << round << " at " << off;
      if (off < after.size() && after[off] == '\n') ++row, row_start = off + 1;
    }
  }
}

}  // namespace
}  // namespace coderx::context
