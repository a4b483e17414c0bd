#include "lsp/server/server.h"

#include <cstdio>

namespace coderx::server {

int run(const ServerOptions&) {
  std::fprintf(stderr, "coderx lsp: not implemented yet\n");
  return 1;
}

}  // namespace coderx::server
