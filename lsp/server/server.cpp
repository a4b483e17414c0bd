#include "lsp/server/server.h"

#include <signal.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>

#include "lsp/features/canned_generator.h"
#include "lsp/features/engine_generator.h"
#include "lsp/features/remote_generator.h"
#include "lsp/protocol/connection.h"
#include "lsp/server/lsp_server.h"
#include "lsp/server/model_ref.h"
#include "model/build_info.h"

namespace coderx::server {

namespace {

// The engine seam: `canned` for plumbing, else the embedded engine on the named model (loaded
// lazily by the server, which reports progress and status while it loads).
GeneratorLoader make_loader(const ServerOptions& o) {
  if (o.engine == "canned") {
    auto delay = std::chrono::milliseconds(o.token_delay_ms);
    return [delay](const ServerSettings&) -> model::Result<std::shared_ptr<features::TextGenerator>> {
      return std::shared_ptr<features::TextGenerator>(std::make_shared<features::CannedGenerator>(delay));
    };
  }
  if (model::remote::is_remote_engine(o.engine)) {
    std::string url = o.engine, model = o.model;
    return [url, model](const ServerSettings&) -> model::Result<std::shared_ptr<features::TextGenerator>> {
      auto remote = features::RemoteGenerator::create(url, model);
      if (!remote) return remote.error();
      return std::shared_ptr<features::TextGenerator>(std::move(*remote));
    };
  }
  if (o.model.empty()) return {};
  std::string model = o.model;
  const std::optional<model::DeviceKind> device = o.device;
  return [model, device](const ServerSettings& settings) -> model::Result<std::shared_ptr<features::TextGenerator>> {
    auto path = resolve_model_ref(model);
    if (!path) return path.error();
    model::EngineOptions engine_options;
    engine_options.device = device.value_or(settings.device.value_or(model::DeviceKind::auto_select));
    auto generator = features::EngineGenerator::load(*path, engine_options);
    if (!generator) return generator.error();
    return std::shared_ptr<features::TextGenerator>(std::move(*generator));
  };
}

void print_listening(unsigned short port) {
  std::fprintf(stderr, "coderx lsp: listening on port %u\n", static_cast<unsigned>(port));
  std::fflush(stderr);
}

}  // namespace

int run(const ServerOptions& options) {
  if (!options.engine.empty() && options.engine != "canned") {
    if (!model::remote::is_remote_engine(options.engine)) {
      std::fprintf(stderr, "coderx lsp: unknown engine '%s' (known: canned, openai://HOST:PORT)\n",
                   options.engine.c_str());
      return 2;
    }
    if (auto endpoint = model::remote::parse_endpoint(options.engine); !endpoint) {
      std::fprintf(stderr, "coderx lsp: %s\n", endpoint.error().message.c_str());
      return 2;
    }
  }
  ::signal(SIGPIPE, SIG_IGN);  // a closed client shows up as a write error, not a signal
  std::unique_ptr<lsp::Transport> transport;
  if (options.listen.empty()) {
    transport = std::make_unique<lsp::FdTransport>(STDIN_FILENO, STDOUT_FILENO);
  } else {
    lsp::AcceptResult accepted = lsp::accept_tcp(options.listen, print_listening);
    if (!accepted.transport) {
      std::fprintf(stderr, "coderx lsp: %s\n", accepted.error.c_str());
      return 2;
    }
    transport = std::move(accepted.transport);
  }
  lsp::Connection connection(*transport);
  lsp::Dispatcher dispatcher(connection.sink());
  LspServerOptions server_options;
  server_options.load_generator = make_loader(options);
  server_options.assistant.model = options.model;
  server_options.version = model::version();
  int code;
  {
    LspServer server(dispatcher, std::move(server_options));
    code = connection.serve(dispatcher);
    if (server.model_loading()) {
      // A model load cannot be interrupted (a large file's read, a GPU upload). The session is
      // over and loading leaves nothing to save, so the process ends now instead of after it.
      spdlog::info("coderx lsp: session ended while the model was loading (exit code {})", code);
      spdlog::default_logger()->flush();
      std::_Exit(code);
    }
  }
  spdlog::info("coderx lsp: session ended (exit code {})", code);
  return code;
}

}  // namespace coderx::server
