// Writes a server-sent-event response on a ClientStream: the 200 head with
// `Content-Type: text/event-stream` and chunked transfer encoding, then one chunk per event
// (`data: {...}\n\n`), then `data: [DONE]` and the last chunk, so the connection can be kept.
// An HTTP/1.0 client knows no chunked encoding: it gets the events as they are, and the body
// ends when the connection closes (the caller closes it after done()).
//
// Who calls it: lsp/serve/routes. Threading: the connection's thread only.
// Errors: every write returns false once the client is gone; the caller stops generating.
#pragma once

#include <string_view>

#include "lsp/serve/client_stream.h"

namespace coderx::serve {

class SseWriter {
 public:
  SseWriter(ClientStream& client, bool keep_alive, bool chunked = true)
      : client_(client), keep_alive_(keep_alive && chunked), chunked_(chunked) {}

  bool begin();
  bool event(std::string_view data);
  bool done();  // data: [DONE], then the end of the chunked body

 private:
  bool chunk(std::string_view payload);

  ClientStream& client_;
  bool keep_alive_;
  bool chunked_;
};

// "data: <data>\n\n" with every line of `data` prefixed (SSE framing of multi-line data).
std::string sse_event(std::string_view data);

}  // namespace coderx::serve
