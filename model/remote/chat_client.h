// The remote engine's client: one chat completion against an OpenAI-compatible server
// (vLLM, llama-server, `coderx serve`), streamed over server-sent events.
//
// Retries: connection failures, and HTTP 429 and 5xx answers, are retried up to
// `max_attempts` times with exponential backoff (initial_backoff doubling, capped, Retry-After
// honoured up to the cap) while the deadline allows; nothing is retried once the answer has
// begun to stream. Other HTTP errors (400, 401, 404) fail at once with the server's message.
// Timeouts: connecting is bounded by connect_timeout, everything by the call's deadline.
// Cancellation: `stop` closes the socket at once (the current event is the last one delivered)
// and ends a backoff wait.
//
// Who calls it: lsp/features/remote_generator. Threading: chat() may run on many threads at
// once (each call has its own connection); the sink runs on the calling thread.
// Errors: in ChatOutcome (status + a message that starts with the endpoint), never thrown:
//   "openai://127.0.0.1:9: connection refused after 3 attempts".
#pragma once

#include <chrono>
#include <functional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "model/error.h"
#include "model/remote/endpoint.h"
#include "model/remote/http_exchange.h"
#include "model/remote/openai_wire.h"

namespace coderx::model::remote {

// How long a Retry-After header asks to wait: delay-seconds ("2") or an HTTP date ("Sun, 06 Nov
// 1994 08:49:37 GMT", RFC 9110 §10.2.3; a date in the past is no wait); `fallback` when absent or
// unreadable.
std::chrono::milliseconds retry_after_delay(const std::string& header, std::chrono::milliseconds fallback,
                                            std::chrono::system_clock::time_point now);

struct ClientOptions {
  int max_attempts = 3;                                 // tries per call (1 = no retry)
  std::chrono::milliseconds initial_backoff{250};       // wait before the second try
  std::chrono::milliseconds max_backoff{4000};          // cap of one wait (Retry-After included)
  std::chrono::milliseconds connect_timeout{5000};      // per try, within the deadline
  std::chrono::milliseconds default_timeout{600000};    // when the caller gives no deadline
  std::size_t max_event_bytes = 4 << 20;                // one server-sent event
};

struct ChatOutcome {
  enum class Status { ok, cancelled, timeout, error } status = Status::ok;
  std::string content;        // answer text (not repeating a prefill)
  std::string reasoning;      // thinking text, kept apart
  std::string finish_reason;  // as the server said: "stop", "length", ...
  WireUsage usage;            // the last the server sent (every chunk's running counts, where it
                              // sends them, so a cancelled stream keeps what was used); zeros if none
  bool has_usage = false;
  int attempts = 0;
  std::string error;          // status != ok: what happened, starting with the endpoint
  int http_status = 0;        // status == error after a non-2xx answer: its HTTP status
};

struct StreamSink {
  std::function<void(std::string_view)> on_content;    // may be empty
  std::function<void(std::string_view)> on_reasoning;  // may be empty
  std::function<void(const WireUsage&)> on_usage;      // each usage the server sends; may be empty
};

class ChatClient {
 public:
  // The API key is read from endpoint.api_key_env once, here.
  explicit ChatClient(Endpoint endpoint, ClientOptions options = {});

  ChatOutcome chat(const ChatCall& call, std::chrono::milliseconds timeout, std::stop_token stop,
                   const StreamSink& sink) const;
  // GET {base}/models: the served model ids (to fill ChatCall::model when none was named).
  Result<std::vector<std::string>> list_models(std::chrono::milliseconds timeout, std::stop_token stop) const;

  const Endpoint& endpoint() const { return endpoint_; }

 private:
  struct Attempt;
  Attempt open(const HttpRequest& request, Clock::time_point deadline, std::stop_token stop) const;

  Endpoint endpoint_;
  ClientOptions options_;
  std::string api_key_;
};

}  // namespace coderx::model::remote
