// model/remote/endpoint: the --engine URL forms of docs/remote.md, and precise rejections.
#include <gtest/gtest.h>

#include "model/remote/endpoint.h"

namespace coderx::model::remote {
namespace {

TEST(RemoteEndpoint, AcceptsEveryDocumentedForm) {
  struct Case {
    const char* url;
    bool tls;
    const char* host;
    const char* port;
    const char* path;
  } cases[] = {
      {"openai://127.0.0.1:8080", false, "127.0.0.1", "8080", "/v1"},
      {"openai://127.0.0.1:8080/v1", false, "127.0.0.1", "8080", "/v1"},
      {"openai://gpu-box:8000/v1/", false, "gpu-box", "8000", "/v1"},
      {"http://localhost:11434/api/v1", false, "localhost", "11434", "/api/v1"},
      {"openais://llm.example.com/v1", true, "llm.example.com", "443", "/v1"},
      {"https://llm.example.com:8443", true, "llm.example.com", "8443", "/v1"},
      {"openai://[::1]:9000/v1", false, "::1", "9000", "/v1"},
  };
  for (const Case& c : cases) {
    auto e = parse_endpoint(c.url);
    ASSERT_TRUE(e) << c.url << ": " << e.error().message;
    EXPECT_EQ(e->tls, c.tls) << c.url;
    EXPECT_EQ(e->host, c.host) << c.url;
    EXPECT_EQ(e->port, c.port) << c.url;
    EXPECT_EQ(e->base_path, c.path) << c.url;
    EXPECT_EQ(e->api_key_env, "CODERX_API_KEY") << c.url;
    EXPECT_TRUE(is_remote_engine(c.url));
  }
}

TEST(RemoteEndpoint, QueryNamesTheKeyVariableAndIsLeftOutOfMessages) {
  auto e = parse_endpoint("https://h/v1?api_key_env=TEAM_KEY");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->api_key_env, "TEAM_KEY");
  EXPECT_EQ(e->display, "https://h/v1");
}

TEST(RemoteEndpoint, RejectsWithTheReason) {
  struct Case {
    const char* url;
    const char* why;
  } cases[] = {
      {"canned", "expected openai://"},
      {"openai://host", "port is required"},
      {"openai://host:0", "not in 1..65535"},
      {"openai://host:70000", "not in 1..65535"},
      {"openai://host:80x", "not in 1..65535"},
      {"openai://:80", "HOST[:PORT]"},
      {"openai://[::1:80", "HOST[:PORT]"},
      {"openai://h:80/v 1", "bad character"},
      {"openai://h:80?token=x", "api_key_env"},
      {"openai://h:80?api_key_env=BAD-NAME", "api_key_env"},
  };
  for (const Case& c : cases) {
    auto e = parse_endpoint(c.url);
    ASSERT_FALSE(e) << c.url;
    EXPECT_EQ(e.error().code, Errc::invalid_argument);
    EXPECT_NE(e.error().message.find(c.why), std::string::npos) << c.url << ": " << e.error().message;
    EXPECT_NE(e.error().message.find(c.url), std::string::npos) << e.error().message;
  }
  EXPECT_FALSE(is_remote_engine("canned"));
  EXPECT_FALSE(is_remote_engine("ftp://x"));
}

}  // namespace
}  // namespace coderx::model::remote
