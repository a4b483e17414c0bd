// HTTP details of `coderx serve` that plain clients and proxies rely on, over raw sockets: HEAD
// gets the head alone (so a kept-alive connection stays in step), 405 names the allowed methods,
// the "Bearer" scheme is case-insensitive, and an HTTP/1.0 client gets an unchunked event stream
// that ends when the connection closes.
#include <boost/json.hpp>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lsp/serve/client_stream.h"
#include "lsp/serve/serve_options.h"
#include "serve_test_support.h"
#include "tests/support/http_client.h"

namespace coderx::serve {
namespace {

std::size_t count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
  return n;
}

TEST(ServeHttp, HeadGetsTheHeadAloneAndTheConnectionStaysInStep) {
  testing::LocalServe serve(std::make_shared<testing::StreamScript>());
  std::string raw = testing::http_raw(serve.port(),
                                      "HEAD /health HTTP/1.1\r\nHost: h\r\n\r\n"
                                      "GET /health HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
  ASSERT_EQ(count(raw, "HTTP/1.1 200 OK\r\n"), 2u) << raw;
  std::size_t second = raw.find("HTTP/1.1", 1);
  std::string head = raw.substr(0, second);
  EXPECT_NE(head.find("Content-Length: "), std::string::npos);
  EXPECT_TRUE(head.ends_with("\r\n\r\n")) << "HEAD answered with a body: " << head;
  EXPECT_NE(raw.substr(second).find("\"status\":\"ok\""), std::string::npos) << raw;
}

TEST(ServeHttp, MethodNotAllowedNamesTheAllowedMethods) {
  testing::LocalServe serve(std::make_shared<testing::StreamScript>());
  testing::HttpReply post = testing::http_request(serve.port(), "POST", "/health", "{}");
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(post.headers["allow"], "GET, HEAD");
  testing::HttpReply get = testing::http_request(serve.port(), "GET", "/v1/chat/completions");
  EXPECT_EQ(get.status, 405);
  EXPECT_EQ(get.headers["allow"], "POST");
  std::string head = testing::http_raw(serve.port(), "HEAD /v1/completions HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(head.rfind("HTTP/1.1 405", 0), 0u) << head;
  EXPECT_TRUE(head.ends_with("\r\n\r\n")) << head;
}

// A proxy sends the absolute form (RFC 9112 §3.2.2: servers must accept it).
TEST(ServeHttp, AbsoluteFormTargetsAreServed) {
  EXPECT_EQ(request_path("http://127.0.0.1:8080/v1/models?x=1"), "/v1/models");
  EXPECT_EQ(request_path("HTTPS://[::1]:8080/health"), "/health");
  EXPECT_EQ(request_path("http://h"), "/");
  EXPECT_EQ(request_path("/v1/models?x=http://h/y"), "/v1/models");
  testing::LocalServe serve(std::make_shared<testing::StreamScript>());
  std::string raw = testing::http_raw(serve.port(), "GET http://127.0.0.1:" + std::to_string(serve.port()) +
                                                        "/health HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(raw.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << raw;
  EXPECT_NE(raw.find("\"status\":\"ok\""), std::string::npos) << raw;
}

// RFC 9112 §3.2: an HTTP/1.1 request without Host is answered 400; HTTP/1.0 needs none.
TEST(ServeHttp, AnHttp11RequestWithoutHostIsABadRequest) {
  testing::LocalServe serve(std::make_shared<testing::StreamScript>());
  std::string raw = testing::http_raw(serve.port(), "GET /health HTTP/1.1\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(raw.rfind("HTTP/1.1 400", 0), 0u) << raw;
  EXPECT_NE(raw.find("needs a Host header"), std::string::npos) << raw;
  std::string old = testing::http_raw(serve.port(), "GET /health HTTP/1.0\r\n\r\n");
  EXPECT_NE(old.find(" 200 OK\r\n"), std::string::npos) << old;
}

// client.models.retrieve(id) of the OpenAI SDKs.
TEST(ServeHttp, OneModelByItsId) {
  ServeOptions options;
  options.model_id = "gemma4-coder";
  testing::LocalServe serve(std::make_shared<testing::StreamScript>(), options);
  testing::HttpReply one = testing::http_request(serve.port(), "GET", "/v1/models/gemma4-coder");
  ASSERT_EQ(one.status, 200) << one.raw;
  EXPECT_NE(one.body.find(R"("id":"gemma4-coder","object":"model")"), std::string::npos) << one.body;
  testing::HttpReply other = testing::http_request(serve.port(), "GET", "/v1/models/gpt-4o");
  EXPECT_EQ(other.status, 404);
  EXPECT_NE(other.body.find("model 'gpt-4o' not found"), std::string::npos) << other.body;
}

// A client that sends a whole body over the limit (as Python's http clients do, before reading)
// gets to finish sending and then reads the 413, instead of a broken pipe.
TEST(ServeHttp, ABodyOverTheLimitIsDrainedSoTheClientReadsThe413) {
  ServeOptions options;
  options.max_request_bytes = 1024;
  testing::LocalServe serve(std::make_shared<testing::StreamScript>(), options);
  const std::string body(4u << 20, 'x');
  int fd = testing::connect_loopback(serve.port());
  ASSERT_GE(fd, 0);
  std::string request = "POST /v1/chat/completions HTTP/1.1\r\nHost: h\r\nContent-Length: " +
                        std::to_string(body.size()) + "\r\n\r\n" + body;
  std::size_t sent = 0;
  while (sent < request.size()) {
    ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<std::size_t>(n);
  }
  EXPECT_EQ(sent, request.size()) << "the send broke off";
  std::string reply;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) reply.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  EXPECT_EQ(reply.rfind("HTTP/1.1 413", 0), 0u) << reply.substr(0, 200);
}

TEST(ServeHttp, TheBearerSchemeIsCaseInsensitive) {
  ServeOptions options;
  options.api_key = "k3y";
  testing::LocalServe serve(std::make_shared<testing::StreamScript>(), options);
  for (const char* scheme : {"Bearer", "bearer", "BEARER"}) {
    testing::HttpReply r = testing::http_request(serve.port(), "GET", "/v1/models", "",
                                                 {std::string("Authorization: ") + scheme + " k3y"});
    EXPECT_EQ(r.status, 200) << scheme;
  }
  EXPECT_EQ(testing::http_request(serve.port(), "GET", "/v1/models", "", {"Authorization: Bearer nope"}).status, 401);
  EXPECT_EQ(testing::http_request(serve.port(), "GET", "/v1/models", "", {"Authorization: Basic k3y"}).status, 401);
}

TEST(ServeHttp, AnHttp10ClientGetsAnUnchunkedStreamEndedByClosing) {
  testing::LocalServe serve(std::make_shared<testing::StreamScript>());
  const std::string body = R"({"stream":true,"messages":[{"role":"user","content":"q"}]})";
  std::string raw = testing::http_raw(serve.port(), "POST /v1/chat/completions HTTP/1.0\r\nContent-Length: " +
                                                        std::to_string(body.size()) + "\r\n\r\n" + body);
  std::size_t end_of_head = raw.find("\r\n\r\n");
  ASSERT_NE(end_of_head, std::string::npos) << raw;
  std::string head = raw.substr(0, end_of_head);
  EXPECT_EQ(head.find("Transfer-Encoding"), std::string::npos) << head;
  EXPECT_NE(head.find("Connection: close"), std::string::npos) << head;
  std::string events = raw.substr(end_of_head + 4);
  EXPECT_EQ(events.rfind("data: {", 0), 0u) << events;  // no chunk sizes in between
  EXPECT_TRUE(events.ends_with("data: [DONE]\n\n")) << events;
  std::string content;  // the deltas split the text wherever the generation was when written
  for (const std::string& data : testing::sse_data(events)) {
    if (data == "[DONE]") continue;
    const boost::json::value event = boost::json::parse(data);
    const boost::json::object& delta = event.at("choices").at(0).at("delta").as_object();
    if (const boost::json::value* c = delta.if_contains("content")) content += c->as_string();
  }
  EXPECT_EQ(content, "int x = 1;") << events;
}

}  // namespace
}  // namespace coderx::serve
