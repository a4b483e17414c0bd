// LspSession: an in-process LSP session for tests — a Dispatcher and an LspServer whose output
// is collected in a queue; the test thread plays the transport's reader (send()) and waits for
// messages by id or method with a timeout (no sleeps). Header-only test helper.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "lsp/protocol/dispatcher.h"
#include "lsp/server/lsp_server.h"
#include "scripted_generator.h"

namespace coderx::testing {

namespace json = boost::json;

class LspSession {
 public:
  explicit LspSession(std::shared_ptr<features::TextGenerator> generator = std::make_shared<ScriptedGenerator>(),
                      server::LspServerOptions options = {})
      : dispatcher_([this](std::string body) { push(json::parse(body)); }) {
    if (generator && !options.load_generator)
      options.load_generator = [generator](const server::ServerSettings&)
          -> model::Result<std::shared_ptr<features::TextGenerator>> {
        return generator;
      };
    server_ = std::make_unique<server::LspServer>(dispatcher_, std::move(options));
  }
  ~LspSession() { server_.reset(); }

  lsp::Dispatcher& dispatcher() { return dispatcher_; }
  server::LspServer& server() { return *server_; }

  void send(const json::value& message) { dispatcher_.dispatch(json::serialize(message)); }
  void send_raw(const std::string& body) { dispatcher_.dispatch(body); }
  void request(std::int64_t id, const std::string& method, json::value params) {
    send(json::object{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}});
  }
  void notify(const std::string& method, json::value params) {
    send(json::object{{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}});
  }

  // Initialize with debounce 0 (plus `options`), then wait until the generator has loaded.
  void initialize(json::object init_options = {}, json::object capabilities = {}) {
    if (!init_options.contains("debounceMs")) init_options["debounceMs"] = 0;
    request(0, "initialize",
            json::object{{"processId", nullptr}, {"capabilities", capabilities}, {"initializationOptions", init_options}});
    response(0);
    notify("initialized", json::object{});
    server_->wait_until_loaded();
  }
  void open(const std::string& uri, const std::string& text, int version = 1, const std::string& lang = "python") {
    notify("textDocument/didOpen",
           json::object{{"textDocument", {{"uri", uri}, {"languageId", lang}, {"version", version}, {"text", text}}}});
  }

  // The response to `id` (waits up to 10 s; an empty object on timeout, with a test failure).
  json::object response(std::int64_t id) {
    return take([&](const json::object& m) {
      const json::value* v = m.if_contains("id");
      return v && v->is_int64() && v->as_int64() == id && !m.contains("method");
    });
  }
  json::object notification(const std::string& method) {
    return take([&](const json::object& m) {
      const json::value* v = m.if_contains("method");
      return v && !m.contains("id") && v->as_string() == method;
    });
  }
  // The oldest message not yet taken (waits up to 10 s).
  json::object next() {
    return take([](const json::object&) { return true; });
  }
  // A server-to-client request.
  json::object take_request(const std::string& method) {
    return take([&](const json::object& m) {
      const json::value* v = m.if_contains("method");
      return v && m.contains("id") && v->as_string() == method;
    });
  }
  // Every message received so far and not taken.
  std::deque<json::object> drain() {
    std::lock_guard lock(mu_);
    return std::exchange(queue_, {});
  }
  static int error_code(const json::object& response) {
    const json::value* e = response.if_contains("error");
    return e ? static_cast<int>(e->at("code").as_int64()) : 0;
  }

 private:
  void push(json::value v) {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(v.as_object()));
    cv_.notify_all();
  }
  template <class Pred>
  json::object take(Pred pred) {
    std::unique_lock lock(mu_);
    json::object found;
    bool ok = cv_.wait_for(lock, std::chrono::seconds(10), [&] {
      for (auto it = queue_.begin(); it != queue_.end(); ++it)
        if (pred(*it)) {
          found = std::move(*it);
          queue_.erase(it);
          return true;
        }
      return false;
    });
    EXPECT_TRUE(ok) << "timed out waiting for a message";
    return found;
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<json::object> queue_;
  lsp::Dispatcher dispatcher_;
  std::unique_ptr<server::LspServer> server_;
};

}  // namespace coderx::testing
