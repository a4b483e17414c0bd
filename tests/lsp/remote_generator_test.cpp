// lsp/features/remote_generator + model/remote against `coderx serve`'s HTTP server in-process
// on an ephemeral loopback port (streaming, thinking kept apart, budgets and prefill mapped
// across the wire, cancellation mid-stream reaching the serving generator, auth), and against
// a raw fake server for what a healthy server never does (500/429 with retries, no answer,
// a stream cut short, a JSON answer instead of a stream).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>

#include "lsp/features/remote_generator.h"
#include "model/remote/chat_client.h"
#include "lsp/serve/response_json.h"
#include "lsp_session.h"
#include "scripted_generator.h"
#include "serve_test_support.h"

namespace coderx::testing {
namespace {

using features::FinishReason;
using features::GenerationInput;
using features::RemoteGenerator;
using Ms = std::chrono::milliseconds;

model::remote::ClientOptions fast_retries() {
  model::remote::ClientOptions o;
  o.initial_backoff = Ms(20);
  o.max_backoff = Ms(100);
  o.connect_timeout = Ms(2000);
  return o;
}

std::shared_ptr<RemoteGenerator> remote(const std::string& url, model::remote::ClientOptions o = fast_retries()) {
  auto g = RemoteGenerator::create(url, "", o);
  if (!g) throw std::runtime_error(g.error().message);
  return *g;
}

GenerationInput explain_input(std::int64_t thinking = 0) {
  GenerationInput in;
  in.kind = features::RequestKind::explain;
  in.system = "You explain code.";
  in.user = "What does `int x = 1;` do?";
  in.budgets.answer_tokens = 50;
  in.budgets.thinking_tokens = thinking;
  in.budgets.deadline = Ms(10000);
  return in;
}

TEST(RemoteGenerator, StreamsAnswerAndKeepsThinkingApart) {
  auto script = std::make_shared<StreamScript>();
  LocalServe serve(script);
  std::vector<std::string> answers, thoughts;
  features::StreamCallbacks cb{[&](std::string_view t) { answers.emplace_back(t); },
                               [&](std::string_view t) { thoughts.emplace_back(t); }};
  auto out = remote(serve.url())->generate_streams(explain_input(64), {}, cb);
  EXPECT_EQ(out.finish, FinishReason::stop) << out.error;
  EXPECT_EQ(out.answer, "int x = 1;");
  EXPECT_EQ(out.thinking, "Let me think.");
  std::string joined_answers, joined_thoughts;
  for (auto& a : answers) joined_answers += a;
  for (auto& t : thoughts) joined_thoughts += t;
  EXPECT_EQ(joined_answers, out.answer);
  EXPECT_EQ(joined_thoughts, out.thinking);
  EXPECT_EQ(out.usage.prompt_tokens, 11);
  EXPECT_EQ(out.usage.cached_tokens, 5);
  EXPECT_EQ(out.usage.thinking_tokens, 2);
  EXPECT_EQ(out.usage.answer_tokens, 3);
}

TEST(RemoteGenerator, BudgetsPrefillAndKindArriveAtTheServingGenerator) {
  auto script = std::make_shared<StreamScript>();
  LocalServe serve(script);
  GenerationInput in = explain_input(40);
  in.kind = features::RequestKind::review;
  in.answer_prefix = "def f():\n";
  in.budgets.answer_tokens = 2;
  auto out = remote(serve.url())->generate(in, {}, {});
  EXPECT_EQ(out.finish, FinishReason::answer_budget) << out.error;  // "length" on the wire
  EXPECT_EQ(out.answer, "int x = ");
  auto calls = script->calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].system, in.system);
  EXPECT_EQ(calls[0].user, in.user);
  EXPECT_EQ(calls[0].answer_prefix, in.answer_prefix);
  EXPECT_EQ(calls[0].budgets.answer_tokens, 2);
  EXPECT_EQ(calls[0].budgets.thinking_tokens, 40);
  EXPECT_EQ(calls[0].kind, features::RequestKind::review);
}

