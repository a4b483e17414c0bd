// `coderx lsp`: the language server on stdio, or on a TCP port for debugging.
#include "lsp/cli/args.h"
#include "lsp/cli/commands.h"
#include "lsp/server/server.h"

namespace coderx::cli {

int run_lsp(Args args) {
  ArgParser parser("coderx lsp", "Run the language server (JSON-RPC over stdio).");
  server::ServerOptions options;
  bool stdio = false;
  parser.flag("--stdio", &stdio, "use stdin/stdout (the default; accepted for editor compatibility)");
  parser.option("--listen", &options.listen, "HOST:PORT", "serve one client over TCP instead (loopback)");
  if (auto rc = parser.parse(args)) return *rc;
  return server::run(options);
}

}  // namespace coderx::cli
