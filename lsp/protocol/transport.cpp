#include "lsp/protocol/transport.h"

#include <errno.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <charconv>
#include <cstring>

namespace coderx::lsp {

FdTransport::FdTransport(int in_fd, int out_fd, bool owns) : in_(in_fd), out_(out_fd), owns_(owns) {}

FdTransport::~FdTransport() {
  if (!owns_) return;
  ::close(in_);
  if (out_ != in_) ::close(out_);
}

std::ptrdiff_t FdTransport::read_some(char* buffer, std::size_t size) {
  for (;;) {
    ssize_t n = ::read(in_, buffer, size);
    if (n >= 0) return n;
    if (errno == EINTR) continue;
    error_ = std::string("read failed: ") + std::strerror(errno);
    return -1;
  }
}

bool FdTransport::write_all(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(out_, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error_ = std::string("write failed: ") + std::strerror(errno);
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

namespace {

bool split_host_port(const std::string& text, std::string& host, unsigned short& port) {
  std::size_t colon = text.rfind(':');
  host = colon == std::string::npos || colon == 0 ? "127.0.0.1" : text.substr(0, colon);
  std::string digits = colon == std::string::npos ? text : text.substr(colon + 1);
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  return !digits.empty() && ec == std::errc() && ptr == digits.data() + digits.size();
}

}  // namespace

AcceptResult accept_tcp(const std::string& host_port, void (*on_listening)(unsigned short)) {
  namespace asio = boost::asio;
  std::string host;
  unsigned short port = 0;
  if (!split_host_port(host_port, host, port))
    return {nullptr, "--listen: expected HOST:PORT, got '" + host_port + "'"};
  boost::system::error_code ec;
  asio::ip::address address = asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
  if (ec) return {nullptr, "--listen: bad address '" + host + "': " + ec.message()};
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io);
  asio::ip::tcp::endpoint endpoint(address, port);
  if (acceptor.open(endpoint.protocol(), ec) ||
      acceptor.set_option(asio::socket_base::reuse_address(true), ec) ||
      acceptor.bind(endpoint, ec) || acceptor.listen(1, ec))
    return {nullptr, "--listen " + host_port + ": " + ec.message()};
  if (on_listening) on_listening(acceptor.local_endpoint().port());
  asio::ip::tcp::socket socket(io);
  if (acceptor.accept(socket, ec)) return {nullptr, "accept failed: " + ec.message()};
  int fd = socket.release(ec);
  if (ec) return {nullptr, "socket release failed: " + ec.message()};
  return {std::make_unique<FdTransport>(fd, fd, true), ""};
}

}  // namespace coderx::lsp