TEST(RemoteGenerator, CancelMidStreamStopsTheClientAndTheServingGeneration) {
  auto script = std::make_shared<StreamScript>();
  script->hold_after = 1;  // sends "int " then waits for its stop token
  LocalServe serve(script);
  std::stop_source stop;
  auto started = std::chrono::steady_clock::now();
  auto out = remote(serve.url())->generate(explain_input(), stop.get_token(), [&](std::string_view) {
    stop.request_stop();  // cancel as soon as the first text arrives
  });
  EXPECT_EQ(out.finish, FinishReason::cancelled);
  EXPECT_EQ(out.answer, "int ");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  EXPECT_TRUE(script->wait_cancelled(1)) << "the server did not cancel the generation of a vanished client";
}

TEST(RemoteGenerator, WrongOrMissingApiKeyFailsAtOnceWithTheServersMessage) {
  serve::ServeOptions options;
  options.api_key = "sekrit-key";
  LocalServe serve(std::make_shared<StreamScript>(), options);
  ::unsetenv("CODERX_TEST_KEY");
  auto out = remote(serve.url() + "?api_key_env=CODERX_TEST_KEY")->generate(explain_input(), {}, {});
  EXPECT_EQ(out.finish, FinishReason::error);
  EXPECT_NE(out.error.find("HTTP 401"), std::string::npos) << out.error;
  EXPECT_NE(out.error.find("API key"), std::string::npos) << out.error;
  EXPECT_EQ(out.error.find("attempts"), std::string::npos) << "401 must not be retried: " << out.error;
  ::setenv("CODERX_TEST_KEY", "sekrit-key", 1);
  auto ok = remote(serve.url() + "?api_key_env=CODERX_TEST_KEY")->generate(explain_input(), {}, {});
  EXPECT_EQ(ok.finish, FinishReason::stop) << ok.error;
  ::unsetenv("CODERX_TEST_KEY");
}

TEST(RemoteGenerator, RetriesServerErrorsThenSucceeds) {
  std::string good = FakeHttp::sse({R"({"choices":[{"delta":{"content":"ok"}}]})",
                                    R"({"choices":[{"delta":{},"finish_reason":"stop"}]})", "[DONE]"});
  FakeHttp fake({FakeHttp::status(500, R"({"error":{"message":"boom"}})"),
                 FakeHttp::status(429, "{}", "Retry-After: 0\r\n"), good});
  auto out = remote(fake.url())->generate(explain_input(), {}, {});
  EXPECT_EQ(out.finish, FinishReason::stop) << out.error;
  EXPECT_EQ(out.answer, "ok");
  EXPECT_EQ(fake.requests(), 3);
  EXPECT_NE(fake.last_request().find("POST /v1/chat/completions"), std::string::npos);
}

TEST(RemoteGenerator, GivesUpAfterMaxAttemptsWithAClearMessage) {
  FakeHttp fake({FakeHttp::status(503, R"({"error":{"message":"engine overloaded"}})")});
  auto out = remote(fake.url())->generate(explain_input(), {}, {});
  EXPECT_EQ(out.finish, FinishReason::error);
  EXPECT_EQ(fake.requests(), 3);
  EXPECT_EQ(out.error, fake.url() + ": HTTP 503: engine overloaded after 3 attempts");
}

TEST(RemoteGenerator, ClientErrorsAreNotRetried) {
  FakeHttp fake({FakeHttp::status(400, R"({"error":{"message":"'messages' must be an array"}})")});
  auto out = remote(fake.url())->generate(explain_input(), {}, {});
  EXPECT_EQ(out.finish, FinishReason::error);
  EXPECT_EQ(fake.requests(), 1);
  EXPECT_NE(out.error.find("'messages' must be an array"), std::string::npos) << out.error;
  EXPECT_TRUE(out.input_rejected);  // a 400: the request itself, not the server
}

TEST(RemoteGenerator, ServerErrorsAreNotTheRequestsFault) {
  FakeHttp fake({FakeHttp::status(500, R"({"error":{"message":"boom"}})")});
  model::remote::ClientOptions once = fast_retries();
  once.max_attempts = 1;
  auto out = remote(fake.url(), once)->generate(explain_input(), {}, {});
  EXPECT_EQ(out.finish, FinishReason::error);
  EXPECT_FALSE(out.input_rejected);
}

