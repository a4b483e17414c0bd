// Byte transports for the language server: a pair of file descriptors (stdin/stdout, pipes in
// tests, or an accepted TCP socket), and accepting one TCP client on HOST:PORT (Boost.Asio) for
// debugging with `coderx lsp --listen`. Blocking I/O: the server reads on one thread and writes
// from any thread (write_all is serialised by the caller's Connection).
// Errors: accept_tcp returns a message instead of a transport; read_some/write_all report
// failures by return value and last_error().
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace coderx::lsp {

class Transport {
 public:
  virtual ~Transport() = default;
  // > 0: bytes read; 0: end of stream; < 0: error (last_error() says which).
  virtual std::ptrdiff_t read_some(char* buffer, std::size_t size) = 0;
  virtual bool write_all(std::string_view bytes) = 0;
  virtual std::string last_error() const = 0;
};

class FdTransport : public Transport {
 public:
  // Does not own the descriptors unless `owns` is set (then both are closed on destruction).
  FdTransport(int in_fd, int out_fd, bool owns = false);
  ~FdTransport() override;
  std::ptrdiff_t read_some(char* buffer, std::size_t size) override;
  bool write_all(std::string_view bytes) override;
  std::string last_error() const override { return error_; }

 private:
  int in_, out_;
  bool owns_;
  std::string error_;
};

struct AcceptResult {
  std::unique_ptr<Transport> transport;  // null on failure
  std::string error;
};

// Listens on `host_port` ("PORT", ":PORT" or "HOST:PORT"; HOST defaults to 127.0.0.1), calls
// `on_listening(port)` once bound (port 0 picks a free one), and accepts a single client.
AcceptResult accept_tcp(const std::string& host_port, void (*on_listening)(unsigned short port));

}  // namespace coderx::lsp
