#include "lsp/protocol/connection.h"

#include <spdlog/spdlog.h>

#include <vector>

namespace coderx::lsp {

Connection::Connection(Transport& transport, FramingLimits limits)
    : transport_(transport), reader_(limits) {}

bool Connection::send(const std::string& body) {
  std::string framed = frame(body);
  std::lock_guard lock(write_mu_);
  if (write_failed_) return false;
  if (!transport_.write_all(framed)) {
    write_failed_ = true;
    spdlog::error("client connection lost: {}", transport_.last_error());
    return false;
  }
  return true;
}

Dispatcher::Sink Connection::sink() {
  return [this](std::string body) { send(body); };
}

int Connection::serve(Dispatcher& dispatcher) {
  std::vector<char> buffer(64 * 1024);
  for (;;) {
    while (std::optional<Frame> f = reader_.next()) {
      if (!f->dropped.empty())
        dispatcher.dispatch_dropped(f->dropped);
      else
        dispatcher.dispatch(f->body);
      if (dispatcher.exited()) return dispatcher.exit_code();
    }
    if (reader_.broken()) {
      spdlog::error("ending the session: broken input stream: {}", reader_.error());
      return 1;
    }
    std::ptrdiff_t n = transport_.read_some(buffer.data(), buffer.size());
    if (n == 0) {
      spdlog::info("ending the session: the client closed the input stream without 'exit'");
      return 1;
    }
    if (n < 0) {
      spdlog::error("ending the session: {}", transport_.last_error());
      return 1;
    }
    reader_.feed(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
  }
}

}  // namespace coderx::lsp
