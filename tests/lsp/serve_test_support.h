// In-process helpers for tests of `coderx serve` (lsp/serve) and of the remote engine:
//   StreamScript  a TextGenerator that streams fixed thinking and answer pieces (one token each,
//                 the running usage before each piece: 11 prompt tokens, 5 cached), can stop
//                 mid-answer until cancelled, and records inputs and cancellations;
//   LocalServe    an HttpServer on 127.0.0.1:0 running on its own thread;
//   FakeHttp      a raw socket server answering each connection with a scripted reply (or
//                 never answering), counting requests — for retries, timeouts and errors.
// Synchronisation is by condition variables with timeouts, never by sleeping.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "lsp/features/generator.h"
#include "lsp/serve/http_server.h"

namespace coderx::testing {

class StreamScript : public features::TextGenerator {
 public:
  std::vector<std::string> thinking{"Let me ", "think."};
  std::vector<std::string> answer{"int ", "x = ", "1;"};
  std::size_t hold_after = SIZE_MAX;  // answer pieces sent before waiting for the stop token

  features::GenerationOutput generate(const features::GenerationInput& in, std::stop_token stop,
                                      const features::TextCallback& on_text) override {
    return generate_streams(in, stop, {on_text, {}});
  }
  features::GenerationOutput generate_streams(const features::GenerationInput& in, std::stop_token stop,
                                              const features::StreamCallbacks& cb) override {
    record(in);
    features::GenerationOutput out;
    out.usage.prompt_tokens = 11;
    out.usage.cached_tokens = 5;
    if (in.budgets.thinking_tokens > 0)
      for (const std::string& t : thinking) {
        out.thinking += t;
        ++out.usage.thinking_tokens;
        if (cb.on_usage) cb.on_usage(out.usage);
        if (cb.on_thinking) cb.on_thinking(t);
      }
    for (std::size_t i = 0; i < answer.size(); ++i) {
      if (i == hold_after && wait_for_stop(stop)) {
        out.finish = features::FinishReason::cancelled;
        return out;
      }
      if (out.usage.answer_tokens >= in.budgets.answer_tokens) {
        out.finish = features::FinishReason::answer_budget;
        break;
      }
      out.answer += answer[i];
      ++out.usage.answer_tokens;
      if (cb.on_usage) cb.on_usage(out.usage);
      if (cb.on_answer) cb.on_answer(answer[i]);
    }
    return out;
  }
  std::string describe() const override { return "stream script"; }

  std::vector<features::GenerationInput> calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }
  // Waits until `n` generations were cancelled (false after 10 s).
  bool wait_cancelled(int n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(10), [&] { return cancelled_ >= n; });
  }

 private:
  void record(const features::GenerationInput& in) {
    std::lock_guard lock(mu_);
    calls_.push_back(in);
  }
  // True when the stop token fired (within 10 s).
  bool wait_for_stop(std::stop_token stop) {
    std::unique_lock lock(mu_);
    std::condition_variable_any cv;
    cv.wait_for(lock, stop, std::chrono::seconds(10), [] { return false; });
    if (!stop.stop_requested()) return false;
    ++cancelled_;
    cv_.notify_all();
    return true;
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<features::GenerationInput> calls_;
  int cancelled_ = 0;
};

class LocalServe {
 public:
  explicit LocalServe(std::shared_ptr<features::TextGenerator> generator, serve::ServeOptions options = {}) {
    options.listen = "127.0.0.1:0";
    auto s = serve::HttpServer::bind(options, std::move(generator));
    if (!s) throw std::runtime_error(s.error().message);
    server_ = std::move(*s);
    thread_ = std::thread([this] { server_->run(); });
  }
  ~LocalServe() {
    server_->stop();
    thread_.join();
    server_.reset();
  }
  unsigned short port() const { return server_->port(); }
  std::string url() const { return "openai://127.0.0.1:" + std::to_string(port()) + "/v1"; }

 private:
  std::unique_ptr<serve::HttpServer> server_;
  std::thread thread_;
};

// Answers the i-th connection with replies[min(i, last)] after reading its request head and
// body; an empty reply means: read the request, then hold the connection open without answering
// until the client goes away or the server is destroyed.
class FakeHttp {
 public:
  explicit FakeHttp(std::vector<std::string> replies) : replies_(std::move(replies)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(listen_fd_, 16);
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { loop(); });
  }
  ~FakeHttp() {
    stop_ = true;
    thread_.join();
    ::close(listen_fd_);
  }
  unsigned short port() const { return port_; }
  std::string url() const { return "openai://127.0.0.1:" + std::to_string(port_) + "/v1"; }
  int requests() const { return requests_; }
  std::string last_request() {
    std::lock_guard lock(mu_);
    return last_;
  }

  static std::string sse(const std::vector<std::string>& events) {
    std::string body;
    for (const std::string& e : events) body += "data: " + e + "\n\n";
    return "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n" + body;
  }
  static std::string status(int code, const std::string& body, const std::string& extra = "") {
    return "HTTP/1.1 " + std::to_string(code) + " X\r\nContent-Type: application/json\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n" + extra + "Connection: close\r\n\r\n" + body;
  }

 private:
  bool readable(int fd, int ms) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, ms) > 0;
  }
  std::string read_request(int fd) {
    std::string in;
    char buf[4096];
    while (!stop_) {
      std::size_t head = in.find("\r\n\r\n");
      if (head != std::string::npos) {
        std::size_t cl = in.find("Content-Length: ");
        std::size_t need = cl == std::string::npos ? 0 : std::stoul(in.substr(cl + 16));
        if (in.size() >= head + 4 + need) break;
      }
      if (!readable(fd, 50)) continue;
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      in.append(buf, static_cast<std::size_t>(n));
    }
    return in;
  }
  void loop() {
    while (!stop_) {
      if (!readable(listen_fd_, 50)) continue;
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) continue;
      std::string request = read_request(fd);
      {
        std::lock_guard lock(mu_);
        last_ = request;
      }
      const std::string& reply = replies_[std::min<std::size_t>(requests_, replies_.size() - 1)];
      ++requests_;
      if (reply.empty()) {
        char c;
        while (!stop_ && !(readable(fd, 50) && ::recv(fd, &c, 1, 0) <= 0)) {
        }
      } else {
        ::send(fd, reply.data(), reply.size(), MSG_NOSIGNAL);
      }
      ::close(fd);
    }
  }

  std::vector<std::string> replies_;
  int listen_fd_ = -1;
  unsigned short port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::mutex mu_;
  std::string last_;
  std::thread thread_;
};

}  // namespace coderx::testing
