#include "lsp/protocol/dispatcher.h"

#include <spdlog/spdlog.h>

namespace coderx::lsp {

struct Dispatcher::Core {
  Sink sink;
  mutable std::mutex mu;
  std::unordered_map<std::string, std::shared_ptr<ReplyState>> in_flight;  // by id_to_string
  std::unordered_map<std::string, ReplyCallback> calls;                     // by id_to_string
  std::int64_t next_call = 1;
  std::string trace = "off";
};

Dispatcher::Dispatcher(Sink sink) : core_(std::make_shared<Core>()) {
  core_->sink = std::move(sink);
}

Dispatcher::~Dispatcher() = default;

void Dispatcher::on_request_raw(const std::string& method, RequestHandler handler) {
  requests_[method] = std::move(handler);
}

void Dispatcher::on_notification_raw(const std::string& method, NotificationHandler handler) {
  notifications_[method] = std::move(handler);
}

std::string Dispatcher::trace() const {
  std::lock_guard lock(core_->mu);
  return core_->trace;
}

std::size_t Dispatcher::in_flight() const {
  std::lock_guard lock(core_->mu);
  return core_->in_flight.size();
}

void Dispatcher::send_error(const std::optional<RequestId>& id, ErrorCode code,
                            const std::string& message) {
  core_->sink(serialize_error(id, ResponseError{code, message}));
}

void Dispatcher::dispatch(std::string_view body) {
  Incoming in = decode_message(body);
  switch (in.kind) {
    case Incoming::Kind::invalid:
      spdlog::warn("invalid message: {}", in.error->message);
      send_error(in.id, in.error->code, in.error->message);
      return;
    case Incoming::Kind::request: return handle_request(in);
    case Incoming::Kind::notification: return handle_notification(in);
    case Incoming::Kind::response: return handle_response(in);
  }
}

void Dispatcher::dispatch_dropped(const std::string& why) {
  spdlog::warn("dropped a message: {}", why);
  send_error(std::nullopt, ErrorCode::InvalidRequest, why);
}

void Dispatcher::handle_request(Incoming& in) {
  log_trace("request", in);
  Lifecycle s = state();
  if (s == Lifecycle::uninitialized && in.method != "initialize")
    return send_error(in.id, ErrorCode::ServerNotInitialized,
                      "'" + in.method + "' before initialize");
  if (s == Lifecycle::shut_down || s == Lifecycle::exited)
    return send_error(in.id, ErrorCode::InvalidRequest, "'" + in.method + "' after shutdown");
  if (in.method == "initialize" && s != Lifecycle::uninitialized)
    return send_error(in.id, ErrorCode::InvalidRequest, "initialize was already received");
  if (in.method == "shutdown") {
    state_ = Lifecycle::shut_down;
    cancel_all();
    if (shutdown_hook_) shutdown_hook_();
    core_->sink(serialize_result(in.id, nullptr));
    return;
  }
  auto it = requests_.find(in.method);
  if (it == requests_.end())
    return send_error(in.id, ErrorCode::MethodNotFound, "unknown method '" + in.method + "'");
  if (in.method == "initialize") state_ = Lifecycle::initialized;
  run_request(it->second, in);
}

void Dispatcher::run_request(const RequestHandler& handler, Incoming& in) {
  std::string key = id_to_string(*in.id);
  std::weak_ptr<Core> weak = core_;
  auto state = std::make_shared<ReplyState>(
      *in.id, in.method, core_->sink, [weak](const RequestId& id) {
        if (auto core = weak.lock()) {
          std::lock_guard lock(core->mu);
          core->in_flight.erase(id_to_string(id));
        }
      });
  {
    std::lock_guard lock(core_->mu);
    if (!core_->in_flight.emplace(key, state).second) {
      send_error(in.id, ErrorCode::InvalidRequest, "request id " + key + " is already in use");
      return;
    }
  }
  try {
    handler(in.params, Responder(state));
  } catch (const std::exception& e) {
    spdlog::error("handler of '{}' threw: {}", in.method, e.what());
    state->fail(ErrorCode::InternalError, std::string("internal error: ") + e.what());
  } catch (...) {
    spdlog::error("handler of '{}' threw a non-standard exception", in.method);
    state->fail(ErrorCode::InternalError, "internal error");
  }
}

void Dispatcher::handle_notification(Incoming& in) {
  log_trace("notification", in);
  if (in.method == "exit") {
    exit_code_ = state() == Lifecycle::shut_down ? 0 : 1;
    state_ = Lifecycle::exited;
    cancel_all();
    return;
  }
  Lifecycle s = state();
  if (s != Lifecycle::initialized) {
    spdlog::debug("notification '{}' ignored outside an initialized session", in.method);
    return;
  }
  if (in.method == "$/cancelRequest") return cancel(in.params);
  if (in.method == "$/setTrace") return set_trace(in.params);
  auto it = notifications_.find(in.method);
  if (it == notifications_.end()) {
    spdlog::debug("notification '{}' ignored (no handler)", in.method);
    return;
  }
  try {
    it->second(in.params);
  } catch (const std::exception& e) {
    spdlog::error("handler of notification '{}' threw: {}", in.method, e.what());
  } catch (...) {
    spdlog::error("handler of notification '{}' threw a non-standard exception", in.method);
  }
}

void Dispatcher::handle_response(Incoming& in) {
  if (!in.id) {  // JSON-RPC: the error answer to a message the client could not read or identify
    spdlog::warn("the client answered a message it could not identify (id null){}{}", in.error ? ": " : "",
                 in.error ? in.error->message : "");
    return;
  }
  ReplyCallback callback;
  {
    std::lock_guard lock(core_->mu);
    auto it = core_->calls.find(id_to_string(*in.id));
    if (it == core_->calls.end()) {
      spdlog::warn("response to unknown request {}", id_to_string(*in.id));
      return;
    }
    callback = std::move(it->second);
    core_->calls.erase(it);
  }
  try {
    if (in.error)
      callback(nullptr, &*in.error);
    else
      callback(&in.result, nullptr);
  } catch (const std::exception& e) {
    spdlog::error("response callback threw: {}", e.what());
  }
}

void Dispatcher::cancel(const json::value& params) {
  const json::object* o = params.if_object();
  const json::value* idv = o ? o->if_contains("id") : nullptr;
  if (!idv || !(idv->is_int64() || idv->is_string())) {
    spdlog::debug("$/cancelRequest without a usable id ignored");
    return;
  }
  std::string key = idv->is_int64() ? std::to_string(idv->get_int64())
                                    : "\"" + std::string(idv->get_string()) + "\"";
  std::shared_ptr<ReplyState> state;
  {
    std::lock_guard lock(core_->mu);
    auto it = core_->in_flight.find(key);
    if (it != core_->in_flight.end()) state = it->second;
  }
  if (state) state->stop_source().request_stop();
}

void Dispatcher::cancel_all() {
  std::vector<std::shared_ptr<ReplyState>> all;
  {
    std::lock_guard lock(core_->mu);
    for (auto& [key, state] : core_->in_flight) all.push_back(state);
  }
  for (auto& state : all) state->stop_source().request_stop();
}

void Dispatcher::set_trace(const json::value& params) {
  const json::object* o = params.if_object();
  const json::value* v = o ? o->if_contains("value") : nullptr;
  if (!v || !v->is_string()) return log_bad_notification("$/setTrace", "value must be a string");
  std::string value(v->get_string());
  if (value != "off" && value != "messages" && value != "verbose")
    return log_bad_notification("$/setTrace", "unknown trace value '" + value + "'");
  set_trace_level(value);
}

void Dispatcher::set_trace_level(const std::string& value) {
  if (value != "off" && value != "messages" && value != "verbose") return;
  std::lock_guard lock(core_->mu);
  core_->trace = value;
}

void Dispatcher::log_trace(std::string_view what, const Incoming& in) {
  if (trace() == "off" || in.method.rfind("$/", 0) == 0) return;
  std::string message = "received " + std::string(what) + " '" + in.method + "'";
  if (in.id) message += " - (" + id_to_string(*in.id) + ")";
  json::object params;
  params["message"] = message;
  notify("$/logTrace", params);
}

void Dispatcher::log_bad_notification(const std::string& method, const std::string& error) {
  spdlog::warn("notification '{}' ignored: {}", method, error);
}

void Dispatcher::notify(std::string_view method, const json::value& params) {
  core_->sink(serialize_notification(method, params));
}

void Dispatcher::call(std::string_view method, const json::value& params, ReplyCallback on_reply) {
  RequestId id;
  {
    std::lock_guard lock(core_->mu);
    id = "coderx/" + std::to_string(core_->next_call++);
    core_->calls.emplace(id_to_string(id), std::move(on_reply));
  }
  core_->sink(serialize_request(id, method, params));
}

void Dispatcher::log_message(MessageType type, const std::string& text) {
  json::object params;
  params["type"] = static_cast<int>(type);
  params["message"] = text;
  notify("window/logMessage", params);
}

}  // namespace coderx::lsp
