#include "lsp/protocol/framing.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace coderx::lsp {

std::string frame(std::string_view body) {
  std::string out = "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  out.append(body);
  return out;
}

namespace {

bool iequals_prefix(std::string_view line, std::string_view prefix) {
  if (line.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(line[i])) != prefix[i]) return false;
  return true;
}

std::string_view trim_spaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

constexpr std::size_t kShrinkAbove = 1 << 20;  // release buffers larger than this once drained

}  // namespace

void FrameReader::feed(std::string_view bytes) {
  if (broken()) return;
  if (skip_ > 0) {
    std::size_t n = std::min(skip_, bytes.size());
    skip_ -= n;
    bytes.remove_prefix(n);
  }
  buffer_.append(bytes);
}

void FrameReader::compact() {
  if (pos_ == 0) return;
  if (pos_ == buffer_.size()) {
    buffer_.clear();
    if (buffer_.capacity() > kShrinkAbove) std::string().swap(buffer_);
  } else if (pos_ > buffer_.size() / 2 || buffer_.capacity() > kShrinkAbove) {
    buffer_.erase(0, pos_);
    if (buffer_.capacity() > kShrinkAbove && buffer_.size() < kShrinkAbove / 2)
      buffer_.shrink_to_fit();
  } else {
    return;
  }
  pos_ = 0;
}

bool FrameReader::parse_header(std::string_view header) {
  std::optional<std::size_t> length;
  while (!header.empty()) {
    std::size_t eol = header.find("\r\n");
    std::string_view line = header.substr(0, eol);
    header = eol == std::string_view::npos ? std::string_view() : header.substr(eol + 2);
    if (!iequals_prefix(line, "content-length:")) continue;  // Content-Type etc. are ignored
    std::string_view value = trim_spaces(line.substr(15));
    std::size_t n = 0;
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (value.empty() || ec != std::errc() || ptr != value.data() + value.size()) {
      error_ = "invalid Content-Length header '" + std::string(line.substr(0, 100)) + "'";
      return false;
    }
    length = n;
  }
  if (!length) {
    error_ = "message header has no Content-Length";
    return false;
  }
  body_length_ = length;
  return true;
}

std::optional<Frame> FrameReader::next() {
  if (broken()) return std::nullopt;
  std::string_view unread = std::string_view(buffer_).substr(pos_);
  if (!body_length_) {
    std::size_t end = unread.find("\r\n\r\n");
    if (end == std::string::npos ? unread.size() > limits_.max_header_bytes
                                 : end > limits_.max_header_bytes) {
      error_ = "message header exceeds the limit of " + std::to_string(limits_.max_header_bytes) +
               " bytes";
      return std::nullopt;
    }
    if (end == std::string::npos) return std::nullopt;
    if (!parse_header(unread.substr(0, end))) return std::nullopt;
    pos_ += end + 4;
    unread.remove_prefix(end + 4);
    if (*body_length_ > limits_.max_body_bytes) {
      std::size_t have = std::min(unread.size(), *body_length_);
      skip_ = *body_length_ - have;
      pos_ += have;
      Frame dropped{"", "message of " + std::to_string(*body_length_) +
                            " bytes exceeds the limit of " +
                            std::to_string(limits_.max_body_bytes) + " bytes; skipped"};
      body_length_.reset();
      compact();
      return dropped;
    }
  }
  if (unread.size() < *body_length_) return std::nullopt;
  Frame frame{std::string(unread.substr(0, *body_length_)), ""};
  pos_ += *body_length_;
  body_length_.reset();
  compact();
  return frame;
}

}  // namespace coderx::lsp
