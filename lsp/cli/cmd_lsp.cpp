// `coderx lsp`: the language server on stdio, or on a TCP port for debugging.
#include <cstdio>

#include "lsp/cli/args.h"
#include "lsp/cli/commands.h"
#include "lsp/cli/device_option.h"
#include "lsp/server/server.h"

namespace coderx::cli {

int run_lsp(Args args) {
  ArgParser parser("coderx lsp", "Run the language server (JSON-RPC over stdio).");
  server::ServerOptions options;
  bool stdio = false;
  std::int64_t delay = 0;
  parser.flag("--stdio", &stdio, "use stdin/stdout (the default; accepted for editor compatibility)");
  parser.option("--listen", &options.listen, "HOST:PORT", "serve one client over TCP instead (loopback)");
  parser.option("--model", &options.model, "MODEL", "model to load (path, ollama:NAME[:TAG], hf:...)");
  parser.option("--engine", &options.engine, "NAME",
                "'canned' (fixed outputs, no model) or openai://HOST:PORT[/v1] (remote engine)");
  parser.option("--token-delay-ms", &delay, "MS", "canned engine: pause between words (default 0)");
  add_device_option(parser, &options.device);
  if (auto rc = parser.parse(args)) return *rc;
  if (delay < 0 || delay > 10000) {
    std::fprintf(stderr, "coderx lsp: --token-delay-ms must be in [0, 10000]\n");
    return 2;
  }
  options.token_delay_ms = static_cast<int>(delay);
  return server::run(options);
}

}  // namespace coderx::cli
