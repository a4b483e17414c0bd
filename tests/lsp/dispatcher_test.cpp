// Dispatcher: lifecycle errors, the method binder, cancellation, reply-exactly-once,
// exceptions in handlers, server-to-client calls, $/setTrace.
#include "lsp/protocol/dispatcher.h"

#include <gtest/gtest.h>

#include <thread>

#include "lsp/protocol/types_base.h"

namespace coderx::lsp {
namespace {

class DispatcherTest : public ::testing::Test {
 protected:
  DispatcherTest() : d([this](std::string body) { out.push_back(json::parse(body)); }) {
    d.on_request<json::value>("initialize", [](json::value, Responder r) { r.reply(json::object{}); });
    d.on_request<TextDocumentPositionParams>("test/position", [](TextDocumentPositionParams p, Responder r) {
      r.reply(json::value_from(p.position));
    });
    d.on_request<json::value>("test/hold", [this](json::value, Responder r) { held.push_back(std::move(r)); });
    d.on_request<json::value>("test/throw", [](json::value, Responder) -> void { throw std::runtime_error("boom"); });
    d.on_request<json::value>("test/drop", [](json::value, Responder) {});
    d.on_request<json::value>("test/twice", [](json::value, Responder r) {
      r.reply(1);
      r.reply(2);
    });
    d.on_notification<json::value>("test/note", [this](json::value v) { notes.push_back(v); });
    d.on_notification<json::value>("test/note_throw", [](json::value) { throw std::runtime_error("x"); });
  }

  void send(const std::string& body) { d.dispatch(body); }
  void request(int id, const std::string& method, const std::string& params = "{}") {
    send(R"({"jsonrpc":"2.0","id":)" + std::to_string(id) + R"(,"method":")" + method + R"(","params":)" + params + "}");
  }
  void notify(const std::string& method, const std::string& params = "{}") {
    send(R"({"jsonrpc":"2.0","method":")" + method + R"(","params":)" + params + "}");
  }
  void initialize() {
    request(0, "initialize");
    out.clear();
  }
  int error_code(std::size_t i) const { return static_cast<int>(out.at(i).at("error").at("code").as_int64()); }

  std::vector<json::value> out;
  std::vector<json::value> notes;
  std::vector<Responder> held;
  Dispatcher d;
};

TEST_F(DispatcherTest, RequestsBeforeInitializeFailAndNotificationsAreDropped) {
  request(1, "test/position");
  notify("test/note");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(error_code(0), -32002);
  EXPECT_EQ(out[0].at("id").as_int64(), 1);
  EXPECT_TRUE(notes.empty());
  EXPECT_EQ(d.state(), Lifecycle::uninitialized);
}

TEST_F(DispatcherTest, SecondInitializeIsInvalidRequest) {
  initialize();
  request(2, "initialize");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(error_code(0), -32600);
}

TEST_F(DispatcherTest, ShutdownThenExitGivesZeroAndRejectsLaterRequests) {
  initialize();
  request(1, "shutdown");
  request(2, "test/position");
  notify("test/note");
  notify("exit");
  ASSERT_EQ(out.size(), 2u);
  EXPECT_TRUE(out[0].at("result").is_null());
  EXPECT_EQ(error_code(1), -32600);
  EXPECT_TRUE(notes.empty());
  EXPECT_TRUE(d.exited());
  EXPECT_EQ(d.exit_code(), 0);
}

TEST_F(DispatcherTest, InitializeWithInvalidParamsCanBeRetried) {
  Dispatcher strict([this](std::string body) { out.push_back(json::parse(body)); });
  strict.on_request<TextDocumentPositionParams>("initialize", [](TextDocumentPositionParams, Responder r) {
    r.reply(json::object{});
  });
  strict.dispatch(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":"x"}})");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(error_code(0), -32602);
  EXPECT_EQ(strict.state(), Lifecycle::uninitialized);
  strict.dispatch(R"({"jsonrpc":"2.0","id":2,"method":"test/x","params":{}})");
  EXPECT_EQ(error_code(1), -32002);  // still not initialized
  strict.dispatch(
      R"({"jsonrpc":"2.0","id":3,"method":"initialize","params":{"textDocument":{"uri":"u"},"position":{"line":0,"character":0}}})");
  ASSERT_EQ(out.size(), 3u);
  EXPECT_TRUE(out[2].at("result").is_object()) << out[2];
  EXPECT_EQ(strict.state(), Lifecycle::initialized);
}

TEST_F(DispatcherTest, AnErrorAnswerWithANullIdIsLoggedAndIgnored) {
  initialize();
  d.call("workspace/configuration", json::object{}, [](const json::value*, const ResponseError*) { FAIL(); });
  send(R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"could not parse"}})");
  send(R"({"jsonrpc":"2.0","id":null,"result":1})");
  EXPECT_EQ(out.size(), 1u);  // only our call: nothing is answered to these
  EXPECT_EQ(d.state(), Lifecycle::initialized);
}

TEST_F(DispatcherTest, ExitWithoutShutdownGivesOne) {
  initialize();
  notify("exit");
  EXPECT_TRUE(d.exited());
  EXPECT_EQ(d.exit_code(), 1);
}

