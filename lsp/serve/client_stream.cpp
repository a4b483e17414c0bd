#include "lsp/serve/client_stream.h"

#include <poll.h>
#include <sys/socket.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace coderx::serve {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;

struct ClientStream::Impl {
  asio::io_context io;
  beast::tcp_stream stream{io};
  beast::flat_buffer buffer;
  std::size_t max_body = 0;
  std::chrono::milliseconds timeout{0};
  bool broken = false;

  template <class Start>
  error_code run(Start&& start) {
    error_code result = asio::error::would_block;
    start([&result](error_code ec, std::size_t) { result = ec; });
    io.restart();
    io.run();
    return result;
  }
};

ClientStream::ClientStream(int fd, std::size_t max_body_bytes, std::chrono::milliseconds io_timeout)
    : impl_(std::make_unique<Impl>()) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  bool v6 = ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0 && address.ss_family == AF_INET6;
  impl_->stream.socket().assign(v6 ? asio::ip::tcp::v6() : asio::ip::tcp::v4(), fd);
  impl_->max_body = max_body_bytes;
  impl_->timeout = io_timeout;
}

ClientStream::~ClientStream() {
  error_code ignored;
  impl_->stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  impl_->stream.socket().close(ignored);
}

int ClientStream::fd() const { return impl_->stream.socket().native_handle(); }

void ClientStream::linger_after_error(std::chrono::milliseconds linger, std::size_t max_bytes) {
  Impl& m = *impl_;
  error_code ec;
  m.stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
  if (ec) return;
  m.stream.expires_after(linger);  // one deadline for the whole drain
  char sink[16384];
  for (std::size_t dropped = 0; dropped < max_bytes;) {
    std::size_t n = 0;
    ec = m.run([&](auto handler) {
      m.stream.async_read_some(asio::buffer(sink), [&n, handler](error_code e, std::size_t got) mutable {
        n = got;
        handler(e, got);
      });
    });
    if (ec) return;  // end of stream, the deadline, or a reset
    dropped += n;
  }
}

std::string request_path(std::string_view target) {
  target = target.substr(0, target.find('?'));
  for (std::string_view scheme : {"http://", "https://"})
    if (target.size() >= scheme.size() && beast::iequals(target.substr(0, scheme.size()), scheme)) {
      std::size_t path = target.find('/', scheme.size());
      return path == std::string_view::npos ? "/" : std::string(target.substr(path));
    }
  return std::string(target);
}

ReadStatus ClientStream::read_request(IncomingRequest& out) {
  Impl& m = *impl_;
  if (m.broken) return ReadStatus::closed;
  http::request_parser<http::string_body> parser;
  parser.header_limit(16 << 10);
  parser.body_limit(m.max_body);
  m.stream.expires_after(m.timeout);
  error_code ec = m.run([&](auto handler) { http::async_read_header(m.stream, m.buffer, parser, handler); });
  if (!ec && beast::iequals(parser.get()[http::field::expect], "100-continue")) {
    // curl sends bodies over 1 KiB only after this (or after waiting a second for it).
    if (!write("HTTP/1.1 100 Continue\r\n\r\n")) return ReadStatus::closed;
  }
  if (!ec && !parser.is_done()) {
    m.stream.expires_after(m.timeout);
    ec = m.run([&](auto handler) { http::async_read(m.stream, m.buffer, parser, handler); });
  }
  if (ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset)
    return ReadStatus::closed;
  if (ec == beast::error::timeout) return ReadStatus::timeout;
  if (ec == http::error::body_limit) return ReadStatus::too_large;
  if (ec == http::error::header_limit) return ReadStatus::header_too_large;
  if (ec) return ReadStatus::bad_request;
  auto& req = parser.get();
  if (req.version() >= 11 && req.find(http::field::host) == req.end()) return ReadStatus::no_host;
  out.method = std::string(req.method_string());
  out.target = request_path(req.target());
  out.authorization = std::string(req[http::field::authorization]);
  out.keep_alive = req.keep_alive();
  out.http10 = req.version() == 10;
  out.body = std::move(req.body());
  return ReadStatus::ok;
}

bool ClientStream::write(std::string_view bytes) {
  Impl& m = *impl_;
  if (m.broken) return false;
  m.stream.expires_after(m.timeout);
  error_code ec = m.run([&](auto handler) { asio::async_write(m.stream, asio::buffer(bytes), handler); });
  if (ec) m.broken = true;
  return !ec;
}

bool ClientStream::hung_up() const {
  if (impl_->broken) return true;
  pollfd p{fd(), POLLRDHUP, 0};
  return ::poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL));
}

namespace {

const char* reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Payload Too Large";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Status";
  }
}

}  // namespace

std::string http_response(int status, std::string_view content_type, std::string_view body, bool keep_alive,
                          std::string_view extra_headers) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + reason_phrase(status) + "\r\n";
  out += "Content-Type: " + std::string(content_type) + "\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  if (status == 401) out += "WWW-Authenticate: Bearer\r\n";
  if (status == 503) out += "Retry-After: 1\r\n";  // busy, not broken: clients wait and try again
  out += extra_headers;
  out += keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
  out += body;
  return out;
}

}  // namespace coderx::serve
