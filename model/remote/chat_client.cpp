#include "model/remote/chat_client.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <mutex>
#include <optional>

#include "model/remote/sse_parser.h"

namespace coderx::model::remote {

using Status = ChatOutcome::Status;
using Ms = std::chrono::milliseconds;

// A request that got a 2xx head (exchange set), or the final failure of all tries.
struct ChatClient::Attempt {
  std::unique_ptr<HttpExchange> exchange;
  ResponseHead head;
  Status status = Status::ok;
  std::string error;
  int attempts = 0;
  int http_status = 0;  // the last try's non-2xx status (0: it got none)
};

Ms retry_after_delay(const std::string& header, Ms fallback, std::chrono::system_clock::time_point now) {
  if (header.empty()) return fallback;
  unsigned seconds = 0;
  auto [end, ec] = std::from_chars(header.data(), header.data() + header.size(), seconds);
  if (ec == std::errc() && end == header.data() + header.size()) return Ms(std::int64_t{seconds} * 1000);
  std::tm tm{};
  const char* parsed = ::strptime(header.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (!parsed || *parsed != '\0') return fallback;
  auto when = std::chrono::system_clock::from_time_t(::timegm(&tm));
  return std::max(Ms(0), std::chrono::duration_cast<Ms>(when - now));
}

namespace {

bool retryable_status(int status) { return status == 429 || (status >= 500 && status <= 599); }

// Sleeps `wait` unless `stop` fires first; false when it fired.
bool backoff_wait(Ms wait, std::stop_token stop) {
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock lock(mu);
  return !cv.wait_for(lock, stop, wait, [] { return false; }) && !stop.stop_requested();
}

// "Location: X" of a redirect, which is not followed (an API endpoint that moved is a setting to fix).
std::string redirect_note(const ResponseHead& head) {
  if (head.status < 300 || head.status > 399 || head.location.empty()) return "";
  return ": redirected to " + head.location + " (redirects are not followed: point --engine there)";
}

std::string after(int attempts) {
  return attempts > 1 ? " after " + std::to_string(attempts) + " attempts" : "";
}

Status status_of(HttpFailure::Kind kind) {
  switch (kind) {
    case HttpFailure::Kind::cancelled: return Status::cancelled;
    case HttpFailure::Kind::timeout: return Status::timeout;
    default: return Status::error;
  }
}

bool is_event_stream(const std::string& content_type) {
  return content_type.find("text/event-stream") != std::string::npos;
}

struct Failure {
  Status status;
  std::string message;
};

struct StreamLimits {
  Clock::time_point deadline;
  std::size_t max_event_bytes;
  std::stop_token stop;
};

void apply(const WireDelta& d, ChatOutcome& out, const StreamSink& sink) {
  if (d.usage) {  // first, so a caller's running counts ride with this chunk's text
    out.usage = *d.usage;
    out.has_usage = true;
    if (sink.on_usage) sink.on_usage(*d.usage);
  }
  if (!d.reasoning.empty()) {
    out.reasoning += d.reasoning;
    if (sink.on_reasoning) sink.on_reasoning(d.reasoning);
  }
  if (!d.content.empty()) {
    out.content += d.content;
    if (sink.on_content) sink.on_content(d.content);
  }
  if (!d.finish_reason.empty()) out.finish_reason = d.finish_reason;
}

// One event's data: a chunk applied to `out`, or [DONE] (sets `done`), or a failure.
std::optional<Failure> take_event(const std::string& data, bool& done, ChatOutcome& out, const StreamSink& sink) {
  if (data == "[DONE]") {
    done = true;
    return std::nullopt;
  }
  auto d = decode_chunk(data);
  if (!d) return Failure{Status::error, d.error().message};
  if (d->error) return Failure{Status::error, "server error while streaming: " + *d->error};
  apply(*d, out, sink);
  return std::nullopt;
}

// Server-sent events into `out` until [DONE] (or the end of a body that gave a finish reason).
std::optional<Failure> read_events(HttpExchange& exchange, const StreamLimits& limits, ChatOutcome& out,
                                   const StreamSink& sink) {
  SseParser sse(limits.max_event_bytes);
  std::vector<SseEvent> events;
  for (bool body_done = false, done = false; !done;) {
    if (body_done) {
      if (out.finish_reason.empty()) return Failure{Status::error, "the stream ended before [DONE]"};
      return std::nullopt;
    }
    auto piece = exchange.read_some(limits.deadline, body_done);
    if (!piece) return Failure{status_of(piece.error().kind), piece.error().message};
    if (!sse.feed(*piece, events)) return Failure{Status::error, sse.error()};
    for (std::size_t i = 0; i < events.size() && !done; ++i) {
      if (limits.stop.stop_requested()) return Failure{Status::cancelled, "cancelled"};
      if (auto failed = take_event(events[i].data, done, out, sink)) return failed;
    }
    events.clear();
  }
  return std::nullopt;
}

// A whole JSON answer (a server that ignored stream: true).
std::optional<Failure> read_whole(HttpExchange& exchange, Clock::time_point deadline, ChatOutcome& out,
                                  const StreamSink& sink) {
  auto body = exchange.read_all(deadline, 64 << 20);
  if (!body) return Failure{status_of(body.error().kind), body.error().message};
  auto d = decode_chunk(*body);
  if (!d) return Failure{Status::error, d.error().message};
  if (d->error) return Failure{Status::error, "server error: " + *d->error};
  apply(*d, out, sink);
  return std::nullopt;
}

}  // namespace

ChatClient::ChatClient(Endpoint endpoint, ClientOptions options)
    : endpoint_(std::move(endpoint)), options_(options) {
  if (const char* key = std::getenv(endpoint_.api_key_env.c_str())) api_key_ = key;
}

ChatClient::Attempt ChatClient::open(const HttpRequest& request, Clock::time_point deadline,
                                     std::stop_token stop) const {
  Attempt a;
  Ms backoff = options_.initial_backoff;
  for (;;) {
    ++a.attempts;
    a.exchange = std::make_unique<HttpExchange>(endpoint_, stop);
    auto head = a.exchange->begin(request, Clock::now() + options_.connect_timeout, deadline);
    Ms wait = backoff;
    bool retry = false;
    if (!head) {
      a.status = status_of(head.error().kind);
      a.error = endpoint_.display + ": " + head.error().message;
      retry = head.error().kind == HttpFailure::Kind::connect || head.error().kind == HttpFailure::Kind::io;
      retry = retry || (head.error().kind == HttpFailure::Kind::timeout && Clock::now() < deadline);
    } else if (head->status >= 200 && head->status < 300) {
      a.head = *head;
      a.status = Status::ok;
      return a;
    } else {
      auto body = a.exchange->read_all(deadline, 64 << 10);
      a.status = Status::error;
      a.http_status = head->status;
      std::string said = redirect_note(*head);
      if (said.empty() && body && !body->empty()) said = ": " + describe_error_body(*body);
      a.error = endpoint_.display + ": HTTP " + std::to_string(head->status) + said;
      retry = retryable_status(head->status);
      wait = std::min(retry_after_delay(head->retry_after, backoff, std::chrono::system_clock::now()),
                      options_.max_backoff);
    }
    a.exchange.reset();
    if (!retry || a.attempts >= options_.max_attempts || Clock::now() + wait >= deadline) break;
    spdlog::debug("{} (try {}), retrying in {} ms", a.error, a.attempts, wait.count());
    if (!backoff_wait(wait, stop)) {
      a.status = Status::cancelled;
      a.error = endpoint_.display + ": cancelled";
      return a;
    }
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
  if (a.status == Status::error) a.error += after(a.attempts);
  return a;
}

ChatOutcome ChatClient::chat(const ChatCall& call, Ms timeout, std::stop_token stop,
                             const StreamSink& sink) const {
  auto deadline = Clock::now() + (timeout.count() > 0 ? timeout : options_.default_timeout);
  ChatOutcome out;
  HttpRequest request{"POST", endpoint_.base_path + "/chat/completions", encode_chat_call(call), api_key_};
  Attempt a = open(request, deadline, stop);
  out.attempts = a.attempts;
  if (a.status != Status::ok) {
    out.status = a.status;
    out.error = a.error;
    out.http_status = a.http_status;
    return out;
  }
  std::optional<Failure> failed =
      is_event_stream(a.head.content_type)
          ? read_events(*a.exchange, {deadline, options_.max_event_bytes, stop}, out, sink)
          : read_whole(*a.exchange, deadline, out, sink);
  if (failed) {
    out.status = stop.stop_requested() ? Status::cancelled : failed->status;
    out.error = endpoint_.display + ": " + failed->message;
  }
  return out;
}

Result<std::vector<std::string>> ChatClient::list_models(Ms timeout, std::stop_token stop) const {
  auto deadline = Clock::now() + (timeout.count() > 0 ? timeout : options_.default_timeout);
  HttpRequest request{"GET", endpoint_.base_path + "/models", "", api_key_};
  Attempt a = open(request, deadline, stop);
  if (a.status != Status::ok)
    return make_error(a.status == Status::cancelled ? Errc::cancelled : Errc::io, a.error);
  auto body = a.exchange->read_all(deadline, 4 << 20);
  if (!body) return make_error(Errc::io, endpoint_.display + ": " + body.error().message);
  auto ids = decode_model_list(*body);
  if (!ids) return make_error(Errc::format, endpoint_.display + ": " + ids.error().message);
  return ids;
}

}  // namespace coderx::model::remote