TEST(RemoteGenerator, ARedirectSaysWhereToPointTheEngine) {
  FakeHttp fake({FakeHttp::status(308, "", "Location: https://llm.example.com/v1/chat/completions\r\n")});
  auto out = remote(fake.url())->generate(explain_input(), {}, {});
  EXPECT_EQ(out.finish, FinishReason::error);
  EXPECT_EQ(fake.requests(), 1);
  EXPECT_NE(out.error.find("HTTP 308: redirected to https://llm.example.com/v1/chat/completions (redirects are not "
                           "followed: point --engine there)"),
            std::string::npos)
      << out.error;
}

// Retry-After as seconds or as an HTTP date (RFC 9110 §10.2.3), against a fixed "now".
TEST(RemoteGenerator, RetryAfterTakesSecondsOrAnHttpDate) {
  using model::remote::retry_after_delay;
  const auto now = std::chrono::system_clock::from_time_t(784111777);  // Sun, 06 Nov 1994 08:49:37 GMT
  const Ms fallback(250);
  EXPECT_EQ(retry_after_delay("", fallback, now), fallback);
  EXPECT_EQ(retry_after_delay("3", fallback, now), Ms(3000));
  EXPECT_EQ(retry_after_delay("Sun, 06 Nov 1994 08:49:40 GMT", fallback, now), Ms(3000));
  EXPECT_EQ(retry_after_delay("Sun, 06 Nov 1994 08:49:00 GMT", fallback, now), Ms(0));  // already past
  EXPECT_EQ(retry_after_delay("soon", fallback, now), fallback);
  EXPECT_EQ(retry_after_delay("-1", fallback, now), fallback);
}

TEST(RemoteGenerator, ConnectionRefusedAfterRetries) {
  unsigned short port;
  { FakeHttp closed({"x"}); port = closed.port(); }  // a port nobody listens on any more
  std::string url = "openai://127.0.0.1:" + std::to_string(port);
  auto out = remote(url)->generate(explain_input(), {}, {});
  EXPECT_EQ(out.finish, FinishReason::error);
  EXPECT_EQ(out.error, url + ": connection refused after 3 attempts");
}

TEST(RemoteGenerator, ServerThatNeverAnswersTimesOutAtTheDeadline) {
  FakeHttp fake({""});
  GenerationInput in = explain_input();
  in.budgets.deadline = Ms(300);
  auto started = std::chrono::steady_clock::now();
  auto out = remote(fake.url())->generate(in, {}, {});
  auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(out.finish, FinishReason::error);
  EXPECT_NE(out.error.find("timed out"), std::string::npos) << out.error;
  EXPECT_GE(took, Ms(290));
  EXPECT_LT(took, Ms(3000));
  EXPECT_EQ(fake.requests(), 1);  // the deadline left no time to retry
}

TEST(RemoteGenerator, CancelWhileWaitingForAnAnswer) {
  FakeHttp fake({""});
  std::stop_source stop;
  std::thread canceller([&] {
    while (fake.requests() == 0) std::this_thread::yield();
    stop.request_stop();
  });
  auto out = remote(fake.url())->generate(explain_input(), stop.get_token(), {});
  canceller.join();
  EXPECT_EQ(out.finish, FinishReason::cancelled);
}

// Interim 1xx answers come before the real one (RFC 9110 §15.2); the Host header names the port.
TEST(RemoteGenerator, InterimAnswersAreSkippedAndTheHostNamesThePort) {
  std::string good = FakeHttp::sse({R"({"choices":[{"delta":{"content":"ok"}}]})",
                                    R"({"choices":[{"delta":{},"finish_reason":"stop"}]})", "[DONE]"});
  FakeHttp fake({"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\n\r\n" + good});
  auto out = remote(fake.url())->generate(explain_input(), {}, {});
  EXPECT_EQ(out.finish, FinishReason::stop) << out.error;
  EXPECT_EQ(out.answer, "ok");
  const std::string port = fake.url().substr(fake.url().rfind(':') + 1, fake.url().find("/v1") - fake.url().rfind(':') - 1);
  EXPECT_NE(fake.last_request().find("\r\nHost: 127.0.0.1:" + port + "\r\n"), std::string::npos) << fake.last_request();
}

