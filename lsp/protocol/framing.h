// Content-Length framing of JSON-RPC messages (LSP base protocol), independent of any socket:
// a FrameReader is fed bytes and yields complete message bodies; frame() wraps a body.
//
// Limits (FramingLimits): the header section and the body size are bounded. A body larger than
// the limit is not buffered: the reader reports it once as a dropped frame and then discards its
// bytes as they arrive, so the stream stays usable and memory stays bounded. A malformed or
// oversized header breaks the stream (error() says why); nothing more is read after that.
// Not thread-safe; one reader per stream.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace coderx::lsp {

struct FramingLimits {
  std::size_t max_header_bytes = 8 * 1024;        // all header lines of one message
  std::size_t max_body_bytes = 64 * 1024 * 1024;  // one JSON body
};

std::string frame(std::string_view body);

// One result of FrameReader::next(): a complete body, or a message dropped for its size
// (`dropped` says why; the body is skipped, the stream goes on).
struct Frame {
  std::string body;
  std::string dropped;
};

class FrameReader {
 public:
  explicit FrameReader(FramingLimits limits = {}) : limits_(limits) {}

  // Appends bytes; bytes of a dropped body are discarded here without being stored.
  void feed(std::string_view bytes);

  // The next complete frame, or nullopt when more bytes are needed or the stream is broken
  // (then error() says why).
  std::optional<Frame> next();
  const std::string& error() const { return error_; }
  bool broken() const { return !error_.empty(); }
  // Bytes held right now (for tests of memory bounds).
  std::size_t buffered() const { return buffer_.size() - pos_; }

 private:
  bool parse_header(std::string_view header);
  void compact();

  FramingLimits limits_;
  std::string buffer_;
  std::size_t pos_ = 0;                     // start of unread bytes in buffer_
  std::optional<std::size_t> body_length_;  // set once a header has been parsed
  std::size_t skip_ = 0;                    // bytes of a dropped body still to discard
  std::string error_;
};

}  // namespace coderx::lsp
