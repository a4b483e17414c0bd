// The real `coderx serve --engine canned` child process, spoken to with a plain raw-socket
// HTTP client (tests/support/http_client): every route, streaming and not, thinking only in
// reasoning_content, OpenAI-style errors (400, 401, 404, 405, 413), the loopback rule,
// concurrent requests, a client that disconnects mid-stream; then the remote engine end to
// end: `coderx explain --engine openai://...` against it gives what `--engine canned` gives.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <fstream>
#include <future>

#include "tests/support/background_process.h"
#include "tests/support/http_client.h"
#include "tests/support/paths.h"
#include "tests/support/process.h"

namespace coderx::testing {
namespace {

namespace json = boost::json;

const std::string kChat = R"({"messages":[{"role":"system","content":"s"},{"role":"user","content":"Selected code:\n```c\nint x;\n```\n"}],"max_tokens":64})";

class ServeProcess : public ::testing::Test {
 protected:
  void start(std::vector<std::string> extra = {}, std::vector<std::string> env = {}) {
    std::vector<std::string> args{"serve", "--listen", "127.0.0.1:0", "--engine", "canned"};
    args.insert(args.end(), extra.begin(), extra.end());
    server_ = std::make_unique<BackgroundProcess>(BackgroundProcess::coderx(args), env);
    port_ = server_->wait_for_port();
    ASSERT_NE(port_, 0) << server_->stderr_text();
  }
  json::object post_json(const std::string& path, const std::string& body, int expect_status) {
    HttpReply r = http_request(port_, "POST", path, body);
    EXPECT_EQ(r.status, expect_status) << r.raw;
    EXPECT_EQ(r.headers["content-type"], "application/json");
    return json::parse(r.body).as_object();
  }

