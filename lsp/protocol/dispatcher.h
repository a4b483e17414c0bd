// Dispatcher: the method binder and the LSP lifecycle, independent of any transport.
//
// The server registers typed handlers:
//   d.on_request<HoverParams>("textDocument/hover", [](HoverParams p, Responder r) { ... });
//   d.on_notification<DidOpenTextDocumentParams>("textDocument/didOpen", [](auto p) { ... });
// and the transport loop feeds it message bodies with dispatch(). The dispatcher
//   - decodes params into the handler's type (json::value_to via tag_invoke); a conversion
//     failure answers InvalidParams with the reason, automatically;
//   - answers MethodNotFound for unknown requests; ignores unknown notifications and `$/` ones;
//   - enforces the lifecycle: ServerNotInitialized before `initialize` (notifications dropped,
//     except `exit`; an `initialize` with invalid params leaves the server uninitialized, so
//     the client can send a corrected one), InvalidRequest for a second `initialize` and for requests after
//     `shutdown`; `exit` ends the session with exit code 0 after shutdown, else 1;
//   - tracks requests in flight: `$/cancelRequest` and shutdown request stop on their
//     Responder's stop token (the handler answers, typically RequestCancelled);
//   - catches anything a handler throws: InternalError for a request, a log line for a
//     notification; the server keeps running;
//   - sends server-to-client requests (call) and routes the client's responses to callbacks
//     without ever blocking; handles $/setTrace and sends $/logTrace while tracing.
// Threading: dispatch() is called from one thread (the reader). notify(), call() and Responders
// may be used from any thread; `sink` must be thread-safe. Handlers run on the reader thread and
// must not block: long work goes to a worker with the Responder moved along.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "lsp/protocol/jsonrpc.h"
#include "lsp/protocol/responder.h"

namespace coderx::lsp {

enum class Lifecycle { uninitialized, initialized, shut_down, exited };

enum class MessageType { error = 1, warning = 2, info = 3, log = 4 };

class Dispatcher {
 public:
  using Sink = std::function<void(std::string body)>;  // sends one message; thread-safe
  using RequestHandler = std::function<void(const json::value& params, Responder responder)>;
  using NotificationHandler = std::function<void(const json::value& params)>;
  // Exactly one of result/error is non-null.
  using ReplyCallback = std::function<void(const json::value* result, const ResponseError* error)>;

  explicit Dispatcher(Sink sink);
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  template <class Params, class F>  // F: void(Params, Responder)
  void on_request(const std::string& method, F handler) {
    on_request_raw(method, [this, method, h = std::move(handler)](const json::value& params, Responder r) mutable {
      std::string error;
      std::optional<Params> typed = convert_params<Params>(params, error);
      if (!typed) {
        if (method == "initialize") state_ = Lifecycle::uninitialized;  // the client may try again
        return r.error(ErrorCode::InvalidParams, error);
      }
      h(std::move(*typed), std::move(r));
    });
  }
  template <class Params, class F>  // F: void(Params)
  void on_notification(const std::string& method, F handler) {
    on_notification_raw(method, [this, method, h = std::move(handler)](const json::value& params) mutable {
      std::string error;
      std::optional<Params> typed = convert_params<Params>(params, error);
      if (!typed) return log_bad_notification(method, error);
      h(std::move(*typed));
    });
  }
  void on_request_raw(const std::string& method, RequestHandler handler);
  void on_notification_raw(const std::string& method, NotificationHandler handler);
  // Called on the reader thread when `shutdown` arrives, before it is answered.
  void on_shutdown(std::function<void()> hook) { shutdown_hook_ = std::move(hook); }

  // Handles one message body. Reader thread only.
  void dispatch(std::string_view body);
  // A message the framing layer dropped (too large): answered with an InvalidRequest error.
  void dispatch_dropped(const std::string& why);

  Lifecycle state() const { return state_.load(); }
  bool exited() const { return state() == Lifecycle::exited; }
  int exit_code() const { return exit_code_; }
  std::string trace() const;
  void set_trace_level(const std::string& value);  // "off" | "messages" | "verbose"
  std::size_t in_flight() const;

  // Server → client. Thread-safe.
  void notify(std::string_view method, const json::value& params);
  void call(std::string_view method, const json::value& params, ReplyCallback on_reply);
  void log_message(MessageType type, const std::string& text);
  // Cancels every request in flight (their handlers answer RequestCancelled).
  void cancel_all();

  template <class Params>
  static std::optional<Params> convert_params(const json::value& params, std::string& error) {
    try {
      return json::value_to<Params>(params);
    } catch (const boost::system::system_error& e) {
      error = std::string("invalid params: ") + e.code().message();
      return std::nullopt;
    } catch (const std::exception& e) {
      error = std::string("invalid params: ") + e.what();
      return std::nullopt;
    }
  }

 private:
  struct Core;
  void handle_request(Incoming& in);
  void handle_notification(Incoming& in);
  void handle_response(Incoming& in);
  void run_request(const RequestHandler& handler, Incoming& in);
  void cancel(const json::value& params);
  void set_trace(const json::value& params);
  void log_trace(std::string_view what, const Incoming& in);
  void log_bad_notification(const std::string& method, const std::string& error);
  void send_error(const std::optional<RequestId>& id, ErrorCode code, const std::string& message);

  std::shared_ptr<Core> core_;
  std::unordered_map<std::string, RequestHandler> requests_;
  std::unordered_map<std::string, NotificationHandler> notifications_;
  std::function<void()> shutdown_hook_;
  std::atomic<Lifecycle> state_{Lifecycle::uninitialized};
  int exit_code_ = 1;
};

}  // namespace coderx::lsp
