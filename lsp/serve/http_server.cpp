#include "lsp/serve/http_server.h"

#include <poll.h>
#include <sys/socket.h>

#include <spdlog/spdlog.h>

#include <atomic>
#include <charconv>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include <boost/asio/ip/tcp.hpp>

#include "lsp/serve/routes.h"

namespace coderx::serve {

namespace asio = boost::asio;
using model::Errc;

model::Result<ListenAddress> parse_listen(const std::string& text, bool allow_remote) {
  std::string host = "127.0.0.1", port = text;
  if (text.starts_with("[")) {
    std::size_t close = text.find("]:");
    if (close == std::string::npos) return model::make_error(Errc::invalid_argument, "--listen: expected [V6]:PORT");
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else if (std::size_t colon = text.rfind(':'); colon != std::string::npos) {
    if (colon > 0) host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (host == "localhost") host = "127.0.0.1";
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value > 65535)
    return model::make_error(Errc::invalid_argument, "--listen '" + text + "': expected HOST:PORT");
  boost::system::error_code bad;
  auto address = asio::ip::make_address(host, bad);
  if (bad) return model::make_error(Errc::invalid_argument, "--listen '" + text + "': HOST must be an IP address or localhost");
  if (!address.is_loopback() && !allow_remote)
    return model::make_error(Errc::invalid_argument, "--listen " + host +
                             ": not a loopback address; pass --allow-remote (and set an API key) to serve other machines");
  return ListenAddress{host, static_cast<unsigned short>(value)};
}

struct HttpServer::Impl {
  ServeOptions options;
  Routes routes;
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor{io};
  std::atomic<bool> stopping{false};
  std::mutex mu;
  std::condition_variable idle;
  std::set<int> open;  // descriptors of live connections

  Impl(const ServeOptions& o, std::shared_ptr<features::TextGenerator> g) : options(o), routes(std::move(g), o) {}

  void serve_connection(int fd);
  void refuse(int fd);
  bool admit(int fd) {
    std::lock_guard lock(mu);
    if (static_cast<int>(open.size()) >= options.max_connections) return false;
    open.insert(fd);
    return true;
  }
  void release(int fd) {
    std::lock_guard lock(mu);
    open.erase(fd);
    idle.notify_all();
  }
};

void HttpServer::Impl::serve_connection(int fd) {
  {
    ClientStream client(fd, options.max_request_bytes, options.idle_timeout);
    for (bool keep = true; keep && !stopping;) {
      IncomingRequest request;
      switch (client.read_request(request)) {
        case ReadStatus::ok: break;
        case ReadStatus::too_large:
          Routes::send_error(client, 413, "request body over " + std::to_string(options.max_request_bytes) + " bytes", false);
          client.linger_after_error(std::chrono::seconds(2), 64 << 20);
          keep = false;
          continue;
        case ReadStatus::header_too_large:
          Routes::send_error(client, 431, "request header too large", false);
          keep = false;
          continue;
        case ReadStatus::bad_request:
          Routes::send_error(client, 400, "malformed HTTP request", false);
          keep = false;
          continue;
        case ReadStatus::no_host:
          Routes::send_error(client, 400, "an HTTP/1.1 request needs a Host header", false);
          keep = false;
          continue;
        case ReadStatus::closed:
        case ReadStatus::timeout: keep = false; continue;
      }
      try {
        keep = routes.handle(request, client);
      } catch (const std::exception& e) {
        spdlog::error("serve: {} {}: {}", request.method, request.target, e.what());
        keep = Routes::send_error(client, 500, "internal error", false);
      }
    }
  }
  release(fd);
}

void HttpServer::Impl::refuse(int fd) {
  ClientStream client(fd, 0, std::chrono::milliseconds(1000));
  Routes::send_error(client, 503, "too many open connections; try again", false);
}

model::Result<std::unique_ptr<HttpServer>> HttpServer::bind(const ServeOptions& options,
                                                             std::shared_ptr<features::TextGenerator> generator) {
  auto where = parse_listen(options.listen, options.allow_remote);
  if (!where) return where.error();
  auto impl = std::make_unique<Impl>(options, std::move(generator));
  boost::system::error_code ec;
  asio::ip::tcp::endpoint endpoint(asio::ip::make_address(where->host), where->port);
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return model::make_error(Errc::io, "cannot listen on " + options.listen + ": " + ec.message());
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() {
  stop();
  std::unique_lock lock(impl_->mu);
  for (int fd : impl_->open) ::shutdown(fd, SHUT_RDWR);  // ends reads and writes; generations cancel
  impl_->idle.wait(lock, [this] { return impl_->open.empty(); });
}

unsigned short HttpServer::port() const { return impl_->acceptor.local_endpoint().port(); }
std::string HttpServer::address() const { return impl_->acceptor.local_endpoint().address().to_string(); }

void HttpServer::stop() { impl_->stopping = true; }

void HttpServer::run() {
  Impl& m = *impl_;
  while (!m.stopping) {
    pollfd p{m.acceptor.native_handle(), POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    boost::system::error_code ec;
    asio::ip::tcp::socket socket(m.io);
    m.acceptor.accept(socket, ec);
    if (ec) continue;
    int fd = socket.release(ec);
    if (ec) continue;
    if (!m.admit(fd)) {
      m.refuse(fd);
      continue;
    }
    std::thread([&m, fd] { m.serve_connection(fd); }).detach();
  }
}

}  // namespace coderx::serve
