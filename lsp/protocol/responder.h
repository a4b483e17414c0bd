// Responder: the obligation to answer one JSON-RPC request, exactly once.
//
// The dispatcher creates one per incoming request and hands it (by value, move-only) to the
// method's handler, which may answer at once or move it into a job on another thread. Exactly
// one reply is sent whatever happens:
//   - reply()/error() send the answer; later calls are ignored (and logged) — never a second one;
//   - a Responder destroyed without answering sends InternalError ("dropped without an answer"),
//     except while an exception unwinds: then the dispatcher (or job runner) that catches it sends
//     InternalError with the exception's message via ReplyState::fail().
// The request's cancellation ($/cancelRequest, shutdown) is visible through stop_token().
// Thread-safe: a Responder may be answered from any thread.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>

#include "lsp/protocol/jsonrpc.h"

namespace coderx::lsp {

// Shared between a Responder and the dispatcher's table of requests in flight.
class ReplyState {
 public:
  using Send = std::function<void(std::string body)>;
  using Done = std::function<void(const RequestId&)>;
  ReplyState(RequestId id, std::string method, Send send, Done done);

  const RequestId& id() const { return id_; }
  const std::string& method() const { return method_; }
  std::stop_source& stop_source() { return stop_; }
  bool answered() const { return answered_.load(); }

  // Each returns false (and sends nothing) when the request was already answered.
  bool succeed(const json::value& result);
  bool fail(ErrorCode code, const std::string& message);

 private:
  bool claim();

  RequestId id_;
  std::string method_;
  Send send_;
  Done done_;
  std::stop_source stop_;
  std::atomic<bool> answered_{false};
};

class Responder {
 public:
  Responder() = default;
  explicit Responder(std::shared_ptr<ReplyState> state);
  Responder(Responder&& other) noexcept = default;
  Responder& operator=(Responder&& other) noexcept;
  Responder(const Responder&) = delete;
  Responder& operator=(const Responder&) = delete;
  ~Responder();

  void reply(const json::value& result);
  template <class T>
  void reply_with(const T& value) {
    reply(json::value_from(value));
  }
  void error(ErrorCode code, const std::string& message);

  std::stop_token stop_token() const;
  // A handle that cancels this request (e.g. when a newer request supersedes it).
  std::stop_source stop_source() const;
  bool cancelled() const { return stop_token().stop_requested(); }
  const RequestId& id() const { return state_->id(); }
  const std::string& method() const { return state_->method(); }
  // True while this Responder still owes the answer.
  explicit operator bool() const { return state_ && !state_->answered(); }

 private:
  void abandon();

  std::shared_ptr<ReplyState> state_;
};

}  // namespace coderx::lsp
