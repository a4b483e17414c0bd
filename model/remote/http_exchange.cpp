#include "model/remote/http_exchange.h"

#include <atomic>
#include <cctype>
#include <optional>
#include <stdexcept>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace coderx::model::remote {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;
using Kind = HttpFailure::Kind;

void throw_exception_from_error(const HttpFailure& e, const boost::source_location&) {
  throw std::runtime_error(e.message);
}

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

constexpr std::size_t kPiece = 16384;

// The Host header (RFC 9110 §7.2): an IPv6 literal in brackets, and the port unless it is the
// scheme's default.
std::string host_header(const Endpoint& e) {
  std::string host = e.host.find(':') != std::string::npos ? "[" + e.host + "]" : e.host;
  const char* default_port = e.tls ? "443" : "80";
  return e.port.empty() || e.port == default_port ? host : host + ":" + e.port;
}

bool is_ip_literal(const std::string& host) {
  error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

}  // namespace

struct HttpExchange::Impl {
  Endpoint endpoint;
  asio::io_context io;
  asio::ssl::context ssl{asio::ssl::context::tls_client};
  std::optional<beast::tcp_stream> tcp;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
  asio::ip::tcp::resolver resolver{io};
  beast::flat_buffer buffer;
  std::optional<http::response_parser<http::buffer_body>> parser;  // one per response head read
  std::atomic<bool> cancelled{false};
  std::optional<std::stop_callback<std::function<void()>>> on_stop;

  beast::tcp_stream& lowest() { return tls ? tls->next_layer() : *tcp; }

  // Runs one asynchronous step to completion on this thread.
  template <class Start>
  error_code run(Start&& start) {
    error_code result = asio::error::would_block;
    start([&result](error_code ec, auto&&...) { result = ec; });
    io.restart();
    io.run();
    return result;
  }

  void cancel_now() {
    error_code ignored;
    resolver.cancel();
    if (tcp || tls) lowest().socket().close(ignored);
  }

  HttpFailure failure(error_code ec, Kind otherwise, const std::string& step) {
    if (cancelled) return {Kind::cancelled, "cancelled"};
    if (ec == beast::error::timeout || ec == asio::error::timed_out) return {Kind::timeout, "timed out " + step};
    if (otherwise == Kind::connect) return {otherwise, lower(ec.message())};
    return {otherwise, lower(ec.message()) + " " + step};
  }

  HttpResult<void> connect(Clock::time_point deadline);
  HttpResult<void> handshake(Clock::time_point deadline);
  HttpResult<void> send(const HttpRequest& request, Clock::time_point deadline);
};

HttpExchange::HttpExchange(const Endpoint& endpoint, std::stop_token stop) : impl_(std::make_unique<Impl>()) {
  impl_->endpoint = endpoint;
  if (endpoint.tls) {
    boost::system::error_code ignored;  // without a store every handshake fails, with a clear message
    impl_->ssl.set_default_verify_paths(ignored);
    impl_->ssl.set_verify_mode(asio::ssl::verify_peer);
  }
  Impl* impl = impl_.get();
  impl_->on_stop.emplace(stop, std::function<void()>([impl] {
    impl->cancelled = true;
    asio::post(impl->io, [impl] { impl->cancel_now(); });
  }));
}

HttpExchange::~HttpExchange() { impl_->on_stop.reset(); }

HttpResult<void> HttpExchange::Impl::connect(Clock::time_point deadline) {
  asio::ip::tcp::resolver::results_type endpoints;
  asio::steady_timer timer(io);
  timer.expires_at(deadline);
  timer.async_wait([this](error_code ec) {
    if (!ec) resolver.cancel();
  });
  error_code ec = run([&](auto handler) {
    resolver.async_resolve(endpoint.host, endpoint.port,
                           [&, handler](error_code e, asio::ip::tcp::resolver::results_type r) mutable {
                             endpoints = std::move(r);
                             timer.cancel();
                             handler(e);
                           });
  });
  if (cancelled) return HttpFailure{Kind::cancelled, "cancelled"};
  if (ec == asio::error::operation_aborted) return HttpFailure{Kind::timeout, "timed out resolving the host"};
  if (ec) return failure(ec, Kind::connect, "while resolving the host");
  tcp.emplace(io);
  if (endpoint.tls) {
    tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(std::move(*tcp), ssl);
    tcp.reset();
  }
  lowest().expires_at(deadline);
  ec = run([&](auto handler) { lowest().async_connect(endpoints, handler); });
  if (ec) return failure(ec, Kind::connect, "while connecting");
  return {};
}