TEST(RemoteGenerator, StreamCutShortIsAnErrorAndNotRetried) {
  FakeHttp fake({"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n"
                 "data: {\"choices\":[{\"delta\":{\"content\":\"par\"}}]}\n\n"});
  auto out = remote(fake.url())->generate(explain_input(), {}, {});
  EXPECT_EQ(out.finish, FinishReason::error);
  EXPECT_EQ(out.answer, "par");
  EXPECT_NE(out.error.find("before [DONE]"), std::string::npos) << out.error;
  EXPECT_EQ(fake.requests(), 1);
}

TEST(RemoteGenerator, ErrorEventInTheStream) {
  FakeHttp fake({FakeHttp::sse({R"({"choices":[{"delta":{"content":"a"}}]})", R"({"error":{"message":"engine died"}})"})});
  auto out = remote(fake.url())->generate(explain_input(), {}, {});
  EXPECT_EQ(out.finish, FinishReason::error);
  EXPECT_NE(out.error.find("engine died"), std::string::npos) << out.error;
}

TEST(RemoteGenerator, AcceptsAWholeJsonAnswer) {
  FakeHttp fake({FakeHttp::status(200, R"({"choices":[{"message":{"content":"whole","reasoning_content":"t"},)"
                                       R"("finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":4,)"
                                       R"("completion_tokens_details":{"reasoning_tokens":1}}})")});
  auto out = remote(fake.url())->generate(explain_input(), {}, {});
  EXPECT_EQ(out.finish, FinishReason::stop) << out.error;
  EXPECT_EQ(out.answer, "whole");
  EXPECT_EQ(out.thinking, "t");
  EXPECT_EQ(out.usage.answer_tokens, 3);
  EXPECT_EQ(out.usage.thinking_tokens, 1);
}

TEST(RemoteGenerator, DeadlineMidStreamKeepsThePartialAnswer) {
  auto script = std::make_shared<StreamScript>();
  script->hold_after = 1;
  LocalServe serve(script);
  GenerationInput in = explain_input();
  in.budgets.deadline = Ms(400);
  auto out = remote(serve.url())->generate(in, {}, {});
  EXPECT_EQ(out.finish, FinishReason::deadline) << out.error;
  EXPECT_EQ(out.answer, "int ");
  EXPECT_TRUE(script->wait_cancelled(1));
}

TEST(RemoteGenerator, ListsTheServedModel) {
  serve::ServeOptions options;
  options.model_id = "gemma4-test";
  LocalServe serve(std::make_shared<StreamScript>(), options);
  auto endpoint = model::remote::parse_endpoint(serve.url());
  ASSERT_TRUE(endpoint);
  model::remote::ChatClient client(*endpoint);
  auto ids = client.list_models(Ms(5000), {});
  ASSERT_TRUE(ids) << ids.error().message;
  EXPECT_EQ(*ids, std::vector<std::string>{"gemma4-test"});
}

TEST(RemoteGenerator, LanguageServerCompletesThroughTheRemoteEngine) {
  auto served = std::make_shared<ScriptedGenerator>();
  served->answer = [](const GenerationInput&) { return std::string("return x + 1\nprint('after the block')"); };
  LocalServe serve(served);
  LspSession session(remote(serve.url()));
  session.initialize();
  session.open("file:///a.py", "def f(x):\n    \n");
  json::object position{{"line", 1}, {"character", 4}};
  session.request(1, "textDocument/inlineCompletion",
                  json::object{{"textDocument", {{"uri", "file:///a.py"}}}, {"position", position},
                               {"context", {{"triggerKind", 1}}}});
  json::object r = session.response(1);
  ASSERT_TRUE(r.contains("result")) << r;
  auto items = r.at("result").at("items").as_array();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].at("insertText").as_string(), "return x + 1");
  auto calls = served->calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].answer_prefix, "def f(x):\n    ");  // the prefill crossed the wire
  EXPECT_EQ(calls[0].kind, features::RequestKind::inline_completion);
}

}  // namespace
}  // namespace coderx::testing
