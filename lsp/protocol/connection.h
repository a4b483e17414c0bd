// Connection: runs one JSON-RPC session over a Transport — reads framed messages and feeds them
// to a Dispatcher until `exit`, end of stream or a broken stream; writes framed messages from
// any thread (one mutex around the transport's writes).
// A broken stream (read error, malformed header) ends the session with one log line; the caller
// decides the process exit code from serve()'s result.
#pragma once

#include <mutex>
#include <string>

#include "lsp/protocol/dispatcher.h"
#include "lsp/protocol/framing.h"
#include "lsp/protocol/transport.h"

namespace coderx::lsp {

class Connection {
 public:
  Connection(Transport& transport, FramingLimits limits = {});

  // Thread-safe. Returns false once the transport failed (later sends are dropped).
  bool send(const std::string& body);
  // Dispatcher::Sink that sends through this connection.
  Dispatcher::Sink sink();

  // Reads and dispatches until exit (returns dispatcher.exit_code()), end of stream or a broken
  // stream (returns 1, after a log line).
  int serve(Dispatcher& dispatcher);

 private:
  Transport& transport_;
  FrameReader reader_;
  std::mutex write_mu_;
  bool write_failed_ = false;
};

}  // namespace coderx::lsp
