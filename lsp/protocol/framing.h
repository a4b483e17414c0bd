// Content-Length framing of JSON-RPC messages (LSP base protocol), independent of any socket:
// a FrameReader is fed bytes and yields complete message bodies; frame() wraps a body.
// Limits: header section and body size are bounded (FramingLimits); a violation is reported
// once and the stream must be considered broken. Not thread-safe; one reader per stream.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace coderx::lsp {

struct FramingLimits {
  std::size_t max_header_bytes = 8 * 1024;          // all header lines of one message
  std::size_t max_body_bytes = 64 * 1024 * 1024;    // one JSON body
};

std::string frame(std::string_view body);

class FrameReader {
 public:
  explicit FrameReader(FramingLimits limits = {}) : limits_(limits) {}

  void feed(std::string_view bytes) { buffer_.append(bytes); }

  // The next complete body, or nullopt when more bytes are needed or the stream is broken
  // (then error() says why).
  std::optional<std::string> next();
  const std::string& error() const { return error_; }

 private:
  bool parse_header(std::string_view header);

  FramingLimits limits_;
  std::string buffer_;
  std::optional<std::size_t> body_length_;
  std::string error_;
};

}  // namespace coderx::lsp
