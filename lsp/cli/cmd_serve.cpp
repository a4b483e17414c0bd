// `coderx serve`: the engine behind an OpenAI-compatible HTTP API (lsp/serve), so one GPU
// machine can serve a team's editors (`--engine openai://HOST:PORT` on their side).
// Prints "coderx serve: listening on http://HOST:PORT" on stderr once ready (port 0 = any).
// Exit codes: 2 usage, bad address or engine error; otherwise runs until killed.
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "lsp/cli/args.h"
#include "lsp/cli/commands.h"
#include "lsp/cli/generator_from_options.h"
#include "lsp/serve/http_server.h"

namespace coderx::cli {

namespace {

int fail(const std::string& message) {
  std::fprintf(stderr, "coderx serve: %s\n", message.c_str());
  return 2;
}

std::string model_id_of(const GeneratorOptions& gen) {
  if (!gen.engine.empty() && gen.model.empty()) return gen.engine == "canned" ? "canned" : "remote";
  std::string stem = std::filesystem::path(gen.model).stem().string();
  return stem.empty() ? gen.model : stem;
}

}  // namespace

int run_serve(Args args) {
  ArgParser parser("coderx serve", "Serve the engine over an OpenAI-compatible HTTP API.");
  serve::ServeOptions options;
  GeneratorOptions gen;
  std::string key_env;
  std::int64_t max_request = static_cast<std::int64_t>(options.max_request_bytes), max_connections = 64;
  parser.option("--listen", &options.listen, "HOST:PORT", "address to serve on (default 127.0.0.1:8080)");
  parser.flag("--allow-remote", &options.allow_remote, "allow a non-loopback --listen address");
  parser.option("--api-key-env", &key_env, "NAME", "require 'Authorization: Bearer $NAME' on /v1/*");
  parser.option("--max-request-bytes", &max_request, "N", "request body limit (default 1 MiB)");
  parser.option("--max-connections", &max_connections, "N", "open connections (default 64)");
  add_generator_options(parser, gen);
  if (auto rc = parser.parse(args)) return *rc;
  if (max_request < 1024 || max_request > (64 << 20)) return fail("--max-request-bytes must be in [1024, 64 MiB]");
  if (max_connections < 1 || max_connections > 4096) return fail("--max-connections must be in [1, 4096]");
  options.max_request_bytes = static_cast<std::size_t>(max_request);
  options.max_connections = static_cast<int>(max_connections);
  if (!key_env.empty()) {
    const char* key = std::getenv(key_env.c_str());
    if (!key || !*key) return fail("--api-key-env " + key_env + ": the variable is unset or empty");
    options.api_key = key;
  }
  auto where = serve::parse_listen(options.listen, options.allow_remote);
  if (!where) return fail(where.error().message);
  if (options.allow_remote && options.api_key.empty())
    std::fprintf(stderr, "coderx serve: warning: --allow-remote without --api-key-env: anyone who can reach the port can use it\n");
  auto generator = make_generator(gen);
  if (!generator) return fail(generator.error().message);
  options.model_id = model_id_of(gen);
  auto server = serve::HttpServer::bind(options, *generator);
  if (!server) return fail(server.error().message);
  ::signal(SIGPIPE, SIG_IGN);  // a vanished client is a write error, not a signal
  std::fprintf(stderr, "coderx serve: listening on http://%s:%u (%s)\n", (*server)->address().c_str(),
               static_cast<unsigned>((*server)->port()), (*generator)->describe().c_str());
  std::fflush(stderr);
  (*server)->run();
  return 0;
}

}  // namespace coderx::cli