HttpResult<void> HttpExchange::Impl::handshake(Clock::time_point deadline) {
  if (!tls) return {};
  // SNI carries host names only (RFC 6066 §3); an IP literal is checked against the certificate.
  if (!is_ip_literal(endpoint.host) && !SSL_set_tlsext_host_name(tls->native_handle(), endpoint.host.c_str()))
    return HttpFailure{Kind::connect, "TLS: cannot set the server name"};
  tls->set_verify_mode(asio::ssl::verify_peer);
  tls->set_verify_callback(asio::ssl::host_name_verification(endpoint.host));
  lowest().expires_at(deadline);
  error_code ec = run([&](auto handler) { tls->async_handshake(asio::ssl::stream_base::client, handler); });
  if (ec) return failure(ec, Kind::protocol, "during the TLS handshake");
  return {};
}

HttpResult<void> HttpExchange::Impl::send(const HttpRequest& request, Clock::time_point deadline) {
  http::request<http::string_body> req{request.method == "GET" ? http::verb::get : http::verb::post,
                                       request.path, 11};
  req.set(http::field::host, host_header(endpoint));
  req.set(http::field::user_agent, "coderx");
  req.set(http::field::connection, "close");
  req.set(http::field::accept, "text/event-stream, application/json");
  if (!request.bearer.empty()) req.set(http::field::authorization, "Bearer " + request.bearer);
  if (request.method != "GET") {
    req.set(http::field::content_type, "application/json");
    req.body() = request.body;
  }
  req.prepare_payload();
  lowest().expires_at(deadline);
  error_code ec = run([&](auto handler) {
    if (tls) http::async_write(*tls, req, handler);
    else http::async_write(*tcp, req, handler);
  });
  if (ec) return failure(ec, Kind::io, "while sending the request");
  return {};
}

HttpResult<ResponseHead> HttpExchange::begin(const HttpRequest& request, Clock::time_point connect_deadline,
                                             Clock::time_point deadline) {
  Impl& m = *impl_;
  if (m.cancelled) return HttpFailure{Kind::cancelled, "cancelled"};
  const HttpFailure cancelled{Kind::cancelled, "cancelled"};
  if (auto r = m.connect(std::min(connect_deadline, deadline)); !r) return r.error();
  if (m.cancelled) return cancelled;
  if (auto r = m.handshake(std::min(connect_deadline, deadline)); !r) return r.error();
  if (m.cancelled) return cancelled;
  if (auto r = m.send(request, deadline); !r) return r.error();
  for (int interim = 0;; ++interim) {  // 1xx answers are interim (RFC 9110 §15.2): read past them
    m.parser.emplace();
    m.parser->body_limit(boost::none);  // streamed piece by piece; the caller bounds what it keeps
    m.lowest().expires_at(deadline);
    error_code ec = m.run([&](auto handler) {
      if (m.tls) http::async_read_header(*m.tls, m.buffer, *m.parser, handler);
      else http::async_read_header(*m.tcp, m.buffer, *m.parser, handler);
    });
    if (ec) return m.failure(ec, Kind::io, "while waiting for the response");
    const unsigned status = m.parser->get().result_int();
    if (status < 100 || status >= 200 || status == 101 || interim == 8) break;
  }
  ResponseHead head;
  const auto& res = m.parser->get();
  head.status = static_cast<int>(res.result_int());
  head.content_type = std::string(res[http::field::content_type]);
  head.retry_after = std::string(res[http::field::retry_after]);
  head.location = std::string(res[http::field::location]);
  return head;
}

HttpResult<std::string> HttpExchange::read_some(Clock::time_point deadline, bool& done) {
  Impl& m = *impl_;
  done = m.parser->is_done();
  if (done) return std::string();
  char piece[kPiece];
  m.parser->get().body().data = piece;
  m.parser->get().body().size = sizeof piece;
  m.lowest().expires_at(deadline);
  error_code ec = m.run([&](auto handler) {
    if (m.tls) http::async_read_some(*m.tls, m.buffer, *m.parser, handler);
    else http::async_read_some(*m.tcp, m.buffer, *m.parser, handler);
  });
  if (ec == http::error::need_buffer) ec = {};
  if (ec == asio::ssl::error::stream_truncated && m.parser->need_eof()) {
    ec = {};  // a body that ends at EOF, closed without TLS close_notify: the end, as browsers take it
    m.parser->put_eof(ec);
  }
  if (m.cancelled) return HttpFailure{Kind::cancelled, "cancelled"};
  if (ec) return m.failure(ec, Kind::io, "while reading the response");
  done = m.parser->is_done();
  return std::string(piece, sizeof piece - m.parser->get().body().size);
}

HttpResult<std::string> HttpExchange::read_all(Clock::time_point deadline, std::size_t limit) {
  std::string body;
  for (bool done = false; !done && body.size() < limit;) {
    auto piece = read_some(deadline, done);
    if (!piece) return piece.error();
    body += *piece;
  }
  if (body.size() > limit) body.resize(limit);
  return body;
}

}  // namespace coderx::model::remote
