#include "lsp/protocol/framing.h"

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

}  // namespace

bool FrameReader::parse_header(std::string_view header) {
  std::optional<std::size_t> length;
  while (!header.empty()) {
    std::size_t eol = header.find("\r\n");
    std::string_view line = header.substr(0, eol);
    header = eol == std::string_view::npos ? std::string_view() : header.substr(eol + 2);
    if (!iequals_prefix(line, "content-length:")) continue;  // Content-Type etc. are ignored
    std::string_view value = line.substr(15);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
    std::size_t n = 0;
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (ec != std::errc() || ptr != value.data() + value.size()) {
      error_ = "invalid Content-Length header '" + std::string(line) + "'";
      return false;
    }
    length = n;
  }
  if (!length) {
    error_ = "message header has no Content-Length";
    return false;
  }
  if (*length > limits_.max_body_bytes) {
    error_ = "message of " + std::to_string(*length) + " bytes exceeds the limit of " +
             std::to_string(limits_.max_body_bytes);
    return false;
  }
  body_length_ = length;
  return true;
}

std::optional<std::string> FrameReader::next() {
  if (!error_.empty()) return std::nullopt;
  if (!body_length_) {
    std::size_t end = buffer_.find("\r\n\r\n");
    if (end == std::string::npos) {
      if (buffer_.size() > limits_.max_header_bytes) error_ = "message header exceeds the limit";
      return std::nullopt;
    }
    if (end > limits_.max_header_bytes) {
      error_ = "message header exceeds the limit";
      return std::nullopt;
    }
    if (!parse_header(std::string_view(buffer_).substr(0, end))) return std::nullopt;
    buffer_.erase(0, end + 4);
  }
  if (buffer_.size() < *body_length_) return std::nullopt;
  std::string body = buffer_.substr(0, *body_length_);
  buffer_.erase(0, *body_length_);
  body_length_.reset();
  return body;
}

}  // namespace coderx::lsp
