#include "context/position.h"

#include <algorithm>
#include <cstring>

namespace coderx::context {

namespace {

bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// Scans `text` once: LSP line starts, and "\n"-only starts if a lone "\r" occurs.
void build_starts(std::string_view text, std::vector<std::uint32_t>& starts, bool& lone_cr) {
  starts.push_back(0);
  lone_cr = false;
  const auto n = static_cast<std::uint32_t>(text.size());
  if (n == 0) return;
  if (!std::memchr(text.data(), '\r', n)) {  // the common case, found with memchr's SIMD scan
    for (const char* p = text.data(); (p = static_cast<const char*>(std::memchr(p, '\n', text.data() + n - p)));)
      starts.push_back(static_cast<std::uint32_t>(++p - text.data()));
    return;
  }
  for (std::uint32_t i = 0; i < n; ++i) {
    const char c = text[i];
    if (c == '\n') {
      starts.push_back(i + 1);
    } else if (c == '\r') {
      if (i + 1 < n && text[i + 1] == '\n') {
        starts.push_back(i + 2);
        ++i;
      } else {
        starts.push_back(i + 1);
        lone_cr = true;
      }
    }
  }
}

}  // namespace

std::uint32_t utf8_sequence_length(std::string_view bytes) {
  if (bytes.empty()) return 0;
  const auto lead = static_cast<unsigned char>(bytes[0]);
  std::uint32_t len = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3
                    : (lead >> 3) == 0x1E ? 4 : 1;
  if (len > bytes.size()) return 1;
  for (std::uint32_t i = 1; i < len; ++i)
    if (!is_continuation(static_cast<unsigned char>(bytes[i]))) return 1;
  return len;
}

std::uint32_t code_units(std::string_view bytes, PositionEncoding enc) {
  if (enc == PositionEncoding::utf8) return static_cast<std::uint32_t>(bytes.size());
  std::uint32_t units = 0;
  for (std::size_t i = 0; i < bytes.size();) {
    const std::uint32_t len = utf8_sequence_length(bytes.substr(i));
    units += len == 4 ? 2 : 1;
    i += len;
  }
  return units;
}

LineIndex::LineIndex(std::string_view text) : text_(text) {
  bool lone_cr = false;
  starts_.reserve(text.size() / 32 + 1);
  build_starts(text, starts_, lone_cr);
  if (!lone_cr) return;
  nl_starts_.push_back(0);
  for (std::uint32_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n') nl_starts_.push_back(i + 1);
}

std::uint32_t LineIndex::line_start(std::uint32_t line) const {
  return starts_[std::min<std::size_t>(line, starts_.size() - 1)];
}

std::uint32_t LineIndex::line_end(std::uint32_t line) const {
  line = std::min<std::uint32_t>(line, line_count() - 1);
  if (line + 1 >= line_count()) return static_cast<std::uint32_t>(text_.size());
  std::uint32_t end = starts_[line + 1];
  if (end > 0 && text_[end - 1] == '\n') --end;
  if (end > starts_[line] && text_[end - 1] == '\r') --end;
  return end;
}

std::uint32_t LineIndex::line_of(std::uint32_t offset) const {
  auto it = std::upper_bound(starts_.begin(), starts_.end(), offset);
  return static_cast<std::uint32_t>(it - starts_.begin()) - 1;
}

std::uint32_t LineIndex::offset_of(Position pos, PositionEncoding enc) const {
  if (pos.line >= line_count()) return static_cast<std::uint32_t>(text_.size());
  const std::uint32_t begin = starts_[pos.line];
  const std::uint32_t end = line_end(pos.line);
  if (enc == PositionEncoding::utf8) {
    const std::uint32_t off = pos.character >= end - begin ? end : begin + pos.character;  // no wrap-around
    if (off >= end || !is_continuation(static_cast<unsigned char>(text_[off]))) return off;
    std::uint32_t lead = off;
    while (lead > begin && is_continuation(static_cast<unsigned char>(text_[lead]))) --lead;
    // inside a valid multi-byte sequence: round down to its lead byte
    if (lead + utf8_sequence_length(text_.substr(lead, end - lead)) > off) return lead;
    return off;
  }
  std::uint32_t units = 0;
  std::uint32_t off = begin;
  while (off < end) {
    const std::uint32_t len = utf8_sequence_length(text_.substr(off, end - off));
    const std::uint32_t width = len == 4 ? 2 : 1;
    if (units + width > pos.character) break;
    units += width;
    off += len;
  }
  return off;
}

Position LineIndex::position_of(std::uint32_t offset, PositionEncoding enc) const {
  offset = std::min<std::uint32_t>(offset, static_cast<std::uint32_t>(text_.size()));
  const std::uint32_t line = line_of(offset);
  const std::uint32_t begin = starts_[line];
  const std::uint32_t clamped = std::min(offset, line_end(line));
  return Position{line, code_units(text_.substr(begin, clamped - begin), enc)};
}

bool LineIndex::contains(Position pos, PositionEncoding enc) const {
  if (pos.line >= line_count()) return false;
  const std::uint32_t begin = starts_[pos.line];
  return pos.character <= code_units(text_.substr(begin, line_end(pos.line) - begin), enc);
}

std::uint32_t LineIndex::ts_row(std::uint32_t offset) const {
  if (nl_starts_.empty()) return line_of(offset);
  auto it = std::upper_bound(nl_starts_.begin(), nl_starts_.end(), offset);
  return static_cast<std::uint32_t>(it - nl_starts_.begin()) - 1;
}

std::uint32_t LineIndex::ts_line_start(std::uint32_t offset) const {
  if (nl_starts_.empty()) return starts_[line_of(offset)];
  return nl_starts_[ts_row(offset)];
}

}  // namespace coderx::context
