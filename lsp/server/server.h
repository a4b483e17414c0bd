// `coderx lsp` entry point: builds the transport (stdio, or one TCP client with --listen), the
// connection, the dispatcher and the LspServer, serves until `exit` or end of input, and
// returns the process exit code (0 after shutdown + exit, else 1; 2 for a bad --listen/engine).
// stdout carries JSON-RPC only; logs go to stderr.
#pragma once

#include <optional>
#include <string>

#include "model/device_select.h"

namespace coderx::server {

struct ServerOptions {
  std::string listen;        // "" = stdio, else HOST:PORT (loopback by default)
  std::string engine;        // "" = the model named by `model` (none yet: no model), "canned",
                             // or a remote engine URL (openai://HOST:PORT[/v1], https://...)
  std::string model;         // model reference for the embedded engine
  int token_delay_ms = 0;    // canned engine: pause between words (tests of cancellation)
  std::optional<model::DeviceKind> device;  // --device; else the "device" setting; else auto
};

// Serves until `exit` or end of input; returns the process exit code.
int run(const ServerOptions& options);

}  // namespace coderx::server
