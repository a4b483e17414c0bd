#include "lsp/protocol/responder.h"

#include <spdlog/spdlog.h>

#include <exception>

namespace coderx::lsp {

ReplyState::ReplyState(RequestId id, std::string method, Send send, Done done)
    : id_(std::move(id)), method_(std::move(method)), send_(std::move(send)),
      done_(std::move(done)) {}

bool ReplyState::claim() {
  if (answered_.exchange(true)) {
    spdlog::error("request {} ('{}') answered twice; the second answer is dropped",
                  id_to_string(id_), method_);
    return false;
  }
  if (done_) done_(id_);
  return true;
}

bool ReplyState::succeed(const json::value& result) {
  if (!claim()) return false;
  send_(serialize_result(id_, result));
  return true;
}

bool ReplyState::fail(ErrorCode code, const std::string& message) {
  if (!claim()) return false;
  send_(serialize_error(id_, ResponseError{code, message}));
  return true;
}

Responder::Responder(std::shared_ptr<ReplyState> state) : state_(std::move(state)) {}

Responder& Responder::operator=(Responder&& other) noexcept {
  if (this != &other) {
    abandon();
    state_ = std::move(other.state_);
  }
  return *this;
}

Responder::~Responder() { abandon(); }

void Responder::abandon() {
  if (!state_ || state_->answered()) return;
  // While an exception unwinds, whoever catches it answers with its message.
  if (std::uncaught_exceptions() > 0) return;
  spdlog::error("request {} ('{}') was dropped without an answer", id_to_string(state_->id()),
                state_->method());
  state_->fail(ErrorCode::InternalError, "the server dropped the request without an answer");
}

void Responder::reply(const json::value& result) {
  if (state_) state_->succeed(result);
}

void Responder::error(ErrorCode code, const std::string& message) {
  if (state_) state_->fail(code, message);
}

std::stop_token Responder::stop_token() const {
  return state_ ? state_->stop_source().get_token() : std::stop_token();
}

std::stop_source Responder::stop_source() const {
  return state_ ? state_->stop_source() : std::stop_source(std::nostopstate);
}

}  // namespace coderx::lsp