  std::unique_ptr<BackgroundProcess> server_;
  unsigned short port_ = 0;
};

TEST_F(ServeProcess, HealthAndModels) {
  start();
  HttpReply health = http_request(port_, "GET", "/health");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(json::parse(health.body).at("status"), "ok");
  HttpReply models = http_request(port_, "GET", "/v1/models");
  ASSERT_EQ(models.status, 200) << models.raw;
  json::value v = json::parse(models.body);
  EXPECT_EQ(v.at("object"), "list");
  EXPECT_EQ(v.at("data").at(0).at("id"), "canned");
}

TEST_F(ServeProcess, ChatWholeAnswer) {
  start();
  json::object o = post_json("/v1/chat/completions", kChat, 200);
  EXPECT_EQ(o.at("object"), "chat.completion");
  const json::value& choice = o.at("choices").at(0);
  EXPECT_EQ(choice.at("message").at("role"), "assistant");
  EXPECT_NE(std::string(choice.at("message").at("content").as_string()).find("Canned explanation"), std::string::npos);
  EXPECT_FALSE(choice.at("message").as_object().contains("reasoning_content"));  // thinking off
  EXPECT_EQ(choice.at("finish_reason"), "stop");
  const json::value& usage = o.at("usage");
  EXPECT_EQ(usage.at("total_tokens").as_int64(),
            usage.at("prompt_tokens").as_int64() + usage.at("completion_tokens").as_int64());
}

TEST_F(ServeProcess, ChatStreamKeepsThinkingOutOfContent) {
  start();
  std::string body = R"({"stream":true,"stream_options":{"include_usage":true},"thinking_budget_tokens":100,)"
                     R"("messages":[{"role":"user","content":"Selected code:\n```c\nint x;\n```\n"}]})";
  HttpReply r = http_request(port_, "POST", "/v1/chat/completions", body);
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.headers["content-type"], "text/event-stream");
  std::vector<std::string> events = sse_data(r.body);
  ASSERT_GE(events.size(), 4u) << r.body;
  EXPECT_EQ(events.back(), "[DONE]");
  std::string content, reasoning, finish;
  bool saw_usage = false;
  for (std::size_t i = 0; i + 1 < events.size(); ++i) {
    json::object chunk = json::parse(events[i]).as_object();
    EXPECT_EQ(chunk.at("object"), "chat.completion.chunk");
    if (chunk.contains("usage")) {
      saw_usage = true;
      EXPECT_GT(chunk.at("usage").at("completion_tokens_details").at("reasoning_tokens").as_int64(), 0);
      continue;
    }
    const json::object& choice = chunk.at("choices").at(0).as_object();
    const json::object& delta = choice.at("delta").as_object();
    if (delta.contains("content")) content += delta.at("content").as_string();
    if (delta.contains("reasoning_content")) reasoning += delta.at("reasoning_content").as_string();
    if (!choice.at("finish_reason").is_null()) finish = choice.at("finish_reason").as_string();
  }
  EXPECT_TRUE(saw_usage);
  EXPECT_EQ(finish, "stop");
  EXPECT_EQ(reasoning, "Canned thought (no model): reading the request.");
  EXPECT_NE(content.find("Canned explanation"), std::string::npos) << content;
  EXPECT_EQ(content.find("Canned thought"), std::string::npos) << "thinking leaked into content";
}

TEST_F(ServeProcess, CompletionsStreamAndWhole) {
  start();
  json::object whole = post_json("/v1/completions", R"({"prompt":"x = ","max_tokens":2})", 200);
  EXPECT_EQ(whole.at("object"), "text_completion");
  EXPECT_EQ(whole.at("choices").at(0).at("text"), "return 0;");  // two canned words
  EXPECT_EQ(whole.at("choices").at(0).at("finish_reason"), "length");
  HttpReply r = http_request(port_, "POST", "/v1/completions", R"({"prompt":"x = ","stream":true})");
  ASSERT_EQ(r.status, 200);
  std::string text;
  for (const std::string& e : sse_data(r.body))
    if (e != "[DONE]") text += json::parse(e).at("choices").at(0).at("text").as_string();
  EXPECT_EQ(text, "return 0;  // canned completion\n");
}

TEST_F(ServeProcess, CompletionsEchoThePromptFirstWholeAndStreamed) {
  start();
  json::object whole = post_json("/v1/completions", R"({"prompt":"x = ","max_tokens":2,"echo":true})", 200);
  EXPECT_EQ(whole.at("choices").at(0).at("text"), "x = return 0;");
  HttpReply r = http_request(port_, "POST", "/v1/completions", R"({"prompt":"x = ","stream":true,"echo":true})");
  ASSERT_EQ(r.status, 200);
  std::vector<std::string> texts;
  for (const std::string& e : sse_data(r.body))
    if (e != "[DONE]") texts.emplace_back(json::parse(e).at("choices").at(0).at("text").as_string());
  ASSERT_FALSE(texts.empty());
  EXPECT_EQ(texts.front().rfind("x = ", 0), 0u) << texts.front();
  std::string text;
  for (const std::string& t : texts) text += t;
  EXPECT_EQ(text, "x = return 0;  // canned completion\n");  // the prompt once
  json::object fim = post_json("/v1/completions", R"({"prompt":"x = ","suffix":";\n"})", 400);
  EXPECT_NE(std::string(fim.at("error").at("message").as_string()).find("'suffix' is not supported"),
            std::string::npos) << fim;
}

TEST_F(ServeProcess, ErrorsAreOpenAiErrorObjects) {
  start({"--max-request-bytes", "2048"});
  json::object bad = post_json("/v1/chat/completions", "{not json", 400);
  EXPECT_EQ(bad.at("error").at("type"), "invalid_request_error");
  EXPECT_NE(std::string(bad.at("error").at("message").as_string()).find("not valid JSON"), std::string::npos);
  post_json("/v1/chat/completions", R"({"messages":[]})", 400);
  post_json("/v1/nothing", "{}", 404);
  EXPECT_EQ(http_request(port_, "GET", "/v1/chat/completions").status, 405);
  HttpReply big = http_request(port_, "POST", "/v1/chat/completions", std::string(4096, ' '));
  EXPECT_EQ(big.status, 413) << big.raw;
  std::string garbage = http_raw(port_, "NOT HTTP AT ALL\r\n\r\n");
  EXPECT_EQ(garbage.rfind("HTTP/1.1 400", 0), 0u) << garbage;
  EXPECT_EQ(http_request(port_, "GET", "/health").status, 200);  // still serving
}

TEST_F(ServeProcess, ExpectContinueIsAnsweredBeforeTheBody) {
  start();
  int fd = connect_loopback(port_);
  ASSERT_GE(fd, 0);
  std::string head = "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nConnection: close\r\nExpect: 100-continue\r\n"
                     "Content-Length: " + std::to_string(kChat.size()) + "\r\n\r\n";
  ASSERT_EQ(::send(fd, head.data(), head.size(), MSG_NOSIGNAL), static_cast<ssize_t>(head.size()));
  char buf[4096];
  ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(buf, static_cast<std::size_t>(n)), "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_EQ(::send(fd, kChat.data(), kChat.size(), MSG_NOSIGNAL), static_cast<ssize_t>(kChat.size()));
  std::string rest;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) rest.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  EXPECT_EQ(rest.rfind("HTTP/1.1 200 OK", 0), 0u) << rest;
}

