// One accepted HTTP connection of `coderx serve`, owned by its connection thread: reads
// requests (Boost.Beast parser: header and body limits), writes bytes with a stall timeout,
// and notices a client that hung up while its answer is being generated.
//
// Who calls it: http_server (reads, whole responses), routes and sse_writer (streams).
// Threading: one thread uses it; nothing is shared. Errors: read_request() says what went
// wrong in a status; write() returns false once the client is gone or stalled.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace coderx::serve {

struct IncomingRequest {
  std::string method;         // "GET", "POST", ...
  std::string target;         // "/v1/chat/completions" (absolute form and query string removed)
  std::string body;
  std::string authorization;  // the Authorization header
  bool keep_alive = true;
  bool http10 = false;        // an HTTP/1.0 request: no chunked responses
};

// no_host: an HTTP/1.1 request without a Host header, which RFC 9112 §3.2 says to answer 400.
enum class ReadStatus { ok, closed, too_large, header_too_large, bad_request, no_host, timeout };

// The path of a request target: "http://h:8080/v1/models?x" (absolute form, which proxies send
// and RFC 9112 §3.2.2 says servers must accept) and "/v1/models?x" both give "/v1/models".
std::string request_path(std::string_view target);

class ClientStream {
 public:
  // Takes ownership of the connected socket `fd`.
  ClientStream(int fd, std::size_t max_body_bytes, std::chrono::milliseconds io_timeout);
  ~ClientStream();
  ClientStream(const ClientStream&) = delete;
  ClientStream& operator=(const ClientStream&) = delete;

  ReadStatus read_request(IncomingRequest& out);
  bool write(std::string_view bytes);
  // True when the client has closed its end or the connection broke (does not wait).
  bool hung_up() const;
  // After an error answer to a request not read whole (413): ends our side, then reads and drops
  // what the client still sends, for at most `linger` or `max_bytes`, so that its send finishes
  // and it reads the answer instead of a broken pipe.
  void linger_after_error(std::chrono::milliseconds linger, std::size_t max_bytes);
  int fd() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A whole HTTP/1.1 response: status line, Content-Type, Content-Length, Connection.
// `extra_headers`: whole header lines, each ending in "\r\n" ("Allow: POST\r\n").
std::string http_response(int status, std::string_view content_type, std::string_view body, bool keep_alive,
                          std::string_view extra_headers = {});

}  // namespace coderx::serve
