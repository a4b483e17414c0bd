// Incremental parser for a text/event-stream body (the WHATWG "server-sent events" format) as
// OpenAI-compatible servers send it: `data: {...}` lines, a blank line ends an event, the last
// event is `data: [DONE]`. Lines end in LF, CRLF or CR, in any chunking; `:` lines are comments;
// `event:`, `id:` and `retry:` are accepted and ignored except `event`, which is reported.
//
// Who calls it: model/remote/chat_client (and the SSE fuzzer). Not thread-safe; one per stream.
// Errors: an event or line longer than `max_event_bytes` makes feed() return false and sets
// error(); the parser then stays failed (the stream must be abandoned).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace coderx::model::remote {

struct SseEvent {
  std::string event;  // "" unless an `event:` field was given
  std::string data;   // the `data:` lines joined with '\n'
};

class SseParser {
 public:
  explicit SseParser(std::size_t max_event_bytes = 4 << 20) : max_(max_event_bytes) {}

  // Consumes `bytes`; appends every completed event to `out`. False once the limit is broken.
  bool feed(std::string_view bytes, std::vector<SseEvent>& out);
  const std::string& error() const { return error_; }

 private:
  bool line(std::string_view text, std::vector<SseEvent>& out);
  void dispatch(std::vector<SseEvent>& out);

  std::size_t max_;
  std::string partial_;   // the current line so far
  bool after_cr_ = false; // the previous byte was CR (a following LF belongs to it)
  bool has_data_ = false;
  SseEvent event_;
  std::string error_;
};

}  // namespace coderx::model::remote