TEST_F(DispatcherTest, BinderDecodesParamsOrAnswersInvalidParams) {
  initialize();
  request(1, "test/position", R"({"textDocument":{"uri":"u"},"position":{"line":2,"character":3}})");
  request(2, "test/position", R"({"textDocument":{"uri":"u"},"position":{"line":-1,"character":3}})");
  request(3, "test/position", R"({"textDocument":{"uri":7},"position":{"line":1,"character":3}})");
  request(4, "test/position", R"({"position":{"line":1,"character":3}})");
  request(5, "test/position", "[]");
  ASSERT_EQ(out.size(), 5u);
  EXPECT_EQ(out[0].at("result"), json::parse(R"({"line":2,"character":3})"));
  for (std::size_t i = 1; i < 5; ++i) EXPECT_EQ(error_code(i), -32602) << out[i];
  EXPECT_NE(out[1].at("error").at("message").as_string().find("position.line: expected an integer in [0, 4294967295], got -1"),
            json::string::npos)
      << out[1];
  EXPECT_NE(out[2].at("error").at("message").as_string().find("uri"), json::string::npos);
  EXPECT_NE(out[3].at("error").at("message").as_string().find("textDocument"), json::string::npos);
}

TEST_F(DispatcherTest, UnknownRequestIsMethodNotFoundUnknownNotificationIsIgnored) {
  initialize();
  request(1, "no/such");
  notify("no/such");
  notify("$/unknown");
  request(2, "$/unknown");
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(error_code(0), -32601);
  EXPECT_EQ(error_code(1), -32601);
}

TEST_F(DispatcherTest, ThrowingHandlersAnswerInternalErrorAndTheDispatcherGoesOn) {
  initialize();
  request(1, "test/throw");
  notify("test/note_throw");
  request(2, "test/position", R"({"textDocument":{"uri":"u"},"position":{"line":0,"character":0}})");
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(error_code(0), -32603);
  EXPECT_NE(out[0].at("error").at("message").as_string().find("boom"), json::string::npos);
  EXPECT_TRUE(out[1].as_object().contains("result"));
}

TEST_F(DispatcherTest, EveryRequestIsAnsweredExactlyOnce) {
  initialize();
  request(1, "test/drop");
  request(2, "test/twice");
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(error_code(0), -32603);  // dropped without an answer
  EXPECT_EQ(out[1].at("result").as_int64(), 1);
  EXPECT_EQ(d.in_flight(), 0u);
}

TEST_F(DispatcherTest, CancelRequestStopsTheHeldRequest) {
  initialize();
  request(1, "test/hold");
  request(2, "test/hold");
  ASSERT_EQ(held.size(), 2u);
  EXPECT_EQ(d.in_flight(), 2u);
  notify("$/cancelRequest", R"({"id":1})");
  notify("$/cancelRequest", R"({"id":99})");
  notify("$/cancelRequest", R"({"id":{}})");
  EXPECT_TRUE(held[0].cancelled());
  EXPECT_FALSE(held[1].cancelled());
  held[0].error(ErrorCode::RequestCancelled, "cancelled");
  std::thread other([&] { held[1].reply(nullptr); });  // answered from another thread
  other.join();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(error_code(0), -32800);
  EXPECT_EQ(out[1].at("id").as_int64(), 2);
  EXPECT_EQ(d.in_flight(), 0u);
}

TEST_F(DispatcherTest, DuplicateInFlightIdIsRejected) {
  initialize();
  request(1, "test/hold");
  request(1, "test/hold");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(error_code(0), -32600);
  held.clear();  // answers InternalError for the first
}

TEST_F(DispatcherTest, MalformedMessagesAnswerWithNullId) {
  send("{not json");
  send(R"({"jsonrpc":"2.0","id":true,"method":"x"})");
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(error_code(0), -32700);
  EXPECT_TRUE(out[0].at("id").is_null());
  EXPECT_EQ(error_code(1), -32600);
}

TEST_F(DispatcherTest, CallsRouteResponsesToTheirCallbacks) {
  initialize();
  std::vector<std::string> got;
  d.call("workspace/configuration", json::object{}, [&](const json::value* r, const ResponseError* e) {
    got.push_back(r ? json::serialize(*r) : "error " + e->message);
  });
  d.call("client/registerCapability", json::object{}, [&](const json::value* r, const ResponseError* e) {
    got.push_back(r ? json::serialize(*r) : "error " + e->message);
  });
  ASSERT_EQ(out.size(), 2u);
  json::value id1 = out[0].at("id"), id2 = out[1].at("id");
  send(R"({"jsonrpc":"2.0","id":)" + json::serialize(id2) + R"(,"error":{"code":-32601,"message":"no"}})");
  send(R"({"jsonrpc":"2.0","id":)" + json::serialize(id1) + R"(,"result":[{"a":1}]})");
  send(R"({"jsonrpc":"2.0","id":"unknown","result":1})");
  EXPECT_EQ(got, (std::vector<std::string>{"error no", R"([{"a":1}])"}));
}

TEST_F(DispatcherTest, SetTraceTurnsOnLogTrace) {
  initialize();
  notify("$/setTrace", R"({"value":"verbose"})");
  EXPECT_EQ(d.trace(), "verbose");
  request(1, "test/position", R"({"textDocument":{"uri":"u"},"position":{"line":0,"character":0}})");
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].at("method").as_string(), "$/logTrace");
  notify("$/setTrace", R"({"value":"loud"})");
  EXPECT_EQ(d.trace(), "verbose");
}

}  // namespace
}  // namespace coderx::lsp
