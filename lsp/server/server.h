// The LSP adapter: lifecycle, documents, request table, cancellation. Composition root: may use
// every public header. (Filled in by the language-server issue.)
#pragma once

#include <string>

namespace coderx::server {

struct ServerOptions {
  std::string listen;  // "" = stdio, else HOST:PORT (loopback by default)
};

// Serves until `exit` or end of input; returns the process exit code.
int run(const ServerOptions& options);

}  // namespace coderx::server
