// Options of `coderx serve` (lsp/cli/cmd_serve.cpp fills them from flags): where to listen, who
// may call, and the limits that keep one bad client from hurting the others.
// Plain values; copied into the server at start.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace coderx::serve {

struct ServeOptions {
  std::string listen = "127.0.0.1:8080";  // HOST:PORT (IP literal or localhost); port 0 = any free
  bool allow_remote = false;              // listening on a non-loopback address needs this
  std::string api_key;                    // "" = no check; else `Authorization: Bearer KEY` required
  std::string model_id = "coderx";        // the one id listed by /v1/models and echoed back
  std::size_t max_request_bytes = 1 << 20;  // request body limit (413 beyond)
  int max_connections = 64;                 // open connections (503 beyond)
  std::int64_t default_max_tokens = 1024;   // answer budget when a request names none
  std::int64_t max_tokens_limit = 32768;    // larger max_tokens → 400
  std::int64_t default_thinking_tokens = 1024;  // enable_thinking without a budget
  std::chrono::milliseconds request_timeout{600000};  // generation deadline per request
  std::chrono::milliseconds idle_timeout{30000};      // reading a request, or a stalled write
};

}  // namespace coderx::serve
