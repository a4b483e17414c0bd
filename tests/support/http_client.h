// A deliberately plain HTTP/1.1 client for tests of `coderx serve` and of the remote engine:
// POSIX sockets, one request per connection (Connection: close), the whole response read to
// EOF and parsed by hand (status, headers, chunked or Content-Length body) — an independent
// second implementation next to the Beast code under test. Also splits an SSE body into its
// `data:` payloads. Blocking; a receive timeout keeps a broken server from hanging a test.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace coderx::testing {

struct HttpReply {
  int status = 0;  // 0: no response (connection failed or closed early)
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;  // de-chunked
  std::string raw;   // everything received
};

// `extra_headers`: full lines without CRLF ("Authorization: Bearer x").
HttpReply http_request(unsigned short port, const std::string& method, const std::string& path,
                       const std::string& body = "", const std::vector<std::string>& extra_headers = {},
                       int timeout_ms = 20000);

// Sends raw bytes and returns everything received until EOF (for malformed requests).
std::string http_raw(unsigned short port, const std::string& bytes, int timeout_ms = 20000);

// Connects to 127.0.0.1:port; -1 on failure. The caller closes it.
int connect_loopback(unsigned short port, int timeout_ms = 20000);

// The `data:` payloads of an event-stream body, in order.
std::vector<std::string> sse_data(const std::string& body);

}  // namespace coderx::testing
