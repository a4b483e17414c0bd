// The HTTP/1.1 server of `coderx serve` (Boost.Asio + Beast): binds HOST:PORT, refuses a
// non-loopback address unless allow_remote, accepts connections and serves each on its own
// thread (keep-alive, one request at a time per connection) through Routes; beyond
// max_connections a client gets 503 at once. Unreadable requests get 400, bodies over the
// limit 413, oversized headers 431, each as an OpenAI-style error object.
//
// Who calls it: lsp/cli/cmd_serve.cpp, and tests in-process on port 0.
// Threading: run() blocks the calling thread accepting; stop() may be called from any thread
// and makes run() return; the destructor stops, closes open connections (cancelling their
// generations) and waits for every connection thread.
// Errors: bind() returns Errc::invalid_argument (bad or non-loopback address) or Errc::io.
#pragma once

#include <memory>

#include "lsp/features/generator.h"
#include "lsp/serve/serve_options.h"
#include "model/error.h"

namespace coderx::serve {

class HttpServer {
 public:
  static model::Result<std::unique_ptr<HttpServer>> bind(const ServeOptions& options,
                                                        std::shared_ptr<features::TextGenerator> generator);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  unsigned short port() const;
  std::string address() const;  // "127.0.0.1" (the bound address)
  void run();
  void stop();

 private:
  struct Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Splits "HOST:PORT", ":PORT" or "PORT" (HOST defaults to 127.0.0.1; "localhost" is 127.0.0.1;
// [V6]:PORT for IPv6) and checks the loopback rule.
struct ListenAddress {
  std::string host;
  unsigned short port = 0;
};
model::Result<ListenAddress> parse_listen(const std::string& text, bool allow_remote);

}  // namespace coderx::serve
