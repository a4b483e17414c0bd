// One HTTP/1.1 request/response with a remote engine over Boost.Beast: resolve, connect, TLS
// (certificate chain and host name verified against the system store; SSL_CERT_FILE
// overrides it, as OpenSSL does), send, then read the response head and its body piece by
// piece as it arrives (server-sent events are consumed while the server is still writing).
//
// Deadlines: every step runs against an absolute deadline (connecting against an earlier one).
// Cancellation: when `stop` fires, the socket is closed from the I/O loop at once; the
// pending step returns Failure::cancelled. One connection per exchange (Connection: close).
//
// Who calls it: chat_client. Threading: one exchange is used by one thread; `stop` may fire
// from any thread. Errors: HttpFailure with a kind (for the retry policy) and a message.
#pragma once

#include <chrono>
#include <memory>
#include <stop_token>
#include <string>

#include <boost/system/result.hpp>

#include "model/remote/endpoint.h"

namespace coderx::model::remote {

using Clock = std::chrono::steady_clock;

struct HttpFailure {
  enum class Kind { connect, timeout, cancelled, io, protocol } kind;
  std::string message;  // lower case, no endpoint ("connection refused")
};

[[noreturn]] void throw_exception_from_error(const HttpFailure& e, const boost::source_location&);

template <class T>
using HttpResult = boost::system::result<T, HttpFailure>;

struct HttpRequest {
  std::string method = "POST";  // "GET" | "POST"
  std::string path;             // "/v1/chat/completions"
  std::string body;             // JSON ("" for GET)
  std::string bearer;           // "" = no Authorization header
};

struct ResponseHead {
  int status = 0;
  std::string content_type;
  std::string retry_after;  // the Retry-After header, "" when absent
  std::string location;     // the Location header (redirects), "" when absent
};

class HttpExchange {
 public:
  HttpExchange(const Endpoint& endpoint, std::stop_token stop);
  ~HttpExchange();
  HttpExchange(const HttpExchange&) = delete;
  HttpExchange& operator=(const HttpExchange&) = delete;

  HttpResult<ResponseHead> begin(const HttpRequest& request, Clock::time_point connect_deadline,
                                 Clock::time_point deadline);
  // The next body bytes (possibly empty); `done` is set at the end of the body.
  HttpResult<std::string> read_some(Clock::time_point deadline, bool& done);
  // The rest of the body, at most `limit` bytes (longer bodies are cut, not an error).
  HttpResult<std::string> read_all(Clock::time_point deadline, std::size_t limit);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace coderx::model::remote