TEST_F(ServeProcess, ApiKeyIsRequiredExceptForHealth) {
  start({"--api-key-env", "CODERX_SERVE_TEST_KEY"}, {"CODERX_SERVE_TEST_KEY=k3y"});
  HttpReply none = http_request(port_, "POST", "/v1/chat/completions", kChat);
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(json::parse(none.body).at("error").at("type"), "authentication_error");
  EXPECT_EQ(http_request(port_, "POST", "/v1/chat/completions", kChat, {"Authorization: Bearer wrong"}).status, 401);
  EXPECT_EQ(http_request(port_, "GET", "/v1/models", "", {"Authorization: Bearer k3y"}).status, 200);
  EXPECT_EQ(http_request(port_, "POST", "/v1/chat/completions", kChat, {"Authorization: Bearer k3y"}).status, 200);
  EXPECT_EQ(http_request(port_, "GET", "/health").status, 200);
}

TEST(ServeCli, RefusesNonLoopbackAndMissingKeys) {
  ProcessResult open = run_coderx({"serve", "--listen", "0.0.0.0:0", "--engine", "canned"});
  EXPECT_EQ(open.exit_code, 2);
  EXPECT_NE(open.err.find("--allow-remote"), std::string::npos) << open.err;
  ProcessResult key = run_coderx({"serve", "--api-key-env", "CODERX_UNSET_VARIABLE_XYZ", "--engine", "canned"});
  EXPECT_EQ(key.exit_code, 2);
  EXPECT_NE(key.err.find("CODERX_UNSET_VARIABLE_XYZ"), std::string::npos) << key.err;
  ProcessResult bad = run_coderx({"serve", "--listen", "127.0.0.1:x", "--engine", "canned"});
  EXPECT_EQ(bad.exit_code, 2);
  ProcessResult engine = run_coderx({"serve", "--engine", "nope"});
  EXPECT_EQ(engine.exit_code, 2);
}

TEST_F(ServeProcess, ConcurrentRequestsAreAllServed) {
  start({"--token-delay-ms", "20"});
  std::vector<std::future<HttpReply>> replies;
  for (int i = 0; i < 8; ++i)
    replies.push_back(std::async(std::launch::async, [this] {
      return http_request(port_, "POST", "/v1/chat/completions", kChat);
    }));
  auto started = std::chrono::steady_clock::now();
  for (auto& f : replies) {
    HttpReply r = f.get();
    EXPECT_EQ(r.status, 200) << r.raw;
  }
  // One canned answer takes ~14 words x 20 ms; eight in a row would take over 2 s.
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(2000));
}

TEST_F(ServeProcess, BeyondMaxConnectionsClientsGet503) {
  start({"--max-connections", "1"});
  int idle = connect_loopback(port_);  // holds the only slot (sends nothing)
  ASSERT_GE(idle, 0);
  // Accepted in connection order: the idle one takes the slot, this one is refused.
  HttpReply refused = http_request(port_, "GET", "/health");
  EXPECT_EQ(refused.status, 503) << refused.raw;
  EXPECT_EQ(refused.headers["retry-after"], "1");
  EXPECT_EQ(json::parse(refused.body).at("error").at("type"), "overloaded_error");
  ::close(idle);
}

TEST_F(ServeProcess, GeneratedModelServesConcurrentStreamsWithinBudget) {
  TempDir dir;
  std::string model = (dir / "m.gguf").string();
  ProcessResult made = run_coderx({"model", "make-test", "--seed", "3", "--out", model});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  server_ = std::make_unique<BackgroundProcess>(
      BackgroundProcess::coderx({"serve", "--listen", "127.0.0.1:0", "--model", model}));
  port_ = server_->wait_for_port();
  ASSERT_NE(port_, 0) << server_->stderr_text();
  std::string body = R"({"stream":true,"stream_options":{"include_usage":true},"max_tokens":12,)"
                     R"("thinking_budget_tokens":6,"messages":[{"role":"user","content":"Say hi."}]})";
  std::vector<std::future<HttpReply>> replies;
  for (int i = 0; i < 3; ++i)
    replies.push_back(std::async(std::launch::async, [&] { return http_request(port_, "POST", "/v1/chat/completions", body); }));
  for (auto& f : replies) {
    HttpReply r = f.get();
    ASSERT_EQ(r.status, 200) << r.raw;
    std::vector<std::string> events = sse_data(r.body);
    ASSERT_GE(events.size(), 3u) << r.body;
    EXPECT_EQ(events.back(), "[DONE]");
    json::object usage = json::parse(events[events.size() - 2]).at("usage").as_object();
    std::int64_t thinking = usage.at("completion_tokens_details").at("reasoning_tokens").as_int64();
    EXPECT_GT(usage.at("prompt_tokens").as_int64(), 0);
    EXPECT_LE(usage.at("completion_tokens").as_int64() - thinking, 12);
  }
  EXPECT_EQ(json::parse(http_request(port_, "GET", "/v1/models").body).at("data").at(0).at("id"), "m");

  // continuous_usage_stats: the engine's running counts in every chunk, rising to the final usage.
  const std::string continuous =
      R"({"stream":true,"stream_options":{"include_usage":true,"continuous_usage_stats":true},"max_tokens":12,)"
      R"("thinking_budget_tokens":6,"messages":[{"role":"user","content":"Say hi."}]})";
  HttpReply r = http_request(port_, "POST", "/v1/chat/completions", continuous);
  ASSERT_EQ(r.status, 200) << r.raw;
  std::vector<std::string> events = sse_data(r.body);
  ASSERT_GE(events.size(), 3u) << r.body;
  const json::value final_usage = json::parse(events[events.size() - 2]).at("usage");
  std::int64_t last = 0;
  for (std::size_t i = 0; i + 1 < events.size(); ++i) {
    json::object chunk = json::parse(events[i]).as_object();
    ASSERT_TRUE(chunk.contains("usage")) << events[i];
    EXPECT_EQ(chunk.at("usage").at("prompt_tokens"), final_usage.at("prompt_tokens"));
    std::int64_t used = chunk.at("usage").at("completion_tokens").as_int64();
    EXPECT_GE(used, std::max<std::int64_t>(last, 1)) << events[i];
    last = used;
  }
  EXPECT_EQ(last, final_usage.at("completion_tokens").as_int64());
}

TEST_F(ServeProcess, ClientDisconnectCancelsTheGeneration) {
  start({"--token-delay-ms", "200"});
  int fd = connect_loopback(port_);
  ASSERT_GE(fd, 0);
  std::string body = R"({"stream":true,"max_tokens":1000,"messages":[{"role":"user","content":"q"}]})";
  std::string request = "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                        std::to_string(body.size()) + "\r\n\r\n" + body;
  ASSERT_EQ(::send(fd, request.data(), request.size(), MSG_NOSIGNAL), static_cast<ssize_t>(request.size()));
  char buf[512];
  ASSERT_GT(::recv(fd, buf, sizeof buf, 0), 0);  // the head or a first chunk: streaming began
  ::close(fd);
  std::string line = server_->wait_for_line("client went away; generation cancelled", 10000);
  EXPECT_FALSE(line.empty()) << server_->stderr_text();
}

TEST_F(ServeProcess, RemoteEngineEndToEndMatchesTheCannedEngine) {
  start();
  TempDir dir;
  std::ofstream(dir / "a.c") << "int add(int a, int b) {\n  return a + b;\n}\n";
  std::string file = (dir / "a.c").string() + ":1-3";
  ProcessResult local = run_coderx({"explain", file, "--engine", "canned"});
  ASSERT_EQ(local.exit_code, 0) << local.err;
  std::string url = "openai://127.0.0.1:" + std::to_string(port_) + "/v1";
  ProcessResult remote = run_coderx({"explain", file, "--engine", url});
  ASSERT_EQ(remote.exit_code, 0) << remote.err;
  EXPECT_EQ(remote.out, local.out);
  EXPECT_NE(remote.out.find("Canned explanation"), std::string::npos) << remote.out;
}

TEST(RemoteEngineCli, UnreachableServerIsAClearError) {
  TempDir dir;
  std::ofstream(dir / "a.c") << "int x;\n";
  ProcessResult r = run_coderx({"explain", (dir / "a.c").string(), "--engine", "openai://127.0.0.1:9"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("openai://127.0.0.1:9: connection refused after 3 attempts"), std::string::npos) << r.err;
  ProcessResult bad = run_coderx({"explain", (dir / "a.c").string(), "--engine", "openai://nohost"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("port is required"), std::string::npos) << bad.err;
  ProcessResult lsp = run_coderx({"lsp", "--engine", "openai://nohost"});
  EXPECT_EQ(lsp.exit_code, 2);
  EXPECT_NE(lsp.err.find("port is required"), std::string::npos) << lsp.err;
  ProcessResult unknown = run_coderx({"lsp", "--engine", "vllm"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("openai://HOST:PORT"), std::string::npos) << unknown.err;
}

}  // namespace
}  // namespace coderx::testing
